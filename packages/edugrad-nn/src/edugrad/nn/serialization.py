"""`save` / `load` (PyTorch's `torch.save` / `torch.load`) and whole training checkpoints, without pickle.

Top layer (`edugrad.nn`). `save(obj, f)` writes Tensors and Parameters, Python numbers, strings, bytes, None and
dtypes, nested in lists, tuples, sets and dicts (also OrderedDict and Counter), to a path or a binary file
object; `load(f)` gives back the same object: the same types, the same float bits, each tensor's dtype, shape,
requires_grad and device. `dumps(obj)` / `loads(data)` do the same with bytes (the DataLoader's worker
processes send their batches this way). `save_checkpoint` / `load_checkpoint` keep everything training needs to
resume (model, optimizer, scheduler, step, anything else) in one such file.

Why not pickle, the format of `torch.save`: unpickling a file can run any code its author put in it, so
opening a downloaded checkpoint would be as dangerous as running a downloaded program. edugrad writes a
safetensors file instead: an 8-byte little-endian header length, a JSON header (for each tensor its dtype,
shape and byte range, plus a `__metadata__` dict of strings) and the raw tensor bytes. Reading one only
ever parses JSON and copies bytes. The `safetensors` package writes and checks the file (a truncated file or
overlapping byte ranges are rejected); there is no checksum, so a flipped bit inside the tensor bytes goes
unnoticed. A real `torch.save` file (a zip archive holding the pickle `data.pkl`, or the older bare pickle) is
refused with a message saying how to convert it in PyTorch.

The layout ("object/1"). Each tensor is stored under its path in the object, dotted: the state dict
`{"fc.weight": w}` stores `fc.weight`, `{"model": model.state_dict(), "step": 3}` stores `model.fc.weight`,
so `safetensors.torch.load_file` reads a saved state dict as one. The one metadata entry, `edugrad.object`, is
`{"format": "object/1", "object": ...}`, the object as JSON (`_object_json` says how), in which a tensor
appears as `{"__tensor__": "model.fc.weight"}`, with `"requires_grad": true`, `"type": "Parameter"` or
`"device": "cuda:0"` where they apply. A tensor object that appears twice (a weight tied by assigning one
Parameter to two modules) is stored once, under its first path, and loads as one object again. A safetensors
file without `edugrad.object` (as `safetensors.torch.save_file` writes) loads as the dict of its tensors;
checkpoints of the earlier layout ("checkpoint/1": one JSON metadata entry per top-level name, with the same
tags) are still read.

Writes to a path are atomic (`_atomic.atomic_write`): the bytes go to a temporary file in the same folder,
are flushed to disk, and only then replace the old file, so a crash leaves the old file or the new one.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol

import numpy as np
import safetensors
import safetensors.numpy
from numpy.typing import NDArray

from edugrad.nn._atomic import atomic_write
from edugrad.nn._object_json import MAX_DEPTH, TENSOR_TAG, Decoder, Encoder, Placement
from edugrad.tensor import DType, Tensor, device, dtypes
from edugrad.tensor.devices import backend_of

__all__ = ["CheckpointError", "dumps", "load", "load_checkpoint", "loads", "save", "save_checkpoint"]

PathLike = str | os.PathLike[str]
FileLike = str | os.PathLike[str] | IO[bytes]

#: The dtype names of the safetensors header that edugrad reads: one for each of its dtypes, so every tensor `save`
#: writes loads again (the format also has U16, F8_E4M3, C64, ...). bfloat16 only where ml_dtypes gives NumPy one.
SAFETENSORS_DTYPES: dict[str, DType] = {
    "BOOL": dtypes.bool, "U8": dtypes.uint8, "I8": dtypes.int8, "I16": dtypes.int16, "I32": dtypes.int32,
    "I64": dtypes.int64, "F16": dtypes.float16, "F32": dtypes.float32, "F64": dtypes.float64,
} | ({"BF16": dtypes.bfloat16} if dtypes.bfloat16.unavailable is None else {})

#: The one metadata entry of an edugrad file, `{"format": "object/1", "object": <the object as JSON>}` (one
#: entry, because safetensors writes the metadata in no fixed order: the same object gives the same bytes).
OBJECT_KEY, FORMAT = "edugrad.object", "object/1"
#: The layout of earlier `save_checkpoint` files, named by their entry FORMAT_KEY; still read.
FORMAT_KEY, CHECKPOINT_FORMAT = "edugrad.format", "checkpoint/1"


#: What a torch.save file starts with: a zip archive (since PyTorch 1.6), or a protocol-2 pickle of the magic
#: number 0x1950a86a20f9469cfc6c (the legacy format); any other pickle starts with 0x80 and its protocol.
ZIP_MAGIC = b"PK\x03\x04"
LEGACY_TORCH_MAGIC = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")
NEVER_UNPICKLE = (
    "edugrad never unpickles a file, because unpickling can run any code its author put in it. Convert it once, "
    "in PyTorch: a state dict with `from safetensors.torch import save_file; save_file(torch.load(path), "
    "'model.safetensors')`; a checkpoint holding more than tensors by loading it with torch.load, turning each "
    "torch tensor t into edugrad.tensor.Tensor(t.numpy()), and saving the result with edugrad.nn.save")


class CheckpointError(ValueError):
    """A file cannot be loaded: it is damaged, not a safetensors file (a PyTorch pickle, say), or holds
    something edugrad cannot load. The message names the file and what is wrong."""


class Stateful(Protocol):
    """Anything with PyTorch's state dict pair: a Module, an optimizer, a learning-rate scheduler."""

    def state_dict(self) -> Mapping[str, Any]: ...

    def load_state_dict(self, state_dict: Any, /) -> Any: ...


# the public functions

def dumps(obj: object) -> bytes:
    """`obj` as the bytes of the file `save` writes (a safetensors file); `loads` reads them back."""
    return _dumps(obj, "dumps", "obj")


def loads(data: bytes) -> Any:
    """The object saved in `data`, the bytes of a file written by `save` or `dumps`, or of any safetensors file."""
    return _loads(data, "loads", "the data", _placement(None))


def save(obj: object, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Write `obj` (Tensors, Parameters, numbers, strings, bytes, None, dtypes, and lists, tuples, sets and dicts
    of them) to `f`, a path (written atomically) or a binary file object, as `torch.save`. The file is a
    safetensors file, never a pickle: `pickle_module`, `pickle_protocol` and the two format switches are
    accepted for torch's signature and change nothing. A value edugrad cannot save is a TypeError naming its
    place in `obj` (`obj['model']['fc'][2]`), raised before anything is written."""
    data = _dumps(obj, "save", "obj")
    if isinstance(f, (str, os.PathLike)):
        _write(Path(f), data)
    else:
        _check_binary(f, "save", "write")
        f.write(data)


def load(f: FileLike, map_location: object = None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """The object saved in `f` (a path or a binary file object), as `torch.load`. Loading never runs code, so
    every file is as safe as `weights_only=True` asks; `pickle_module`, `mmap` and `pickle_load_args` change
    nothing (a path is always read through a memory map). `map_location` moves the tensors as in torch: None
    puts each on the device it was saved from, a device ("cpu", "cuda:0", `device("cpu")`) puts all there, and
    a dict maps saved devices to new ones. A function (torch's `lambda storage, location: storage`) cannot be
    given the storages it expects; the tensors load onto the CPU, which is what that idiom asks for."""
    place = _placement(map_location)
    if isinstance(f, (str, os.PathLike)):
        return _load_path(Path(f), "load", place)
    _check_binary(f, "load", "read")
    return _loads(f.read(), "load", getattr(f, "name", "the file object"), place)


def save_checkpoint(path: PathLike, model: Stateful | None = None, optimizer: Stateful | None = None,
                    scheduler: Stateful | None = None, step: int | None = None, **extra: Any) -> None:
    """Write the state of a training run to one file, atomically: the state dicts of `model`, `optimizer` and
    `scheduler` (those given), `step`, and any `extra` values (anything `save` stores), e.g. `epoch=3`. It is
    `save` of the dict of these by name, so `load` reads the file too."""
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    entries = {name: part.state_dict() for name, part in parts.items() if part is not None}
    entries |= ({} if step is None else {"step": step}) | extra
    _write(Path(path), _dumps(entries, "save_checkpoint", "checkpoint"))


def load_checkpoint(path: PathLike, model: Stateful | None = None, optimizer: Stateful | None = None,
                    scheduler: Stateful | None = None) -> dict[str, Any]:
    """Read a file written by `save_checkpoint` (or `save` of a dict), load its states into `model`, `optimizer`
    and `scheduler` (those given), and return everything it holds by name: `"model"`, `"optimizer"`,
    `"scheduler"` (state dicts), `"step"` and the extra values."""
    path = Path(path)
    checkpoint = _load_path(path, "load_checkpoint", _placement(None))
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"load_checkpoint: {path} holds a {type(checkpoint).__name__}, not the dict of a "
                              "checkpoint; read it with load()")
    for name, part in {"model": model, "optimizer": optimizer, "scheduler": scheduler}.items():
        if part is None:
            continue
        if name not in checkpoint:
            raise CheckpointError(f"load_checkpoint: {path} holds no {name} state (it holds: "
                                  f"{', '.join(map(str, checkpoint)) or 'nothing'})")
        try:
            part.load_state_dict(checkpoint[name])
        except Exception as error:
            error.add_note(f"(while loading the {name} state from {path})")
            raise
    return checkpoint


# writing

def _dumps(obj: object, op: str, root: str) -> bytes:
    encoder = Encoder(op, root)
    structure = encoder.encode(obj, ())
    metadata = {OBJECT_KEY: json.dumps({"format": FORMAT, "object": structure}, separators=(",", ":"))}
    return safetensors.numpy.save(encoder.arrays, metadata=metadata)


def _write(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():  # else the error would name the temporary file
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    with atomic_write(path) as file:
        file.write(data)


def _check_binary(f: Any, op: str, method: str) -> None:
    if isinstance(f, io.TextIOBase) or not callable(getattr(f, method, None)):
        raise TypeError(f"{op}: f must be a path or a binary file object (open(path, '{method[0]}b'), io.BytesIO), "
                        f"got {type(f).__name__}")


# reading

def _placement(map_location: object) -> Placement:
    """Where load puts a tensor saved on each device (see `load`); a device edugrad cannot compute on is an error
    now, before anything is read."""
    if callable(map_location):
        map_location = "cpu"
    if map_location is None:
        return _saved_device
    if isinstance(map_location, dict):
        moved = {str(saved): backend_of(target).name for saved, target in map_location.items()}
        return lambda saved: moved[saved] if saved in moved else _saved_device(saved)
    if not isinstance(map_location, (device, str, int)):
        raise TypeError(f"load: map_location must be None, a device, a device string, a dict or a function, got "
                        f"{type(map_location).__name__}")
    everywhere = backend_of(map_location).name
    return lambda saved: everywhere


def _saved_device(saved: str) -> str:
    try:
        return backend_of(saved).name
    except RuntimeError as error:
        error.add_note(f"(load: a tensor was saved on {saved}; map_location='cpu' loads it onto the CPU)")
        raise


def _loads(data: bytes, op: str, where: str, place: Placement) -> Any:
    try:
        # [(name, {"dtype": "F32", "shape": [...], "data": bytearray}), ...], every name and byte range checked;
        # safetensors declares no types for it
        tensors = safetensors.deserialize(data)  # type: ignore[no-untyped-call]
    except safetensors.SafetensorError as error:
        raise _not_safetensors(op, where, data, error) from None
    header_length = int.from_bytes(data[:8], "little")  # safetensors has checked the header: it is valid JSON
    metadata = json.loads(data[8:8 + header_length]).get("__metadata__") or {}
    arrays = {name: np.frombuffer(entry["data"], _dtype(name, entry["dtype"], op, where).np_dtype)
              .reshape(entry["shape"]) for name, entry in tensors}
    return _rebuild_object(arrays, metadata, op, where, place)


def _load_path(path: Path, op: str, place: Placement) -> Any:
    if path.is_dir():
        raise IsADirectoryError(f"{op}: {path} is a folder, not a file saved by edugrad")
    try:
        with safetensors.safe_open(path, framework="numpy") as file:
            metadata = file.metadata() or {}
            for name in file.keys():
                _dtype(name, file.get_slice(name).get_dtype(), op, path)
            arrays = {name: file.get_tensor(name) for name in file.keys()}
    except safetensors.SafetensorError as error:
        with path.open("rb") as head:
            raise _not_safetensors(op, path, head, error) from None
    return _rebuild_object(arrays, metadata, op, path, place)


def _dtype(name: str, dtype_name: str, op: str, where: object) -> DType:
    dtype = SAFETENSORS_DTYPES.get(dtype_name)
    if dtype is None:
        raise CheckpointError(f"{op}: tensor {name!r} in {where} has dtype {dtype_name}, which edugrad does not "
                              f"support (it reads {', '.join(SAFETENSORS_DTYPES)})")
    return dtype


def _not_safetensors(op: str, where: object, source: bytes | IO[bytes], error: Exception) -> CheckpointError:
    """The error for a file safetensors rejected: a PyTorch or other pickle is named as such, anything else is
    damaged or not a safetensors file at all."""
    file = io.BytesIO(source) if isinstance(source, bytes) else source
    head = file.read(len(LEGACY_TORCH_MAGIC))
    if head.startswith(ZIP_MAGIC) and _holds_data_pkl(file):
        return CheckpointError(f"{op}: {where} is a PyTorch checkpoint (torch.save's zip archive holding the pickle "
                               f"data.pkl), not a safetensors file. {NEVER_UNPICKLE}")
    if head == LEGACY_TORCH_MAGIC:
        return CheckpointError(f"{op}: {where} is a PyTorch checkpoint in torch.save's legacy pickle format, not a "
                               f"safetensors file. {NEVER_UNPICKLE}")
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return CheckpointError(f"{op}: {where} is a Python pickle, not a safetensors file. {NEVER_UNPICKLE}")
    return CheckpointError(f"{op}: {where} is not a valid safetensors file, or it is damaged or truncated ({error})")


def _holds_data_pkl(file: IO[bytes]) -> bool:
    try:
        return any(name.endswith("data.pkl") for name in zipfile.ZipFile(file).namelist())
    except zipfile.BadZipFile:
        return False


def _rebuild_object(arrays: dict[str, NDArray[Any]], metadata: dict[str, str], op: str, where: object,
                    place: Placement) -> Any:
    """The saved object: the JSON of `edugrad.object` with its tensors filled in; for a file of the earlier
    checkpoint layout, the dict of its entries; for a plain safetensors file, the dict of its tensors."""
    if OBJECT_KEY in metadata:
        saved = _parse(metadata[OBJECT_KEY], OBJECT_KEY, op, where)
        layout = saved.get("format") if isinstance(saved, dict) else None
        if layout != FORMAT or "object" not in saved:
            _unknown_layout(layout, op, where)
        structure = saved["object"]
    elif FORMAT_KEY in metadata:
        layout = metadata[FORMAT_KEY]
        if layout != CHECKPOINT_FORMAT:
            _unknown_layout(layout, op, where)
        # (sorted: the file keeps no order of its entries)
        structure = {key: _parse(metadata[key], key, op, where) for key in sorted(metadata) if key != FORMAT_KEY}
    else:
        structure = {name: {TENSOR_TAG: name} for name in sorted(arrays)}
    try:
        return Decoder(arrays, place).decode(structure)
    except (TypeError, ValueError, LookupError, AttributeError) as error:  # a malformed tag: a damaged file
        raise CheckpointError(f"{op}: the metadata of {where} is damaged ({error})") from None
    except RecursionError:
        raise _too_deep(op, where) from None


def _unknown_layout(layout: object, op: str, where: object) -> NoReturn:
    raise CheckpointError(f"{op}: {where} is an edugrad file of the layout {layout!r}, which this version does not "
                          f"read (it reads {FORMAT!r} and {CHECKPOINT_FORMAT!r}); is it from a newer edugrad?")


def _parse(text: str, key: str, op: str, where: object) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise CheckpointError(f"{op}: the metadata entry {key!r} of {where} is damaged or missing ({error})") from None
    except RecursionError:
        raise _too_deep(op, where) from None


def _too_deep(op: str, where: object) -> CheckpointError:
    return CheckpointError(f"{op}: the metadata of {where} nests containers deeper than Python's "
                           f"recursion limit; edugrad's save writes at most {MAX_DEPTH} levels, so the file is "
                           "damaged or was not written by edugrad")
