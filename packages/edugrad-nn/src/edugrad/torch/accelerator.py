"""`edugrad.torch.accelerator` is `torch.accelerator`: `is_available()` and `current_accelerator()` (CUDA through
the torch backend, else none; see `edugrad.tensor.accelerators`). Re-exports only."""

from edugrad.tensor.accelerators import accelerator_is_available as is_available
from edugrad.tensor.accelerators import current_accelerator

__all__ = ["current_accelerator", "is_available"]
