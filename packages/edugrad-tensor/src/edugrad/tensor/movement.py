"""Movement: reshape and view, expand, permute, transpose (t, T, mT, swapaxes, swapdims, movedim),
squeeze/unsqueeze, flatten/unflatten, flip, roll, narrow, pad, shrink, repeat, and the *_as forms.

Tensor layer (`edugrad.tensor`). These accept PyTorch's conveniences (varargs or a tuple, -1 to infer a size,
negative dims, leading axes added by expand, negative padding to crop) and reduce them to the movement
Functions of the layer below (Reshape, Permute, Expand, Pad, Shrink, Flip, and Cat for roll), whose backward is
the inverse movement. Reshape (where the strides allow it), permute, expand and shrink are views of the
input's storage, as in PyTorch: an in-place write through one is seen by the other (see docs/storage.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from edugrad.data import DType, normalize_axes, normalize_axis
from edugrad.function import Expand, Flip, Pad, Permute, Reshape, Shrink
from edugrad.tensor import _tensor as _t
from edugrad.tensor.creation import ShapeArg

Padding = Sequence[tuple[int, int] | None]  # one (before, after) pair per axis; None leaves the axis alone
Bounds = Sequence[tuple[int, int] | None]  # one (start, end) pair per axis; None keeps the whole axis


def normalize_dim(x: _t.Tensor, dim: int, op: str) -> int:
    """`dim` as a non-negative axis of x; IndexError naming the op if it is out of range."""
    return normalize_axis(dim, x.ndim, op)


def _sizes(shape: tuple[ShapeArg, ...]) -> tuple[int, ...]:
    """Varargs or one sequence, allowing -1 (unlike creation shapes)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        return tuple(shape[0])
    return shape  # type: ignore[return-value]


def reshape(input: _t.Tensor, *shape: ShapeArg) -> _t.Tensor:
    """The same values in a new shape; one size may be -1 and is then inferred."""
    sizes = _sizes(shape)
    if sizes.count(-1) > 1:
        raise ValueError(f"reshape: only one size can be -1, got {sizes}")
    if -1 in sizes:
        known = prod(s for s in sizes if s != -1)
        if known == 0 or input.numel() % known:
            raise ValueError(f"reshape: cannot reshape {input.shape} ({input.numel()} elements) to {sizes}")
        sizes = tuple(input.numel() // known if s == -1 else s for s in sizes)
    if sizes == input.shape:
        return input
    return Reshape.apply(input, shape=sizes)


def view(input: _t.Tensor, *shape: ShapeArg | DType) -> _t.Tensor:
    """The same memory seen in a new shape, as torch.Tensor.view: one size may be -1. Unlike `reshape`, which
    copies when it must, a view of a tensor whose strides allow no such view (a transpose flattened) is an
    error; `view(dtype)` reads the same bytes as another dtype of the same size (`bitcast`)."""
    if len(shape) == 1 and isinstance(shape[0], DType):
        return input.bitcast(shape[0])
    out = reshape(input, *shape)  # type: ignore[arg-type]
    if out._data.storage is not input._data.storage:
        raise RuntimeError(f"view: view size {out.shape} is not compatible with input tensor's size {input.shape} "
                           f"and stride {input.stride()} (at least one dimension spans across two contiguous "
                           "subspaces). Use .reshape(...) instead.")
    return out


def expand(self: _t.Tensor, *size: ShapeArg) -> _t.Tensor:
    """A view with size-1 axes repeated to `size`; new leading axes may be added; -1 keeps a size."""
    sizes = _sizes(size)
    if sizes == self.shape:  # the common case (broadcasting operands that already match): nothing to do
        return self
    if len(sizes) < self.ndim:
        raise ValueError(f"expand: the target shape {sizes} has fewer axes than the tensor's {self.shape}")
    lead = len(sizes) - self.ndim
    sizes = sizes[:lead] + tuple(n if s == -1 else s for s, n in zip(sizes[lead:], self.shape))
    if sizes == self.shape:
        return self
    x = self if lead == 0 else Reshape.apply(self, shape=(1,) * lead + self.shape)
    if sizes == x.shape:
        return x
    return Expand.apply(x, shape=sizes)


def permute(input: _t.Tensor, *dims: ShapeArg) -> _t.Tensor:
    """The axes reordered: axis i of the result is axis dims[i] of input (`permute(2, 0, 1)` or
    `permute((2, 0, 1))`)."""
    order = tuple(normalize_dim(input, d, "permute") for d in _sizes(dims))
    if sorted(order) != list(range(input.ndim)):
        raise ValueError(f"permute: {order} is not a permutation of the axes of a tensor of shape {input.shape}")
    if order == tuple(range(input.ndim)):
        return input
    return Permute.apply(input, order=order)


def transpose(input: _t.Tensor, dim0: int, dim1: int) -> _t.Tensor:
    """Swap two axes."""
    order = list(range(input.ndim))
    a, b = normalize_dim(input, dim0, "transpose"), normalize_dim(input, dim1, "transpose")
    order[a], order[b] = order[b], order[a]
    return permute(input, order)


def t(input: _t.Tensor) -> _t.Tensor:
    """The transpose of a matrix; a tensor of 0 or 1 dims is returned as it is (torch.t)."""
    if input.ndim > 2:
        raise ValueError(f"t: expects a tensor of at most 2 dims, got shape {input.shape}; use transpose(dim0, "
                         "dim1), .mT or .T")
    return input if input.ndim < 2 else transpose(input, 0, 1)


def reversed_dims(self: _t.Tensor) -> _t.Tensor:
    """The axes in reverse order (`x.T`; for a matrix, its transpose)."""
    return permute(self, tuple(reversed(range(self.ndim))))


def matrix_transpose(self: _t.Tensor) -> _t.Tensor:
    """The last two axes swapped (`x.mT`): the transpose of each matrix in a batch."""
    if self.ndim < 2:
        raise ValueError(f"mT: expects a matrix or a batch of matrices, got shape {self.shape}")
    return transpose(self, -2, -1)


def unsqueeze(input: _t.Tensor, dim: int) -> _t.Tensor:
    """A new axis of size 1 at `dim` (negative counts from the end of the result)."""
    axis = normalize_axis(dim, input.ndim + 1, "unsqueeze")
    return reshape(input, input.shape[:axis] + (1,) + input.shape[axis:])


def squeeze(input: _t.Tensor, dim: int | Sequence[int] | None = None) -> _t.Tensor:
    """Remove axes of size 1 (all of them, or those in `dim` that have size 1)."""
    if dim is None:
        axes = {i for i, n in enumerate(input.shape) if n == 1}
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = {normalize_dim(input, d, "squeeze") for d in dims}
        axes = {a for a in axes if input.shape[a] == 1}
    return reshape(input, tuple(n for i, n in enumerate(input.shape) if i not in axes))


def flatten(input: _t.Tensor, start_dim: int = 0, end_dim: int = -1) -> _t.Tensor:
    """Merge axes start_dim..end_dim into one."""
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = normalize_dim(input, start_dim, "flatten"), normalize_dim(input, end_dim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(input, input.shape[:start] + (prod(input.shape[start:end + 1]),) + input.shape[end + 1:])


def unflatten(input: _t.Tensor, dim: int, sizes: Sequence[int]) -> _t.Tensor:
    """Split axis `dim` into axes of `sizes` (one of them may be -1 and is then inferred)."""
    axis = normalize_dim(input, dim, "unflatten")
    sizes, n = tuple(sizes), input.shape[axis]
    known = prod(s for s in sizes if s != -1)
    inferable = sizes.count(-1) == 1 and known > 0 and n % known == 0
    if not (inferable or (-1 not in sizes and known == n)):
        raise ValueError(f"unflatten: sizes {sizes} do not split axis {axis} of size {n} (shape {input.shape}); "
                         "their product must be the size, with at most one -1")
    sizes = tuple(n // known if s == -1 else s for s in sizes)
    return reshape(input, input.shape[:axis] + sizes + input.shape[axis + 1:])


def flip(input: _t.Tensor, dims: int | Sequence[int]) -> _t.Tensor:
    """The values in reverse order along the given axes: `flip(0)`, `flip((0, 1))` or `flip(dims=[0])`."""
    axes = normalize_axes(dims, input.ndim, "flip")
    return Flip.apply(input, axes=axes) if axes else input


def roll(input: _t.Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> _t.Tensor:
    """The values moved `shifts` places along `dims`, those pushed off the end coming back at the start
    (torch.roll); without dims, along the flattened tensor."""
    if dims is None:
        if not isinstance(shifts, int):
            raise ValueError(f"roll: without dims, shifts must be one int, got {shifts!r}")
        return reshape(roll(reshape(input, -1), shifts, 0), input.shape)
    shift_list = [shifts] if isinstance(shifts, int) else list(shifts)
    dim_list = [dims] if isinstance(dims, int) else list(dims)
    if len(shift_list) != len(dim_list):
        raise ValueError(f"roll: shifts {shifts!r} and dims {dims!r} must have the same length")
    x = input
    for shift, dim in zip(shift_list, dim_list):
        axis = normalize_dim(x, dim, "roll")
        n = x.shape[axis]
        cut = n - shift % n if n else 0  # the last `shift` elements move to the front
        if cut in (0, n):
            continue
        head, tail = narrow(x, axis, 0, cut), narrow(x, axis, cut, n - cut)
        x = _t.Tensor.cat([tail, head], axis)  # (combine imports this module, so cat comes through Tensor)
    return x if x is not input else x.clone()  # a new tensor, as torch.roll


def narrow(input: _t.Tensor, dim: int, start: int | _t.Tensor, length: int) -> _t.Tensor:
    """Elements start .. start + length - 1 along `dim` (a negative start counts from the end): a view, as
    torch.narrow."""
    axis = normalize_dim(input, dim, "narrow")
    n = input.shape[axis]
    first = int(start)
    if first < 0:
        first += n
    if not (0 <= first <= n and 0 <= length and first + length <= n):
        raise IndexError(f"narrow: start {int(start)} and length {length} do not fit dim {axis} of size {n} (shape "
                         f"{input.shape})")
    return shrink(input, [(first, first + length) if a == axis else None for a in range(input.ndim)])


def movedim(input: _t.Tensor, source: int | Sequence[int], destination: int | Sequence[int]) -> _t.Tensor:
    """The dims `source` moved to the positions `destination`, the others keeping their order
    (torch.movedim)."""
    sources = [source] if isinstance(source, int) else list(source)
    targets = [destination] if isinstance(destination, int) else list(destination)
    if len(sources) != len(targets):
        raise ValueError(f"movedim: source {source!r} and destination {destination!r} must have the same length")
    src = [normalize_dim(input, d, "movedim") for d in sources]
    dst = [normalize_dim(input, d, "movedim") for d in targets]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dims in source {source!r} or destination {destination!r}")
    placed = dict(zip(dst, src))  # result dim -> the input dim that goes there
    rest = iter(a for a in range(input.ndim) if a not in src)
    return permute(input, [placed[i] if i in placed else next(rest) for i in range(input.ndim)])


def swapaxes(input: _t.Tensor, axis0: int, axis1: int) -> _t.Tensor:
    """Two axes swapped: NumPy's name for transpose (torch.swapaxes)."""
    return transpose(input, axis0, axis1)


def swapdims(input: _t.Tensor, dim0: int, dim1: int) -> _t.Tensor:
    """Two dims swapped: another name for transpose (torch.swapdims)."""
    return transpose(input, dim0, dim1)


def view_as(self: _t.Tensor, other: _t.Tensor) -> _t.Tensor:
    """self in the shape of `other`: `view(other.size())`."""
    return reshape(self, other.shape)


def reshape_as(self: _t.Tensor, other: _t.Tensor) -> _t.Tensor:
    """self in the shape of `other`: `reshape(other.size())`."""
    return reshape(self, other.shape)


def expand_as(self: _t.Tensor, other: _t.Tensor) -> _t.Tensor:
    """self expanded to the shape of `other`: `expand(other.size())`."""
    return expand(self, other.shape)


def _pairs(self: _t.Tensor, pairs: Padding | Bounds, op: str) -> list[tuple[int, int] | None]:
    """Check that there is one pair (or None) per axis."""
    if isinstance(pairs, (str, bytes)) or len(pairs) != self.ndim or any(
            p is not None and (len(p) != 2 or not all(isinstance(v, int) for v in p)) for p in pairs):
        raise ValueError(f"{op}: expected one pair of ints (or None) per axis of the {self.ndim}-d tensor of shape "
                         f"{self.shape}, got {pairs!r}")
    return list(pairs)


def shrink(self: _t.Tensor, bounds: Bounds) -> _t.Tensor:
    """Keep the range [start, end) of each axis (None keeps the whole axis): a view, as slicing without steps."""
    ranges = [(0, n) if b is None else b for b, n in zip(_pairs(self, bounds, "shrink"), self.shape)]
    for axis, ((start, end), n) in enumerate(zip(ranges, self.shape)):
        if not 0 <= start <= end <= n:
            raise ValueError(f"shrink: range ({start}, {end}) does not fit axis {axis} of size {n} (shape "
                             f"{self.shape}); expected 0 <= start <= end <= size")
    if all(r == (0, n) for r, n in zip(ranges, self.shape)):
        return self
    return Shrink.apply(self, bounds=tuple(ranges))


def pad(self: _t.Tensor, padding: Padding, value: bool | int | float = 0) -> _t.Tensor:
    """Add `before` and `after` elements of `value` on each axis ((before, after) or None per axis); a negative
    amount crops that many elements instead."""
    pairs = [(0, 0) if p is None else p for p in _pairs(self, padding, "pad")]
    crops = []
    for axis, ((before, after), n) in enumerate(zip(pairs, self.shape)):
        cut_before, cut_after = max(-before, 0), max(-after, 0)
        if cut_before + cut_after > n:
            raise ValueError(f"pad: cannot crop {cut_before + cut_after} elements from axis {axis} of size {n} "
                             f"(shape {self.shape}, padding {tuple(padding)})")
        crops.append((cut_before, n - cut_after))
    x = shrink(self, crops)
    grow = tuple((max(before, 0), max(after, 0)) for before, after in pairs)
    return Pad.apply(x, padding=grow, value=value) if any(b or a for b, a in grow) else x


def pad2d(self: _t.Tensor, padding: Sequence[int], value: bool | int | float = 0) -> _t.Tensor:
    """Pad the last axes the way torch.nn.functional.pad does: (left, right) for the last axis, then (top,
    bottom) for the one before, and so on; a negative amount crops."""
    if len(padding) % 2 or len(padding) > 2 * self.ndim:
        raise ValueError(f"pad2d: expected (left, right, top, bottom, ...) pairs for at most {self.ndim} axes of "
                         f"shape {self.shape}, got {tuple(padding)}")
    pairs: list[tuple[int, int] | None] = [None] * self.ndim
    for i in range(len(padding) // 2):
        pairs[self.ndim - 1 - i] = (padding[2 * i], padding[2 * i + 1])
    return pad(self, pairs, value)


def repeat(self: _t.Tensor, *repeats: ShapeArg) -> _t.Tensor:
    """The tensor tiled repeats[i] times along axis i; extra leading repeats add axes (torch.Tensor.repeat)."""
    counts = _sizes(repeats)
    if len(counts) < self.ndim or any(not isinstance(r, int) or r < 0 for r in counts):
        raise ValueError(f"repeat: expected at least {self.ndim} non-negative repeat counts for shape {self.shape}, "
                         f"got {counts}")
    shape = (1,) * (len(counts) - self.ndim) + self.shape
    # (a, b) -> (1, a, 1, b) -> expand to (ra, a, rb, b) -> reshape to (ra*a, rb*b): the copies lie one after another.
    spaced = tuple(v for n in shape for v in (1, n))
    copies = tuple(v for r, n in zip(counts, shape) for v in (r, n))
    return reshape(expand(reshape(self, spaced), copies), tuple(r * n for r, n in zip(counts, shape)))
