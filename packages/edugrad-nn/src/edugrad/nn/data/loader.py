"""`DataLoader`: iterate over a dataset in batches, in the main process or with worker processes.

Top layer (`edugrad.nn.data`), with the signature, argument checks and meaning of `torch.utils.data.DataLoader`.
A DataLoader is three parts put together:

- the index sampler: a `sampler` gives the order of the indices (`SequentialSampler`, or `RandomSampler` when
  `shuffle=True`) and a `batch_sampler` groups them into lists (`BatchSampler(sampler, batch_size,
  drop_last)`); an `IterableDataset` has no indices, and its batches are just the next `batch_size` samples;
- the fetcher (`fetch.py`), which turns one list of indices into one batch: `collate_fn(samples)`, or
  `dataset.get_batch(indices)` when collating with `default_collate` (one NumPy gather for a `TensorDataset`);
- where that runs: in the main process (`num_workers=0`), or in `num_workers` worker processes
  (`multiprocess.py` and `worker.py`), which load the next batches while the model trains on this one.

Shuffling draws from edugrad's random stream, as in PyTorch: a `RandomSampler` without a `generator` seeds its
permutation from the global stream each epoch, so `edugrad.tensor.manual_seed(s)` makes every epoch's order
reproducible; with `generator=g`, the order comes from `g` alone, and restoring `g`'s state (`g.set_state`)
resumes the sequence of orders. Worker processes are forked (start method "fork": they inherit the dataset
instead of receiving it pickled). Where the platform cannot fork (Windows), a DataLoader with workers warns
and loads in the main process. `pin_memory` is accepted and does nothing: edugrad's tensors live in CPU
memory, with no accelerator to copy them to.
"""

from __future__ import annotations

import math
import multiprocessing
import warnings
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

from edugrad.nn.data.collate import default_collate, default_convert
from edugrad.nn.data.dataset import IterableDataset
from edugrad.nn.data.fetch import make_fetcher
from edugrad.nn.data.multiprocess import MultiProcessIterator
from edugrad.nn.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, draw_seed
from edugrad.tensor import Generator

__all__ = ["DataLoader"]

T_co = TypeVar("T_co", covariant=True)

#: The attributes that define the batches; changing one after construction would leave the others stale.
_FIXED = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class _EndlessSampler(Sampler[None]):
    """The index sampler of an IterableDataset: None forever (a stream's batches need no indices)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader(Generic[T_co]):
    """Batches of `dataset`, as `torch.utils.data.DataLoader`: `batch_size` samples at a time, in order or
    shuffled anew each epoch (`shuffle`), or in the order of a `sampler` or `batch_sampler`; the last, smaller
    batch is dropped when `drop_last`; `batch_size=None` yields single samples. A batch is
    `collate_fn(list of samples)` (`default_collate` when None). `num_workers > 0` loads in that many worker
    processes, each keeping `prefetch_factor` batches in flight (2 by default), calling `worker_init_fn(id)`
    first; `persistent_workers` keeps them across epochs; `timeout` bounds the wait for one batch (seconds,
    0 for no bound); `in_order=False` hands out batches as they arrive. `generator` is the Generator of the
    shuffle and of the workers' base seed. `pin_memory` and `pin_memory_device` do nothing (CPU only), and
    `multiprocessing_context` may only be None or "fork"."""

    _initialized = False

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler[Any] | Iterable[Any] | None = None,
                 batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[Any], Any] | None = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: str | BaseContext | None = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers, multiprocessing_context)
        sampler, batch_sampler, batch_size, drop_last = _index_samplers(dataset, batch_size, shuffle, sampler,
                                                                        batch_sampler, drop_last, generator)
        if num_workers and not _can_fork():
            warnings.warn(f"DataLoader: num_workers={num_workers} needs worker processes started by forking, which "
                          "this platform cannot do; loading in the main process instead", stacklevel=2)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers and prefetch_factor is None else prefetch_factor
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._iterator: MultiProcessIterator | None = None  # the workers kept across epochs (persistent_workers)
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if self._initialized and name in _FIXED:
            raise ValueError(f"DataLoader: {name} cannot be changed after the DataLoader is made; make a new one")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        """Whether entries of the index sampler are lists of indices to collate (False: `batch_size=None`)."""
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        """What the fetcher gets one entry of at a time: the batch sampler, or the sampler without batching."""
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __iter__(self) -> Iterator[Any]:
        """The batches of one epoch."""
        if self.num_workers == 0 or not _can_fork():
            return self._in_main_process()
        if not self.persistent_workers:
            return MultiProcessIterator(self, draw_seed(self.generator))
        if self._iterator is None or not self._iterator.alive:  # first epoch, or the workers stopped on an error
            self._iterator = MultiProcessIterator(self, draw_seed(self.generator))
        else:
            self._iterator.reset()
        return self._iterator

    def _in_main_process(self) -> Iterator[Any]:
        # Drawn and unused, as PyTorch does, so a generator gives the same orders with and without workers.
        draw_seed(self.generator)
        fetcher = make_fetcher(self.dataset, self._auto_collation, self.collate_fn, self.drop_last)
        for index in self._index_sampler:
            try:
                batch = fetcher.fetch(index)
            except StopIteration:  # a stream has ended
                return
            yield batch

    def __len__(self) -> int:
        """The number of batches per epoch: that of the index sampler; for an IterableDataset, its length
        divided by batch_size (rounded down with drop_last, up without)."""
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return length
            return length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
        return len(self._index_sampler)  # type: ignore[arg-type]


def _index_samplers(dataset: Any, batch_size: int | None, shuffle: bool | None, sampler: Any, batch_sampler: Any,
                    drop_last: bool, generator: Generator | None) -> tuple[Any, Any, int | None, bool]:
    """PyTorch's rules for which of batch_size, shuffle, sampler, batch_sampler and drop_last go together, and
    the samplers they make: `(sampler, batch_sampler, batch_size, drop_last)`, with batch_sampler None
    without batching (`batch_size=None`)."""
    if isinstance(dataset, IterableDataset):
        _check_stream_options(shuffle, sampler, batch_sampler)
        sampler = _EndlessSampler()
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler and shuffle are mutually exclusive (a sampler decides the order)")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        raise ValueError("DataLoader: batch_sampler is mutually exclusive with batch_size, shuffle, sampler and "
                         "drop_last (the batch sampler decides all of them)")
    if batch_sampler is None and batch_size is None and drop_last:
        raise ValueError("DataLoader: batch_size=None loads single samples, so there is no last batch for drop_last "
                         "to drop")
    if sampler is None:
        sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    if batch_sampler is not None:
        return sampler, batch_sampler, None, False
    return sampler, None if batch_size is None else BatchSampler(sampler, batch_size, drop_last), batch_size, drop_last


def _check_workers(num_workers: int, timeout: float, prefetch_factor: int | None, persistent_workers: bool,
                   context: str | BaseContext | None) -> None:
    """PyTorch's checks of the multiprocessing options, and edugrad's one rule: workers are forked."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers must be a non-negative int (0 loads in the main process), got "
                         f"{num_workers!r}")
    if timeout < 0:
        raise ValueError(f"DataLoader: timeout must be non-negative (0 waits as long as it takes), got {timeout!r}")
    if num_workers == 0:
        for name, value, unset in (("prefetch_factor", prefetch_factor, None), ("timeout", timeout, 0),
                                   ("persistent_workers", persistent_workers, False),
                                   ("multiprocessing_context", context, None)):
            if value != unset:
                raise ValueError(f"DataLoader: {name}={value!r} needs worker processes (num_workers > 0), but "
                                 "num_workers=0 loads in the main process")
    if prefetch_factor is not None and (isinstance(prefetch_factor, bool) or not isinstance(prefetch_factor, int)
                                        or prefetch_factor < 1):
        raise ValueError(f"DataLoader: prefetch_factor must be a positive int, got {prefetch_factor!r}")
    method = context.get_start_method() if isinstance(context, BaseContext) else context
    if method not in (None, "fork"):
        raise ValueError(f"DataLoader: multiprocessing_context must be None or 'fork', got {context!r}: edugrad's "
                         "workers inherit the dataset by forking, since other start methods would pickle it")


def _check_stream_options(shuffle: bool | None, sampler: object, batch_sampler: object) -> None:
    """An IterableDataset decides its own order, so it takes no shuffle, sampler or batch_sampler."""
    for name, value, unset in (("shuffle", shuffle, False), ("sampler", sampler, None),
                               ("batch_sampler", batch_sampler, None)):
        if value is not None and value != unset:
            raise ValueError(f"DataLoader: an IterableDataset yields its samples in its own order, so {name} must "
                             f"be left unset, got {name}={value!r}")


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
