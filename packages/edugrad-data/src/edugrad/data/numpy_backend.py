"""The default backend: every low-level op as one NumPy call (or a short, explained composition).

Bottom layer (`edugrad.data`). The lookup tables are built once, at import. `TensorData` has already checked
the arguments, so each method here is the bare computation.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from math import copysign, prod
from typing import Any, TypeVar

import numpy as np
from numpy.lib.stride_tricks import as_strided

from edugrad.data.dtypes import ALL_DTYPES, EXTRA_DTYPES, DType, dtypes
from edugrad.data.ops import BinaryOps, LoadOps, ReduceOps, ScanOps, UnaryOps

NDArray = np.ndarray[Any, Any]
Shape = tuple[int, ...]

# PyTorch computes IEEE 754's answers in silence: log(0) is -inf, 0/0 and inf - inf are NaN, exp(1000) is inf.
# NumPy computes the same values but also issues a RuntimeWarning (an error under pytest), so every kernel
# that can meet such a case runs with NumPy's error state set to "ignore" for the length of the call, and put
# back after it: the user's own NumPy code still warns, and each thread (each context) has its own state. The
# others (negation, rounding, max, the comparisons) never warn and pay nothing. An integer division by zero
# would pass silently too: the Tensor layer refuses it first.
F = TypeVar("F", bound=Callable[..., Any])


def _quiet_with_errstate(kernel: F) -> F:
    """The public way: np.errstate as a decorator (it builds the error state anew on every call)."""
    return np.errstate(all="ignore")(kernel)


try:  # NumPy 2 keeps the error state in a context variable; setting a prebuilt "ignore" state is cheaper
    # (private, so not in NumPy's type stubs; checked below)
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj  # type: ignore[attr-defined]

    _IGNORE = _make_extobj(all="ignore")

    def _ieee(kernel: F) -> F:
        """kernel, run with NumPy's floating-point warnings off (what np.errstate(all="ignore") does, with
        the state built once, at import)."""

        def quiet(*args: Any, **kwargs: Any) -> Any:
            token = _extobj_contextvar.set(_IGNORE)
            try:
                return kernel(*args, **kwargs)
            finally:
                _extobj_contextvar.reset(token)

        return quiet  # type: ignore[return-value]

    with np.errstate(all="warn"):  # the private names still mean what they meant: a warning is silenced
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _ieee(np.divide)(np.ones(1), np.zeros(1))
except Exception:  # another NumPy: the public decorator, a little slower
    _ieee = _quiet_with_errstate
_HALF_MAX = 65504.0  # float16's largest value: a Python scalar beyond it may overflow a float dtype's cast


@_ieee
def _narrowed(values: Any, np_dtype: np.dtype[Any]) -> Any:
    """`values` (an array or a Python scalar) in `np_dtype`, inf where they lie beyond its range."""
    if isinstance(values, np.ndarray):
        return values.astype(np_dtype, copy=False)
    return np_dtype.type(values)


def _power(x: NDArray, y: NDArray) -> NDArray:
    """x ** y. An integer to a negative integer power, which NumPy refuses, gets torch's integer answer, 1 / x^n
    rounded toward zero: 1 for a base of 1, 1 or -1 for a base of -1 (n even or odd), 0 for any other base."""
    if y.dtype.kind != "i" or not (y < 0).any():
        return np.power(x, y)
    negative = y < 0
    powers = np.power(x, np.where(negative, 0, y))
    small = np.where(x == 1, 1, np.where(x == -1, np.where(y % 2 == 0, 1, -1), 0))
    return np.where(negative, small, powers).astype(x.dtype, copy=False)


_UNARY: dict[UnaryOps, Callable[..., Any]] = {
    UnaryOps.NEG: np.negative,
    UnaryOps.EXP: _ieee(np.exp),
    UnaryOps.LOG: _ieee(np.log),
    UnaryOps.SIN: _ieee(np.sin),
    UnaryOps.COS: _ieee(np.cos),
    UnaryOps.TANH: np.tanh,
    UnaryOps.SQRT: _ieee(np.sqrt),
    UnaryOps.RECIPROCAL: _ieee(np.reciprocal),
    UnaryOps.FLOOR: np.floor,
    UnaryOps.CEIL: np.ceil,
    UnaryOps.ROUND: np.rint,  # rounds half to even, like torch.round
    UnaryOps.TRUNC: np.trunc,
}

_BINARY: dict[BinaryOps, Callable[..., Any]] = {
    BinaryOps.ADD: _ieee(np.add),
    BinaryOps.SUB: _ieee(np.subtract),
    BinaryOps.MUL: _ieee(np.multiply),
    BinaryOps.DIV: _ieee(np.divide),
    BinaryOps.IDIV: _ieee(np.floor_divide),
    BinaryOps.MAX: np.maximum,
    BinaryOps.POW: _ieee(_power),
    BinaryOps.CMPLT: np.less,
    BinaryOps.CMPEQ: np.equal,
}

_REDUCE: dict[ReduceOps, np.ufunc] = {
    ReduceOps.SUM: np.add,
    ReduceOps.MAX: np.maximum,
    ReduceOps.PROD: np.multiply,
}

_SCAN: dict[ScanOps, Callable[..., Any]] = {ScanOps.CUMSUM: np.cumsum, ScanOps.CUMPROD: np.cumprod}

# Half-precision sums and products accumulate in float32 and are rounded once at the end, as torch's do: a
# float16 running sum stops growing at 2048, where adding 1 is below half its precision.
_HALF: frozenset[np.dtype[Any]] = frozenset(d.np_dtype for d in (dtypes.float16, *EXTRA_DTYPES))


_DTYPE_OF: dict[np.dtype[Any], DType] = {d.np_dtype: d for d in ALL_DTYPES + EXTRA_DTYPES}
_STATE_BYTES = 37  # of a PCG64 generator's state (see NumpyBackend.generator_state)

def _array(result: Any) -> NDArray:
    # NumPy returns a scalar (np.float32, not a 0-d array) from ufuncs and reductions on 0-d input.
    return result if type(result) is np.ndarray else np.asarray(result)


def _positions(index: NDArray, axis: int) -> tuple[NDArray, ...]:
    """The element that torch.gather reads (and torch.scatter_add writes) for each position of `index`, as one
    index array per axis: `index` itself on `axis`, the position on every other axis. (np.take_along_axis would
    need the index to match the input's size off `axis`; torch only needs it to be no larger.)"""
    positions: list[NDArray] = list(np.indices(index.shape, sparse=True))
    positions[axis] = index
    return tuple(positions)


def _line(index: NDArray, axis: int) -> NDArray | None:
    """The values of `index` along `axis` if they are the same at every position off that axis, else None. An
    index expanded from a vector (the embedding's: one row number per token, repeated over the features) has
    stride 0 on the other axes, so the test costs nothing and the line is a view."""
    if index.size == 0 or any(step != 0 and n != 1 for d, (n, step) in enumerate(zip(index.shape, index.strides))
                              if d != axis):
        return None
    return index[tuple(slice(None) if d == axis else 0 for d in range(index.ndim))]


def _flat_positions(index: NDArray, axis: int, shape: Shape) -> NDArray:
    """The elements of _positions as positions in the flattened (C-ordered) array of `shape`: the index times
    the stride of `axis`, plus on every other axis the entry's own position times that axis's stride. Axes on
    which the index does not change (stride 0, as in the embedding's) are cut to length 1 first, so the
    products cost as much as the index's distinct values; the sum broadcasts to the index's shape."""
    distinct = index[tuple(slice(0, 1) if step == 0 else slice(None) for step in index.strides)]
    flat: NDArray = distinct.astype(np.intp) * prod(shape[axis + 1:])
    for d, n in enumerate(index.shape):
        if d != axis:
            flat = flat + np.arange(n).reshape((n,) + (1,) * (index.ndim - d - 1)) * prod(shape[d + 1:])
    return np.broadcast_to(flat, index.shape)


class NumpyBackend:
    """Runs the low-level ops on `np.ndarray`s. Random numbers come from `np.random.Generator`s (PCG64)."""

    name = "numpy"
    device = "cpu"

    def __init__(self) -> None:
        self.generator = np.random.default_rng()  # seeded from the operating system's entropy

    @_ieee  # (a value beyond the dtype's range becomes inf, as in torch.tensor)
    def from_numpy(self, array: NDArray, dtype: DType) -> NDArray:
        return np.array(array, dtype=dtype.np_dtype, copy=True)

    def to_numpy(self, x: NDArray) -> NDArray:
        return x

    def share_numpy(self, array: NDArray) -> NDArray:
        return array

    def shape(self, x: NDArray) -> Shape:
        return x.shape  # type: ignore[no-any-return]

    def strides(self, x: NDArray) -> Shape:
        return tuple(step // x.itemsize for step in x.strides)  # NumPy counts strides in bytes

    def data_ptr(self, x: NDArray) -> int:
        address: int = x.__array_interface__["data"][0]
        return address

    def is_view(self, out: NDArray, x: NDArray) -> bool:
        # A view's base is the array that owns the memory (NumPy points every view of a view there), which
        # answers the common case at once; otherwise the address ranges decide, which for an op's result
        # (a view or new memory) is exact, with no pass over the elements as np.shares_memory can make.
        return out.base is (x if x.base is None else x.base) or bool(np.may_share_memory(out, x))

    def writable(self, x: NDArray) -> bool:
        return bool(x.flags.writeable)  # False for constants, broadcast views and read-only NumPy arrays

    def assign(self, target: NDArray, source: NDArray) -> None:
        np.copyto(target, source)  # NumPy copies through a buffer where the two overlap

    def binary_(self, op: BinaryOps, x: NDArray, y: NDArray) -> None:
        _BINARY[op](x, y, out=x)  # (NumPy buffers y where it overlaps x in another order)

    def dtype(self, x: NDArray) -> DType:
        # Called for every op's result: a dict lookup, with the general (byte-order aware) path as fallback.
        found = _DTYPE_OF.get(x.dtype)
        return found if found is not None else dtypes.from_numpy(x.dtype)

    def load(self, op: LoadOps, shape: Shape, dtype: DType, arg: Any) -> NDArray:
        np_dtype = dtype.np_dtype
        if op is LoadOps.FULL:  # first: it is made for every Python scalar operand
            return self._constant(shape, np_dtype, arg)
        if op is LoadOps.EMPTY:
            return np.empty(shape, np_dtype)
        if op is LoadOps.RAND:
            return self._uniform(arg, shape, np_dtype)
        if op is LoadOps.RANDN:
            return arg.standard_normal(shape, np.float64).astype(np_dtype, copy=False)  # type: ignore[no-any-return]
        if op is LoadOps.RANDPERM:
            return arg.permutation(shape[0]).astype(np_dtype)  # type: ignore[no-any-return]
        if op is LoadOps.ARANGE:
            # start + i*step computed in float64 (or int64) and then cast, as torch.arange does.
            start, step = arg
            positions = np.arange(shape[0], dtype=np.float64 if dtype.is_floating_point else np.int64)
            values: NDArray = _narrowed(start + step * positions, np_dtype)
            return values
        if op is LoadOps.FROM_NUMPY:
            return self.from_numpy(arg, dtype)
        raise NotImplementedError(op)

    def _constant(self, shape: Shape, np_dtype: np.dtype[Any], value: bool | int | float) -> NDArray:
        """`value` in every element: one element seen through zero strides, so a constant costs no memory
        however large it is (np.broadcast_to makes the same, several times slower). A NumPy scalar as the
        buffer is read-only, so the constant is too. A value beyond the dtype's range becomes inf, silently (the
        error state is only set up for the rare large value: every Python scalar operand passes here)."""
        scalar = _narrowed(value, np_dtype) if abs(value) > _HALF_MAX else np_dtype.type(value)
        return np.ndarray(shape, np_dtype, buffer=scalar, strides=(0,) * len(shape))

    def _uniform(self, generator: np.random.Generator, shape: Shape, np_dtype: np.dtype[Any]) -> NDArray:
        # k / 2**bits for k uniform on [0, 2**bits), where bits is the dtype's precision (11 for float16): every
        # value is exact in the dtype, so none can round up to 1.0. (A float64 sample cast to float16 rounds to
        # 1.0 about once in 4000 draws, breaking the promise of [0, 1).)
        bits = np.finfo(np_dtype).nmant + 1
        return np.ldexp(generator.integers(0, 2**bits, shape), -bits).astype(np_dtype)

    def new_generator(self, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    def seed_generator(self, generator: np.random.Generator, seed: int) -> None:
        # In place, so that whoever holds the generator draws from the new seed.
        generator.bit_generator.state = np.random.PCG64(seed).state

    def generator_state(self, generator: np.random.Generator) -> NDArray:
        # PCG64's whole state: the 128-bit state and increment, and the half of a 64-bit draw kept for the next
        # 32-bit one (a flag and the value), as 16 + 16 + 1 + 4 bytes.
        state = generator.bit_generator.state
        parts = (state["state"]["state"].to_bytes(16, "little"), state["state"]["inc"].to_bytes(16, "little"),
                 state["has_uint32"].to_bytes(1, "little"), state["uinteger"].to_bytes(4, "little"))
        return np.frombuffer(b"".join(parts), np.uint8).copy()

    def set_generator_state(self, generator: np.random.Generator, state: NDArray) -> None:
        if state.dtype != np.uint8 or state.shape != (_STATE_BYTES,):
            raise RuntimeError(f"set_state: expected the {_STATE_BYTES} bytes (uint8) of a numpy backend "
                               f"generator's get_state(), got {state.size} values of {state.dtype}")
        raw = state.tobytes()
        generator.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[:16], "little"), "inc": int.from_bytes(raw[16:32], "little")},
            "has_uint32": raw[32], "uinteger": int.from_bytes(raw[33:], "little"),
        }

    def unary(self, op: UnaryOps, x: NDArray) -> NDArray:
        return _array(_UNARY[op](x))

    def binary(self, op: BinaryOps, x: NDArray, y: NDArray) -> NDArray:
        result = _BINARY[op](x, y)  # the busiest op: _array's test inlined
        return result if type(result) is np.ndarray else np.asarray(result)

    def where(self, cond: NDArray, x: NDArray, y: NDArray) -> NDArray:
        return _array(np.where(cond, x, y))

    @_ieee
    def reduce(self, op: ReduceOps, x: NDArray, axes: Shape, keepdim: bool) -> NDArray:
        # The ufuncs' own reduce: np.sum and np.max are Python wrappers around it that cost more than the
        # reduction of a small array. dtype= keeps int32 sums int32 (NumPy would widen them to int64).
        accumulate = np.float32 if x.dtype in _HALF and op is not ReduceOps.MAX else x.dtype  # (max is exact)
        result = _REDUCE[op].reduce(x, axis=axes, keepdims=keepdim, dtype=accumulate)
        return _array(result).astype(x.dtype, copy=False)

    @_ieee
    def scan(self, op: ScanOps, x: NDArray, axis: int) -> NDArray:
        # NumPy scans a 0-d array as if it were flat and returns shape (1,): reshape keeps the input's shape.
        accumulate = np.float32 if x.dtype in _HALF else x.dtype
        result = _SCAN[op](x, axis=axis, dtype=accumulate).astype(x.dtype, copy=False)
        return result.reshape(x.shape)  # type: ignore[no-any-return]

    def reshape(self, x: NDArray, shape: Shape) -> NDArray:
        return x.reshape(shape)

    def permute(self, x: NDArray, order: Shape) -> NDArray:
        return x.transpose(order)

    def expand(self, x: NDArray, shape: Shape) -> NDArray:
        # A read-only view with stride 0 on every expanded axis: each step along it reads the same element
        # again. np.broadcast_to builds the same view but re-checks what TensorData.expand has
        # checked (a cost on this hot path: benchmarks/README.md), and every broadcast expands; so a contiguous input (the common case) is viewed directly.
        if not x.flags.c_contiguous:
            return np.broadcast_to(x, shape)
        strides = tuple(0 if n != m else stride for n, m, stride in zip(x.shape, shape, x.strides))
        view = np.ndarray(shape, x.dtype, buffer=x, strides=strides)
        view.flags.writeable = False
        return view

    def pad(self, x: NDArray, padding: tuple[tuple[int, int], ...], value: float) -> NDArray:
        # x copied into the middle of a new array of the padded shape. (np.pad does the same through some dozens
        # of Python lines, which cost more than the copy on small arrays.) np.zeros takes memory that the system
        # has already zeroed, so the commonest pad needs no pass to fill it; -0.0 must keep its sign.
        shape = tuple(n + before + after for n, (before, after) in zip(x.shape, padding))
        zero = value == 0 and copysign(1.0, value) > 0
        out = np.zeros(shape, x.dtype) if zero else np.full(shape, value, x.dtype)
        out[tuple(slice(before, before + n) for n, (before, _) in zip(x.shape, padding))] = x
        return out

    def shrink(self, x: NDArray, bounds: tuple[tuple[int, int], ...], steps: Shape | None = None) -> NDArray:
        if steps is None:
            return x[tuple(slice(start, end) for start, end in bounds)]
        return x[tuple(slice(start, end, step) for (start, end), step in zip(bounds, steps))]

    def flip(self, x: NDArray, axes: Shape) -> NDArray:
        # A copy, as torch.flip: np.flip's view (negative strides) would let a write to the result change x.
        return np.flip(x, axes).copy()

    def cat(self, xs: Sequence[NDArray], axis: int) -> NDArray:
        return np.concatenate(xs, axis)  # a new array, also of one input

    # Both index ops read a 0-d input as a vector of one element (the only valid index is 0), as torch does:
    # NumPy's indexing needs at least one axis.

    def gather(self, x: NDArray, index: NDArray, axis: int) -> NDArray:
        x, at = np.atleast_1d(x), np.atleast_1d(index)
        line = _line(at, axis)
        if line is None:
            return x[_positions(at, axis)].reshape(index.shape)
        # Whole slices of x, one per entry of the line (the embedding's lookup): np.take copies them in one pass,
        # where fancy indexing would visit every element through the expanded index.
        box = tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(at.shape))
        return np.take(x[box], line, axis).reshape(index.shape)

    @_ieee
    def scatter_add(self, x: NDArray, index: NDArray, src: NDArray, axis: int) -> NDArray:
        # np.add.at accumulates repeated indices (plain fancy assignment would keep only the last one). Its fast
        # loop takes one index array into a 1-d array, so the sums go into the flattened copy, by position; with
        # an index array per axis it runs many times slower.
        out = np.atleast_1d(x).copy()  # C-ordered, so reshape(-1) is a view of it
        positions = _flat_positions(np.atleast_1d(index), axis, out.shape)
        np.add.at(out.reshape(-1), positions.reshape(-1), np.atleast_1d(src).reshape(-1))
        return out.reshape(x.shape)

    def argsort(self, x: NDArray, axis: int) -> NDArray:
        # NumPy's stable sort already orders NaN last and -0.0 equal to 0.0, as torch. Like the scans, it reads a
        # 0-d array as flat (shape (1,)); reshape keeps the input's shape.
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False).reshape(x.shape)

    @_ieee
    def matmul(self, x: NDArray, y: NDArray) -> NDArray:
        product: NDArray = np.matmul(x, y)
        return product

    def unfold(self, x: NDArray, kernel: Shape, stride: Shape, dilation: Shape) -> NDArray:
        # A view, no copy: window (o, k) of a spatial axis starts at o*stride and reads element o*stride + k*dilation,
        # so the output axis steps by stride*s and the kernel axis by dilation*s, where s is the input's stride.
        spatial = x.shape[2:]
        out = tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(spatial, kernel, stride, dilation))
        in_strides = x.strides[2:]
        strides = (
            x.strides[:2]
            + tuple(st * s for st, s in zip(in_strides, stride))
            + tuple(st * d for st, d in zip(in_strides, dilation))
        )
        return as_strided(x, x.shape[:2] + out + kernel, strides, writeable=False)

    @_ieee
    def fold(self, cols: NDArray, spatial: Shape, stride: Shape, dilation: Shape) -> NDArray:
        # The adjoint of unfold: kernel offset k of every window lands on the strided slice
        # k*dilation, k*dilation + stride, ... of the image. One vectorised add per kernel offset (9 for 3x3).
        # (Moving batch and channels to the last axis first gives the adds longer inner loops, which is faster
        # for small batches, but the two whole-array transposes it needs fall out of cache as the batch or the
        # image grows, so it loses at large batches. This layout scales linearly.)
        n_spatial = len(spatial)
        out_shape = cols.shape[2 : 2 + n_spatial]
        kernel = cols.shape[2 + n_spatial :]
        image = np.zeros(cols.shape[:2] + spatial, cols.dtype)
        for offset in np.ndindex(*kernel):
            target: tuple[Any, ...] = (..., *(
                slice(k * d, k * d + (o - 1) * s + 1, s) for k, d, o, s in zip(offset, dilation, out_shape, stride)
            ))
            image[target] += cols[(..., *offset)]
        return image

    @_ieee
    def cast(self, x: NDArray, dtype: DType) -> NDArray:
        # NaN and out-of-range values become what the hardware gives (torch's cast is as silent about them).
        return x.astype(dtype.np_dtype)

    def bitcast(self, x: NDArray, dtype: DType) -> NDArray:
        return x.view(dtype.np_dtype)


BACKEND_CLASS = NumpyBackend
