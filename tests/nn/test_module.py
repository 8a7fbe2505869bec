"""Tests of `edugrad.nn.Module` against `torch.nn.Module`: what an attribute assignment registers, the names and
order of parameters, buffers and submodules, lookups by dotted name, train/eval, zero_grad, moving and casting,
state dicts (saving, strict and non-strict loading, assign=True), forward hooks and the repr. Each behaviour is
run on an edugrad model and on its torch twin and compared."""

from __future__ import annotations

import copy
import inspect
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.tensor import Tensor, dtypes, no_grad


class Block:
    """A model with a parameter, a frozen parameter, a buffer, a non-persistent buffer, a submodule, a shared
    submodule, a ModuleList, a ModuleDict and a plain list of modules, in either library."""

    @staticmethod
    def make(lib: Any, tensors: Any) -> Any:
        class Model(lib.Module):
            def __init__(self) -> None:
                super().__init__()
                self.scale = lib.Parameter(tensors.ones(3))
                self.frozen = lib.Parameter(tensors.zeros(2), requires_grad=False)
                self.register_buffer("count", tensors.zeros(1))
                self.register_buffer("scratch", tensors.ones(2), persistent=False)
                self.inner = lib.Linear(3, 2)
                self.again = self.inner  # the same module under a second name
                self.stages = lib.ModuleList([lib.Linear(2, 2), lib.ReLU(), lib.Linear(2, 1)])
                self.heads = lib.ModuleDict({"a": lib.Linear(1, 1), "b": lib.Identity()})
                self.plain = [lib.Linear(5, 5)]  # a plain list is not registered
                self.not_a_parameter = tensors.ones(3, requires_grad=True)  # nor is a plain tensor

        return Model()


def both() -> tuple[Any, Any]:
    return Block.make(nn, Tensor), Block.make(torch.nn, torch)


def names(pairs: Any) -> list[str]:
    return [name for name, _ in pairs]


# nn.Parameter

def test_parameter_is_a_tensor_whose_results_are_plain_tensors() -> None:
    p = nn.Parameter(Tensor.ones(2, 3))
    assert isinstance(p, nn.Parameter) and isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    for result in (p * 2, p.detach(), p.T, p[0], p.sum()):
        assert type(result) is Tensor
    (p * 2).sum().backward()
    assert type(p.grad) is Tensor and p.grad.numpy().tolist() == [[2.0] * 3] * 2


def test_parameter_repr_and_defaults_match_torch() -> None:
    assert repr(nn.Parameter(Tensor([1.0, 2.0]))) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(nn.Parameter(Tensor([1.0]), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False))
    empty = nn.Parameter()
    assert empty.shape == tuple(torch.nn.Parameter().shape) == (0,) and empty.dtype == dtypes.float32


def test_parameter_shares_the_values_of_its_data_and_is_a_leaf() -> None:
    source = Tensor.ones(2, requires_grad=True) * 3  # not a leaf
    p = nn.Parameter(source)
    assert p.is_leaf and p.requires_grad
    with no_grad():
        p.add_(1.0)
    assert source.numpy().tolist() == [4.0, 4.0]  # torch: Parameter(x) shares x's storage
    twin_source = torch.ones(2, requires_grad=True) * 3
    twin = torch.nn.Parameter(twin_source)
    with torch.no_grad():
        twin.add_(1.0)
    assert twin_source.tolist() == source.numpy().tolist()


def test_deepcopy_of_a_parameter_is_an_independent_parameter() -> None:
    p = nn.Parameter(Tensor.ones(2))
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q is not p
    with no_grad():
        q.add_(1.0)
    assert p.numpy().tolist() == [1.0, 1.0] and q.numpy().tolist() == [2.0, 2.0]


def test_parameter_refuses_a_non_tensor() -> None:
    with pytest.raises(TypeError, match="Parameter: expected a Tensor as data, got list"):
        nn.Parameter([1.0, 2.0])  # type: ignore[arg-type]


# what an assignment registers

def test_registration_names_and_order_match_torch() -> None:
    ours, theirs = both()
    assert names(ours.named_parameters()) == names(theirs.named_parameters())
    assert names(ours.named_buffers()) == names(theirs.named_buffers()) == ["count", "scratch"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert names(ours.named_modules()) == names(theirs.named_modules())
    assert names(ours.named_children()) == names(theirs.named_children())
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert "plain" not in names(ours.named_children()) and "not_a_parameter" not in names(ours.named_parameters())
    assert isinstance(ours.scale, nn.Parameter) and not ours.frozen.requires_grad


@pytest.mark.parametrize("call", [
    lambda m: m.named_parameters(remove_duplicate=False),
    lambda m: m.named_parameters(prefix="model", recurse=False),
    lambda m: m.named_buffers(prefix="x", recurse=True, remove_duplicate=False),
    lambda m: m.named_modules(remove_duplicate=False),
    lambda m: m.named_modules(prefix="root"),
    lambda m: [(str(i), p) for i, p in enumerate(m.modules(remove_duplicate=False))],
    lambda m: m.inner.named_parameters(prefix="inner"),
], ids=["params-dupes", "params-own", "buffers", "modules-dupes", "modules-prefix", "modules", "prefix"])
def test_walks_with_arguments_match_torch(call: Any) -> None:
    ours, theirs = both()
    assert names(call(ours)) == names(call(theirs))


def test_tied_parameters_are_listed_once_and_saved_under_both_names() -> None:
    for lib in (nn, torch.nn):
        tied = lib.Sequential(lib.Linear(2, 2), lib.Linear(2, 2))
        tied[1].weight = tied[0].weight
        assert names(tied.named_parameters()) == ["0.weight", "0.bias", "1.bias"]
        assert list(tied.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_assignment_rules_match_torch() -> None:
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        layer = lib.Linear(3, 2)
        with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
            layer.weight = tensors.zeros(2, 3)  # a parameter's name takes a Parameter or None
        layer.bias = None
        assert list(layer.state_dict()) == ["weight"] and layer.bias is None
        layer.bias = lib.Parameter(tensors.zeros(2))
        assert list(layer.state_dict()) == ["weight", "bias"]
        layer.act = lib.ReLU()
        with pytest.raises(TypeError, match="cannot assign .* as child module 'act'"):
            layer.act = 3
        layer.act = None
        assert "act" not in names(layer.named_children())
        norm = lib.BatchNorm1d(2)
        with pytest.raises(TypeError, match="cannot assign .* as buffer 'running_mean'"):
            norm.running_mean = [0.0, 0.0]
        norm.running_mean = tensors.ones(2)  # a tensor replaces the buffer
        assert names(norm.named_buffers())[0] == "running_mean" and norm.running_mean.sum().item() == 2
        with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
            layer.weight = lib.Linear(1, 1)
        norm.running_mean = lib.Linear(1, 1)  # a buffer's name moves to the registry of its new value
        assert names(norm.named_buffers())[0] == "running_var" and names(norm.named_children()) == ["running_mean"]


def test_registration_errors_match_torchs_types() -> None:
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        layer = lib.Linear(3, 2)
        for register in (layer.register_buffer, lambda n, t: layer.register_parameter(n, lib.Parameter(t))):
            with pytest.raises(KeyError, match="t contain"):
                register("a.b", tensors.zeros(1))
            with pytest.raises(KeyError, match="t be empty string"):
                register("", tensors.zeros(1))
            with pytest.raises(KeyError, match="attribute 'in_features' already exists"):
                register("in_features", tensors.zeros(1))
        with pytest.raises(TypeError, match="cannot assign .* object to parameter 'p'"):
            layer.register_parameter("p", tensors.zeros(1))
        with pytest.raises(TypeError, match="cannot assign .* object to buffer 'b'"):
            layer.register_buffer("b", [1.0])
        with pytest.raises(TypeError, match="is not a Module subclass"):
            layer.add_module("x", 3)
        layer.register_module("extra", lib.ReLU())
        assert names(layer.named_children()) == ["extra"]


def test_assignment_before_init_and_unknown_attributes_match_torch() -> None:
    for lib in (nn, torch.nn):
        class Forgetful(lib.Module):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                self.size = 3  # a plain attribute is fine before Module.__init__, as in torch
                self.layer = lib.Linear(1, 1)

        with pytest.raises(AttributeError, match="cannot assign module before Module.__init__"):
            Forgetful()
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'missing'"):
            lib.Linear(1, 1).missing  # noqa: B018
    with pytest.raises(TypeError, match="unexpected keyword argument 'size'"):
        nn.Module(size=3)


def test_delete_and_dir() -> None:
    ours, theirs = both()
    for model in (ours, theirs):
        del model.scale, model.count, model.heads
        assert "scale" not in names(model.named_parameters()) and "count" not in names(model.named_buffers())
        assert "heads" not in names(model.named_children())
    assert {"inner", "frozen", "scratch", "stages", "forward"} <= set(dir(ours))
    assert [n for n in dir(ours.stages) if n[0].isdigit()] == []


def test_get_submodule_parameter_and_buffer_match_torch() -> None:
    ours, theirs = both()
    assert ours.get_submodule("stages.2") is ours.stages[2] and ours.get_submodule("") is ours
    assert ours.get_parameter("stages.0.weight") is ours.stages[0].weight
    assert ours.get_buffer("scratch") is ours.scratch
    for target, call, message in [
        ("stages.7", "get_submodule", "ModuleList has no attribute `7`"),
        ("inner.weight", "get_submodule", "`weight` is not an nn.Module"),
        ("inner.nothing", "get_parameter", "Linear has no attribute `nothing`"),
        ("count", "get_parameter", "`count` is not an nn.Parameter"),
        ("scale", "get_buffer", "`scale` is not a buffer"),
    ]:
        for model in (ours, theirs):
            with pytest.raises(AttributeError, match=message):
                getattr(model, call)(target)


# modes and gradients

class Probe(nn.Module):
    """Records the training flag (Tensor.is_training()) its forward sees."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[bool] = []

    def forward(self, x: Any) -> Any:
        self.seen.append(Tensor.is_training())
        return x


def test_train_eval_propagate_and_set_tensor_training() -> None:
    inner, outer = Probe(), Probe()
    model = nn.Sequential(outer, nn.Sequential(inner))
    assert model.training and inner.training
    model(Tensor.zeros(1))
    assert outer.seen == inner.seen == [True]
    assert model.eval() is model and not inner.training
    model(Tensor.zeros(1))
    assert inner.seen[-1] is False
    model[1].train()  # a subtree can differ; its forward sees its own flag
    model(Tensor.zeros(1))
    assert (outer.seen[-1], inner.seen[-1]) == (False, True)
    assert Tensor.is_training() is False  # restored after the call
    for lib in (nn, torch.nn):
        with pytest.raises(ValueError, match="training mode is expected to be boolean"):
            lib.Linear(1, 1).train("yes")


def test_forward_must_be_defined() -> None:
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'):
            lib.Module()(tensors.zeros(1))


def test_zero_grad_matches_torch() -> None:
    for set_to_none in (False, True):
        ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
        for model, tensors in ((ours, Tensor), (theirs, torch)):
            model.weight.grad = tensors.ones(2, 2)
            model.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert ours.weight.grad is None and theirs.weight.grad is None
        else:
            assert ours.weight.grad is not None and ours.weight.grad.numpy().tolist() == theirs.weight.grad.tolist()
        assert ours.bias is not None and ours.bias.grad is None and theirs.bias.grad is None


def test_zero_grad_keeps_the_gradient_object_and_cuts_a_create_graph_gradient() -> None:
    layer = nn.Linear(2, 1)
    layer(Tensor.ones(1, 2)).sum().backward()
    grad = layer.weight.grad
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad is grad and not grad.numpy().any()  # type: ignore[union-attr]
    layer.weight.grad = Tensor.ones(1, 2, requires_grad=True) * 2
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad.grad_fn is None and not layer.weight.grad.requires_grad  # type: ignore[union-attr]


def test_apply_and_requires_grad() -> None:
    for lib in (nn, torch.nn):
        model = lib.Sequential(lib.Linear(2, 2), lib.Sequential(lib.ReLU()))
        visited: list[str] = []
        assert model.apply(lambda m: visited.append(type(m).__name__)) is model
        assert visited == ["Linear", "ReLU", "Sequential", "Sequential"]  # children first
        assert model.requires_grad_(False) is model and not any(p.requires_grad for p in model.parameters())
    model = nn.Sequential(nn.Linear(2, 2))
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert not model[0].weight.numpy().any()


# moving and casting

def test_double_and_float_keep_the_parameter_objects_and_cast_only_floats() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = model[0].weight
    model(Tensor.ones(4, 2)).sum().backward()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    assert model.double() is model and model[0].weight is weight and isinstance(weight, nn.Parameter)
    assert weight.dtype == dtypes.float64 and weight.grad is not None and weight.grad.dtype == dtypes.float64
    assert model[1].running_mean.dtype == dtypes.float64 and model[1].num_batches_tracked.dtype == dtypes.int64
    optimizer.step()  # the optimizer still updates the module's parameters
    assert model(Tensor.ones(4, 2, dtype=dtypes.float64)).dtype == dtypes.float64
    model.float()
    assert weight.dtype == dtypes.float32 and model[1].num_batches_tracked.dtype == dtypes.int64
    model.half()
    assert weight.dtype == dtypes.float16
    model.bfloat16()
    assert weight.dtype == dtypes.bfloat16 and model[1].num_batches_tracked.dtype == dtypes.int64
    model.type(dtypes.float64)
    assert weight.dtype == dtypes.float64 and model[1].num_batches_tracked.dtype == dtypes.float64  # all, as torch


def test_to_parses_torchs_overloads() -> None:
    model = nn.Linear(2, 2)
    assert model.to(dtypes.float64) is model and model.weight.dtype == dtypes.float64
    model.to(dtype=dtypes.float32)
    model.to(Tensor.zeros(1, dtype=dtypes.float64))
    assert model.weight.dtype == dtypes.float64
    model.to("cpu", dtypes.float32, False)
    assert model.weight.dtype == dtypes.float32
    model.to(device="cpu").cpu()
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        model.to(dtypes.int64)
    with pytest.raises(TypeError, match=r"to\(\): .*expected \(device=None, dtype=None"):
        model.to(dtypes.float64, dtypes.float32)
    with pytest.raises(TypeError, match="unexpected or repeated argument 'copy'"):
        model.to(copy=True)


# state dicts

def test_state_dict_keys_prefix_destination_and_keep_vars() -> None:
    ours, theirs = both()
    assert list(ours.state_dict(prefix="m.")) == list(theirs.state_dict(prefix="m."))
    destination: dict[str, Any] = {"kept": 1}
    assert ours.state_dict(destination=destination) is destination and list(destination)[0] == "kept"
    kept = ours.state_dict(keep_vars=True)
    assert kept["scale"] is ours.scale and kept["count"] is ours.count
    detached = ours.state_dict()["scale"]
    assert type(detached) is Tensor and not detached.requires_grad


def test_state_dict_is_detached_and_shares_the_values_as_torchs_does() -> None:
    for layer, recording_off in ((nn.Linear(2, 2), no_grad), (torch.nn.Linear(2, 2), torch.no_grad)):
        state = layer.state_dict()
        assert not state["weight"].requires_grad
        with recording_off():
            layer.weight.add_(1.0)
        np.testing.assert_array_equal(state["weight"].numpy(), layer.weight.detach().numpy())


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


def test_load_state_dict_round_trip_keeps_tensor_objects() -> None:
    source, target = edugrad_model(), edugrad_model()
    weight = target[0].weight
    result = target.load_state_dict(source.state_dict())
    assert result == ([], []) and repr(result) == "<All keys matched successfully>" and target[0].weight is weight
    for (key, ours), theirs in zip(target.state_dict().items(), source.state_dict().values()):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=key)
    assert weight.requires_grad and isinstance(weight, nn.Parameter)


def test_load_state_dict_takes_torch_tensors_and_numpy_arrays_and_casts_as_torch() -> None:
    theirs, ours = torch_model(), edugrad_model()
    ours.load_state_dict(dict(theirs.state_dict()))
    np.testing.assert_array_equal(ours[4][0].weight.numpy(), theirs[4][0].weight.detach().numpy())
    assert ours[1].num_batches_tracked.dtype == dtypes.int64
    doubled = {key: value.double() if value.is_floating_point() else value
               for key, value in theirs.state_dict().items()}
    theirs.load_state_dict(doubled)  # torch copies a float64 state dict into float32 parameters
    ours.load_state_dict({key: value.numpy() for key, value in doubled.items()})
    assert ours[0].weight.dtype == dtypes.float32
    np.testing.assert_array_equal(ours[0].weight.numpy(), theirs[0].weight.detach().numpy())


def test_strict_load_lists_every_problem_as_torch_and_changes_nothing() -> None:
    ours, theirs = edugrad_model(), torch_model()
    before = {key: value.numpy() for key, value in ours.state_dict().items()}
    state = {key: value.numpy() + 1 for key, value in ours.state_dict().items()}
    del state["1.running_var"]
    state["extra.weight"] = np.zeros(2, np.float32)
    state["4.0.weight"] = np.zeros((64, 8), np.float32)  # transposed
    messages = []
    as_torch = {key: torch.from_numpy(np.asarray(value)) for key, value in state.items()}
    for model, values in ((ours, state), (theirs, as_torch)):
        with pytest.raises(RuntimeError) as info:
            model.load_state_dict(values)
        messages.append(str(info.value).replace("torch.Size([64, 8])", "(64, 8)").replace("torch.Size([8, 64])",
                                                                                        "(8, 64)"))
    assert messages[0] == messages[1]
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key], err_msg=f"{key} changed by a failed load")


def test_non_strict_load_returns_torchs_keys_but_still_checks_shapes() -> None:
    results = []
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        model = lib.Sequential(lib.Linear(2, 3), lib.Sequential(lib.Linear(3, 1)))
        state = {"0.weight": tensors.ones(3, 2), "2.weight": tensors.ones(1), "1.0.x": tensors.ones(1),
                 "1.y.z": tensors.ones(1), "0": tensors.ones(1)}
        results.append(model.load_state_dict(state, strict=False))
        with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: copying a param with shape"):
            model.load_state_dict({"0.weight": tensors.ones(2, 3)}, strict=False)
        with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got <class 'list'>"):
            model.load_state_dict([tensors.ones(3, 2)])
    assert results[0] == results[1]
    with pytest.raises(RuntimeError, match='While copying the parameter named "weight", expected a Tensor'):
        nn.Linear(2, 3).load_state_dict({"weight": "weights"}, strict=False)


def test_load_state_dict_with_assign_takes_the_state_dicts_tensors() -> None:
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    ours.weight.requires_grad_(False)
    theirs.weight.requires_grad_(False)
    state = {"weight": Tensor.ones(3, 2, dtype=dtypes.float64), "bias": Tensor.zeros(3)}
    ours.load_state_dict(state, assign=True)
    theirs.load_state_dict({"weight": torch.ones(3, 2, dtype=torch.float64), "bias": torch.zeros(3)}, assign=True)
    for model in (ours, theirs):
        assert isinstance(model.weight, (nn.Parameter, torch.nn.Parameter))
        assert not model.weight.requires_grad and model.bias.requires_grad  # the module's requires_grad is kept
    assert ours.weight.dtype == dtypes.float64 and theirs.weight.dtype == torch.float64  # the state dict's dtype
    with no_grad():
        state["weight"].add_(1.0)  # the Parameter shares the state dict tensor's values
    assert ours.weight.numpy().tolist() == [[2.0, 2.0]] * 3


# forward hooks

def run_hooks(lib: Any, tensors: Any) -> list[Any]:
    """Register hooks of every kind on a Linear, call it, remove some, call again; returns what was seen."""
    layer, seen = lib.Linear(2, 2), []
    lib.init.ones_(layer.weight)
    lib.init.zeros_(layer.bias)
    double = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    layer.register_forward_pre_hook(lambda m, args, kwargs: seen.append(("kw", len(args), sorted(kwargs))),
                                    with_kwargs=True)
    layer.register_forward_hook(lambda m, args, out: out + 1)
    layer.register_forward_hook(lambda m, args, out: seen.append(("first", out.sum().item())), prepend=True)
    seen.append(("out", layer(tensors.ones(1, 2)).sum().item()))
    double.remove()
    double.remove()  # removing twice is harmless
    seen.append(("out", layer(tensors.ones(1, 2)).sum().item()))
    with layer.register_forward_hook(lambda m, args, out: out * 0):
        seen.append(("inside", layer(tensors.ones(1, 2)).sum().item()))
    seen.append(("after", layer(tensors.ones(1, 2)).sum().item()))
    return seen


def test_forward_hooks_behave_as_torchs() -> None:
    assert run_hooks(nn, Tensor) == run_hooks(torch.nn, torch)


def test_always_call_hooks_run_when_forward_raises() -> None:
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        layer, seen = lib.Linear(2, 2), []
        layer.register_forward_hook(lambda m, args, out: seen.append(out), always_call=True)
        layer.register_forward_hook(lambda m, args, out: seen.append("plain"))
        with pytest.raises((ValueError, RuntimeError)):
            layer(tensors.ones(1, 3))
        assert seen == [None]


def test_a_pre_hook_with_kwargs_must_return_args_and_kwargs() -> None:
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple of"):
        layer(Tensor.ones(1, 2))


# printing

def test_repr_matches_torch() -> None:
    assert repr(edugrad_model()) == repr(torch_model())
    ours, theirs = both()
    assert repr(ours) == repr(theirs).replace("Model(", "Model(", 1)
    assert repr(nn.Conv2d(2, 4, (3, 5), stride=2, dilation=2, groups=2, bias=False)) == repr(
        torch.nn.Conv2d(2, 4, (3, 5), stride=2, dilation=2, groups=2, bias=False))
    assert repr(nn.Embedding(5, 2, padding_idx=0)) == repr(torch.nn.Embedding(5, 2, padding_idx=0))
    assert repr(nn.Module()) == repr(torch.nn.Module()) == "Module()"


def test_to_a_device_edugrad_lacks_or_a_misspelt_one_is_refused() -> None:
    with pytest.raises(RuntimeError, match="device type at start of device string: gpu"):
        nn.Module().to("gpu")  # checked even without tensors to move, as torch does
    with pytest.raises(RuntimeError, match="edugrad computes on 'cpu'"):
        nn.Linear(2, 2).to("mps")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is there: cuda() works")
def test_cuda_without_a_gpu_says_so() -> None:
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Linear(2, 2).cuda()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_to_cuda_and_back_keeps_the_parameters_and_trains_on_the_gpu() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    weight = model[0].weight
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    assert model.to("cuda") is model and model[0].weight is weight and str(weight.device) == "cuda:0"
    assert str(model[1].running_mean.device) == "cuda:0"
    model(Tensor.ones(5, 3).cuda()).sum().backward()
    optimizer.step()
    model.cpu()
    assert str(weight.device) == "cpu" and str(weight.grad.device) == "cpu"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"])
def test_method_signatures_match_torch(name: str) -> None:
    ours, theirs = getattr(nn, name), getattr(torch.nn, name)
    differ = []
    for method in dir(theirs):
        if method.startswith("_") and method not in ("__call__", "__getitem__", "__setitem__", "__delitem__"):
            continue
        if not hasattr(ours, method) or not callable(getattr(theirs, method)) or method == "state_dict":
            continue  # state_dict leaves out torch's deprecated positional *args: its arguments are keywords
        signatures = [[(p.name, p.kind, p.default) for p in inspect.signature(getattr(cls, method)).parameters.values()]
                      for cls in (ours, theirs)]
        if signatures[0] != signatures[1]:
            differ.append(method)
    assert differ == []
    assert [p.name for p in inspect.signature(ours.state_dict).parameters.values()] == [
        "self", "destination", "prefix", "keep_vars"]


def test_state_dict_is_an_ordered_dict_as_torchs() -> None:
    assert type(nn.Linear(2, 2).state_dict()) is type(torch.nn.Linear(2, 2).state_dict())


def test_the_fan_helper_programs_call_is_torchs() -> None:
    import edugrad.torch.nn as facade

    for shape in [(3, 4), (5, 2, 3, 3)]:
        ours = facade.init._calculate_fan_in_and_fan_out(Tensor.zeros(*shape))
        assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
