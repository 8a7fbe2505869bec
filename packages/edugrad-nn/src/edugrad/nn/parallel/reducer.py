"""The reducer of `DistributedDataParallel`: buckets of gradients, averaged over the processes during backward.

Top layer (`edugrad.nn.parallel`), the part torch writes in C++ (`reducer.cpp`), here in Python on NumPy arrays
and torch.distributed. The parameters are split into buckets of about `bucket_cap_mb` MiB, taken in reverse
order (backward computes the gradients of the last layers first). A hook on each parameter's gradient
accumulation (`register_post_accumulate_grad_hook`) marks the parameter ready. When every parameter of a
bucket is ready, their gradients are copied into one flat array, divided by the number of processes, and
summed over the processes by one asynchronous all-reduce, which runs in torch's threads while backward goes on.
Buckets start in the same order on every rank (collectives must match). When the last bucket has started,
the reducer waits for all of them and writes each parameter's slice back into its `.grad`: the mean of the
ranks' gradients, the same on every rank.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from edugrad.function import topological_order
from edugrad.tensor import Tensor, from_numpy, no_grad, zeros_like

__all__ = ["Bucket", "Reducer", "assign_buckets"]

#: torch's defaults: buckets of 25 MiB, except the first of 1 MiB, so that the first all-reduce starts early.
DEFAULT_BUCKET_CAP_MB = 25
DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024


class Bucket:
    """Parameters whose gradients travel in one all-reduce: their `offsets` in the flat array, how many are
    still `pending` in this backward, and the running collective (`work`) with its `flat` array."""

    def __init__(self, params: list[tuple[str, Tensor]]) -> None:
        self.params = params
        sizes = [p.numel() for _, p in params]
        self.offsets = np.cumsum([0, *sizes]).tolist()
        self.pending = len(params)
        self.flat: np.ndarray[Any, Any] | None = None
        self.work: Any = None

    def names(self) -> str:
        """The parameters' names, for error messages."""
        return ", ".join(repr(name) for name, _ in self.params)


def assign_buckets(named: Sequence[tuple[str, Tensor]], cap_bytes: int, first_cap_bytes: int) -> list[Bucket]:
    """Buckets of the parameters, taken in reverse order, as torch's `_compute_bucket_assignment_by_size` forms
    them: each dtype fills buckets of its own, the first closed once it holds `first_cap_bytes`, the later
    ones at `cap_bytes`; the buckets are ordered by their first parameter. (torch starts with one bucket and
    forms these after its first iteration, in the order the gradients arrived: the reverse order here.)"""
    order = list(reversed(named))
    closed: list[list[int]] = []
    filling: dict[str, tuple[list[int], int, int]] = {}  # dtype -> (positions in order, bytes, buckets closed)
    for position, (_, param) in enumerate(order):
        members, size, count = filling.get(param.dtype.name, ([], 0, 0))
        members.append(position)
        size += param.numel() * param.element_size()
        if size >= (first_cap_bytes if count == 0 else cap_bytes):
            closed.append(members)
            members, size, count = [], 0, count + 1
        filling[param.dtype.name] = (members, size, count)
    buckets = closed + [members for members, _, _ in filling.values() if members]
    return [Bucket([order[i] for i in members]) for members in sorted(buckets)]


class Reducer:
    """Averages the gradients of `named` parameters over the processes of `group` after each backward that
    follows a synchronising forward (`prepare_for_backward`)."""

    def __init__(self, named: Sequence[tuple[str, Tensor]], cap_bytes: int, first_cap_bytes: int, group: Any,
                 find_unused_parameters: bool) -> None:
        self.dist = importlib.import_module("torch.distributed")
        self.torch = importlib.import_module("torch")
        self.group = group
        self.world_size = int(self.dist.get_world_size(group))
        self.find_unused_parameters = find_unused_parameters
        self.buckets = assign_buckets(named, cap_bytes, first_cap_bytes)
        self._bucket_of = {id(p): bucket for bucket in self.buckets for _, p in bucket.params}
        self._expecting = False  # a synchronising forward ran: its backward is to be averaged
        self._ready: set[int] = set()  # the parameters of that backward whose gradient has arrived
        self._next = 0  # the next bucket to start (in order, on every rank)
        self._locally_used: dict[int, bool] = {}
        for _, param in named:
            param.register_post_accumulate_grad_hook(self._grad_ready)

    def prepare_for_backward(self, outputs: Any) -> None:
        """Expect the gradients of the backward through `outputs`; with `find_unused_parameters`, parameters the
        outputs do not depend on are ready at once (they add zeros)."""
        for bucket in self.buckets:
            bucket.pending, bucket.flat, bucket.work = len(bucket.params), None, None
        self._expecting, self._next = True, 0
        self._ready = set()
        if self.find_unused_parameters:
            reached = {id(node) for node in topological_order(list(_tensors_in(outputs)))}
            self._locally_used = {id(p): id(p) in reached for bucket in self.buckets for _, p in bucket.params}
            for bucket in self.buckets:
                for _, param in bucket.params:
                    if not self._locally_used[id(param)]:
                        self._mark_ready(param)

    def check_prior_reduction_finished(self) -> None:
        """Raise, as torch does, when the last backward began but left parameters without a gradient."""
        if not (self._expecting and self._ready):
            return
        missing = [name for bucket in self.buckets for name, p in bucket.params if id(p) not in self._ready]
        raise RuntimeError(
            "DistributedDataParallel: expected to have finished reduction in the prior iteration before starting a "
            "new one: the last backward gave no gradient to the parameters "
            f"{', '.join(repr(n) for n in missing)}, so their buckets were never all-reduced. If the forward "
            "does not use every parameter, pass find_unused_parameters=True to DistributedDataParallel")

    def _grad_ready(self, param: Any) -> None:
        if self._expecting:
            self._mark_ready(param)

    def _mark_ready(self, param: Any) -> None:
        if id(param) in self._ready:
            raise RuntimeError("DistributedDataParallel: expected to mark a variable ready only once: a parameter "
                               "got a second gradient after one forward (a second backward through the same "
                               "output); run the forward again for each backward, or use no_sync()")
        self._ready.add(id(param))
        bucket = self._bucket_of[id(param)]
        bucket.pending -= 1
        while self._next < len(self.buckets) and self.buckets[self._next].pending == 0:
            self._start(self.buckets[self._next])
            self._next += 1
        if self._next == len(self.buckets):
            self._finish()

    def _start(self, bucket: Bucket) -> None:
        """Copy the bucket's gradients into one flat array, divided by the world size, and start summing it."""
        parts = [np.zeros(p.numel(), p.dtype.np_dtype) if p.grad is None else p.grad.numpy().reshape(-1)
                 for _, p in bucket.params]
        bucket.flat = np.concatenate(parts)
        # The mean of the ranks' gradients, as torch: each part divided first, then summed (no overflow in
        # half precision).
        bucket.flat /= self.world_size
        bucket.work = self.dist.all_reduce(self.torch.from_numpy(bucket.flat), group=self.group, async_op=True)

    def _finish(self) -> None:
        """Wait for every bucket and write the averaged gradients into the parameters' `.grad`."""
        self._expecting = False
        used = self._globally_used()
        for index, bucket in enumerate(self.buckets):
            wait(bucket.work, f"the all-reduce of gradient bucket {index} ({bucket.names()})", self.group)
            assert bucket.flat is not None  # (started above)
            with no_grad():
                for (_, param), start, stop in zip(bucket.params, bucket.offsets, bucket.offsets[1:]):
                    if used is not None and not used[id(param)]:
                        continue  # no rank used it: its gradient stays None, as in torch
                    if param.grad is None:
                        param.grad = zeros_like(param)
                    param.grad.copy_(from_numpy(bucket.flat[start:stop].reshape(param.shape)))

    def _globally_used(self) -> dict[int, bool] | None:
        """With find_unused_parameters, which parameters some rank used (one small all-reduce)."""
        if not self.find_unused_parameters:
            return None
        ids = list(self._locally_used)
        flags = self.torch.tensor([int(self._locally_used[i]) for i in ids], dtype=self.torch.int32)
        wait(self.dist.all_reduce(flags, group=self.group, async_op=True), "the all-reduce of the used parameters",
             self.group)
        return {i: bool(flag) for i, flag in zip(ids, flags.tolist())}


def wait(work: Any, what: str, group: Any) -> None:
    """Wait for a collective; if a rank died or hung past the process group's timeout, raise an error that says
    which collective on which rank, and why, instead of torch's bare message."""
    try:
        work.wait()
    except RuntimeError as error:
        dist = importlib.import_module("torch.distributed")
        rank, size = dist.get_rank(group), dist.get_world_size(group)
        raise RuntimeError(
            f"DistributedDataParallel: {what} failed on rank {rank} of {size}: another process of the group died "
            "or did not reach the same step within the process group's timeout (init_process_group's timeout=). "
            f"torch.distributed says: {error}") from error


def _tensors_in(value: Any) -> Iterable[Tensor]:
    """The tensors that require grad in a forward's output (a tensor, or tuples, lists and dicts of them)."""
    if isinstance(value, Tensor):
        if value.requires_grad:
            yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item)
