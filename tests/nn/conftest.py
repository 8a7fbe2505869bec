"""Every nn test starts from the same random stream, so initialisations (and the tests) are reproducible."""

import pytest

from edugrad.tensor import Tensor


@pytest.fixture(autouse=True)
def _seed() -> None:
    Tensor.manual_seed(0)
