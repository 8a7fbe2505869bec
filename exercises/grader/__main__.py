"""`hatch run grade [TASK] [--reference]`: score the learner's files (or, with --reference, edugrad's own).

Outside the four layers (exercises/grader/). Exit status 0 when every selected check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from exercises.grader.core import grade_task
from exercises.grader.registry import load_tasks, select
from exercises.grader.report import failures, score_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hatch run grade", description=__doc__)
    parser.add_argument("task", nargs="?", help="a task's name or number, or a group (course, bugs)")
    parser.add_argument("--reference", action="store_true",
                        help="grade edugrad's own implementations (they must score full marks)")
    args = parser.parse_args(argv)
    results = [(t, grade_task(t, args.reference)) for t in select(load_tasks(), args.task)]
    print(score_table(results))
    details = failures(results)
    if details:
        print("\n" + details)
    return 0 if not details else 1


if __name__ == "__main__":
    sys.exit(main())
