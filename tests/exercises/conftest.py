"""The grader's tests import `exercises` as `hatch run grade` does: from the repository root, which
`python -m` puts on sys.path and pytest (in importlib mode) does not."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
