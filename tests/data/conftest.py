"""Fixtures of the edugrad.data suite: every test that takes `backend` runs once per backend."""

from __future__ import annotations

import os

import pytest

# The backends under test; a new backend's author runs the suite with EDUGRAD_TEST_BACKENDS=numpy,mine.
BACKENDS = tuple(os.environ.get("EDUGRAD_TEST_BACKENDS", "numpy,torch").split(","))


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The name of a backend to run on; the torch run is skipped where torch is not installed. Session-scoped
    so that hypothesis tests can use it (they may not take function-scoped fixtures)."""
    if request.param == "torch":
        pytest.importorskip("torch")
    name: str = request.param
    return name
