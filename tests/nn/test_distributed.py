"""Data-parallel training: DistributedDataParallel over two processes on this machine (gloo on 127.0.0.1),
checked against one process trained on the concatenated batches; DistributedSampler against torch's; the
failures (a rank that dies or hangs, different models) as clear errors within the process group's timeout.

Each two-process run starts `distributed_worker.py` twice and reads what the ranks wrote; one run covers the
scenarios that succeed, two more a rank that dies and one that hangs; the three run side by side.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch

import edugrad.nn as nn
from edugrad.nn.data import DistributedSampler
from edugrad.tensor import Tensor, tensor

_WORKER = Path(__file__).with_name("distributed_worker.py")


def _load_worker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("distributed_worker", _WORKER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


worker = _load_worker()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Ranks:
    """Ranks 0 and 1 of a scenario of distributed_worker.py, started at once; `results()` waits (at most 120 s)
    for the ranks in `wait_for`, ends the others, and returns what each waited-for rank wrote."""

    def __init__(self, scenario: str, out: Path, wait_for: tuple[int, ...] = (0, 1)) -> None:
        self.scenario, self.out, self.wait_for = scenario, out, wait_for
        port = str(_free_port())
        self.processes = [subprocess.Popen([sys.executable, str(_WORKER), scenario, str(rank), "2", port, str(out)],
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                          for rank in (0, 1)]

    def results(self) -> list[dict[str, Any]]:
        try:
            for rank in self.wait_for:
                output, _ = self.processes[rank].communicate(timeout=120)
                assert self.processes[rank].returncode == 0, f"rank {rank} of {self.scenario} failed:\n{output}"
        finally:
            for process in self.processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        return [json.loads((self.out / f"rank{rank}.json").read_text()) for rank in self.wait_for]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """The three two-process runs, side by side: the scenarios that succeed, and a rank 1 that dies or hangs."""
    started = {"main": _Ranks("main", tmp_path_factory.mktemp("main"))}
    for how in ("dead", "hang"):
        started[how] = _Ranks(how, tmp_path_factory.mktemp(how), wait_for=(0,))
    return {scenario: run.results() for scenario, run in started.items()}


@pytest.fixture(scope="module")
def ranks(runs: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return runs["main"]


def _assert_parameters_equal(ours: dict[str, list[Any]], reference: nn.Module) -> None:
    for name, p in reference.named_parameters():
        np.testing.assert_allclose(np.array(ours[name], dtype=np.float32), p.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def _one_process_training() -> nn.Module:
    """The reference: rank 0's initial model, trained alone on every step's whole batch."""
    model = worker.make_model(seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    for step in range(worker.STEPS):
        x, y = worker.global_batch(step, 2)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(Tensor(x)), tensor(y)).backward()
        optimizer.step()
    return model


@pytest.mark.parametrize("run", ["train", "train_small_buckets"])
def test_two_processes_train_as_one_on_the_concatenated_batches(ranks: list[dict[str, Any]], run: str) -> None:
    # The ranks started from different seeds: the broadcast at construction made rank 0's values everyone's.
    reference = _one_process_training()
    for rank in ranks:
        _assert_parameters_equal(rank[run], reference)


def test_no_sync_accumulation_matches_one_process(ranks: list[dict[str, Any]]) -> None:
    model = worker.make_model(seed=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5)
    for step in range(worker.MICRO_STEPS):
        x, y = worker.global_batch(step, 2)
        nn.functional.cross_entropy(model(Tensor(x)), tensor(y)).backward()
    optimizer.step()
    for rank in ranks:
        _assert_parameters_equal(rank["accumulate"], model)


def test_find_unused_parameters_averages_what_some_rank_used(ranks: list[dict[str, Any]]) -> None:
    # loss = sum(used(x) [+ rank0_only(x) on rank 0]) over 3 rows of x = rank + 1: d/dW = 3 (rank + 1) per entry,
    # d/db = 3; the mean over the ranks counts a rank that did not use a parameter as a zero.
    for rank in ranks:
        grads = rank["unused"]
        assert grads["used.weight"] == [[4.5, 4.5], [4.5, 4.5]] and grads["used.bias"] == [3.0, 3.0]
        assert grads["rank0_only.weight"] == [[1.5, 1.5], [1.5, 1.5]] and grads["rank0_only.bias"] == [1.5, 1.5]
        assert grads["never.weight"] is None and grads["never.bias"] is None


def test_an_unused_parameter_without_find_unused_parameters_is_named(ranks: list[dict[str, Any]]) -> None:
    for rank in ranks:
        message = rank["unused_refused"]
        assert "expected to have finished reduction in the prior iteration" in message
        assert "'never.weight'" in message and "find_unused_parameters=True" in message
        assert "'used.weight'" not in message


def test_different_models_are_refused_at_construction_naming_the_parameter(ranks: list[dict[str, Any]]) -> None:
    for rank in ranks:
        assert "the ranks built different models: '0.weight' has shape (4, 3)" in rank["mismatch"]
        assert "shape (5, 3) and dtype float32 on rank 1" in rank["mismatch"]


def test_collectives_take_edugrad_tensors_through_the_facade(ranks: list[dict[str, Any]]) -> None:
    for index, rank in enumerate(ranks):
        assert rank["collectives"] == {"summed": [3.0, 6.0], "max": [1, 10], "broadcast": [1.0, 1.0, 1.0],
                                       "rank": index, "world_size": 2}


def test_buffers_are_rank_0s_after_construction_and_before_each_training_forward(
        ranks: list[dict[str, Any]]) -> None:
    for rank in ranks:
        assert rank["buffers"] == {"construction": [0.0, 10.0], "forward": [5.0, 6.0]}


@pytest.mark.parametrize("how", ["dead", "hang"])
def test_a_rank_that_dies_or_hangs_gives_a_clear_error_within_the_timeout(runs: dict[str, Any], how: str) -> None:
    (rank0,) = runs[how]
    assert "DistributedDataParallel: the all-reduce of gradient bucket 0" in rank0["error"]
    assert "on rank 0 of 2: another process of the group died or did not reach the same step" in rank0["error"]
    # A dead peer's connection closes at once; a hanging one is given up after the process group's 3 s timeout.
    assert rank0["seconds"] < 30
    if how == "hang":
        assert rank0["seconds"] >= 2.9 and "Timed out" in rank0["error"]


def _write_idx(path: Path, values: np.ndarray[Any, Any]) -> None:
    """An IDX file of uint8 values: two zero bytes, the type 0x08, the number of axes, each size (big-endian)."""
    sizes = b"".join(int(n).to_bytes(4, "big") for n in values.shape)
    path.write_bytes(bytes([0, 0, 8, values.ndim]) + sizes + values.astype(np.uint8).tobytes())


def test_the_mnist_example_trains_under_torchrun(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for stem, count in (("train", 64), ("t10k", 32)):
        _write_idx(tmp_path / f"{stem}-images-idx3-ubyte", rng.integers(0, 256, (count, 28, 28)))
        _write_idx(tmp_path / f"{stem}-labels-idx1-ubyte", rng.integers(0, 10, count))
    example = Path(__file__).resolve().parents[2] / "examples" / "mnist.py"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", str(example),
               "--data-dir", str(tmp_path), "--epochs", "1", "--batch-size", "16", "--save", str(tmp_path / "w.st")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("final test accuracy on mnist") == 1  # rank 0 alone evaluates and saves
    saved = nn.load(tmp_path / "w.st")
    assert sorted(saved) == ["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight", "fc.bias", "fc.weight"]


@pytest.mark.parametrize(("cap", "first"), [(25 * 2**20, 2**20), (3000, 3000), (2000, 500), (1, 1)])
def test_buckets_are_torchs(cap: int, first: int) -> None:
    from edugrad.nn.parallel.reducer import assign_buckets

    layers = [nn.Linear(20, 30), nn.Linear(30, 30).double(), nn.Linear(30, 10), nn.Linear(10, 4).double()]
    ours = list(nn.Sequential(*layers).named_parameters())
    theirs = [torch.zeros(p.shape, dtype=getattr(torch, p.dtype.name)) for _, p in reversed(ours)]
    expected, _ = torch.distributed._compute_bucket_assignment_by_size(theirs, [first, cap])
    names = [name for name, _ in reversed(ours)]
    assert [[name for name, _ in b.params] for b in assign_buckets(ours, cap, first)] == \
        [[names[i] for i in bucket] for bucket in expected]


# DistributedSampler, in one process (num_replicas and rank given)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("size", "replicas"), [(10, 3), (12, 4), (5, 2), (2, 4), (7, 7), (1, 3)])
def test_distributed_sampler_splits_as_torchs(size: int, replicas: int, drop_last: bool) -> None:
    data = list(range(size))
    for rank in range(replicas):
        ours = DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("drop_last", [False, True])
def test_a_shuffled_epoch_is_split_exactly_and_set_epoch_changes_it(drop_last: bool) -> None:
    from edugrad.tensor import Generator, randperm

    size, replicas = 11, 3
    for epoch in (0, 1):
        order = randperm(size, generator=Generator().manual_seed(7 + epoch)).tolist()
        shares = []
        for rank in range(replicas):
            ours = DistributedSampler(list(range(size)), replicas, rank, seed=7, drop_last=drop_last)
            ours.set_epoch(epoch)
            # torch's unshuffled split gives the positions each rank takes in the (shuffled) order
            positions = torch.utils.data.DistributedSampler(list(range(size)), replicas, rank, shuffle=False,
                                                            drop_last=drop_last)
            shares.append(list(ours))
            assert shares[-1] == [order[i] for i in positions]
        covered = sorted(i for share in shares for i in share)
        assert covered == (sorted(order[:9]) if drop_last else sorted(order + order[:1]))
    first = DistributedSampler(list(range(size)), replicas, 0, seed=7)
    again = DistributedSampler(list(range(size)), replicas, 0, seed=7)
    assert list(first) == list(again)  # no set_epoch: the same order every time, as torch


def test_distributed_sampler_refuses_a_bad_rank_and_needs_a_group_for_defaults() -> None:
    with pytest.raises(ValueError, match=r"DistributedSampler: invalid rank 3, rank should be in the interval \[0, 2\]"):
        DistributedSampler(list(range(4)), num_replicas=3, rank=3)
    with pytest.raises(ValueError):
        torch.utils.data.DistributedSampler(list(range(4)), num_replicas=3, rank=3)
    with pytest.raises(RuntimeError, match="DistributedSampler: .*call init_process_group first"):
        DistributedSampler(list(range(4)))


# in one process: what needs no process group


def test_ddp_needs_a_process_group() -> None:
    from edugrad.nn.parallel import DistributedDataParallel

    with pytest.raises(RuntimeError, match="DistributedDataParallel: no process group; call init_process_group"):
        DistributedDataParallel(nn.Linear(2, 2))


def test_without_torch_the_names_import_and_say_how_to_install() -> None:
    # A fresh interpreter where `import torch` fails (sys.modules["torch"] = None blocks it), as without torch.
    program = """
import sys
sys.modules["torch"] = None
import edugrad.torch as torch
from edugrad.torch.nn.parallel import DistributedDataParallel
from edugrad.torch.distributed import init_process_group
print(torch.distributed.is_available(), torch.distributed.is_initialized())
for attempt in (lambda: DistributedDataParallel(torch.nn.Linear(2, 2)), lambda: init_process_group("gloo"),
                lambda: torch.distributed.ReduceOp):
    try:
        attempt()
    except ImportError as error:
        print(error)
"""
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and lines[0] == "False False", result.stderr
    hint = "install it with pip install 'edugrad-nn[distributed]'"
    assert lines[1].startswith("DistributedDataParallel runs on PyTorch's torch.distributed") and hint in lines[1]
    assert lines[2].startswith("init_process_group runs on PyTorch's") and hint in lines[2]
    assert lines[3].startswith("edugrad.nn.distributed.ReduceOp runs on PyTorch's") and hint in lines[3]
