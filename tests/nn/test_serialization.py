"""Tests of `edugrad.nn.save` / `load` as files: state dicts as safetensors files shared with PyTorch, paths and
file objects, atomic writes, and clear errors for damaged files and PyTorch's pickle files (nested objects
are tested in test_save_objects.py).

Files are read back with the `safetensors` package itself and with `safetensors.torch`, so a test passes only
if the file is a real safetensors file, not merely one that edugrad reads back.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict, defaultdict
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

from edugrad.nn import serialization
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter
from edugrad.nn.serialization import CheckpointError, dumps, load, loads, save
from edugrad.tensor import Tensor, device, dtypes

DTYPES = [dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
          dtypes.uint8, dtypes.bool]
SHAPES = [(), (0,), (3, 0, 2), (5,), (2, 3, 4)]


def _values(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)  # (np.asarray: for shape () NumPy gives a scalar, not an array)
    if dtype is dtypes.bool:
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.is_floating_point:
        return np.asarray(rng.standard_normal(shape).astype(dtype.np_dtype))
    return np.asarray(rng.integers(0, 200, shape).astype(dtype.np_dtype))


def _tensor(values: np.ndarray) -> Tensor:
    """A Tensor of the array's own dtype (torch's legacy constructor, which `Tensor()` follows, makes floats)."""
    return Tensor(values, dtype=dtypes.from_numpy(values.dtype))


def _state(seed: int = 0) -> dict[str, Tensor]:
    return {f"t{i}.{dtype.name}": _tensor(_values(shape, dtype, seed))
            for i, (dtype, shape) in enumerate((d, s) for d in DTYPES for s in SHAPES)}


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class _Tagged(Tensor):
    __slots__ = ()


class _Point(NamedTuple):
    x: int
    y: int


def test_save_and_load_have_torchs_signatures() -> None:
    for ours, theirs in ((save, torch.save), (load, torch.load)):
        expected = [(p.name, p.kind) for p in inspect.signature(theirs).parameters.values()]
        assert [(p.name, p.kind) for p in inspect.signature(ours).parameters.values()] == expected


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_round_trip(tmp_path: Path, dtype: Any, shape: tuple[int, ...]) -> None:
    values = _values(shape, dtype)
    save({"x": _tensor(values)}, tmp_path / "a.safetensors")
    loaded = load(tmp_path / "a.safetensors")
    assert list(loaded) == ["x"]
    assert loaded["x"].dtype is dtype and loaded["x"].shape == shape
    np.testing.assert_array_equal(loaded["x"].numpy(), values)
    raw = safetensors.numpy.load_file(tmp_path / "a.safetensors")["x"]  # the same bytes, read by the reference
    assert raw.dtype == values.dtype and raw.shape == shape
    np.testing.assert_array_equal(raw, values)


def test_round_trip_of_many_tensors_and_special_floats(tmp_path: Path) -> None:
    state = _state()
    state["special"] = Tensor(np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, np.finfo(np.float32).max], np.float32))
    save(state, tmp_path / "m.safetensors")
    loaded = load(str(tmp_path / "m.safetensors"))
    assert sorted(loaded) == sorted(state)
    for key, tensor in state.items():
        assert loaded[key].dtype is tensor.dtype
        # Bit for bit, so NaN, -0.0 and denormals count too.
        assert loaded[key].numpy().tobytes() == tensor.numpy().tobytes()


def test_a_tensor_that_requires_grad_loads_as_a_leaf_that_requires_grad_as_in_torch(tmp_path: Path) -> None:
    weight = Tensor([[1.0, 2.0]], requires_grad=True)
    save({"w": weight * 2}, tmp_path / "g.safetensors")
    loaded = load(tmp_path / "g.safetensors")["w"]
    torch_weight = torch.tensor([[1.0, 2.0]], requires_grad=True)
    torch.save({"w": torch_weight * 2}, tmp_path / "g.pt")
    expected = torch.load(tmp_path / "g.pt")["w"]
    assert loaded.numpy().tolist() == [[2.0, 4.0]]
    assert (loaded.requires_grad, loaded.is_leaf) == (expected.requires_grad, expected.is_leaf) == (True, True)


TORCH_DTYPES = [torch.float16, torch.float32, torch.float64, torch.int8, torch.int16, torch.int32, torch.int64,
                torch.uint8, torch.bool]


def test_a_file_written_by_pytorch_loads_into_edugrad(tmp_path: Path) -> None:
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    state = dict(net.state_dict())  # includes num_batches_tracked, an int64 0-d tensor
    state |= {f"extra.{dtype}": (torch.rand(2, 3) * 100).to(dtype) for dtype in TORCH_DTYPES}
    safetensors.torch.save_file(state, tmp_path / "torch.safetensors")
    loaded = load(tmp_path / "torch.safetensors")
    assert sorted(loaded) == sorted(state)
    for key, tensor in state.items():
        assert loaded[key].shape == tuple(tensor.shape)
        assert loaded[key].dtype.name == str(tensor.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(loaded[key].numpy(), tensor.numpy())


def test_a_file_written_by_edugrad_loads_into_pytorch(tmp_path: Path) -> None:
    state = _state(seed=1)
    save(state, tmp_path / "edugrad.safetensors")
    loaded = safetensors.torch.load_file(tmp_path / "edugrad.safetensors")
    assert sorted(loaded) == sorted(state)
    for key, tensor in state.items():
        assert str(loaded[key].dtype) == f"torch.{tensor.dtype.name}" and tuple(loaded[key].shape) == tensor.shape
        np.testing.assert_array_equal(loaded[key].numpy(), tensor.numpy())


class Affine(Module):
    """y = x * scale + shift, with an int64 step counter buffer: a module built from Module alone."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.scale = Parameter(Tensor(np.arange(size, dtype=np.float32)))
        self.shift = Parameter(Tensor(np.zeros(size, dtype=np.float32)))
        self.register_buffer("steps", _tensor(np.array(0, dtype=np.int64)))


def test_module_state_dict_moves_between_pytorch_and_edugrad_through_a_file(tmp_path: Path) -> None:
    torch_state = {"scale": torch.tensor([3.0, 4.0]), "shift": torch.tensor([-1.0, 1.0]), "steps": torch.tensor(7)}
    safetensors.torch.save_file(torch_state, tmp_path / "t.safetensors")
    model = Affine(2)
    model.load_state_dict(load(tmp_path / "t.safetensors"))
    assert model.scale.numpy().tolist() == [3.0, 4.0] and model.steps.item() == 7
    save(model.state_dict(), tmp_path / "e.safetensors")
    back = safetensors.torch.load_file(tmp_path / "e.safetensors")
    assert all(torch.equal(back[key], torch_state[key]) for key in torch_state)


def test_loading_a_mismatched_file_names_the_key_and_the_shapes(tmp_path: Path) -> None:
    save({"scale": _tensor(np.zeros(3, np.float32)), "shift": _tensor(np.zeros(2, np.float64)),
          "steps": _tensor(np.array(0))}, tmp_path / "bad.safetensors")
    model = Affine(2)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(load(tmp_path / "bad.safetensors"))
    assert ("size mismatch for scale: copying a param with shape (3,) from checkpoint, the shape in current model "
            "is (2,)") in str(error.value)
    assert model.scale.numpy().tolist() == [0.0, 1.0] and model.shift.dtype == dtypes.float32  # nothing was written


# atomic writes

def test_overwriting_leaves_only_the_new_file(tmp_path: Path) -> None:
    path = tmp_path / "w.safetensors"
    save({"a": Tensor([1.0])}, path)
    save({"b": Tensor([2.0])}, path)
    assert list(load(path)) == ["b"] and _files(tmp_path) == ["w.safetensors"]


@pytest.mark.parametrize("crash", [OSError("disk full"), KeyboardInterrupt()], ids=["OSError", "KeyboardInterrupt"])
@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_a_crash_during_the_write_keeps_the_old_file_and_removes_the_temporary_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: BaseException, where: str) -> None:
    path = tmp_path / "model.safetensors"
    save({"w": Tensor([1.0, 2.0])}, path)
    old_bytes = path.read_bytes()
    written: list[int] = []

    def crash_after_writing(*args: Any) -> None:
        # By now the new bytes are in the temporary file beside the old one: a crash "mid-write".
        written.extend(p.stat().st_size for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        raise crash

    monkeypatch.setattr(serialization.os, where, crash_after_writing)
    with pytest.raises(type(crash)):
        save({"w": Tensor(np.arange(1000, dtype=np.float32))}, path)
    monkeypatch.undo()
    assert written and written[0] > 4000  # the temporary file held the new tensor
    assert path.read_bytes() == old_bytes and _files(tmp_path) == ["model.safetensors"]
    assert load(path)["w"].numpy().tolist() == [1.0, 2.0]


def test_a_value_that_cannot_be_saved_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.safetensors"
    save({"w": Tensor([1.0])}, path)
    with pytest.raises(TypeError, match=r"save: obj\['lr'\] is a complex, which edugrad cannot save"):
        save({"w": Tensor([2.0]), "lr": 0.1j}, path)
    assert load(path)["w"].item() == 1.0 and _files(tmp_path) == ["keep.safetensors"]


def test_the_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        save({"w": Tensor([1.0])}, tmp_path / "p.safetensors")
    finally:
        os.umask(previous)
    assert (tmp_path / "p.safetensors").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(("obj", "message"), [
    ({"w": np.zeros(2)}, r"obj\['w'\] is a ndarray, which edugrad cannot save; it saves Tensors and Parameters, "
                         "Python numbers"),
    ({"w": [_Tagged([1.0])]}, r"obj\['w'\]\[0\] is a _Tagged, a subclass of Tensor that edugrad cannot save; it "
                              "saves Tensors and Parameters"),
    ({"model": {"fc": [1, 2, object()]}}, r"obj\['model'\]\['fc'\]\[2\] is a object"),
    ({"ids": frozenset({1})}, r"obj\['ids'\] is a frozenset"),
    ({"step": np.int64(3)}, r"obj\['step'\] is a int64"),
    ([{"a": (1, np.float32(2.0))}], r"obj\[0\]\['a'\]\[1\] is a float32"),
    ({"x": {Tensor([1.0]): 2}}, r"obj\['x'\] holds tensor\(\[1.\]\), a Tensor, as a key or set item; .* strings, "
                                "numbers, None, bytes or tuples of them"),
    ({"x": {(1, Tensor([2.0])): 2}}, r"obj\['x'\] holds \(1, tensor\(\[2.\]\)\), a tuple, as a key"),
    ({"x": {1, (2, frozenset())}}, r"obj\['x'\] holds \(2, frozenset\(\)\), a tuple, as a key or set item"),
    (OrderedDict(a=defaultdict(list)), r"obj\['a'\] is a defaultdict"),
    (_Point(1, 2), "obj is a _Point"),
    ({"model": Module()}, r"obj\['model'\] is a Module, which edugrad cannot save; save its state_dict\(\) "
                          "instead; it saves Tensors"),
])
def test_save_names_where_an_unsupported_value_is(tmp_path: Path, obj: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / "x.safetensors")
    assert _files(tmp_path) == []


def test_save_names_a_container_that_holds_itself(tmp_path: Path) -> None:
    loop: list[Any] = [1]
    loop.append({"again": loop})
    with pytest.raises(TypeError, match=r"save: obj\[1\]\['again'\] contains itself"):
        save(loop, tmp_path / "x.safetensors")


# damaged files

def _valid_file_bytes() -> bytes:
    return safetensors.numpy.save({"weight": np.arange(12, dtype=np.float32).reshape(3, 4), "bias": np.ones(3)})


def _corrupt_header(data: bytes) -> bytes:
    header_length = int.from_bytes(data[:8], "little")
    return data[:8] + data[8:8 + header_length].replace(b'"dtype"', b'"dtipe"') + data[8 + header_length:]


def _shifted_offsets(data: bytes) -> bytes:
    header_length = int.from_bytes(data[:8], "little")
    header = data[8:8 + header_length].replace(b'"data_offsets":[0,', b'"data_offsets":[8,')
    return data[:8] + header + data[8 + header_length:]


DAMAGED = {
    "empty": lambda data: b"",
    "header length only": lambda data: data[:8],
    "truncated header": lambda data: data[:40],
    "truncated data": lambda data: data[:-5],
    "extra bytes": lambda data: data + b"\0" * 7,
    "huge header length": lambda data: (2**40).to_bytes(8, "little") + data[8:],
    "corrupt header": _corrupt_header,
    "overlapping tensors": _shifted_offsets,
    "text file": lambda data: b"weight = [1, 2, 3]\n" * 10,
    "zip archive": lambda data: _zip({"weights.npy": b"\x93NUMPY"}),
    "protocol 0 pickle": lambda data: pickle.dumps({"weight": [1.0, 2.0]}, protocol=0),
}


@pytest.mark.parametrize("damage", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_or_foreign_file_is_rejected_with_its_path(tmp_path: Path, damage: Any) -> None:
    path = tmp_path / "damaged.safetensors"
    path.write_bytes(damage(_valid_file_bytes()))
    with pytest.raises(CheckpointError, match=r"load: .*damaged\.safetensors is not a valid safetensors file"):
        load(path)


class _Trap:
    """Unpickling this object creates a file: evidence that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (Path.touch, (self.marker,))


def test_loading_a_malicious_pickle_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Trap(marker)))
    with pytest.raises(CheckpointError):
        load(path)
    assert not marker.exists()


@pytest.mark.skipif(dtypes.bfloat16.unavailable is not None, reason=str(dtypes.bfloat16.unavailable))
def test_bfloat16_round_trips_and_is_torchs_bfloat16(tmp_path: Path) -> None:
    expected = torch.tensor([1.0, -2.5, 3.140625, 1e-3, 65280.0], dtype=torch.bfloat16)
    save({"x": Tensor(expected.float().numpy()).to(dtypes.bfloat16)}, tmp_path / "bf16.safetensors")
    loaded = load(tmp_path / "bf16.safetensors")["x"]
    assert loaded.dtype is dtypes.bfloat16
    assert loaded.float().numpy().tolist() == expected.float().tolist()
    assert torch.equal(safetensors.torch.load_file(tmp_path / "bf16.safetensors")["x"], expected)


@pytest.mark.parametrize(("torch_dtype", "name"), [(torch.uint16, "U16"), (torch.float8_e4m3fn, "F8_E4M3"),
                                                   (torch.complex64, "C64")])
def test_a_dtype_edugrad_lacks_is_named(tmp_path: Path, torch_dtype: torch.dtype, name: str) -> None:
    path = tmp_path / "other.safetensors"
    safetensors.torch.save_file({"ok": torch.zeros(2), "odd": torch.zeros(2, dtype=torch_dtype)}, path)
    with pytest.raises(CheckpointError, match=f"tensor 'odd' in .*other.safetensors has dtype {name}, which edugrad "
                                              "does not support"):
        load(path)


def test_saving_into_a_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"cannot write .*a\.safetensors: the folder .*nope does not exist"):
        save({"w": Tensor([1.0])}, tmp_path / "nope" / "a.safetensors")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        load(tmp_path / "missing.safetensors")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load(tmp_path)


# file objects, paths and map_location

def test_save_and_load_through_file_objects(tmp_path: Path) -> None:
    obj = {"w": Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)), "step": 4}
    buffer = io.BytesIO()
    save(obj, buffer)
    assert buffer.getvalue() == dumps(obj)
    buffer.seek(0)
    assert load(buffer)["step"] == 4
    with open(tmp_path / "f.pt", "wb") as file:
        file.write(b"ignored header")
        save(obj, file)
    with open(tmp_path / "f.pt", "rb") as file:
        file.seek(len(b"ignored header"))  # load reads from where the file stands, as torch.load
        loaded = load(file)
    assert loaded["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and loaded["step"] == 4


def test_paths_may_be_strings_or_path_like(tmp_path: Path) -> None:
    save([1, 2], str(tmp_path / "s.pt"))
    save((3,), tmp_path / "p.pt")
    assert load(str(tmp_path / "p.pt")) == (3,) and load(tmp_path / "s.pt") == [1, 2]


def test_a_text_file_or_another_object_is_refused_as_f(tmp_path: Path) -> None:
    with open(tmp_path / "t.txt", "w") as text, pytest.raises(TypeError, match=r"save: f must be a path or a binary "
                                                                               r"file object \(open\(path, 'wb'\)"):
        save([1], text)
    with pytest.raises(TypeError, match=r"load: f must be a path or a binary file object \(open\(path, 'rb'\).* got "
                                        "int"):
        load(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("map_location", [None, "cpu", "cpu:0", device("cpu"), {"cuda:0": "cpu"},
                                          lambda storage, location: storage])
def test_map_location_may_name_the_cpu(tmp_path: Path, map_location: Any) -> None:
    save({"w": Tensor([1.0])}, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt", map_location=map_location, weights_only=True)["w"]
    assert loaded.tolist() == [1.0] and loaded.device == device("cpu")


def _saved_on_the_gpu(path: Path) -> None:
    """A file as edugrad writes it for a tensor on cuda:0 (made by hand: this machine may have no GPU)."""
    structure = {"w": {"__tensor__": "w", "device": "cuda:0"}, "b": {"__tensor__": "b"}}
    metadata = {"edugrad.object": json.dumps({"format": "object/1", "object": structure})}
    path.write_bytes(safetensors.numpy.save({"w": np.ones(2, np.float32), "b": np.zeros(1)}, metadata=metadata))


@pytest.mark.parametrize("map_location", ["cpu", device("cpu"), {"cuda:0": "cpu"}, {"cuda:0": device("cpu")},
                                          lambda storage, location: storage])
def test_map_location_moves_tensors_saved_on_the_gpu_to_the_cpu(tmp_path: Path, map_location: Any) -> None:
    _saved_on_the_gpu(tmp_path / "gpu.pt")
    loaded = load(tmp_path / "gpu.pt", map_location=map_location)
    assert loaded["w"].tolist() == [1.0, 1.0] and loaded["w"].device == loaded["b"].device == device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has the GPU the file asks for")
def test_a_tensor_saved_on_a_missing_gpu_says_to_give_map_location(tmp_path: Path) -> None:
    _saved_on_the_gpu(tmp_path / "gpu.pt")
    with pytest.raises(RuntimeError, match="cuda:0") as error:
        load(tmp_path / "gpu.pt")
    assert "(load: a tensor was saved on cuda:0; map_location='cpu' loads it onto the CPU)" in error.value.__notes__


@pytest.mark.parametrize(("map_location", "error", "message"), [
    ("mps", RuntimeError, "device mps: edugrad computes on 'cpu' .* and 'cuda' .* only"),
    ({"cpu": "tpu"}, RuntimeError, "Expected one of cpu, cuda, .* device type at start of device string: tpu"),
    (torch.device("cpu"), TypeError, "load: map_location must be None, a device, a device string, a dict or a "
                                     "function, got device"),
])
def test_map_location_naming_no_device_edugrad_has_is_refused(tmp_path: Path, map_location: Any,
                                                              error: type[Exception], message: str) -> None:
    save({"w": Tensor([1.0])}, tmp_path / "m.pt")
    with pytest.raises(error, match=message):
        load(tmp_path / "m.pt", map_location=map_location)


# PyTorch's pickle files

def _torch_file(tmp_path: Path, **options: Any) -> Path:
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(2, 3).state_dict(), path, **options)
    return path


@pytest.mark.parametrize("read", [load, lambda path: loads(path.read_bytes()),
                                  lambda path: load(io.BytesIO(path.read_bytes()))], ids=["path", "loads", "BytesIO"])
def test_a_torch_save_file_is_named_as_a_pytorch_pickle_checkpoint(tmp_path: Path, read: Any) -> None:
    with pytest.raises(CheckpointError, match=r"is a PyTorch checkpoint \(torch.save's zip archive holding the pickle "
                                              r"data.pkl\), not a safetensors file. edugrad never unpickles") as error:
        read(_torch_file(tmp_path))
    message = str(error.value)
    assert "from safetensors.torch import save_file; save_file(torch.load(path), 'model.safetensors')" in message
    assert "damaged" not in message


def test_a_legacy_torch_save_file_is_named_too(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="model.pt is a PyTorch checkpoint in torch.save's legacy pickle format"):
        load(_torch_file(tmp_path, _use_new_zipfile_serialization=False))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_a_pickle_file_is_named_as_one(tmp_path: Path, protocol: int) -> None:
    (tmp_path / "p.pkl").write_bytes(pickle.dumps({"weight": [1.0, 2.0]}, protocol=protocol))
    with pytest.raises(CheckpointError, match=r"p.pkl is a Python pickle, not a safetensors file. edugrad never "):
        load(tmp_path / "p.pkl")


def test_the_conversion_the_message_gives_makes_a_file_edugrad_loads(tmp_path: Path) -> None:
    path = _torch_file(tmp_path)
    from safetensors.torch import save_file  # the recipe of the message, as a PyTorch user runs it

    save_file(torch.load(path), tmp_path / "model.safetensors")
    loaded, expected = load(tmp_path / "model.safetensors"), torch.load(path)
    assert sorted(loaded) == ["bias", "weight"]
    assert all(np.array_equal(loaded[key].numpy(), expected[key].numpy()) for key in expected)
