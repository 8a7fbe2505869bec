"""What `save` / `load` promise beyond a round trip: tensors that share values stay shared (against
`torch.save` / `torch.load`), objects that cannot be read back are refused when saving, damaged files give the
checkpoint error, and atomic writes: a read-only target is refused, an error names the target and never the
hidden temporary file, and no temporary file outlives an exception or a killed process."""

from __future__ import annotations

import errno
import io
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors.numpy
import torch

from edugrad import nn
from edugrad.nn import _atomic, optim
from edugrad.nn._atomic import atomic_write, remove_stale_temporaries
from edugrad.nn.serialization import CheckpointError, dumps, load, load_checkpoint, loads, save, save_checkpoint
from edugrad.tensor import Tensor


def torch_round_trip(obj: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer)


def edugrad_round_trip(obj: Any) -> Any:
    return loads(dumps(obj))


def temporaries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


# tensors that share values

def test_a_tensor_sharing_values_that_appears_twice_loads_as_one_tensor() -> None:
    # b shares a's values (a detached copy, as a state dict holds a tied weight); b appears twice.
    for tensor, round_trip in ((Tensor, edugrad_round_trip), (torch.tensor, torch_round_trip)):
        a = tensor([1.0, 2.0])
        b = a.detach()
        back = round_trip({"a": a, "b": [b, b], "c": a.detach()})
        assert back["b"][0] is back["b"][1]  # one object saved, one object loaded
        assert back["a"] is not back["b"][0] and back["c"] is not back["b"][0]
        back["a"].zero_()  # all three still share the values
        assert back["b"][0].tolist() == back["c"].tolist() == [0.0, 0.0]


def test_a_gpt_style_tied_weight_survives_a_checkpoint(tmp_path: Path) -> None:
    class TinyGPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.wte = nn.Embedding(5, 3)
            self.lm_head = nn.Linear(3, 5, bias=False)
            self.lm_head.weight = self.wte.weight  # weight tying

    model = TinyGPT()
    save_checkpoint(tmp_path / "gpt.pt", model=model, extra=[model.state_dict()["wte.weight"]] * 2)
    checkpoint = load_checkpoint(tmp_path / "gpt.pt")
    state = checkpoint["model"]
    assert state["wte.weight"] is not state["lm_head.weight"]
    state["wte.weight"].fill_(7.0)
    assert state["lm_head.weight"].numpy().tolist() == [[7.0] * 3] * 5
    assert checkpoint["extra"][0] is checkpoint["extra"][1]
    fresh = TinyGPT()
    fresh.load_state_dict(state)
    assert fresh.lm_head.weight is fresh.wte.weight and fresh.wte.weight.numpy().tolist() == [[7.0] * 3] * 5


def test_older_files_with_shares_true_still_load() -> None:
    data = dumps({"a": Tensor([1.0]), "b": Tensor([1.0]).detach()})
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + header_length])
    saved = json.loads(header["__metadata__"]["edugrad.object"])
    saved["object"]["b"] = {"__tensor__": "a", "shares": True}  # how a file of the earlier writer said it
    old = safetensors.numpy.save({"a": np.ones(1, np.float32)}, metadata={"edugrad.object": json.dumps(saved)})
    back = loads(old)
    back["a"].zero_()
    assert back["b"].tolist() == [0.0]


# objects that could not be read back

def test_a_key_named_like_the_header_s_metadata_saves_and_loads_as_in_torch(tmp_path: Path) -> None:
    save({"__metadata__": Tensor([1.0, 2.0]), "a": {"__metadata__": 3}}, tmp_path / "m.pt")
    ours = load(tmp_path / "m.pt")
    theirs = torch_round_trip({"__metadata__": torch.tensor([1.0, 2.0]), "a": {"__metadata__": 3}})
    assert ours["__metadata__"].tolist() == theirs["__metadata__"].tolist() and ours["a"] == theirs["a"]


def nested(depth: int) -> list[Any]:
    outer: list[Any] = []
    inner = outer
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    return outer


def test_save_refuses_an_object_nested_deeper_than_load_reads() -> None:
    assert loads(dumps(nested(100))) == nested(100)
    with pytest.raises(ValueError, match=r"save: obj\[0\]\[0\]\[0\]\.\.\. nests containers more than 100 deep"):
        save(nested(101), io.BytesIO())
    with pytest.raises(ValueError, match="nests containers more than 100 deep"):
        dumps(nested(5000))  # not a RecursionError


def test_metadata_nested_5000_deep_is_the_checkpoint_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep = '{"format": "object/1", "object": ' + "[" * 5000 + "]" * 5000 + "}"
    data = safetensors.numpy.save({"x": np.zeros(1, np.float32)}, metadata={"edugrad.object": deep})
    (tmp_path / "deep.pt").write_bytes(data)
    with pytest.raises(CheckpointError, match=r"loads: the metadata of the data nests containers deeper"):
        loads(data)
    with pytest.raises(CheckpointError, match="deep.pt nests containers deeper"):
        load(tmp_path / "deep.pt")


def test_a_checkpoint_with_bad_optimizer_hyperparameters_is_refused_on_load(tmp_path: Path) -> None:
    model = nn.Linear(2, 1)
    for bad, message in ((-1.0, "invalid lr value -1.0"), (math.nan, "invalid lr value nan"),
                         ("abc", "lr must be a number")):
        state = optim.SGD(model.parameters(), lr=0.1).state_dict()
        state["param_groups"][0]["lr"] = bad
        save({"optimizer": state}, tmp_path / "run.pt")  # the file keeps the value as it is (NaN too)
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        with pytest.raises((ValueError, TypeError), match=message) as raised:
            load_checkpoint(tmp_path / "run.pt", optimizer=optimizer)
        assert f"(while loading the optimizer state from {tmp_path / 'run.pt'})" in raised.value.__notes__
        assert optimizer.param_groups[0]["lr"] == 0.1  # nothing changed


# atomic writes

def test_a_read_only_target_is_refused_and_keeps_its_mode_and_contents(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    save({"step": 1}, path)
    path.chmod(0o444)
    with pytest.raises(PermissionError, match=f"cannot write {path}: the file is read-only") as raised:
        save({"step": 2}, path)
    assert raised.value.filename == str(path)
    assert oct(path.stat().st_mode & 0o777) == "0o444" and load(path) == {"step": 1}
    assert temporaries(tmp_path) == []


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "private.pt"
    save({"step": 1}, path)
    path.chmod(0o600)
    save({"step": 2}, path)
    assert oct(path.stat().st_mode & 0o777) == "0o600" and load(path) == {"step": 2}


def test_an_error_while_writing_names_the_target_not_the_temporary_file(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    path = tmp_path / "model.pt"
    with pytest.raises(OSError, match=f"cannot write {path}: No space left on device") as raised:
        save({"step": 1}, path)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    assert ".tmp" not in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_an_exception_inside_the_block_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_write(tmp_path / "model.pt") as file:
        file.write(b"half a file")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


CHILD = """
import sys, time
from pathlib import Path
from edugrad.nn._atomic import atomic_write
with atomic_write(Path(sys.argv[1])) as file:
    file.write(bytes(8 << 20))  # 8 MiB of a big save, then stuck in the middle of it
    file.flush()
    print("writing", flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(not _atomic.LOCKS, reason="without flock (Windows) a killed write's file cannot be told apart")
def test_the_next_save_removes_what_a_killed_save_left_behind(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    save({"step": 1}, path)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    [left] = temporaries(tmp_path)  # SIGKILL runs no cleanup: the half-written file is still there
    assert left.startswith(".model.pt.") and left.endswith(".tmp")
    assert load(path) == {"step": 1}  # the target is untouched
    save({"step": 2}, path)
    assert temporaries(tmp_path) == [] and load(path) == {"step": 2}


@pytest.mark.skipif(not _atomic.LOCKS, reason="without flock (Windows) nothing is removed")
def test_the_temporary_file_of_a_write_in_progress_is_not_removed(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    (tmp_path / ".model.pt.backup.tmp").write_bytes(b"not ours")  # not a name atomic_write makes
    with atomic_write(path) as file:
        file.write(b"data")
        assert remove_stale_temporaries(path) == []  # its lock is held: a save still running
        assert len(temporaries(tmp_path)) == 2
    assert path.read_bytes() == b"data" and temporaries(tmp_path) == [".model.pt.backup.tmp"]
