"""Sorting: sort, argsort and topk, as a sorting network of compare-exchange steps.

Tensor layer (`edugrad.tensor`). The data layer has no sort op, so sorting is composed from the ops it has:
a bitonic sorting network. It works on n = 2^m elements (the axis is padded with values that sort last) in
m(m + 1)/2 steps; each step pairs every element with the one `j` places away (`i ^ j`) and puts the two in
order, so a step is a handful of elementwise ops on the whole tensor. Elements are compared by (value,
position), which makes every key distinct: the order is stable (ties keep their order, as torch's stable
sort), and NaN counts as the largest value, as in torch.

The network only orders positions: it runs on detached values and records nothing. The sorted values are
then read with `gather`, whose backward sends each gradient to the element it came from.
"""

from __future__ import annotations

import math

from edugrad.data import dtypes
from edugrad.function import no_grad
from edugrad.tensor import return_types
from edugrad.tensor import tensor as _t
from edugrad.tensor.binary import integer_range, where
from edugrad.tensor.creation import arange
from edugrad.tensor.movement import normalize_dim


def sort(input: _t.Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> return_types.sort:
    """The values in order along `dim` (ascending unless `descending`) and the index each came from, as
    torch.sort. The order is always stable (`stable` is accepted for torch's signature); NaN sorts as the
    largest value."""
    indices = argsort(input, dim, descending, stable=stable)
    axis = normalize_dim(input, dim, "sort") if input.ndim else 0
    return return_types.sort(_take(input, indices, axis), indices)


def argsort(input: _t.Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> _t.Tensor:
    """The indices (int64) that sort `input` along `dim`, as torch.argsort (stable, NaN as the largest)."""
    if input.ndim == 0:
        normalize_dim(input, dim, "argsort")
        return arange(1, backend=input.backend).reshape(())  # index 0, int64
    axis = normalize_dim(input, dim, "argsort")
    last = input.detach().transpose(axis, -1)
    with no_grad():
        order = _network_order(last, descending)
    return order.transpose(axis, -1)


def topk(input: _t.Tensor, k: int, dim: int | None = None, largest: bool = True,
         sorted: bool = True) -> return_types.topk:
    """The k largest (or with largest=False smallest) values along `dim` (default the last) and their indices,
    as torch.topk, in order (also with sorted=False, where torch leaves the order open). Among equal values
    the first ones come first (torch leaves that open too)."""
    axis = normalize_dim(input, -1 if dim is None else dim, "topk") if input.ndim else 0
    n = input.shape[axis] if input.ndim else 1
    if not isinstance(k, int) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int from 0 to {n}, the size of dim {axis} of shape {input.shape}, "
                         f"got {k!r}")
    indices = argsort(input, axis, descending=largest)
    if input.ndim:
        indices = indices.narrow(axis, 0, k)
    return return_types.topk(_take(input, indices, axis), indices)


def _take(x: _t.Tensor, indices: _t.Tensor, axis: int) -> _t.Tensor:
    """x's values at `indices` along `axis`; gather sends each gradient back to the element it read."""
    return x.clone() if x.ndim == 0 else x.gather(axis, indices)


def _network_order(x: _t.Tensor, descending: bool) -> _t.Tensor:
    """The positions that sort x along its last axis (see the module docstring), as int64."""
    n = x.shape[-1]
    size = 1 << max(n - 1, 0).bit_length()  # n rounded up to a power of two
    has_nan = x.dtype.is_floating_point and bool(x.isnan().any())  # without NaN, comparisons are fewer
    keys = _padded(x, size - n, descending, has_nan)
    positions = arange(size, backend=x.backend).expand(keys.shape)
    k = 2
    while k <= size:  # merge sorted runs of k // 2 into runs of k, alternately ascending and descending
        j = k // 2
        while j >= 1:  # compare-exchange partners j apart
            # Position i pairs with i ^ j; the lower of the two keeps the earlier key in sort order where
            # bit k of i is clear (an ascending run), the later one where it is set (descending).
            keeps_later = _bit(size, j, x.backend) ^ _bit(size, k, x.backend)
            partner_keys, partner_positions = _partners(keys, j), _partners(positions, j)
            take = _after(keys, partner_keys, positions, partner_positions, descending, has_nan) ^ keeps_later
            keys, positions = where(take, partner_keys, keys), where(take, partner_positions, positions)
            j //= 2
        k *= 2
    return positions.narrow(-1, 0, n)


def _bit(size: int, j: int, backend: str) -> _t.Tensor:
    """Bit j (a power of two) of the positions 0 .. size - 1, as bools: j False, j True, j False, ..."""
    if j >= size:
        return arange(1, backend=backend) == 1  # no position has it: one False, which broadcasts
    pattern = (arange(2, backend=backend) == 1).reshape(1, 2, 1)
    return pattern.expand(size // (2 * j), 2, j).reshape(size)


def _partners(x: _t.Tensor, j: int) -> _t.Tensor:
    """The element at i ^ j for each position i of the last axis: viewed as (blocks, 2, j), the two halves
    of every block of 2j swapped."""
    pairs = x.shape[:-1] + (x.shape[-1] // (2 * j), 2, j)
    return x.reshape(pairs).flip(-2).reshape(x.shape)


def _padded(x: _t.Tensor, count: int, descending: bool, has_nan: bool) -> _t.Tensor:
    """x with `count` values at the end of its last axis that sort after every real value. They tie with the
    last values (NaN or inf, the largest int, or for descending -inf, the smallest int); their later
    positions break the ties."""
    if count == 0:
        return x
    if x.dtype.is_floating_point:
        value: bool | int | float = -math.inf if descending else math.nan if has_nan else math.inf
    elif x.dtype is dtypes.bool:
        value = not descending
    else:
        low, high = integer_range(x.dtype)
        value = low if descending else high
    return x.pad([None] * (x.ndim - 1) + [(0, count)], value)


def _after(a: _t.Tensor, b: _t.Tensor, pa: _t.Tensor, pb: _t.Tensor, descending: bool,
           has_nan: bool) -> _t.Tensor:
    """True where (a, pa) comes after (b, pb) in the sort order: by value (NaN the largest), then position."""
    later = a < b if descending else a > b
    tie = a == b
    if has_nan:
        a_nan, b_nan = a.isnan(), b.isnan()
        later = later | ((b_nan & ~a_nan) if descending else (a_nan & ~b_nan))
        tie = tie | (a_nan & b_nan)
    return later | (tie & (pa > pb))
