"""Tests of `edugrad.nn.save_checkpoint` / `load_checkpoint`: one safetensors file holds a whole training run,
and resuming from it continues bit for bit; files of the earlier checkpoint layout still load.

The central test trains a small model for 10 steps, checkpoints, and trains 10 more; a second run builds
fresh objects (with other initial weights), loads the checkpoint, and trains 10 steps: its losses must equal
the last 10 of the first run exactly, for every optimizer paired with a learning-rate scheduler, with the
batches' shuffled order resumed from the saved epoch.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors
import safetensors.numpy

from edugrad.nn import optim, serialization
from edugrad.nn.data import DataLoader, TensorDataset
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter
from edugrad.nn.optim import lr_scheduler
from edugrad.nn.serialization import CheckpointError, load, load_checkpoint, save, save_checkpoint
from edugrad.tensor import Tensor, dtypes


class Regressor(Module):
    """pred = (x * weight).sum(1) + bias, with a buffer counting the forward calls; built from Module alone."""

    def __init__(self, features: int, seed: int) -> None:
        super().__init__()
        rng = np.random.default_rng(seed)
        self.weight = Parameter(Tensor(rng.standard_normal(features).astype(np.float32)))
        self.bias = Parameter(Tensor(rng.standard_normal(1).astype(np.float32)))
        self.register_buffer("calls", Tensor(np.array(0), dtype=dtypes.int64))

    def forward(self, x: Tensor) -> Tensor:
        self.calls.assign(self.calls + 1)
        return (x * self.weight).sum(axis=1) + self.bias


class Batches:
    """40 samples in batches of 8 (5 steps per epoch), shuffled anew in each epoch from the epoch's number alone:
    `epoch` is all a resumed run needs to see the same order. (How a DataLoader resumes its order, from its
    generator's state, is the DataLoader's tests' business.)"""

    def __init__(self) -> None:
        rng = np.random.default_rng(42)
        self.x = rng.standard_normal((40, 5)).astype(np.float32)
        self.y = (self.x @ np.arange(5, dtype=np.float32) + 0.5).astype(np.float32)
        self.epoch = 0

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        order = np.random.default_rng((0, self.epoch)).permutation(len(self.x))
        self.epoch += 1
        for start in range(0, len(order), 8):
            rows = order[start:start + 8]
            yield Tensor(self.x[rows]), Tensor(self.y[rows])


Setup = Callable[[Regressor], tuple[optim.Optimizer, Any]]

SETUPS: dict[str, Setup] = {
    "SGD nesterov + StepLR": lambda m: _with(optim.SGD(m.parameters(), lr=0.01, momentum=0.9, nesterov=True,
                                                       weight_decay=1e-3), lr_scheduler.StepLR, step_size=3),
    "Adam amsgrad + MultiStepLR": lambda m: _with(optim.Adam(m.parameters(), lr=0.05, amsgrad=True),
                                                  lr_scheduler.MultiStepLR, milestones=[4, 12, 12], gamma=0.5),
    "AdamW + CosineAnnealingLR": lambda m: _with(optim.AdamW(m.parameters(), lr=0.05), lr_scheduler.CosineAnnealingLR,
                                                 T_max=7),
    "RMSprop + ReduceLROnPlateau": lambda m: _with(optim.RMSprop(m.parameters(), lr=0.01, momentum=0.5),
                                                   lr_scheduler.ReduceLROnPlateau, patience=1, factor=0.5),
    "LAMB + OneCycleLR": lambda m: _with(optim.LAMB(m.parameters(), lr=0.01), lr_scheduler.OneCycleLR, max_lr=0.1,
                                         total_steps=20),
    "Adagrad groups + LinearLR": lambda m: _with(
        optim.Adagrad([{"params": [m.weight]}, {"params": [m.bias], "lr": 0.5}], lr=0.1, lr_decay=0.01),
        lr_scheduler.LinearLR, total_iters=6),
}


def _with(optimizer: optim.Optimizer, scheduler: Any, **options: Any) -> tuple[optim.Optimizer, Any]:
    return optimizer, scheduler(optimizer, **options)


def _train(model: Regressor, optimizer: optim.Optimizer, scheduler: Any, loader: Iterable[tuple[Tensor, Tensor]],
           steps: int) -> list[float]:
    losses: list[float] = []
    while len(losses) < steps:
        for x, y in loader:
            loss = ((model(x) - y) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            plateau = isinstance(scheduler, lr_scheduler.ReduceLROnPlateau)
            scheduler.step(loss.item()) if plateau else scheduler.step()
            losses.append(loss.item())
    return losses


@pytest.mark.parametrize("setup", SETUPS.values(), ids=SETUPS.keys())
def test_resuming_from_a_checkpoint_gives_the_same_losses(tmp_path: Path, setup: Setup) -> None:
    model, loader = Regressor(5, seed=0), Batches()
    optimizer, scheduler = setup(model)
    first = _train(model, optimizer, scheduler, loader, 10)
    save_checkpoint(tmp_path / "run.safetensors", model=model, optimizer=optimizer, scheduler=scheduler, step=10,
                    epoch=loader.epoch)
    uninterrupted = first + _train(model, optimizer, scheduler, loader, 10)

    fresh_model, fresh_loader = Regressor(5, seed=1), Batches()
    fresh_optimizer, fresh_scheduler = setup(fresh_model)
    checkpoint = load_checkpoint(tmp_path / "run.safetensors", model=fresh_model, optimizer=fresh_optimizer,
                                 scheduler=fresh_scheduler)
    assert checkpoint["step"] == 10 and checkpoint["epoch"] == 2
    fresh_loader.epoch = checkpoint["epoch"]
    resumed = _train(fresh_model, fresh_optimizer, fresh_scheduler, fresh_loader, 10)

    assert resumed == uninterrupted[10:]  # exactly, not approximately
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh_model.state_dict().items(), strict=True):
        assert a.numpy().tobytes() == b.numpy().tobytes(), name
    assert [g["lr"] for g in fresh_optimizer.param_groups] == [g["lr"] for g in optimizer.param_groups]


def test_a_checkpoint_is_one_safetensors_file_with_readable_parts(tmp_path: Path) -> None:
    model = Regressor(3, seed=0)
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
    _train(model, optimizer, scheduler, DataLoader(TensorDataset(np.ones((4, 3), np.float32), np.ones(4, np.float32)),
                                                   batch_size=4), 2)
    save_checkpoint(tmp_path / "c.safetensors", model=model, optimizer=optimizer, scheduler=scheduler, step=2)
    with safetensors.safe_open(tmp_path / "c.safetensors", framework="numpy") as file:
        keys, metadata = set(file.keys()), file.metadata()
    optimizer_tensors = {f"optimizer.state.{index}.{name}" for index, state in optimizer.state_dict()["state"].items()
                         for name, value in state.items() if isinstance(value, Tensor)}  # exp_avg, exp_avg_sq, ...
    assert {"optimizer.state.0.exp_avg", "optimizer.state.1.exp_avg_sq"} <= optimizer_tensors
    assert keys == {"model.weight", "model.bias", "model.calls"} | optimizer_tensors
    assert list(metadata) == ["edugrad.object"]
    saved = json.loads(metadata["edugrad.object"])
    assert saved["format"] == "object/1" and saved["object"]["step"] == 2
    assert saved["object"]["model"]["weight"] == {"__tensor__": "model.weight"}
    assert saved["object"]["scheduler"]["step_size"] == 2
    assert saved["object"]["optimizer"]["param_groups"][0]["lr"] == optimizer.param_groups[0]["lr"]
    assert sorted(load(tmp_path / "c.safetensors")) == ["model", "optimizer", "scheduler", "step"]


EXTRAS: dict[str, Any] = {
    "numbers": [0.1, 1e-300, -0.0, 2**62, True, None, math.pi],
    "tuple": (1, (2.5, "three")),
    "int keys": {0: "a", 7: {"x": [1, 2]}},
    "tag-like keys": {"__tensor__": 1, "__items__": "b", "__tuple__": [3]},
    "other keys": {(1, 2): 3, True: None, None: 1.5, 2.5: "x"},
    "sets and counters": {"ids": {1, 2}, "milestones": Counter({4: 1, 12: 2})},
    "two tensors under one dotted name": {"a.b": Tensor([1.0]), "a": {"b": Tensor([2.0])}},
    "nested tensors": {"a": [Tensor([1, 2], dtype=dtypes.int64), (Tensor(np.zeros((0, 2)), dtype=dtypes.float16),)],
                       "b": {3: Tensor([True], dtype=dtypes.bool)}},
    "empty containers": {"list": [], "dict": {}, "tuple": ()},
    "string": "naïve ✓",
}


@pytest.mark.parametrize("value", EXTRAS.values(), ids=EXTRAS.keys())
def test_extra_values_round_trip_with_their_types(tmp_path: Path, value: Any) -> None:
    save_checkpoint(tmp_path / "x.safetensors", extra=value)
    assert _plain(load_checkpoint(tmp_path / "x.safetensors")["extra"]) == _plain(value)


def _plain(value: Any) -> Any:
    """Tensors as (dtype, shape, values) and containers with their types, for comparing structures."""
    if isinstance(value, Tensor):
        return ("Tensor", value.dtype.name, value.shape, value.tolist())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_plain(item) for item in value])
    if isinstance(value, dict):
        return (type(value).__name__, [(type(key).__name__, key, _plain(item)) for key, item in value.items()])
    return (type(value).__name__, value)


def test_nan_and_infinity_round_trip(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "n.safetensors", best=math.inf, worst=-math.inf, unknown=math.nan)
    loaded = load_checkpoint(tmp_path / "n.safetensors")
    assert loaded["best"] == math.inf and loaded["worst"] == -math.inf and math.isnan(loaded["unknown"])


def test_load_checkpoint_returns_everything_even_without_objects(tmp_path: Path) -> None:
    model = Regressor(2, seed=0)
    save_checkpoint(tmp_path / "m.safetensors", model=model, step=3)
    loaded = load_checkpoint(tmp_path / "m.safetensors")
    assert sorted(loaded) == ["model", "step"]
    assert loaded["model"]["weight"].dtype is dtypes.float32
    np.testing.assert_array_equal(loaded["model"]["weight"].numpy(), model.weight.numpy())


@pytest.mark.parametrize(("extra", "message"), [
    ({"ids": frozenset({1, 2})}, r"checkpoint\['ids'\] is a frozenset"),
    ({"count": np.int64(3)}, r"checkpoint\['count'\] is a int64"),
    ({"table": {Tensor([1.0]): 3}}, r"checkpoint\['table'\] holds tensor\(\[1.\]\), a Tensor, as a key"),
    ({"deep": {"a": [None, {"b": object()}]}}, r"checkpoint\['deep'\]\['a'\]\[1\]\['b'\] is a object"),
])
def test_values_a_checkpoint_cannot_hold_are_refused_before_writing(tmp_path: Path, extra: dict[str, Any],
                                                                    message: str) -> None:
    with pytest.raises(TypeError, match="save_checkpoint: " + message):
        save_checkpoint(tmp_path / "bad.safetensors", **extra)
    assert list(tmp_path.iterdir()) == []


def test_loading_into_a_model_of_another_shape_names_the_key_and_the_file(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "small.safetensors", model=Regressor(3, seed=0))
    bigger = Regressor(4, seed=0)
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: .* shape \(3,\) .* model is \(4,\)") as error:
        load_checkpoint(tmp_path / "small.safetensors", model=bigger)
    assert any("small.safetensors" in note for note in error.value.__notes__)


def test_loading_a_part_the_checkpoint_lacks(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "s.safetensors", step=1)
    model = Regressor(2, seed=0)
    with pytest.raises(CheckpointError, match=r"s\.safetensors holds no optimizer state \(it holds: step\)"):
        load_checkpoint(tmp_path / "s.safetensors", optimizer=optim.SGD(model.parameters(), lr=0.1))


def test_a_state_dict_file_holds_no_model_state(tmp_path: Path) -> None:
    save({"w": Tensor([1.0])}, tmp_path / "w.safetensors")
    assert load_checkpoint(tmp_path / "w.safetensors")["w"].tolist() == [1.0]
    with pytest.raises(CheckpointError, match=r"w\.safetensors holds no model state \(it holds: w\)"):
        load_checkpoint(tmp_path / "w.safetensors", model=Regressor(1, seed=0))


def test_a_file_holding_no_dict_is_not_a_checkpoint(tmp_path: Path) -> None:
    save([Tensor([1.0])], tmp_path / "l.safetensors")
    with pytest.raises(CheckpointError, match=r"l\.safetensors holds a list, not the dict of a checkpoint; read it "
                                              r"with load\(\)"):
        load_checkpoint(tmp_path / "l.safetensors")


def _write_raw(path: Path, metadata: dict[str, str]) -> None:
    path.write_bytes(safetensors.numpy.save({"model.w": np.ones(2, np.float32)}, metadata=metadata))


def _object(structure: Any, layout: str = "object/1") -> dict[str, str]:
    return {"edugrad.object": json.dumps({"format": layout, "object": structure})}


@pytest.mark.parametrize(("metadata", "message"), [
    ({"edugrad.format": "checkpoint/99"}, "is an edugrad file of the layout 'checkpoint/99', which this version does "
                                          "not read \\(it reads 'object/1' and 'checkpoint/1'\\)"),
    (_object({}, "object/2"), "is an edugrad file of the layout 'object/2'"),
    ({"edugrad.object": "[1, 2]"}, "is an edugrad file of the layout None"),
    ({"edugrad.format": "checkpoint/1", "model": '{"w": {"__tensor__": "model.w"'},
     "metadata entry 'model' of .* is damaged"),
    ({"edugrad.object": '{"format": "object/1", "object": {"w": '}, "metadata entry 'edugrad.object' of .* is damaged"),
    ({"edugrad.format": "checkpoint/1", "model": '{"w": {"__tensor__": "model.v"}}'},
     "metadata of .* is damaged \\(it refers to a tensor 'model.v' that the file does not contain\\)"),
    (_object({"w": {"__tensor__": "model.v"}}), "refers to a tensor 'model.v' that the file does not contain"),
    ({"edugrad.format": "checkpoint/1", "opt": '{"__items__": [[1, 2, 3]]}'}, "metadata of .* is damaged"),
    (_object({"__items__": [[[1], 2]]}), "metadata of .* is damaged \\(unhashable type: 'list'\\)"),
    (_object({"__items__": [], "type": "defaultdict"}), "metadata of .* is damaged"),
    (_object({"__bytes__": "not base64!"}), "metadata of .* is damaged"),
    (_object({"__dtype__": "complex64"}), "metadata of .* is damaged \\(unknown dtype 'complex64'"),
    (_object([{"__tuple__": 5}]), "metadata of .* is damaged \\('int' object is not iterable\\)"),
])
def test_damaged_checkpoint_metadata_is_rejected(tmp_path: Path, metadata: dict[str, str], message: str) -> None:
    _write_raw(tmp_path / "d.safetensors", metadata)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(tmp_path / "d.safetensors")


#: A checkpoint as edugrad's previous `save_checkpoint` wrote it (layout "checkpoint/1", one JSON entry per name).
EARLIER_LAYOUT = {
    "model": '{"weight": {"__tensor__": "model.weight"}, "bias": {"__tensor__": "model.bias"}, '
             '"calls": {"__tensor__": "model.calls"}}',
    "best": "Infinity",
    "optimizer": '{"state": {"__items__": [[0, {"exp_avg": {"__tensor__": "optimizer.state.0.exp_avg"}}]]}, '
                 '"param_groups": [{"lr": 0.1, "betas": {"__tuple__": [0.9, 0.999]}, "params": [0]}]}',
    "names": '{"__tuple__": ["a", 1]}', "step": "7", "edugrad.format": "checkpoint/1",
}


def test_a_checkpoint_of_the_earlier_layout_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.safetensors"
    arrays = {"model.weight": np.array([1.5, -2.0], np.float32), "model.bias": np.array([4.0], np.float32),
              "model.calls": np.array(3), "optimizer.state.0.exp_avg": np.array([0.25, 0.5], np.float32)}
    path.write_bytes(safetensors.numpy.save(arrays, metadata=EARLIER_LAYOUT))
    model = Regressor(2, seed=0)
    optimizer = optim.Adam(model.parameters(), lr=0.5)
    checkpoint = load_checkpoint(path, model=model)
    assert model.weight.tolist() == [1.5, -2.0] and model.bias.tolist() == [4.0] and model.calls.item() == 3
    assert _plain(checkpoint) == _plain(load(path))
    assert {key: _plain(value) for key, value in checkpoint.items() if key != "model"} == {
        "best": _plain(math.inf), "names": _plain(("a", 1)), "step": _plain(7),
        "optimizer": _plain({"state": {0: {"exp_avg": Tensor([0.25, 0.5])}},
                             "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0]}]})}
    assert optimizer.param_groups[0]["lr"] == 0.5  # not given, not loaded


def test_a_truncated_checkpoint_is_rejected(tmp_path: Path) -> None:
    model = Regressor(4, seed=0)
    save_checkpoint(tmp_path / "t.safetensors", model=model, step=1)
    data = (tmp_path / "t.safetensors").read_bytes()
    (tmp_path / "t.safetensors").write_bytes(data[:-3])
    with pytest.raises(CheckpointError, match=r"load_checkpoint: .*t\.safetensors is not a valid safetensors file"):
        load_checkpoint(tmp_path / "t.safetensors", model=model)


def test_a_crash_while_checkpointing_keeps_the_previous_checkpoint(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "run.safetensors"
    save_checkpoint(path, step=1)

    def crash(*args: Any) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(serialization.os, "fsync", crash)
    with pytest.raises(OSError, match="power cut"):
        save_checkpoint(path, step=2)
    monkeypatch.undo()
    assert load_checkpoint(path)["step"] == 1 and [p.name for p in tmp_path.iterdir()] == ["run.safetensors"]
