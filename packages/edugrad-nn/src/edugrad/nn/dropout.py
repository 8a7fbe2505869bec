"""`Dropout`: zero random elements during training, as a regulariser.

Top layer (`edugrad.nn`). Each element is zeroed with probability p and the survivors are scaled by
1 / (1 - p), so the expected value of every element is unchanged and evaluation needs no rescaling. The
Tensor op `dropout` acts only while `Tensor.training` is on, which calling the module sets from its own
`training` flag: `model.eval()` turns dropout off.
"""

from __future__ import annotations

from edugrad.nn._checks import check_input, probability
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability `p` in training mode, scaling the rest by 1 / (1 - p)."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = probability("Dropout", "p", p)

    def forward(self, x: Tensor) -> Tensor:
        """x with dropout applied (x itself in evaluation mode)."""
        return check_input(self, x).dropout(self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}"
