"""`TensorData`: an n-dimensional array, the low-level ops on it, and its one in-place write.

Bottom layer (`edugrad.data`). A `TensorData` holds one backend array together with its shape and dtype, and
knows nothing about gradients. Each method is one op of `edugrad.data.ops`: it checks its arguments (and
raises an error naming the op, the shapes and what was expected), then hands the bare computation to the
backend. Ops never modify their inputs; they return a new `TensorData`.

Memory is PyTorch's model, the one minitorch teaches: a `Storage` is a flat block of elements, and a
TensorData is a view of it, a shape with strides and an offset. Element (i, j) of a view lives at
`offset + i * strides[0] + j * strides[1]` of its storage. The view ops (reshape where the strides allow it,
permute, expand, shrink, bitcast, unfold) only compute new strides and an offset, so their result shares
the input's storage; every other op makes a new one. `assign`, the one in-place write, copies values into
the memory of a view, so every view of the same storage sees them, and it counts the write in the storage's
`version`, which all its views share: backward compares versions to notice that a value it saved was
changed, through whichever view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import ceil, copysign, prod
from typing import Any, NoReturn

import numpy as np

from edugrad.data.backend import Array, Backend, Shape, get_backend
from edugrad.data.dtypes import DType, dtypes
from edugrad.data.ops import (
    BinaryOps, CastOps, ContractionOps, IndexOps, LoadOps, MovementOps, Op, ReduceOps, ScanOps, SortOps,
    TernaryOps, UnaryOps, WindowOps, WriteOps,
)

#: Where a load op puts its data: a backend's name, a backend, or None for the default backend.
BackendArg = str | Backend | None

#: Called after every op with (op, inputs, output, arguments); used by `edugrad.function.trace`.
OpObserver = Callable[[Op, tuple["TensorData", ...], "TensorData", dict[str, Any]], None]
_observers: list[OpObserver] = []

#: The binary ops that `TensorData.binary_` writes in place: their result has their operands' dtype.
_IN_PLACE = frozenset({BinaryOps.ADD, BinaryOps.SUB, BinaryOps.MUL, BinaryOps.DIV, BinaryOps.MAX})

#: The constants made by `TensorData.const`, by (backend, shape, dtype, value); emptied when full.
_constants: dict[tuple[Any, ...], TensorData] = {}
_MAX_KEPT_CONSTANTS = 1024


def add_observer(observer: OpObserver) -> None:
    """Call `observer` after every low-level op until `remove_observer` (this is how tracing sees the ops)."""
    _observers.append(observer)


def remove_observer(observer: OpObserver) -> None:
    _observers.remove(observer)


def normalize_axis(axis: int, ndim: int, op: str) -> int:
    """`axis` as a non-negative index (-1 is the last axis); IndexError if it is out of range, as in PyTorch."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int, got {type(axis).__name__}")
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)  # a 0-d tensor accepts axis 0 and -1, like torch
    if not low <= axis <= high:
        raise IndexError(f"{op}: axis {axis} is out of range for a {ndim}-d tensor (expected {low} to {high})")
    return int(axis) % max(ndim, 1)


def normalize_axes(axes: int | Sequence[int] | None, ndim: int, op: str) -> tuple[int, ...]:
    """Axes as sorted non-negative indices; None means all axes. Rejects duplicates and out-of-range axes."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    normalized = tuple(sorted(normalize_axis(a, ndim, op) for a in axes))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: axis {tuple(axes)} names the same axis twice")
    return tuple(a for a in normalized if a < ndim)  # drops axis 0 of a 0-d tensor


def check_shape(shape: Sequence[int], op: str) -> Shape:
    """A shape as a tuple of non-negative ints; TypeError/ValueError for anything else."""
    shape = tuple(shape)
    for size in shape:  # the common case, Python ints, in a plain loop (every reshape and expand passes here)
        if type(size) is not int or size < 0:
            break
    else:
        return shape
    if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape):
        raise TypeError(f"{op}: a shape must be a sequence of ints, got {shape}")
    shape = tuple(int(s) for s in shape)  # NumPy ints (bools were refused above)
    if min(shape) < 0:
        raise ValueError(f"{op}: a shape cannot have negative sizes, got {shape}")
    return shape


class Storage:
    """The memory that a TensorData and all its views share: `base`, the backend array it was made as, and
    `version`, the number of in-place writes (`assign`) to it through any of its views (torch's version
    counter)."""

    __slots__ = ("base", "version")

    def __init__(self, base: Array) -> None:
        self.base = base
        self.version = 0


class TensorData:
    """An array on one backend, with `shape`, `dtype`, the low-level ops as methods, and `storage`, the memory it
    is a view of (shared with the other views of it)."""

    __slots__ = ("array", "backend", "shape", "dtype", "_storage")

    array: Array
    backend: Backend
    shape: Shape
    dtype: DType
    _storage: Storage | None

    def __init__(self, array: Array, backend: Backend, storage: Storage | None = None) -> None:
        self.array = array
        self.backend = backend
        self.shape = backend.shape(array)
        self.dtype = backend.dtype(array)
        self._storage = storage

    @property
    def storage(self) -> Storage:
        """The memory this is a view of. Made when first asked for (by a view op, a write or this property):
        most results of ops are read once and dropped, and never need one."""
        if self._storage is None:
            self._storage = Storage(self.array)
        return self._storage

    @property
    def version(self) -> int:
        """How many in-place writes the storage has had, through this view or any other (0 before any)."""
        storage = self._storage
        return 0 if storage is None else storage.version

    def __reduce__(self) -> tuple[Any, ...]:
        # copy.deepcopy and pickle rebuild from the values and the backend's name: copying the backend object
        # itself would make a second "numpy" backend that ops refuse to mix with the first.
        return (TensorData.from_numpy, (self.numpy(), self.dtype, self.backend.name))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return prod(self.shape)

    def __repr__(self) -> str:
        return f"TensorData(shape={self.shape}, dtype={self.dtype.name}, backend={self.backend.name})"

    # Python's operators belong to the Tensor layer, which broadcasts and promotes before it calls an op. Here,
    # where `x * y` would end in Python's bare "unsupported operand type(s)", each says which op to call.

    def __add__(self, other: object) -> NoReturn:
        raise _no_operator("+", "x.binary(BinaryOps.ADD, y)")

    def __sub__(self, other: object) -> NoReturn:
        raise _no_operator("-", "x.binary(BinaryOps.SUB, y)")

    def __mul__(self, other: object) -> NoReturn:
        raise _no_operator("*", "x.binary(BinaryOps.MUL, y)")

    def __truediv__(self, other: object) -> NoReturn:
        raise _no_operator("/", "x.binary(BinaryOps.DIV, y)")

    def __pow__(self, other: object) -> NoReturn:
        raise _no_operator("**", "x.binary(BinaryOps.POW, y)")

    def __matmul__(self, other: object) -> NoReturn:
        raise _no_operator("@", "x.matmul(y)")

    def __neg__(self) -> NoReturn:
        raise _no_operator("-", "x.unary(UnaryOps.NEG)")

    __radd__, __rsub__, __rmul__, __rtruediv__, __rpow__, __rmatmul__ = (
        __add__, __sub__, __mul__, __truediv__, __pow__, __matmul__)

    # the view: strides and offset into the storage

    def strides(self) -> Shape:
        """How many elements of the storage one step along each axis skips (0 on a broadcast axis)."""
        return self.backend.strides(self.array)

    def offset(self) -> int:
        """Where element (0, ..., 0) sits in the storage, in elements (torch's `storage_offset()`)."""
        start = self.backend.data_ptr(self.array) - self.backend.data_ptr(self.storage.base)
        return start // self.dtype.itemsize

    def is_contiguous(self) -> bool:
        """Whether the elements lie in row-major order with no gaps: the strides a new array of this shape has
        (an axis of size 1 may have any stride, as in torch)."""
        expected = 1
        for n, step in zip(reversed(self.shape), reversed(self.strides())):
            if n != 1 and step != expected:
                return False
            expected *= n
        return True

    # conversion and load ops

    @staticmethod
    def from_numpy(
        array: np.ndarray[Any, Any] | Any, dtype: DType | None = None, backend: BackendArg = None, *,
        copy: bool = True,
    ) -> TensorData:
        """A copy of a NumPy array (or anything `np.asarray` takes) on `backend`. Its dtype is kept, e.g. float64
        stays float64, unless `dtype` is given; an unsupported dtype is a TypeError. With `copy=False` the
        result shares the array's memory instead, as torch.from_numpy: a write to either is seen by the
        other (on a GPU the values are copied, there is no memory to share)."""
        array = np.asarray(array)
        target = dtypes.from_numpy(array.dtype) if dtype is None else dtype
        if copy:
            return _load(LoadOps.FROM_NUMPY, array.shape, target, backend, array)
        _check_shareable(array, target)
        chosen = _chosen(backend)
        out = TensorData(chosen.share_numpy(array), chosen)
        if _observers:
            _notify(LoadOps.FROM_NUMPY, (), out, {"shape": out.shape, "dtype": target})
        return out

    def numpy(self, *, copy: bool = True) -> np.ndarray[Any, Any]:
        """A writable NumPy copy of the data (so changing it cannot change this value). With `copy=False`, the
        memory itself where it is on the CPU, as torch's `Tensor.numpy()`: a write to the array is then a write
        to every view of the storage (and not counted in its version)."""
        array = self.backend.to_numpy(self.array)
        return np.array(array, copy=True) if copy else array

    # the in-place write

    def assign(self, other: TensorData) -> None:
        """Copy the values of `other` (same shape, dtype and backend) into this view's memory, and count the
        write in the storage's `version`. Every view of the storage sees the new values. Refused for memory
        that cannot be written: a broadcast view, whose elements share memory, or a constant."""
        if other.shape != self.shape or other.dtype is not self.dtype:
            raise ValueError(f"assign: cannot write values of shape {other.shape} and dtype {other.dtype.name} "
                             f"into shape {self.shape} and dtype {self.dtype.name}; cast and broadcast them first")
        if other.backend is not self.backend:  # (tested inline: optimizers write a dozen times per parameter)
            self._same_backend("assign", other)
        if not self.backend.writable(self.array):
            raise self._not_writable()
        self.backend.assign(self.array, other.array)
        self.storage.version += 1
        if _observers:
            _notify(WriteOps.ASSIGN, (self, other), self, {})

    def binary_(self, op: BinaryOps, other: TensorData) -> None:
        """self = self <op> other, in place: exactly `self.assign(self.binary(op, other))`, but for ADD, SUB,
        MUL, DIV and MAX on floating-point operands of one shape the backend writes the result straight into
        this view's memory (one pass, no new array). What the in-place methods (`add_`, `mul_`, the
        optimizers' updates) end with. Observers see the binary op, with `in_place=True`."""
        if op in _IN_PLACE and other.shape == self.shape and other.dtype is self.dtype \
                and other.backend is self.backend and self.dtype.is_floating_point:
            if not self.backend.writable(self.array):
                raise self._not_writable()
            self.backend.binary_(op, self.array, other.array)
            self.storage.version += 1
            if _observers:
                _notify(op, (self, other), self, {"in_place": True})
            return
        self.assign(self.binary(op, other))  # whose checks speak for any other operands

    def clone(self) -> TensorData:
        """A copy in new memory (a storage of its own, at version 0): EMPTY, then the values copied in. Not
        shown to observers, which see the ops that compute: backward clones every leaf's first gradient."""
        out = TensorData(self.backend.load(LoadOps.EMPTY, self.shape, self.dtype, None), self.backend)
        self.backend.assign(out.array, self.array)  # not counted: no one has seen the new memory yet
        return out

    @staticmethod
    def empty(shape: Sequence[int], dtype: DType, backend: BackendArg = None) -> TensorData:
        return _load(LoadOps.EMPTY, check_shape(shape, "empty"), dtype, backend, None)

    @staticmethod
    def full(shape: Sequence[int], value: bool | int | float, dtype: DType, backend: BackendArg = None) -> TensorData:
        return _load(LoadOps.FULL, check_shape(shape, "full"), dtype, backend, value)

    def const(self, value: bool | int | float, dtype: DType | None = None) -> TensorData:
        """A constant of this shape on this backend (the FULL op, a broadcast view: no memory). The quick way
        to turn a Python number into an operand for a binary op with self. The arrays of constants are kept
        and shared: a training loop asks for the same few (0, 1, lr, the betas) in every step, and building
        one costs more than the op that uses it on a small array. Only read-only arrays are kept (`assign`
        refuses to write into them), so no write can change a constant that another call returns; a
        backend's writable constant (torch's of one element) is made anew on every call."""
        dtype = self.dtype if dtype is None else dtype
        if not _keepable(value):
            return _load(LoadOps.FULL, self.shape, dtype, self.backend, value)
        key = (self.backend, self.shape, dtype, value)
        kept = _constants.get(key)
        if kept is None:
            made = _load(LoadOps.FULL, self.shape, dtype, self.backend, value)
            if self.backend.writable(made.array):
                return made
            if len(_constants) >= _MAX_KEPT_CONSTANTS:
                _constants.clear()
            kept = _constants[key] = made
        elif _observers:  # a kept constant is still a FULL op to whoever watches
            _notify(LoadOps.FULL, (), kept, {"shape": self.shape, "dtype": dtype})
        return _fresh(kept.array, kept.backend, kept.shape, kept.dtype)

    @staticmethod
    def rand(shape: Sequence[int], dtype: DType = dtypes.float32, backend: BackendArg = None,
             generator: Any = None) -> TensorData:
        """Uniform samples on [0, 1), drawn from `generator` (a random stream made by the backend's
        `new_generator`), else from the backend's own stream; so do `randn` and `randperm`."""
        _expect_float("rand", dtype)
        return _random(LoadOps.RAND, check_shape(shape, "rand"), dtype, backend, generator)

    @staticmethod
    def randn(shape: Sequence[int], dtype: DType = dtypes.float32, backend: BackendArg = None,
              generator: Any = None) -> TensorData:
        """Standard normal samples."""
        _expect_float("randn", dtype)
        return _random(LoadOps.RANDN, check_shape(shape, "randn"), dtype, backend, generator)

    @staticmethod
    def randperm(n: int, dtype: DType = dtypes.int64, backend: BackendArg = None,
                 generator: Any = None) -> TensorData:
        """0 .. n-1 in a random order (the shuffle of a data loader): shape (n,)."""
        (n,) = check_shape((n,), "randperm")
        _check_dtype("randperm", dtype)
        if dtype is dtypes.bool:
            raise TypeError("randperm: not supported for bool; use an integer or floating-point dtype")
        # Every value 0 .. n-1 must be exact in the dtype: below its maximum for integers, and at most
        # 2**(mantissa bits + 1) for floats, beyond which not every integer has a float.
        largest = int(np.iinfo(dtype.name).max) if dtype.is_integer else 2 ** (np.finfo(dtype.name).nmant + 1)
        if n - 1 > largest:
            raise ValueError(f"randperm: the values 0 .. {n - 1} do not all fit in {dtype.name} (n is at most "
                             f"{largest + 1})")
        return _random(LoadOps.RANDPERM, (n,), dtype, backend, generator)

    @staticmethod
    def arange(
        start: int | float, stop: int | float, step: int | float, dtype: DType, backend: BackendArg = None
    ) -> TensorData:
        """start, start + step, ... up to but excluding stop."""
        if step == 0:
            raise ValueError("arange: step must be nonzero")
        # Divide, then round up, as torch and NumPy count. (An exact floor division such as -((start - stop) // step)
        # disagrees for some floats: 0.3 is not a multiple of 0.1 exactly, but (0.3 - 0) / 0.1 rounds to 3.0.)
        count = max(0, ceil((stop - start) / step))
        return _load(LoadOps.ARANGE, (count,), dtype, backend, (start, step))

    @staticmethod
    def manual_seed(seed: int, backend: BackendArg = None) -> None:
        """Seed the backend's own random stream (of the default backend if None)."""
        chosen = _chosen(backend)
        chosen.seed_generator(chosen.generator, seed)

    # elementwise ops

    def unary(self, op: UnaryOps) -> TensorData:
        if not self.dtype.is_floating_point:  # (tested first: naming an op costs more than this test)
            if op is not UnaryOps.NEG:
                _expect_float(op, self.dtype)
            if self.dtype is dtypes.bool:
                raise TypeError("neg: negation of a bool tensor is not supported; use logical not (x == False)")
        return self._new(op, self.backend.unary(op, self.array), (self,))

    def binary(self, op: BinaryOps, other: TensorData) -> TensorData:
        # The hot path of edugrad: the checks are plain comparisons; error messages are built only on failure.
        if self.shape != other.shape:
            name = op.name.lower()
            raise ValueError(f"{name}: operands must have the same shape, got {self.shape} and {other.shape} "
                             "(the Tensor layer broadcasts with expand before calling this op)")
        if self.dtype is not other.dtype:
            raise TypeError(f"{op.name.lower()}: operands must have the same dtype, got {self.dtype.name} and "
                            f"{other.dtype.name} (cast one of them first)")
        if other.backend is not self.backend:
            self._same_backend(op.name.lower(), other)
        if not self.dtype.is_floating_point:  # every op applies to floats; some not to integers or bools
            if op is BinaryOps.DIV:
                _expect_float(op, self.dtype)
            if self.dtype is dtypes.bool and op in (BinaryOps.SUB, BinaryOps.IDIV, BinaryOps.POW):
                raise TypeError(f"{op.name.lower()}: not supported for bool operands")
        return self._new(op, self.backend.binary(op, self.array, other.array), (self, other))

    def where(self, x: TensorData, y: TensorData) -> TensorData:
        """`x` where this (bool) condition holds, else `y`."""
        if self.dtype is not dtypes.bool:
            raise TypeError(f"where: the condition must be bool, got {self.dtype.name}")
        if not self.shape == x.shape == y.shape:
            raise ValueError(f"where: condition and values must have the same shape, got {self.shape}, {x.shape} "
                             f"and {y.shape}")
        if x.dtype is not y.dtype:
            raise TypeError(f"where: both values must have the same dtype, got {x.dtype.name} and {y.dtype.name}")
        self._same_backend("where", x, y)
        return self._new(TernaryOps.WHERE, self.backend.where(self.array, x.array, y.array), (self, x, y))

    # reduce and scan ops

    def reduce(self, op: ReduceOps, axes: int | Sequence[int] | None = None, keepdim: bool = False) -> TensorData:
        name = op.name.lower()
        axes = normalize_axes(axes, self.ndim, name)
        if op is not ReduceOps.MAX and self.dtype is dtypes.bool:
            raise TypeError(f"{name}: cannot reduce a bool tensor; cast it to an integer dtype first")
        if op is ReduceOps.MAX and any(self.shape[a] == 0 for a in axes):
            raise ValueError(f"max: cannot reduce over an axis of size 0 (shape {self.shape}, axes {axes}); "
                             "a maximum over nothing is undefined")
        array = self.backend.reduce(op, self.array, axes, keepdim)
        return self._new(op, array, (self,), axes=axes, keepdim=keepdim)

    def scan(self, op: ScanOps, axis: int) -> TensorData:
        name = op.name.lower()
        axis = normalize_axis(axis, self.ndim, name)
        if self.dtype is dtypes.bool:
            raise TypeError(f"{name}: cannot scan a bool tensor; cast it to an integer dtype first")
        return self._new(op, self.backend.scan(op, self.array, axis), (self,), axis=axis)

    # movement ops

    def reshape(self, shape: Sequence[int]) -> TensorData:
        shape = check_shape(shape, "reshape")
        if prod(shape) != self.size:
            raise ValueError(f"reshape: cannot reshape {self.shape} ({self.size} elements) to {shape} "
                             f"({prod(shape)} elements)")
        if shape == self.shape:
            return self
        array = self.backend.reshape(self.array, shape)
        if not self.backend.is_view(array, self.array):  # strides that no view can have: a copy
            return self._new(MovementOps.RESHAPE, array, (self,), shape=shape)
        return self._view(MovementOps.RESHAPE, array, shape=shape)

    def permute(self, order: Sequence[int]) -> TensorData:
        normalized = tuple(normalize_axis(a, self.ndim, "permute") for a in order)
        if sorted(normalized) != list(range(self.ndim)):
            raise ValueError(f"permute: {tuple(order)} is not a permutation of the {self.ndim} axes of {self.shape}")
        return self._view(MovementOps.PERMUTE, self.backend.permute(self.array, normalized), order=normalized)

    def expand(self, shape: Sequence[int]) -> TensorData:
        """Broadcast axes of size 1 to `shape` (same number of axes; add leading axes with reshape first)."""
        shape = check_shape(shape, "expand")
        if shape == self.shape:
            return self
        if len(shape) != len(self.shape) or any(s != n and s != 1 for s, n in zip(self.shape, shape)):
            raise ValueError(f"expand: cannot expand {self.shape} to {shape}; every axis must keep its size or "
                             "grow from size 1, and the number of axes must stay the same")
        return self._view(MovementOps.EXPAND, self.backend.expand(self.array, shape), shape=shape)

    def pad(self, padding: Sequence[tuple[int, int]], value: bool | int | float = 0) -> TensorData:
        """Add `before` and `after` elements of `value` on each axis (pads must not be negative: see shrink)."""
        padding = tuple((int(b), int(a)) for b, a in padding)
        if len(padding) != self.ndim or any(b < 0 or a < 0 for b, a in padding):
            raise ValueError(f"pad: expected one (before, after) pair of non-negative ints per axis of {self.shape}, "
                             f"got {padding} (use shrink to crop)")
        array = self.backend.pad(self.array, padding, value)
        return self._new(MovementOps.PAD, array, (self,), padding=padding, value=value)

    def shrink(self, bounds: Sequence[tuple[int, int]], steps: Sequence[int] | None = None) -> TensorData:
        """Keep the range [start, end) on each axis; with `steps`, only every step-th element of it (start,
        start + step, ...), which is still a view: the axis's stride is multiplied by the step."""
        bounds = tuple((int(s), int(e)) for s, e in bounds)
        if len(bounds) != self.ndim or any(not 0 <= s <= e <= n for (s, e), n in zip(bounds, self.shape)):
            raise ValueError(f"shrink: expected one (start, end) pair with 0 <= start <= end <= size per axis of "
                             f"{self.shape}, got {bounds}")
        if steps is not None:
            steps = tuple(steps)
            if len(steps) != self.ndim or any(not isinstance(k, int) or isinstance(k, bool) or k < 1 for k in steps):
                raise ValueError(f"shrink: expected one int step >= 1 per axis of {self.shape}, got steps {steps}")
            if any(k > 1 for k in steps):
                array = self.backend.shrink(self.array, bounds, steps)
                return self._view(MovementOps.SHRINK, array, bounds=bounds, steps=steps)
        if all(s == 0 and e == n for (s, e), n in zip(bounds, self.shape)):
            return self
        return self._view(MovementOps.SHRINK, self.backend.shrink(self.array, bounds), bounds=bounds)

    def flip(self, axes: int | Sequence[int]) -> TensorData:
        axes = normalize_axes(axes, self.ndim, "flip")
        return self._new(MovementOps.FLIP, self.backend.flip(self.array, axes), (self,), axes=axes)

    def cat(self, others: Sequence[TensorData], axis: int) -> TensorData:
        """self and `others` joined along `axis`, in that order: every size but that of `axis` must be equal, and
        the dtype (the Tensor layer promotes). Always a new array, also when `others` is empty."""
        if isinstance(others, TensorData):
            raise TypeError("cat: others must be a sequence of TensorData, got one TensorData; pass [other]")
        if self.ndim == 0:
            raise ValueError("cat: a 0-d array cannot be joined along an axis; reshape it to (1,) first")
        axis = normalize_axis(axis, self.ndim, "cat")
        inputs = (self, *others)
        for k, other in enumerate(others, start=1):
            if other.ndim != self.ndim or any(m != n for d, (m, n) in enumerate(zip(other.shape, self.shape))
                                              if d != axis):
                raise ValueError(f"cat: cannot join {[x.shape for x in inputs]} along axis {axis}: array {k} has "
                                 f"shape {other.shape}, but every size except that of axis {axis} must be the first "
                                 f"array's, {self.shape}")
            if other.dtype is not self.dtype:
                raise TypeError(f"cat: expected arrays of one dtype, got {self.dtype.name} and {other.dtype.name} "
                                f"(array {k}); cast them first")
        self._same_backend("cat", *others)
        array = self.backend.cat([x.array for x in inputs], axis)
        return self._new(MovementOps.CAT, array, inputs, axis=axis)

    # index ops

    def gather(self, index: TensorData, axis: int) -> TensorData:
        """out[..., i, ...] = self[..., index[..., i, ...], ...] along `axis` (torch.gather)."""
        axis = normalize_axis(axis, self.ndim, "gather")
        self._check_index("gather", index, axis)
        return self._new(IndexOps.GATHER, self.backend.gather(self.array, index.array, axis), (self, index), axis=axis)

    def scatter_add(self, index: TensorData, src: TensorData, axis: int) -> TensorData:
        """A copy of self with src[..., i, ...] added at [..., index[..., i, ...], ...] along `axis`
        (torch.scatter_add; repeated indices accumulate). The adjoint of gather."""
        axis = normalize_axis(axis, self.ndim, "scatter_add")
        self._check_index("scatter_add", index, axis)
        if src.shape != index.shape:
            raise ValueError(f"scatter_add: src of shape {src.shape} must have the shape of index {index.shape}")
        if src.dtype is not self.dtype:
            raise TypeError(f"scatter_add: src must have dtype {self.dtype.name}, got {src.dtype.name}")
        self._same_backend("scatter_add", src)
        array = self.backend.scatter_add(self.array, index.array, src.array, axis)
        return self._new(IndexOps.SCATTER_ADD, array, (self, index, src), axis=axis)

    # sort op

    def argsort(self, axis: int) -> TensorData:
        """The int64 positions that sort self along `axis` in ascending order: out[..., i, ...] is where the
        i-th smallest value sits. Stable (equal values keep their order), NaN last and -0.0 equal to 0.0, as
        torch.sort(stable=True); a 0-d array sorts as one element. Gather the values with `gather(out, axis)`."""
        axis = normalize_axis(axis, self.ndim, "argsort")
        return self._new(SortOps.ARGSORT, self.backend.argsort(self.array, axis), (self,), axis=axis)

    # contraction and window ops

    def matmul(self, other: TensorData) -> TensorData:
        """Batched matrix product (..., m, k) @ (..., k, n) -> (..., m, n); batch axes must be equal."""
        if self.ndim < 2 or other.ndim != self.ndim or self.shape[:-2] != other.shape[:-2] \
                or self.shape[-1] != other.shape[-2]:
            raise ValueError(f"matmul: cannot multiply {self.shape} by {other.shape}; expected (..., m, k) and "
                             "(..., k, n) with equal batch axes (the Tensor layer broadcasts them)")
        if self.dtype is not other.dtype or self.dtype is dtypes.bool:
            raise TypeError(f"matmul: expected two operands of one numeric dtype, got {self.dtype.name} and "
                            f"{other.dtype.name}")
        self._same_backend("matmul", other)
        return self._new(ContractionOps.MATMUL, self.backend.matmul(self.array, other.array), (self, other))

    def unfold(self, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> TensorData:
        """The sliding windows of an (N, C, *spatial) array as (N, C, *out, *kernel), a view (im2col)."""
        if self.ndim < 3:
            raise ValueError(f"unfold: expected an input of shape (N, C, *spatial) with at least one spatial axis, "
                             f"got {self.shape}")
        kernel, stride, dilation = _window_args("unfold", self.ndim - 2, kernel, stride, dilation)
        _check_window_fits("unfold", self.shape[2:], kernel, dilation)
        array = self.backend.unfold(self.array, kernel, stride, dilation)
        return self._view(WindowOps.UNFOLD, array, kernel=kernel, stride=stride, dilation=dilation)

    def fold(self, spatial: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> TensorData:
        """Sum (N, C, *out, *kernel) windows back onto an (N, C, *spatial) image: the adjoint of unfold."""
        spatial = check_shape(spatial, "fold")
        n = len(spatial)
        if self.ndim != 2 + 2 * n:
            raise ValueError(f"fold: expected windows of shape (N, C, *out, *kernel) with {n} spatial axes, "
                             f"got {self.shape}")
        kernel = self.shape[2 + n:]
        kernel, stride, dilation = _window_args("fold", n, kernel, stride, dilation)
        _check_window_fits("fold", spatial, kernel, dilation)
        expected = tuple((s - d * (k - 1) - 1) // st + 1 for s, k, st, d in zip(spatial, kernel, stride, dilation))
        if self.shape[2:2 + n] != expected:
            raise ValueError(f"fold: windows {self.shape} do not match an image of spatial size {spatial} "
                             f"(expected {expected} windows per axis)")
        array = self.backend.fold(self.array, spatial, stride, dilation)
        return self._new(WindowOps.FOLD, array, (self,), spatial=spatial, stride=stride, dilation=dilation)

    # cast ops

    def cast(self, dtype: DType) -> TensorData:
        _check_dtype("cast", dtype)
        if dtype is self.dtype:
            return self
        return self._new(CastOps.CAST, self.backend.cast(self.array, dtype), (self,), dtype=dtype)

    def bitcast(self, dtype: DType) -> TensorData:
        _check_dtype("bitcast", dtype)
        if dtype.itemsize != self.dtype.itemsize:
            raise TypeError(f"bitcast: {self.dtype.name} and {dtype.name} have different sizes "
                            f"({self.dtype.itemsize} and {dtype.itemsize} bytes)")
        return self._view(CastOps.BITCAST, self.backend.bitcast(self.array, dtype), dtype=dtype)

    # helpers

    def _new(self, op: Op, array: Array, inputs: tuple[TensorData, ...], **args: Any) -> TensorData:
        out = TensorData(array, self.backend)
        if _observers:
            _notify(op, inputs, out, args)
        return out

    def _view(self, op: Op, array: Array, **args: Any) -> TensorData:
        """The result of a view op: a new shape and strides over this TensorData's storage."""
        out = TensorData(array, self.backend, self.storage)
        if _observers:
            _notify(op, (self,), out, args)
        return out

    def _not_writable(self) -> RuntimeError:
        if any(step == 0 and n > 1 for step, n in zip(self.strides(), self.shape)):
            return RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                                f"single memory location (shape {self.shape}, strides {self.strides()}: a broadcast "
                                "view). Please clone() the tensor before performing the operation.")
        return RuntimeError(f"assign: the memory of this tensor (shape {self.shape}) is read-only: a constant, an "
                            "unfold view or a NumPy array that is not writable; clone() it first")

    def _same_backend(self, op: str, *others: TensorData) -> None:
        for other in others:
            if other.backend is not self.backend:
                raise ValueError(f"{op}: operands live on different backends ({self.backend.name} and "
                                 f"{other.backend.name}); move one with TensorData.from_numpy(x.numpy(), backend=...)")

    def _check_index(self, op: str, index: TensorData, axis: int) -> None:
        if not index.dtype.is_integer:
            raise TypeError(f"{op}: index must have an integer dtype, got {index.dtype.name}")
        if index.ndim != self.ndim or any(
            i > n for d, (i, n) in enumerate(zip(index.shape, self.shape)) if d != axis
        ):
            raise ValueError(f"{op}: index of shape {index.shape} does not fit input {self.shape} along axis {axis} "
                             f"(expected the same number of axes and no larger size off that axis)")
        self._same_backend(op, index)
        size = self.shape[axis] if self.ndim else 1  # a 0-d tensor reads as one element, as in torch
        values = index.backend.to_numpy(index.array)
        # An expanded index (stride 0, as the embedding's) repeats its values along those axes: check one copy.
        values = values[tuple(slice(0, 1) if step == 0 else slice(None) for step in values.strides)]
        if values.size and (values.min() < 0 or values.max() >= size):
            raise IndexError(f"{op}: index {int(values.min() if values.min() < 0 else values.max())} is out of "
                             f"range for axis {axis} of size {size} (input shape {self.shape})")


def _no_operator(symbol: str, call: str) -> TypeError:
    return TypeError(
        f"TensorData has no {symbol} operator: the data layer's ops are methods, on operands of one shape and "
        f"dtype; write {call} (x.const(2.0) makes a number an operand like x), or compute on Tensors, whose "
        f"operators broadcast and promote"
    )


def _load(op: LoadOps, shape: Shape, dtype: DType, backend: BackendArg, arg: Any) -> TensorData:
    if not isinstance(dtype, DType) or dtype.unavailable:
        _check_dtype(op.name.lower(), dtype)
    chosen = _chosen(backend)
    out = TensorData(chosen.load(op, shape, dtype, arg), chosen)
    if _observers:
        _notify(op, (), out, {"shape": shape, "dtype": dtype})
    return out


def _fresh(array: Array, backend: Backend, shape: Shape, dtype: DType) -> TensorData:
    """A new TensorData, with a storage of its own, around an existing array whose shape and dtype are known (no
    backend calls)."""
    out = TensorData.__new__(TensorData)
    out.array, out.backend, out.shape, out.dtype, out._storage = array, backend, shape, dtype, None
    return out


def _check_shareable(array: np.ndarray[Any, Any], dtype: DType) -> None:
    """The checks of torch.from_numpy: memory can be shared only as it is, in a dtype edugrad has, with no
    negative strides (a tensor has none)."""
    if dtype.np_dtype != array.dtype:
        raise TypeError(f"from_numpy: cannot share the memory of a {array.dtype} array as {dtype.name}; "
                        "copy it, or convert it with astype first")
    if any(step < 0 for step in array.strides):
        raise ValueError("from_numpy: at least one stride in the given NumPy array is negative, and tensors with "
                         "negative strides are not supported; make a copy of the array with array.copy() first")


def _chosen(backend: BackendArg) -> Backend:
    return get_backend(backend) if backend is None or isinstance(backend, str) else backend


def _random(op: LoadOps, shape: Shape, dtype: DType, backend: BackendArg, generator: Any) -> TensorData:
    """A random load op: the backend gets the stream to draw from as the op's argument."""
    chosen = _chosen(backend)
    return _load(op, shape, dtype, chosen, chosen.generator if generator is None else generator)


def _notify(op: Op, inputs: tuple[TensorData, ...], out: TensorData, args: dict[str, Any]) -> None:
    for observer in _observers:
        observer(op, inputs, out, args)


def _keepable(value: object) -> bool:
    """Whether a constant of `value` may be kept under the key `value`: Python ints, bools and floats, but not
    NaN (which equals no key, so it would only fill the store) or -0.0 (whose key equals 0.0's)."""
    if isinstance(value, float):
        return value == value and (value != 0 or copysign(1.0, value) > 0)
    return type(value) is int or type(value) is bool


def _check_dtype(op: str, dtype: DType) -> None:
    if not isinstance(dtype, DType):
        raise TypeError(f"{op}: dtype must be an edugrad DType such as dtypes.float32, got {dtype!r}")
    if dtype.unavailable:
        raise ImportError(f"{op}: {dtype.unavailable}")


def _expect_float(op: str | Op, dtype: DType) -> None:
    if not dtype.is_floating_point:
        op = op if isinstance(op, str) else op.name.lower()
        raise TypeError(f"{op}: expected a floating-point input, got {dtype.name} (cast it first)")


def _window_args(op: str, n: int, *args: Sequence[int]) -> tuple[Shape, ...]:
    checked = tuple(check_shape(arg, op) for arg in args)
    if any(len(arg) != n or any(a < 1 for a in arg) for arg in checked):
        raise ValueError(f"{op}: kernel, stride and dilation need one positive int per spatial axis ({n}), "
                         f"got {checked}")
    return checked


def _check_window_fits(op: str, spatial: Shape, kernel: Shape, dilation: Shape) -> None:
    # A window dilated by d spans d*(k-1) + 1 elements; there must be room for at least one on every axis.
    if any(n < d * (k - 1) + 1 for n, k, d in zip(spatial, kernel, dilation)):
        raise ValueError(f"{op}: a kernel of {kernel} with dilation {dilation} does not fit the spatial size "
                         f"{spatial}")
