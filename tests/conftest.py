"""Test settings shared by every layer's tests (this file imports no edugrad layer).

Under CI (the environment variable CI is set), hypothesis draws the same examples on every run, so a CI result
can always be reproduced; on a developer's machine it keeps exploring new examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
