"""The complete, fixed set of low-level ops: the seam between edugrad and a backend.

Bottom layer (`edugrad.data`). Everything edugrad computes, from `a + b` to a convolution's backward pass,
ends up as one of the ops listed here, run by a backend on its own arrays. A new backend implements exactly
these (see `Backend`); nothing above this layer ever touches an array directly.

Most families are the classic ones (elementwise, reduce, movement). Five are "fused" ops that a NumPy
backend needs to be fast rather than a memory hog: a contraction (`MATMUL`, one BLAS call instead of a
broadcast multiply and a sum), sliding windows (`UNFOLD`/`FOLD`, the im2col view behind convolution and
pooling, and its adjoint), indexing (`GATHER`/`SCATTER_ADD`, so a lookup costs the rows it reads rather
than a one-hot matrix), sorting (`ARGSORT`, one library sort of n log n comparisons instead of a sorting
network of log^2 n elementwise passes over the whole tensor) and concatenation (`CAT`, each value copied once
into the result, where joining with pads and adds writes the whole result about 3 log2(count) times).

Every op but one makes a new array or a view of its input (see `MovementOps`); `ASSIGN` alone writes into an
array that exists, which is how an in-place change reaches every view of the same memory.
"""

from __future__ import annotations

from enum import Enum, auto


class OpFamily(Enum):
    """Base of the op families below. Every op is looked up in a backend's dispatch table on every call, so
    ops hash by identity (members are singletons): Enum's own `__hash__` is Python code hashing the name,
    which costs more than the lookup itself."""

    __hash__ = object.__hash__


class UnaryOps(OpFamily):
    """Elementwise ops of one operand. All but NEG need a floating-point input."""

    NEG = auto()
    EXP = auto()
    LOG = auto()
    SIN = auto()
    COS = auto()
    TANH = auto()  # composable from EXP, but exp overflows where tanh saturates: kept for stability
    SQRT = auto()
    RECIPROCAL = auto()
    FLOOR = auto()
    CEIL = auto()
    ROUND = auto()  # half to even, as torch.round
    TRUNC = auto()


class BinaryOps(OpFamily):
    """Elementwise ops of two operands of the same shape and dtype (the layers above broadcast and promote)."""

    ADD = auto()
    SUB = auto()
    MUL = auto()
    DIV = auto()  # true division: floating-point operands only
    IDIV = auto()  # floor division, the `//` of Python and torch
    MAX = auto()
    POW = auto()
    CMPLT = auto()  # x < y, gives bool
    CMPEQ = auto()  # x == y, gives bool


class TernaryOps(OpFamily):
    """`WHERE(cond, x, y)`: x where cond is true, else y."""

    WHERE = auto()


class ReduceOps(OpFamily):
    """Reductions over a set of axes, keeping the dtype."""

    SUM = auto()
    MAX = auto()
    PROD = auto()


class ScanOps(OpFamily):
    """Running reductions along one axis (the output has the input's shape)."""

    CUMSUM = auto()
    CUMPROD = auto()


class MovementOps(OpFamily):
    """Ops that move or reshape data without computing on it.

    RESHAPE (where the strides allow it), PERMUTE, EXPAND and SHRINK return views: new shapes and strides over
    the input's memory, so a write through one is seen by the other (as in PyTorch). PAD, FLIP and CAT return
    new memory (torch.flip copies too: a view would need negative strides, which torch does not have).

    `CAT` joins several arrays along one axis. It is the only op of the family with more than one input and it
    always copies, but it computes nothing: it is PAD with the other arrays put where PAD puts constants, and
    its adjoint is a SHRINK per input, as PAD's is one SHRINK."""

    RESHAPE = auto()
    PERMUTE = auto()
    EXPAND = auto()  # broadcast size-1 axes to a larger size, without copying
    PAD = auto()  # add constant borders
    SHRINK = auto()  # take a [start, end) range per axis, optionally every step-th element of it (a strided view)
    FLIP = auto()
    CAT = auto()  # join arrays of one dtype along an axis (their other sizes equal)


class IndexOps(OpFamily):
    """`GATHER` reads values at integer positions along one axis (torch.gather); `SCATTER_ADD` is its adjoint."""

    GATHER = auto()
    SCATTER_ADD = auto()


class SortOps(OpFamily):
    """`ARGSORT`: the positions (int64) that put one axis in ascending order, stably: equal values keep their
    order, NaN counts as the largest value and -0.0 equals 0.0, as torch.sort(stable=True).

    A family of its own rather than an index op: GATHER and SCATTER_ADD read positions, ARGSORT computes them
    (its result is what GATHER then reads), and each of its outputs depends on the whole axis, which no other
    family does. Only ascending order: the Tensor layer gets the stable descending order from it by flipping
    the axis before and after, so every backend has one meaning to get right."""

    ARGSORT = auto()


class ContractionOps(OpFamily):
    """Batched matrix product `(..., m, k) @ (..., k, n)`: one BLAS call."""

    MATMUL = auto()


class WindowOps(OpFamily):
    """`UNFOLD`: the sliding windows of the spatial axes as a view `(N, C, *out, *kernel)` (im2col without the
    copy). `FOLD`: its adjoint, summing every window back onto the image it came from (col2im)."""

    UNFOLD = auto()
    FOLD = auto()


class WriteOps(OpFamily):
    """`ASSIGN(target, source)`: copy the values of `source` into the memory of `target` (same shape and dtype).
    The one op that changes an existing array, so every view of that memory sees the change; `TensorData`
    counts it in the version of the memory (its `Storage`). An in-place update such as `x += y` is ASSIGN
    of a binary op's result; `TensorData.binary_` fuses the two (the backend's ufunc writes into x), which
    saves a pass over the memory and a new array in every optimizer step."""

    ASSIGN = auto()


class LoadOps(OpFamily):
    """Ops that create data: uninitialised, constant, random, a range, or copied from a NumPy array. The random
    ones draw from a random stream of the backend (see `Backend.new_generator`), given as their argument."""

    EMPTY = auto()
    FULL = auto()
    RAND = auto()  # uniform on [0, 1)
    RANDN = auto()  # standard normal
    RANDPERM = auto()  # 0 .. n-1 shuffled (an ARGSORT of random keys would be biased where two keys tie)
    ARANGE = auto()
    FROM_NUMPY = auto()


class CastOps(OpFamily):
    """`CAST` converts values to another dtype; `BITCAST` reinterprets the bytes (same itemsize)."""

    CAST = auto()
    BITCAST = auto()


Op = (
    UnaryOps | BinaryOps | TernaryOps | ReduceOps | ScanOps | MovementOps | IndexOps | SortOps | ContractionOps
    | WindowOps | WriteOps | LoadOps | CastOps
)

OP_FAMILIES: tuple[type[Enum], ...] = (
    UnaryOps, BinaryOps, TernaryOps, ReduceOps, ScanOps, MovementOps, IndexOps, SortOps, ContractionOps,
    WindowOps, WriteOps, LoadOps, CastOps,
)

#: Every low-level op, in the order of the families above. `len(ALL_OPS)` is the size of the backend seam.
ALL_OPS: tuple[Op, ...] = tuple(op for family in OP_FAMILIES for op in family)  # type: ignore[misc]
