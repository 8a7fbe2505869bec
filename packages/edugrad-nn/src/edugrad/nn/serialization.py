"""Saving and loading state dicts and whole training checkpoints, in the safetensors format.

Top layer (`edugrad.nn`). `save(model.state_dict(), path)` writes a safetensors file, `load(path)` reads it
back as a dict of Tensors; `save_checkpoint` / `load_checkpoint` keep everything training needs to resume
(model, optimizer, scheduler, step, anything else) in one such file.

Why safetensors and not pickle (what `torch.save` uses): unpickling a file can run any code its author put
in it, so opening a downloaded checkpoint would be as dangerous as running a downloaded program. A safetensors
file is an 8-byte little-endian header length, a JSON header (for each tensor its dtype, shape and byte range;
plus a `__metadata__` dict of strings) and the raw tensor bytes: reading it only ever parses JSON and copies
bytes. The `safetensors` package reads and checks the header (a truncated file or overlapping byte ranges are
rejected). There is no checksum, so a flipped bit inside the tensor bytes goes unnoticed. The files are the
ones `safetensors.torch` reads and writes, so a state dict moves between edugrad and PyTorch through them.

A checkpoint stores each tensor under its dotted path (`model.fc.weight`, `optimizer.state.0.exp_avg`) and
everything else as JSON in the metadata, one entry per top-level name (`model`, `optimizer`, `step`, ...), in
which a tensor appears as `{"__tensor__": "optimizer.state.0.exp_avg"}`. JSON has no tuples and only string
keys, so tuples become `{"__tuple__": [...]}` and dicts with other keys (an optimizer's state is keyed by
parameter index) `{"__items__": [[key, value], ...]}`. Python floats are written as their shortest repr,
which reads back as the same float, so a resumed run continues bit for bit.

Writes are atomic (`_atomic.atomic_write`): the bytes go to a temporary file in the same folder, are flushed
to disk (fsync), and only then does `os.replace` swap the new file in (a rename, which the operating system
does all at once). A crash at any moment leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import safetensors
import safetensors.numpy
from numpy.typing import NDArray

from edugrad.nn._atomic import atomic_write
from edugrad.tensor import DType, Tensor, dtypes

__all__ = ["CheckpointError", "load", "load_checkpoint", "save", "save_checkpoint"]

PathLike = str | os.PathLike[str]

#: The dtype names of the safetensors header that edugrad reads (the format also has BF16, I8, F8_E4M3, ...).
SAFETENSORS_DTYPES: dict[str, DType] = {
    "BOOL": dtypes.bool, "U8": dtypes.uint8, "I32": dtypes.int32, "I64": dtypes.int64,
    "F16": dtypes.float16, "F32": dtypes.float32, "F64": dtypes.float64,
}

#: The metadata entry that marks a file as an edugrad checkpoint, and the layout version it was written in.
FORMAT_KEY, FORMAT = "edugrad.format", "checkpoint/1"
TENSOR_TAG, TUPLE_TAG, ITEMS_TAG = "__tensor__", "__tuple__", "__items__"


class CheckpointError(ValueError):
    """A file cannot be read as a state dict or checkpoint: it is damaged, not a safetensors file, or holds
    something edugrad cannot load. The message names the file and what is wrong."""


class Stateful(Protocol):
    """Anything with PyTorch's state dict pair: a Module, an optimizer, a learning-rate scheduler."""

    def state_dict(self) -> Mapping[str, Any]: ...

    def load_state_dict(self, state_dict: Any, /) -> Any: ...


def save(state_dict: Mapping[str, Tensor], path: PathLike) -> None:
    """Write a state dict (names to Tensors) to `path` as a safetensors file, atomically."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"save: expected a state dict (a dict of names to Tensors), got {type(state_dict).__name__}")
    arrays: dict[str, NDArray[Any]] = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: state dict keys must be strings, got {key!r}")
        if not isinstance(value, Tensor):
            raise TypeError(f"save: state_dict[{key!r}] is a {type(value).__name__}, not a Tensor; save() stores only "
                            "tensors (save_checkpoint also stores numbers, strings, lists and dicts)")
        arrays[key] = value.numpy()
    _write(Path(path), arrays, None)


def load(path: PathLike) -> dict[str, Tensor]:
    """The tensors of the safetensors file at `path`, by name (a state dict for `Module.load_state_dict`)."""
    tensors, _ = _read(Path(path), "load")
    return tensors


def save_checkpoint(path: PathLike, model: Stateful | None = None, optimizer: Stateful | None = None,
                    scheduler: Stateful | None = None, step: int | None = None, **extra: Any) -> None:
    """Write the state of a training run to one safetensors file, atomically: the state dicts of `model`,
    `optimizer` and `scheduler` (those given), `step`, and any `extra` values (Tensors, numbers, strings, None,
    and lists, tuples and dicts of them), e.g. `epoch=3`."""
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    entries = {name: part.state_dict() for name, part in parts.items() if part is not None}
    entries |= ({} if step is None else {"step": step}) | extra
    arrays: dict[str, NDArray[Any]] = {}
    metadata = {FORMAT_KEY: FORMAT}
    for name, value in entries.items():
        metadata[name] = json.dumps(_encode(value, name, arrays))
    _write(Path(path), arrays, metadata)


def load_checkpoint(path: PathLike, model: Stateful | None = None, optimizer: Stateful | None = None,
                    scheduler: Stateful | None = None) -> dict[str, Any]:
    """Read a file written by `save_checkpoint`, load its states into `model`, `optimizer` and `scheduler`
    (those given), and return everything it holds by name: `"model"`, `"optimizer"`, `"scheduler"` (state
    dicts), `"step"` and the extra values."""
    path = Path(path)
    tensors, metadata = _read(path, "load_checkpoint")
    if metadata.get(FORMAT_KEY) != FORMAT:
        found = f"format {metadata[FORMAT_KEY]!r}" if FORMAT_KEY in metadata else "no edugrad checkpoint marker"
        raise CheckpointError(f"load_checkpoint: {path} is not an edugrad checkpoint in the format {FORMAT!r} (it has "
                              f"{found}); a state dict written by save() is read with load()")
    checkpoint = {name: _decode(text, name, tensors, path) for name, text in metadata.items() if name != FORMAT_KEY}
    for name, part in {"model": model, "optimizer": optimizer, "scheduler": scheduler}.items():
        if part is None:
            continue
        if name not in checkpoint:
            raise CheckpointError(f"load_checkpoint: {path} holds no {name} state (it holds: "
                                  f"{', '.join(sorted(checkpoint)) or 'nothing'})")
        try:
            part.load_state_dict(checkpoint[name])
        except Exception as error:
            error.add_note(f"(while loading the {name} state from {path})")
            raise
    return checkpoint


def _write(path: Path, arrays: dict[str, NDArray[Any]], metadata: dict[str, str] | None) -> None:
    if not path.parent.is_dir():  # else the error would name the temporary file
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    payload = safetensors.numpy.save(arrays, metadata=metadata)
    with atomic_write(path) as file:
        file.write(payload)


def _read(path: Path, op: str) -> tuple[dict[str, Tensor], dict[str, str]]:
    """The tensors and the metadata of the safetensors file at `path`."""
    if path.is_dir():
        raise IsADirectoryError(f"{op}: {path} is a folder, not a safetensors file")
    try:
        with safetensors.safe_open(path, framework="numpy") as file:
            metadata = file.metadata() or {}
            tensors = {key: _read_tensor(file, key, path, op) for key in file.keys()}
    except safetensors.SafetensorError as error:
        raise CheckpointError(f"{op}: {path} is not a valid safetensors file, or it is damaged or truncated "
                              f"({error})") from None
    return tensors, metadata


def _read_tensor(file: Any, key: str, path: Path, op: str) -> Tensor:
    dtype_name = file.get_slice(key).get_dtype()
    dtype = SAFETENSORS_DTYPES.get(dtype_name)
    if dtype is None:
        raise CheckpointError(f"{op}: tensor {key!r} in {path} has dtype {dtype_name}, which edugrad does not "
                              f"support (it reads {', '.join(SAFETENSORS_DTYPES)})")
    return Tensor(file.get_tensor(key), dtype=dtype)


def _encode(value: Any, name: str, arrays: dict[str, NDArray[Any]]) -> Any:
    """`value` as JSON, with each Tensor replaced by a reference to `arrays[name]`, where its values go."""
    if isinstance(value, Tensor):
        if name in arrays:
            raise ValueError(f"save_checkpoint: two different values would be stored under the name {name!r}")
        arrays[name] = value.numpy()
        return {TENSOR_TAG: name}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_encode(item, f"{name}.{index}", arrays) for index, item in enumerate(value)]
    if isinstance(value, tuple):
        return {TUPLE_TAG: [_encode(item, f"{name}.{index}", arrays) for index, item in enumerate(value)]}
    if isinstance(value, Mapping):
        return _encode_mapping(value, name, arrays)
    raise TypeError(f"save_checkpoint: {name} is a {type(value).__name__}; a checkpoint stores Tensors, Python "
                    "numbers, strings, None, and lists, tuples and dicts of them")


def _encode_mapping(mapping: Mapping[Any, Any], name: str, arrays: dict[str, NDArray[Any]]) -> Any:
    for key in mapping:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise TypeError(f"save_checkpoint: {name} has the key {key!r}; a checkpoint stores dicts keyed by "
                            "strings or ints")
    items = [(key, _encode(value, f"{name}.{key}", arrays)) for key, value in mapping.items()]
    if all(isinstance(key, str) and key not in (TENSOR_TAG, TUPLE_TAG, ITEMS_TAG) for key, _ in items):
        return dict(items)
    return {ITEMS_TAG: [[key, value] for key, value in items]}


def _decode(text: str, name: str, tensors: Mapping[str, Tensor], path: Path) -> Any:
    """The value stored as JSON `text` under the metadata entry `name`, with its tensors filled in."""
    try:
        return _rebuild(json.loads(text), tensors, path)
    except CheckpointError:
        raise
    except (TypeError, ValueError) as error:  # bad JSON is a ValueError; a malformed tag gives either
        raise CheckpointError(f"load_checkpoint: the metadata entry {name!r} of {path} is damaged ({error})") from None


def _rebuild(value: Any, tensors: Mapping[str, Tensor], path: Path) -> Any:
    """The inverse of `_encode`."""
    if isinstance(value, list):
        return [_rebuild(item, tensors, path) for item in value]
    if not isinstance(value, dict):
        return value
    if TENSOR_TAG in value:
        if value[TENSOR_TAG] not in tensors:
            raise CheckpointError(f"load_checkpoint: {path} refers to a tensor {value[TENSOR_TAG]!r} that it does "
                                  "not contain")
        return tensors[value[TENSOR_TAG]]
    if TUPLE_TAG in value:
        return tuple(_rebuild(item, tensors, path) for item in value[TUPLE_TAG])
    if ITEMS_TAG in value:
        return {key: _rebuild(item, tensors, path) for key, item in value[ITEMS_TAG]}
    return {key: _rebuild(item, tensors, path) for key, item in value.items()}
