"""`torch.distributed` as far as edugrad has it: the answers a single-process program asks for.

Top layer (`edugrad.nn`). edugrad trains in one process; data-parallel training over `torch.distributed` is
not built yet. A PyTorch program imports these names even when it runs alone (nanoGPT imports
`init_process_group` and only calls it under `torchrun`), so they exist and tell the truth: `is_available()`
and `is_initialized()` are False, and a call that would start or use a process group raises an error saying
that edugrad runs in one process.
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = [
    "destroy_process_group", "get_rank", "get_world_size", "init_process_group", "is_available", "is_initialized",
]


def is_available() -> bool:
    """False: edugrad has no distributed communication (yet)."""
    return False


def is_initialized() -> bool:
    """False: there is never a process group to have initialised."""
    return False


def _unsupported(what: str) -> NoReturn:
    raise RuntimeError(f"{what}: edugrad trains in a single process and has no torch.distributed process groups "
                       "yet; run the program without torchrun (one process), which needs no process group")


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout: Any = None,
                       world_size: int = -1, rank: int = -1, store: Any = None, group_name: str = "",
                       pg_options: Any = None, device_id: Any = None) -> None:
    """Would join a process group; raises, since edugrad has none."""
    _unsupported("init_process_group")


def destroy_process_group(group: Any = None) -> None:
    """Would leave the process group; raises, since none can exist."""
    _unsupported("destroy_process_group")


def get_rank(group: Any = None) -> int:
    """Would give this process's rank in the group; raises (as torch does before init_process_group)."""
    _unsupported("get_rank")


def get_world_size(group: Any = None) -> int:
    """Would give the number of processes in the group; raises (as torch does before init_process_group)."""
    _unsupported("get_world_size")
