"""The course's grader: tasks, checks, and the score table (`hatch run grade`).

Outside the four layers: it imports edugrad (and torch, for comparisons) but edugrad never imports it.
"""

from exercises.grader.core import Check, CheckResult, Failure, Solution, Task, grade_task, register

__all__ = ["Check", "CheckResult", "Failure", "Solution", "Task", "grade_task", "register"]
