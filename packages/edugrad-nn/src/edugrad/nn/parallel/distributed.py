"""`DistributedDataParallel`: one copy of the model per process, gradients averaged over the processes.

Top layer (`edugrad.nn.parallel`), torch's `torch.nn.parallel.DistributedDataParallel` for edugrad modules, on
torch.distributed (`edugrad.nn.distributed`; `torchrun` starts the processes). Each process (rank) holds the
whole model and trains on its own share of every batch. DDP keeps the copies equal:

1. At construction it checks that every rank built the same model (names, shapes and dtypes of parameters and
   buffers) and broadcasts rank 0's values to the others, so all copies start equal.
2. During each backward, the reducer (`reducer.py`) all-reduces the gradients in buckets, as soon as a
   bucket's gradients are all computed, and leaves in every `.grad` the mean over the ranks.
3. The optimizer then takes the same step on every rank, so the copies stay equal.

Why the mean: with a local batch of B samples per rank and a loss that is a mean over them, the mean of the
ranks' gradients is the gradient of the mean loss over all world_size * B samples; one step of N processes is
one step of a single process on the concatenated batch. `no_sync()` leaves out step 2 for gradient
accumulation: gradients add up locally, and the first backward after it averages the sums.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from edugrad.function import is_grad_enabled
from edugrad.nn.distributed import torch_distributed
from edugrad.nn.module import Module
from edugrad.nn.parallel.reducer import DEFAULT_BUCKET_CAP_MB, DEFAULT_FIRST_BUCKET_BYTES, Reducer, wait
from edugrad.tensor import Tensor, from_numpy, no_grad

__all__ = ["DistributedDataParallel"]

_MIB = 1024 * 1024


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training over the default process group (or `process_group`), as
    torch's: call it as the module; `.module` is the model itself (save `ddp.module.state_dict()`).

    edugrad keeps the model where it is: `device_ids`, `output_device` and `dim` say where a GPU module lives
    in torch and change nothing here. `find_unused_parameters=True` walks the output's graph after each
    forward so that parameters it does not use count as ready; without it such a parameter makes the next
    forward raise, as in torch. `gradient_as_bucket_view`, `static_graph`, `check_reduction` and
    `batched_grad_copy` are torch's speed and memory options and do not change the result; the options edugrad
    does not have (`mixed_precision`, `device_mesh`, per-bucket caps, hooks at chosen parameters) are refused."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool | None = None, init_sync: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 delay_all_reduce_named_params: Any = None, param_to_hook_all_reduce: Any = None,
                 mixed_precision: Any = None, device_mesh: Any = None, skip_all_reduce_unused_params: bool = False,
                 bucket_cap_mb_list: list[int] | None = None, batched_grad_copy: bool = False,
                 forward_sync_buffers: bool | None = None) -> None:
        super().__init__()
        dist = torch_distributed("DistributedDataParallel")
        _refuse_unsupported(delay_all_reduce_named_params=delay_all_reduce_named_params,
                            param_to_hook_all_reduce=param_to_hook_all_reduce, mixed_precision=mixed_precision,
                            device_mesh=device_mesh, bucket_cap_mb_list=bucket_cap_mb_list,
                            skip_all_reduce_unused_params=skip_all_reduce_unused_params or None)
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an edugrad nn.Module, got "
                            f"{type(module).__name__}")
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel: no process group; call init_process_group first (torchrun "
                               "sets the environment it reads: init_process_group(backend='gloo') on CPUs)")
        backend = dist.get_backend(process_group)
        if backend != "gloo":
            raise NotImplementedError(f"DistributedDataParallel: the process group's backend is {backend!r}, but "
                                      "edugrad all-reduces gradients as NumPy arrays on the CPU, which needs "
                                      "backend='gloo' (init_process_group('gloo'))")
        if bucket_cap_mb is not None and not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be a positive number, got {bucket_cap_mb!r}")
        self.module = module
        self.process_group = process_group
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.find_unused_parameters = find_unused_parameters
        # torch 2.13 renamed broadcast_buffers to forward_sync_buffers; the new name wins when both are given.
        self.forward_sync_buffers = (broadcast_buffers is not False) if forward_sync_buffers is None \
            else forward_sync_buffers
        #: False inside `no_sync()` (nanoGPT sets it directly): the next backward is not averaged.
        self.require_backward_grad_sync = True
        self._check_same_model()
        if init_sync:
            self._broadcast(list(module.named_parameters()) + list(module.named_buffers()), "the model's values")
        trained = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        cap = _MIB * (DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb)
        first = DEFAULT_FIRST_BUCKET_BYTES if bucket_cap_mb is None else cap
        self.bucket_bytes_cap = int(cap)
        self.reducer = Reducer(trained, self.bucket_bytes_cap, int(first), process_group, find_unused_parameters)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """The module's output; when gradients are recorded outside `no_sync()`, its backward is averaged."""
        self.reducer.check_prior_reduction_finished()
        # Only a forward whose backward is averaged talks to the other ranks: every rank runs those in step, while
        # an evaluation under no_grad may run on one rank alone (nanoGPT evaluates on rank 0 only).
        synchronising = self.require_backward_grad_sync and is_grad_enabled()
        if synchronising and self.forward_sync_buffers:
            self._broadcast(list(self.module.named_buffers()), "the buffers")
        output = self.module(*inputs, **kwargs)
        if synchronising:
            self.reducer.prepare_for_backward(output)
        return output

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside it, backward accumulates gradients locally without averaging them (gradient accumulation);
        the first backward after it averages the sums. The forward must run inside it too, as in torch."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def _check_same_model(self) -> None:
        """Raise on every rank, naming the first parameter or buffer that differs, when the ranks' models differ
        (a different model would all-reduce unrelated values, or hang)."""
        dist = torch_distributed("DistributedDataParallel")
        mine = [[name, list(t.shape), t.dtype.name]
                for name, t in [*self.module.named_parameters(), *self.module.named_buffers()]]
        described = _all_gather_text(json.dumps(mine), self.process_group)
        reference = json.loads(described[0])
        for rank, text in enumerate(described[1:], start=1):
            difference = _first_difference(reference, json.loads(text), rank)
            if difference:
                raise RuntimeError(f"DistributedDataParallel: the ranks built different models: {difference} "
                                   f"(found on rank {dist.get_rank(self.process_group)}); every rank must build "
                                   "the same model")

    def _broadcast(self, named: list[tuple[str, Tensor]], what: str) -> None:
        """Give every rank rank 0's values of `named` tensors: one broadcast per dtype, of their values laid end to
        end, written back in place."""
        dist = torch_distributed("DistributedDataParallel")
        import torch

        if dist.get_world_size(self.process_group) == 1 or not named:
            return
        for dtype_name in sorted({t.dtype.name for _, t in named}):
            group = [t for _, t in named if t.dtype.name == dtype_name]
            flat = np.concatenate([t.numpy().reshape(-1) for t in group])
            work = dist.broadcast(torch.from_numpy(flat), group=self.process_group, async_op=True, group_src=0)
            wait(work, f"the broadcast of {what} ({dtype_name}) from rank 0", self.process_group)
            offsets = np.cumsum([0, *(t.numel() for t in group)]).tolist()
            with no_grad():
                for t, start, stop in zip(group, offsets, offsets[1:]):
                    t.copy_(from_numpy(flat[start:stop].reshape(t.shape)))


def _refuse_unsupported(**options: Any) -> None:
    for name, value in options.items():
        if value is not None:
            raise NotImplementedError(f"DistributedDataParallel: {name}={value!r} is not supported by edugrad's "
                                      "DistributedDataParallel (leave it at its default)")


def _all_gather_text(text: str, group: Any) -> list[str]:
    """Every rank's `text`, in rank order: its length first, then its UTF-8 bytes padded to the longest (as
    arrays of numbers: no pickle, unlike torch's all_gather_object)."""
    dist = torch_distributed("DistributedDataParallel")
    import torch

    size = dist.get_world_size(group)
    data = torch.tensor(list(text.encode()), dtype=torch.uint8)
    lengths = [torch.zeros(1, dtype=torch.int64) for _ in range(size)]
    wait(dist.all_gather(lengths, torch.tensor([len(data)]), group=group, async_op=True),
         "the comparison of the ranks' models", group)
    longest = max(int(n) for n in lengths)
    padded = torch.zeros(longest, dtype=torch.uint8)
    padded[:len(data)] = data
    gathered = [torch.zeros(longest, dtype=torch.uint8) for _ in range(size)]
    wait(dist.all_gather(gathered, padded, group=group, async_op=True), "the comparison of the ranks' models", group)
    return [bytes(g[:int(n)].tolist()).decode() for g, n in zip(gathered, lengths)]


def _first_difference(reference: list[list[Any]], other: list[list[Any]], rank: int) -> str:
    """How rank `rank`'s (name, shape, dtype) list first differs from rank 0's, or '' when they are equal."""
    for (name, shape, dtype), (other_name, other_shape, other_dtype) in zip(reference, other):
        if name != other_name:
            return f"rank 0 has {name!r} where rank {rank} has {other_name!r}"
        if shape != other_shape or dtype != other_dtype:
            return (f"{name!r} has shape {tuple(shape)} and dtype {dtype} on rank 0 but shape {tuple(other_shape)} "
                    f"and dtype {other_dtype} on rank {rank}")
    if len(reference) != len(other):
        longer, which = (reference, 0) if len(reference) > len(other) else (other, rank)
        extra = longer[min(len(reference), len(other))][0]
        return (f"rank 0 has {len(reference)} parameters and buffers, rank {rank} has {len(other)} ({extra!r} is only "
                f"on rank {which})")
    return ""
