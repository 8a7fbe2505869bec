"""What runs inside a DataLoader worker process, and `get_worker_info()`, which tells code there where it runs.

Top layer (`edugrad.nn.data`), after `torch.utils.data._utils.worker`. A worker is a forked copy of the main
process: it already holds the dataset, the collate_fn and the worker_init_fn, so nothing has to be pickled
to start it. It seeds its random streams, calls `worker_init_fn(worker_id)`, and then answers tasks from the
main process until told to stop. A task names one entry of the index sampler (a list of indices, as JSON); the
answer is the batch, as the bytes of `edugrad.nn.serialization.dumps`, or the exception it raised, with its
traceback as text. No pickle travels in either direction.

Each answer is one message: a JSON header line, then the payload.

    main -> worker   {"fetch": task, "index": [3, 17, ...]}   {"resume": true}   {"stop": true}
    worker -> main   {"task": task, "batch": true}\\n<dumps(batch)>
                     {"task": task, "error": {"type": ..., "module": ..., "traceback": ...}}
                     {"task": task, "end": true}        (an IterableDataset copy has no more samples)

Seeding, as PyTorch's workers do: worker `i` gets the seed `base_seed + i` (the main process draws `base_seed`
for each new iterator), for edugrad's global random stream (`manual_seed`) and Python's `random`, and NumPy's
legacy global generator (`np.random.seed`) gets one derived from both. So two workers never draw the same
augmentations, and `manual_seed` in the main process fixes what every worker draws.

A thread of the worker reads the tasks as they come and queues them, so the main process never waits to hand
out work while the worker is busy sending a large batch back (with both waiting on each other, they would hang).
"""

from __future__ import annotations

import json
import os
import queue
import random
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from edugrad.nn.data.fetch import Fetcher, make_fetcher
from edugrad.nn.serialization import dumps
from edugrad.tensor import manual_seed

__all__ = ["WorkerInfo", "get_worker_info", "run_worker"]

#: How often an idle worker checks that the process that started it still runs.
WATCHDOG_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerInfo:
    """About the current worker process, as PyTorch's: its `id` (0 to num_workers - 1), `num_workers`, the
    `seed` its random streams were seeded with, and its own copy of the `dataset`."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The `WorkerInfo` of this DataLoader worker process, or None in the main process, as
    `torch.utils.data.get_worker_info`. An IterableDataset's `__iter__` or a `worker_init_fn` uses it to give
    each worker its own share of the data."""
    return _worker_info


@dataclass(frozen=True)
class WorkerJob:
    """What a worker needs to know, all inherited through the fork (none of it is pickled)."""

    worker_id: int
    num_workers: int
    main_pid: int
    seed: int
    dataset: Any
    auto_collation: bool
    collate_fn: Any
    drop_last: bool
    worker_init_fn: Any


def run_worker(job: WorkerJob, conn: Connection, inherited: list[Connection]) -> None:
    """The body of worker process `job.worker_id`: answer the tasks that arrive on `conn` until a stop message,
    the end of the pipe, or the end of the main process. `inherited` are the main process's ends of the pipes
    (this worker's and those of the workers started before it), which the fork copied; once they are closed,
    the pipe ends when the main process goes away."""
    global _worker_info
    for other in inherited:
        other.close()
    _seed(job.seed)
    _worker_info = WorkerInfo(job.worker_id, job.num_workers, job.seed, job.dataset)
    init_error = _initialize(job)
    fetcher = init_error or _new_fetcher(job)
    tasks: queue.Queue[bytes | None] = queue.Queue()
    threading.Thread(target=_read_tasks, args=(conn, tasks), daemon=True).start()
    try:
        while (message := _next_message(tasks, job.main_pid)) is not None:
            if "resume" in message:  # a new epoch of persistent workers: start the stream again
                fetcher = init_error or _new_fetcher(job)
                continue
            conn.send_bytes(_answer(fetcher, message, job.worker_id))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the main process has stopped listening
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the main process reports it, once


def _seed(seed: int) -> None:
    manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence(seed).generate_state(4))


def _initialize(job: WorkerJob) -> Exception | None:
    """Call `worker_init_fn(worker_id)`, once per worker; the exception it raised, which then answers every task."""
    try:
        if job.worker_init_fn is not None:
            job.worker_init_fn(job.worker_id)
    except Exception as error:
        return error
    return None


def _new_fetcher(job: WorkerJob) -> Fetcher | Exception:
    """A fetcher for a new epoch (a new iterator over a stream), or the exception making it raised."""
    try:
        return make_fetcher(job.dataset, job.auto_collation, job.collate_fn, job.drop_last)
    except Exception as error:
        return error


def _read_tasks(conn: Connection, tasks: queue.Queue[bytes | None]) -> None:
    """Move every message from the pipe into `tasks`; None when the pipe closes."""
    try:
        while True:
            tasks.put(conn.recv_bytes())
    except (EOFError, OSError):
        tasks.put(None)


def _next_message(tasks: queue.Queue[bytes | None], main_pid: int) -> dict[str, Any] | None:
    """The next task or resume message; None for a stop, a closed pipe, or a main process that is gone."""
    while True:
        try:
            raw = tasks.get(timeout=WATCHDOG_SECONDS)
        except queue.Empty:
            if os.getppid() != main_pid:  # the main process died (we were adopted by another) without a word
                return None
            continue
        message: dict[str, Any] | None = None if raw is None else json.loads(raw)
        return None if message is None or "stop" in message else message


def _answer(fetcher: Fetcher | Exception, message: dict[str, Any], worker_id: int) -> bytes:
    """The reply to one task: its batch, the end of the stream, or the exception that fetching it raised (or
    that starting the worker raised, when `fetcher` is that exception)."""
    task = message["fetch"]
    if isinstance(fetcher, Exception):
        return _error_message(task, fetcher, worker_id)
    try:
        return _header({"task": task, "batch": True}) + dumps(fetcher.fetch(message["index"]))
    except StopIteration:
        return _header({"task": task, "end": True})
    except Exception as error:  # in the dataset, the collate_fn, or a batch that dumps cannot encode
        return _error_message(task, error, worker_id)


def _error_message(task: int, error: Exception, worker_id: int) -> bytes:
    report = {"type": type(error).__qualname__, "module": type(error).__module__,
              "traceback": "".join(traceback.format_exception(error)), "worker": worker_id}
    return _header({"task": task, "error": report})


def _header(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields).encode() + b"\n"
