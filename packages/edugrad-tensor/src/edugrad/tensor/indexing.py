"""Indexing: `x[index]` reads, `x[index] = value` writes, and gather, scatter, scatter_add, masked_fill,
index_select, repeat_interleave.

Tensor layer (`edugrad.tensor`). A basic index (ints, slices with any step, None, `...`) only moves values,
so it becomes movement Functions: a shrink to the range each axis keeps, a flip of the axes read backwards, a
pad + reshape + shrink that keeps every s-th element of a strided axis (cut the axis into blocks of s, keep
the first of each block), and a reshape that drops the axes indexed by ints and adds those asked for with
None. An advanced index (integer tensors or lists, bool masks) depends on data: the positions it names,
broadcast together, become one `Gather` from the indexed axes flattened into one. Gather's backward is a
scatter-add, so an element read twice receives both gradients. Writes never change data in place: they build
the new value with scatter-adds and `where`, then `assign` it.

The rules are PyTorch's: ints index before the advanced indices are applied, and the axes of the advanced
result replace the indexed axes where those were adjacent, else go first. A list is one index array (as in
NumPy; PyTorch reads some nested lists as a tuple of indices).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from types import EllipsisType
from typing import Any, NamedTuple, TypeAlias

from edugrad.data import dtypes
from edugrad.function import CumSum, Flip, Gather, Pad, ScatterAdd, Shrink, is_grad_enabled
from edugrad.tensor import tensor as _t
from edugrad.tensor.binary import broadcast_shape, constant, where
from edugrad.tensor.creation import arange, tensor, zeros
from edugrad.tensor.movement import expand, normalize_dim, permute, reshape, shrink

IndexItem: TypeAlias = "int | slice | None | EllipsisType | _t.Tensor | Sequence[Any]"
Index: TypeAlias = "IndexItem | tuple[IndexItem, ...]"
Item: TypeAlias = "int | slice | None | _t.Tensor"  # after parsing: no Ellipsis, lists made tensors


def getitem(self: _t.Tensor, key: Index) -> _t.Tensor:
    """x[key] with ints, slices (any step), None, `...`, integer tensors or lists and bool masks."""
    items = _parse(self, key)
    y, advanced = _basic(self, items)
    return _advanced(y, advanced) if advanced else y


def setitem(self: _t.Tensor, key: Index, value: _t.Tensor | bool | int | float) -> None:
    """x[key] = value: writes value (broadcast, cast to x's dtype) at the positions key selects."""
    self._check_writable("setitem")
    if isinstance(value, _t.Tensor) and value.requires_grad and is_grad_enabled():
        raise RuntimeError("setitem: the value requires grad, and writing it in place would lose its gradient; "
                           "build the result with where, cat or scatter instead, or write under no_grad()")
    # The positions of the selected elements in the flattened tensor, found by indexing the positions themselves.
    positions = getitem(reshape(arange(self.numel(), backend=self.backend), self.shape), key)
    if isinstance(value, _t.Tensor):
        values = value.cast(self.dtype)
    else:
        values = tensor(value, dtype=self.dtype, backend=self.backend)
    if broadcast_shape(values.shape, positions.shape, "setitem") != positions.shape:
        raise ValueError(f"setitem: cannot write a value of shape {values.shape} into a selection of shape "
                         f"{positions.shape}")
    values = expand(values, positions.shape)
    new = _overwrite(reshape(self, -1), reshape(positions, -1), reshape(values, -1), 0)
    self.assign(reshape(new, self.shape))


def gather(input: _t.Tensor, dim: int, index: _t.Tensor | Sequence[Any]) -> _t.Tensor:
    """The values at `index` along `dim`: `out[i][j] = input[index[i][j]][j]` for dim 0 (torch.gather)."""
    return Gather.apply(input, _index_tensor(index, "gather"), axis=normalize_dim(input, dim, "gather"))


def scatter(input: _t.Tensor, dim: int, index: _t.Tensor | Sequence[Any],
            src: _t.Tensor | bool | int | float) -> _t.Tensor:
    """A copy of input with src written at `index` along `dim`: `out[index[i][j]][j] = src[i][j]` for dim 0
    (torch.scatter; src may be a number)."""
    idx = _index_tensor(index, "scatter")
    return _overwrite(input, idx, _source(input, idx, src, "scatter"), normalize_dim(input, dim, "scatter"))


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
    raw = [_item(i) for i in (index if isinstance(index, tuple) else (index,))]
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


def _item(i: Any) -> Item | EllipsisType:
    """One index item, checked, with a list made a tensor and a 0-d tensor the number it holds."""
    if i is None or isinstance(i, (slice, EllipsisType, bool)):
        return i
    if isinstance(i, (list, tuple)):
        i = _list_index(i)
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


def _list_index(values: Sequence[Any]) -> _t.Tensor:
    """A list index as a tensor: ints make an int64 index, bools a mask; the empty list selects nothing."""
    if len(values) == 0:
        return tensor(values, dtype=dtypes.int64)
    try:
        return tensor(values)
    except (TypeError, ValueError) as error:
        raise IndexError(f"getitem: a list index must hold ints or bools of one shape, got {values!r:.60}") from error


def _axes_used(i: Item | EllipsisType) -> int:
    if i is None or isinstance(i, bool):
        return 0  # None and True add an axis of size 1 (False one of size 0)
    if isinstance(i, _t.Tensor) and i.dtype is dtypes.bool:
        return i.ndim  # a mask covers as many axes as it has
    return 1


class _Range(NamedTuple):
    """How one axis of x is read by a basic index: shrink to [start, end), flip if `flip`, pad `pad` elements
    at the end, then cut into `kept` blocks of `step` and keep the first element of each."""

    start: int
    end: int
    pad: int
    flip: bool
    kept: int
    step: int


def _basic(x: _t.Tensor, items: list[Item]) -> tuple[_t.Tensor, list[tuple[int, int, _t.Tensor]]]:
    """Apply the ints, slices and Nones with movement Functions. Returns the result and, for each advanced
    index, (its first axis in the result, the axis of x it indexes, the index tensor)."""
    ranges: list[_Range] = []  # one per axis of x
    shape: list[int] = []  # the result's shape
    empty: list[int] = []  # result axes added by a False index
    advanced: list[tuple[int, int, _t.Tensor]] = []
    for item in items:
        if item is None or isinstance(item, bool):
            if item is False:
                empty.append(len(shape))
            shape.append(1)
            continue
        axis = len(ranges)
        n = x.shape[axis]
        if isinstance(item, int):
            if not -n <= item < n:
                raise IndexError(f"getitem: index {item} is out of range for axis {axis} of size {n} (shape "
                                 f"{x.shape})")
            ranges.append(_Range(item % n, item % n + 1, 0, False, 1, 1))  # no entry in shape: the axis goes
        elif isinstance(item, slice):
            ranges.append(_slice_range(item, n))
            shape.append(ranges[-1].kept)
        else:
            covered = x.shape[axis:axis + _axes_used(item)]
            advanced.append((len(shape), axis, item))
            shape.extend(covered)
            ranges.extend(_Range(0, m, 0, False, m, 1) for m in covered)
    y = shrink(x, [(r.start, r.end) for r in ranges])
    if any(r.flip for r in ranges):
        y = Flip.apply(y, axes=tuple(a for a, r in enumerate(ranges) if r.flip))
    if any(r.pad for r in ranges):
        y = Pad.apply(y, padding=tuple((0, r.pad) for r in ranges))
    if any(r.step > 1 for r in ranges):
        # An axis of kept * step elements -> (kept, step) -> the first of each block of step.
        y = reshape(y, tuple(m for r in ranges for m in (r.kept, r.step)))
        y = Shrink.apply(y, bounds=tuple(b for r in ranges for b in ((0, r.kept), (0, 1))))
    y = reshape(y, tuple(shape))
    if empty:
        y = shrink(y, [(0, 0) if a in empty else None for a in range(y.ndim)])
    return y, advanced


def _slice_range(s: slice, n: int) -> _Range:
    """How a slice reads an axis of size n (see _Range): the range is count * |step| long, padded where it
    runs past the end of the axis."""
    start, stop, step = s.indices(n)
    count = len(range(start, stop, step))
    length = count * abs(step)
    if step > 0:
        low, high = start, min(start + length, n)
    else:
        # Read backwards: take the range that ends at `start`, then flip it so `start` comes first.
        high = start + 1
        low = max(high - length, 0)
    return _Range(low, high, length - (high - low), step < 0, count, abs(step))


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


def _index_tensor(index: _t.Tensor | Sequence[Any], op: str) -> _t.Tensor:
    """An index argument as an integer tensor (lists are converted)."""
    if not isinstance(index, _t.Tensor):
        index = tensor(index, dtype=dtypes.int64)
    if not index.dtype.is_integer:
        raise TypeError(f"{op}: index must be an integer tensor, got {index.dtype.name}")
    return index


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


def _overwrite(x: _t.Tensor, index: _t.Tensor, src: _t.Tensor, axis: int) -> _t.Tensor:
    """x with src written at index along axis (torch.scatter), made of two scatter-adds and a where. Where the
    index names one position more than once, PyTorch leaves unspecified which value lands; here they are
    averaged, so writing equal values (x[[0, 0]] = 1) gives that value."""
    count = ScatterAdd.apply(constant(x, 0, dtypes.int64), index, constant(index, 1, dtypes.int64), axis=axis)
    total = ScatterAdd.apply(constant(x, 0, x.dtype), index, src, axis=axis)
    if x.dtype.is_floating_point:
        total = total / count.maximum(1)
    elif x.dtype is not dtypes.bool:  # a scatter-add of bools is already their "or"
        total = total // count.maximum(1)
    return where(count > 0, total, x)


def _describe(value: Any) -> str:
    if isinstance(value, _t.Tensor):
        return f"a {value.dtype.name} tensor of shape {value.shape}"
    return f"{type(value).__name__} {value!r:.40}"
