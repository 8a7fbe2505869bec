"""Tests of `edugrad.nn.optim`: every optimizer against its `torch.optim` twin, step by step.

Both libraries start from the same weights and minimize the same small loss (a quadratic with a ReLU kink,
written with ops both libraries share), so each step's gradient depends on the previous steps: a wrong
update anywhere makes the trajectories part. LAMB, which PyTorch lacks, is checked against a NumPy
transcription of the paper's equations.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad.nn import optim
from edugrad.tensor import Tensor, no_grad

RNG = np.random.default_rng(0)
INIT = [RNG.uniform(-1, 1, (3, 4)).astype(np.float32), RNG.uniform(-1, 1, (4,)).astype(np.float32)]
SCALE = RNG.uniform(0.5, 1.5, (3, 4)).astype(np.float32)
SHIFT = RNG.uniform(-0.5, 0.5, (3, 4)).astype(np.float32)
STEPS = 20

Groups = Callable[[list[Any]], Iterable[Any]]


def loss_of(p1: Any, p2: Any, scale: Any, shift: Any) -> Any:
    """The same loss in either library: sum(scale * h^2) + sum(relu(h)) with h = p1 * p2 + shift."""
    h = p1 * p2 + shift
    return (h * h * scale).sum() + h.relu().sum()


class Run:
    """One library's side of a comparison: parameters, optimizer and the loss that drives it."""

    def __init__(self, lib: str, name: str, kwargs: dict[str, Any], groups: Groups = list,
                 init: list[np.ndarray[Any, Any]] = INIT) -> None:
        self.lib = lib
        make: Any = Tensor if lib == "edugrad" else torch.tensor
        self.params = [make(w, requires_grad=True) for w in init]
        self.constants = [make(SCALE), make(SHIFT)]
        module: Any = optim if lib == "edugrad" else torch.optim
        self.opt = getattr(module, name)(groups(self.params), **kwargs)
        self.sign = -1.0 if kwargs.get("maximize") else 1.0  # maximize -loss: the same bounded trajectory

    def step(self) -> None:
        self.opt.zero_grad()
        (loss_of(*self.params, *self.constants) * self.sign).backward()
        self.opt.step()

    def values(self) -> list[np.ndarray[Any, Any]]:
        return [p.numpy() if self.lib == "edugrad" else p.detach().numpy() for p in self.params]


def assert_same(ours: Run, theirs: Run, step: int, rtol: float = 2e-5, atol: float = 2e-6) -> None:
    for i, (a, b) in enumerate(zip(ours.values(), theirs.values())):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"parameter {i} after step {step}")


def compare_with_torch(name: str, kwargs: dict[str, Any], groups: Groups = list, steps: int = STEPS) -> None:
    ours, theirs = Run("edugrad", name, kwargs, groups), Run("torch", name, kwargs, groups)
    for step in range(1, steps + 1):
        ours.step()
        theirs.step()
        assert_same(ours, theirs, step)


CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.02, "momentum": 0.5, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "decoupled_weight_decay": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3, "maximize": True}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    compare_with_torch(name, kwargs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_param_groups_with_their_own_options_match_torch(name: str) -> None:
    extra = {"SGD": {"momentum": 0.9}, "RMSprop": {"momentum": 0.5}, "Adagrad": {"lr_decay": 0.1}}.get(name, {})
    compare_with_torch(name, {"lr": 0.01}, lambda ps: [{"params": [ps[0]], "lr": 0.05, **extra}, {"params": ps[1]}])


def test_defaults_match_torch() -> None:
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        ours = getattr(optim, name)([Tensor([1.0], requires_grad=True)]).param_groups[0]
        theirs = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)]).param_groups[0]
        shared = set(ours) - {"params"}
        assert shared <= set(theirs), f"{name}: options torch does not have: {shared - set(theirs)}"
        assert {key: ours[key] for key in shared} == {key: theirs[key] for key in shared}, name


def test_step_writes_in_place_without_recording_a_graph() -> None:
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    version = p._version
    (p * p).sum().backward()
    opt.step()
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    assert p._version > version
    assert opt.state[p]["exp_avg"].grad_fn is None


def test_parameters_without_a_gradient_are_skipped() -> None:
    used, unused = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    opt = optim.SGD([used, unused], lr=0.5, momentum=0.9)
    (used * used).sum().backward()
    opt.step()
    np.testing.assert_allclose(used.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(unused.numpy(), [3.0])
    assert unused not in opt.state


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none: bool) -> None:
    p = Tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad is not None
        np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    opt.step()  # with zeroed or no gradients the parameters stay put
    np.testing.assert_array_equal(p.numpy(), [1.0, -2.0])


def test_closure_recomputes_the_loss() -> None:
    p = Tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure() -> Tensor:
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with no_grad():  # step turns recording on for the closure, as in PyTorch
        loss = opt.step(closure)
    assert float(loss) == 4.0
    np.testing.assert_allclose(p.numpy(), [1.0])  # 2 - 0.25 * 2 * 2


def lamb_reference(steps: int, lr: float, betas: tuple[float, float], eps: float, weight_decay: float,
                   clamp_value: float, init: list[np.ndarray[Any, Any]]) -> list[list[np.ndarray[Any, Any]]]:
    """LAMB (You et al., 2019, Algorithm 2) in float64 NumPy, one list of parameters per step."""
    params = [w.astype(np.float64) for w in init]
    m = [np.zeros_like(w) for w in params]
    v = [np.zeros_like(w) for w in params]
    scale, shift = SCALE.astype(np.float64), SHIFT.astype(np.float64)
    history = []
    for t in range(1, steps + 1):
        h = params[0] * params[1] + shift
        dh = 2 * scale * h + (h > 0)  # d/dh of sum(scale h^2) + sum(relu h)
        grads = [dh * params[1], (dh * params[0]).sum(axis=0)]
        for i, (w, g) in enumerate(zip(params, grads)):
            m[i] = betas[0] * m[i] + (1 - betas[0]) * g
            v[i] = betas[1] * v[i] + (1 - betas[1]) * g * g
            m_hat, v_hat = m[i] / (1 - betas[0] ** t), v[i] / (1 - betas[1] ** t)
            r = m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w
            w_norm, r_norm = min(np.linalg.norm(w), clamp_value), np.linalg.norm(r)
            ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
            params[i] = w - lr * ratio * r
        history.append([w.copy() for w in params])
    return history


@pytest.mark.parametrize("kwargs", [
    {},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-3},
    {"lr": 0.01, "clamp_value": 0.5},  # ||p|| is about 1.7 and 1.0 here, so the clamp is active
])
def test_lamb_matches_numpy_reference(kwargs: dict[str, Any]) -> None:
    options = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-6, "weight_decay": 0.0, "clamp_value": 10.0, **kwargs}
    init = [w.astype(np.float64) for w in INIT]
    ours = Run("edugrad", "LAMB", kwargs, init=init)
    for step, expected in enumerate(lamb_reference(STEPS, init=init, **options), start=1):
        ours.step()
        for i, (a, b) in enumerate(zip(ours.values(), expected)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"parameter {i} after step {step}")


def test_lamb_step_is_a_fraction_of_the_weight_norm() -> None:
    w = np.full((10,), 3.0, np.float32)
    p = Tensor(w, requires_grad=True)
    opt = optim.LAMB([p], lr=0.01)
    (p * 1000.0).sum().backward()  # a huge gradient: the trust ratio still moves p by lr * ||p||
    opt.step()
    assert math.isclose(float(np.linalg.norm(w - p.numpy())), 0.01 * float(np.linalg.norm(w)), rel_tol=1e-4)
    zero = Tensor(np.zeros(3, np.float32), requires_grad=True)  # ||p|| = 0: the ratio is 1, a plain Adam step
    opt = optim.LAMB([zero], lr=0.01)
    (zero * 5.0).sum().backward()
    opt.step()
    np.testing.assert_allclose(zero.numpy(), -0.01 / (1 + 1e-6 / 5.0), rtol=1e-5)


ROUND_TRIP = [("SGD", {"lr": 0.05, "momentum": 0.9}), ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
              ("Adam", {"lr": 0.05, "amsgrad": True}), ("AdamW", {"lr": 0.05}),
              ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adagrad", {"lr_decay": 0.1}),
              ("LAMB", {"lr": 0.01, "weight_decay": 0.1})]


@pytest.mark.parametrize(("name", "kwargs"), ROUND_TRIP, ids=[f"{n}-{k}" for n, k in ROUND_TRIP])
def test_state_dict_round_trip_continues_exactly(name: str, kwargs: dict[str, Any]) -> None:
    groups: Groups = lambda ps: [{"params": [ps[0]], "lr": 0.02}, {"params": [ps[1]]}]  # noqa: E731
    straight = Run("edugrad", name, kwargs, groups)
    for _ in range(STEPS // 2):
        straight.step()
    saved = copy.deepcopy(straight.opt.state_dict())  # a snapshot, as a checkpoint file would be
    resumed = Run("edugrad", name, {}, groups, init=straight.values())  # other hyperparameters: loading restores them
    resumed.opt.load_state_dict(saved)
    for _ in range(STEPS // 2):
        straight.step()
        resumed.step()
    for a, b in zip(straight.values(), resumed.values()):
        np.testing.assert_array_equal(a, b)
    assert resumed.opt.param_groups[0]["lr"] == 0.02


@pytest.mark.parametrize(("name", "kwargs"), [("SGD", {"momentum": 0.9}), ("Adam", {"amsgrad": True}),
                                             ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adagrad", {})])
def test_state_dict_has_torchs_structure_and_values(name: str, kwargs: dict[str, Any]) -> None:
    groups: Groups = lambda ps: [{"params": [ps[0]], "lr": 0.02}, {"params": [ps[1]]}]  # noqa: E731
    ours, theirs = Run("edugrad", name, kwargs, groups), Run("torch", name, kwargs, groups)
    for _ in range(3):
        ours.step()
        theirs.step()
    mine, reference = ours.opt.state_dict(), theirs.opt.state_dict()
    assert [g["params"] for g in mine["param_groups"]] == [g["params"] for g in reference["param_groups"]]
    for group, their_group in zip(mine["param_groups"], reference["param_groups"]):
        assert {k: v for k, v in group.items() if k != "params"}.items() <= their_group.items()
    assert mine["state"].keys() == reference["state"].keys()
    for index, state in mine["state"].items():
        assert state.keys() == reference["state"][index].keys()
        for key, value in state.items():
            expected = reference["state"][index][key]
            if key == "step":
                assert value == float(expected)
            else:
                np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-5, atol=1e-7, err_msg=key)


def test_state_dict_shares_the_state_tensors_as_torchs_does() -> None:
    # torch's state_dict() holds the live state tensors (copy.deepcopy or a save takes a snapshot).
    shared = []
    for p, adam in ((Tensor([1.0, 2.0], requires_grad=True), optim.Adam),
                    (torch.tensor([1.0, 2.0], requires_grad=True), torch.optim.Adam)):
        opt = adam([p], lr=0.1)
        (p * p).sum().backward()
        opt.step()
        saved = opt.state_dict()
        opt.step()
        live = opt.state[p]["exp_avg"].detach().numpy()
        shared.append(np.array_equal(saved["state"][0]["exp_avg"].numpy(), live))
    assert shared == [True, True]


def test_load_state_dict_accepts_torch_style_values() -> None:
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p])
    saved = {"state": {"0": {"step": Tensor(3.0), "exp_avg": Tensor(np.array([0.1, 0.2])),
                             "exp_avg_sq": Tensor([0.01, 0.04])}},
             "param_groups": [{**opt.state_dict()["param_groups"][0], "foreach": None, "lr": 0.5}]}
    opt.load_state_dict(saved)
    state = opt.state[p]
    assert state["step"] == 3 and state["exp_avg"].dtype == p.dtype
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == [p]


def test_load_state_dict_rejects_mismatches() -> None:
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    source = optim.Adam([a, b])
    (a.sum() + b.sum()).backward()
    source.step()
    saved = source.state_dict()
    with pytest.raises(ValueError, match="2 parameter groups, the optimizer has 1"):
        optim.Adam([a, b]).load_state_dict({**saved, "param_groups": saved["param_groups"] * 2})
    with pytest.raises(ValueError, match="group 0 of the state dict has 2 parameters, the optimizer's has 1"):
        optim.Adam([a]).load_state_dict(saved)
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(2,\), but the parameter has "
                                         r"shape \(3,\)"):
        optim.Adam([Tensor([0.0, 0.0, 0.0], requires_grad=True), b]).load_state_dict(saved)
    with pytest.raises(KeyError, match="state for parameter 7"):
        optim.Adam([a, b]).load_state_dict({**saved, "state": {7: saved["state"][0]}})
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: expected a dict with 'state' and 'param_groups', .* "
                                         r"got keys \['state'\]"):
        optim.Adam([a, b]).load_state_dict({"state": saved["state"]})


INVALID = [
    ("SGD", {"lr": -0.1}), ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -1.0}),
    ("SGD", {"lr": 0.1, "nesterov": True}), ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("Adam", {"lr": -1e-3}), ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -0.1}), ("AdamW", {"betas": (0.9, 1.5)}),
    ("RMSprop", {"lr": -0.1}), ("RMSprop", {"alpha": -0.1}), ("RMSprop", {"momentum": -0.1}),
    ("RMSprop", {"eps": -1.0}), ("Adagrad", {"lr_decay": -0.1}), ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adagrad", {"eps": -1.0}),
]


@pytest.mark.parametrize(("name", "kwargs"), INVALID, ids=[f"{n}-{k}" for n, k in INVALID])
def test_invalid_hyperparameters_are_rejected_as_in_torch(name: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match=name):
        getattr(optim, name)([Tensor([1.0], requires_grad=True)], **kwargs)


def test_invalid_hyperparameters_of_a_group_and_of_lamb_are_rejected() -> None:
    p, q = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"SGD: invalid lr value -1"):
        optim.SGD([{"params": [p]}, {"params": [q], "lr": -1}], lr=0.1)
    with pytest.raises(ValueError, match="LAMB: invalid beta parameter at index 0"):
        optim.LAMB([p], betas=(1.5, 0.9))
    with pytest.raises(ValueError, match="LAMB: betas must be a pair"):
        optim.LAMB([p], betas=(0.9,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lr must be a number"):
        optim.Adam([p], lr="0.1")  # type: ignore[arg-type]


def test_invalid_params_are_rejected() -> None:
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="got a Tensor; wrap it in a list"):
        optim.SGD(p)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="one of the params is list"):
        optim.SGD([p, [p]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2])
    with pytest.raises(ValueError, match="same parameter twice"):
        optim.SGD([p, p])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}])
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD([{"params": {p}}])
    with pytest.raises(KeyError, match="needs a 'params' entry"):
        optim.SGD([{"lr": 0.1}])
    with pytest.raises(TypeError, match="must be a dict"):
        optim.SGD([p]).add_param_group([p])  # type: ignore[arg-type]


def test_add_param_group_and_repr() -> None:
    p, q = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": q, "lr": 0.5})
    assert opt.param_groups[1]["params"] == [q] and opt.param_groups[1]["momentum"] == 0.9
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.5" in text and text.endswith(")")
