"""Every nn test starts from the same random streams, edugrad's and torch's, so initialisations (and the tests)
are reproducible."""

import pytest
import torch

from edugrad.tensor import Tensor


@pytest.fixture(autouse=True)
def _seed() -> None:
    Tensor.manual_seed(0)
    torch.manual_seed(0)  # the torch.nn twins draw their initial weights (and torch.rand values) from it
