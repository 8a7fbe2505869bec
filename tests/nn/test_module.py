"""Tests of `edugrad.nn.Module` and the containers: discovery of parameters, buffers and submodules (also in
plain lists and dicts), their PyTorch names, train/eval, zero_grad, state dicts and their strict loading, and
the repr. The names and the repr are compared with torch.nn's for the same model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.tensor import Tensor, dtypes, no_grad


class Block(nn.Module):
    """Parameters set directly, a buffer, a submodule, a plain list and a plain dict of submodules."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = Tensor.ones(3, requires_grad=True)
        self.register_buffer("count", Tensor.zeros(1))
        self.inner = nn.Linear(3, 2)
        self.stages = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
        self.heads = {"a": nn.Linear(1, 1), "b": nn.Identity()}
        self.constant = Tensor.ones(3)  # no requires_grad: a plain attribute, neither parameter nor buffer
        self.sizes = [3, 2]  # a list without modules: ignored


class TorchBlock(torch.nn.Module):
    """Block's twin; a plain list/dict is a ModuleList/ModuleDict in PyTorch."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(3))
        self.register_buffer("count", torch.zeros(1))
        self.inner = torch.nn.Linear(3, 2)
        self.stages = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)])
        self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(1, 1), "b": torch.nn.Identity()})


class Probe(nn.Module):
    """Records the global Tensor.training flag seen by its forward."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[bool] = []

    def forward(self, x: Any) -> Any:
        self.seen.append(Tensor.training)
        return x


def torch_model() -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Sequential(torch.nn.Linear(4 * 4 * 4, 8, bias=False), torch.nn.LayerNorm(8)),
    )


def edugrad_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
        nn.Sequential(nn.Linear(4 * 4 * 4, 8, bias=False), nn.LayerNorm(8)),
    )


def test_discovery_names_and_order_match_torch() -> None:
    ours, theirs = Block(), TorchBlock()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()] == ["count"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()][:4] == ["", "inner", "stages.0", "stages.1"]
    assert [n for n, _ in ours.named_children()] == ["inner", "stages.0", "stages.1", "stages.2", "heads.a",
                                                     "heads.b"]
    assert len(list(ours.modules())) == 7
    assert all(p.requires_grad for p in ours.parameters())


def test_named_parameters_prefix_and_recurse() -> None:
    block = Block()
    assert [n for n, _ in block.named_parameters(recurse=False)] == ["scale"]
    assert next(block.named_parameters(prefix="model"))[0] == "model.scale"
    assert [n for n, _ in block.inner.named_parameters(prefix="inner")] == ["inner.weight", "inner.bias"]


def test_containers_name_like_torch() -> None:
    ours = nn.ModuleDict({"enc": nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 2)]), "dec": nn.Linear(2, 2)})
    theirs = torch.nn.ModuleDict({"enc": torch.nn.ModuleList([torch.nn.Linear(2, 3), torch.nn.Linear(3, 2)]),
                                  "dec": torch.nn.Linear(2, 2)})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    named = nn.Sequential({"first": nn.Linear(2, 2), "act": nn.Tanh()})
    assert list(named.state_dict()) == ["first.weight", "first.bias"]


def test_shared_modules_and_parameters_are_listed_once() -> None:
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.children())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as torch saves it
    tied = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    tied[1].weight = tied[0].weight
    assert [n for n, _ in tied.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_frozen_parameter_stays_a_parameter() -> None:
    layer = nn.Linear(3, 2).requires_grad_(False)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert not any(p.requires_grad for p in layer.parameters())
    frozen = Tensor.zeros(2, 3)
    layer.register_parameter("weight", frozen)
    assert layer.weight is frozen and list(layer.state_dict()) == ["weight", "bias"]


def test_attribute_rules() -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="cannot assign a tensor without requires_grad .* as parameter 'weight'"):
        layer.weight = Tensor.zeros(2, 3)
    with pytest.raises(TypeError, match="as buffer 'running_mean' .* expected a Tensor or None"):
        nn.BatchNorm1d(2).running_mean = [0.0, 0.0]  # type: ignore[assignment]
    layer.bias = None  # a parameter slot may be emptied, as in PyTorch
    assert list(layer.state_dict()) == ["weight"]
    layer.cache = layer.weight * 2  # a computed tensor is a plain attribute, not a parameter
    assert len(list(layer.parameters())) == 1
    del layer.weight
    assert list(layer.parameters()) == []
    with pytest.raises(KeyError, match="contain no '.'"):
        layer.register_buffer("a.b", Tensor.zeros(1))
    with pytest.raises(KeyError, match="already has an attribute 'in_features'"):
        layer.register_buffer("in_features", Tensor.zeros(1))
    with pytest.raises(ValueError, match="must be a leaf tensor"):
        layer.register_parameter("derived", Tensor.ones(1, requires_grad=True) * 2)


def test_assignment_before_init_is_explained() -> None:
    class Forgetful(nn.Module):
        def __init__(self) -> None:
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Forgetful()


def test_buffers_persistent_and_none() -> None:
    module = nn.Module()
    module.register_buffer("saved", Tensor.zeros(2))
    module.register_buffer("scratch", Tensor.ones(2), persistent=False)
    module.register_buffer("later", None)
    assert [n for n, _ in module.named_buffers()] == ["saved", "scratch"]
    assert list(module.state_dict()) == ["saved"]
    module.later = Tensor.ones(1)
    assert list(module.state_dict()) == ["saved", "later"]


def test_train_eval_propagate_and_set_tensor_training() -> None:
    inner, outer = Probe(), Probe()
    model = nn.Sequential(outer, nn.Sequential(inner))
    assert model.training and inner.training  # modules start in training mode, as in PyTorch
    model(Tensor.zeros(1))
    assert outer.seen == inner.seen == [True]
    assert model.eval() is model and not inner.training
    model(Tensor.zeros(1))
    assert inner.seen[-1] is False
    model[1].train()  # a subtree can differ; its forward sees its own flag
    model(Tensor.zeros(1))
    assert (outer.seen[-1], inner.seen[-1]) == (False, True)
    assert Tensor.training is False  # restored after the call


def test_forward_must_be_defined() -> None:
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(Tensor.zeros(1))


def test_zero_grad() -> None:
    layer = nn.Linear(2, 2)
    for p in layer.parameters():
        p.grad = Tensor.ones(*p.shape)
    layer.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in layer.parameters())
    layer.bias.grad = None  # type: ignore[union-attr]
    layer.zero_grad(set_to_none=False)
    assert layer.bias is not None and layer.bias.grad is None  # no gradient yet: stays None, as in PyTorch
    layer.zero_grad()
    assert all(p.grad is None for p in layer.parameters())


def test_apply_and_requires_grad() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    visited: list[str] = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "ReLU", "Sequential", "Sequential"]  # children first, as torch
    with no_grad():
        model.apply(lambda m: m.weight.assign(Tensor.zeros(2, 2)) if isinstance(m, nn.Linear) else None)
    assert not model[0].weight.numpy().any()


def test_state_dict_is_detached_and_shares_the_values_as_torchs_does() -> None:
    for layer, recording_off in ((nn.Linear(2, 2), no_grad), (torch.nn.Linear(2, 2), torch.no_grad)):
        state = layer.state_dict()
        assert not state["weight"].requires_grad
        with recording_off():
            layer.weight.add_(1.0)
        np.testing.assert_array_equal(state["weight"].numpy(), layer.weight.detach().numpy())


def test_load_state_dict_round_trip_keeps_tensor_objects() -> None:
    source, target = edugrad_model(), edugrad_model()
    weight = target[0].weight
    result = target.load_state_dict(source.state_dict())
    assert result == nn.IncompatibleKeys([], []) and target[0].weight is weight
    for (key, ours), theirs in zip(target.state_dict().items(), source.state_dict().values()):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=key)
    assert weight.requires_grad and weight._version == 1


def test_load_state_dict_accepts_numpy_and_torch_values() -> None:
    theirs, ours = torch_model(), edugrad_model()
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    np.testing.assert_array_equal(ours[4][0].weight.numpy(), theirs[4][0].weight.detach().numpy())
    ours.load_state_dict(dict(theirs.state_dict()))
    assert ours[1].num_batches_tracked is not None and ours[1].num_batches_tracked.dtype == dtypes.int64


def test_strict_load_lists_every_problem_and_changes_nothing() -> None:
    model = edugrad_model()
    before = {key: value.numpy() for key, value in model.state_dict().items()}
    state = {key: value.numpy() + 1 for key, value in model.state_dict().items()}
    del state["1.running_var"]
    state["extra.weight"] = np.zeros(2, np.float32)
    state["4.0.weight"] = np.zeros((64, 8), np.float32)  # transposed
    state["0.bias"] = state["0.bias"].astype(np.float64)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "error(s) in loading the state dict for Sequential" in message
    assert "unexpected key(s): extra.weight" in message
    assert "missing key(s): 1.running_var" in message
    assert "mismatch for 4.0.weight: the state dict has shape (64, 8) and dtype float32, the model expects " \
           "shape (8, 64) and dtype float32" in message
    assert "mismatch for 0.bias: the state dict has shape (4,) and dtype float64, the model expects shape (4,) " \
           "and dtype float32" in message
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key], err_msg=f"{key} changed by a failed load")


def test_non_strict_load_reports_keys_but_still_checks_shapes() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    state = {"0.weight": np.ones((3, 2), np.float32), "2.weight": np.ones(1, np.float32)}
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias", "1.weight", "1.bias"] and result.unexpected_keys == ["2.weight"]
    np.testing.assert_array_equal(model[0].weight.numpy(), np.ones((3, 2)))
    with pytest.raises(RuntimeError, match=r"mismatch for 0.weight: the state dict has shape \(2, 3\)"):
        model.load_state_dict({"0.weight": np.ones((2, 3), np.float32)}, strict=False)
    with pytest.raises(RuntimeError, match="0.weight: cannot convert the value to a tensor"):
        model.load_state_dict({"0.weight": "weights"}, strict=False)
    with pytest.raises(TypeError, match="expected a state dict .* for Sequential, got list"):
        model.load_state_dict([np.ones((3, 2), np.float32)])  # type: ignore[arg-type]


def test_repr_matches_torch() -> None:
    assert repr(edugrad_model()) == repr(torch_model())
    assert repr(nn.ModuleList([nn.Linear(1, 2), nn.GELU()])) == repr(
        torch.nn.ModuleList([torch.nn.Linear(1, 2), torch.nn.GELU()]))
    assert repr(nn.Conv2d(2, 4, (3, 5), stride=2, dilation=2, groups=2, bias=False)) == repr(
        torch.nn.Conv2d(2, 4, (3, 5), stride=2, dilation=2, groups=2, bias=False))
    assert repr(nn.Embedding(5, 2, padding_idx=0)) == repr(torch.nn.Embedding(5, 2, padding_idx=0))
    assert repr(nn.Module()) == "Module()"


def test_sequential_indexing() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(model) == 3 and isinstance(model[-1], nn.Linear) and model[-1] is model[2]
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and list(tail.state_dict()) == ["2.weight", "2.bias"]
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    model.append(nn.Sigmoid())
    assert len(model) == 4
    with pytest.raises(IndexError, match="index 4 is out of range for 4 modules"):
        model[4]
    with pytest.raises(TypeError, match="Sequential: each layer must be a Module, got function"):
        nn.Sequential(nn.Linear(1, 1), lambda x: x)  # type: ignore[arg-type]


def test_module_list_and_dict_behave_like_list_and_dict() -> None:
    layers = nn.ModuleList([nn.Linear(1, 1)])
    layers.append(nn.ReLU()).extend([nn.Tanh()])
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "ReLU", "Tanh"]
    layers[0] = nn.Sigmoid()
    del layers[-1]
    assert len(layers) == 3 and isinstance(layers[:2], nn.ModuleList)
    assert list(layers.state_dict()) == ["1.weight", "1.bias"]
    heads = nn.ModuleDict({"x": nn.Linear(1, 1)})
    heads["y"] = nn.Linear(1, 2)
    assert list(heads) == ["x", "y"] and "y" in heads and len(heads) == 2
    assert list(heads.keys()) == ["x", "y"] and [k for k, _ in heads.items()] == ["x", "y"]
    del heads["x"]
    assert list(heads.state_dict()) == ["y.weight", "y.bias"]
    with pytest.raises(KeyError, match="no module named 'z'"):
        heads["z"]
    with pytest.raises(KeyError, match="without '.'"):
        heads["a.b"] = nn.ReLU()
    with pytest.raises(TypeError, match="must be a Module, got int"):
        layers.append(3)  # type: ignore[arg-type]
