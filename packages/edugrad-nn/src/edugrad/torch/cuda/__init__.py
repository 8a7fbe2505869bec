"""`edugrad.torch.cuda` is `torch.cuda`: the answers of `edugrad.tensor.accelerators` (CUDA is the torch backend on
its GPU) and the deprecated `amp` submodule. Re-exports only."""

from edugrad.tensor.accelerators import (
    current_device, device_count, is_available, is_bf16_supported, manual_seed, manual_seed_all, synchronize,
)
from edugrad.torch.cuda import amp

__all__ = ["amp", "current_device", "device_count", "is_available", "is_bf16_supported", "manual_seed",
           "manual_seed_all", "synchronize"]
