"""`DataLoader`: iterate over a dataset in batches, optionally shuffled.

Top layer (`edugrad.nn.data`), with the arguments of `torch.utils.data.DataLoader` (batch_size, shuffle,
drop_last, collate_fn) and one of its own, `seed`. Batches are built in the calling process: there are no
worker processes, because with a dataset held in memory (`TensorDataset`) a batch is one NumPy gather.

Shuffling is reproducible and resumable: the order of epoch `e` is a permutation drawn from a generator
seeded with `(seed, e)`, so it depends on nothing but the seed and the epoch number. Each `for batch in
loader` uses the epoch in `loader.epoch` and then advances it; to resume training at epoch 5, set
`loader.epoch = 5` (the order of epoch 5 is then the one an uninterrupted run would have seen).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from edugrad.nn._checks import positive_int
from edugrad.nn.data.collate import default_collate
from edugrad.nn.data.dataset import Dataset, Indices

__all__ = ["DataLoader"]


class SizedIndexable(Protocol):
    """What a DataLoader can read: anything with `len()` and `[i]` (a Dataset, a list of samples)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> Any: ...


class DataLoader:
    """Batches of `batch_size` samples of `dataset`, as `torch.utils.data.DataLoader`: in order, or in a new
    random order each epoch when `shuffle` (from `seed`, drawn at random when None); the last, smaller batch
    is dropped when `drop_last`. A batch is `collate_fn(list of samples)` when a `collate_fn` is given, else
    `dataset.get_batch(indices)` for a `Dataset` (one gather for a `TensorDataset`), else the samples collated
    by `default_collate`."""

    def __init__(self, dataset: SizedIndexable, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 collate_fn: Callable[[list[Any]], Any] | None = None, seed: int | None = None) -> None:
        self.dataset = dataset
        self.batch_size = positive_int("DataLoader", "batch_size", batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        #: The seed of the shuffled orders; a fresh random one when none is given.
        self.seed = (secrets.randbits(64) if seed is None
                     else positive_int("DataLoader", "seed", seed, allow_zero=True))
        #: The epoch whose order the next `for batch in loader` uses; advanced by one at the start of each.
        self.epoch = 0

    def __len__(self) -> int:
        """The number of batches per epoch."""
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[Any]:
        """The batches of the next epoch."""
        order = self.order(self.epoch)
        self.epoch += 1
        return (self._fetch(order[start:start + self.batch_size])
                for start in range(0, len(self) * self.batch_size, self.batch_size))

    def order(self, epoch: int) -> NDArray[np.intp]:
        """The sample indices in the order epoch `epoch` visits them."""
        count = len(self.dataset)
        if not self.shuffle:
            return np.arange(count, dtype=np.intp)
        return np.random.default_rng([self.seed, epoch]).permutation(count).astype(np.intp)

    def _fetch(self, indices: Indices) -> Any:
        if self.collate_fn is None and isinstance(self.dataset, Dataset):
            return self.dataset.get_batch(indices)
        collate = default_collate if self.collate_fn is None else self.collate_fn
        return collate([self.dataset[int(index)] for index in indices])
