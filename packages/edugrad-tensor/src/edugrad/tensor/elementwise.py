"""Elementwise math: exp, log, trigonometry, activations, rounding, ...

Tensor layer (`edugrad.tensor`). A handful of these are Functions of the layer below (neg, exp, log, sin,
cos, tanh, sqrt, reciprocal, the rounding ops); everything else is composed from them and from the
broadcasted binary ops, so it needs no derivative of its own. Integer inputs to float math are promoted to
float32 first, as in PyTorch.
"""

from __future__ import annotations

from edugrad.data import dtypes
from edugrad.function import Exp, Log, Neg, Sqrt
from edugrad.tensor import tensor as _t


def _floating(x: _t.Tensor) -> _t.Tensor:
    return x if x.dtype.is_floating_point else x.cast(dtypes.default_float)


def neg(self: _t.Tensor) -> _t.Tensor:
    """-self."""
    return Neg.apply(self)


def exp(self: _t.Tensor) -> _t.Tensor:
    """e ** self."""
    return Exp.apply(_floating(self))


def log(self: _t.Tensor) -> _t.Tensor:
    """The natural logarithm."""
    return Log.apply(_floating(self))


def sqrt(self: _t.Tensor) -> _t.Tensor:
    """The square root."""
    return Sqrt.apply(_floating(self))


def relu(self: _t.Tensor) -> _t.Tensor:
    """max(self, 0), with gradient 0 at 0 (as torch.relu)."""
    return (self > 0).where(self, 0)
