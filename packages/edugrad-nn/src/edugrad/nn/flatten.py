"""`Flatten` and `Unflatten`: merge a range of dimensions into one (typically between the convolutions and the
classifier), or split one dimension into several.

Top layer (`edugrad.nn`); module wrappers of `Tensor.flatten` and `Tensor.unflatten`.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.nn._checks import check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten dimensions start_dim..end_dim into one, as `torch.nn.Flatten` (the batch dimension 0 is kept
    by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """The input with dimensions start_dim..end_dim merged."""
        return check_input(self, input).flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension `dim` into `unflattened_size` (one entry may be -1), as `torch.nn.Unflatten`."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, tuple | list) or not all(isinstance(s, int) for s in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple or list of ints, got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        """The input with dimension dim split."""
        return check_input(self, input).unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
