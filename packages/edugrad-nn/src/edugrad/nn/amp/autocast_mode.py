"""`autocast`: PyTorch's mixed-precision region, which in edugrad changes no dtype.

Neural-network layer (`edugrad.nn.amp`). Inside `torch.autocast(device_type, dtype)`, PyTorch runs chosen
ops (matmuls, convolutions) in the lower-precision `dtype` (bfloat16 by default on the CPU, float16 on CUDA)
and keeps precision-sensitive ones (softmax, losses) in float32, to save time and memory on hardware with
fast half-precision units. edugrad computes every op in the dtype its operands have, always: here the
region is accepted with PyTorch's arguments, checks and warnings, and records whether it is enabled
(`is_autocast_enabled`, `get_autocast_dtype`), but computes exactly what it would compute outside. So a
program that uses autocast runs, in float32 where PyTorch's CPU autocast would round matmuls to bfloat16:
its results are more precise than PyTorch's, and not bit for bit the same. To train in half precision,
cast the model and inputs (`model.half()`, `x.half()`) and use `GradScaler`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from edugrad.tensor import DType, dtypes
from edugrad.tensor.devices import DEVICE_TYPES, backend_of

F = TypeVar("F", bound=Callable[..., Any])

#: The device types PyTorch supports autocast on.
_AUTOCAST_TYPES = ("cpu", "cuda", "ipu", "xpu", "mps", "hpu", "xla", "maia", "mtia", "privateuseone")
_SUPPORTED = ("bfloat16", "float16")  # the lower-precision dtypes autocast may name

#: Per device type, whether an autocast region is active and the dtype it names (what the region records).
_enabled: dict[str, bool] = {}
_dtype: dict[str, DType] = {}


def _default_dtype(kind: str) -> DType:
    """PyTorch's default autocast dtype of a device type: bfloat16 on cpu, hpu, xla and maia, else float16."""
    return dtypes.bfloat16 if kind in ("cpu", "hpu", "xla", "maia") else dtypes.float16


def is_autocast_available(device_type: str) -> bool:
    """Whether PyTorch supports autocast on `device_type` (a device string such as "cuda:0" is read by its
    type); a RuntimeError for a string that names no device type."""
    return _device_type(device_type) in _AUTOCAST_TYPES


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether an enabled autocast region for `device_type` is active (torch.is_autocast_enabled)."""
    return _enabled.get(device_type, False)


def get_autocast_dtype(device_type: str) -> DType:
    """The dtype autocast regions for `device_type` name (the default, or the active region's)."""
    if not is_autocast_available(device_type):
        raise RuntimeError(f"get_autocast_dtype: autocast does not support the device type {device_type!r}")
    kind = _device_type(device_type)
    return _dtype[kind] if kind in _dtype else _default_dtype(kind)


def _device_type(device_type: str) -> str:
    kind = device_type.split(":")[0]
    if kind not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                           f"{device_type}")
    return kind


def cuda_available() -> bool:
    """Whether edugrad can compute on CUDA: its torch backend runs on a GPU that torch sees."""
    try:
        backend_of("cuda")
    except RuntimeError:
        return False
    return True


class autocast:  # noqa: N801  (torch's name)
    """A mixed-precision region, as `torch.autocast`: a context manager (`with autocast("cpu"):`) or a
    decorator (`@autocast("cpu")`). It checks its arguments as PyTorch does, and disables itself with
    PyTorch's warning for a dtype the device does not support or for "cuda" without CUDA; it changes no
    dtype (see the module docstring)."""

    def __init__(self, device_type: str, dtype: DType | None = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        if device_type == "privateuseone":
            raise RuntimeError("autocast: no `privateuseone` backend is registered with edugrad")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        if not isinstance(self.fast_dtype, DType):
            raise TypeError(f"autocast: dtype must be an edugrad dtype such as bfloat16 or float16, got "
                            f"{self.fast_dtype!r}")
        self._cache_enabled = True if cache_enabled is None else cache_enabled  # nothing is cached here
        if enabled and device_type == "cuda" and not cuda_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        elif enabled and device_type != "cuda" and self.fast_dtype.name not in _SUPPORTED:
            name = device_type.upper()
            warnings.warn(f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                          f"{name} Autocast only supports dtypes of "
                          f"{', '.join(f'edugrad.torch.{d}' for d in _SUPPORTED)} currently.", stacklevel=2)
            enabled = False
        self._enabled = enabled
        self._outer: list[tuple[bool, DType | None]] = []  # the state each (possibly nested) entry replaced

    def __enter__(self) -> autocast:
        kind = _device_type(self.device)
        self._outer.append((_enabled.get(kind, False), _dtype.get(kind)))
        _enabled[kind], _dtype[kind] = self._enabled, self.fast_dtype
        return self

    def __exit__(self, *exc_info: object) -> None:
        kind = _device_type(self.device)
        _enabled[kind], dtype = self._outer.pop()
        if dtype is None:
            del _dtype[kind]
        else:
            _dtype[kind] = dtype

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got {type(func).__name__}. Did you mean to "
                            "use autocast as a context manager? For example:\n"
                            "    with torch.autocast(device_type=...):\n"
                            "        output = model(input)")

        @functools.wraps(func)
        def in_region(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return in_region  # type: ignore[return-value]  # the same signature as func
