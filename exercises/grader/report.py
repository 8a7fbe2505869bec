"""The score table and the failure messages that `hatch run grade` prints.

Outside the four layers (exercises/grader/). One line per task (its score), then one paragraph per failed
check: what went wrong and a hint.
"""

from __future__ import annotations

from collections.abc import Sequence

from exercises.grader.core import CheckResult, Task


def score_table(results: Sequence[tuple[Task, list[CheckResult]]]) -> str:
    """The table: number, task, checks passed out of checks, and a total line."""
    rows = [f"{'#':>3}  {'task':<14} {'title':<44} {'passed':>7}"]
    passed = total = 0
    for task, checks in results:
        ok = sum(r.passed for r in checks)
        passed, total = passed + ok, total + len(checks)
        rows.append(f"{task.number:>3}  {task.name:<14} {task.title:<44} {ok:>3}/{len(checks):<3}")
    rows.append(f"{'':>3}  {'total':<14} {'':<44} {passed:>3}/{total:<3}")
    return "\n".join(rows)


def failures(results: Sequence[tuple[Task, list[CheckResult]]]) -> str:
    """A paragraph per failed check: task and check, the message, and the hint."""
    parts = []
    for task, checks in results:
        for r in checks:
            if r.passed:
                continue
            text = f"[{task.name}] {r.check}: {r.message}"
            if r.hint:
                text += f"\n    hint: {r.hint}"
            parts.append(text)
    return "\n\n".join(parts)
