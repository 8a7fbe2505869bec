"""The learner's files: one module of stubs per task, filled in by the learner and scored by `hatch run grade`."""
