"""Tests of `edugrad.nn.data` in the main process: the datasets, default_collate / default_convert, and the
DataLoader's batching, shuffling and argument checks.

Batches and errors are compared with `torch.utils.data` run on the same data (the orders of shuffled loaders
cannot match torch's numbers, since the random streams differ: they are checked by their properties and by
reproducibility under `manual_seed`). The samplers are tested in test_samplers.py, worker processes in
test_workers.py, the image transforms in test_transforms.py.
"""

from __future__ import annotations

import multiprocessing
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.utils.data as tud

from edugrad.nn.data import (
    BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset, SequentialSampler,
    StackDataset, Subset, TensorDataset, default_collate, default_convert, random_split,
)
from edugrad.tensor import Generator, Tensor, dtypes, manual_seed, tensor


def _numpy(value: Any) -> Any:
    """Tensors (also inside tuples, lists and dicts) as NumPy arrays, for comparisons."""
    if isinstance(value, (Tensor, torch.Tensor)):
        return value.detach().numpy()
    if isinstance(value, dict):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_numpy(item) for item in value))
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(item) for item in value)
    return value


def _assert_same(actual: Any, expected: Any) -> None:
    """Equal values, dtypes and container types (edugrad's batch against torch's, as NumPy)."""
    assert type(actual) is type(expected), (type(actual), type(expected))
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            _assert_same(actual[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_same(a, e)
    elif isinstance(expected, np.ndarray):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        np.testing.assert_array_equal(actual, expected)
    else:
        assert actual == expected


class Squares(Dataset[tuple[Tensor, int]]):
    """A Dataset subclass with no get_batch of its own: sample i is (a vector of i, i ** 2)."""

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        return tensor(np.full(3, index, dtype=np.float32)), index**2

    def __len__(self) -> int:
        return 10


class TorchSquares(tud.Dataset):  # type: ignore[type-arg]
    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.full((3,), float(index)), index**2

    def __len__(self) -> int:
        return 10


class Count(IterableDataset[int]):
    """The stream start, start + 1, ..., stop - 1 (an IterableDataset with a length)."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.start, self.stop))

    def __len__(self) -> int:
        return self.stop - self.start


class TorchCount(tud.IterableDataset):  # type: ignore[type-arg]
    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.start, self.stop))

    def __len__(self) -> int:
        return self.stop - self.start


# datasets

def test_tensor_dataset_indexes_rows_and_keeps_dtypes() -> None:
    images = np.arange(5 * 2 * 3, dtype=np.uint8).reshape(5, 2, 3)
    labels = tensor(np.arange(5) * 10)
    dataset = TensorDataset(images, labels)
    assert len(dataset) == 5
    x, y = dataset[1]
    assert x.dtype is dtypes.uint8 and x.shape == (2, 3) and y.dtype is dtypes.int64 and y.shape == ()
    np.testing.assert_array_equal(x.numpy(), images[1])
    assert y.item() == 10
    assert dataset[-1][1].item() == 40
    np.testing.assert_array_equal(dataset.tensors[0].numpy(), images)


@pytest.mark.parametrize("index", [slice(1, 4), [4, 0, 0], np.array([2, 3])], ids=["slice", "list", "array"])
def test_tensor_dataset_takes_torch_indices(index: Any) -> None:
    x = np.arange(10, dtype=np.float32).reshape(5, 2)
    expected = tud.TensorDataset(torch.from_numpy(x))[index]
    actual = TensorDataset(x)[index]
    _assert_same(_numpy(actual), _numpy(expected))
    np.testing.assert_array_equal(TensorDataset(x)[tensor(np.array([1, 2]))][0].numpy(), x[[1, 2]])


def test_tensor_dataset_keeps_a_copy() -> None:
    images = np.zeros((3, 2), dtype=np.float32)
    dataset = TensorDataset(images)
    images[0] = 7
    assert dataset[0][0].numpy().tolist() == [0, 0]


def test_tensor_dataset_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"same size in dimension 0, got sizes \[4, 3\]"):
        TensorDataset(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="tensor 1 is 0-d"):
        TensorDataset(np.zeros(3), tensor(1.0))
    with pytest.raises(TypeError, match="unsupported NumPy dtype <U1"):
        TensorDataset(np.array(["a", "b"]))
    with pytest.raises(IndexError, match="index 3 is out of range for a dataset of 3 samples"):
        TensorDataset(np.zeros(3))[3]


def test_a_dataset_without_getitem_says_so() -> None:
    class Empty(Dataset[int]):
        pass

    with pytest.raises(NotImplementedError, match="Empty is a Dataset but does not define __getitem__"):
        Empty()[0]
    with pytest.raises(NotImplementedError, match="does not define __iter__"):
        iter(IterableDataset())


def test_concat_dataset_matches_torch() -> None:
    parts = [list(range(3)), list(range(10, 12)), [], list(range(20, 24))]
    ours, theirs = ConcatDataset(parts), tud.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 9 and ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-9, 9)] == [theirs[i] for i in range(-9, 9)]
    added = Squares() + Squares()
    assert isinstance(added, ConcatDataset) and len(added) == 20 and added[12][1] == 4
    with pytest.raises(IndexError, match="index 9 is out of range for a dataset of 9 samples"):
        ours[9]
    with pytest.raises(IndexError, match="index -10 is out of range"):
        ours[-10]
    with pytest.raises(ValueError, match="at least one dataset"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="dataset 1 is an IterableDataset"):
        ConcatDataset([Squares(), Count(0, 2)])


def test_chain_dataset_matches_torch() -> None:
    ours = ChainDataset([Count(0, 3), Count(5, 7)])
    theirs = tud.ChainDataset([TorchCount(0, 3), TorchCount(5, 7)])
    assert list(ours) == list(theirs) == [0, 1, 2, 5, 6] and len(ours) == len(theirs) == 5
    assert list(Count(0, 2) + Count(7, 8)) == [0, 1, 7]
    with pytest.raises(TypeError, match="dataset 1 is a Squares, but ChainDataset only chains IterableDatasets"):
        list(ChainDataset([Count(0, 1), Squares()]))


def test_stack_dataset_matches_torch() -> None:
    a, b = Squares(), TensorDataset(np.arange(10) * 3)
    ta, tb = TorchSquares(), tud.TensorDataset(torch.arange(10) * 3)
    _assert_same(_numpy(StackDataset(a, b)[4]), _numpy(tud.StackDataset(ta, tb)[4]))
    _assert_same(_numpy(StackDataset(x=a, y=b)[4]), _numpy(tud.StackDataset(x=ta, y=tb)[4]))
    assert len(StackDataset(a, b)) == 10
    for message, args, kwargs in [("either positionally", (a,), {"y": b}), ("at least one", (), {}),
                                  (r"same length, got lengths \[10, 3\]", (a, [1, 2, 3]), {})]:
        with pytest.raises(ValueError, match=message):
            StackDataset(*args, **kwargs)


def test_subset_matches_torch() -> None:
    indices = [7, 2, 2, 9]
    ours, theirs = Subset(Squares(), indices), tud.Subset(TorchSquares(), indices)
    assert len(ours) == 4
    for i in range(4):
        _assert_same(_numpy(ours[i]), _numpy(theirs[i]))
    _assert_same(_numpy(ours.__getitems__([3, 0])), _numpy(theirs.__getitems__([3, 0])))
    data = np.arange(20).reshape(10, 2)
    np.testing.assert_array_equal(Subset(TensorDataset(data), indices)[[0, 3]][0].numpy(), data[[7, 9]])


def test_random_split_lengths_and_fractions_match_torch() -> None:
    for lengths in ([3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [0.34, 0.33, 0.33], [1.0]):
        ours = random_split(range(10), lengths, generator=Generator().manual_seed(1))
        theirs = tud.random_split(range(10), lengths, generator=torch.Generator().manual_seed(1))
        assert [len(split) for split in ours] == [len(split) for split in theirs]
        assert sorted(i for split in ours for i in split) == list(range(10))  # a partition of the samples


def test_random_split_follows_its_generator_and_the_global_stream() -> None:
    first = [list(s) for s in random_split(range(20), [5, 15], generator=Generator().manual_seed(3))]
    again = [list(s) for s in random_split(range(20), [5, 15], generator=Generator().manual_seed(3))]
    assert first == again and first[0] + first[1] != list(range(20))
    manual_seed(4)
    default = [list(s) for s in random_split(range(20), [5, 15])]
    manual_seed(4)
    assert [list(s) for s in random_split(range(20), [5, 15])] == default


def test_random_split_errors() -> None:
    with pytest.raises(ValueError, match=r"the lengths \[3, 3\] sum to 6, but the dataset has 10 samples"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="fraction 0 is -0.5, not between 0 and 1"):
        random_split(range(10), [-0.5, 1.5])
    with pytest.raises(ValueError, match="length 1 is -3"):
        random_split(range(10), [13, -3])
    with pytest.warns(UserWarning, match="split 1 is empty"):
        random_split(range(1), [0.5, 0.5])


# default_collate and default_convert

Point = namedtuple("Point", ["x", "y"])

COLLATE_CASES = {
    "tuples of arrays and ints": [(np.ones((2, 2), np.float32) * i, i) for i in range(3)],
    "lists": [[np.float64(i), i] for i in range(3)],
    "floats": [0.5, 1.5, -2.0],
    "bools": [True, False],
    "numpy scalars": [np.float32(1.5), np.float32(2.5)],
    "numpy int arrays": [np.arange(3, dtype=np.int32) + i for i in range(2)],
    "uint8 arrays": [np.full((2,), i, np.uint8) for i in range(3)],
    "dicts": [{"a": np.zeros(2, np.float64) + i, "b": {"c": i}} for i in range(2)],
    "ordered dicts": [OrderedDict(b=i, a=2.5 * i) for i in range(2)],
    "strings": [("hello", 1), ("world", 2)],
    "namedtuples": [Point(np.float32(i), i) for i in range(2)],
    "0-d arrays": [np.array(i, dtype=np.int64) for i in range(4)],
}


@pytest.mark.parametrize("batch", COLLATE_CASES.values(), ids=COLLATE_CASES.keys())
def test_default_collate_matches_torch(batch: list[Any]) -> None:
    _assert_same(_numpy(default_collate(batch)), _numpy(tud.default_collate(batch)))


def test_default_collate_of_tensors_matches_torch() -> None:
    samples = [np.full((2, 3), i, np.float32) for i in range(4)]
    ours = default_collate([(tensor(s), tensor(np.int64(i))) for i, s in enumerate(samples)])
    theirs = tud.default_collate([(torch.from_numpy(s), torch.tensor(i)) for i, s in enumerate(samples)])
    _assert_same(_numpy(ours), _numpy(theirs))


def test_default_collate_keeps_the_graph_of_samples_that_require_grad() -> None:
    values = [np.full((2,), i + 1, np.float32) for i in range(3)]
    ours = [tensor(v, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    a, b = default_collate(ours), tud.default_collate(theirs)
    assert a.requires_grad and b.requires_grad
    (a * a).sum().backward()
    (b * b).sum().backward()
    for x, y in zip(ours, theirs):
        np.testing.assert_array_equal(x.grad.numpy(), y.grad.numpy())
    assert not default_collate([tensor(v) for v in values]).requires_grad


CONVERT_CASES = {
    "array": np.arange(3),
    "numpy scalar": np.float32(2.5),
    "nested": [np.zeros(2), (np.ones(1), 3), {"a": np.int64(3)}, "x", 1.5],
    "namedtuple": Point(np.array(0), 1),
    "string array": np.array(["a", "b"]),
    "number": 7,
}


@pytest.mark.parametrize("data", CONVERT_CASES.values(), ids=CONVERT_CASES.keys())
def test_default_convert_matches_torch(data: Any) -> None:
    _assert_same(_numpy(default_convert(data)), _numpy(tud.default_convert(data)))


@pytest.mark.parametrize(("batch", "error", "message"), [
    ([], ValueError, "cannot collate an empty batch"),
    ([np.zeros(2), np.zeros(3)], ValueError, r"sample 0 has shape \(2,\) and sample 1 has shape \(3,\)"),
    ([(1, 2), (1, 2, 3)], ValueError, "sample 0 has 2 elements and sample 1 has 3"),
    ([{"a": 1}, {"b": 1}], ValueError, "same keys"),
    ([1, "a"], TypeError, "sample 1 is a str"),
    ([np.zeros(2), 1.0], TypeError, "sample 1 is a float"),
    ([object()], TypeError, "cannot collate samples of type object"),
    ([np.array(["a"])], TypeError, "dtype <U1, which a Tensor cannot hold"),
])
def test_default_collate_errors(batch: list[Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        default_collate(batch)


# DataLoader: batches

def _batches(loader: Any) -> list[Any]:
    return [_numpy(batch) for batch in loader]


@pytest.mark.parametrize("options", [
    {"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": 10}, {"batch_size": None},
    {"batch_sampler": [[3, 1], [0], [9, 9, 2]]}, {"sampler": [5, 6, 7], "batch_size": 2},
], ids=["4", "drop_last", "whole", "no batching", "batch_sampler", "sampler"])
def test_loader_batches_match_torch(options: dict[str, Any]) -> None:
    ours = _batches(DataLoader(Squares(), **options))
    theirs = _batches(tud.DataLoader(TorchSquares(), **options))
    _assert_same(ours, theirs)
    assert len(DataLoader(Squares(), **options)) == len(tud.DataLoader(TorchSquares(), **options))


@pytest.mark.parametrize("options", [{"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None},
                                     {"batch_size": 3, "collate_fn": lambda s: sum(s)}])
def test_loader_over_an_iterable_dataset_matches_torch(options: dict[str, Any]) -> None:
    ours = DataLoader(Count(0, 5), **options)
    theirs = tud.DataLoader(TorchCount(0, 5), **options)
    _assert_same(_batches(ours), _batches(theirs))
    assert len(ours) == len(theirs)


@pytest.mark.parametrize(("count", "batch_size", "drop_last", "expected"),
                         [(10, 3, False, 4), (10, 3, True, 3), (9, 3, True, 3), (2, 3, True, 0), (0, 3, False, 0),
                          (10, 1, False, 10), (10, 10, True, 1)])
def test_loader_len_matches_torch_and_the_batches(count: int, batch_size: int, drop_last: bool, expected: int) -> None:
    loader = DataLoader(TensorDataset(np.zeros((count, 1))), batch_size=batch_size, drop_last=drop_last)
    torch_loader = tud.DataLoader(torch.zeros(count), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(torch_loader) == expected == len(list(loader))
    if drop_last:
        assert all(len(batch[0]) == batch_size for batch in loader)


def test_a_tensor_dataset_batch_is_a_list_as_in_torch() -> None:
    x = np.arange(10 * 2, dtype=np.float32).reshape(10, 2)
    ours = _batches(DataLoader(TensorDataset(x, np.arange(10)), batch_size=4))
    theirs = _batches(tud.DataLoader(tud.TensorDataset(torch.from_numpy(x), torch.arange(10)), batch_size=4))
    _assert_same(ours, theirs)


def test_loader_over_a_list_of_samples() -> None:
    samples = [{"value": float(i), "name": f"s{i}"} for i in range(5)]
    _assert_same(_batches(DataLoader(samples, batch_size=3)), _batches(tud.DataLoader(samples, batch_size=3)))


def test_custom_collate_fn_gets_the_list_of_samples() -> None:
    received = []
    loader = DataLoader(TensorDataset(np.arange(5)), batch_size=2, collate_fn=lambda s: received.append(s) or len(s))
    assert list(loader) == [2, 2, 1]
    assert isinstance(received[0], list) and isinstance(received[0][0], tuple)
    assert int(received[2][0][0].item()) == 4


def test_getitems_fetches_a_batch_at_once() -> None:
    class Batched(Squares):
        calls: list[list[int]] = []

        def __getitems__(self, indices: list[int]) -> list[tuple[Tensor, int]]:
            self.calls.append(indices)
            return [self[i] for i in indices]

    loader = DataLoader(Batched(), batch_size=4, sampler=[1, 8, 3, 0, 5])
    _assert_same(_batches(loader), _batches(tud.DataLoader(TorchSquares(), batch_size=4, sampler=[1, 8, 3, 0, 5])))
    assert Batched.calls == [[1, 8, 3, 0], [5]]


def test_tensor_dataset_batches_come_from_one_gather_not_per_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path MNIST training relies on: a whole batch is read at once, never sample by sample (its
    speed is measured by the benchmarks, not here). It also holds through a Subset (random_split)."""
    images = np.random.default_rng(0).random((1000, 1, 28, 28), dtype=np.float32)
    labels = np.arange(1000) % 10
    dataset = TensorDataset(images, labels)

    def per_sample(self: TensorDataset, index: int) -> Any:
        raise AssertionError("the loader read one sample at a time")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    order = [int(i) for i in np.random.default_rng(1).permutation(1000)[:128]]
    x, y = next(iter(DataLoader(dataset, batch_size=128, sampler=order)))
    np.testing.assert_array_equal(x.numpy(), images[order])
    np.testing.assert_array_equal(y.numpy(), labels[order])
    part, _ = random_split(dataset, [0.5, 0.5], generator=Generator().manual_seed(0))
    x, y = next(iter(DataLoader(part, batch_size=64)))
    np.testing.assert_array_equal(y.numpy(), labels[list(part.indices[:64])])
    x, y = next(iter(DataLoader(StackDataset(dataset, TensorDataset(labels)), batch_size=8)))
    np.testing.assert_array_equal(x[1].numpy(), labels[:8])


# DataLoader: shuffling

def _order(loader: DataLoader[Any]) -> list[int]:
    return [int(v) for batch in loader for v in batch[0].numpy()]


def test_shuffle_visits_every_sample_once_in_a_new_order_each_epoch() -> None:
    loader = DataLoader(TensorDataset(np.arange(50)), batch_size=8, shuffle=True)
    epochs = [_order(loader) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(50))
    assert epochs[0] != epochs[1] != epochs[2] and epochs[0] != list(range(50))


def test_manual_seed_makes_the_shuffled_orders_reproducible() -> None:
    def epochs(seed: int) -> list[list[int]]:
        manual_seed(seed)
        loader = DataLoader(TensorDataset(np.arange(20)), batch_size=5, shuffle=True)
        return [_order(loader) for _ in range(3)]

    assert epochs(11) == epochs(11)
    assert epochs(11) != epochs(12)


def test_a_generator_gives_the_order_and_its_state_resumes_it() -> None:
    generator = Generator().manual_seed(5)
    loader = DataLoader(TensorDataset(np.arange(20)), batch_size=5, shuffle=True, generator=generator)
    first = _order(loader)
    state = generator.get_state()
    second, third = _order(loader), _order(loader)
    manual_seed(99)  # the global stream has no say in the order
    resumed = DataLoader(TensorDataset(np.arange(20)), batch_size=5, shuffle=True,
                         generator=Generator().manual_seed(0).set_state(state))
    assert [_order(resumed), _order(resumed)] == [second, third] and first != second


def test_drop_last_with_shuffle_drops_the_remainder_of_the_permutation() -> None:
    order = _order(DataLoader(TensorDataset(np.arange(10)), batch_size=4, shuffle=True, drop_last=True))
    assert len(order) == 8 and len(set(order)) == 8


# DataLoader: arguments

DATASET = TensorDataset(np.arange(5))


@pytest.mark.parametrize(("options", "message"), [
    ({"num_workers": -1}, "num_workers must be a non-negative int"),
    ({"timeout": -1}, "timeout must be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor=2 needs worker processes"),
    ({"persistent_workers": True}, "persistent_workers=True needs worker processes"),
    ({"timeout": 5}, "timeout=5 needs worker processes"),
    ({"multiprocessing_context": "fork"}, "multiprocessing_context='fork' needs worker processes"),
    ({"sampler": [0, 1], "shuffle": True}, "sampler and shuffle are mutually exclusive"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler is mutually exclusive"),
    ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler is mutually exclusive"),
    ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, "no last batch for drop_last to drop"),
    ({"batch_size": 0}, "batch_size must be a positive int, got 0"),
    ({"batch_size": 1.5}, "batch_size must be a positive int, got 1.5"),
])
def test_loader_rejects_what_torch_rejects(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DataLoader(DATASET, **options)
    with pytest.raises((ValueError, AssertionError)):  # torch finds some of these (timeout=5) only when iterating
        list(tud.DataLoader(torch.arange(5), **options))


def test_prefetch_factor_must_be_positive() -> None:
    """torch accepts 0 here and fails only when the workers start."""
    with pytest.raises(ValueError, match="prefetch_factor must be a positive int, got 0"):
        DataLoader(DATASET, num_workers=1, prefetch_factor=0)


def test_workers_are_forked_never_spawned() -> None:
    """torch also spawns workers (pickling the dataset); edugrad never pickles, so it only forks."""
    with pytest.raises(ValueError, match="multiprocessing_context must be None or 'fork', got 'spawn'"):
        DataLoader(DATASET, num_workers=1, multiprocessing_context="spawn")
    forking = DataLoader(DATASET, num_workers=1, multiprocessing_context=multiprocessing.get_context("fork"))
    assert forking.num_workers == 1


@pytest.mark.parametrize("options", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_an_iterable_dataset_takes_no_order(options: dict[str, Any]) -> None:
    name = next(iter(options))
    with pytest.raises(ValueError, match=f"an IterableDataset yields its samples in its own order, so {name}"):
        DataLoader(Count(0, 3), **options)
    with pytest.raises(ValueError):
        tud.DataLoader(TorchCount(0, 3), **options)


def test_the_batch_defining_attributes_are_fixed_after_construction() -> None:
    loader = DataLoader(DATASET, batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset", "persistent_workers"):
        with pytest.raises(ValueError, match=f"{name} cannot be changed after the DataLoader is made"):
            setattr(loader, name, None)
    loader.num_workers = 0  # the others may change, as in torch


def test_loader_defaults_and_the_samplers_it_builds() -> None:
    loader = DataLoader(DATASET, batch_size=2, pin_memory=True)
    assert isinstance(loader.sampler, SequentialSampler) and isinstance(loader.batch_sampler, BatchSampler)
    assert loader.collate_fn is default_collate and loader.prefetch_factor is None and loader.pin_memory
    assert DataLoader(DATASET, num_workers=2).prefetch_factor == 2
    assert DataLoader(DATASET, batch_size=None).collate_fn is default_convert
    with_batches = DataLoader(DATASET, batch_sampler=[[0, 1]])
    assert isinstance(with_batches.sampler, SequentialSampler) and with_batches.batch_size is None  # as torch
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pin_memory is a documented no-op: no warning
        assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3], [4]]
