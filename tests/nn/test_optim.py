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
from edugrad.tensor import Tensor, dtypes, no_grad

RNG = np.random.default_rng(0)
INIT = [RNG.uniform(-1, 1, (3, 4)).astype(np.float32), RNG.uniform(-1, 1, (4,)).astype(np.float32)]
SCALE = RNG.uniform(0.5, 1.5, (3, 4)).astype(np.float32)
SHIFT = RNG.uniform(-0.5, 0.5, (3, 4)).astype(np.float32)
STEPS = 20

Groups = Callable[[list[Any]], Iterable[Any]]


def edugrad_tensor(array: np.ndarray[Any, Any], requires_grad: bool = False) -> Tensor:
    """An edugrad Tensor of the array's values and dtype (float64 stays float64)."""
    return Tensor(array, dtype=dtypes.from_numpy(array.dtype), requires_grad=requires_grad)


def loss_of(p1: Any, p2: Any, scale: Any, shift: Any) -> Any:
    """The same loss in either library: sum(scale * h^2) + sum(relu(h)) with h = p1 * p2 + shift."""
    h = p1 * p2 + shift
    return (h * h * scale).sum() + h.relu().sum()


class Run:
    """One library's side of a comparison: parameters, optimizer and the loss that drives it."""

    def __init__(self, lib: str, name: str, kwargs: dict[str, Any], groups: Groups = list,
                 init: list[np.ndarray[Any, Any]] = INIT) -> None:
        self.lib = lib
        make: Any = edugrad_tensor if lib == "edugrad" else torch.tensor
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
    ("Adadelta", {}),  # pytorch/examples' mnist: Adadelta(lr=1.0)
    ("Adadelta", {"lr": 0.5, "rho": 0.7, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.05, "rho": 1.0, "maximize": True}),  # rho = 1: v and u stay 0, so SGD
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.05, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "betas": (0.8, 0.95), "momentum_decay": 0.1, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {}),  # rho_t passes 5 after 5 steps: both kinds of step are taken
    ("RAdam", {"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.1, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 0, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1)}),
    ("Rprop", {"lr": 0.05, "maximize": True}),
    ("Adafactor", {}),  # a (3, 4) matrix (factored second moment) and a (4,) vector (a full one)
    ("Adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-20, 1e-2), "d": 2.0, "weight_decay": 0.1}),
    ("Adafactor", {"lr": 0.5, "maximize": True}),  # rho_t = lr until 1 / sqrt(t) falls below it
    # PyTorch's implementation flags: the same trajectory whichever kernel torch picks
    ("SGD", {"lr": 0.05, "momentum": 0.9, "foreach": True}),
    ("Adam", {"lr": 0.05, "fused": True}),
    ("AdamW", {"lr": 0.05, "foreach": False, "fused": True}),
    ("Adagrad", {"lr": 0.1, "fused": True}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    compare_with_torch(name, kwargs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_param_groups_with_their_own_options_match_torch(name: str) -> None:
    extra = {"SGD": {"momentum": 0.9}, "RMSprop": {"momentum": 0.5}, "Adagrad": {"lr_decay": 0.1}}.get(name, {})
    compare_with_torch(name, {"lr": 0.01}, lambda ps: [{"params": [ps[0]], "lr": 0.05, **extra}, {"params": ps[1]}])


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


#: One case of every torch.optim optimizer edugrad has, with options that give it all its state.
EVERY = [("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adam", {"lr": 0.05, "amsgrad": True}), ("AdamW", {"lr": 0.05}),
         ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adagrad", {"lr_decay": 0.1}), ("Adadelta", {}),
         ("Adamax", {"lr": 0.05}), ("NAdam", {"lr": 0.05}), ("RAdam", {"lr": 0.05}), ("ASGD", {"lr": 0.05, "t0": 2}),
         ("Rprop", {"lr": 0.05}), ("Adafactor", {"lr": 0.05})]
TWO_GROUPS: Groups = lambda ps: [{"params": [ps[0]], "lr": 0.02}, {"params": [ps[1]]}]  # noqa: E731


def to_edugrad(value: Any) -> Any:
    """A torch state dict with every torch tensor replaced by an edugrad Tensor of the same values."""
    if isinstance(value, torch.Tensor):
        return edugrad_tensor(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {key: to_edugrad(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_edugrad(item) for item in value]
    return value


def test_defaults_match_torch() -> None:
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adafactor", "Adamax", "NAdam", "RAdam",
                 "ASGD", "Rprop", "LBFGS"):
        ours = getattr(optim, name)([Tensor([1.0], requires_grad=True)]).param_groups[0]
        theirs = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)]).param_groups[0]
        assert list(ours) == list(theirs), name  # the same options, in the same order
        assert {k: v for k, v in ours.items() if k != "params"} == {k: v for k, v in theirs.items() if k != "params"}


@pytest.mark.parametrize(("name", "kwargs"), [*EVERY, ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
                                              ("LAMB", {"lr": 0.01, "weight_decay": 0.1})],
                         ids=lambda case: str(case))
def test_state_dict_round_trip_continues_exactly(name: str, kwargs: dict[str, Any]) -> None:
    straight = Run("edugrad", name, kwargs, TWO_GROUPS)
    for _ in range(STEPS // 2):
        straight.step()
    saved = copy.deepcopy(straight.opt.state_dict())  # a snapshot, as a checkpoint file would be
    resumed = Run("edugrad", name, {}, TWO_GROUPS, init=straight.values())  # other options: loading restores them
    resumed.opt.load_state_dict(saved)
    for _ in range(STEPS // 2):
        straight.step()
        resumed.step()
    for a, b in zip(straight.values(), resumed.values()):
        np.testing.assert_array_equal(a, b)
    assert resumed.opt.param_groups[0]["lr"] == 0.02


@pytest.mark.parametrize(("name", "kwargs"), [*EVERY, ("SGD", {"lr": 0.05})], ids=lambda case: str(case))
def test_state_dict_has_torchs_layout_and_values(name: str, kwargs: dict[str, Any]) -> None:
    ours, theirs = Run("edugrad", name, kwargs, TWO_GROUPS), Run("torch", name, kwargs, TWO_GROUPS)
    for _ in range(8):  # ASGD starts averaging after t0 = 2 steps
        ours.step()
        theirs.step()
    mine, reference = ours.opt.state_dict(), theirs.opt.state_dict()
    assert mine["param_groups"] == reference["param_groups"]
    assert mine["state"].keys() == reference["state"].keys()  # SGD without momentum: no state, as in torch
    for index, state in mine["state"].items():
        assert list(state) == list(reference["state"][index])
        for key, value in state.items():
            expected = reference["state"][index][key]
            assert isinstance(value, Tensor) and value.shape == tuple(expected.shape), key
            assert value.dtype.name == str(expected.dtype).removeprefix("torch."), key  # step: a float32 0-d tensor
            np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-5, atol=1e-7, err_msg=key)


@pytest.mark.parametrize("form", ["edugrad tensors", "torch tensors"])
@pytest.mark.parametrize(("name", "kwargs"), EVERY, ids=lambda case: str(case))
def test_a_torch_state_dict_loads_and_training_continues_as_torchs(name: str, kwargs: dict[str, Any],
                                                                   form: str) -> None:
    theirs = Run("torch", name, kwargs, TWO_GROUPS)
    for _ in range(5):
        theirs.step()
    saved = theirs.opt.state_dict()
    ours = Run("edugrad", name, {}, TWO_GROUPS, init=theirs.values())
    ours.opt.load_state_dict(to_edugrad(copy.deepcopy(saved)) if form == "edugrad tensors" else copy.deepcopy(saved))
    for step in range(6, 16):
        ours.step()
        theirs.step()
        assert_same(ours, theirs, step)


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
    saved = {"state": {"0": {"step": edugrad_tensor(np.array(3.0, np.float32)),
                             "exp_avg": edugrad_tensor(np.array([0.1, 0.2])), "exp_avg_sq": Tensor([0.01, 0.04])}},
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
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: state 'exp_avg' of parameter 0 has shape \(2,\), "
                                         r"but the parameter needs shape \(3,\)"):
        optim.Adam([Tensor([0.0, 0.0, 0.0], requires_grad=True), b]).load_state_dict(saved)
    with pytest.raises(KeyError, match="state for parameter 7"):
        optim.Adam([a, b]).load_state_dict({**saved, "state": {7: saved["state"][0]}})
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: expected a dict with 'state' and 'param_groups', .* "
                                         r"got keys \['state'\]"):
        optim.Adam([a, b]).load_state_dict({"state": saved["state"]})
    with pytest.raises(KeyError, match=r"state of parameter 0 lacks \['max_exp_avg_sq'\]; was it saved with other "
                                       r"options"):
        optim.Adam([a, b]).load_state_dict(copy.deepcopy({**saved, "param_groups": [
            {**saved["param_groups"][0], "amsgrad": True}]}))
    with pytest.raises(ValueError, match="'param_groups' must be a list of dicts"):
        optim.Adam([a, b]).load_state_dict({**saved, "param_groups": [{"lr": 0.1}]})
    with pytest.raises(ValueError, match="the state of parameter 0 must be a dict"):
        optim.Adam([a, b]).load_state_dict({**saved, "state": {0: [1.0]}})


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"lr": -1.0}, ValueError, "Adam: invalid lr value -1.0"),
    ({"betas": (0.9, 1.0)}, ValueError, "Adam: invalid beta parameter at index 1"),
    ({"capturable": True}, ValueError, "capturable=True"),
    ({"step": -1}, ValueError, "state 'step' of parameter 0 is a count of steps and must be a whole number >= 0"),
    ({"step": Tensor([1.0, 2.0])}, ValueError, r"state 'step' of parameter 0 must be a number or a one-element "
                                               r"tensor, got shape \(2,\)"),
    ({"step": math.nan}, ValueError, "state 'step' of parameter 0 must be a finite number, got nan"),
    ({"exp_avg": "zeros"}, None, ""),  # an unknown kind of value is kept, as torch keeps it
])
def test_load_state_dict_checks_everything_before_changing_anything(change: dict[str, Any], error: Any,
                                                                    message: str) -> None:
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    saved = copy.deepcopy(opt.state_dict())
    in_group = {key: value for key, value in change.items() if key in saved["param_groups"][0]}
    in_state = {key: value for key, value in change.items() if key not in in_group}
    bad = {"state": {0: {**saved["state"][0], **in_state}},
           "param_groups": [{**saved["param_groups"][0], **in_group}]}
    fresh = optim.Adam([p], lr=0.3)
    if error is None:
        fresh.load_state_dict(bad)
        assert fresh.state[p]["exp_avg"] == "zeros"
        return
    with pytest.raises(error, match=message):
        fresh.load_state_dict(bad)
    assert fresh.param_groups[0]["lr"] == 0.3 and not fresh.state, "a refused state dict must change nothing"


def lbfgs_run(lib: str, kwargs: dict[str, Any], dtype: str, steps: int) -> tuple[list[Any], list[float], Any]:
    """The parameters and the closure's first loss after each of `steps` LBFGS steps, and the optimizer."""
    init = [w.astype(dtype) for w in INIT]
    run = Run(lib, "LBFGS", kwargs, init=init)
    constants = [c.astype(dtype) for c in (SCALE, SHIFT)]
    scale, shift = (edugrad_tensor(c) if lib == "edugrad" else torch.tensor(c) for c in constants)

    def closure() -> Any:
        run.opt.zero_grad()
        loss = loss_of(*run.params, scale, shift)
        loss.backward()
        return loss

    history, losses = [], []
    for _ in range(steps):
        losses.append(float(run.opt.step(closure).detach()))
        history.append([v.copy() for v in run.values()])  # torch's numpy() shares the parameter's memory
    return history, losses, run.opt


LBFGS_CASES = [
    # Without a line search, 20 fixed steps of length lr overshoot on this loss (it rises and falls between
    # steps), which amplifies rounding: those run in float64, where the trajectories agree to 1e-9.
    ({}, "float64"),
    ({"lr": 0.8}, "float64"),  # pytorch/examples' time_sequence_prediction (which trains in float64)
    ({"line_search_fn": "strong_wolfe"}, "float64"),
    ({"line_search_fn": "strong_wolfe"}, "float32"),
    ({"lr": 0.5, "history_size": 2, "max_iter": 7, "line_search_fn": "strong_wolfe"}, "float64"),
    ({"lr": 0.5, "history_size": 2, "max_iter": 7, "line_search_fn": "strong_wolfe"}, "float32"),
    ({"max_iter": 4, "max_eval": 5, "tolerance_change": 1e-4, "line_search_fn": "strong_wolfe"}, "float64"),
    ({"max_iter": 4, "max_eval": 5, "tolerance_change": 1e-4, "line_search_fn": "strong_wolfe"}, "float32"),
    ({"lr": 0.3, "max_iter": 3, "history_size": 1}, "float64"),
    ({"lr": 0.3, "max_iter": 3, "history_size": 1}, "float32"),
]


@pytest.mark.parametrize(("kwargs", "dtype"), LBFGS_CASES, ids=str)
def test_lbfgs_matches_torch(kwargs: dict[str, Any], dtype: str) -> None:
    ours, our_losses, opt = lbfgs_run("edugrad", kwargs, dtype, steps=4)
    theirs, their_losses, topt = lbfgs_run("torch", kwargs, dtype, steps=4)
    rtol = 1e-9 if dtype == "float64" else 1e-4
    for step, (a, b) in enumerate(zip(ours, theirs), start=1):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol, err_msg=f"parameter {i} after step {step}")
    np.testing.assert_allclose(our_losses, their_losses, rtol=rtol)
    state, their_state = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert set(state) == set(their_state)
    if dtype == "float64":  # in float32 a stopping test near convergence can flip on a rounding difference
        assert (state["func_evals"], state["n_iter"]) == (their_state["func_evals"], their_state["n_iter"])


def test_lbfgs_state_dict_round_trip_and_torchs_state_dict() -> None:
    kwargs = {"history_size": 3, "line_search_fn": "strong_wolfe"}
    straight, _, opt = lbfgs_run("edugrad", kwargs, "float64", steps=2)
    _, _, topt = lbfgs_run("torch", kwargs, "float64", steps=2)
    for saved in (copy.deepcopy(opt.state_dict()), to_edugrad(copy.deepcopy(topt.state_dict()))):
        params = [edugrad_tensor(w, requires_grad=True) for w in straight[-1]]
        resumed = optim.LBFGS(params)
        resumed.load_state_dict(saved)
        assert resumed.param_groups[0]["history_size"] == 3
        scale, shift = edugrad_tensor(SCALE.astype(np.float64)), edugrad_tensor(SHIFT.astype(np.float64))

        def closure() -> Tensor:
            resumed.zero_grad()
            loss = loss_of(*params, scale, shift)
            loss.backward()
            return loss

        resumed.step(closure)
        opt_state = resumed.state[params[0]]
        assert isinstance(opt_state["H_diag"], float) and len(opt_state["old_dirs"]) <= 3
    expected, _, _ = lbfgs_run("edugrad", kwargs, "float64", steps=3)
    for a, b in zip(expected[-1], [p.numpy() for p in params]):
        np.testing.assert_allclose(a, b, rtol=1e-9)


def test_lbfgs_errors() -> None:
    p, q = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [q]}])
    with pytest.raises(TypeError, match=r"LBFGS.step needs a closure"):
        optim.LBFGS([p]).step()
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe', got 'armijo'"):
        optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError, match="LBFGS: history_size must be a positive int, got 0"):
        optim.LBFGS([p], history_size=0)
    with pytest.raises(ValueError, match=r"state 'd' of parameter 0 has shape \(2,\), but the parameter needs "
                                         r"shape \(1,\)"):
        optim.LBFGS([p]).load_state_dict({"state": {0: {"d": Tensor([1.0, 2.0])}},
                                          "param_groups": [optim.LBFGS([p]).state_dict()["param_groups"][0]]})


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


def test_step_hooks_run_around_every_step_as_torchs() -> None:
    calls: dict[str, list[Any]] = {"edugrad": [], "torch": []}
    for lib, make, module in (("edugrad", edugrad_tensor, optim), ("torch", torch.tensor, torch.optim)):
        p = make(np.array([2.0], np.float32), requires_grad=True)
        for name in ("SGD", "LBFGS"):
            opt = getattr(module, name)([p], lr=0.25)

            def closure(p: Any = p, opt: Any = opt) -> Any:
                opt.zero_grad()
                loss = (p * p).sum()
                loss.backward()
                return loss

            def replacing(optimizer: Any, args: Any, kwargs: Any, lib: str = lib, closure: Any = closure) -> Any:
                calls[lib].append(("pre", type(optimizer).__name__, len(args), dict(kwargs)))
                return (optimizer, closure), {}  # steps without a closure get one (args start with the optimizer)

            def after(optimizer: Any, args: Any, kwargs: Any, lib: str = lib) -> None:
                calls[lib].append(("post", type(optimizer).__name__, len(args)))

            pre, post = opt.register_step_pre_hook(replacing), opt.register_step_post_hook(after)
            loss = opt.step()
            calls[lib].append(("loss", float(loss.detach()), round(float(p.detach().numpy()[0]), 6)))
            pre.remove()
            post.remove()
            opt.step(closure)
            calls[lib].append(("unhooked", round(float(p.detach().numpy()[0]), 6)))
    assert calls["edugrad"] == calls["torch"]
    with pytest.raises(RuntimeError, match="a step pre-hook must return None or a tuple"):
        opt = optim.SGD([Tensor([1.0], requires_grad=True)])
        opt.register_step_pre_hook(lambda optimizer, args, kwargs: 3)
        opt.step()


def test_adafactor_factors_the_last_two_dimensions_of_a_3d_parameter_as_torch() -> None:
    start = RNG.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    target = RNG.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    runs = []
    for make, module in ((edugrad_tensor, optim), (torch.tensor, torch.optim)):
        p, goal = make(start.copy(), requires_grad=True), make(target)
        opt = module.Adafactor([p], lr=0.05)
        history = []
        for _ in range(10):
            opt.zero_grad()
            ((p - goal) * (p - goal) * (p + 2)).sum().backward()
            opt.step()
            history.append(p.detach().numpy().copy())
        runs.append((history, {k: v.shape for k, v in opt.state_dict()["state"][0].items()}))
    (ours, our_shapes), (theirs, their_shapes) = runs
    assert {k: tuple(v) for k, v in our_shapes.items()} == {k: tuple(v) for k, v in their_shapes.items()}
    for step, (a, b) in enumerate(zip(ours, theirs), start=1):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=f"after step {step}")


class SignSGD(optim.Optimizer):
    """An optimizer written as in PyTorch: its own step, its own state (a step count as a tensor)."""

    def __init__(self, params: Any, lr: float = 0.1) -> None:
        super().__init__(params, {"lr": lr})

    def step(self, closure: Any = None) -> None:
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]  # a defaultdict, as in torch
                    state["step"] = state.get("step", Tensor([0.0]).reshape(())) + 1
                    p.sub_(p.grad.sign(), alpha=group["lr"])


def test_an_optimizer_written_as_in_torch_steps_saves_and_loads() -> None:
    p = Tensor([1.0, -2.0], requires_grad=True)
    opt = SignSGD([p], lr=0.25)
    (p * p).sum().backward()
    opt.step()
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.5, -1.5])
    saved = copy.deepcopy(opt.state_dict())
    assert float(saved["state"][0]["step"]) == 2.0
    resumed = SignSGD([Tensor([0.5, -1.5], requires_grad=True)])
    resumed.load_state_dict(saved)
    state = next(iter(resumed.state.values()))
    assert isinstance(state["step"], Tensor) and float(state["step"]) == 2.0  # kept as it was saved
    assert resumed.param_groups[0]["lr"] == 0.25


def test_sgd_momentum_buffer_is_checked_against_the_parameter() -> None:
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    saved = {"state": {0: {"momentum_buffer": Tensor([1.0, 2.0, 3.0])}},
             "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match=r"state 'momentum_buffer' of parameter 0 has shape \(3,\), but the parameter "
                                         r"needs shape \(2,\)"):
        opt.load_state_dict(saved)
    with pytest.raises(KeyError, match=r"lacks \['momentum_buffer'\]"):
        opt.load_state_dict({**saved, "state": {0: {"other": 1}}})
