"""Creating tensors: constants, ranges, random values, weight initializers and the `*_like` variants.

Tensor layer (`edugrad.tensor`). The basic ones make one TensorData with a load op of the data layer and wrap
it as a leaf; the others (linspace, eye, randint, normal, uniform and the initializers) shape such a load
with a few Tensor ops and wrap the result as a new leaf. Shapes may be given as varargs or as one tuple
(`zeros(2, 3)` or `zeros((2, 3))`). Float results default to float32. Random values come from a `Generator`
(`edugrad.tensor.random`): the one given as `generator=`, else the default one of the device, which
`manual_seed` seeds, so a seeded program draws the same numbers every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod, sqrt

from edugrad.data import Backend, DType, TensorData, dtypes, get_backend
from edugrad.data import check_shape as _check_shape
from edugrad.tensor import tensor as _t
from edugrad.tensor.devices import DeviceLike, backend_of
from edugrad.tensor.random import Generator, stream

ShapeArg = int | Sequence[int]


def shape_from_args(shape: tuple[ShapeArg, ...], op: str) -> tuple[int, ...]:
    """Accept `f(2, 3)` and `f((2, 3))` alike."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        return _check_shape(tuple(shape[0]), op)
    return _check_shape(shape, op)  # type: ignore[arg-type]


def _leaf(data: TensorData, requires_grad: bool) -> _t.Tensor:
    return _t.Tensor(data, requires_grad=requires_grad)


def empty(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
          backend: str | None = None) -> _t.Tensor:
    """A tensor whose values are whatever the memory held."""
    return _leaf(TensorData.empty(shape_from_args(shape, "empty"), dtype, backend), requires_grad)


def full(shape: ShapeArg, fill_value: bool | int | float, dtype: DType | None = None, requires_grad: bool = False,
         backend: str | None = None) -> _t.Tensor:
    """A tensor filled with `fill_value` (its dtype follows the value's type, as in torch.full)."""
    if dtype is None:
        dtype = _t.to_data(fill_value).dtype
    shape_tuple = shape_from_args((shape,), "full")
    # The backend makes a constant a broadcast view; a leaf gets its own writable memory.
    data = TensorData.from_numpy(TensorData.full(shape_tuple, fill_value, dtype, backend).numpy(), dtype, backend)
    return _leaf(data, requires_grad)


def zeros(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
          backend: str | None = None) -> _t.Tensor:
    """A tensor of zeros (float32 unless `dtype` says otherwise)."""
    return full(shape_from_args(shape, "zeros"), 0, dtype, requires_grad, backend)


def ones(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
         backend: str | None = None) -> _t.Tensor:
    """A tensor of ones (float32 unless `dtype` says otherwise)."""
    return full(shape_from_args(shape, "ones"), 1, dtype, requires_grad, backend)


def arange(start: int | float, stop: int | float | None = None, step: int | float = 1, dtype: DType | None = None,
           requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """start, start + step, ... below stop (`arange(n)` is 0 .. n-1); int64 for int arguments, else float32."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        all_ints = all(isinstance(v, int) for v in (start, stop, step))
        dtype = dtypes.default_int if all_ints else dtypes.default_float
    return _leaf(TensorData.arange(start, stop, step, dtype, backend), requires_grad)


def rand(*shape: ShapeArg, generator: Generator | None = None, dtype: DType = dtypes.float32,
         requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Uniform random values on [0, 1)."""
    chosen = get_backend(backend)
    data = TensorData.rand(shape_from_args(shape, "rand"), dtype, chosen, stream(generator, chosen, "rand"))
    return _leaf(data, requires_grad)


def randn(*shape: ShapeArg, generator: Generator | None = None, dtype: DType = dtypes.float32,
          requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Standard normal random values."""
    chosen = get_backend(backend)
    data = TensorData.randn(shape_from_args(shape, "randn"), dtype, chosen, stream(generator, chosen, "randn"))
    return _leaf(data, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: DType = dtypes.int64,
             device: DeviceLike | None = None, requires_grad: bool = False, pin_memory: bool = False,
             backend: str | None = None) -> _t.Tensor:
    """0 .. n-1 in a random order, as torch.randperm (the shuffle of a data loader)."""
    chosen = _backend_for(device, backend, "randperm")
    data = TensorData.randperm(n, dtype, chosen, stream(generator, chosen, "randperm"))
    return _leaf(data, requires_grad)


def _backend_for(device: DeviceLike | None, backend: str | None, op: str) -> Backend:
    """The backend a new tensor goes to: named by torch's `device=` or by edugrad's `backend=` (the default
    backend when neither is given)."""
    if backend is None:
        return backend_of(device)
    if device is not None:
        raise TypeError(f"{op}: give device= or backend=, not both")
    return get_backend(backend)


def linspace(start: int | float, end: int | float, steps: int, dtype: DType = dtypes.float32,
             requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    # Computed in float64 and rounded once at the end, so the last value lands on `end`.
    positions = arange(steps, dtype=dtypes.float64, backend=backend)
    return _leaf((positions * step + start).cast(dtype)._data, requires_grad)


def eye(n: int, m: int | None = None, dtype: DType = dtypes.float32, requires_grad: bool = False,
        backend: str | None = None) -> _t.Tensor:
    """The n x m identity matrix (ones on the diagonal, m = n unless given)."""
    rows = arange(n, backend=backend).reshape(n, 1)
    cols = arange(n if m is None else m, backend=backend).reshape(1, -1)
    return _leaf((rows == cols).cast(dtype)._data, requires_grad)


def randint(*args: ShapeArg, low: int = 0, high: int = 10, generator: Generator | None = None,
            dtype: DType = dtypes.int64, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Random integers on [low, high). Takes PyTorch's `randint(low, high, size)` or `randint(high, size)`,
    and the reference's `randint(*shape, low=0, high=10)`."""
    if len(args) in (2, 3) and not isinstance(args[-1], int):
        if (low, high) != (0, 10):
            raise TypeError("randint: give low and high either as positional arguments or as keywords, not both")
        *bounds, size = args
        low, high = (0, *bounds) if len(bounds) == 1 else bounds  # type: ignore[assignment]
        args = (size,)
    shape = shape_from_args(args, "randint")
    if high <= low:
        raise ValueError(f"randint: expected low < high, got low={low} and high={high}")
    # floor(u * span) for u uniform on [0, 1) is uniform on 0 .. span-1. The cast truncates, which is the floor
    # here because u * span >= 0 (the reference added low first, so a negative low was never drawn); the
    # minimum guards against u * span rounding up to span itself.
    u = rand(shape, generator=generator, dtype=dtypes.float64, backend=backend)
    draws = (u * (high - low)).cast(dtypes.int64).minimum(high - low - 1) + low
    return _leaf(draws.cast(dtype)._data, requires_grad)  # requires_grad=True is refused: integers have no gradient


def normal(*shape: ShapeArg, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None,
           dtype: DType = dtypes.float32, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Normal random values with the given mean and standard deviation."""
    draws = randn(shape_from_args(shape, "normal"), generator=generator, dtype=dtype, backend=backend)
    return _leaf((draws * std + mean)._data, requires_grad)


def uniform(*shape: ShapeArg, low: float = -1.0, high: float = 1.0, generator: Generator | None = None,
            dtype: DType = dtypes.float32, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Uniform random values on [low, high)."""
    draws = rand(shape_from_args(shape, "uniform"), generator=generator, dtype=dtype, backend=backend)
    values = draws * (high - low) + low
    return _leaf(values._data, requires_grad)


def _weight_shape(shape: tuple[ShapeArg, ...], op: str) -> tuple[tuple[int, ...], int]:
    """The shape of a weight and its fan-in, the number of inputs feeding one output unit: prod(shape[1:])."""
    sizes = shape_from_args(shape, op)
    if not sizes or prod(sizes) == 0:
        raise ValueError(f"{op}: needs a non-empty weight shape with at least one axis, got {sizes}")
    return sizes, prod(sizes[1:])


def _symmetric_uniform(shape: tuple[int, ...], bound: float, dtype: DType, requires_grad: bool,
                       backend: str | None) -> _t.Tensor:
    return uniform(shape, low=-bound, high=bound, dtype=dtype, requires_grad=requires_grad, backend=backend)


def _kaiming_std(fan_in: int, a: float) -> float:
    # The gain sqrt(2 / (1 + a^2)) keeps the variance of leaky-relu activations (slope a) constant across layers.
    return sqrt(2 / (1 + a**2)) / sqrt(fan_in)


def scaled_uniform(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
                   backend: str | None = None) -> _t.Tensor:
    """Uniform on [-1, 1) scaled by 1/sqrt(numel): the reference's default weight initializer."""
    sizes, _ = _weight_shape(shape, "scaled_uniform")
    return _symmetric_uniform(sizes, prod(sizes) ** -0.5, dtype, requires_grad, backend)


def glorot_uniform(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
                   backend: str | None = None) -> _t.Tensor:
    """Glorot/Xavier uniform: bound sqrt(6 / (shape[0] + prod(shape[1:]))), as in tinygrad."""
    sizes, fan_in = _weight_shape(shape, "glorot_uniform")
    return _symmetric_uniform(sizes, sqrt(6 / (sizes[0] + fan_in)), dtype, requires_grad, backend)


def kaiming_uniform(*shape: ShapeArg, a: float = 0.01, dtype: DType = dtypes.float32, requires_grad: bool = False,
                    backend: str | None = None) -> _t.Tensor:
    """Kaiming/He uniform for leaky-relu slope `a`: bound sqrt(3) * sqrt(2/(1+a^2)) / sqrt(fan_in)."""
    sizes, fan_in = _weight_shape(shape, "kaiming_uniform")
    # Uniform on [-b, b) has standard deviation b / sqrt(3).
    return _symmetric_uniform(sizes, sqrt(3) * _kaiming_std(fan_in, a), dtype, requires_grad, backend)


def kaiming_normal(*shape: ShapeArg, a: float = 0.01, dtype: DType = dtypes.float32, requires_grad: bool = False,
                   backend: str | None = None) -> _t.Tensor:
    """Kaiming/He normal for leaky-relu slope `a`: std sqrt(2/(1+a^2)) / sqrt(fan_in)."""
    sizes, fan_in = _weight_shape(shape, "kaiming_normal")
    return normal(sizes, std=_kaiming_std(fan_in, a), dtype=dtype, requires_grad=requires_grad, backend=backend)


def zeros_like(self: _t.Tensor, dtype: DType | None = None, requires_grad: bool = False) -> _t.Tensor:
    """Zeros of this tensor's shape (and dtype, unless given)."""
    return full(self.shape, 0, dtype or self.dtype, requires_grad, self.backend)


def ones_like(self: _t.Tensor, dtype: DType | None = None, requires_grad: bool = False) -> _t.Tensor:
    """Ones of this tensor's shape (and dtype, unless given)."""
    return full(self.shape, 1, dtype or self.dtype, requires_grad, self.backend)


def full_like(self: _t.Tensor, fill_value: bool | int | float, dtype: DType | None = None,
              requires_grad: bool = False) -> _t.Tensor:
    """`fill_value` in this tensor's shape (and dtype, unless given)."""
    return full(self.shape, fill_value, dtype or self.dtype, requires_grad, self.backend)



def rand_like(self: _t.Tensor, dtype: DType | None = None, requires_grad: bool = False,
              generator: Generator | None = None) -> _t.Tensor:
    """Uniform random values on [0, 1) in this tensor's shape (and dtype, unless given)."""
    return rand(self.shape, generator=generator, dtype=dtype or self.dtype, requires_grad=requires_grad,
                backend=self.backend)


def randn_like(self: _t.Tensor, dtype: DType | None = None, requires_grad: bool = False,
               generator: Generator | None = None) -> _t.Tensor:
    """Standard normal random values in this tensor's shape (and dtype, unless given)."""
    return randn(self.shape, generator=generator, dtype=dtype or self.dtype, requires_grad=requires_grad,
                 backend=self.backend)
