"""Tests of the DataLoader's worker processes (`num_workers > 0`).

The batches must be those of `torch.utils.data.DataLoader` with the same number of workers (map-style and
IterableDataset, in order), the same as without workers, and reproducible under `manual_seed`; the workers
must run `worker_init_fn`, answer `get_worker_info()`, seed themselves per worker, re-raise their exceptions in
the main process with their traceback, honour prefetch_factor, timeout and persistent_workers, and stop cleanly:
at the end of an epoch, when the iterator is dropped, when the program ends, and when the main process dies.
Each test keeps its datasets tiny: what is tested is the machinery, not speed.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import namedtuple
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.utils.data as tud

from edugrad.nn.data import DataLoader, Dataset, IterableDataset, RandomSampler, TensorDataset, get_worker_info
from edugrad.tensor import Generator, Tensor, manual_seed, rand, tensor

pytestmark = [
    pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                       reason="worker processes need the fork start method"),
    pytest.mark.filterwarnings("ignore:This DataLoader will create:UserWarning"),  # torch's, on a 2-core machine
]


@pytest.fixture(autouse=True)
def _collect_dropped_iterators() -> Iterator[None]:
    """An iterator that a test leaves behind (a traceback held by pytest.raises refers to it) stops its workers
    when it is collected: collect it now, so that no test sees another test's workers."""
    yield
    gc.collect()


def _numpy(value: Any) -> Any:
    if isinstance(value, (Tensor, torch.Tensor)):
        return value.numpy().tolist()
    if isinstance(value, dict):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_numpy(item) for item in value]
    return value


class Squares(Dataset[tuple[Tensor, int]]):
    """Sample i is (a vector of i, i ** 2), built one at a time in whichever process asks."""

    def __init__(self, count: int = 10) -> None:
        self.count = count

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        return tensor(np.full(3, index, dtype=np.float32)), index**2

    def __len__(self) -> int:
        return self.count


class TorchSquares(tud.Dataset):  # type: ignore[type-arg]
    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.full((3,), float(index)), index**2

    def __len__(self) -> int:
        return 10


def _share(start: int, stop: int, info: Any) -> range:
    """The part of range(start, stop) that worker `info` should produce (all of it in the main process)."""
    if info is None:
        return range(start, stop)
    per_worker = math.ceil((stop - start) / info.num_workers)
    first = start + info.id * per_worker
    return range(first, min(first + per_worker, stop))


class Sharded(IterableDataset[int]):
    """torch's documented example: each worker yields its own share of start .. stop - 1."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop

    def __iter__(self) -> Iterator[int]:
        return iter(_share(self.start, self.stop, get_worker_info()))


class TorchSharded(tud.IterableDataset):  # type: ignore[type-arg]
    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop

    def __iter__(self) -> Iterator[int]:
        return iter(_share(self.start, self.stop, tud.get_worker_info()))


class WhoAmI(Dataset[dict[str, Any]]):
    """Sample i says which worker made it, with what seed, and what its random streams draw."""

    def __getitem__(self, index: int) -> dict[str, Any]:
        info = get_worker_info()
        return {"index": index, "worker": info.id, "workers": info.num_workers, "seed": info.seed,
                "random": random.random(), "edugrad": rand(1).item(), "numpy": float(np.random.random()),
                "same_dataset": info.dataset is self}

    def __len__(self) -> int:
        return 6


# batches

@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("options", [{"batch_size": 3}, {"batch_size": 4, "drop_last": True}, {"batch_size": None},
                                     {"batch_sampler": [[3, 1], [0], [9, 9, 2]]}],
                         ids=["3", "drop_last", "no batching", "batch_sampler"])
def test_batches_match_torch_with_workers(workers: int, options: dict[str, Any]) -> None:
    ours = [_numpy(b) for b in DataLoader(Squares(), num_workers=workers, **options)]
    theirs = [_numpy(b) for b in tud.DataLoader(TorchSquares(), num_workers=workers, **options)]
    assert ours == theirs
    assert ours == [_numpy(b) for b in DataLoader(Squares(), **options)]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_an_iterable_dataset_interleaves_the_workers_as_torch_does(workers: int) -> None:
    ours = [_numpy(b) for b in DataLoader(Sharded(3, 14), batch_size=2, num_workers=workers)]
    theirs = [_numpy(b) for b in tud.DataLoader(TorchSharded(3, 14), batch_size=2, num_workers=workers)]
    assert ours == theirs
    assert sorted(v for batch in ours for v in batch) == list(range(3, 14))


def test_every_worker_iterates_its_own_copy_of_a_stream() -> None:
    """Without sharding, each worker yields the whole stream (torch's documented duplicate data)."""
    class Whole(IterableDataset[int]):
        def __iter__(self) -> Iterator[int]:
            return iter(range(3))

    assert sorted(_numpy(b) for b in DataLoader(Whole(), batch_size=None, num_workers=2)) == [0, 0, 1, 1, 2, 2]


def test_shuffled_orders_are_the_same_with_and_without_workers() -> None:
    def order(workers: int) -> list[int]:
        loader = DataLoader(TensorDataset(np.arange(40)), batch_size=6, shuffle=True, num_workers=workers,
                            generator=Generator().manual_seed(3))
        return [v for batch in loader for v in _numpy(batch[0])]

    assert order(0) == order(2) == order(3) and sorted(order(2)) == list(range(40))


def test_out_of_order_delivery_gives_every_batch_once() -> None:
    loader = DataLoader(Squares(30), batch_size=4, num_workers=3, in_order=False)
    batches = [_numpy(b[1]) for b in loader]
    assert sorted(v for batch in batches for v in batch) == [i * i for i in range(30)]
    assert len(batches) == len(loader) == 8


def test_batches_of_strings_dicts_and_custom_collate_functions_travel_intact() -> None:
    samples = [{"name": f"s{i}", "value": float(i), "pair": (i, "x")} for i in range(5)]
    ours = [_numpy(b) for b in DataLoader(samples, batch_size=2, num_workers=2)]
    assert ours == [_numpy(b) for b in tud.DataLoader(samples, batch_size=2, num_workers=2)]
    assert list(DataLoader(samples, batch_size=2, num_workers=2, collate_fn=len)) == [2, 2, 1]


def test_large_batches_do_not_block_the_pipes() -> None:
    """Index lists and batches larger than a pipe's buffer, several in flight at once."""
    data = np.arange(60_000, dtype=np.int64)
    loader = DataLoader(TensorDataset(data), batch_size=20_000, num_workers=2, prefetch_factor=4)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in loader]), data)


def test_a_batch_that_cannot_travel_names_its_type() -> None:
    Pair = namedtuple("Pair", ["a", "b"])
    loader = DataLoader([Pair(1, 2)], batch_size=1, num_workers=1)
    with pytest.raises(TypeError, match="(?s)Caught TypeError in DataLoader worker process 0.*obj is a Pair"):
        next(iter(loader))


# workers: init, info, seeds

def test_worker_init_fn_and_get_worker_info_in_every_worker(tmp_path: Any) -> None:
    def init(worker_id: int) -> None:
        info = get_worker_info()
        (tmp_path / f"init-{worker_id}").write_text(f"{info.id} {info.num_workers} {os.getpid()}")

    manual_seed(5)
    batches = list(DataLoader(WhoAmI(), batch_size=None, num_workers=3, worker_init_fn=init))
    assert [b["worker"] for b in batches] == [0, 1, 2, 0, 1, 2]  # round robin
    assert all(b["workers"] == 3 and b["same_dataset"] for b in batches)
    seeds = {b["worker"]: b["seed"] for b in batches}
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0] + 2  # base_seed + worker_id
    pids = {int((tmp_path / f"init-{w}").read_text().split()[2]) for w in range(3)}
    assert len(pids) == 3 and os.getpid() not in pids
    assert get_worker_info() is None


def test_each_worker_draws_its_own_random_numbers_reproducibly() -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        manual_seed(seed)
        return list(DataLoader(WhoAmI(), batch_size=None, num_workers=2))

    first = run(1)
    assert first == run(1) and first != run(2)
    for stream in ("random", "edugrad", "numpy"):
        by_worker = [b[stream] for b in first if b["index"] < 2]  # the first draw of worker 0 and of worker 1
        assert by_worker[0] != by_worker[1], stream


def test_a_generator_sets_the_base_seed() -> None:
    def seeds(generator_seed: int) -> list[int]:
        loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2, generator=Generator().manual_seed(generator_seed))
        return [b["seed"] for b in loader]

    assert seeds(4) == seeds(4) != seeds(5)


# errors

class Unreadable(Dataset[int]):
    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getitem__(self, index: int) -> int:
        if index == 2:
            raise self.error
        return index

    def __len__(self) -> int:
        return 4


class DatasetTrouble(Exception):
    """An exception class of the program's own, which the main process knows too (it forked the worker)."""


class NeedsTwoArguments(Exception):
    def __init__(self, a: str, b: str) -> None:
        super().__init__(a + b)


@pytest.mark.parametrize(("error", "expected"), [(ValueError("no pixels"), ValueError),
                                                 (KeyError("missing"), KeyError),
                                                 (DatasetTrouble("broken file"), DatasetTrouble),
                                                 (NeedsTwoArguments("a", "b"), RuntimeError)])
def test_a_worker_exception_is_raised_in_the_main_process_with_its_traceback(error: Exception,
                                                                              expected: type[Exception]) -> None:
    loader = DataLoader(Unreadable(error), batch_size=None, num_workers=2)
    iterator = iter(loader)
    assert [next(iterator), next(iterator)] == [0, 1]
    with pytest.raises(expected) as caught:
        next(iterator)
    message = str(caught.value)
    assert message.startswith(f"Caught {type(error).__name__} in DataLoader worker process 0.\n"
                              "Original Traceback (most recent call last):")
    assert "in __getitem__\n    raise self.error" in message
    assert next(iterator) == 3  # the worker survives its exception, as in torch


def test_a_failing_worker_init_fn_is_raised_at_the_first_batch() -> None:
    def init(worker_id: int) -> None:
        raise OSError(f"worker {worker_id} cannot open its shard")

    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process 0(.|\n)*cannot open its shard"):
        next(iter(DataLoader(Squares(), num_workers=2, worker_init_fn=init)))


def test_timeout_bounds_the_wait_for_a_batch() -> None:
    class Slow(Squares):
        def __getitem__(self, index: int) -> tuple[Tensor, int]:
            time.sleep(1)
            return super().__getitem__(index)

    iterator = iter(DataLoader(Slow(), num_workers=1, timeout=0.2))
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(iterator)
    assert time.perf_counter() - started < 0.9
    del iterator


@pytest.mark.parametrize(("how", "reason"), [("exit", "with exit code 3"), ("kill", r"\(killed by signal SIGKILL\)")])
def test_a_worker_that_dies_is_reported_not_waited_for(how: str, reason: str) -> None:
    class Deadly(Squares):
        def __getitem__(self, index: int) -> tuple[Tensor, int]:
            if index == 1:
                os._exit(3) if how == "exit" else os.kill(os.getpid(), signal.SIGKILL)
            return super().__getitem__(index)

    iterator = iter(DataLoader(Deadly(), num_workers=2))
    with pytest.raises(RuntimeError, match=rf"DataLoader worker 1 \(pid \d+\) exited unexpectedly {reason}"):
        list(iterator)
    assert not any(p.is_alive() for p in iterator.processes)  # type: ignore[attr-defined]  (the other one too)


# prefetching and persistent workers

def test_prefetch_factor_bounds_the_batches_in_flight() -> None:
    fetched = multiprocessing.get_context("fork").Value("i", 0)

    class Counted(Squares):
        def __getitem__(self, index: int) -> tuple[Tensor, int]:
            with fetched.get_lock():
                fetched.value += 1
            return super().__getitem__(index)

    iterator = iter(DataLoader(Counted(40), num_workers=1, prefetch_factor=3))
    next(iterator)  # 3 tasks were sent at the start, and one more when this batch was handed over
    deadline = time.monotonic() + 10
    while fetched.value < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert fetched.value == 4
    del iterator


def test_persistent_workers_serve_every_epoch() -> None:
    loader = DataLoader(Squares(10), batch_size=3, shuffle=True, num_workers=2, persistent_workers=True)
    epochs = [[v for batch in loader for v in _numpy(batch[1])] for _ in range(3)]
    assert all(sorted(epoch) == [i * i for i in range(10)] for epoch in epochs)
    workers = loader._iterator.processes
    half = iter(loader)
    next(half)  # an epoch abandoned half-way: the next one starts afresh, with the same processes
    assert sorted(v for batch in loader for v in _numpy(batch[1])) == [i * i for i in range(10)]
    assert loader._iterator.processes is workers and all(p.is_alive() for p in workers)
    streams = DataLoader(Sharded(0, 6), batch_size=2, num_workers=2, persistent_workers=True)
    assert [sorted(v for b in streams for v in _numpy(b)) for _ in range(2)] == [list(range(6))] * 2
    del loader, half, streams
    gc.collect()
    for process in workers:
        assert not process.is_alive() and process.exitcode == 0


def test_persistent_workers_start_afresh_after_a_worker_died(tmp_path: Any) -> None:
    marker = tmp_path / "died"

    class DiesOnce(Squares):
        def __getitem__(self, index: int) -> tuple[Tensor, int]:
            if index == 3 and not marker.exists():
                marker.touch()
                os._exit(1)
            return super().__getitem__(index)

    loader = DataLoader(DiesOnce(6), batch_size=2, num_workers=2, persistent_workers=True)
    with pytest.raises(RuntimeError, match="exited unexpectedly with exit code 1"):
        list(loader)
    assert [_numpy(b[1]) for b in loader] == [[0, 1], [4, 9], [16, 25]]


# shutting down

def _assert_reaped(pids: list[int]) -> None:
    for pid in pids:
        with pytest.raises(ChildProcessError):  # neither running nor a zombie: already waited for
            os.waitpid(pid, os.WNOHANG)


def test_workers_stop_at_the_end_of_an_epoch() -> None:
    iterator = iter(DataLoader(Squares(), batch_size=4, num_workers=2))
    processes = list(iterator.processes)  # type: ignore[attr-defined]
    assert len(list(iterator)) == 3
    assert all(p.exitcode == 0 for p in processes)
    _assert_reaped([p.pid for p in processes])


def test_workers_stop_when_the_iterator_is_dropped_mid_epoch() -> None:
    iterator = iter(DataLoader(Squares(1000), batch_size=2, num_workers=2))
    next(iterator)
    processes = list(iterator.processes)  # type: ignore[attr-defined]
    del iterator
    gc.collect()
    assert all(p.exitcode == 0 for p in processes)
    _assert_reaped([p.pid for p in processes])


def test_the_makemore_loop_restarts_an_endless_loader() -> None:
    """makemore's InfiniteDataLoader: next() on an iterator over an endless RandomSampler, with workers."""
    dataset = TensorDataset(np.arange(50), np.arange(50) % 7)
    sampler = RandomSampler(dataset, replacement=True, num_samples=int(1e10))
    loader = DataLoader(dataset, sampler=sampler, batch_size=8, pin_memory=True, num_workers=2)
    batches = iter(loader)
    for _ in range(30):
        x, y = next(batches)
        assert x.shape == (8,) and np.array_equal(y.numpy(), x.numpy() % 7)
    processes = list(batches.processes)  # type: ignore[attr-defined]
    del batches
    gc.collect()
    _assert_reaped([p.pid for p in processes])


def _run_script(body: str) -> subprocess.Popen[str]:
    script = textwrap.dedent("""
        import sys
        import numpy as np
        from edugrad.nn.data import DataLoader, TensorDataset
        loader = DataLoader(TensorDataset(np.arange(1000)), batch_size=2, num_workers=2, persistent_workers=True)
        batches = iter(loader)
        next(batches)
        print(*(p.pid for p in loader._iterator.processes), flush=True)
    """) + textwrap.dedent(body)
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _wait_until_gone(pids: list[int], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids), [pid for pid in pids if not _gone(pid)]


def test_persistent_workers_do_not_keep_a_finished_program_alive() -> None:
    program = _run_script("print('done', flush=True)")  # ends with the workers busy and alive
    out, err = program.communicate(timeout=60)
    assert program.returncode == 0, err
    pids = [int(pid) for pid in out.split()[:2]]
    assert out.split()[2] == "done" and "Traceback" not in err
    _wait_until_gone(pids, 10)


def test_workers_exit_when_the_main_process_is_killed() -> None:
    program = _run_script("import time; time.sleep(60)")
    assert program.stdout is not None
    pids = [int(pid) for pid in program.stdout.readline().split()]
    program.kill()
    program.communicate(timeout=60)
    _wait_until_gone(pids, 3)  # they see their pipe close, well before their watchdog would notice


def test_without_fork_the_loader_warns_and_loads_in_the_main_process(monkeypatch: pytest.MonkeyPatch) -> None:
    class Pids(Squares):
        def __getitem__(self, index: int) -> tuple[Tensor, int]:
            return tensor(np.full(3, index, dtype=np.float32)), os.getpid()

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # as on Windows
    with pytest.warns(UserWarning, match="num_workers=2 needs worker processes started by forking"):
        loader = DataLoader(Pids(), batch_size=5, num_workers=2)
    assert [_numpy(b[1]) for b in loader] == [[os.getpid()] * 5] * 2
