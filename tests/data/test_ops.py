"""Conformance suite: every low-level op, on every backend, against plain NumPy.

`CASES` holds one entry per member of `ALL_OPS`. An entry draws a random instance of its op (shapes, axes, pad
widths, windows, dtypes: chosen by hypothesis) and returns a `Case`: the input values, the op applied to
`TensorData`, and the same computation written in plain NumPy. `test_op_matches_numpy` runs every case on every
backend, with each input stored contiguously or as a non-contiguous view, and compares shape, dtype and values.

Values lie on a coarse dyadic grid (multiples of 1/4, small integers), so every sum and product in this file is
exact in every dtype. Backends that accumulate differently (NumPy sums float16 in float16, torch in float32) must
then agree bit for bit; only transcendental functions, division and powers get a tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from edugrad.data import (
    ALL_OPS, BinaryOps, CastOps, ContractionOps, DType, IndexOps, LoadOps, MovementOps, Op, ReduceOps, ScanOps,
    SortOps, TensorData, TernaryOps, UnaryOps, WindowOps, WriteOps, add_observer, dtypes, get_backend,
    remove_observer,
)

NDArray = np.ndarray[Any, Any]
Shape = tuple[int, ...]

ALL = dtypes.all()
NUMERIC = tuple(d for d in ALL if d is not dtypes.bool)
FLOATS = tuple(d for d in ALL if d.is_floating_point)
INTEGERS = tuple(d for d in ALL if d.is_integer)

# Relative (and absolute) tolerance of the ops that round differently from library to library: a few ulps.
TOLERANCE = {dtypes.float16: 4e-3, dtypes.float32: 2e-6, dtypes.float64: 1e-12}


# comparisons: each takes (actual, expected) arrays whose shape and dtype already match


def exact(actual: NDArray, expected: NDArray) -> None:
    np.testing.assert_array_equal(actual, expected, strict=True)


def close(actual: NDArray, expected: NDArray) -> None:
    """Equal up to a few ulps for floats; integers and bools must still be equal."""
    tol = TOLERANCE.get(dtypes.from_numpy(expected.dtype), 0)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol, equal_nan=True)


def same_bits(actual: NDArray, expected: NDArray) -> None:
    as_bits = np.dtype(f"u{expected.itemsize}")  # NaN != NaN, but bit patterns compare exactly
    np.testing.assert_array_equal(actual.view(as_bits), expected.view(as_bits))


def no_values(actual: NDArray, expected: NDArray) -> None:
    """EMPTY's values are whatever the memory held: only its shape and dtype are checked."""


def unit_interval(actual: NDArray, expected: NDArray) -> None:
    assert np.all((actual >= 0) & (actual < 1)), actual


def finite(actual: NDArray, expected: NDArray) -> None:
    assert np.all(np.isfinite(actual)), actual


def shuffled(actual: NDArray, expected: NDArray) -> None:
    """RANDPERM: the values of `expected` in any order, in its dtype."""
    np.testing.assert_array_equal(np.sort(actual), expected, strict=True)


@dataclass(frozen=True)
class Case:
    """One drawn instance of an op: `run` on TensorData versions of `inputs` must agree (by `compare`) with
    `expected` on the NumPy arrays themselves."""

    inputs: tuple[NDArray, ...]
    run: Callable[..., TensorData]
    expected: Callable[..., NDArray]
    compare: Callable[[NDArray, NDArray], None] = exact


class Draw:
    """What a case draws from: hypothesis for structure (shapes, axes, dtypes), a generator seeded by hypothesis
    for the values of the arrays."""

    def __init__(self, data: st.DataObject, backend: str) -> None:
        self.data = data
        self.backend = backend
        self.rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))

    def __call__(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def dtype(self, choices: Sequence[DType] = ALL) -> DType:
        return self(st.sampled_from(choices))  # type: ignore[no-any-return]

    def shape(self, min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 3) -> Shape:
        return tuple(self(st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims)))

    def array(self, shape: Shape, dtype: DType, low: float = -8, high: float = 8, nonzero: bool = False) -> NDArray:
        """Values on the grid of the dtype (quarters for floats) in [low, high]; uint8 stays non-negative."""
        if dtype is dtypes.bool:
            values = self.rng.integers(0, 2, shape).astype(bool)
        elif dtype.is_integer:
            values = self.rng.integers(0 if dtype is dtypes.uint8 else int(low), int(high), shape, endpoint=True)
        else:
            values = self.rng.integers(int(4 * low), int(4 * high) + 1, shape) / 4
        if nonzero:
            values = np.where(values == 0, 1, values)
        return np.asarray(values, dtype.np_dtype)  # an array even for shape (), where NumPy gives a scalar

    def like(self, x: NDArray, low: float, high: float, nonzero: bool) -> NDArray:
        """A second operand for `x`: about half of its values equal x's, so ties and equality get tested too."""
        y = self.array(x.shape, dtypes.from_numpy(x.dtype), low, high)
        y = np.where(self.rng.random(x.shape) < 0.5, x.clip(low, high), y)
        return np.where(nonzero & (y == 0), 1, y).astype(x.dtype)

    def axis(self, ndim: int) -> int:
        return self(st.integers(-max(ndim, 1), max(ndim, 1) - 1))  # type: ignore[no-any-return]

    def axes(self, ndim: int) -> tuple[int, ...]:
        """A set of distinct axes, in any order, each written as a positive or a negative index."""
        chosen = self(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)) if ndim else []
        return tuple(a - ndim if self(st.booleans()) else a for a in chosen)


def positive(axes: Sequence[int], ndim: int) -> tuple[int, ...]:
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


# elementwise


def unary(op: UnaryOps, reference: Callable[..., NDArray], choices: Sequence[DType] = FLOATS,
          low: float = -8, high: float = 8, nonzero: bool = False,
          compare: Callable[[NDArray, NDArray], None] = exact) -> Callable[[Draw], Case]:
    def case(draw: Draw) -> Case:
        x = draw.array(draw.shape(), draw.dtype(choices), low, high, nonzero)
        return Case((x,), lambda a: a.unary(op), reference, compare)
    return case


def binary(op: BinaryOps, reference: Callable[..., NDArray], choices: Sequence[DType] = ALL,
           low: float = -8, high: float = 8, y_low: float = -8, y_high: float = 8, nonzero: bool = False,
           compare: Callable[[NDArray, NDArray], None] = exact) -> Callable[[Draw], Case]:
    def case(draw: Draw) -> Case:
        x = draw.array(draw.shape(), draw.dtype(choices), low, high)
        y = draw.like(x, low=y_low, high=y_high, nonzero=nonzero)
        return Case((x, y), lambda a, b: a.binary(op, b), reference, compare)
    return case


def floor_divide(x: NDArray, y: NDArray) -> NDArray:
    # In float64 the quotient of two grid values is never rounded onto an integer, so floor() is exact.
    return np.floor(x.astype(np.float64) / y).astype(x.dtype) if x.dtype.kind == "f" else x // y


def where_case(draw: Draw) -> Case:
    shape, dtype = draw.shape(), draw.dtype()
    cond = draw.array(shape, dtypes.bool)
    x, y = draw.array(shape, dtype), draw.array(shape, dtype)
    return Case((cond, x, y), lambda c, a, b: c.where(a, b), np.where)


# reduce and scan


def reduce_case(op: ReduceOps, reference: Callable[..., NDArray], choices: Sequence[DType]) -> Callable[[Draw], Case]:
    def case(draw: Draw) -> Case:
        shape = draw.shape(min_side=1 if op is ReduceOps.MAX else 0)  # a maximum over nothing is an error
        x = draw_factors(draw, shape, draw.dtype(choices)) if op is ReduceOps.PROD else \
            draw.array(shape, draw.dtype(choices))
        axes = draw(st.sampled_from([None, draw.axes(len(shape))] + ([draw.axis(len(shape))] if shape else [])))
        keepdim = draw(st.booleans())
        chosen = tuple(range(len(shape))) if axes is None else positive(np.atleast_1d(axes).tolist(), len(shape))

        def expected(a: NDArray) -> NDArray:
            kwargs = {} if op is ReduceOps.MAX else {"dtype": a.dtype}
            return np.asarray(reference(a, axis=chosen, keepdims=keepdim, **kwargs))
        return Case((x,), lambda a: a.reduce(op, axes, keepdim), expected)
    return case


def draw_factors(draw: Draw, shape: Shape, dtype: DType) -> NDArray:
    """Factors whose products stay exact: powers of two of size at most 4 (and -1, 0), on at most 12 elements."""
    assume(prod(shape) <= 12)
    choices = np.array([0, 1, -1, 2, -2] + ([0.5, -0.5] if dtype.is_floating_point else []))
    values = choices[draw.rng.integers(0, len(choices), shape)]
    return np.abs(values).astype(dtype.np_dtype) if dtype in (dtypes.uint8, dtypes.bool) else \
        values.astype(dtype.np_dtype)


def scan_case(op: ScanOps, reference: Callable[..., NDArray]) -> Callable[[Draw], Case]:
    def case(draw: Draw) -> Case:
        shape, dtype = draw.shape(), draw.dtype(NUMERIC)
        x = draw_factors(draw, shape, dtype) if op is ScanOps.CUMPROD else draw.array(shape, dtype)
        axis = draw.axis(len(shape))
        # NumPy scans a 0-d array as if it were flat (shape (1,)): the reshape gives the expected 0-d result.
        return Case((x,), lambda a: a.scan(op, axis),
                    lambda a: reference(a, axis=axis if a.ndim else None, dtype=a.dtype).reshape(a.shape))
    return case


# movement


def reshape_case(draw: Draw) -> Case:
    shape = draw.shape()
    target = draw(reshape_targets(prod(shape)))
    assume(target != shape)  # reshaping to the same shape is no op at all
    x = draw.array(shape, draw.dtype())
    return Case((x,), lambda a: a.reshape(target), lambda a: a.reshape(target))


@st.composite
def reshape_targets(draw: Any, size: int) -> Shape:
    """Shapes with `size` elements: the prime factors of size shuffled into axes, with some axes of size 1."""
    if size == 0:
        sides = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
        return (0, *sides[1:]) if 0 not in sides else tuple(sides)
    factors = [p for p in (2, 3, 5, 7) for _ in range(multiplicity(size, p))]
    ones = draw(st.integers(0, 2))
    order = draw(st.permutations(factors + [1] * ones))
    cuts = sorted(draw(st.lists(st.integers(0, len(order)), max_size=3)))
    pieces = [order[i:j] for i, j in zip([0, *cuts], [*cuts, len(order)])]
    return tuple(prod(piece) for piece in pieces if piece) or ()


def multiplicity(n: int, p: int) -> int:
    count = 0
    while n % p == 0:
        n, count = n // p, count + 1
    return count


def permute_case(draw: Draw) -> Case:
    shape = draw.shape(max_dims=4)
    order = draw(st.permutations(range(len(shape))))
    written = [a - len(shape) if draw(st.booleans()) else a for a in order]  # -1 names the last axis
    x = draw.array(shape, draw.dtype())
    return Case((x,), lambda a: a.permute(written), lambda a: a.transpose(order))


def expand_case(draw: Draw) -> Case:
    shape = draw.shape(min_dims=1)
    grown = draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    source = tuple(1 if g else n for g, n in zip(grown, shape))
    assume(source != shape)
    x = draw.array(source, draw.dtype())
    return Case((x,), lambda a: a.expand(shape), lambda a: np.broadcast_to(a, shape))


def pad_case(draw: Draw) -> Case:
    shape, dtype = draw.shape(), draw.dtype()
    padding = [draw(st.tuples(st.integers(0, 2), st.integers(0, 2))) for _ in shape]
    value = draw(pad_values(dtype))
    x = draw.array(shape, dtype)
    return Case((x,), lambda a: a.pad(padding, value),
                lambda a: np.pad(a, padding, constant_values=value) if padding else a)


def pad_values(dtype: DType) -> st.SearchStrategy[bool | int | float]:
    if dtype is dtypes.bool:
        return st.booleans()
    if dtype.is_integer:
        return st.integers(0 if dtype is dtypes.uint8 else -8, 8)
    return st.sampled_from([0.0, -1.5, 2.25, float("inf"), float("-inf")])


def shrink_case(draw: Draw) -> Case:
    shape = draw.shape(max_side=4)
    bounds = [tuple(sorted(draw(st.tuples(st.integers(0, n), st.integers(0, n))))) for n in shape]
    assume(any(b != (0, n) for b, n in zip(bounds, shape)))  # the whole range is no op at all
    x = draw.array(shape, draw.dtype())
    return Case((x,), lambda a: a.shrink(bounds), lambda a: a[tuple(slice(s, e) for s, e in bounds)])


def flip_case(draw: Draw) -> Case:
    shape = draw.shape()
    axes = draw.axes(len(shape))
    x = draw.array(shape, draw.dtype())
    return Case((x,), lambda a: a.flip(axes), lambda a: np.flip(a, positive(axes, a.ndim)).copy())


def cat_case(draw: Draw) -> Case:
    """One to five arrays (so also a single one, which is still copied), equal but for the joined axis, where
    any of them may have size 0; the other axes may be empty too."""
    shape, dtype = draw.shape(min_dims=1), draw.dtype()
    axis = draw.axis(len(shape))
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=5))
    parts = tuple(draw.array(shape[:axis % len(shape)] + (n,) + shape[axis % len(shape) + 1:], dtype) for n in sizes)
    return Case(parts, lambda first, *others: first.cat(others, axis), lambda *xs: np.concatenate(xs, axis))


# index ops


def draw_index(draw: Draw, shape: Shape, axis: int) -> NDArray:
    """An index for gather/scatter along `axis` of an input of `shape`: any size on that axis, at most the input's
    size on the others, values in range (0 for a 0-d input, which reads as one element)."""
    if not shape:
        return np.zeros((), draw.dtype(INTEGERS).np_dtype)
    size = shape[axis]
    index_shape = tuple(draw(st.integers(0, 3 if a == axis and size else n)) for a, n in enumerate(shape))
    return draw.rng.integers(0, max(size, 1), index_shape).astype(draw.dtype(INTEGERS).np_dtype)


def line_index(draw: Draw, index: NDArray, axis: int) -> tuple[NDArray, Callable[[TensorData], TensorData]]:
    """Half the time, `index` made the same at every position off `axis` (the embedding's index: one row number
    per token, repeated over the features) and passed to the op as an expanded view, as the embedding's
    backward passes it (stride 0 off `axis` on NumPy). Returns the index and what the op gets for it."""
    if not draw(st.booleans()) or index.ndim == 0 or 0 in index.shape:
        return index, lambda i: i
    axis %= index.ndim
    first = [(0, n) if d == axis else (0, 1) for d, n in enumerate(index.shape)]
    line = index[tuple(slice(*bounds) for bounds in first)]
    return np.broadcast_to(line, index.shape).copy(), lambda i: i.shrink(first).expand(index.shape)


def walk_index(index: NDArray, axis: int) -> Any:
    """Each position of `index` with the position in the input that it names (the index on `axis`)."""
    for position in np.ndindex(*index.shape):
        source = list(position)
        if source:
            source[axis] = int(index[position])
        yield position, tuple(source)


def gather_case(draw: Draw) -> Case:
    shape = draw.shape()
    axis = draw.axis(len(shape))
    x = draw.array(shape, draw.dtype())
    index, view = line_index(draw, draw_index(draw, shape, axis), axis)

    def expected(a: NDArray, i: NDArray) -> NDArray:
        out = np.zeros(i.shape, a.dtype)
        for position, source in walk_index(i, axis):
            out[position] = a[source]
        return out
    return Case((x, index), lambda a, i: a.gather(view(i), axis), expected)


def scatter_add_case(draw: Draw) -> Case:
    shape, dtype = draw.shape(), draw.dtype()
    axis = draw.axis(len(shape))
    index, view = line_index(draw, draw_index(draw, shape, axis), axis)
    x, src = draw.array(shape, dtype), draw.array(index.shape, dtype, low=0, high=4)

    def expected(a: NDArray, i: NDArray, s: NDArray) -> NDArray:
        out = a.copy()
        for position, target in walk_index(i, axis):
            out[target] = out[target] + s[position]  # bool + bool is `or`, as in both backends
        return out
    return Case((x, index, src), lambda a, i, s: a.scatter_add(view(i), s, axis), expected)


# sort


def argsort_case(draw: Draw) -> Case:
    """Rows with many ties (a grid of few values) and, for floats, NaN, infinities and zeros of both signs."""
    shape, dtype = draw.shape(max_side=6), draw.dtype()
    x = draw.array(shape, dtype, low=-2, high=2)
    if dtype.is_floating_point:
        specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], dtype.np_dtype)
        x = np.where(draw.rng.random(shape) < 0.4, specials[draw.rng.integers(0, 5, shape)], x)
    axis = draw.axis(len(shape))
    return Case((x,), lambda a: a.argsort(axis), lambda a: stable_order(a, axis))


def stable_order(x: NDArray, axis: int) -> NDArray:
    """torch.sort(stable=True)'s order along `axis`, by Python's sort (which is stable) of each line: NaN after
    every number, -0.0 equal to 0.0 (Python's float comparison)."""
    if x.ndim == 0:
        return np.zeros((), np.int64)
    lines = np.moveaxis(x, axis, -1)
    out = np.zeros(lines.shape, np.int64)
    for line in np.ndindex(*lines.shape[:-1]):
        values = lines[line].tolist()
        out[line] = sorted(range(len(values)), key=lambda i: nan_last(values[i]))
    return np.moveaxis(out, -1, axis)


def nan_last(value: float) -> tuple[bool, float]:
    """A sort key that puts NaN after every number (NaN itself compares false with everything)."""
    return (True, 0.0) if value != value else (False, value)


# contraction and windows


def matmul_case(draw: Draw) -> Case:
    batch, dtype = draw.shape(max_dims=2), draw.dtype(NUMERIC)
    m, k, n = draw.shape(min_dims=3, max_dims=3)
    x, y = draw.array((*batch, m, k), dtype, 0, 4), draw.array((*batch, k, n), dtype, -4, 4)
    # The reference multiplies with broadcasting and sums over k: plain NumPy, no BLAS.
    return Case((x, y), lambda a, b: a.matmul(b),
                lambda a, b: (a[..., :, :, None] * b[..., None, :, :]).sum(axis=-2, dtype=a.dtype))


@dataclass(frozen=True)
class Windows:
    """The geometry of a sliding-window op: (N, C, *spatial) images, (N, C, *out, *kernel) windows."""

    batch: Shape
    spatial: Shape
    kernel: Shape
    stride: Shape
    dilation: Shape

    @property
    def out(self) -> Shape:
        return tuple((n - d * (k - 1) - 1) // s + 1
                     for n, k, s, d in zip(self.spatial, self.kernel, self.stride, self.dilation))

    def pairs(self) -> Any:
        """Every (window element, image element) pair of positions, after the (N, C) axes."""
        for o in np.ndindex(*self.out):
            for k in np.ndindex(*self.kernel):
                yield o + k, tuple(i * s + j * d for i, j, s, d in zip(o, k, self.stride, self.dilation))


def draw_windows(draw: Draw) -> Windows:
    dims = draw(st.integers(1, 3))
    kernel = draw.shape(dims, dims, 1, 3 if dims < 3 else 2)
    dilation = draw.shape(dims, dims, 1, 2)
    spatial = tuple(d * (k - 1) + 1 + draw(st.integers(0, 3)) for k, d in zip(kernel, dilation))
    return Windows(draw.shape(2, 2, 0, 2), spatial, kernel, draw.shape(dims, dims, 1, 3), dilation)


def unfold_case(draw: Draw) -> Case:
    w = draw_windows(draw)
    x = draw.array(w.batch + w.spatial, draw.dtype())

    def expected(a: NDArray) -> NDArray:
        out = np.zeros(w.batch + w.out + w.kernel, a.dtype)
        for window, image in w.pairs():
            out[(..., *window)] = a[(..., *image)]
        return out
    return Case((x,), lambda a: a.unfold(w.kernel, w.stride, w.dilation), expected)


def fold_case(draw: Draw) -> Case:
    w = draw_windows(draw)
    cols = draw.array(w.batch + w.out + w.kernel, draw.dtype())

    def expected(c: NDArray) -> NDArray:
        image = np.zeros(w.batch + w.spatial, c.dtype)
        for window, pixel in w.pairs():
            image[(..., *pixel)] = image[(..., *pixel)] + c[(..., *window)]
        return image
    return Case((cols,), lambda c: c.fold(w.spatial, w.stride, w.dilation), expected)


# the write op


def assign_case(draw: Draw) -> Case:
    """Values written into a view with gaps (the middle of a larger array of zeros): the values land in the
    view, and the storage around it keeps its zeros."""
    dtype = draw.dtype()
    x = draw.array(draw.shape(), dtype)

    def write(source: TensorData) -> TensorData:
        frame = TensorData.from_numpy(np.zeros(tuple(n + 2 for n in x.shape), dtype.np_dtype), backend=draw.backend)
        target = frame.shrink([(1, n + 1) for n in x.shape])
        target.assign(source)
        assert target.version == frame.version == 1
        border = frame.numpy().copy()
        border[tuple(slice(1, n + 1) for n in x.shape)] = 0
        assert not border.any()
        return target

    return Case((x,), write, lambda a: a)


# load ops (no inputs: they create data on the backend under test)


def empty_case(draw: Draw) -> Case:
    shape, dtype = draw.shape(), draw.dtype()
    return Case((), lambda: TensorData.empty(shape, dtype, backend=draw.backend),
                lambda: np.empty(shape, dtype.np_dtype), no_values)


def full_case(draw: Draw) -> Case:
    shape, dtype = draw.shape(), draw.dtype()
    value = draw(pad_values(dtype))
    return Case((), lambda: TensorData.full(shape, value, dtype, backend=draw.backend),
                lambda: np.full(shape, value, dtype.np_dtype))


def random_case(op: LoadOps) -> Callable[[Draw], Case]:
    make, compare = (TensorData.rand, unit_interval) if op is LoadOps.RAND else (TensorData.randn, finite)

    def case(draw: Draw) -> Case:
        shape, dtype = draw.shape(max_side=5), draw.dtype(FLOATS)
        return Case((), lambda: make(shape, dtype, backend=draw.backend), lambda: np.empty(shape, dtype.np_dtype),
                    compare)
    return case


def randperm_case(draw: Draw) -> Case:
    n, dtype = draw(st.integers(0, 40)), draw.dtype(NUMERIC)
    return Case((), lambda: TensorData.randperm(n, dtype, backend=draw.backend),
                lambda: np.arange(n, dtype=dtype.np_dtype), shuffled)


def arange_case(draw: Draw) -> Case:
    dtype = draw.dtype(NUMERIC)
    low = 0 if dtype is dtypes.uint8 else -8  # start and stop bound every value, so uint8 stays non-negative
    grid = st.integers(4 * low, 32).map(lambda q: q / 4) | st.integers(low, 8)
    start, stop = draw(grid), draw(grid)
    step = draw((st.integers(-12, 12).map(lambda q: q / 4) | st.integers(-3, 3)).filter(lambda s: s != 0))
    # The values in int64 where every number is an int, else in float64, then cast to the dtype.
    wide: Any = np.int64 if all(isinstance(v, int) for v in (start, stop, step)) else np.float64
    return Case((), lambda: TensorData.arange(start, stop, step, dtype, backend=draw.backend),
                lambda: np.arange(start, stop, step, dtype=wide).astype(dtype.np_dtype))


def from_numpy_case(draw: Draw) -> Case:
    """Any supported NumPy array, also a transposed, reversed or big-endian one, copied to a backend, with its
    own dtype or converted to another."""
    source, target = draw.dtype(), draw(st.none() | st.sampled_from(ALL))
    array = draw.array(draw.shape(), source, 0 if target is dtypes.uint8 else -8)
    layout = draw(st.sampled_from(["plain", "transposed", "reversed", "big-endian"]))
    array = {"plain": array, "transposed": array.T, "reversed": array[::-1] if array.ndim else array,
             "big-endian": array.astype(array.dtype.newbyteorder(">"))}[layout]
    converted = array.astype((source if target is None else target).np_dtype)
    return Case((), lambda: TensorData.from_numpy(array, target, backend=draw.backend), lambda: converted)


# cast ops


def cast_case(draw: Draw) -> Case:
    source = draw.dtype()
    target = draw.dtype([d for d in ALL if d is not source])
    x = draw.array(draw.shape(), source, low=0 if target is dtypes.uint8 else -8)
    return Case((x,), lambda a: a.cast(target), lambda a: a.astype(target.np_dtype))


def bitcast_case(draw: Draw) -> Case:
    source = draw.dtype()
    target = draw.dtype([d for d in ALL if d.itemsize == source.itemsize])
    # Only 0 and 1 are valid bools; wider types get arbitrary bit patterns (NaNs and subnormals included).
    limit = 1 if target is dtypes.bool else np.iinfo(source.name).max if source.is_integer else 8
    x = draw.array(draw.shape(), source, -limit, limit)
    return Case((x,), lambda a: a.bitcast(target), lambda a: a.view(target.np_dtype), same_bits)


CASES: dict[Op, Callable[[Draw], Case]] = {
    UnaryOps.NEG: unary(UnaryOps.NEG, np.negative, NUMERIC),
    UnaryOps.EXP: unary(UnaryOps.EXP, np.exp, low=-4, high=4, compare=close),
    UnaryOps.LOG: unary(UnaryOps.LOG, np.log, low=0.25, compare=close),
    UnaryOps.SIN: unary(UnaryOps.SIN, np.sin, compare=close),
    UnaryOps.COS: unary(UnaryOps.COS, np.cos, compare=close),
    UnaryOps.TANH: unary(UnaryOps.TANH, np.tanh, compare=close),
    UnaryOps.SQRT: unary(UnaryOps.SQRT, np.sqrt, low=0, compare=close),
    UnaryOps.RECIPROCAL: unary(UnaryOps.RECIPROCAL, lambda x: 1 / x, nonzero=True, compare=close),
    UnaryOps.FLOOR: unary(UnaryOps.FLOOR, np.floor),
    UnaryOps.CEIL: unary(UnaryOps.CEIL, np.ceil),
    UnaryOps.ROUND: unary(UnaryOps.ROUND, np.round),  # the grid of quarters holds every x.5: half to even
    UnaryOps.TRUNC: unary(UnaryOps.TRUNC, np.trunc),
    BinaryOps.ADD: binary(BinaryOps.ADD, np.add),
    BinaryOps.SUB: binary(BinaryOps.SUB, np.subtract, NUMERIC),
    BinaryOps.MUL: binary(BinaryOps.MUL, np.multiply),
    BinaryOps.DIV: binary(BinaryOps.DIV, np.true_divide, FLOATS, nonzero=True, compare=close),
    BinaryOps.IDIV: binary(BinaryOps.IDIV, floor_divide, NUMERIC, nonzero=True),
    BinaryOps.MAX: binary(BinaryOps.MAX, np.maximum),
    BinaryOps.POW: binary(BinaryOps.POW, np.power, NUMERIC, low=0, high=3, y_low=0, y_high=3, compare=close),
    BinaryOps.CMPLT: binary(BinaryOps.CMPLT, np.less),
    BinaryOps.CMPEQ: binary(BinaryOps.CMPEQ, np.equal),
    TernaryOps.WHERE: where_case,
    ReduceOps.SUM: reduce_case(ReduceOps.SUM, np.sum, NUMERIC),
    ReduceOps.MAX: reduce_case(ReduceOps.MAX, np.max, ALL),
    ReduceOps.PROD: reduce_case(ReduceOps.PROD, np.prod, NUMERIC),
    ScanOps.CUMSUM: scan_case(ScanOps.CUMSUM, np.cumsum),
    ScanOps.CUMPROD: scan_case(ScanOps.CUMPROD, np.cumprod),
    MovementOps.RESHAPE: reshape_case,
    MovementOps.PERMUTE: permute_case,
    MovementOps.EXPAND: expand_case,
    MovementOps.PAD: pad_case,
    MovementOps.SHRINK: shrink_case,
    MovementOps.FLIP: flip_case,
    MovementOps.CAT: cat_case,
    IndexOps.GATHER: gather_case,
    IndexOps.SCATTER_ADD: scatter_add_case,
    SortOps.ARGSORT: argsort_case,
    ContractionOps.MATMUL: matmul_case,
    WindowOps.UNFOLD: unfold_case,
    WindowOps.FOLD: fold_case,
    WriteOps.ASSIGN: assign_case,
    LoadOps.EMPTY: empty_case,
    LoadOps.FULL: full_case,
    LoadOps.RAND: random_case(LoadOps.RAND),
    LoadOps.RANDN: random_case(LoadOps.RANDN),
    LoadOps.RANDPERM: randperm_case,
    LoadOps.ARANGE: arange_case,
    LoadOps.FROM_NUMPY: from_numpy_case,
    CastOps.CAST: cast_case,
    CastOps.BITCAST: bitcast_case,
}


# How an input is stored: each layout gives the same values, most of them through a non-contiguous view.
LAYOUTS: dict[str, Callable[[NDArray, str], TensorData]] = {
    "contiguous": lambda x, backend: TensorData.from_numpy(x, backend=backend),
    # axes stored in reverse order, then permuted back: a transposed view
    "permuted": lambda x, backend: TensorData.from_numpy(x.T, backend=backend).permute(range(x.ndim)[::-1]),
    # stored back to front, then flipped (a copy, as torch.flip)
    "flipped": lambda x, backend: TensorData.from_numpy(np.flip(x), backend=backend).flip(range(x.ndim)),
    # the middle of a larger array: a view with gaps between rows
    "sliced": lambda x, backend: TensorData.from_numpy(np.pad(x, 1) if x.ndim else x, backend=backend).shrink(
        [(1, n + 1) for n in x.shape]),
}


def test_every_op_has_a_case() -> None:
    assert len(ALL_OPS) == 50
    missing = [str(op) for op in ALL_OPS if op not in CASES]
    assert not missing, f"ops without a conformance case: {missing}"
    assert set(CASES) == set(ALL_OPS)


@pytest.mark.parametrize("op", ALL_OPS, ids=str)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_op_matches_numpy(op: Op, backend: str, data: st.DataObject) -> None:
    case = CASES[op](Draw(data, backend))
    layouts = [data.draw(st.sampled_from(sorted(LAYOUTS)), label="layout") for _ in case.inputs]
    inputs = [LAYOUTS[layout](x, backend) for layout, x in zip(layouts, case.inputs)]

    seen: list[Op] = []

    def observe(ran: Op, *_: Any) -> None:
        seen.append(ran)

    add_observer(observe)
    try:
        out = case.run(*inputs)
    finally:
        remove_observer(observe)

    assert op in seen, f"the case for {op} ran {seen} instead"
    assert out.backend is get_backend(backend)
    expected = np.asarray(case.expected(*case.inputs))
    actual = out.numpy()
    assert (actual.shape, actual.dtype) == (expected.shape, expected.dtype)
    assert (out.shape, out.dtype.np_dtype) == (expected.shape, expected.dtype)
    case.compare(actual, expected)
    for before, after in zip(case.inputs, inputs):  # ops never change their inputs
        same_bits(after.numpy(), before)
