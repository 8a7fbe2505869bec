"""Tests of the samplers of `edugrad.nn.data` against `torch.utils.data`'s.

The deterministic ones (SequentialSampler, BatchSampler) must give torch's indices exactly; the random ones
cannot give torch's numbers (the random streams differ), so they are checked by what holds for every draw
(a permutation, the range, the count, the frequencies), by their argument checks against torch's, and by
reproducibility from a Generator or from `manual_seed`.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import torch
import torch.utils.data as tud

from edugrad.nn.data import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
from edugrad.tensor import Generator, dtypes, manual_seed, tensor


def test_sequential_sampler_matches_torch() -> None:
    assert list(SequentialSampler(range(5))) == list(tud.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(SequentialSampler("abc")) == 3


@pytest.mark.parametrize(("count", "batch_size", "drop_last"), [(10, 3, False), (10, 3, True), (9, 3, True),
                                                                  (2, 3, False), (2, 3, True), (0, 2, False)])
def test_batch_sampler_matches_torch(count: int, batch_size: int, drop_last: bool) -> None:
    ours = BatchSampler(SequentialSampler(range(count)), batch_size, drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(count)), batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_batch_sampler_draws_lazily_from_an_endless_sampler() -> None:
    batches = BatchSampler(itertools.count(), 4, False)
    assert list(itertools.islice(batches, 2)) == [[0, 1, 2, 3], [4, 5, 6, 7]]


@pytest.mark.parametrize(("batch_size", "drop_last"), [(0, False), (-1, False), (True, False), (2.0, False),
                                                       (2, 1), (2, None)])
def test_batch_sampler_rejects_what_torch_rejects(batch_size: Any, drop_last: Any) -> None:
    with pytest.raises(ValueError, match="BatchSampler: (batch_size must be a positive int|drop_last must be)"):
        BatchSampler(range(3), batch_size, drop_last)
    with pytest.raises(ValueError):
        tud.BatchSampler(range(3), batch_size, drop_last)


def test_a_sampler_without_iter_says_so() -> None:
    with pytest.raises(NotImplementedError, match="Sampler but does not define __iter__"):
        iter(Sampler())


def test_random_sampler_gives_a_new_permutation_each_epoch() -> None:
    sampler = RandomSampler(range(30))
    epochs = [list(sampler) for _ in range(3)]
    assert all(sorted(epoch) == list(range(30)) for epoch in epochs)
    assert epochs[0] != epochs[1] != epochs[2] and len(sampler) == 30


@pytest.mark.parametrize(("count", "num_samples"), [(10, 25), (10, 10), (10, 3), (1, 4)])
def test_random_sampler_without_replacement_continues_with_new_permutations(count: int, num_samples: int) -> None:
    indices = list(RandomSampler(range(count), num_samples=num_samples))
    assert len(indices) == num_samples == len(list(tud.RandomSampler(range(count), num_samples=num_samples)))
    for start in range(0, num_samples, count):  # each stretch of `count` indices is part of one permutation
        stretch = indices[start:start + count]
        assert len(set(stretch)) == len(stretch) and set(stretch) <= set(range(count))


def test_random_sampler_with_replacement_draws_uniformly() -> None:
    indices = np.array(list(RandomSampler(range(5), replacement=True, num_samples=5000)))
    assert len(indices) == 5000 and indices.min() == 0 and indices.max() == 4
    counts = np.bincount(indices, minlength=5)
    assert np.all(np.abs(counts - 1000) < 150)  # about 5 standard deviations of a binomial(5000, 0.2)


def test_an_endless_random_sampler_starts_at_once() -> None:
    """makemore's sampler: RandomSampler(dataset, replacement=True, num_samples=int(1e10)), read with next()."""
    sampler = RandomSampler(range(7), replacement=True, num_samples=int(1e10))
    assert len(sampler) == 10**10
    first = list(itertools.islice(iter(sampler), 100))
    assert len(first) == 100 and set(first) <= set(range(7))


def test_random_sampler_follows_its_generator_or_the_global_stream() -> None:
    def draws(**options: Any) -> list[int]:
        return list(RandomSampler(range(20), **options))

    assert draws(generator=Generator().manual_seed(1)) == draws(generator=Generator().manual_seed(1))
    assert draws(generator=Generator().manual_seed(1)) != draws(generator=Generator().manual_seed(2))
    manual_seed(7)
    first = [draws(), draws(replacement=True)]
    manual_seed(7)
    assert [draws(), draws(replacement=True)] == first


@pytest.mark.parametrize(("options", "error", "message"), [
    ({"replacement": 1}, TypeError, "replacement must be a bool"),
    ({"num_samples": 0}, ValueError, "num_samples must be a positive int, got 0"),
    ({"num_samples": 2.5}, ValueError, "num_samples must be a positive int, got 2.5"),
])
def test_random_sampler_rejects_what_torch_rejects(options: dict[str, Any], error: type[Exception],
                                                   message: str) -> None:
    with pytest.raises(error, match=message):
        RandomSampler(range(3), **options)
    with pytest.raises(error):
        tud.RandomSampler(range(3), **options)
    with pytest.raises(ValueError, match="num_samples must be a positive int, got 0"):
        RandomSampler([])


def test_subset_random_sampler_permutes_its_indices() -> None:
    indices = [10, 20, 30, 40, 50]
    ours = list(SubsetRandomSampler(indices, generator=Generator().manual_seed(0)))
    assert sorted(ours) == sorted(tud.SubsetRandomSampler(indices)) == indices
    assert ours == list(SubsetRandomSampler(indices, generator=Generator().manual_seed(0)))
    assert len(SubsetRandomSampler(indices)) == 5
    orders = {tuple(SubsetRandomSampler(indices)) for _ in range(20)}
    assert len(orders) > 1


def test_weighted_random_sampler_draws_in_proportion_to_the_weights() -> None:
    weights = [0.1, 0.0, 0.6, 0.3]
    ours = np.array(list(WeightedRandomSampler(weights, 6000)))
    assert len(ours) == 6000 and 1 not in ours
    assert np.all(np.abs(np.bincount(ours, minlength=4) / 6000 - np.array(weights)) < 0.03)
    sampler = WeightedRandomSampler(tensor(np.array([1.0, 2.0])), 3)
    assert sampler.weights.dtype is dtypes.float64 and len(sampler) == 3
    assert sampler.weights.numpy().tolist() == tud.WeightedRandomSampler([1.0, 2.0], 3).weights.tolist()


def test_weighted_random_sampler_without_replacement_draws_each_index_once() -> None:
    draws = list(WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False))
    assert len(set(draws)) == 5 and set(draws) <= set(range(6))
    with pytest.raises(ValueError, match="cannot draw 7 samples without replacement from 6"):
        list(WeightedRandomSampler([1.0] * 6, 7, replacement=False))


def test_weighted_random_sampler_follows_its_generator() -> None:
    def draws(seed: int) -> list[int]:
        return list(WeightedRandomSampler([1.0, 2.0, 3.0], 20, generator=Generator().manual_seed(seed)))

    assert draws(0) == draws(0) != draws(1)


@pytest.mark.parametrize(("weights", "num_samples", "replacement", "message"), [
    ([1.0, 2.0], 0, True, "num_samples must be a positive int, got 0"),
    ([1.0, 2.0], True, True, "num_samples must be a positive int, got True"),
    ([1.0, 2.0], 2, 1, "replacement must be a bool"),
    ([[1.0, 2.0]], 2, True, r"weights must be a 1-d sequence, got shape \(1, 2\)"),
])
def test_weighted_random_sampler_rejects_what_torch_rejects(weights: Any, num_samples: Any, replacement: Any,
                                                            message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WeightedRandomSampler(weights, num_samples, replacement)
    with pytest.raises(ValueError):
        tud.WeightedRandomSampler(weights, num_samples, replacement)
