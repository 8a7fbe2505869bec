"""Where the grader finds its tasks: the modules listed here register them when imported.

Outside the four layers (exercises/grader/). To add tasks (a bug hunt, a new exercise), write a module that
calls `register(Task(...))` at import time and add its dotted name to TASK_MODULES.
"""

from __future__ import annotations

import importlib

from exercises.grader.core import REGISTRY, Task

TASK_MODULES: tuple[str, ...] = (
    "exercises.grader.course",
    "exercises.bugs.tasks",
)


def load_tasks() -> list[Task]:
    """Every registered task, in table order (group, then number)."""
    for name in TASK_MODULES:
        importlib.import_module(name)
    return sorted(REGISTRY.values(), key=lambda t: (t.group != "course", t.group, t.number, t.name))


def select(tasks: list[Task], wanted: str | None) -> list[Task]:
    """The tasks a command line names: all course tasks for None, else those with that name or group."""
    if wanted is None:
        return [t for t in tasks if t.group == "course"]
    chosen = [t for t in tasks if wanted in (t.name, t.group, str(t.number))]
    if not chosen:
        known = ", ".join(sorted({t.name for t in tasks} | {t.group for t in tasks}))
        raise SystemExit(f"grade: no task or group named {wanted!r}; known: {known}")
    return chosen
