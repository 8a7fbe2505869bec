"""Reductions: sum, max, min, mean (and, from them, var, std, softmax, logsumexp, ...).

Tensor layer (`edugrad.tensor`). `axis` is an int, a tuple of ints or None (all axes), negative counts from
the end; PyTorch's `dim=` is accepted too. `keepdim=True` keeps reduced axes as size 1 so the result
broadcasts against the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from edugrad.data import dtypes, normalize_axes
from edugrad.function import Max, Neg, Sum
from edugrad.tensor import tensor as _t

Axis = int | Sequence[int] | None


def _axes(x: _t.Tensor, axis: Axis, dim: Axis, op: str) -> tuple[int, ...]:
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: pass either axis or dim, not both")
        axis = dim
    return normalize_axes(axis, x.ndim, op)


def sum(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The sum over `axis` (all axes if None). Bool and int tensors sum to int64, as in PyTorch."""
    x = self if self.dtype.is_floating_point else self.cast(dtypes.int64)
    return Sum.apply(x, axes=_axes(self, axis, dim, "sum"), keepdim=keepdim)


def max(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The maximum over `axis`; tied maxima share the gradient equally (as torch.amax)."""
    return Max.apply(self, axes=_axes(self, axis, dim, "max"), keepdim=keepdim)


def min(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The minimum over `axis`: min(x) = -max(-x)."""
    if self.dtype is dtypes.bool:
        return max(self.logical_not(), axis, keepdim, dim=dim).logical_not()
    return Neg.apply(Max.apply(Neg.apply(self), axes=_axes(self, axis, dim, "min"), keepdim=keepdim))


def mean(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The mean over `axis` (a float result, also for integer input)."""
    axes = _axes(self, axis, dim, "mean")
    count = prod(self.shape[a] for a in axes)
    x = self if self.dtype.is_floating_point else self.cast(dtypes.default_float)
    total = Sum.apply(x, axes=axes, keepdim=keepdim)
    return total / count if count else total * float("nan")  # the mean of nothing is NaN, as in PyTorch
