"""`Dataset` and `TensorDataset`: what a `DataLoader` draws samples and batches from.

Top layer (`edugrad.nn.data`), with the names of `torch.utils.data`. A dataset is anything with a length and
an index: `dataset[i]` is one sample. `get_batch(indices)` returns the samples at `indices` already
collated into one batch; the default collates one sample at a time, and `TensorDataset` overrides it with one
NumPy gather per array. That override is what makes loading MNIST fast: stacking 128 sample tensors costs
128 Python calls and 128 small copies, gathering 128 rows of one array costs one call.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from edugrad.nn.data.collate import default_collate
from edugrad.tensor import Tensor, dtypes, tensor

__all__ = ["Dataset", "Indices", "TensorDataset"]

T_co = TypeVar("T_co", covariant=True)
Indices = Sequence[int] | NDArray[np.intp]


class Dataset(ABC, Generic[T_co]):
    """A collection of samples: subclasses define `__getitem__` (one sample) and `__len__`, as
    `torch.utils.data.Dataset`; those that can fetch many samples at once also override `get_batch`."""

    @abstractmethod
    def __getitem__(self, index: int) -> T_co:
        """The sample at `index`."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of samples."""

    def get_batch(self, indices: Indices) -> Any:
        """The samples at `indices`, collated into one batch by `default_collate`."""
        return default_collate([self[int(index)] for index in indices])


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

    def __len__(self) -> int:
        """The number of samples (rows)."""
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        """Row `index` of every tensor."""
        position = operator.index(index)
        if not -len(self) <= position < len(self):
            raise IndexError(f"TensorDataset: index {position} is out of range for a dataset of {len(self)} samples")
        # `array[i, ...]` is a 0-d array where `array[i]` would be a NumPy scalar, so the dtype survives.
        return tuple(tensor(array[position, ...]) for array in self.arrays)

    def get_batch(self, indices: Indices) -> tuple[Tensor, ...]:
        """The rows at `indices` of every tensor, gathered at once: `(x[indices], y[indices], ...)`."""
        rows = np.asarray(indices, dtype=np.intp)
        return tuple(tensor(array[rows]) for array in self.arrays)


def _as_array(tensor: Tensor | NDArray[Any], position: int) -> NDArray[Any]:
    array = tensor.numpy() if isinstance(tensor, Tensor) else np.array(tensor)
    if array.ndim == 0:
        raise ValueError(f"TensorDataset: tensor {position} is 0-d; every tensor needs a dimension 0 to index "
                         "samples along")
    dtypes.from_numpy(array.dtype)  # TypeError now, naming the supported dtypes, rather than at the first batch
    return array
