"""Fetchers: what the DataLoader does with one entry of its index sampler, in the main process or in a worker.

Top layer (`edugrad.nn.data`), after PyTorch's `_MapDatasetFetcher` and `_IterableDatasetFetcher`. With
batching (`batch_size` or `batch_sampler` given), an entry is a list of indices and the fetcher returns
`collate_fn(samples)`; without it (`batch_size=None`), an entry is one index and the result is
`collate_fn(sample)` (`default_convert` by default).

A map-style dataset is indexed. When it collates with `default_collate`, the fetcher asks the dataset for the
whole batch, `dataset.get_batch(indices)`, which is one NumPy gather for a `TensorDataset`. A stream
(`IterableDataset`) is read in order: its entries carry no indices, only how many samples a batch takes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from edugrad.nn.data.collate import default_collate
from edugrad.nn.data.dataset import Dataset, IterableDataset, samples

__all__ = ["Fetcher", "MapFetcher", "StreamFetcher", "make_fetcher"]

Collate = Callable[[Any], Any]


class Fetcher:
    """Turns one entry of the index sampler into one batch (or one converted sample)."""

    def fetch(self, index: Any) -> Any:
        """The batch for `index`; StopIteration when a stream has no more."""
        raise NotImplementedError


class MapFetcher(Fetcher):
    """Batches of a map-style dataset, by index."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Collate) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, index: Any) -> Any:
        """`collate_fn` of the samples at the indices `index` (of the one sample at `index` without batching)."""
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.collate_fn is default_collate and isinstance(self.dataset, Dataset):
            return self.dataset.get_batch(index)
        return self.collate_fn(samples(self.dataset, index))


class StreamFetcher(Fetcher):
    """Batches of an `IterableDataset`, read from one iterator over it in order."""

    def __init__(self, dataset: IterableDataset[Any], auto_collation: bool, collate_fn: Collate,
                 drop_last: bool) -> None:
        self.stream: Iterator[Any] = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False  # once the stream has ended, it is not asked again (an iterator may not expect that)

    def fetch(self, index: Any) -> Any:
        """The next `len(index)` samples collated (fewer at the end, unless `drop_last`), or the next sample."""
        if self.ended:
            raise StopIteration
        wanted = len(index) if self.auto_collation else 1
        samples = list(itertools.islice(self.stream, wanted))
        self.ended = len(samples) < wanted
        if not samples or (self.drop_last and self.ended):
            raise StopIteration
        return self.collate_fn(samples if self.auto_collation else samples[0])


def make_fetcher(dataset: Any, auto_collation: bool, collate_fn: Collate, drop_last: bool) -> Fetcher:
    """The fetcher for this kind of dataset."""
    if isinstance(dataset, IterableDataset):
        return StreamFetcher(dataset, auto_collation, collate_fn, drop_last)
    return MapFetcher(dataset, auto_collation, collate_fn)
