"""Datasets: what a `DataLoader` draws samples and batches from.

Top layer (`edugrad.nn.data`), with the names and meanings of `torch.utils.data`. A map-style `Dataset` has a
length and an index, `dataset[i]` is one sample; an `IterableDataset` is a stream of samples. `TensorDataset`,
`StackDataset`, `ConcatDataset`, `Subset` (and `random_split`, which makes them) combine map-style datasets,
`ChainDataset` chains streams.

One method is edugrad's own: `get_batch(indices)` returns the samples at `indices` already collated into one
batch, as `default_collate([dataset[i] for i in indices])` would. The DataLoader calls it when it collates with
`default_collate`, and `TensorDataset` answers with one NumPy gather per array. That override is what makes
loading MNIST fast: stacking 128 sample tensors costs 128 Python calls and 128 small copies, gathering 128 rows
of one array costs one call. `Subset` and `StackDataset` pass the call on, so a `random_split` of a
`TensorDataset` stays fast.
"""

from __future__ import annotations

import bisect
import math
import operator
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from edugrad.nn.data.collate import default_collate
from edugrad.tensor import Generator, Tensor, default_generator, dtypes, randperm, tensor

__all__ = ["ChainDataset", "ConcatDataset", "Dataset", "Indices", "IterableDataset", "StackDataset", "Subset",
           "TensorDataset", "random_split"]

T_co = TypeVar("T_co", covariant=True)
Indices = Sequence[int] | NDArray[np.intp]


class Dataset(Generic[T_co]):
    """A map from indices to samples, as `torch.utils.data.Dataset`: subclasses define `__getitem__` (one
    sample) and usually `__len__`; they may define `__getitems__(indices)` (a list of samples) or edugrad's
    `get_batch(indices)` (one collated batch) to fetch many samples at once. `a + b` concatenates."""

    def __getitem__(self, index: Any) -> T_co:
        """The sample at `index`."""
        raise NotImplementedError(f"{type(self).__name__} is a Dataset but does not define __getitem__, which "
                                  "returns the sample at an index")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        """The samples of this dataset followed by those of `other`."""
        return ConcatDataset([self, other])

    def get_batch(self, indices: Indices) -> Any:
        """The samples at `indices` collated by `default_collate`: this dataset's `__getitems__` when it has
        one, else one `dataset[i]` per index."""
        return default_collate(samples(self, indices))


def samples(dataset: Any, indices: Indices) -> list[Any]:
    """The samples of `dataset` at `indices`, as a list: its `__getitems__(indices)` if it has that method
    (PyTorch's hook for fetching many samples at once), else `[dataset[i] for i in indices]`."""
    getitems = getattr(dataset, "__getitems__", None)
    if callable(getitems):
        return list(getitems(list(indices)))
    return [dataset[index] for index in indices]


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A stream of samples, as `torch.utils.data.IterableDataset`: subclasses define `__iter__`. With worker
    processes, every worker iterates its own copy; `get_worker_info()` tells it which share to produce.
    `a + b` chains two streams."""

    def __iter__(self) -> Iterator[T_co]:
        """The samples, one after the other."""
        raise NotImplementedError(f"{type(self).__name__} is an IterableDataset but does not define __iter__")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset:  # type: ignore[override]
        """The samples of this stream followed by those of `other`."""
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are the rows of equally long tensors, `dataset[i] == (tensors[0][i], tensors[1][i], ...)`, as
    `torch.utils.data.TensorDataset`. Tensors or NumPy arrays are accepted; a NumPy copy of each is kept in
    `arrays`, and batches keep their dtypes (uint8 images give uint8 batches)."""

    arrays: tuple[NDArray[Any], ...]

    def __init__(self, *tensors: Tensor | NDArray[Any]) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        self.arrays = tuple(_as_array(tensor, position) for position, tensor in enumerate(tensors))
        sizes = [len(array) for array in self.arrays]
        if len(set(sizes)) > 1:
            shapes = ", ".join(str(array.shape) for array in self.arrays)
            raise ValueError(f"TensorDataset: all tensors must have the same size in dimension 0, got sizes {sizes} "
                             f"(shapes {shapes})")

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The data as Tensors (new ones on each access: the dataset keeps NumPy arrays)."""
        return tuple(tensor(array) for array in self.arrays)

    def __len__(self) -> int:
        """The number of samples (rows)."""
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        """Row `index` of every tensor; a slice, a list or a Tensor of indices gives those rows."""
        if isinstance(index, Tensor):
            index = index.numpy()
        if isinstance(index, (slice, list, np.ndarray)):
            return tuple(tensor(array[index]) for array in self.arrays)
        try:
            position = operator.index(index)
        except TypeError:  # (IndexError, as torch's tensor indexing raises for a float)
            raise IndexError(f"TensorDataset: an index must be an int, a slice, a list or a Tensor of ints, got "
                             f"{type(index).__name__}") from None
        if not -len(self) <= position < len(self):
            raise IndexError(f"TensorDataset: index {position} is out of range for a dataset of {len(self)} samples")
        # `array[i, ...]` is a 0-d array where `array[i]` would be a NumPy scalar, so the dtype survives.
        return tuple(tensor(array[position, ...]) for array in self.arrays)

    def get_batch(self, indices: Indices) -> list[Tensor]:
        """The rows at `indices` of every tensor, gathered at once: `[x[indices], y[indices], ...]`."""
        rows = np.asarray(indices, dtype=np.intp)
        return [tensor(array[rows]) for array in self.arrays]


def _as_array(tensor: Tensor | NDArray[Any], position: int) -> NDArray[Any]:
    array = tensor.numpy() if isinstance(tensor, Tensor) else np.array(tensor)
    if array.ndim == 0:
        raise ValueError(f"TensorDataset: tensor {position} is 0-d; every tensor needs a dimension 0 to index "
                         "samples along")
    dtypes.from_numpy(array.dtype)  # TypeError now, naming the supported dtypes, rather than at the first batch
    return array


class StackDataset(Dataset[Any]):
    """Datasets of one length side by side, as `torch.utils.data.StackDataset`: sample i is
    `(a[i], b[i], ...)` for `StackDataset(a, b, ...)`, or `{"x": a[i], "y": b[i]}` for
    `StackDataset(x=a, y=b)`."""

    datasets: tuple[Any, ...] | dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("StackDataset: give the datasets either positionally (samples are tuples) or by "
                             "keyword (samples are dicts), not both")
        if not args and not kwargs:
            raise ValueError("StackDataset: expected at least one dataset")
        self.datasets = args or kwargs
        parts = args or tuple(kwargs.values())
        lengths = [len(dataset) for dataset in parts]
        if len(set(lengths)) > 1:
            raise ValueError(f"StackDataset: all datasets must have the same length, got lengths {lengths}")
        self._length = lengths[0]

    def __len__(self) -> int:
        """The common length of the datasets."""
        return self._length

    def __getitem__(self, index: Any) -> Any:
        """Sample `index` of every dataset, as a tuple or a dict."""
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def get_batch(self, indices: Indices) -> Any:
        """Each dataset's batch at `indices`: a list for positional datasets, a dict for keyword ones (what
        `default_collate` makes of the samples)."""
        if isinstance(self.datasets, dict):
            return {key: _batch(dataset, indices) for key, dataset in self.datasets.items()}
        return [_batch(dataset, indices) for dataset in self.datasets]


def _batch(dataset: Any, indices: Indices) -> Any:
    """`dataset.get_batch(indices)` for a Dataset, else the collated samples."""
    if isinstance(dataset, Dataset):
        return dataset.get_batch(indices)
    return default_collate(samples(dataset, indices))


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets one after the other, as `torch.utils.data.ConcatDataset`: index `i` falls into
    the dataset whose range of `cumulative_sizes` holds it."""

    datasets: list[Any]
    cumulative_sizes: list[int]

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expected at least one dataset")
        for position, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {position} is an IterableDataset, which has no indices; "
                                "chain streams with ChainDataset")
        self.cumulative_sizes = list(accumulate(len(dataset) for dataset in self.datasets))

    def __len__(self) -> int:
        """The total number of samples."""
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        """Sample `idx` of the concatenation (negative indices count from the end)."""
        position = operator.index(idx)
        if not -len(self) <= position < len(self):
            raise IndexError(f"ConcatDataset: index {position} is out of range for a dataset of {len(self)} samples")
        position %= len(self)
        # The first dataset whose cumulative size exceeds the position holds it.
        which = bisect.bisect_right(self.cumulative_sizes, position)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][position - start]  # type: ignore[no-any-return]


class ChainDataset(IterableDataset[Any]):
    """Streams one after the other, as `torch.utils.data.ChainDataset`; its length is the sum of theirs."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        """The samples of the first stream, then those of the second, ..."""
        for position, dataset in enumerate(self.datasets):
            _expect_stream(dataset, position)
            yield from dataset

    def __len__(self) -> int:
        """The total number of samples (each stream must have a length)."""
        total = 0
        for position, dataset in enumerate(self.datasets):
            _expect_stream(dataset, position)
            total += len(dataset)
        return total


def _expect_stream(dataset: Any, position: int) -> None:
    if not isinstance(dataset, IterableDataset):
        raise TypeError(f"ChainDataset: dataset {position} is a {type(dataset).__name__}, but ChainDataset only "
                        "chains IterableDatasets; concatenate map-style datasets with ConcatDataset")


class Subset(Dataset[T_co]):
    """The samples of `dataset` at `indices`, in that order, as `torch.utils.data.Subset`:
    `subset[i] == dataset[indices[i]]`."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __len__(self) -> int:
        """The number of indices."""
        return len(self.indices)

    def __getitem__(self, idx: Any) -> T_co:
        """`dataset[indices[idx]]`; a list of positions gives `dataset[[indices[i] for i in idx]]`."""
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]  # type: ignore[no-any-return]
        return self.dataset[self.indices[idx]]  # type: ignore[no-any-return]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """The samples at the positions `indices`, fetched with the dataset's own `__getitems__` if it has one."""
        return samples(self.dataset, [self.indices[i] for i in indices])

    def get_batch(self, indices: Indices) -> Any:
        """The underlying dataset's batch at the mapped indices (one gather for a TensorDataset)."""
        return _batch(self.dataset, [self.indices[int(i)] for i in indices])


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: Generator | None = default_generator) -> list[Subset[Any]]:
    """The samples of `dataset` in a random order, split into non-overlapping `Subset`s of `lengths`, as
    `torch.utils.data.random_split`. Fractions that sum to 1 are lengths too: each gets floor(fraction * n),
    and the samples left over go one by one to the splits in turn, from the first. The order is one
    `randperm(n, generator=generator)`."""
    count = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _split_fractions(lengths, count)
    for position, length in enumerate(lengths):
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise ValueError(f"random_split: lengths must be non-negative ints or fractions that sum to 1, but "
                             f"length {position} is {length!r}")
    if sum(lengths) != count:
        raise ValueError(f"random_split: the lengths {list(lengths)} sum to {sum(lengths)}, but the dataset has "
                         f"{count} samples")
    order = randperm(count, generator=generator).tolist()
    ends = list(accumulate(lengths))
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths, strict=True)]


def _split_fractions(fractions: Sequence[int | float], count: int) -> list[int]:
    """PyTorch's rounding of fractions to lengths: floor each, then hand out the rest round-robin."""
    for position, fraction in enumerate(fractions):
        if not 0 <= fraction <= 1:
            raise ValueError(f"random_split: fraction {position} is {fraction!r}, not between 0 and 1")
    lengths = [math.floor(count * fraction) for fraction in fractions]
    for position in range(count - sum(lengths)):
        lengths[position % len(lengths)] += 1
    for position, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"random_split: split {position} is empty (length 0)", stacklevel=3)
    return lengths
