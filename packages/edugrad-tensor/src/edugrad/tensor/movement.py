"""Movement: reshape, expand, permute, transpose, squeeze/unsqueeze, flatten and friends.

Tensor layer (`edugrad.tensor`). These accept PyTorch's conveniences (varargs or a tuple, -1 to infer a size,
negative dims, leading axes added by expand) and reduce them to the six movement Functions of the layer
below, whose backward is the inverse movement.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from edugrad.data import normalize_axis
from edugrad.function import Expand, Permute, Reshape
from edugrad.tensor import tensor as _t
from edugrad.tensor.creation import ShapeArg



def normalize_dim(x: _t.Tensor, dim: int, op: str) -> int:
    """`dim` as a non-negative axis of x; IndexError naming the op if it is out of range."""
    return normalize_axis(dim, x.ndim, op)


def _sizes(shape: tuple[ShapeArg, ...]) -> tuple[int, ...]:
    """Varargs or one sequence, allowing -1 (unlike creation shapes)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        return tuple(shape[0])
    return shape  # type: ignore[return-value]


def reshape(self: _t.Tensor, *shape: ShapeArg) -> _t.Tensor:
    """The same values in a new shape; one size may be -1 and is then inferred."""
    sizes = _sizes(shape)
    if sizes.count(-1) > 1:
        raise ValueError(f"reshape: only one size can be -1, got {sizes}")
    if -1 in sizes:
        known = prod(s for s in sizes if s != -1)
        if known == 0 or self.numel() % known:
            raise ValueError(f"reshape: cannot reshape {self.shape} ({self.numel()} elements) to {sizes}")
        sizes = tuple(self.numel() // known if s == -1 else s for s in sizes)
    if sizes == self.shape:
        return self
    return Reshape.apply(self, shape=sizes)


def expand(self: _t.Tensor, *shape: ShapeArg) -> _t.Tensor:
    """A view with size-1 axes repeated to `shape`; new leading axes may be added; -1 keeps a size."""
    sizes = _sizes(shape)
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


def permute(self: _t.Tensor, *order: ShapeArg) -> _t.Tensor:
    """The axes reordered: axis i of the result is axis order[i] of self."""
    dims = tuple(normalize_dim(self, d, "permute") for d in _sizes(order))
    if sorted(dims) != list(range(self.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the axes of a tensor of shape {self.shape}")
    if dims == tuple(range(self.ndim)):
        return self
    return Permute.apply(self, order=dims)


def transpose(self: _t.Tensor, dim0: int = 1, dim1: int = 0) -> _t.Tensor:
    """Swap two axes (defaults swap the first two, as `.T` for a matrix)."""
    order = list(range(self.ndim))
    a, b = normalize_dim(self, dim0, "transpose"), normalize_dim(self, dim1, "transpose")
    order[a], order[b] = order[b], order[a]
    return permute(self, order)


def t(self: _t.Tensor) -> _t.Tensor:
    """The axes in reverse order (for a matrix, its transpose)."""
    return permute(self, tuple(reversed(range(self.ndim))))


def unsqueeze(self: _t.Tensor, dim: int) -> _t.Tensor:
    """A new axis of size 1 at `dim` (negative counts from the end of the result)."""
    axis = normalize_axis(dim, self.ndim + 1, "unsqueeze")
    return reshape(self, self.shape[:axis] + (1,) + self.shape[axis:])


def squeeze(self: _t.Tensor, dim: int | Sequence[int] | None = None) -> _t.Tensor:
    """Remove axes of size 1 (all of them, or those in `dim` that have size 1)."""
    if dim is None:
        axes = {i for i, n in enumerate(self.shape) if n == 1}
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = {normalize_dim(self, d, "squeeze") for d in dims}
        axes = {a for a in axes if self.shape[a] == 1}
    return reshape(self, tuple(n for i, n in enumerate(self.shape) if i not in axes))


def flatten(self: _t.Tensor, start_dim: int = 0, end_dim: int = -1) -> _t.Tensor:
    """Merge axes start_dim..end_dim into one."""
    if self.ndim == 0:
        return reshape(self, (1,))
    start, end = normalize_dim(self, start_dim, "flatten"), normalize_dim(self, end_dim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(self, self.shape[:start] + (prod(self.shape[start:end + 1]),) + self.shape[end + 1:])
