"""Indexing: `x[index]` reads, `x[index] = value` writes, and gather, scatter, scatter_add, masked_fill,
index_select, repeat_interleave.

Tensor layer (`edugrad.tensor`). A basic index (ints, slices with any step, None, `...`) only moves values,
so it becomes movement Functions: a shrink to every step-th element of the range each axis keeps (a view,
as in PyTorch), a flip of the axes read backwards (a copy: torch refuses negative steps, edugrad reads them as
NumPy does), and a reshape that drops the axes indexed by ints and adds those asked for with None. An
advanced index (integer tensors or lists, bool masks) depends on data: the positions it names, broadcast
together, become one `Gather` from the indexed axes flattened into one. Gather's backward is a
scatter-add, so an element read twice receives both gradients.

A write `x[index] = value` is never recorded for backward (it is refused where it would be), so it builds the
new values from TensorData ops and writes them into x's memory (`assign`), where every view of x's storage
sees them. Ints and slices read a view of x (a strided shrink and a reshape, as in PyTorch), and the value
is written into that view, reversed first on the axes a negative step reads backwards. An advanced index
names positions, found by reading the positions 0, 1, ... of x with it, and the value is written there with a `Scatter` into x flattened: where it names one more than
once, the last write wins, as in PyTorch on the CPU. `scatter` is the same Function along one axis,
recorded, with torch's gradients.

The rules are PyTorch's: ints index before the advanced indices are applied, and the axes of the advanced
result replace the indexed axes where those were adjacent, else go first. A list is one index array (as in
NumPy; PyTorch reads some nested lists as a tuple of indices).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isfinite, prod
from types import EllipsisType
from typing import Any, NamedTuple, TypeAlias

from edugrad.data import DType, TensorData, dtypes
from edugrad.function import CumSum, Flip, Gather, Scatter, ScatterAdd, Shrink, is_grad_enabled
from edugrad.tensor import _tensor as _t
from edugrad.tensor.binary import broadcast_shape, check_scalar_fits, constant, where
from edugrad.tensor.creation import arange, tensor, zeros
from edugrad.tensor.movement import expand, normalize_dim, permute, reshape, shrink

IndexItem: TypeAlias = "int | slice | None | EllipsisType | _t.Tensor | Sequence[Any]"
Index: TypeAlias = "IndexItem | tuple[IndexItem, ...]"
Item: TypeAlias = "int | slice | None | _t.Tensor"  # after parsing: no Ellipsis, lists made tensors


def getitem(self: _t.Tensor, key: Index) -> _t.Tensor:
    """x[key] with ints, slices (any step), None, `...`, integer tensors or lists and bool masks."""
    return _select(self, _parse(self, key))


def setitem(self: _t.Tensor, key: Index, value: _t.Tensor | bool | int | float) -> None:
    """x[key] = value: writes value (cast to x's dtype and broadcast, as PyTorch does) at the positions key
    selects; the last write wins at a position named more than once."""
    self._check_writable("setitem")
    if isinstance(value, _t.Tensor) and value.requires_grad and is_grad_enabled():
        raise RuntimeError("setitem: the value requires grad, and writing it in place would lose its gradient; "
                           "build the result with where, cat or scatter instead, or write under no_grad()")
    items = _parse(self, key)
    mask = items[0] if len(items) == 1 else None
    if isinstance(mask, _t.Tensor) and mask.dtype is dtypes.bool and mask.shape == self.shape \
            and isinstance(value, (bool, int, float)):
        # x[mask] = number, the commonest advanced write (logits[logits < cutoff] = -inf): a masked fill.
        self._data.assign(mask._data.where(_values(self, value, self.shape), self._data))
    elif any(isinstance(i, _t.Tensor) for i in items):
        self._data.assign(_write_positions(self, items, value))
    else:
        _write_basic(self, _plan(self.shape, items), value)


def gather(input: _t.Tensor, dim: int, index: _t.Tensor | Sequence[Any]) -> _t.Tensor:
    """The values at `index` along `dim`: `out[i][j] = input[index[i][j]][j]` for dim 0 (torch.gather)."""
    return Gather.apply(input, _index_tensor(index, "gather"), axis=normalize_dim(input, dim, "gather"))


def scatter(input: _t.Tensor, dim: int, index: _t.Tensor | Sequence[Any],
            src: _t.Tensor | bool | int | float) -> _t.Tensor:
    """A copy of input with src written at `index` along `dim`: `out[index[i][j]][j] = src[i][j]` for dim 0
    (torch.scatter; src may be a number)."""
    idx = _index_tensor(index, "scatter")
    axis = normalize_dim(input, dim, "scatter")
    _check_fits(input, idx, axis, "scatter")
    return Scatter.apply(input, idx, _source(input, idx, src, "scatter"), axis=axis)


def scatter_add(input: _t.Tensor, dim: int, index: _t.Tensor | Sequence[Any], src: _t.Tensor) -> _t.Tensor:
    """A copy of input with src added at `index` along `dim`; repeated positions accumulate (torch.scatter_add)."""
    idx = _index_tensor(index, "scatter_add")
    axis = normalize_dim(input, dim, "scatter_add")
    return ScatterAdd.apply(input, idx, _source(input, idx, src, "scatter_add"), axis=axis)


def masked_fill(input: _t.Tensor, mask: _t.Tensor, value: _t.Tensor | bool | int | float) -> _t.Tensor:
    """input with `value` wherever the bool `mask` (broadcast to input's shape) is True."""
    if not isinstance(mask, _t.Tensor) or mask.dtype is not dtypes.bool:
        raise TypeError(f"masked_fill: the mask must be a bool tensor, got {_describe(mask)}")
    if broadcast_shape(mask.shape, input.shape, "masked_fill") != input.shape:
        raise ValueError(f"masked_fill: a mask of shape {mask.shape} does not broadcast to the shape {input.shape}")
    fill = value.cast(input.dtype) if isinstance(value, _t.Tensor) else constant(input, value, input.dtype)
    return where(mask, fill, input)


def index_select(input: _t.Tensor, dim: int, index: _t.Tensor | Sequence[Any]) -> _t.Tensor:
    """The slices of `input` at the positions of the 1-d integer `index` along `dim`, in that order and as
    often as listed (torch.index_select; the gradient of a slice read twice is summed)."""
    idx = _index_tensor(index, "index_select")
    axis = normalize_dim(input, dim, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select: index must be a 1-d tensor, got shape {idx.shape}")
    x = reshape(input, 1) if input.ndim == 0 else input  # torch lets a 0-d tensor be read at index 0
    n = x.shape[axis]
    if idx.numel() and not 0 <= int(idx.min().item()) <= int(idx.max().item()) < n:
        raise IndexError(f"index_select: index values must lie in [0, {n}) for dim {axis} of shape {input.shape}, "
                         f"got {int(idx.min().item())} to {int(idx.max().item())}")
    return getitem(x, (slice(None),) * axis + (reshape(idx, -1),))


def repeat_interleave(input: _t.Tensor, repeats: int | _t.Tensor, dim: int | None = None, *,
                      output_size: int | None = None) -> _t.Tensor:
    """Each element (or slice along `dim`) repeated `repeats` times in place: [a, b] -> [a, a, b, b]
    (torch.repeat_interleave). `repeats` is one count or a count per slice; without dim the tensor is
    flattened first."""
    x = reshape(input, -1) if dim is None else input
    axis = 0 if dim is None else normalize_dim(input, dim, "repeat_interleave")
    n = x.shape[axis]
    source = _repeated_positions(n, repeats, axis, x.backend)
    if output_size is not None and output_size != source.shape[0]:
        raise ValueError(f"repeat_interleave: output_size is {output_size}, but the repeats add up to "
                         f"{source.shape[0]}")
    return getitem(x, (slice(None),) * axis + (source,))


def _repeated_positions(n: int, repeats: int | _t.Tensor, axis: int, backend: str) -> _t.Tensor:
    """0 .. n-1 with position i repeated repeats[i] times (or `repeats` times each), as an int64 index."""
    if isinstance(repeats, int):
        if repeats < 0:
            raise ValueError(f"repeat_interleave: repeats must be non-negative, got {repeats}")
        if repeats == 0:
            return zeros(0, dtype=dtypes.int64, backend=backend)
        return arange(n * repeats, backend=backend) // repeats
    if not isinstance(repeats, _t.Tensor) or not repeats.dtype.is_integer or repeats.ndim > 1:
        raise TypeError(f"repeat_interleave: repeats must be an int or a 1-d integer tensor, got {_describe(repeats)}")
    counts = expand(reshape(repeats, -1), n) if repeats.numel() == 1 else reshape(repeats, -1)
    if counts.shape != (n,) or (n and int(counts.min().item()) < 0):
        raise ValueError(f"repeat_interleave: expected {n} non-negative repeats for dim {axis} of size {n}, got "
                         f"{_describe(repeats)}")
    total = int(counts.sum().item())
    # Slice i starts at output position ends[i - 1] (ends = cumsum(counts)): a 1 at each start, summed up
    # running, counts the slices begun so far, which is the slice each output position reads.
    ends = CumSum.apply(counts.cast(dtypes.int64), axis=0)
    starts = shrink(ends, [(0, n - 1)]) if n else ends
    marks = ScatterAdd.apply(zeros(total + 1, dtype=dtypes.int64, backend=backend), starts,
                             constant(starts, 1, dtypes.int64), axis=0)
    return shrink(CumSum.apply(marks, axis=0), [(0, total)])


def _parse(x: _t.Tensor, index: Index) -> list[Item]:
    """The index as one item per used axis (None adds one): lists become tensors, 0-d tensors numbers, and `...`
    (or the end) is filled with full slices."""
    raw = [_item(i, x.backend) for i in (index if isinstance(index, tuple) else (index,))]
    used = sum(_axes_used(i) for i in raw if not isinstance(i, EllipsisType))
    if used > x.ndim:
        raise IndexError(f"getitem: too many indices for a tensor of shape {x.shape}: {used} axes indexed")
    ellipses = sum(isinstance(i, EllipsisType) for i in raw)
    if ellipses > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    fill: list[Item] = [slice(None)] * (x.ndim - used)
    items: list[Item] = []
    for i in raw:
        items.extend(fill if isinstance(i, EllipsisType) else [i])
    return items if ellipses else items + fill


def _item(i: Any, backend: str) -> Item | EllipsisType:
    """One index item, checked, with a list made a tensor and a 0-d tensor the number it holds."""
    if i is None or isinstance(i, (slice, EllipsisType, bool)):
        return i
    if isinstance(i, (list, tuple)):
        i = _list_index(i, backend)
    if isinstance(i, _t.Tensor):
        if i.dtype is not dtypes.bool and not i.dtype.is_integer:
            raise IndexError(f"getitem: tensors used as indices must be integer or bool tensors, got {i.dtype.name}")
        if i.ndim == 0:  # as in PyTorch, a 0-d tensor indexes like a number (an int drops its axis)
            return bool(i.item()) if i.dtype is dtypes.bool else int(i.item())
        return i
    if hasattr(i, "__index__"):  # ints and NumPy integers
        return int(i.__index__())
    raise IndexError(f"getitem: only ints, slices, None, '...', and integer or bool tensors (or lists) are valid "
                     f"indices, got {_describe(i)}")


def _list_index(values: Sequence[Any], backend: str) -> _t.Tensor:
    """A list index as a tensor on the indexed tensor's backend: ints make an int64 index, bools a mask; the empty
    list selects nothing."""
    if len(values) == 0:
        return tensor(values, dtype=dtypes.int64, backend=backend)
    try:
        return tensor(values, backend=backend)
    except (TypeError, ValueError) as error:
        raise IndexError(f"getitem: a list index must hold ints or bools of one shape, got {values!r:.60}") from error


def _axes_used(i: Item | EllipsisType) -> int:
    if i is None or isinstance(i, bool):
        return 0  # None and True add an axis of size 1 (False one of size 0)
    if isinstance(i, _t.Tensor) and i.dtype is dtypes.bool:
        return i.ndim  # a mask covers as many axes as it has
    return 1


class _Range(NamedTuple):
    """How one axis of x is read by a basic index: the `kept` elements start, start + step, ... before end (a
    strided view), then reversed if `flip` (a slice with a negative step)."""

    start: int
    end: int
    step: int
    flip: bool
    kept: int


class _Plan(NamedTuple):
    """How an index reads x: a _Range per axis of x (an advanced index reads its axes whole), the shape of the
    result (an axis added by a False index has size 1 here and is cut to 0 at the end: `empty` lists them), and
    for each advanced index (its first axis in the result, the axis of x it indexes, the index tensor)."""

    ranges: list[_Range]
    shape: tuple[int, ...]
    empty: list[int]
    advanced: list[tuple[int, int, _t.Tensor]]


def _plan(x_shape: tuple[int, ...], items: list[Item]) -> _Plan:
    ranges: list[_Range] = []
    shape: list[int] = []
    empty: list[int] = []
    advanced: list[tuple[int, int, _t.Tensor]] = []
    for item in items:
        if item is None or isinstance(item, bool):
            if item is False:
                empty.append(len(shape))
            shape.append(1)
            continue
        axis = len(ranges)
        n = x_shape[axis]
        if isinstance(item, int):
            if not -n <= item < n:
                raise IndexError(f"getitem: index {item} is out of range for axis {axis} of size {n} (shape "
                                 f"{x_shape})")
            ranges.append(_Range(item % n, item % n + 1, 1, False, 1))  # no entry in shape: the axis goes
        elif isinstance(item, slice):
            ranges.append(_slice_range(item, n))
            shape.append(ranges[-1].kept)
        else:
            covered = x_shape[axis:axis + _axes_used(item)]
            advanced.append((len(shape), axis, item))
            shape.extend(covered)
            ranges.extend(_Range(0, m, 1, False, m) for m in covered)
    return _Plan(ranges, tuple(shape), empty, advanced)


def _select(x: _t.Tensor, items: list[Item]) -> _t.Tensor:
    """x read with the parsed index: the basic items first, then the advanced ones at once."""
    y, advanced = _basic(x, items)
    return _advanced(y, advanced) if advanced else y


def _basic(x: _t.Tensor, items: list[Item]) -> tuple[_t.Tensor, list[tuple[int, int, _t.Tensor]]]:
    """Apply the ints, slices and Nones with movement Functions. Returns the result and the advanced indices
    (as in _Plan) still to apply."""
    ranges, shape, empty, advanced = _plan(x.shape, items)
    if any(r.step > 1 for r in ranges):
        y = Shrink.apply(x, bounds=[(r.start, r.end) for r in ranges], steps=[r.step for r in ranges])
    else:
        y = shrink(x, [(r.start, r.end) for r in ranges])
    if any(r.flip for r in ranges):  # a copy, as NumPy's negative strides would be a view torch cannot have
        y = Flip.apply(y, axes=tuple(a for a, r in enumerate(ranges) if r.flip))
    y = reshape(y, shape)
    if empty:
        y = shrink(y, [(0, 0) if a in empty else None for a in range(y.ndim)])
    return y, advanced


def _slice_range(s: slice, n: int) -> _Range:
    """How a slice reads an axis of size n (see _Range): [start, end) ends just after the last element read."""
    start, stop, step = s.indices(n)
    count = len(range(start, stop, step))
    if count == 0:
        return _Range(0, 0, 1, False, 0)
    if step > 0:
        return _Range(start, start + (count - 1) * step + 1, step, False, count)
    # Read backwards: the same elements in ascending order, from the last one read up to `start`, then flipped.
    return _Range(start + (count - 1) * step, start + 1, -step, True, count)


def _advanced(y: _t.Tensor, advanced: list[tuple[int, int, _t.Tensor]]) -> _t.Tensor:
    """Index y with the advanced indices at once: one Gather from their axes flattened into one."""
    axes: list[int] = []
    positions: list[_t.Tensor] = []  # per index: flat positions within the axes it covers
    sizes: list[int] = []
    for y_axis, x_axis, index in advanced:
        covered = list(range(y_axis, y_axis + (index.ndim if index.dtype is dtypes.bool else 1)))
        axes.extend(covered)
        sizes.append(prod(y.shape[a] for a in covered))
        positions.append(_mask_positions(index, y.shape[y_axis:y_axis + len(covered)], x_axis)
                         if index.dtype is dtypes.bool else _in_range(index, y.shape[y_axis], x_axis))
    try:
        shape: tuple[int, ...] = ()
        for p in positions:
            shape = broadcast_shape(shape, p.shape, "getitem")
    except ValueError as error:
        raise IndexError(f"getitem: index tensors of shapes {[p.shape for p in positions]} cannot be broadcast "
                         "together") from error
    # The row-major position in the indexed axes flattened into one: sum of position_k * (product of the
    # sizes after k), the index tensors broadcast together.
    linear = expand(positions[-1], shape)
    for k in range(len(positions) - 1):
        linear = linear + expand(positions[k], shape) * prod(sizes[k + 1:])
    rest = [a for a in range(y.ndim) if a not in axes]
    rest_shape = tuple(y.shape[a] for a in rest)
    flat = reshape(permute(y, axes + rest), (prod(sizes), prod(rest_shape)))
    count = prod(shape)
    out = Gather.apply(flat, expand(reshape(linear, (count, 1)), (count, flat.shape[1])), axis=0)
    out = reshape(out, shape + rest_shape)
    if axes != list(range(axes[0], axes[0] + len(axes))) or axes[0] == 0:
        return out  # indexed axes apart (or in front): the result's axes go first
    # Adjacent indexed axes: the result's axes take their place, after the axes that came before them.
    before, k = list(range(len(shape), len(shape) + axes[0])), len(shape)
    return permute(out, before + list(range(k)) + list(range(k + axes[0], out.ndim)))


def _in_range(index: _t.Tensor, n: int, axis: int) -> _t.Tensor:
    """An integer index with negative entries counted from the end; IndexError for one out of range."""
    if index.numel() == 0:
        return index
    low, high = int(index.min().item()), int(index.max().item())
    if low < -n or high >= n:
        bad = low if low < -n else high
        raise IndexError(f"getitem: index {bad} is out of range for axis {axis} of size {n}")
    return where(index < 0, index + n, index) if low < 0 else index


def _mask_positions(mask: _t.Tensor, shape: tuple[int, ...], axis: int) -> _t.Tensor:
    """The flat positions of the True entries of a bool mask, in order (torch.nonzero on the flattened mask)."""
    if mask.shape != shape:
        raise IndexError(f"getitem: a mask of shape {mask.shape} does not match the shape {shape} of the axes it "
                         f"indexes, from axis {axis}")
    flat = reshape(mask, -1)
    count = int(flat.sum().item())
    # A True entry i is the r-th True, r = (number of Trues up to and including i) - 1: scatter i into slot r.
    # The False entries all go into one extra slot at the end, which is dropped.
    rank = CumSum.apply(flat.cast(dtypes.int64), axis=0) - 1
    slot = where(flat, rank, count)
    found = ScatterAdd.apply(zeros(count + 1, dtype=dtypes.int64, backend=mask.backend), slot,
                             arange(flat.numel(), backend=mask.backend), axis=0)
    return shrink(found, [(0, count)])


def _write_basic(x: _t.Tensor, plan: _Plan, value: Any) -> None:
    """Write `value` into the view of x that a basic index (its plan) reads: the strided box on x's axes, with
    the value reversed on the axes the index reads backwards."""
    selection = tuple(0 if a in plan.empty else n for a, n in enumerate(plan.shape))
    values = _values(x, value, selection)
    if plan.empty:
        return  # a False index selects nothing, and torch counts no write
    ranges = plan.ranges
    box = x._data.shrink([(r.start, r.end) for r in ranges], [r.step for r in ranges])
    values = values.reshape(box.shape)
    flipped = tuple(a for a, r in enumerate(ranges) if r.flip)
    box.assign(values.flip(flipped) if flipped else values)


def _write_positions(x: _t.Tensor, items: list[Item], value: Any) -> TensorData:
    """x's values with `value` written at the positions an advanced index names: the index reads the
    positions 0, 1, ... of x's elements, and the writes go into x flattened, the last one to a position winning
    (a `Scatter`, of plain values: nothing here is recorded)."""
    positions = _select(reshape(arange(x.numel(), backend=x.backend), x.shape), items)._data
    values = _values(x, value, positions.shape)
    count, wrap = positions.size, _t.Tensor._wrap
    flat = Scatter.apply(wrap(x._data.reshape((x.numel(),))), wrap(positions.reshape((count,))),
                         wrap(values.reshape((count,))), axis=0)
    return flat._data.reshape(x.shape)


def _values(x: _t.Tensor, value: Any, shape: tuple[int, ...]) -> TensorData:
    """What x[key] = value writes, as TensorData of x's dtype and the selection's `shape`. As in PyTorch, a
    tensor is cast (an integer tensor wraps around), its leading axes of size 1 are dropped and the rest is
    broadcast; a number must fit the dtype."""
    if isinstance(value, (bool, int, float)):
        return TensorData.full(shape, _number(value, x.dtype), x.dtype, x._data.backend)
    if isinstance(value, _t.Tensor):
        data = value._data.cast(x.dtype)
    else:  # a list or an array
        data = tensor(value, dtype=x.dtype, backend=x.backend)._data
    given = data.shape
    while given and given[0] == 1:
        given = given[1:]
    if broadcast_shape(given, shape, "setitem") != shape:
        raise ValueError(f"setitem: cannot write a value of shape {data.shape} into a selection of shape {shape}")
    return data.reshape((1,) * (len(shape) - len(given)) + given).expand(shape)


def _number(value: bool | int | float, dtype: DType) -> bool | int | float:
    """A number written into a tensor of `dtype`: a float into an integer tensor is truncated toward zero, as in
    PyTorch; one that does not fit (NaN, an infinity, an int out of range) is refused, where NumPy would wrap
    it around or warn."""
    if dtype.is_integer and isinstance(value, float):
        if not isfinite(value):
            raise OverflowError(f"setitem: cannot write {value} into an integer tensor ({dtype.name})")
        value = int(value)
    check_scalar_fits(value, dtype, "setitem")
    return value


def _index_tensor(index: _t.Tensor | Sequence[Any], op: str) -> _t.Tensor:
    """An index argument as an integer tensor (lists are converted)."""
    if not isinstance(index, _t.Tensor):
        index = tensor(index, dtype=dtypes.int64)
    if not index.dtype.is_integer:
        raise TypeError(f"{op}: index must be an integer tensor, got {index.dtype.name}")
    return index


def _check_fits(x: _t.Tensor, index: _t.Tensor, axis: int, op: str) -> None:
    """ValueError or IndexError, naming `op`, unless index can address x along axis as torch requires: as many
    axes, no larger off axis, values in [0, size of axis)."""
    if index.ndim != x.ndim or any(i > n for d, (i, n) in enumerate(zip(index.shape, x.shape)) if d != axis):
        raise ValueError(f"{op}: index of shape {index.shape} does not fit self of shape {x.shape} along dim {axis} "
                         "(expected as many dims and no larger size on the others)")
    size = x.shape[axis] if x.ndim else 1  # a 0-d tensor reads as one element, as in torch
    if index.numel():
        low, high = int(index.min().item()), int(index.max().item())
        if low < 0 or high >= size:
            raise IndexError(f"{op}: index {low if low < 0 else high} is out of range for dim {axis} of size {size} "
                             f"(self of shape {x.shape})")


def _source(x: _t.Tensor, index: _t.Tensor, src: _t.Tensor | bool | int | float, op: str) -> _t.Tensor:
    """The values to scatter, as a tensor of x's dtype and index's shape (a larger src is cut to it)."""
    if not isinstance(src, _t.Tensor):
        return constant(index, src, x.dtype)
    if src.dtype is not x.dtype:
        raise TypeError(f"{op}: src must have the dtype of self, {x.dtype.name}, got {src.dtype.name}")
    if src.ndim != index.ndim or any(i > s for i, s in zip(index.shape, src.shape)):
        raise ValueError(f"{op}: src of shape {src.shape} must have the axes of index {index.shape} and be at "
                         "least as large on each")
    return shrink(src, [(0, n) for n in index.shape])


def _describe(value: Any) -> str:
    if isinstance(value, _t.Tensor):
        return f"a {value.dtype.name} tensor of shape {value.shape}"
    return f"{type(value).__name__} {value!r:.40}"
