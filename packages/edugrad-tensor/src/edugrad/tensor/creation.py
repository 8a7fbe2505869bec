"""Creating tensors from data, constants and ranges, with torch's signatures: `tensor`, `as_tensor`,
`from_numpy`, the legacy `Tensor(...)` constructor, `zeros`/`ones`/`empty`/`full`, `arange`/`linspace`/`logspace`,
`eye` and the `*_like` variants.

Tensor layer (`edugrad.tensor`). The basic ones make one TensorData with a load op of the data layer and wrap
it as a leaf; the others (linspace, logspace, eye) shape such a load with a few Tensor ops and wrap the result
as a new leaf. Shapes may be given as varargs or as one sequence (`zeros(2, 3)` or `zeros((2, 3))`). A float
result without `dtype=` has the default dtype (float32 unless `set_default_dtype` changed it); `device=` names
where the values live (see `devices`), and the edugrad-only `backend=` names a backend of the data layer
instead. The random functions are in `sampling`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from edugrad.data import Backend, DType, TensorData, dtypes
from edugrad.data import check_shape as _check_shape
from edugrad.tensor import _tensor as _t
from edugrad.tensor.devices import DeviceLike, backend_for, device_of

ShapeArg = int | Sequence[int]
Number = int | float


def shape_from_args(shape: tuple[ShapeArg, ...], op: str) -> tuple[int, ...]:
    """Accept `f(2, 3)` and `f((2, 3))` alike; TypeError naming `op` for a size that is neither (2.5, None)."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        (size,) = shape
        if not isinstance(size, Iterable):
            raise TypeError(f"{op}: size must be a tuple of ints, got {type(size).__name__}")
        return _check_shape(tuple(size), op)
    return _check_shape(shape, op)  # type: ignore[arg-type]


def leaf(data: TensorData, requires_grad: bool) -> _t.Tensor:
    """A new leaf tensor around `data` (requires_grad_ refuses an integer one)."""
    out = _t.Tensor._wrap(data)
    return out.requires_grad_() if requires_grad else out


def backend_like(input: _t.Tensor, device: DeviceLike | None, backend: str | None, op: str) -> Backend:
    """Where a `*_like` result goes: `input`'s backend unless `device=` or `backend=` says otherwise."""
    if device is None and backend is None:
        return input._data.backend
    return backend_for(device, backend, op)


# from data


def tensor(data: Any, *, dtype: DType | None = None, device: DeviceLike | None = None, requires_grad: bool = False,
           pin_memory: bool = False, backend: str | None = None) -> _t.Tensor:
    """A new leaf tensor holding a copy of `data` (a number, a nested sequence, a NumPy array or a tensor), as
    torch.tensor: Python bools become bool, ints int64 and floats the default dtype (float32); NumPy arrays and
    scalars keep their dtype. `pin_memory` changes nothing: edugrad's CPU memory cannot be pinned."""
    return leaf(_copied(data, dtype, backend_for(device, backend, "tensor")), requires_grad)


def _copied(data: Any, dtype: DType | None, backend: Backend) -> TensorData:
    if not isinstance(data, _t.Tensor):
        return _t.to_data(data, dtype, backend)
    # torch.tensor(t) is t.detach().clone(): a TensorData of its own (clone shares the never-written array)
    values = data._data if data._data.backend is backend else TensorData.from_numpy(data.numpy(), None, backend)
    return values.cast(dtype) if dtype is not None and dtype is not values.dtype else values.clone()


def as_tensor(data: Any, *, dtype: DType | None = None, device: DeviceLike | None = None,
              backend: str | None = None) -> _t.Tensor:
    """`data` as a tensor, as torch.as_tensor: a tensor is returned as it is when it has the dtype and device
    asked for, else converted with `to` (which stays in the graph); anything else becomes a new tensor, as with
    `tensor`. (torch shares the memory of a NumPy array there; edugrad copies it, `from_numpy` shares it.)"""
    if not isinstance(data, _t.Tensor):
        return leaf(_copied(data, dtype, backend_for(device, backend, "as_tensor")), False)
    chosen = backend_like(data, device, backend, "as_tensor")
    return data.to(device_of(chosen), dtype or data.dtype)


def from_numpy(ndarray: np.ndarray[Any, Any]) -> _t.Tensor:
    """A tensor that shares the memory and dtype of a NumPy array, as torch.from_numpy: a later change to the
    array is seen by the tensor, and an in-place op on the tensor changes the array. A read-only array gives
    a tensor that refuses in-place writes; an array with negative strides is refused, as in torch. (On the
    torch backend's GPU there is no memory to share: the values are copied.)"""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {ndarray.__class__.__name__})")
    return leaf(TensorData.from_numpy(ndarray, None, backend_for(None, None, "from_numpy"), copy=False), False)


def legacy_data(args: tuple[Any, ...], dtype: DType | None, backend: Backend) -> TensorData:
    """What torch's legacy constructor `torch.Tensor(*args)` makes: `Tensor()` an empty tensor, `Tensor(2, 3)` an
    uninitialised one of that shape, `Tensor(data)` the data as the default dtype (also ints and bools, unlike
    `tensor`), and `Tensor(t)` the values of tensor t, in t's dtype. edugrad's own `TensorData` is wrapped as it
    is."""
    dtype = dtypes.default_float if dtype is None else dtype
    if not args:
        return TensorData.empty((0,), dtype, backend)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return TensorData.empty(_check_shape(args, "Tensor"), dtype, backend)
    if len(args) > 1:
        kinds = ", ".join(a.__class__.__name__ for a in args)
        raise TypeError(f"Tensor: expected sizes (ints) or one sequence of data, got ({kinds}); give dtype=, "
                        "device= and requires_grad= as keywords")
    (data,) = args
    if isinstance(data, TensorData | _t.Tensor):
        return _t.to_data(data, None, backend)
    if isinstance(data, bool | int | float | np.generic):
        raise TypeError(f"Tensor: data must be a sequence (got {data.__class__.__name__}); tensor({data!r}) "
                        "makes a 0-d tensor")
    return _t.to_data(data, dtype, backend)


def is_tensor(obj: Any) -> bool:
    """True for an edugrad Tensor, as torch.is_tensor."""
    return isinstance(obj, _t.Tensor)


# constants


def empty(*size: ShapeArg, dtype: DType | None = None, device: DeviceLike | None = None,
          requires_grad: bool = False, pin_memory: bool = False, backend: str | None = None) -> _t.Tensor:
    """A tensor whose values are whatever the memory held. (`pin_memory` changes nothing, as in `tensor`.)"""
    shape = shape_from_args(size, "empty")
    data = TensorData.empty(shape, dtypes.default_float if dtype is None else dtype, backend_for(device, backend,
                                                                                                "empty"))
    return leaf(data, requires_grad)


def full(size: ShapeArg, fill_value: bool | int | float, *, dtype: DType | None = None,
         device: DeviceLike | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """A tensor filled with `fill_value`; its dtype follows the value's type unless given (bool, int64, or the
    default float dtype), as torch.full."""
    if dtype is None:
        dtype = _t.to_data(fill_value).dtype
    return leaf(filled(shape_from_args((size,), "full"), fill_value, dtype, backend_for(device, backend, "full")),
                requires_grad)


def filled(shape: tuple[int, ...], value: bool | int | float, dtype: DType, backend: Backend) -> TensorData:
    # The backend makes a constant a zero-stride view of one element; a leaf gets memory of its own.
    constant = TensorData.full(shape, value, dtype, backend)
    largest = float(np.finfo(dtype.np_dtype).max) if dtype.is_floating_point else math.inf  # type: ignore[type-var]
    if math.isfinite(value) and abs(value) > largest:  # torch's words
        raise RuntimeError(f"full: value {value} cannot be converted to type {dtype.name} without overflow (its "
                           f"largest value is {largest:g})")
    return TensorData.from_numpy(constant.numpy(), dtype, backend)


def zeros(*size: ShapeArg, dtype: DType | None = None, device: DeviceLike | None = None,
          requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """A tensor of zeros."""
    return full(shape_from_args(size, "zeros"), 0, dtype=dtype or dtypes.default_float, device=device,
                requires_grad=requires_grad, backend=backend)


def ones(*size: ShapeArg, dtype: DType | None = None, device: DeviceLike | None = None,
         requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """A tensor of ones."""
    return full(shape_from_args(size, "ones"), 1, dtype=dtype or dtypes.default_float, device=device,
                requires_grad=requires_grad, backend=backend)


def empty_like(input: _t.Tensor, *, dtype: DType | None = None, device: DeviceLike | None = None,
               requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """An uninitialised tensor of `input`'s shape, dtype and device (unless given)."""
    chosen = backend_like(input, device, backend, "empty_like")
    return leaf(TensorData.empty(input.shape, dtype or input.dtype, chosen), requires_grad)


def full_like(input: _t.Tensor, fill_value: bool | int | float, *, dtype: DType | None = None,
              device: DeviceLike | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """`fill_value` in `input`'s shape, dtype and device (unless given; an int dtype truncates a float value)."""
    chosen = backend_like(input, device, backend, "full_like")
    return leaf(filled(input.shape, fill_value, dtype or input.dtype, chosen), requires_grad)


def zeros_like(input: _t.Tensor, *, dtype: DType | None = None, device: DeviceLike | None = None,
               requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Zeros in `input`'s shape, dtype and device (unless given)."""
    return full_like(input, 0, dtype=dtype, device=device, requires_grad=requires_grad, backend=backend)


def ones_like(input: _t.Tensor, *, dtype: DType | None = None, device: DeviceLike | None = None,
              requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """Ones in `input`'s shape, dtype and device (unless given)."""
    return full_like(input, 1, dtype=dtype, device=device, requires_grad=requires_grad, backend=backend)


# ranges


def arange(start: Number = 0, end: Number | None = None, step: Number = 1, *, dtype: DType | None = None,
           device: DeviceLike | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """start, start + step, ... below end, as torch.arange (`arange(n)` is 0 .. n-1); int64 when every argument
    is an int, else the default float dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end} (step {step})")  # torch's type
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign (start={start}, "
                         f"end={end}, step={step})")
    if dtype is None:
        all_ints = all(isinstance(v, int) for v in (start, end, step))
        dtype = dtypes.default_int if all_ints else dtypes.default_float
    return leaf(TensorData.arange(start, end, step, dtype, backend_for(device, backend, "arange")), requires_grad)


def _number(value: Any, op: str) -> Number:
    """A range bound as a Python number: a 0-d tensor or a NumPy scalar gives its value."""
    if isinstance(value, int | float):
        return value
    if isinstance(value, _t.Tensor):
        item = value.item()
        return int(item) if isinstance(item, bool) else item
    try:
        return operator.index(value)  # a NumPy integer
    except TypeError:
        if hasattr(value, "__float__"):
            return float(value)
        raise TypeError(f"{op}: expected a number, got {value.__class__.__name__}") from None


def linspace(start: Number, end: Number, steps: int, *, dtype: DType | None = None, device: DeviceLike | None = None,
             requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """`steps` evenly spaced values from start to end, both included (an int dtype truncates them)."""
    chosen = backend_for(device, backend, "linspace")
    return leaf(_spaced(start, end, steps, chosen, "linspace").cast(dtype or dtypes.default_float)._data,
                requires_grad)


def logspace(start: Number, end: Number, steps: int, base: float = 10.0, *, dtype: DType | None = None,
             device: DeviceLike | None = None, requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """base ** x for `steps` evenly spaced x from start to end, both included."""
    chosen = backend_for(device, backend, "logspace")
    powers = base ** _spaced(start, end, steps, chosen, "logspace")
    return leaf(powers.cast(dtype or dtypes.default_float)._data, requires_grad)


def _spaced(start: Number, end: Number, steps: int, backend: Backend, op: str) -> _t.Tensor:
    """The float64 values of linspace; computed in float64 and rounded once at the end, so that the last value
    lands on `end`."""
    if not isinstance(steps, int) or isinstance(steps, bool):
        raise TypeError(f"{op}: steps must be an int, got {steps.__class__.__name__}")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative, got {steps}")
    start, end = _number(start, op), _number(end, op)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    positions = leaf(TensorData.arange(0, steps, 1, dtypes.float64, backend), False)
    return positions * step + start


def eye(n: int, m: int | None = None, *, dtype: DType | None = None, device: DeviceLike | None = None,
        requires_grad: bool = False, backend: str | None = None) -> _t.Tensor:
    """The n x m identity matrix (ones on the diagonal, m = n unless given)."""
    m = n if m is None else m
    for name, size in (("n", n), ("m", m)):
        if not isinstance(size, int) or isinstance(size, bool):  # torch's exception types, both
            raise TypeError(f"eye: {name} must be an int, got {type(size).__name__}")
        if size < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {size}")
    chosen = backend_for(device, backend, "eye")
    rows = leaf(TensorData.arange(0, n, 1, dtypes.int64, chosen), False).reshape(n, 1)
    cols = leaf(TensorData.arange(0, m, 1, dtypes.int64, chosen), False).reshape(1, m)
    return leaf((rows == cols).cast(dtype or dtypes.default_float)._data, requires_grad)
