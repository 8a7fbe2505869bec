"""`CosineSimilarity` and `PairwiseDistance`: the distances of `nn.functional` as modules, as in `torch.nn`.

Top layer (`edugrad.nn`). Each stores its options and calls its function, which holds the math (and so the
gradient): cos(x1, x2) = x1 . x2 / max(|x1| |x2|, eps) along `dim`, and |x1 - x2 + eps|_p along the last axis.
"""

from __future__ import annotations

from edugrad.nn import functional as F
from edugrad.nn._checks import check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along `dim`, as `torch.nn.CosineSimilarity`."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """cos(x1, x2) along `dim` (x1 and x2 broadcast together)."""
        return F.cosine_similarity(check_input(self, x1), check_input(self, x2), self.dim, self.eps)


class PairwiseDistance(Module):
    """The p-norm of x1 - x2 along the last axis, as `torch.nn.PairwiseDistance`."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """|x1 - x2 + eps|_p per row."""
        return F.pairwise_distance(check_input(self, x1), check_input(self, x2), self.norm, self.eps, self.keepdim)
