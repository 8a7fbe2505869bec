"""One rank of the data-parallel tests (tests/nn/test_distributed.py starts two of these on 127.0.0.1 with gloo).

Run as `python distributed_worker.py SCENARIO RANK WORLD_SIZE PORT OUT_DIR`; the rank writes what it saw to
OUT_DIR/rankR.json (parameters as lists of floats, error messages as text). The model and data builders are
shared with the test, which trains the same model in one process for the reference.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import edugrad.nn as nn
from edugrad.nn import distributed as dist
from edugrad.nn.parallel import DistributedDataParallel
from edugrad.tensor import Tensor, tensor

STEPS, LOCAL_BATCH, MICRO_STEPS = 3, 4, 3


def make_model(seed: int) -> nn.Module:
    """A small MLP with 4 parameters in two dtypes' worth of layers (float32), seeded."""
    Tensor.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))


def global_batch(step: int, world_size: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Step `step`'s batch of world_size * LOCAL_BATCH samples; rank r trains on rows r*B to (r+1)*B."""
    rng = np.random.default_rng(100 + step)
    x = rng.standard_normal((world_size * LOCAL_BATCH, 5)).astype(np.float32)
    y = rng.integers(0, 3, world_size * LOCAL_BATCH)
    return x, y


def local_batch(step: int, rank: int, world_size: int) -> tuple[Tensor, Tensor]:
    x, y = global_batch(step, world_size)
    rows = slice(rank * LOCAL_BATCH, (rank + 1) * LOCAL_BATCH)
    return Tensor(x[rows]), tensor(y[rows])


def parameters(model: nn.Module) -> dict[str, list[Any]]:
    return {name: p.numpy().tolist() for name, p in model.named_parameters()}


def train(rank: int, world_size: int, **ddp_args: Any) -> dict[str, list[Any]]:
    """STEPS of Adam on the rank's share of each batch; the model starts from a different seed on each rank
    (the construction's broadcast makes them equal)."""
    model = DistributedDataParallel(make_model(seed=rank), **ddp_args)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    for step in range(STEPS):
        x, y = local_batch(step, rank, world_size)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return parameters(model.module)


def accumulate(rank: int, world_size: int) -> dict[str, list[Any]]:
    """One SGD step on the gradients of MICRO_STEPS micro-batches, the first ones under no_sync()."""
    model = DistributedDataParallel(make_model(seed=rank))
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5)
    for step in range(MICRO_STEPS):
        x, y = local_batch(step, rank, world_size)
        if step < MICRO_STEPS - 1:
            with model.no_sync():
                nn.functional.cross_entropy(model(x), y).backward()
        else:
            nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    return parameters(model.module)


class Branches(nn.Module):
    """`used` always, `rank0_only` only on rank 0, `never` never: for find_unused_parameters."""

    def __init__(self, rank: int) -> None:
        super().__init__()
        self.rank = rank
        self.used = nn.Linear(2, 2)
        self.rank0_only = nn.Linear(2, 2)
        self.never = nn.Linear(2, 2)

    def forward(self, x: Tensor) -> Tensor:
        out = self.used(x)
        return out + self.rank0_only(x) if self.rank == 0 else out


def unused(rank: int) -> dict[str, Any]:
    Tensor.manual_seed(0)
    model = DistributedDataParallel(Branches(rank), find_unused_parameters=True)
    x = Tensor(np.full((3, 2), rank + 1.0, dtype=np.float32))
    model(x).sum().backward()
    return {name: None if p.grad is None else p.grad.numpy().tolist() for name, p in model.module.named_parameters()}


def unused_refused(rank: int) -> str:
    Tensor.manual_seed(0)
    model = DistributedDataParallel(Branches(rank=1))  # `rank0_only` and `never` get no gradient anywhere
    x = Tensor(np.ones((3, 2), dtype=np.float32))
    model(x).sum().backward()
    try:
        model(x)
    except RuntimeError as error:
        return str(error)
    return "no error"


def mismatch(rank: int) -> str:
    try:
        DistributedDataParallel(nn.Sequential(nn.Linear(3, 4 + rank), nn.ReLU()))
    except RuntimeError as error:
        return str(error)
    return "no error"


def collectives(rank: int) -> dict[str, Any]:
    """all_reduce and broadcast of edugrad tensors through the facade, as a port calls them."""
    import edugrad.torch.distributed as torch_dist

    summed = Tensor([1.0, 2.0]) * (rank + 1)
    torch_dist.all_reduce(summed)
    maximum = tensor([rank, 10 - rank])
    torch_dist.all_reduce(maximum, op=torch_dist.ReduceOp.MAX)
    shared = Tensor([float(rank)] * 3)
    torch_dist.broadcast(shared, src=1)
    return {"summed": summed.tolist(), "max": maximum.tolist(), "broadcast": shared.tolist(),
            "rank": torch_dist.get_rank(), "world_size": torch_dist.get_world_size()}


def buffers(rank: int) -> dict[str, Any]:
    """A buffer that differs between ranks: rank 0's after construction, and again before each training forward."""
    layer = nn.Linear(2, 2)
    layer.register_buffer("counts", Tensor([float(rank), 10.0 + rank]))
    model = DistributedDataParallel(layer)
    after_construction = layer.counts.tolist()
    layer.counts = Tensor([5.0 + rank, 6.0])
    model(Tensor(np.ones((1, 2), dtype=np.float32))).sum().backward()
    return {"construction": after_construction, "forward": layer.counts.tolist()}


def main_scenarios(rank: int, world_size: int) -> dict[str, Any]:
    return {
        "train": train(rank, world_size),
        "train_small_buckets": train(rank, world_size, bucket_cap_mb=0.0001),
        "accumulate": accumulate(rank, world_size),
        "unused": unused(rank),
        "unused_refused": unused_refused(rank),
        "mismatch": mismatch(rank),
        "collectives": collectives(rank),
        "buffers": buffers(rank),
    }


def failing_peer(rank: int, how: str) -> dict[str, Any]:
    """Rank 1 dies (`dead`) or stops answering (`hang`) before its backward; rank 0 reports what it got."""
    model = DistributedDataParallel(make_model(seed=0))
    x, y = local_batch(0, rank, 2)
    if rank == 1:
        if how == "dead":
            os._exit(3)
        time.sleep(120)  # the test ends this process once rank 0 has answered
    start = time.monotonic()
    try:
        nn.functional.cross_entropy(model(x), y).backward()
        message = "no error"
    except RuntimeError as error:
        message = str(error)
    return {"error": message, "seconds": time.monotonic() - start}


def main() -> None:
    scenario, rank, world_size, port, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    # The store (where the ranks meet) waits long for a slow start; the process group's timeout bounds each
    # collective, short in the failure scenarios.
    store = dist.TCPStore("127.0.0.1", int(port), world_size, rank == 0, timeout=datetime.timedelta(seconds=60))
    timeout = datetime.timedelta(seconds=3 if scenario in ("dead", "hang") else 60)
    dist.init_process_group("gloo", store=store, rank=rank, world_size=world_size, timeout=timeout)
    result = main_scenarios(rank, world_size) if scenario == "main" else failing_peer(rank, scenario)
    Path(out, f"rank{rank}.json").write_text(json.dumps(result))
    if scenario == "main":
        dist.destroy_process_group()
    sys.stdout.flush()
    os._exit(0)  # without the other rank's goodbye, when it has died or hangs


if __name__ == "__main__":
    main()
