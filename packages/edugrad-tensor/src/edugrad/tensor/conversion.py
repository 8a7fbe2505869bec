"""Converting a tensor to another dtype or device, as torch.Tensor's `to`, `cpu`, `cuda`, `type` and
`type_as`, and torch's `new_*` methods, which make a tensor of the same dtype and device.

Tensor layer (`edugrad.tensor`). A dtype change is the `Cast` Function and a device change the `Move` Function
of the layer below: both stay in the graph, so a gradient flows back through `x.to("cuda").double()` to x.
A device is a backend of the data layer (see `devices`). Pinned (page-locked) memory is an answer, not a
feature: edugrad's CPU memory is NumPy's, which cannot be pinned, so `pin_memory()` returns the tensor as it is
and `is_pinned()` is always False.
"""

from __future__ import annotations

from typing import Any

from edugrad.data import DType, TensorData, dtypes
from edugrad.function import Move
from edugrad.tensor import _tensor as _t
from edugrad.tensor.creation import ShapeArg, backend_like, filled, leaf, shape_from_args, tensor
from edugrad.tensor.devices import DeviceLike, as_device, backend_of, device

_TO_KEYWORDS = ("device", "dtype", "non_blocking", "copy")


def to(input: _t.Tensor, *args: Any, **kwargs: Any) -> _t.Tensor:
    """The tensor on another device and/or in another dtype, as torch.Tensor.to's three forms: `to(dtype)`,
    `to(device=None, dtype=None)` and `to(other)` (other's device and dtype), each followed by `non_blocking`
    (changes nothing: every copy here is synchronous) and `copy` (a new tensor even when nothing changes).
    Returns the tensor itself when nothing changes."""
    where, dtype, copy = _to_arguments(args, kwargs)
    out = input
    target = backend_of(where) if where is not None else input._data.backend
    if target is not out._data.backend:
        out = Move.apply(out, backend=target)
    if dtype is not None and dtype is not out.dtype:
        out = out.cast(dtype)
    return out.clone() if copy and out is input else out


def _to_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[DeviceLike | None, DType | None, bool]:
    """(device, dtype, copy) from the arguments of one of `to`'s forms."""
    unknown = [k for k in kwargs if k not in _TO_KEYWORDS]
    if unknown:
        raise TypeError(f"to: unexpected keyword argument {unknown[0]!r}; expected {', '.join(_TO_KEYWORDS)}")
    rest = list(args)
    found: dict[str, Any] = {}
    if rest and isinstance(rest[0], _t.Tensor):  # to(other, non_blocking=False, copy=False)
        other = rest.pop(0)
        found["device"], found["dtype"] = other.device, other.dtype
    elif rest and isinstance(rest[0], DType):  # to(dtype, non_blocking=False, copy=False)
        found["dtype"] = rest.pop(0)
    elif rest and (rest[0] is None or isinstance(rest[0], device | str | int) and not isinstance(rest[0], bool)):
        found["device"] = rest.pop(0)  # to(device=None, dtype=None, non_blocking=False, copy=False)
        if rest and (rest[0] is None or isinstance(rest[0], DType)):
            found["dtype"] = rest.pop(0)
    if len(rest) > 2 or not all(isinstance(flag, bool) for flag in rest):
        raise TypeError(f"to: expected a device, a dtype or a tensor, then non_blocking and copy, got {args!r}")
    found.update(zip(("non_blocking", "copy"), rest))
    for key, value in kwargs.items():
        if key in found:
            raise TypeError(f"to: got {key} twice, as a positional and as a keyword argument")
        found[key] = value
    dtype = found.get("dtype")
    if dtype is not None and not isinstance(dtype, DType):
        raise TypeError(f"to: dtype must be a dtype such as edugrad.tensor.float32, got {dtype!r}")
    where = found.get("device")
    return (None if where is None else as_device(where)), dtype, bool(found.get("copy", False))


def cpu(input: _t.Tensor) -> _t.Tensor:
    """The tensor on the CPU (itself if it is there already)."""
    return to(input, "cpu")


def cuda(input: _t.Tensor, device: DeviceLike | None = None, non_blocking: bool = False) -> _t.Tensor:
    """The tensor on the GPU (`device` may name it: 0, "cuda:0"); see `devices` for what "cuda" needs."""
    where = as_device("cuda" if device is None else device)
    if where.type != "cuda":
        raise RuntimeError(f"cuda: expected a CUDA device, got {where}")
    return to(input, where)


def is_cuda(input: _t.Tensor) -> bool:
    """Whether the tensor is on a GPU (torch.Tensor.is_cuda)."""
    return input.device.type == "cuda"


def get_device(input: _t.Tensor) -> int:
    """The index of the tensor's GPU, or -1 on the CPU (torch.Tensor.get_device)."""
    where = input.device
    return -1 if where.type == "cpu" else where.index or 0


# torch's legacy tensor type names, by dtype (a tensor on a GPU has "torch.cuda." in front of the name)
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def type(input: _t.Tensor, dtype: DType | str | None = None, non_blocking: bool = False,
         **kwargs: Any) -> str | _t.Tensor:
    """As torch.Tensor.type: without a dtype, the name of the tensor's type ("torch.FloatTensor"); with a
    dtype, or such a name, the values in that dtype (the tensor itself if it has it already)."""
    prefix = "torch." if input.device.type == "cpu" else f"torch.{input.device.type}."
    if dtype is None:
        return prefix + _TYPE_NAMES[input.dtype.name]
    if isinstance(dtype, str):
        by_name = {prefix + name: dtype_name for dtype_name, name in _TYPE_NAMES.items()}
        if dtype not in by_name:
            raise ValueError(f"type: invalid type {dtype!r}; expected a dtype or a name such as {prefix}FloatTensor")
        dtype = dtypes.from_name(by_name[dtype])
    return input.cast(dtype)


def type_as(input: _t.Tensor, tensor: _t.Tensor) -> _t.Tensor:
    """The values in `tensor`'s dtype (on input's device, as in torch)."""
    return input.cast(tensor.dtype)


def pin_memory(input: _t.Tensor) -> _t.Tensor:
    """The tensor itself: pinning only speeds up copies to a GPU, and NumPy's memory cannot be pinned."""
    return input


def is_pinned(input: _t.Tensor) -> bool:
    """False: edugrad never pins memory (see `pin_memory`)."""
    return False


# torch's new_* methods: a new tensor with input's dtype and device unless given


def new_tensor(input: _t.Tensor, data: Any, *, dtype: DType | None = None, device: DeviceLike | None = None,
               requires_grad: bool = False, pin_memory: bool = False) -> _t.Tensor:
    """A copy of `data` as a new leaf, in input's dtype and on input's device unless given."""
    return tensor(data, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def new_full(input: _t.Tensor, size: ShapeArg, fill_value: bool | int | float, *, dtype: DType | None = None,
             device: DeviceLike | None = None, requires_grad: bool = False, pin_memory: bool = False) -> _t.Tensor:
    """`fill_value` in shape `size`, in input's dtype and on input's device unless given."""
    chosen = backend_like(input, device, None, "new_full")
    return leaf(filled(shape_from_args((size,), "new_full"), fill_value, dtype or input.dtype, chosen), requires_grad)


# new_zeros, new_ones and new_empty take the shape as one sequence or as sizes one by one (`x.new_zeros(2, 3)`),
# as torch does, although torch documents only `(size, ...)`.


def new_zeros(input: _t.Tensor, *size: ShapeArg, dtype: DType | None = None, device: DeviceLike | None = None,
              requires_grad: bool = False, pin_memory: bool = False) -> _t.Tensor:
    """Zeros in shape `size`, in input's dtype and on input's device unless given."""
    return new_full(input, shape_from_args(size, "new_zeros"), 0, dtype=dtype, device=device,
                    requires_grad=requires_grad)


def new_ones(input: _t.Tensor, *size: ShapeArg, dtype: DType | None = None, device: DeviceLike | None = None,
             requires_grad: bool = False, pin_memory: bool = False) -> _t.Tensor:
    """Ones in shape `size`, in input's dtype and on input's device unless given."""
    return new_full(input, shape_from_args(size, "new_ones"), 1, dtype=dtype, device=device,
                    requires_grad=requires_grad)


def new_empty(input: _t.Tensor, *size: ShapeArg, dtype: DType | None = None, device: DeviceLike | None = None,
              requires_grad: bool = False, pin_memory: bool = False) -> _t.Tensor:
    """An uninitialised tensor of shape `size`, in input's dtype and on input's device unless given."""
    chosen = backend_like(input, device, None, "new_empty")
    return leaf(TensorData.empty(shape_from_args(size, "new_empty"), dtype or input.dtype, chosen), requires_grad)

