"""Combine and split: cat, stack, split, chunk, unbind.

Tensor layer (`edugrad.tensor`). Joining is one `Cat` Function over all the tensors, which copies each value
once into the result with the data layer's `CAT` op; its backward cuts each input's slice out of the gradient.
(Joining could be built from Functions that exist anyway: pad each tensor with zeros where the others go and
add them up, since pad's backward is the same slice. But every pad and every add writes its whole result, so
joining n tensors pairwise in a balanced tree writes each value about 3 log2(n) times instead of once, and
allocates as often.) The Tensor layer promotes the dtypes and checks the shapes first, so the errors speak of
tensors and dims. `stack` adds the new axis to each tensor and joins them along it. Splitting is a shrink per piece.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import normalize_axis, promote_types
from edugrad.function import Cat
from edugrad.tensor import _tensor as _t
from edugrad.tensor.movement import normalize_dim, shrink, unsqueeze


def cat(tensors: Sequence[_t.Tensor], dim: int = 0) -> _t.Tensor:
    """The tensors joined along `dim` (their other sizes must be equal): `cat([a, b], 1)` (torch.cat)."""
    tensors = _tensors(tensors, "cat")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("cat: a 0-d tensor cannot be joined along an axis; unsqueeze it first")
    axis = normalize_dim(first, dim, "cat")
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(m != n for a, (m, n) in enumerate(zip(t.shape, first.shape)) if a != axis):
            raise ValueError(f"cat: shapes {[x.shape for x in tensors]} cannot be joined along dim {dim}: all "
                             f"sizes except along dim {dim} must be equal")
    dtype = first.dtype
    for t in tensors[1:]:
        dtype = promote_types(dtype, t.dtype)
    return Cat.apply(*[t.cast(dtype) for t in tensors], axis=axis)


def stack(tensors: Sequence[_t.Tensor], dim: int = 0) -> _t.Tensor:
    """The tensors (all of one shape) joined along a new axis `dim`: `stack([a, b], 1)` (torch.stack)."""
    tensors = _tensors(tensors, "stack")
    if any(t.shape != tensors[0].shape for t in tensors):
        raise ValueError(f"stack: expected tensors of one shape, got {[t.shape for t in tensors]}")
    axis = normalize_axis(dim, tensors[0].ndim + 1, "stack")  # the new axis may also come last
    return cat([unsqueeze(t, axis) for t in tensors], dim=axis)


def split(tensor: _t.Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[_t.Tensor, ...]:
    """Pieces along `dim`: of `split_size_or_sections` each if it is an int (the last may be smaller), or of
    the given section sizes (torch.split)."""
    axis = normalize_dim(tensor, dim, "split")
    n = tensor.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n > 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} must be non-negative and add up to {n}, the size of dim "
                             f"{dim} of shape {tensor.shape}")
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    return tuple(shrink(tensor, [(s, s + m) if a == axis else None for a in range(tensor.ndim)])
                 for s, m in zip(starts, sizes))


def split_method(self: _t.Tensor, split_size: int | Sequence[int], dim: int = 0) -> tuple[_t.Tensor, ...]:
    """`x.split(split_size, dim=0)`: torch.split under torch.Tensor.split's parameter names."""
    return split(self, split_size, dim)


def chunk(input: _t.Tensor, chunks: int, dim: int = 0) -> tuple[_t.Tensor, ...]:
    """At most `chunks` pieces of equal size along `dim` (the last may be smaller), as torch.chunk."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = input.shape[normalize_dim(input, dim, "chunk")]
    if n == 0:
        return split(input, [0] * chunks, dim)  # as torch: an empty axis gives `chunks` empty pieces
    return split(input, -(-n // chunks), dim)  # -(-n // c) is n / c rounded up


def unbind(input: _t.Tensor, dim: int = 0) -> tuple[_t.Tensor, ...]:
    """The slices along `dim`, each without that dim (torch.unbind): `a, b = x.unbind(1)` for two columns."""
    axis = normalize_dim(input, dim, "unbind")
    return tuple(piece.squeeze(axis) for piece in split(input, 1, axis)) if input.shape[axis] else ()


def _tensors(tensors: Sequence[_t.Tensor], op: str) -> list[_t.Tensor]:
    """The tensors argument of cat and stack as a list, checked."""
    if isinstance(tensors, _t.Tensor):
        raise TypeError(f"{op}: expected a sequence of tensors, got one tensor; pass a list: {op}([a, b])")
    items = list(tensors)
    if not items or not all(isinstance(t, _t.Tensor) for t in items):
        raise TypeError(f"{op}: expected a non-empty sequence of tensors, got {[type(t).__name__ for t in items]}")
    return items
