"""Reductions: sum, prod, mean, var, std, max, min, argmax, argmin, logsumexp, cumsum, cumprod, softmax, any, all.

Tensor layer (`edugrad.tensor`). Only sum, max and the running sum are Functions of the layer below; every
other reduction is composed from them and the elementwise ops, so its gradient follows from theirs. `axis` is
an int, a tuple of ints or None (all axes), negative counts from the end; PyTorch's `dim=` is accepted too.
`keepdim=True` keeps reduced axes as size 1 so the result broadcasts against the input.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence

from edugrad.data import dtypes, normalize_axes, normalize_axis
from edugrad.function import CumSum, LogSoftmax, Max, Neg, Pad, Shrink, Sum
from edugrad.tensor import tensor as _t
from edugrad.tensor.elementwise import floating

Axis = int | Sequence[int] | None


def _axes(x: _t.Tensor, axis: Axis, dim: Axis, op: str) -> tuple[int, ...]:
    """The reduced axes as sorted non-negative ints; IndexError naming `op` for an axis out of range."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: pass either axis or dim, not both")
        axis = dim
    return normalize_axes(axis, x.ndim, op)


def _axis(x: _t.Tensor, axis: int | None, dim: int | None, op: str, default: int) -> int:
    """The one axis of an op that runs along a single axis, as a non-negative int (`default` if none given)."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: pass either axis or dim, not both")
        axis = dim
    return normalize_axis(default if axis is None else axis, x.ndim, op)


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _wide(x: _t.Tensor) -> _t.Tensor:
    """Bool and integer tensors sum and multiply as int64, as in PyTorch (no overflow of small int types)."""
    return x if x.dtype.is_floating_point else x.cast(dtypes.int64)


def _order_reversed(x: _t.Tensor) -> _t.Tensor:
    """A map that reverses the order of values and is its own inverse: -x for floats, ~x = -x - 1 for
    integers (which, unlike -x, cannot overflow), `not x` for bools. min(x) = reversed(max(reversed(x)))."""
    return Neg.apply(x) if x.dtype.is_floating_point else ~x


def _slice(x: _t.Tensor, axis: int, start: int, end: int) -> _t.Tensor:
    """Elements start..end-1 of `axis`."""
    bounds = [(0, n) for n in x.shape]
    bounds[axis] = (start, end)
    return Shrink.apply(x, bounds=bounds)


def _pad(x: _t.Tensor, axis: int, before: int, after: int, value: int | float) -> _t.Tensor:
    """`before` and `after` copies of `value` added at the ends of `axis`."""
    padding = [(0, 0)] * x.ndim
    padding[axis] = (before, after)
    return Pad.apply(x, padding=padding, value=value)


def sum(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The sum over `axis` (all axes if None). Bool and int tensors sum to int64, as in PyTorch."""
    return Sum.apply(_wide(self), axes=_axes(self, axis, dim, "sum"), keepdim=keepdim)


def prod(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The product over `axis`; its gradient is exact also where elements are 0. Ints and bools give int64."""
    axes = _axes(self, axis, dim, "prod")
    x = _wide(self)
    if len(axes) == 1:
        (along,) = axes
    else:  # move the reduced axes to the end and merge them into one
        kept = [i for i in range(x.ndim) if i not in axes]
        x = x.permute(kept + list(axes)).reshape([x.shape[i] for i in kept] + [math.prod(x.shape[a] for a in axes)])
        along = x.ndim - 1
    # Multiply the first half of the axis by the second half until one element is left: log2(n) Mul nodes.
    # The gradient of each product is the other factor, exact even for zeros, unlike the shortcut prod / x.
    while x.shape[along] != 1:
        n = x.shape[along]
        if n % 2 or n == 0:
            x = _pad(x, along, 0, 1, 1)  # one more factor 1 changes nothing (and is the product of nothing)
            continue
        x = _slice(x, along, 0, n // 2) * _slice(x, along, n // 2, n)
    return x.reshape(_reduced_shape(self.shape, axes, keepdim))


def mean(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The mean over `axis` (a float result, also for integer input)."""
    axes = _axes(self, axis, dim, "mean")
    count = math.prod(self.shape[a] for a in axes)
    total = Sum.apply(floating(self), axes=axes, keepdim=keepdim)
    return total / count if count else total * math.nan  # the mean of nothing is NaN, as in PyTorch


def var(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, correction: int = 1, *,
        dim: Axis = None) -> _t.Tensor:
    """The variance over `axis`: the sum of squared deviations from the mean divided by N - correction
    (correction=1, the default, gives the unbiased estimate; 0 the population variance), as torch.var."""
    return _variance(self, _axes(self, axis, dim, "var"), keepdim, correction)


def std(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, correction: int = 1, *,
        dim: Axis = None) -> _t.Tensor:
    """The standard deviation over `axis`: the square root of `var` (same `correction`)."""
    return _variance(self, _axes(self, axis, dim, "std"), keepdim, correction).sqrt()


def _variance(x: _t.Tensor, axes: tuple[int, ...], keepdim: bool, correction: int) -> _t.Tensor:
    x = floating(x)
    deviation = x - mean(x, axes, keepdim=True)
    count = math.prod(x.shape[a] for a in axes)
    return sum(deviation * deviation, axes, keepdim) / builtins.max(0, count - correction)


def max(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The maximum over `axis` (as torch.amax); tied maxima share the gradient equally."""
    return Max.apply(self, axes=_axes(self, axis, dim, "max"), keepdim=keepdim)


def min(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """The minimum over `axis` (as torch.amin); tied minima share the gradient equally."""
    largest = Max.apply(_order_reversed(self), axes=_axes(self, axis, dim, "min"), keepdim=keepdim)
    return _order_reversed(largest)


def argmax(self: _t.Tensor, axis: int | None = None, keepdim: bool = False, *, dim: int | None = None) -> _t.Tensor:
    """The index (int64) of the largest element along `axis`, or in the flattened tensor if None; the first
    one on ties, and the first NaN if there is one, as torch.argmax."""
    return _arg_extreme(self, axis, keepdim, dim, "argmax")


def argmin(self: _t.Tensor, axis: int | None = None, keepdim: bool = False, *, dim: int | None = None) -> _t.Tensor:
    """The index (int64) of the smallest element along `axis`, or in the flattened tensor if None; the first
    one on ties, and the first NaN if there is one, as torch.argmin."""
    return _arg_extreme(self, axis, keepdim, dim, "argmin")


def _arg_extreme(x: _t.Tensor, axis: int | None, keepdim: bool, dim: int | None, op: str) -> _t.Tensor:
    if axis is None and dim is None:
        flat = _arg_extreme(x.reshape(-1), 0, False, None, op)
        return flat.reshape((1,) * x.ndim) if keepdim else flat
    a = _axis(x, axis, dim, op, 0)
    if x.ndim == 0:
        return _arg_extreme(x.reshape(1), 0, False, None, op)
    n = x.shape[a]
    if n == 0:
        raise ValueError(f"{op}: axis {a} of the tensor of shape {x.shape} has size 0, so it has no {op}")
    x = x.detach()  # indices have no gradient: record nothing
    extreme = max(x, a, keepdim=True) if op == "argmax" else min(x, a, keepdim=True)
    hit = x == extreme
    if x.dtype.is_floating_point:
        hit = hit | (x != x)  # NaN is the extreme (and max/min returned it) wherever one occurs
    # Count down from n at index 0 to 1 at index n-1: the first hit has the largest count, which max finds.
    countdown = _t.Tensor.arange(n, 0, -1, backend=x.backend).reshape([n] + [1] * (x.ndim - a - 1))
    return n - max(hit.where(countdown, 0), a, keepdim)


def logsumexp(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """log(sum(exp(self))) over `axis`, without overflow: log sum exp(x) = m + log sum exp(x - m), m = max x."""
    axes = _axes(self, axis, dim, "logsumexp")
    x = floating(self)
    # m cancels out of the value, so its gradient cancels too: detaching it changes nothing but the cost.
    # An infinite m (a slice of only -inf, or a +inf) would make x - m NaN; 0 does no harm there.
    peak = max(x, axes, keepdim=True).detach()
    peak = peak.isinf().where(0.0, peak)
    total = sum((x - peak).exp(), axes, keepdim=True).log() + peak
    return total.reshape(_reduced_shape(x.shape, axes, keepdim))


def softmax(self: _t.Tensor, axis: int | None = None, *, dim: int | None = None) -> _t.Tensor:
    """exp(self) normalized to sum to 1 along `axis` (default -1), computed as exp(x - max x) so that exp
    cannot overflow."""
    a = _axis(self, axis, dim, "softmax", -1)
    x = floating(self)
    exps = (x - max(x, a, keepdim=True).detach()).exp()  # the shift cancels in the ratio (and its gradient)
    return exps / sum(exps, a, keepdim=True)


def log_softmax(self: _t.Tensor, axis: int | None = None, *, dim: int | None = None) -> _t.Tensor:
    """log(softmax(self)) along `axis` (default -1), computed stably as x - max - log(sum(exp(x - max)))."""
    return LogSoftmax.apply(floating(self), axis=_axis(self, axis, dim, "log_softmax", -1))


def cumsum(self: _t.Tensor, axis: int | None = None, *, dim: int | None = None) -> _t.Tensor:
    """The running sum along `axis` (default 0): out[i] = x[0] + ... + x[i]. Ints and bools give int64."""
    return CumSum.apply(_wide(self), axis=_axis(self, axis, dim, "cumsum", 0))


def cumprod(self: _t.Tensor, axis: int | None = None, *, dim: int | None = None) -> _t.Tensor:
    """The running product along `axis` (default 0): out[i] = x[0] * ... * x[i], with exact gradients also
    where elements are 0. Ints and bools give int64."""
    a = _axis(self, axis, dim, "cumprod", 0)
    x = _wide(self)
    n = x.shape[a] if x.ndim else 1
    shift = 1
    # A Hillis-Steele scan: after the step with `shift`, out[i] is the product of the 2 * shift elements
    # ending at i (fewer at the start). Each step multiplies by a copy moved by `shift`, filled with ones.
    while shift < n:
        x = x * _pad(_slice(x, a, 0, n - shift), a, shift, 0, 1)
        shift *= 2
    return x * 1 if x is self else x  # a new tensor even when there was nothing to multiply


def any(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """True where any element over `axis` is nonzero (a bool result; False for an empty axis)."""
    axes = _axes(self, axis, dim, "any")
    return sum(self.bool(), axes, keepdim) > 0


def all(self: _t.Tensor, axis: Axis = None, keepdim: bool = False, *, dim: Axis = None) -> _t.Tensor:
    """True where every element over `axis` is nonzero (a bool result; True for an empty axis)."""
    axes = _axes(self, axis, dim, "all")
    return sum(self.bool().logical_not(), axes, keepdim) == 0
