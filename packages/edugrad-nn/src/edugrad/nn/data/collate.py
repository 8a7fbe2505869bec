"""`default_collate` and `default_convert`: how samples become one batch.

Top layer (`edugrad.nn.data`), after `torch.utils.data.default_collate` and `default_convert`. The structure of
a sample is kept and its leaves are stacked along a new first axis: samples `(image, label)` give a batch
`[images, labels]` (a list, as in PyTorch), samples `{"x": ..., "y": ...}` give `{"x": images, "y": labels}`.
Stacking happens on the NumPy values, so a batch is a new leaf tensor with no gradient history, unless a sample
requires grad: then the batch is `Tensor.stack` of the samples and gradients flow back to them, as in PyTorch.
`default_convert` is what a DataLoader without batching (`batch_size=None`) applies to each sample: NumPy
arrays become Tensors, everything else is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from edugrad.tensor import Tensor, stack, tensor

__all__ = ["default_collate", "default_convert"]

_ARRAY_TYPES = (Tensor, np.ndarray, np.generic)
_NUMBER_TYPES = (bool, int, float)
_NUMBER_DTYPES = {"b": np.bool_, "i": np.int64, "f": np.float64}  # NumPy's defaults vary by platform; PyTorch's don't


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch: Tensors and NumPy arrays into one Tensor with a new first
    axis; Python numbers into a 1-D Tensor (bool, int64, or float64 for floats, as in PyTorch); strings into a
    list; dicts and namedtuples field by field, keeping their type; other tuples and lists field by field into
    a list (PyTorch's return type)."""
    if len(batch) == 0:
        raise ValueError("default_collate: cannot collate an empty batch")
    first = batch[0]
    if isinstance(first, _ARRAY_TYPES):
        return _stack(batch)
    if isinstance(first, _NUMBER_TYPES):
        _expect_all(batch, _NUMBER_TYPES, "Python numbers")
        values = np.asarray(batch)
        return tensor(values.astype(_NUMBER_DTYPES.get(values.dtype.kind, values.dtype)))
    if isinstance(first, (str, bytes)):
        _expect_all(batch, (str, bytes), "strings")
        return batch  # as PyTorch: a list of samples stays a list, a column of a tuple sample stays a tuple
    if isinstance(first, Mapping):
        return _collate_mappings(batch)
    if isinstance(first, (tuple, list)):
        return _collate_sequences(batch)
    raise TypeError(f"default_collate: cannot collate samples of type {type(first).__name__}; expected Tensors, "
                    "NumPy arrays, numbers, strings, or tuples, lists and dicts of them (or pass a collate_fn)")


def _stack(batch: Sequence[Any]) -> Tensor:
    _expect_all(batch, _ARRAY_TYPES, "Tensors or NumPy arrays")
    arrays = [item.numpy() if isinstance(item, Tensor) else np.asarray(item) for item in batch]
    for index, array in enumerate(arrays):
        if array.dtype.kind in "OSUV":
            raise TypeError(f"default_collate: sample {index} is a NumPy array of dtype {array.dtype}, which a "
                            "Tensor cannot hold; collate it with a collate_fn of your own")
        if array.shape != arrays[0].shape:
            raise ValueError(f"default_collate: all samples must have the same shape to be stacked, but sample 0 "
                             f"has shape {arrays[0].shape} and sample {index} has shape {array.shape}")
    if any(isinstance(item, Tensor) and item.requires_grad for item in batch):
        return stack([item if isinstance(item, Tensor) else tensor(item) for item in batch])
    return tensor(np.stack(arrays))


def _collate_mappings(batch: Sequence[Any]) -> Any:
    _expect_all(batch, (Mapping,), "dicts")
    keys = list(batch[0])
    for index, sample in enumerate(batch):
        if set(sample) != set(keys):
            raise ValueError(f"default_collate: all dict samples must have the same keys, but sample 0 has "
                             f"{sorted(map(str, keys))} and sample {index} has {sorted(map(str, sample))}")
    return _mapping_like(batch[0], {key: default_collate([sample[key] for sample in batch]) for key in keys})


def _collate_sequences(batch: Sequence[Any]) -> Sequence[Any]:
    _expect_all(batch, (tuple, list), "tuples or lists")
    for index, sample in enumerate(batch):
        if len(sample) != len(batch[0]):
            raise ValueError(f"default_collate: all samples must have the same length, but sample 0 has "
                             f"{len(batch[0])} elements and sample {index} has {len(sample)}")
    fields = [default_collate(column) for column in zip(*batch)]
    if hasattr(batch[0], "_fields"):  # a NamedTuple: rebuild it so fields stay reachable by name
        return type(batch[0])(*fields)  # type: ignore[no-any-return]
    return fields


def default_convert(data: Any) -> Any:
    """One sample with its NumPy arrays and NumPy scalars turned into Tensors, looking inside dicts (which keep
    their type), namedtuples (too), and other tuples and lists (which become lists, as in PyTorch); everything
    else, Tensors and Python numbers included, is returned as it is. Arrays of strings or objects stay arrays,
    since a Tensor cannot hold them."""
    if isinstance(data, (np.ndarray, np.generic)):
        return data if data.dtype.kind in "OSUV" else tensor(np.asarray(data))
    if isinstance(data, Mapping):
        return _mapping_like(data, {key: default_convert(value) for key, value in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(value) for value in data]
    return data


def _mapping_like(original: Any, items: dict[Any, Any]) -> Any:
    """`items` as a mapping of the type of `original` (an OrderedDict stays one)."""
    return items if type(original) is dict else type(original)(items)


def _expect_all(batch: Sequence[Any], types: tuple[type, ...], what: str) -> None:
    for index, sample in enumerate(batch):
        if not isinstance(sample, types):
            raise TypeError(f"default_collate: sample 0 is a {type(batch[0]).__name__}, so all samples must be "
                            f"{what}, but sample {index} is a {type(sample).__name__}")
