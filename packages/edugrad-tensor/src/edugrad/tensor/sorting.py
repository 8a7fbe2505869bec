"""Sorting: sort, argsort and topk, on the data layer's ARGSORT op.

Tensor layer (`edugrad.tensor`). ARGSORT gives the positions that put one axis in ascending order, stably: equal
values keep their order, NaN counts as the largest value and -0.0 equals 0.0, as torch's stable sort. The
descending order is the ascending order of the flipped axis read backwards: flip, sort, flip the positions
back and turn each position p of the flipped axis into n - 1 - p. Equal values still come in their original
order, and NaN first, as in torch's stable descending sort. (Sorting the negated values instead would be
wrong for NaN, bools and unsigned integers.)

The positions are not differentiable: they are computed on the data and recorded nowhere. The sorted values
are then read with `gather`, whose backward sends each gradient to the element it came from.
"""

from __future__ import annotations

from edugrad.data import BinaryOps, TensorData
from edugrad.tensor import return_types
from edugrad.tensor import _tensor as _t
from edugrad.tensor.movement import normalize_dim


def sort(input: _t.Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> return_types.sort:
    """The values in order along `dim` (ascending unless `descending`) and the index each came from, as
    torch.sort. The order is always stable (`stable` is accepted for torch's signature); NaN sorts as the
    largest value."""
    axis = normalize_dim(input, dim, "sort")
    indices = _t.Tensor._wrap(_order(input._data, axis, descending))
    return return_types.sort(input.gather(axis, indices), indices)


def argsort(input: _t.Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> _t.Tensor:
    """The indices (int64) that sort `input` along `dim`, as torch.argsort (stable, NaN as the largest)."""
    return _t.Tensor._wrap(_order(input._data, normalize_dim(input, dim, "argsort"), descending))


def topk(input: _t.Tensor, k: int, dim: int | None = None, largest: bool = True,
         sorted: bool = True) -> return_types.topk:
    """The k largest (or with largest=False smallest) values along `dim` (default the last) and their indices,
    as torch.topk, in order (also with sorted=False, where torch leaves the order open). Among equal values
    the first ones come first (torch leaves that open too)."""
    axis = normalize_dim(input, -1 if dim is None else dim, "topk")
    n = input.shape[axis] if input.ndim else 1
    if not isinstance(k, int) or not 0 <= k <= n:
        raise ValueError(f"topk: k must be an int from 0 to {n}, the size of dim {axis} of shape {input.shape}, "
                         f"got {k!r}")
    indices = _t.Tensor._wrap(_order(input._data, axis, descending=largest))
    if input.ndim:
        indices = indices.narrow(axis, 0, k)
    return return_types.topk(input.gather(axis, indices), indices)


def _order(data: TensorData, axis: int, descending: bool) -> TensorData:
    """The int64 positions that sort `data` along `axis` (see the module docstring for descending order)."""
    if not descending:
        return data.argsort(axis)
    backwards = data.flip(axis).argsort(axis).flip(axis)
    last = data.shape[axis] - 1 if data.ndim else 0
    return backwards.const(last).binary(BinaryOps.SUB, backwards)
