"""Test settings shared by every layer's tests (this file imports no edugrad layer at import time).

Under CI (the environment variable CI is set), hypothesis draws the same examples on every run, so a CI result
can always be reproduced; on a developer's machine it keeps exploring new examples. The `real_mnist` fixture
gives the few tests that need the real MNIST its folder, and skips them, saying how to get it, where there is
none.
"""

import os
from pathlib import Path

import pytest
from hypothesis import settings

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"  # the project's copy

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def real_mnist() -> Path:
    """The folder of a real copy of MNIST's four .gz files: the project's shared/datasets/mnist beside the clone,
    else one of the folders `hatch run mnist` reads ($EDUGRAD_DATA/mnist, ~/.cache/edugrad/mnist, where it
    downloads them, ...). Session-scoped, so it looks before a test's fixtures move HOME into a temporary
    folder."""
    from edugrad.nn import datasets  # only the tests that ask for MNIST need edugrad-nn

    for folder in (SHARED_MNIST, *datasets.candidate_dirs("mnist")):
        if all((folder / f"{stem}.gz").is_file() for stem in datasets.FILES):
            return folder
    pytest.skip("needs the real MNIST: run `hatch run mnist` once with the network (it downloads the four files "
                "into ~/.cache/edugrad/mnist), or set EDUGRAD_DATA to a folder whose mnist/ holds them")
