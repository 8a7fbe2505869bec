"""The grader's model: a Task is a list of Checks run against a Solution; a failing Check raises Failure.

Outside the four layers (exercises/, not a package of edugrad). A task names the learner's module and the
library objects it re-implements. Graded normally, the Solution holds what the learner's module defines;
graded with `--reference`, it holds edugrad's own objects under the same names, so the library is the model
answer. Checks only see the Solution, never where it came from: that is the whole swapping mechanism.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np


class Failure(Exception):
    """A check that did not pass: `message` says what was wrong (input, expected, got), `hint` what to try."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Solution(SimpleNamespace):
    """The names a task asks for, as attributes: the learner's or the library's objects."""


@dataclass(frozen=True)
class Check:
    """One graded test: `run(solution)` returns if it passes and raises Failure if not. `hint` is shown when
    it fails with anything other than a Failure of its own (a stub's NotImplementedError, a crash)."""

    name: str
    run: Callable[[Solution], None]
    hint: str = ""


@dataclass(frozen=True)
class Task:
    """A graded unit: `module` is the learner's module (a dotted name), `names` what it must define, and
    `reference()` returns the library's objects for those names. `group` selects tasks on the command line
    (`hatch run grade course`, `hatch run grade bugs`); `number` orders the table."""

    name: str
    title: str
    module: str
    names: tuple[str, ...]
    reference: Callable[[], dict[str, Any]]
    checks: tuple[Check, ...]
    number: int = 0
    group: str = "course"
    extra: dict[str, Any] = field(default_factory=dict)

    def solution(self, reference: bool) -> Solution:
        """The objects the checks run against; raises Failure if the learner's module lacks a name."""
        if reference:
            return Solution(**self.reference())
        module = importlib.import_module(self.module)
        missing = [n for n in self.names if not hasattr(module, n)]
        if missing:
            raise Failure(f"{self.module} defines no {', '.join(missing)}",
                          "keep the names of the stub file: the grader looks them up by name")
        return Solution(**{n: getattr(module, n) for n in self.names})


REGISTRY: dict[str, Task] = {}


def register(task: Task) -> Task:
    """Add a task to the grader (the extension point: a module of tasks calls this at import time)."""
    if task.name in REGISTRY:
        raise ValueError(f"grader: a task named {task.name!r} is already registered")
    REGISTRY[task.name] = task
    return task


@dataclass(frozen=True)
class CheckResult:
    check: str
    passed: bool
    message: str = ""
    hint: str = ""


def run_check(check: Check, solution: Solution) -> CheckResult:
    """Run one check; any exception becomes a message (a learner sees what failed, never a traceback)."""
    try:
        with np.errstate(all="ignore"):  # an overflow shows as the inf it gives, in the message, not as a warning
            check.run(solution)
    except Failure as failure:
        return CheckResult(check.name, False, failure.message, failure.hint or check.hint)
    except NotImplementedError as stub:
        where = f" ({stub})" if str(stub) else ""
        return CheckResult(check.name, False, f"not implemented yet{where}", check.hint)
    except Exception as error:  # the learner's code may raise anything; report it as a failure, not a crash
        return CheckResult(check.name, False, f"raised {type(error).__name__}: {error}", check.hint)
    return CheckResult(check.name, True)


def grade_task(task: Task, reference: bool) -> list[CheckResult]:
    """The result of every check of `task` (all failed, with the reason, if its module cannot be loaded)."""
    try:
        solution = task.solution(reference)
    except Failure as failure:
        return [CheckResult(c.name, False, failure.message, failure.hint) for c in task.checks]
    except Exception as error:  # a syntax error or a failing import in the learner's module
        message = f"importing {task.module} raised {type(error).__name__}: {error}"
        return [CheckResult(c.name, False, message, "fix the module so that it imports") for c in task.checks]
    return [run_check(check, solution) for check in task.checks]
