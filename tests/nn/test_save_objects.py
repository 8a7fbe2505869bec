"""Tests of `edugrad.nn.save` / `load` and `dumps` / `loads` on nested objects, against `torch.save` /
`torch.load`.

Each object is built twice from the same NumPy values, once with edugrad tensors and once with torch tensors;
both are saved and loaded by their own library, and the two results must have the same structure: the same
container types (a tuple stays a tuple, an int key an int), the same numbers bit for bit, tensors of the same
dtype, shape, values and requires_grad, and the same tensors shared (one object loaded where one object was
saved).
"""

from __future__ import annotations

import io
import math
import os
import struct
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

from edugrad.nn.parameter import Parameter
from edugrad.nn.serialization import dumps, load, loads, save
from edugrad.tensor import Tensor, dtypes

MakeTensor = Callable[..., Any]  # (values, requires_grad=False) -> a tensor of edugrad or of torch


def _edugrad(values: np.ndarray, requires_grad: bool = False) -> Tensor:
    # dtype= keeps the array's dtype (torch's legacy constructor, which `Tensor()` follows, makes floats)
    return Tensor(values, dtype=dtypes.from_numpy(values.dtype), requires_grad=requires_grad)


def _torch(values: np.ndarray, requires_grad: bool = False) -> torch.Tensor:
    return torch.from_numpy(values.copy()).requires_grad_(requires_grad)


def _dtype(name: str, tensor: MakeTensor) -> Any:
    return getattr(dtypes, name) if tensor is _edugrad else getattr(torch, name)


def _torch_round_trip(obj: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer)


def plain(value: Any) -> Any:
    """`value` as nested tuples that compare equal exactly when two loaded objects match: tensors as their
    dtype, shape, bytes and requires_grad; floats by their bits; containers with their type."""
    if isinstance(value, (Tensor, torch.Tensor)):
        array = value.detach().numpy() if isinstance(value, torch.Tensor) else value.numpy()
        dtype = str(value.dtype).removeprefix("torch.").removeprefix("dtypes.")
        kind = type(value).__name__
        return (kind, dtype, tuple(value.shape), array.tobytes(), value.requires_grad, value.is_leaf)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(plain(item) for item in value))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted(map(repr, value))))
    if isinstance(value, dict):
        return (type(value).__name__, tuple((plain(key), plain(item)) for key, item in value.items()))
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    if isinstance(value, torch.dtype) or type(value).__name__ == "DType":
        return ("dtype", str(value).removeprefix("torch.").removeprefix("dtypes."))
    return (type(value).__name__, value)


def sharing(value: Any) -> list[list[int]]:
    """Which tensors of `value` (numbered in the order they are met) are one object: the groups of numbers."""
    found: list[Any] = []

    def walk(item: Any) -> None:
        if isinstance(item, (Tensor, torch.Tensor)):
            found.append(item)
        elif isinstance(item, dict):
            for key, nested in item.items():
                walk(key)
                walk(nested)
        elif isinstance(item, (list, tuple)):
            for nested in item:
                walk(nested)

    walk(value)
    groups: dict[int, list[int]] = {}
    for index, tensor in enumerate(found):
        groups.setdefault(id(tensor), []).append(index)
    return sorted(groups.values())


def _values(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)  # (np.asarray: for shape () NumPy gives a scalar, not an array)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.startswith("float"):
        return np.asarray(rng.standard_normal(shape).astype(dtype))
    return np.asarray(rng.integers(0, 200, shape).astype(dtype))


def state_dict(tensor: MakeTensor) -> Any:
    return {f"layer{i}.{dtype}": tensor(_values(shape, dtype, i))
            for i, (dtype, shape) in enumerate([("float32", (3, 4)), ("float16", (2,)), ("float64", ()),
                                                ("int64", ()), ("int32", (0, 3)), ("uint8", (5,)), ("bool", (2, 2))])}


def nanogpt_checkpoint(tensor: MakeTensor) -> Any:
    """What nanoGPT's train.py saves: the model's state dict, AdamW's state dict, and the run's settings."""
    wte = tensor(_values((8, 4), "float32"))
    model = {"transformer.wte.weight": wte, "transformer.ln_f.weight": tensor(np.ones(4, np.float32)),
             "lm_head.weight": wte}  # weight tying: one tensor under two names
    optimizer = {
        "state": {0: {"step": tensor(np.array(12.0, np.float32)), "exp_avg": tensor(_values((8, 4), "float32", 1)),
                      "exp_avg_sq": tensor(_values((8, 4), "float32", 2) ** 2)}},
        "param_groups": [{"lr": 6e-4, "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.1, "amsgrad": False,
                          "foreach": None, "maximize": False, "params": [0, 1]}],
    }
    config = {"out_dir": "out-shakespeare-char", "eval_interval": 250, "always_save_checkpoint": False,
              "dropout": 0.2, "learning_rate": 1e-3, "decay_lr": True, "dtype": "float32", "compile": False}
    return {"model": model, "optimizer": optimizer, "model_args": {"n_layer": 6, "bias": False, "vocab_size": 65},
            "iter_num": 5000, "best_val_loss": tensor(np.array(1.4697, np.float32)), "config": config}


def numbers(tensor: MakeTensor) -> Any:
    return [0.1, 1e-300, 5e-324, -0.0, math.pi, math.inf, -math.inf, math.nan, 2**70, -(2**63), 0, True, False,
            None, 1.0, 3]


def keys(tensor: MakeTensor) -> Any:
    return {0: "int", 2.5: "float", None: "none", (1, ("a", 2.0)): "tuple", b"\x00k": "bytes", "s": "str",
            False: "bool", -7: [{"nested": {3: 4}}]}


def tag_like_keys(tensor: MakeTensor) -> Any:
    return {"__tensor__": 1, "__items__": "b", "__tuple__": [3], "__set__": {"__bytes__": 2}, "type": "Counter",
            "requires_grad": True}


def containers(tensor: MakeTensor) -> Any:
    return {"list": [], "dict": {}, "tuple": (), "one": (1,), "deep": [[[(2, [3.5])]]], "text": "naïve ✓ \x00",
            "bytes": b"\xff\x00", "set": {1, "two", (3, 4)}, "empty set": set(),
            "ordered": OrderedDict([("b", 1), ("a", 2)]), "counter": Counter({2: 2, 5: 1})}


def tensors(tensor: MakeTensor) -> Any:
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, np.finfo(np.float32).max], np.float32)
    return [tensor(special), (tensor(_values((2, 3, 4), "float64")), {"k": tensor(_values((0,), "int64"))}),
            tensor(np.array(True)), tensor(np.zeros((3, 0, 2), np.float16))]


def shared(tensor: MakeTensor) -> Any:
    a, b = tensor(np.arange(3, dtype=np.float32)), tensor(np.ones(2, np.int64))
    return {"a": a, "b": [a, (b, a)], "c": {"d": b}, "e": tensor(np.arange(3, dtype=np.float32))}


def requires_grad(tensor: MakeTensor) -> Any:
    leaf = tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    return {"leaf": leaf, "computed": leaf * 2, "plain": tensor(np.array([1.0], np.float32))}


def parameters(tensor: MakeTensor) -> Any:
    parameter = (torch.nn.Parameter if tensor is _torch else Parameter)
    weight = parameter(tensor(_values((2, 3), "float32")))
    frozen = parameter(tensor(_values((3,), "float64")), requires_grad=False)
    return {"weight": weight, "frozen": frozen, "tied": [weight], "plain": tensor(_values((1,), "float32"))}


def dtype_values(tensor: MakeTensor) -> Any:
    return {"dtypes": [_dtype(name, tensor) for name in ("float32", "float16", "int64", "bool", "uint8")],
            "amp": (_dtype("float16", tensor), True)}


OBJECTS: dict[str, Callable[[MakeTensor], Any]] = {
    "state dict": state_dict, "nanoGPT checkpoint": nanogpt_checkpoint, "numbers": numbers, "keys": keys,
    "tag-like keys": tag_like_keys, "containers": containers, "tensors": tensors, "shared tensors": shared,
    "requires_grad": requires_grad, "Parameters": parameters, "dtypes": dtype_values,
    "a tensor": lambda tensor: tensor(_values((2, 2), "float32")), "a list of tensors": lambda tensor: [
        tensor(np.zeros(1, np.float32)), tensor(np.ones(1, np.float32))],
    "a float": lambda tensor: 0.1, "a string": lambda tensor: "x", "None": lambda tensor: None,
    "a tuple": lambda tensor: (1, "a", None), "bytes": lambda tensor: b"abc",
}


@pytest.mark.parametrize("build", OBJECTS.values(), ids=OBJECTS.keys())
def test_dumps_and_loads_give_what_torch_save_and_load_give(build: Callable[[MakeTensor], Any]) -> None:
    expected = _torch_round_trip(build(_torch))
    loaded = loads(dumps(build(_edugrad)))
    assert plain(loaded) == plain(expected)
    assert sharing(loaded) == sharing(expected)


def test_a_shared_tensor_is_stored_once() -> None:
    weight, twin = Tensor(np.zeros((100, 100), np.float32)), Tensor(np.zeros((100, 100), np.float32))
    assert len(dumps({"a": weight, "b": twin})) - len(dumps({"a": weight, "b": weight})) > 39_000  # 40 kB a copy


# the file behind an object

def test_tied_weights_in_a_state_dict_are_stored_once_and_load_sharing_their_values() -> None:
    # Two entries of a state dict that share values (GPT's tied embedding and output weights): torch stores
    # the storage once and loads two tensors that share it; so does edugrad.
    import edugrad.torch.nn as nn

    results = []
    for lib in (nn, torch.nn):
        first, second = lib.Linear(3, 4, bias=False), lib.Linear(4, 3, bias=False)
        second.weight = first.weight
        state = {"a": first.state_dict()["weight"], "b": second.state_dict()["weight"]}
        buffer = io.BytesIO()
        (save if lib is nn else torch.save)(state, buffer)
        buffer.seek(0)
        back = (load if lib is nn else torch.load)(buffer)
        assert back["a"] is not back["b"]
        back["a"].zero_()
        results.append(back["b"].numpy().tolist())
    assert results[0] == results[1] == [[0.0] * 3] * 4
    assert len(dumps({"a": Tensor(np.ones((100, 100), np.float32))})) < 50_000
    tied = Tensor(np.ones((100, 100), np.float32))
    assert len(dumps({"a": tied, "b": tied.detach()})) < 50_000  # one copy of the 40 kB, not two


def test_a_saved_object_is_a_safetensors_file_with_each_tensor_once_under_its_dotted_path(tmp_path: Path) -> None:
    checkpoint = nanogpt_checkpoint(_edugrad)
    save(checkpoint, tmp_path / "ckpt.pt")
    arrays = safetensors.numpy.load_file(tmp_path / "ckpt.pt")
    # lm_head.weight is transformer.wte.weight (tied): stored once, under the name it is met first
    assert sorted(arrays) == ["best_val_loss", "model.transformer.ln_f.weight", "model.transformer.wte.weight",
                              "optimizer.state.0.exp_avg", "optimizer.state.0.exp_avg_sq", "optimizer.state.0.step"]
    assert arrays["model.transformer.wte.weight"].tobytes() == checkpoint["model"]["lm_head.weight"].numpy().tobytes()
    assert arrays["optimizer.state.0.step"].dtype == np.float32 and arrays["optimizer.state.0.step"].shape == ()
    from_torch = safetensors.torch.load_file(tmp_path / "ckpt.pt")
    assert torch.equal(from_torch["model.transformer.ln_f.weight"], torch.ones(4))


def test_a_saved_state_dict_loads_into_a_torch_module_through_safetensors(tmp_path: Path) -> None:
    layer = torch.nn.Linear(3, 2)
    state = {key: Tensor(value.detach().numpy() * 2) for key, value in layer.state_dict().items()}
    save(state, tmp_path / "linear.pt")
    layer.load_state_dict(safetensors.torch.load_file(tmp_path / "linear.pt"))
    np.testing.assert_array_equal(layer.weight.detach().numpy(), state["weight"].numpy())


def test_nanogpts_save_and_resume_lines_run_on_edugrad_torch(tmp_path: Path) -> None:
    import edugrad.torch as edugrad_torch  # the port: `import torch` became `import edugrad.torch as torch`

    checkpoint = nanogpt_checkpoint(_edugrad)
    checkpoint["model"] = {"_orig_mod." + key: value for key, value in checkpoint["model"].items()}  # compiled
    edugrad_torch.save(checkpoint, os.path.join(tmp_path, "ckpt.pt"))
    loaded = edugrad_torch.load(os.path.join(tmp_path, "ckpt.pt"), map_location="cpu")
    state_dict = loaded["model"]
    unwanted_prefix = "_orig_mod."
    for k, v in list(state_dict.items()):
        if k.startswith(unwanted_prefix):
            state_dict[k[len(unwanted_prefix):]] = state_dict.pop(k)
    assert list(state_dict) == ["transformer.wte.weight", "transformer.ln_f.weight", "lm_head.weight"]
    assert state_dict["lm_head.weight"] is state_dict["transformer.wte.weight"]
    assert loaded["iter_num"] == 5000 and loaded["best_val_loss"].item() == np.float32(1.4697)
    assert loaded["config"]["dropout"] == 0.2 and loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.95)


def test_the_same_object_gives_the_same_bytes() -> None:
    assert dumps(nanogpt_checkpoint(_edugrad)) == dumps(nanogpt_checkpoint(_edugrad))


def test_a_state_dict_loads_as_the_ordered_dict_torch_gives() -> None:
    import edugrad.torch.nn as nn

    state = nn.Linear(2, 2).state_dict()
    back = loads(dumps({"model": state, "odd": {"__ordered__": True, "x": 1}}))
    assert type(back["model"]) is OrderedDict and list(back["model"]) == ["weight", "bias"]
    assert back["odd"] == {"__ordered__": True, "x": 1} and type(back["odd"]) is dict  # a key, not the marker
    buffer = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2).state_dict(), buffer)
    buffer.seek(0)
    assert type(torch.load(buffer)) is type(back["model"])
