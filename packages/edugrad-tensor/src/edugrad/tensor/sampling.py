"""Random tensors, with torch's signatures: `rand`, `randn`, `randint`, `randperm`, `normal`, their `*_like`
variants, and the reference edugrad's `uniform` and weight initializers (Tensor staticmethods only).

Tensor layer (`edugrad.tensor`). Each draws from a random stream of the data layer: the one of the `Generator`
given as `generator=`, else the device's default one (see `random`), so `manual_seed` makes a program draw the
same numbers in every run. `rand`, `randn` and `randperm` are load ops of the data layer; the others shape their
draws with a few Tensor ops and wrap the result as a new leaf.
"""

from __future__ import annotations

from math import prod, sqrt

from edugrad.data import Backend, DType, TensorData, dtypes
from edugrad.tensor import _tensor as _t
from edugrad.tensor.binary import broadcast_shape
from edugrad.tensor.creation import ShapeArg, backend_like, leaf, shape_from_args
from edugrad.tensor.devices import DeviceLike, backend_for
from edugrad.tensor.random import Generator, stream


def rand(*size: ShapeArg, generator: Generator | None = None, dtype: DType | None = None,
         device: DeviceLike | None = None, requires_grad: bool = False, pin_memory: bool = False,
         backend: str | None = None) -> _t.Tensor:
    """Uniform random values on [0, 1). (`pin_memory` changes nothing, as in `tensor`.)"""
    chosen = backend_for(device, backend, "rand")
    return leaf(_uniform(shape_from_args(size, "rand"), generator, dtype, chosen), requires_grad)


def _uniform(shape: tuple[int, ...], generator: Generator | None, dtype: DType | None,
             backend: Backend) -> TensorData:
    return TensorData.rand(shape, dtype or dtypes.default_float, backend, stream(generator, backend, "rand"))


def randn(*size: ShapeArg, generator: Generator | None = None, dtype: DType | None = None,
          device: DeviceLike | None = None, requires_grad: bool = False, pin_memory: bool = False,
          backend: str | None = None) -> _t.Tensor:
    """Standard normal random values. (`pin_memory` changes nothing, as in `tensor`.)"""
    chosen = backend_for(device, backend, "randn")
    return leaf(_standard_normal(shape_from_args(size, "randn"), generator, dtype, chosen), requires_grad)


def _standard_normal(shape: tuple[int, ...], generator: Generator | None, dtype: DType | None,
                     backend: Backend) -> TensorData:
    return TensorData.randn(shape, dtype or dtypes.default_float, backend, stream(generator, backend, "randn"))


def randint(low: int = 0, high: int | None = None, size: ShapeArg | None = None, *,
            generator: Generator | None = None, dtype: DType | None = None, device: DeviceLike | None = None,
            requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Random integers on [low, high), int64 unless `dtype` says otherwise: torch's `randint(low=0, high, size)`,
    so `randint(10, (3,))` and `randint(2, 10, (3,))` alike."""
    if size is None and high is not None and not isinstance(high, int):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint: missing the size, as in randint(low=0, high, size)")
    return _integers(low, high, shape_from_args((size,), "randint"), generator, dtype or dtypes.int64,
                     backend_for(device, backend, "randint"), requires_grad)


def _integers(low: int, high: int, shape: tuple[int, ...], generator: Generator | None, dtype: DType,
              backend: Backend, requires_grad: bool) -> _t.Tensor:
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low} and high={high}")  # torch's type
    # floor(u * span) for u uniform on [0, 1) is uniform on 0 .. span-1. The cast truncates, which is the floor
    # here because u * span >= 0 (the reference added low first, so a negative low was never drawn); the
    # minimum guards against u * span rounding up to span itself.
    u = leaf(_uniform(shape, generator, dtypes.float64, backend), False)
    draws = (u * (high - low)).cast(dtypes.int64).minimum(high - low - 1) + low
    return leaf(draws.cast(dtype)._data, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: DType = dtypes.int64,
             device: DeviceLike | None = None, requires_grad: bool = False, pin_memory: bool = False,
             backend: str | None = None) -> _t.Tensor:
    """0 .. n-1 in a random order, as torch.randperm (the shuffle of a data loader)."""
    chosen = backend_for(device, backend, "randperm")
    return leaf(TensorData.randperm(n, dtype, chosen, stream(generator, chosen, "randperm")), requires_grad)


def normal(mean: _t.Tensor | float = 0.0, std: _t.Tensor | float = 1.0, size: ShapeArg | None = None, *,
           generator: Generator | None = None, dtype: DType | None = None, device: DeviceLike | None = None,
           requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Normal random values, as torch.normal's overloads: `normal(mean, std)` with a tensor mean or std (or
    both, broadcast together) draws one value per element; `normal(mean, std, size)` with numbers draws `size`.
    The result is a new leaf: gradients do not flow back to a mean or std tensor (torch gives them zero)."""
    tensors = [v for v in (mean, std) if isinstance(v, _t.Tensor)]
    for value in tensors:
        if not value.dtype.is_floating_point:
            raise TypeError(f"normal: mean and std must be floating-point tensors, got {value.dtype.name}")
    # `not std >= 0` holds for NaN too, which torch refuses as well
    if isinstance(std, _t.Tensor) and not bool((std.detach() >= 0).all()):
        raise RuntimeError("normal: expects all elements of std >= 0.0, got a negative or NaN one")  # torch's type
    if not isinstance(std, _t.Tensor) and not std >= 0:
        raise RuntimeError(f"normal: expects std >= 0.0, got {std}")
    if tensors:
        if size is not None:
            raise TypeError("normal: a size goes with a number mean and std; with a tensor, its shape is the size")
        shapes = [t.shape for t in tensors]
        shape = shapes[0] if len(shapes) == 1 else broadcast_shape(shapes[0], shapes[1], "normal")
        dtype = dtype or tensors[0].dtype
        chosen = backend_like(tensors[0], device, backend, "normal")
    elif size is None:
        raise TypeError("normal: give mean or std as a tensor, or a size: normal(mean, std, size)")
    else:
        shape, dtype = shape_from_args((size,), "normal"), dtype or dtypes.default_float
        chosen = backend_for(device, backend, "normal")
    draws = leaf(_standard_normal(shape, generator, dtype, chosen), False)
    return leaf((draws * _detached(std) + _detached(mean)).cast(dtype)._data, requires_grad)


def _detached(value: _t.Tensor | float) -> _t.Tensor | float:
    return value.detach() if isinstance(value, _t.Tensor) else value


def rand_like(input: _t.Tensor, *, generator: Generator | None = None, dtype: DType | None = None,
              device: DeviceLike | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Uniform random values on [0, 1) in `input`'s shape, dtype and device (unless given)."""
    chosen = backend_like(input, device, backend, "rand_like")
    return leaf(_uniform(input.shape, generator, dtype or input.dtype, chosen), requires_grad)


def randn_like(input: _t.Tensor, *, generator: Generator | None = None, dtype: DType | None = None,
               device: DeviceLike | None = None, requires_grad: bool = False,
               backend: str | None = None) -> _t.Tensor:
    """Standard normal random values in `input`'s shape, dtype and device (unless given)."""
    chosen = backend_like(input, device, backend, "randn_like")
    return leaf(_standard_normal(input.shape, generator, dtype or input.dtype, chosen), requires_grad)


def randint_like(input: _t.Tensor, low: int = 0, high: int | None = None, *, generator: Generator | None = None,
                 dtype: DType | None = None, device: DeviceLike | None = None, requires_grad: bool = False,
                 backend: str | None = None) -> _t.Tensor:
    """Random integers on [low, high) in `input`'s shape, dtype and device (unless given), as torch's
    `randint_like(input, low=0, high)`."""
    if high is None:
        low, high = 0, low
    chosen = backend_like(input, device, backend, "randint_like")
    return _integers(low, high, input.shape, generator, dtype or input.dtype, chosen, requires_grad)


# The reference edugrad's samplers and weight initializers (Tensor staticmethods; torch has none of these names
# at its top level: torch.nn.init has the initializers, as edugrad.nn.init does).


def normal_values(*shape: ShapeArg, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None,
                  dtype: DType | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """`Tensor.normal(*shape, mean=0.0, std=1.0)`: normal random values of a shape."""
    values = normal(mean, std, shape_from_args(shape, "normal"), generator=generator, dtype=dtype, backend=backend)
    return leaf(values._data, requires_grad)


def uniform(*shape: ShapeArg, low: float = -1.0, high: float = 1.0, generator: Generator | None = None,
            dtype: DType | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """`Tensor.uniform(*shape, low=-1.0, high=1.0)`: uniform random values on [low, high)."""
    draws = rand(shape_from_args(shape, "uniform"), generator=generator, dtype=dtype, backend=backend)
    return leaf((draws * (high - low) + low)._data, requires_grad)


def _weight_shape(shape: tuple[ShapeArg, ...], op: str) -> tuple[tuple[int, ...], int]:
    """The shape of a weight and its fan-in, the number of inputs feeding one output unit: prod(shape[1:])."""
    sizes = shape_from_args(shape, op)
    if not sizes or prod(sizes) == 0:
        raise ValueError(f"{op}: needs a non-empty weight shape with at least one axis, got {sizes}")
    return sizes, prod(sizes[1:])


def _symmetric_uniform(shape: tuple[int, ...], bound: float, dtype: DType | None, requires_grad: bool,
                       backend: str | None) -> _t.Tensor:
    return uniform(shape, low=-bound, high=bound, dtype=dtype, requires_grad=requires_grad, backend=backend)


def _kaiming_std(fan_in: int, a: float) -> float:
    # The gain sqrt(2 / (1 + a^2)) keeps the variance of leaky-relu activations (slope a) constant across layers.
    return sqrt(2 / (1 + a**2)) / sqrt(fan_in)


def scaled_uniform(*shape: ShapeArg, dtype: DType | None = None, requires_grad: bool = False,
                   backend: str | None = None) -> _t.Tensor:
    """Uniform on [-1, 1) scaled by 1/sqrt(numel): the reference's default weight initializer."""
    sizes, _ = _weight_shape(shape, "scaled_uniform")
    return _symmetric_uniform(sizes, prod(sizes) ** -0.5, dtype, requires_grad, backend)


def glorot_uniform(*shape: ShapeArg, dtype: DType | None = None, requires_grad: bool = False,
                   backend: str | None = None) -> _t.Tensor:
    """Glorot/Xavier uniform: bound sqrt(6 / (shape[0] + prod(shape[1:]))), as in tinygrad."""
    sizes, fan_in = _weight_shape(shape, "glorot_uniform")
    return _symmetric_uniform(sizes, sqrt(6 / (sizes[0] + fan_in)), dtype, requires_grad, backend)


def kaiming_uniform(*shape: ShapeArg, a: float = 0.01, dtype: DType | None = None, requires_grad: bool = False,
                    backend: str | None = None) -> _t.Tensor:
    """Kaiming/He uniform for leaky-relu slope `a`: bound sqrt(3) * sqrt(2/(1+a^2)) / sqrt(fan_in)."""
    sizes, fan_in = _weight_shape(shape, "kaiming_uniform")
    # Uniform on [-b, b) has standard deviation b / sqrt(3).
    return _symmetric_uniform(sizes, sqrt(3) * _kaiming_std(fan_in, a), dtype, requires_grad, backend)


def kaiming_normal(*shape: ShapeArg, a: float = 0.01, dtype: DType | None = None, requires_grad: bool = False,
                   backend: str | None = None) -> _t.Tensor:
    """Kaiming/He normal for leaky-relu slope `a`: std sqrt(2/(1+a^2)) / sqrt(fan_in)."""
    sizes, fan_in = _weight_shape(shape, "kaiming_normal")
    return normal_values(sizes, std=_kaiming_std(fan_in, a), dtype=dtype, requires_grad=requires_grad,
                         backend=backend)
