"""`Flatten`: merge a range of dimensions into one, typically between the convolutions and the classifier.

Top layer (`edugrad.nn`); a module wrapper of `Tensor.flatten`.
"""

from __future__ import annotations

from edugrad.nn._checks import check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Flatten"]


class Flatten(Module):
    """Flatten dimensions start_dim..end_dim into one, as `torch.nn.Flatten` (the batch dimension 0 is kept
    by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        """x with dimensions start_dim..end_dim merged."""
        return check_input(self, x).flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
