"""`torch.distributed` for edugrad: PyTorch's own process groups and collectives, which edugrad tensors reach.

Top layer (`edugrad.nn`). edugrad writes no communication layer: torch.distributed (gloo between CPU processes,
nccl between GPUs) is the engine, started by `torchrun` or by `init_process_group` as in any PyTorch program.
The functions here are torch's, called through; the collectives that take a tensor (`all_reduce`, `broadcast`,
`all_gather`) also take edugrad tensors: the values reach torch as `torch.from_numpy` of a NumPy array (which
shares its memory), and the result is written back into the edugrad tensor, in place, as torch's collectives
write into their argument. Every other name (`ReduceOp`, `new_group`, `get_backend`, ...) is torch.distributed's
own, looked up when first used.

torch is an optional dependency (`pip install 'edugrad-nn[distributed]'`), imported at the first call: a program
that only imports these names runs without it (nanoGPT imports `init_process_group` and calls it only under
torchrun), and `is_available()` then says False.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from edugrad.tensor import Tensor, from_numpy, no_grad

__all__ = [
    "all_gather", "all_reduce", "barrier", "broadcast", "destroy_process_group", "get_rank", "get_world_size",
    "init_process_group", "is_available", "is_initialized",
]

INSTALL_HINT = "pip install 'edugrad-nn[distributed]'"


def torch_distributed(what: str) -> ModuleType:
    """`torch.distributed`, or an ImportError that says how to install it (`what` names the caller)."""
    try:
        return importlib.import_module("torch.distributed")
    except ImportError as error:
        raise ImportError(f"{what} runs on PyTorch's torch.distributed, and torch cannot be imported ({error}); "
                          f"install it with {INSTALL_HINT}") from error


def __getattr__(name: str) -> Any:
    # Any name this module does not define is torch.distributed's own (PEP 562's module __getattr__).
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(torch_distributed(f"edugrad.nn.distributed.{name}"), name)


def is_available() -> bool:
    """Whether torch.distributed can be used: torch is installed and built with it (False without torch)."""
    try:
        return bool(torch_distributed("is_available").is_available())
    except ImportError:
        return False


def is_initialized() -> bool:
    """Whether this process has joined a process group (False without torch: there can be none)."""
    try:
        return bool(torch_distributed("is_initialized").is_initialized())
    except ImportError:
        return False


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout: Any = None,
                       world_size: int = -1, rank: int = -1, store: Any = None, group_name: str = "",
                       pg_options: Any = None, device_id: Any = None, _ranks: list[int] | None = None) -> None:
    """Join the default process group, as torch's (under torchrun, the rank, world size and address come from
    the environment). `timeout` (a `datetime.timedelta`) bounds how long a collective waits for the others:
    a rank that hangs makes the others raise after it instead of waiting forever; torch's default is 30 min."""
    torch_distributed("init_process_group").init_process_group(
        backend=backend, init_method=init_method, timeout=timeout, world_size=world_size, rank=rank, store=store,
        group_name=group_name, pg_options=pg_options, device_id=device_id, _ranks=_ranks)


def destroy_process_group(group: Any = None) -> None:
    """Leave the process group (the default one when `group` is None), as torch's."""
    torch_distributed("destroy_process_group").destroy_process_group(group)


def get_rank(group: Any = None) -> int:
    """This process's rank in the group, 0 to world size - 1 (torch raises before init_process_group)."""
    return int(torch_distributed("get_rank").get_rank(group))


def get_world_size(group: Any = None) -> int:
    """The number of processes in the group (torch raises before init_process_group)."""
    return int(torch_distributed("get_world_size").get_world_size(group))


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None, timeout: Any = None) -> Any:
    """Wait until every process of the group has reached this call, as torch's."""
    return torch_distributed("barrier").barrier(group, async_op=async_op, device_ids=device_ids, timeout=timeout)


def all_reduce(tensor: Any, op: Any = None, group: Any = None, async_op: bool = False) -> Any:
    """Combine `tensor` over all processes (a sum when `op` is None, torch's default `ReduceOp.SUM`) and write the
    result into it on every one, as torch's; `tensor` may be an edugrad Tensor."""
    dist = torch_distributed("all_reduce")
    op = dist.ReduceOp.SUM if op is None else op
    return _through_torch(tensor, lambda t: dist.all_reduce(t, op=op, group=group, async_op=async_op), async_op)


def broadcast(tensor: Any, src: int | None = None, group: Any = None, async_op: bool = False,
              group_src: int | None = None) -> Any:
    """Give every process the values of `tensor` on rank `src`, written into it, as torch's; `tensor` may be
    an edugrad Tensor."""
    dist = torch_distributed("broadcast")
    return _through_torch(tensor, lambda t: dist.broadcast(t, src, group=group, async_op=async_op,
                                                           group_src=group_src), async_op)


def all_gather(tensor_list: list[Any], tensor: Any, group: Any = None, async_op: bool = False) -> Any:
    """Fill `tensor_list` (one tensor per process, in rank order) with every process's `tensor`, as torch's;
    the tensors may be edugrad Tensors (all of one kind)."""
    dist = torch_distributed("all_gather")
    pairs = [(t, _torch_view(t)) for t in tensor_list]
    work = dist.all_gather([view for _, view in pairs], _torch_view(tensor), group=group, async_op=async_op)
    return _finish(work, pairs, async_op)


class _WriteBack:
    """The handle of an asynchronous collective on edugrad tensors: `wait()` waits for torch's work, then
    writes the results into the edugrad tensors (so they hold them once wait returns, as with torch's)."""

    def __init__(self, work: Any, pairs: list[tuple[Any, Any]]) -> None:
        self.work = work
        self.pairs = pairs

    def is_completed(self) -> bool:
        """Whether torch's work has finished (the results are written by `wait()`)."""
        return bool(self.work.is_completed())

    def wait(self, timeout: Any = None) -> bool:
        """Wait for the collective, then write its results into the edugrad tensors."""
        done = self.work.wait() if timeout is None else self.work.wait(timeout)
        _write_back(self.pairs)
        return bool(done)


def _through_torch(tensor: Any, collective: Callable[[Any], Any], async_op: bool) -> Any:
    """Run an in-place collective on a torch tensor as it is, or on a torch view of an edugrad tensor's values
    whose result is then written back into it."""
    if not isinstance(tensor, Tensor):
        return collective(tensor)
    view = _torch_view(tensor)
    return _finish(collective(view), [(tensor, view)], async_op)


def _finish(work: Any, pairs: list[tuple[Any, Any]], async_op: bool) -> Any:
    """torch's answer to a collective on edugrad tensors: a handle whose wait() writes the results back
    (async_op), or None once they are written."""
    if async_op:
        return _WriteBack(work, pairs)
    _write_back(pairs)
    return None


def _torch_view(tensor: Any) -> Any:
    """A torch tensor for a collective to read and write: a torch tensor itself, or for an edugrad tensor
    `torch.from_numpy` of a contiguous array of its values (torch shares that array's memory)."""
    if not isinstance(tensor, Tensor):
        return tensor
    torch = importlib.import_module("torch")
    return torch.from_numpy(np.ascontiguousarray(tensor.numpy()))


def _write_back(pairs: list[tuple[Any, Any]]) -> None:
    """Write each torch result into its edugrad tensor in place (a parameter included, so without recording)."""
    with no_grad():
        for target, result in pairs:
            if isinstance(target, Tensor):
                target.copy_(from_numpy(result.numpy()))
