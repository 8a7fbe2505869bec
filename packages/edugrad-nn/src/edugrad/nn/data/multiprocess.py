"""The main process's side of loading with worker processes: start them, hand out tasks, collect the batches
in order, and stop them.

Top layer (`edugrad.nn.data`), after PyTorch's `_MultiProcessingDataLoaderIter`. `worker.py` is what runs in
each worker; this module is what the main process runs. The workers are forked, so they start with a copy of
everything (the dataset, the collate_fn) and nothing is pickled; each talks to the main process through its
own pipe. A task is one entry of the index sampler, numbered in the order the sampler gave it, and sent to
the workers in turn (round robin). At most `prefetch_factor` tasks per worker are out at any time: each batch
the iterator hands over makes room for the next task, so the workers keep loading while the model trains.

Every task gets exactly one answer (a batch, an error, or "this stream has ended"). With `in_order`, the
answers are handed over in task order, keeping those that arrive early; without it, as they arrive. A worker's
exception is raised in the main process when its batch is due, with the worker's traceback in the message.

Shutting down: when an epoch ends (unless the workers persist), when the iterator is garbage-collected, or at
the end of the program, each worker gets a stop message and is joined; one that does not stop in time is
terminated. A worker whose main process dies sees its pipe close (or its parent change) and exits by itself.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import weakref
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

import numpy as np

from edugrad.nn.data.worker import WorkerJob, run_worker
from edugrad.nn.serialization import loads

if TYPE_CHECKING:
    from edugrad.nn.data.loader import DataLoader

__all__ = ["MultiProcessIterator"]

#: How long a stopping worker may take to finish its current batch before it is terminated.
JOIN_SECONDS = 5.0


class MultiProcessIterator(Iterator[Any]):
    """The batches of one DataLoader, loaded by `loader.num_workers` worker processes."""

    def __init__(self, loader: DataLoader[Any], base_seed: int) -> None:
        self.loader = loader
        self.timeout = loader.timeout or None
        self.processes: list[BaseProcess] = []
        self.conns: list[Connection] = []
        context = multiprocessing.get_context("fork")
        for worker_id in range(loader.num_workers):
            main_end, worker_end = context.Pipe()
            job = WorkerJob(worker_id=worker_id, num_workers=loader.num_workers, main_pid=os.getpid(),
                            seed=base_seed + worker_id, dataset=loader.dataset, auto_collation=loader._auto_collation,
                            collate_fn=loader.collate_fn, drop_last=loader.drop_last,
                            worker_init_fn=loader.worker_init_fn)
            # The child closes the main process's ends it inherited, its own included: then the end of its pipe
            # shows when the main process goes away.
            process = context.Process(target=run_worker, args=(job, worker_end, [*self.conns, main_end]),
                                      daemon=True, name=f"DataLoader worker {worker_id}")
            process.start()
            worker_end.close()  # the worker holds its end now; closed here, its death reads as the end of the pipe
            self.processes.append(process)
            self.conns.append(main_end)
        # Not a method of self: the finalizer must not keep the iterator alive, or it would never be collected.
        self._stop = weakref.finalize(self, _stop_workers, self.processes, self.conns, os.getpid())
        self.next_task = 0  # the number of the next task to send
        self.outstanding: dict[int, int] = {}  # task -> the worker it was sent to
        self.arrived: dict[int, tuple[dict[str, Any], bytes]] = {}  # answers not handed over yet
        self._start_epoch()

    def _start_epoch(self) -> None:
        self.indices = iter(self.loader._index_sampler)
        self.sampler_done = False
        self.active = [True] * len(self.processes)  # False once a worker's copy of a stream has ended
        self.turn = 0  # the worker the next task goes to, if it is active
        for _ in range(self.loader.prefetch_factor * len(self.processes)):  # type: ignore[operator]
            self._send_task()

    @property
    def alive(self) -> bool:
        """Whether the workers still run (they stop at the end of an epoch unless persistent, or on an error)."""
        return self._stop.alive

    def reset(self) -> None:
        """Start a new epoch with the same (persistent) workers: drop what the last epoch left unread, have
        every worker start its stream again, and send the first tasks."""
        while self.outstanding:
            self._receive()
            for task in list(self.arrived):
                self.arrived.pop(task)
                self.outstanding.pop(task)
        for conn in self.conns:
            conn.send_bytes(json.dumps({"resume": True}).encode())
        self._start_epoch()

    def __next__(self) -> Any:
        """The next batch; StopIteration at the end of the epoch (which stops non-persistent workers)."""
        while self.outstanding:
            task = min(self.outstanding) if self.loader.in_order else None
            header, payload = self._answer(task)
            worker = self.outstanding.pop(header["task"])
            if "end" in header:  # this worker's copy of the stream has ended: send it nothing more
                self.active[worker] = False
            self._send_task()
            if "end" in header:
                continue
            if "error" in header:
                raise _worker_error(header["error"])
            return loads(payload)
        if not self.loader.persistent_workers:
            self._stop()
        raise StopIteration

    def __len__(self) -> int:
        """The number of batches of an epoch, as `len(loader)`."""
        return len(self.loader)

    def _send_task(self) -> None:
        """Send the sampler's next entry to the next active worker, if there is one and the sampler has more."""
        if self.sampler_done or not any(self.active):
            return
        try:
            index = next(self.indices)
        except StopIteration:
            self.sampler_done = True
            return
        while not self.active[self.turn]:
            self.turn = (self.turn + 1) % len(self.processes)
        message = json.dumps({"fetch": self.next_task, "index": index}, default=_plain)
        self.conns[self.turn].send_bytes(message.encode())
        self.outstanding[self.next_task] = self.turn
        self.next_task += 1
        self.turn = (self.turn + 1) % len(self.processes)

    def _answer(self, task: int | None) -> tuple[dict[str, Any], bytes]:
        """The answer to `task` (the first to arrive if None), waiting for it if it has not arrived yet."""
        while not self.arrived or (task is not None and task not in self.arrived):
            self._receive()
        return self.arrived.pop(next(iter(self.arrived)) if task is None else task)

    def _receive(self) -> None:
        """Wait for at least one answer (at most `timeout` seconds, if one is set) and keep what arrived."""
        ready = wait(self.conns, self.timeout)
        if not ready:
            raise RuntimeError(f"DataLoader timed out after {self.loader.timeout} seconds")
        for conn in ready:
            try:
                message = conn.recv_bytes()  # type: ignore[union-attr]
            except (EOFError, OSError):
                raise self._died(self.conns.index(conn)) from None  # type: ignore[arg-type]
            line, _, payload = message.partition(b"\n")
            header = json.loads(line)
            self.arrived[header["task"]] = (header, payload)

    def _died(self, worker: int) -> RuntimeError:
        """The error for a worker whose pipe closed without a stop message; stops the others."""
        process = self.processes[worker]
        process.join(JOIN_SECONDS)
        self._stop()
        return RuntimeError(f"DataLoader worker {worker} (pid {process.pid}) exited unexpectedly "
                            f"{_exit_reason(process.exitcode)}")


def _plain(value: Any) -> Any:
    """NumPy integers and arrays in an index, as JSON's ints and lists (what a custom sampler may yield)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"DataLoader: the sampler gave an index of type {type(value).__name__}; with worker "
                    "processes an index must be an int, a string, None, or a list of them (it is sent as JSON)")


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "and did not finish"
    if code < 0:
        return f"(killed by signal {signal.Signals(-code).name})"
    return f"with exit code {code}"


def _stop_workers(processes: list[BaseProcess], conns: list[Connection], creator: int) -> None:
    """Ask every worker to stop, close the pipes, and join them (terminating those that do not stop)."""
    if os.getpid() != creator:  # a forked copy of the iterator in some other process owns nothing
        return
    for conn in conns:
        try:
            conn.send_bytes(json.dumps({"stop": True}).encode())
        except OSError:
            pass  # the worker is gone already
        conn.close()
    for process in processes:
        process.join(JOIN_SECONDS)
        if process.is_alive():
            process.terminate()
            process.join()


class _Message(str):
    """An exception message that shows as itself: KeyError would otherwise show the repr of its argument,
    the traceback as one line of escaped newlines."""

    def __repr__(self) -> str:
        return str(self)


def _worker_error(report: dict[str, Any]) -> BaseException:
    """The exception a worker reported, as an exception of the same class when the main process can build one
    (the classes are the same in a forked process), else a RuntimeError, with the worker's traceback."""
    text = _Message(f"Caught {report['type']} in DataLoader worker process {report['worker']}.\n"
                    f"Original {report['traceback']}")
    owner: Any = sys.modules.get(report["module"])
    for part in report["type"].split("."):
        owner = getattr(owner, part, None)
    if isinstance(owner, type) and issubclass(owner, Exception):
        try:
            return owner(text)
        except Exception:
            pass  # a constructor that needs other arguments
    return RuntimeError(text)
