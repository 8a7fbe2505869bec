"""Setup of the edugrad.function suite: makes `function_helpers` (next to this file) importable.

The suite runs with --import-mode=importlib, which does not put test folders on sys.path; the helper module
has a name no other suite uses, so adding this folder cannot shadow anything.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
