"""`torch.nn.parallel` as far as edugrad has it: the name `DistributedDataParallel`, which programs import.

Top layer (`edugrad.nn`). edugrad has no data-parallel training yet (see `edugrad.nn.distributed`); building a
`DistributedDataParallel` raises an error that says so, while a program that only imports it, and wraps its
model only when launched by torchrun, runs unchanged in one process.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn.module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Would replicate `module` over the processes of a group and average gradients; raises, since edugrad
    trains in one process (run without torchrun and use the module itself)."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool | None = None, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("DistributedDataParallel: edugrad trains in a single process and has no process groups "
                           "yet; use the module itself (run the program without torchrun)")
