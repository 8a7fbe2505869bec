"""The graded course: stubs to fill in (exercises/tasks/) and the grader that scores them (exercises/grader/)."""
