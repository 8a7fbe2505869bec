"""Creating tensors: constants, ranges and random values, and the `*_like` variants.

Tensor layer (`edugrad.tensor`). Each function makes one TensorData with a load op of the data layer and
wraps it as a leaf. Shapes may be given as varargs or as one tuple (`zeros(2, 3)` or `zeros((2, 3))`). Float
results default to float32. Random values come from the backend's generator, which `manual_seed` resets, so
a seeded program draws the same numbers every run.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import DType, TensorData, dtypes
from edugrad.data import check_shape as _check_shape
from edugrad.tensor import tensor as _t

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


def rand(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
         backend: str | None = None) -> _t.Tensor:
    """Uniform random values on [0, 1)."""
    return _leaf(TensorData.rand(shape_from_args(shape, "rand"), dtype, backend), requires_grad)


def randn(*shape: ShapeArg, dtype: DType = dtypes.float32, requires_grad: bool = False,
          backend: str | None = None) -> _t.Tensor:
    """Standard normal random values."""
    return _leaf(TensorData.randn(shape_from_args(shape, "randn"), dtype, backend), requires_grad)


def manual_seed(seed: int = 0, backend: str | None = None) -> None:
    """Reset the random stream, so the same program draws the same numbers."""
    TensorData.manual_seed(seed, backend)


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

