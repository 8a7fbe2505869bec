"""Reductions: sum, prod, mean, var, std, max, min, amax, amin, argmax, argmin, logsumexp, cumsum, cumprod,
softmax, log_softmax, any, all.

Tensor layer (`edugrad.tensor`). Only sum, max and the running sum are Functions of the layer below; every
other reduction is composed from them and the elementwise ops, so its gradient follows from theirs. The
signatures are torch's: `dim` is an int, a tuple of ints or None (all dims) where torch allows a tuple,
negative counts from the end, and NumPy's `axis=` is accepted as a keyword alias, as torch accepts it.
`keepdim=True` keeps reduced dims as size 1 so the result broadcasts against the input. With a dim, `max` and
`min` return (values, indices), as torch; `amax` and `amin` return the values only.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import TypeVar, overload

from edugrad.data import DType, dtypes, normalize_axes, normalize_axis
from edugrad.function import CumSum, LogSoftmax, Max, Neg, Pad, Shrink, Sum
from edugrad.tensor import return_types
from edugrad.tensor import _tensor as _t
from edugrad.tensor.elementwise import floating

Dim = int | Sequence[int] | None
D = TypeVar("D")  # the type of a dim argument: int | None, or Dim


def _pick(dim: D, axis: D, op: str) -> D:
    """The dim argument, given as `dim` or as its alias `axis` (not both)."""
    if axis is None:
        return dim
    if dim is not None:
        raise TypeError(f"{op}: pass either dim or axis, not both")
    return axis


def _dims(x: _t.Tensor, dim: Dim, axis: Dim, op: str, empty_is_all: bool = True) -> tuple[int, ...]:
    """The reduced dims as sorted non-negative ints; IndexError naming `op` for a dim out of range, TypeError
    for a dim that is no int, sequence of ints or None (a float would fail in the loop over the dims). An empty
    tuple means every dim, as torch's sum(()) and mean(()) read it (torch's any and all read it as none)."""
    dims = _pick(dim, axis, op)
    if not (dims is None or isinstance(dims, Sequence) or hasattr(dims, "__index__")):
        raise TypeError(f"{op}: dim must be an int, a tuple of ints or None, got {type(dims).__name__}")
    if empty_is_all and isinstance(dims, Sequence) and len(dims) == 0:
        dims = None
    return normalize_axes(dims, x.ndim, op)


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _wide(x: _t.Tensor, dtype: DType | None) -> _t.Tensor:
    """x cast to `dtype` if one is given (as torch: before the op), else bool and integer tensors as int64,
    which sum and multiply without overflow of small int types, as in PyTorch."""
    if dtype is not None:
        return x.cast(dtype)
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


def sum(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, dtype: DType | None = None, *,
        axis: Dim = None) -> _t.Tensor:
    """The sum over `dim` (all dims if None). Bool and int tensors sum to int64, as in PyTorch; with `dtype`
    the input is cast to it first."""
    return Sum.apply(_wide(input, dtype), axes=_dims(input, dim, axis, "sum"), keepdim=keepdim)


def prod(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, dtype: DType | None = None, *,
         axis: Dim = None) -> _t.Tensor:
    """The product over `dim`; its gradient is exact also where elements are 0. Ints and bools give int64;
    with `dtype` the input is cast to it first. (torch takes one dim only; a tuple works here too.)"""
    axes = _dims(input, dim, axis, "prod")
    x = _wide(input, dtype)
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
    return x.reshape(_reduced_shape(input.shape, axes, keepdim))


def mean(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: DType | None = None,
         axis: Dim = None) -> _t.Tensor:
    """The mean over `dim` (a float result, also for integer input, where torch refuses); with `dtype`, a
    floating-point dtype, the input is cast to it first."""
    axes = _dims(input, dim, axis, "mean")
    if dtype is not None and not dtype.is_floating_point:
        raise TypeError(f"mean: dtype must be a floating-point dtype, got {dtype.name}")
    count = math.prod(input.shape[a] for a in axes)
    total = Sum.apply(floating(input) if dtype is None else input.cast(dtype), axes=axes, keepdim=keepdim)
    return total / count if count else total * math.nan  # the mean of nothing is NaN, as in PyTorch


def var(input: _t.Tensor, dim: Dim = None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None, axis: Dim = None) -> _t.Tensor:
    """The variance over `dim`: the sum of squared deviations from the mean divided by N - correction
    (correction=1, the default, gives the unbiased estimate; 0 the population variance), as torch.var.
    torch's older form is accepted too: `unbiased=False` is correction=0, and so is `x.var(False)`."""
    return _variance(input, dim, correction, keepdim, unbiased, axis, "var")


def std(input: _t.Tensor, dim: Dim = None, *, correction: int = 1, keepdim: bool = False,
        unbiased: bool | None = None, axis: Dim = None) -> _t.Tensor:
    """The standard deviation over `dim`: the square root of `var` (same `correction` and `unbiased`). Where
    the variance is 0 the gradient is 0, as torch's: d sqrt(v) = dv / (2 sqrt v) is inf there, and times the
    variance's own gradient, 0 (no element deviates from the mean), it would be NaN."""
    variance = _variance(input, dim, correction, keepdim, unbiased, axis, "std")
    zero = (variance == 0).detach()
    return variance.where(~zero, 1.0).sqrt().where(~zero, 0.0)


def _variance(x: _t.Tensor, dim: Dim | bool, correction: int, keepdim: bool, unbiased: bool | None, axis: Dim,
              op: str) -> _t.Tensor:
    if isinstance(dim, bool):  # torch's overload var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction != 1:
            raise TypeError(f"{op}: pass either correction or unbiased, not both")
        correction = int(unbiased)
    axes = _dims(x, dim, axis, op)
    x = floating(x)
    deviation = x - mean(x, axes, keepdim=True)
    count = math.prod(x.shape[a] for a in axes)
    return sum(deviation * deviation, axes, keepdim) / builtins.max(0, count - correction)


@overload
def max(input: _t.Tensor, dim: _t.Tensor) -> _t.Tensor: ...


@overload
def max(input: _t.Tensor, dim: int, keepdim: bool = False) -> return_types.max: ...


@overload
def max(input: _t.Tensor, *, keepdim: bool = False, axis: int) -> return_types.max: ...


@overload
def max(input: _t.Tensor, dim: None = None, keepdim: bool = False) -> _t.Tensor: ...


def max(input: _t.Tensor, dim: int | _t.Tensor | None = None, keepdim: bool = False, *,
        axis: int | None = None) -> _t.Tensor | return_types.ValuesIndices:
    """As torch.max: without a dim, the largest element (tied maxima share the gradient); with a dim, the
    named tuple (values, indices) of the largest element along it, the first one on ties, whose gradient
    goes to that element only; with a tensor, the elementwise maximum (torch.max(input, other))."""
    return _extreme(input, dim, keepdim, axis, "max")


@overload
def min(input: _t.Tensor, dim: _t.Tensor) -> _t.Tensor: ...


@overload
def min(input: _t.Tensor, dim: int, keepdim: bool = False) -> return_types.min: ...


@overload
def min(input: _t.Tensor, *, keepdim: bool = False, axis: int) -> return_types.min: ...


@overload
def min(input: _t.Tensor, dim: None = None, keepdim: bool = False) -> _t.Tensor: ...


def min(input: _t.Tensor, dim: int | _t.Tensor | None = None, keepdim: bool = False, *,
        axis: int | None = None) -> _t.Tensor | return_types.ValuesIndices:
    """As torch.min: the smallest element, or (values, indices) along a dim, or the elementwise minimum
    (see `max`)."""
    return _extreme(input, dim, keepdim, axis, "min")


def _extreme(x: _t.Tensor, dim: int | _t.Tensor | None, keepdim: bool, axis: int | None,
             op: str) -> _t.Tensor | return_types.ValuesIndices:
    """max or min (`op`) in their three forms: of all elements, along one dim, elementwise with a tensor."""
    if isinstance(dim, _t.Tensor):
        return x.maximum(dim) if op == "max" else x.minimum(dim)
    a = _pick(dim, axis, op)
    if a is None:
        return amax(x, keepdim=keepdim) if op == "max" else amin(x, keepdim=keepdim)
    named = return_types.max if op == "max" else return_types.min
    return named(*_select(x, a, keepdim, op))


def _select(x: _t.Tensor, dim: int, keepdim: bool, op: str) -> tuple[_t.Tensor, _t.Tensor]:
    """The largest (op "max") or smallest ("min") values along `dim` and their indices. Reading the values at
    the indices with gather sends the gradient to the selected elements only, as torch does."""
    dim = normalize_axis(dim, x.ndim, op)
    if x.ndim == 0:  # a 0-d tensor has one element, at index 0 of dim 0 (or -1)
        values, indices = _select(x.reshape(1), 0, True, op)
        return values.reshape(()), indices.reshape(())
    indices = _arg_extreme(x, dim, True, "argmax" if op == "max" else "argmin")
    values = x.gather(dim, indices)
    return (values, indices) if keepdim else (values.squeeze(dim), indices.squeeze(dim))


def amax(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None) -> _t.Tensor:
    """The maximum over `dim` (all dims if None), values only; tied maxima share the gradient equally."""
    return Max.apply(input, axes=_dims(input, dim, axis, "amax"), keepdim=keepdim)


def amin(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None) -> _t.Tensor:
    """The minimum over `dim` (all dims if None), values only; tied minima share the gradient equally."""
    largest = Max.apply(_order_reversed(input), axes=_dims(input, dim, axis, "amin"), keepdim=keepdim)
    return _order_reversed(largest)


def argmax(input: _t.Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None) -> _t.Tensor:
    """The index (int64) of the largest element along `dim`, or in the flattened tensor if None; the first
    one on ties, and the first NaN if there is one, as torch.argmax."""
    return _arg_extreme(input, _pick(dim, axis, "argmax"), keepdim, "argmax")


def argmin(input: _t.Tensor, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None) -> _t.Tensor:
    """The index (int64) of the smallest element along `dim`, or in the flattened tensor if None; the first
    one on ties, and the first NaN if there is one, as torch.argmin."""
    return _arg_extreme(input, _pick(dim, axis, "argmin"), keepdim, "argmin")


def _arg_extreme(x: _t.Tensor, dim: int | None, keepdim: bool, op: str) -> _t.Tensor:
    if dim is None:
        flat = _arg_extreme(x.reshape(-1), 0, False, op)
        return flat.reshape((1,) * x.ndim) if keepdim else flat
    a = normalize_axis(dim, x.ndim, op)
    if x.ndim == 0:
        return _arg_extreme(x.reshape(1), 0, False, op)
    n = x.shape[a]
    if n == 0:
        raise ValueError(f"{op}: dim {a} of the tensor of shape {x.shape} has size 0, so it has no {op}")
    x = x.detach()  # indices have no gradient: record nothing
    extreme = amax(x, a, keepdim=True) if op == "argmax" else amin(x, a, keepdim=True)
    hit = x == extreme
    if x.dtype.is_floating_point:
        hit = hit | (x != x)  # NaN is the extreme (and amax/amin returned it) wherever one occurs
    # Count down from n at index 0 to 1 at index n-1: the first hit has the largest count, which amax finds.
    countdown = _t.Tensor.arange(n, 0, -1, backend=x.backend).reshape([n] + [1] * (x.ndim - a - 1))
    return n - amax(countdown.where(hit, 0), a, keepdim)


def logsumexp(input: _t.Tensor, dim: Dim, keepdim: bool = False) -> _t.Tensor:
    """log(sum(exp(input))) over `dim`, without overflow: log sum exp(x) = m + log sum exp(x - m), m = max x."""
    axes = _dims(input, dim, None, "logsumexp")
    x = floating(input)
    if x.numel() == 0:  # the log of an empty sum is -inf, as in torch (amax of an empty axis is an error)
        return sum(x, axes, keepdim).log()
    # m cancels out of the value, so its gradient cancels too: detaching it changes nothing but the cost.
    # An infinite m (a slice of only -inf, or a +inf) would make x - m NaN; 0 does no harm there.
    peak = amax(x, axes, keepdim=True).detach()
    peak = peak.where(~peak.isinf(), 0.0)
    total = sum((x - peak).exp(), axes, keepdim=True).log() + peak
    return total.reshape(_reduced_shape(x.shape, axes, keepdim))


def softmax(input: _t.Tensor, dim: int, *, dtype: DType | None = None) -> _t.Tensor:
    """exp(input) normalized to sum to 1 along `dim`, computed as exp(x - max x) so that exp cannot overflow;
    with `dtype` the input is cast to it first."""
    a = normalize_axis(dim, input.ndim, "softmax")
    x = floating(input) if dtype is None else input.cast(dtype)
    if x.numel() == 0:  # nothing to normalize, and amax of an empty axis is an error
        return x.exp()
    exps = (x - amax(x, a, keepdim=True).detach()).exp()  # the shift cancels in the ratio (and its gradient)
    return exps / sum(exps, a, keepdim=True)


def log_softmax(input: _t.Tensor, dim: int, *, dtype: DType | None = None) -> _t.Tensor:
    """log(softmax(input)) along `dim`, computed stably as x - max - log(sum(exp(x - max))); with `dtype` the
    input is cast to it first."""
    x = floating(input) if dtype is None else input.cast(dtype)
    axis = normalize_axis(dim, input.ndim, "log_softmax")
    return x * 1 if x.numel() == 0 else LogSoftmax.apply(x, axis=axis)  # (an empty result, as torch's)


def cumsum(input: _t.Tensor, dim: int, *, dtype: DType | None = None) -> _t.Tensor:
    """The running sum along `dim`: out[i] = x[0] + ... + x[i]. Ints and bools give int64; with `dtype` the
    input is cast to it first."""
    return CumSum.apply(_wide(input, dtype), axis=normalize_axis(dim, input.ndim, "cumsum"))


def cumprod(input: _t.Tensor, dim: int, *, dtype: DType | None = None) -> _t.Tensor:
    """The running product along `dim`: out[i] = x[0] * ... * x[i], with exact gradients also where elements
    are 0. Ints and bools give int64; with `dtype` the input is cast to it first."""
    a = normalize_axis(dim, input.ndim, "cumprod")
    x = _wide(input, dtype)
    n = x.shape[a] if x.ndim else 1
    shift = 1
    # A Hillis-Steele scan: after the step with `shift`, out[i] is the product of the 2 * shift elements
    # ending at i (fewer at the start). Each step multiplies by a copy moved by `shift`, filled with ones.
    while shift < n:
        x = x * _pad(_slice(x, a, 0, n - shift), a, shift, 0, 1)
        shift *= 2
    return x * 1 if x is input else x  # a new tensor even when there was nothing to multiply


def any(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None) -> _t.Tensor:
    """True where any element over `dim` is nonzero (a bool result; False for an empty dim)."""
    axes = _dims(input, dim, axis, "any", empty_is_all=False)
    if not axes:  # no dim to reduce over: each element alone
        return input != 0
    return sum(input.bool(), axes, keepdim) > 0


def all(input: _t.Tensor, dim: Dim = None, keepdim: bool = False, *, axis: Dim = None) -> _t.Tensor:
    """True where every element over `dim` is nonzero (a bool result; True for an empty dim)."""
    axes = _dims(input, dim, axis, "all", empty_is_all=False)
    if not axes:
        return input != 0
    return sum(input.bool().logical_not(), axes, keepdim) == 0
