"""The bug hunts as grader tasks (group `bugs`): one task per bug, graded on the diagnosis in answers.py.

Outside the four layers (exercises/bugs/). With `--reference` the grader is given the right diagnoses,
found among each bug's choices by their hash, so the reference scores full marks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exercises.bugs.hunt import Bug, load_bugs
from exercises.grader import Check, Failure, Solution, Task, register

ANSWERS = "exercises.bugs.answers"


def right_choice(bug: Bug) -> str:
    """The choice whose hash is the bug's answer."""
    return next(choice for choice in bug.choices if bug.is_answer(choice))


def _listed(bug: Bug) -> str:
    return "; ".join(f"{key!r}: {text}" for key, text in bug.choices.items())


def diagnosis_check(bug: Bug) -> Check:
    """The check of one bug's diagnosis: a known choice, and the right one."""

    def run(solution: Solution) -> None:
        choice = str(getattr(solution, bug.key)).strip().lower()
        where = f"set {bug.key} in exercises/bugs/answers.py"
        if not choice:
            raise Failure(f"not diagnosed yet: {where} to one of {_listed(bug)}",
                          f"see the symptom with `hatch run python -m exercises.bugs.{bug.key}`, then find "
                          f"the bug with {bug.tool}")
        if choice not in bug.choices:
            raise Failure(f"{choice!r} is none of the choices: {where} to one of {_listed(bug)}")
        if not bug.is_answer(choice):
            raise Failure(f"{choice!r} ({bug.choices[choice]}) is not what is wrong",
                          f"run {bug.tool} on the planted code and read the line it points to")

    return Check("diagnosis", run)


def reference(bug: Bug) -> Callable[[], dict[str, Any]]:
    """What --reference grades: the right diagnosis, under the bug's name."""
    return lambda: {bug.key: right_choice(bug)}


def register_bugs() -> None:
    for number, bug in enumerate(load_bugs(), start=1):
        register(Task(name=bug.key, title=bug.title, module=ANSWERS, names=(bug.key,),
                      reference=reference(bug), checks=(diagnosis_check(bug),),
                      number=number, group="bugs", extra={"bug": bug}))


register_bugs()
