"""Samplers: the order in which a `DataLoader` visits a dataset's indices, and how it groups them into batches.

Top layer (`edugrad.nn.data`), with the names and meanings of `torch.utils.data`. A sampler is an iterable of
indices (`SequentialSampler`: 0, 1, 2, ...; `RandomSampler`: a permutation, or draws with replacement;
`SubsetRandomSampler`, `WeightedRandomSampler`; `DistributedSampler`: one process's share in data-parallel
training), and `BatchSampler` turns one into an iterable of index lists.
The random ones draw from a `Generator` of `edugrad.tensor` when given one; otherwise `RandomSampler` seeds a
fresh generator from edugrad's global random stream each time it is iterated, as PyTorch does, so
`edugrad.tensor.manual_seed(s)` fixes every epoch's order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Generic, TypeVar

import numpy as np

from edugrad.tensor import Generator, Tensor, randint, randperm, tensor

__all__ = ["BatchSampler", "DistributedSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "draw_seed"]

#: How many indices a RandomSampler with replacement draws at once (as PyTorch's): few enough for an endless
#: sampler to start at once, enough that drawing is not one call per index.
_CHUNK = 32

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """An iterable of dataset indices (or of lists of them), as `torch.utils.data.Sampler`: subclasses define
    `__iter__`, and `__len__` when they know how many they yield. (Like PyTorch's, the base class defines no
    `__len__`, so `list(sampler)` still works for samplers without one.)"""

    def __iter__(self) -> Iterator[T_co]:
        """The indices, in the order to visit them."""
        raise NotImplementedError(f"{type(self).__name__} is a Sampler but does not define __iter__")


class SequentialSampler(Sampler[int]):
    """The indices 0, 1, ..., len(data_source) - 1, in order, as `torch.utils.data.SequentialSampler`."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        """0, 1, 2, ..."""
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        """The length of the data source."""
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """The indices of `data_source` in a random order, as `torch.utils.data.RandomSampler`: a new permutation
    for each pass over the data (`num_samples` beyond the length continues with further permutations), or,
    with `replacement`, `num_samples` independent uniform draws (which may be endless: `num_samples=10**10` is
    drawn lazily). Without a `generator`, each iteration seeds a fresh Generator from edugrad's global random
    stream, so `manual_seed` fixes the orders of all epochs."""

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        count = self.num_samples
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise ValueError(f"RandomSampler: num_samples must be a positive int, got {count!r}")

    @property
    def num_samples(self) -> int:
        """How many indices one iteration yields: `num_samples`, or the length of the data source."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        """The indices of one epoch."""
        count, total = len(self.data_source), self.num_samples
        generator = self.generator if self.generator is not None else Generator().manual_seed(draw_seed(None))
        if self.replacement:
            for start in range(0, total, _CHUNK):
                size = min(_CHUNK, total - start)
                yield from randint(0, count, (size,), generator=generator).tolist()
            return
        for start in range(0, total, count):
            order = randperm(count, generator=generator).tolist()
            yield from order[:total - start]

    def __len__(self) -> int:
        """`num_samples`."""
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The elements of `indices` in a random order, a new one on each iteration, as
    `torch.utils.data.SubsetRandomSampler` (drawn from `generator`, else from edugrad's global stream)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        """`indices[p]` for a random permutation p."""
        for position in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[position]

    def __len__(self) -> int:
        """The number of indices."""
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices of `weights`, index i drawn with probability weights[i] / sum(weights), as
    `torch.utils.data.WeightedRandomSampler`: independently (`replacement`), or each index at most once. The
    weights need not sum to 1; `self.weights` holds them as a float64 Tensor. One `multinomial` per epoch, from
    `generator` or edugrad's global stream."""

    def __init__(self, weights: Sequence[float] | Tensor, num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples must be a positive int, got {num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement must be a bool, got {replacement!r}")
        values = weights.numpy() if isinstance(weights, Tensor) else np.asarray(weights)
        if values.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-d sequence, got shape {values.shape}")
        self.weights = tensor(values.astype(np.float64))
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        """The drawn indices."""
        yield from self.weights.multinomial(self.num_samples, self.replacement, generator=self.generator).tolist()

    def __len__(self) -> int:
        """`num_samples`."""
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """The indices of `sampler` in lists of `batch_size`, as `torch.utils.data.BatchSampler`; the last, shorter
    list is left out when `drop_last`."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        """Lists of `batch_size` indices, drawn lazily (a sampler may be endless)."""
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        """The number of lists: len(sampler) / batch_size, rounded down when `drop_last`, else up."""
        count = len(self.sampler)  # type: ignore[arg-type]
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)


class DistributedSampler(Sampler[int]):
    """The share of `dataset`'s indices of one process (`rank`) out of `num_replicas`, as
    `torch.utils.data.DistributedSampler`: every rank visits the same order (shuffled from a Generator seeded
    `seed + epoch`, so call `set_epoch` before each epoch for a new one), padded by repeating its start until it
    divides evenly (or cut to that with `drop_last`), and takes every num_replicas-th index from position `rank`.
    `num_replicas` and `rank` default to the process group's (`edugrad.nn.distributed`)."""

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from edugrad.nn import distributed  # (torch.distributed: only when asked for the group's numbers)

            if not distributed.is_initialized():
                raise RuntimeError("DistributedSampler: num_replicas and rank come from the process group, and "
                                   "there is none; call init_process_group first or pass both")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, int) or num_replicas <= 0:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive int, got {num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: invalid rank {rank!r}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        self.shuffle = shuffle
        self.seed = seed
        count = len(dataset)
        if drop_last and count % num_replicas:
            self.num_samples = math.ceil((count - num_replicas) / num_replicas)  # the last, partial round dropped
        else:
            self.num_samples = -(-count // num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        """This rank's indices of the epoch."""
        count = len(self.dataset)
        if self.shuffle:
            generator = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(count, generator=generator).tolist()
        else:
            indices = list(range(count))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:  # repeat the start (several times over for a dataset smaller than the number of ranks)
            indices = (indices * -(-self.total_size // count))[:self.total_size] if count else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        """How many indices this rank visits per epoch."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which seeds the shuffle: all ranks get the same new order when they set the same epoch."""
        self.epoch = epoch


def draw_seed(generator: Generator | None) -> int:
    """A seed in [0, 2**63) drawn from `generator`, or from edugrad's global random stream if None: how a
    sampler without a generator of its own and the workers' base seed follow `manual_seed`, as in PyTorch."""
    return int(randint(0, 2**63 - 1, (), generator=generator).item())
