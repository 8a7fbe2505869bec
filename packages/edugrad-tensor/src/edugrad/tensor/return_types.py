"""The named tuples that ops returning values and their indices give back, as `torch.return_types`.

Tensor layer (`edugrad.tensor`). `x.max(dim)`, `x.min(dim)`, `x.topk(k)` and `x.sort()` return a pair
(values, indices) that unpacks like a tuple and names its parts: `values, indices = x.max(1)` or
`x.max(1).indices`. One class per op, as in PyTorch, so the repr says which op made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from edugrad.tensor._tensor import Tensor


class ValuesIndices(NamedTuple):
    """The values an op selected and their indices (int64) along the op's dimension."""

    values: Tensor
    indices: Tensor


class max(ValuesIndices):
    """The result of `x.max(dim)`: the largest values along dim and where they are."""

    __slots__ = ()


class min(ValuesIndices):
    """The result of `x.min(dim)`: the smallest values along dim and where they are."""

    __slots__ = ()


class topk(ValuesIndices):
    """The result of `x.topk(k)`: the k largest (or smallest) values along dim and where they are."""

    __slots__ = ()


class sort(ValuesIndices):
    """The result of `x.sort()`: the values in order along dim and where each came from."""

    __slots__ = ()
