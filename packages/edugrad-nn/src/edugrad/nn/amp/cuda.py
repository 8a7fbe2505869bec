"""The deprecated `torch.cuda.amp` spellings: `GradScaler(...)` and `autocast(...)` without a device argument.

Neural-network layer (`edugrad.nn.amp`). They are `edugrad.nn.amp`'s classes for device "cuda", with
PyTorch's FutureWarning that says what to write instead (nanoGPT still uses `torch.cuda.amp.GradScaler`).
"""

from __future__ import annotations

import warnings

from edugrad.nn.amp import autocast_mode, grad_scaler
from edugrad.tensor import DType, dtypes

__all__ = ["GradScaler", "autocast"]


class GradScaler(grad_scaler.GradScaler):
    """`torch.cuda.amp.GradScaler`: `GradScaler("cuda", ...)`, deprecated."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


class autocast(autocast_mode.autocast):  # noqa: N801  (torch's name)
    """`torch.cuda.amp.autocast`: `autocast("cuda", ...)`, deprecated."""

    def __init__(self, enabled: bool = True, dtype: DType = dtypes.float16, cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
