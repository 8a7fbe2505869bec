"""Tests of the containers against torch.nn's: `Sequential`, `ModuleList`, `ModuleDict`, `ParameterList` and
`ParameterDict`. Each test runs the same operations on an edugrad container and on its torch twin and compares
what they hold afterwards (the module types in order, the state dict keys, the repr)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.tensor import Tensor, dtypes

Libs = [(nn, Tensor), (torch.nn, torch)]


def layers(lib: Any) -> list[Any]:
    return [lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1), lib.Tanh()]


def summary(container: Any) -> tuple[list[str], list[str], str]:
    """What a container holds: module types in order, state dict keys, repr."""
    return [type(m).__name__ for m in container], list(container.state_dict()), repr(container)


def twins(make: Callable[[Any, Any], Any]) -> None:
    """`make(lib, tensors)` in both libraries gives the same summary."""
    ours, theirs = (make(lib, tensors) for lib, tensors in Libs)
    assert summary(ours) == summary(theirs)


@pytest.mark.parametrize("operation", [
    lambda s, lib: s,
    lambda s, lib: s[1:3],
    lambda s, lib: s[::-2],
    lambda s, lib: s.append(lib.Sigmoid()),
    lambda s, lib: s.insert(1, lib.Identity()),
    lambda s, lib: s.insert(-1, lib.Identity()),
    lambda s, lib: s.insert(4, lib.Identity()),
    lambda s, lib: s.extend([lib.Linear(1, 2), lib.ReLU()]),
    lambda s, lib: (s.pop(1), s)[1],
    lambda s, lib: (s.__delitem__(slice(0, 2)), s)[1],
    lambda s, lib: (s.__delitem__(-1), s)[1],
    lambda s, lib: (s.__setitem__(0, lib.Linear(2, 5)), s)[1],
    lambda s, lib: s + lib.Sequential(lib.GELU()),
    lambda s, lib: s * 2,
    lambda s, lib: 2 * s,
    lambda s, lib: s.__iadd__(lib.Sequential(lib.GELU())),
    lambda s, lib: s.__imul__(2),
], ids=["build", "slice", "step-slice", "append", "insert", "insert-negative", "insert-end", "extend", "pop",
        "del-slice", "del", "setitem", "add", "mul", "rmul", "iadd", "imul"])
def test_sequential_operations_match_torch(operation: Callable[[Any, Any], Any]) -> None:
    twins(lambda lib, _: operation(lib.Sequential(*layers(lib)), lib))


def test_sequential_from_an_ordered_dict_keeps_the_names_and_slices_keep_them_too() -> None:
    twins(lambda lib, _: lib.Sequential(OrderedDict([("first", lib.Linear(2, 2)), ("act", lib.Tanh())])))
    twins(lambda lib, _: lib.Sequential(OrderedDict([("a", lib.Linear(2, 2)), ("b", lib.Linear(2, 1))]))[1:])
    model = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2))]))
    assert model.fc is model[0]


def test_sequential_runs_its_modules_in_order_as_torch() -> None:
    theirs = torch.nn.Sequential(*layers(torch.nn))
    ours = nn.Sequential(*layers(nn))
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(), atol=1e-6)


def test_sequential_errors_match_torch() -> None:
    for lib, _ in Libs:
        model = lib.Sequential(*layers(lib))
        with pytest.raises(IndexError, match="out of range"):
            model[4]
        with pytest.raises(TypeError, match="is not a Module subclass"):
            lib.Sequential(lib.ReLU(), lambda x: x)
        with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
            model + [lib.ReLU()]
        with pytest.raises(ValueError, match="Non-positive multiplication factor"):
            model * 0
        with pytest.raises(IndexError, match="Index out of range: 9"):
            model.insert(9, lib.ReLU())
    with pytest.raises(TypeError, match="is not a Module subclass"):
        nn.Sequential({"a": nn.ReLU()})  # type: ignore[arg-type]  # a plain dict, as torch refuses


@pytest.mark.parametrize("operation", [
    lambda m, lib: m,
    lambda m, lib: m[1:],
    lambda m, lib: m.append(lib.Sigmoid()),
    lambda m, lib: m.extend([lib.GELU(), lib.GELU()]),
    lambda m, lib: (m.insert(0, lib.Identity()), m)[1],
    lambda m, lib: (m.insert(2, lib.Identity()), m)[1],
    lambda m, lib: (m.pop(0), m)[1],
    lambda m, lib: (m.__delitem__(slice(1, 3)), m)[1],
    lambda m, lib: (m.__setitem__(-1, lib.Linear(4, 4)), m)[1],
    lambda m, lib: m + [lib.ReLU()],
    lambda m, lib: m.__iadd__([lib.ReLU()]),
    lambda m, lib: lib.ModuleList([lib.Linear(2, 2), lib.Linear(2, 2), lib.ReLU(), lib.Linear(2, 2)]),
    lambda m, lib: lib.ModuleList([lib.Linear(2, 2)] * 3),
    lambda m, lib: lib.ModuleList(),
], ids=["build", "slice", "append", "extend", "insert-front", "insert", "pop", "del-slice", "setitem", "add",
        "iadd", "folded-repr", "shared", "empty"])
def test_module_list_operations_match_torch(operation: Callable[[Any, Any], Any]) -> None:
    twins(lambda lib, _: operation(lib.ModuleList(layers(lib)), lib))


def test_module_list_indexing_and_errors() -> None:
    for lib, _ in Libs:
        blocks = lib.ModuleList(layers(lib))
        assert blocks[-1] is blocks[3] and len(blocks) == 4 and list(blocks)[0] is blocks[0]
        with pytest.raises(IndexError, match="out of range"):
            blocks[-5]
        with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
            blocks.extend(lib.ReLU())
        with pytest.raises(TypeError, match="is not a Module subclass"):
            blocks.append(3)


def test_a_module_list_registers_its_modules_in_the_owner() -> None:
    for lib, tensors in Libs:
        class Stack(lib.Module):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                super().__init__()
                self.blocks = lib.ModuleList([lib.Linear(2, 2) for _ in range(3)])

        assert list(Stack().state_dict())[:2] == ["blocks.0.weight", "blocks.0.bias"]
        assert len(list(Stack().parameters())) == 6


def test_module_dict_matches_torch_and_its_modules_are_attributes() -> None:
    def build(lib: Any, _: Any) -> Any:
        heads = lib.ModuleDict(dict(wte=lib.Embedding(5, 2), h=lib.ModuleList([lib.Linear(2, 2)])))
        heads["ln_f"] = lib.LayerNorm(2)
        heads.update([("drop", lib.Tanh())])
        heads.update(lib.ModuleDict({"extra": lib.Linear(2, 1)}))
        heads.pop("extra")
        return heads

    ours, theirs = build(nn, None), build(torch.nn, None)
    assert list(ours.state_dict()) == list(theirs.state_dict()) and repr(ours) == repr(theirs)
    assert list(ours.keys()) == list(theirs.keys()) == ["wte", "h", "ln_f", "drop"]
    assert [type(m).__name__ for m in ours.values()] == [type(m).__name__ for m in theirs.values()]
    assert [k for k, _ in ours.items()] == list(ours) and "wte" in ours and "extra" not in ours and len(ours) == 4
    assert ours.wte is ours["wte"] and ours.h[0] is ours["h"][0]  # nanoGPT's self.transformer.wte
    del ours["drop"]
    ours.clear()
    assert len(ours) == 0 and list(ours.state_dict()) == []


def test_module_dict_errors() -> None:
    for lib, _ in Libs:
        heads = lib.ModuleDict({"a": lib.ReLU()})
        with pytest.raises(KeyError):
            heads["b"]
        with pytest.raises(KeyError, match="contain"):
            heads["a.b"] = lib.ReLU()
        with pytest.raises(TypeError, match="is not a Module subclass"):
            heads["c"] = 3
        with pytest.raises(ValueError, match="update sequence element #0"):
            heads.update([("x", lib.ReLU(), 3)])
        with pytest.raises(TypeError, match="should be called with an iterable of key/value pairs"):
            heads.update(3)


def test_parameter_list_matches_torch() -> None:
    def build(lib: Any, tensors: Any) -> Any:
        params = lib.ParameterList([tensors.ones(2, 3), lib.Parameter(tensors.zeros(3))])
        params.append(tensors.ones(1))
        params.extend([tensors.zeros(2), "not a tensor"])
        params += [tensors.ones(4, 1)]
        params[0] = tensors.zeros(1, 1)
        return params

    ours, theirs = build(nn, Tensor), build(torch.nn, torch)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1", "2", "3", "5"]
    assert repr(ours) == repr(theirs)
    assert all(type(p) is nn.Parameter for p in ours.parameters()) and ours[4] == "not a tensor"
    assert len(ours) == 6 and isinstance(ours[1:3], nn.ParameterList) and len(ours[1:3]) == 2
    assert [p.shape for p in ours if isinstance(p, Tensor)] == [tuple(p.shape) for p in theirs
                                                                 if isinstance(p, torch.Tensor)]
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        ours()


def test_parameter_dict_matches_torch() -> None:
    def build(lib: Any, tensors: Any) -> Any:
        params = lib.ParameterDict({"a": tensors.ones(2), "b": 3})
        params["c"] = lib.Parameter(tensors.zeros(1, 2))
        params.update([("d", tensors.ones(3))])
        params.setdefault("e", tensors.zeros(1))
        del params["a"]
        return params

    ours, theirs = build(nn, Tensor), build(torch.nn, torch)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["c", "d", "e"]
    assert list(ours) == list(theirs) == ["b", "c", "d", "e"] and list(reversed(ours)) == list(reversed(theirs))
    assert type(ours["d"]) is nn.Parameter and ours["b"] == 3 and ours.get("zz", 7) == 7
    merged = ours | nn.ParameterDict({"f": Tensor.ones(1)})
    assert list(merged) == ["b", "c", "d", "e", "f"] and merged["c"] is ours["c"]
    assert ours.popitem()[0] == "e" and ours.pop("b") == 3 and len(ours) == 2
    assert list(ours.fromkeys(["x", "y"], Tensor.zeros(1)).state_dict()) == ["x", "y"]
    copied = ours.copy()
    assert copied["c"] is ours["c"] and list(copied) == list(ours)
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_parameter_containers_register_in_the_owner_and_train() -> None:
    class Scales(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.per_layer = nn.ParameterList([Tensor.ones(2) for _ in range(2)])
            self.named = nn.ParameterDict({"gain": Tensor.ones(1, dtype=dtypes.float32)})

        def forward(self, x: Tensor) -> Tensor:
            return x * self.per_layer[0] * self.per_layer[1] * self.named["gain"]

    model = Scales()
    assert list(model.state_dict()) == ["per_layer.0", "per_layer.1", "named.gain"]
    model(Tensor.ones(3, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
