"""Tests of `edugrad.nn.optim.lr_scheduler`: every scheduler against its `torch.optim.lr_scheduler` twin.

Each test builds the same optimizer (two parameter groups with different lrs) in both libraries, steps both
schedulers 50 times and compares the lr of every group (and, for OneCycleLR, the momentum) after each step.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from edugrad.nn import optim
from edugrad.nn.optim import lr_scheduler
from edugrad.tensor import Tensor

STEPS = 50


def optimizers(name: str = "SGD", **kwargs: Any) -> tuple[Any, Any]:
    """The same optimizer in edugrad and torch, with groups at lr 0.1 and 0.02."""
    built = []
    for module, make in ((optim, Tensor), (torch.optim, torch.tensor)):
        a, b = make([1.0], requires_grad=True), make([2.0], requires_grad=True)
        built.append(getattr(module, name)([{"params": [a]}, {"params": [b], "lr": 0.02}], lr=0.1, **kwargs))
    return built[0], built[1]


def hyperparameters(opt: Any, key: str) -> list[float]:
    """group[key] of every group, in one flat list (betas contribute both values)."""
    values = [group[key] for group in opt.param_groups]
    return [v for value in values for v in (value if isinstance(value, tuple) else (value,))]


def assert_close(ours: list[Any], theirs: list[Any], what: str) -> None:
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15), what


def compare(name: str, kwargs: dict[str, Any], opt_name: str = "SGD", opt_kwargs: dict[str, Any] | None = None,
            steps: int = STEPS, momentum: str | None = None) -> None:
    opt, topt = optimizers(opt_name, **(opt_kwargs or {}))
    ours, theirs = getattr(lr_scheduler, name)(opt, **kwargs), getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    for step in range(steps + 1):
        if step:
            opt.step()
            topt.step()
            ours.step()
            theirs.step()
        assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"get_last_lr after step {step}")
        assert_close(hyperparameters(opt, "lr"), hyperparameters(topt, "lr"), f"group lrs after step {step}")
        if momentum:
            assert_close(hyperparameters(opt, momentum), hyperparameters(topt, momentum), f"{momentum} at {step}")


CASES = [
    ("StepLR", {"step_size": 7}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [5, 5, 20, 33]}),
    ("MultiStepLR", {"milestones": [10, 2], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.8, "total_iters": 30}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 40}),
    ("CosineAnnealingLR", {"T_max": 50}),
    ("CosineAnnealingLR", {"T_max": 12, "eta_min": 0.001}),  # past T_max it climbs back (troughs at 12, 36)
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": STEPS}),
    ("OneCycleLR", {"max_lr": [0.5, 0.1], "epochs": 5, "steps_per_epoch": 10, "anneal_strategy": "linear",
                    "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS + 5, "three_phase": True, "cycle_momentum": False}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_lr_sequence_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    compare(name, kwargs)


@pytest.mark.parametrize(("opt_name", "opt_kwargs", "momentum"), [
    ("SGD", {"momentum": 0.9}, "momentum"), ("SGD", {}, "momentum"), ("RMSprop", {}, "momentum"),
    ("Adam", {}, "betas"), ("AdamW", {"betas": (0.8, 0.99)}, "betas"),
])
def test_one_cycle_cycles_momentum_as_torch(opt_name: str, opt_kwargs: dict[str, Any], momentum: str) -> None:
    compare("OneCycleLR", {"max_lr": 0.4, "total_steps": STEPS, "three_phase": opt_name == "RMSprop"},
            opt_name, opt_kwargs, momentum=momentum)


def test_one_cycle_momentum_reaches_the_update() -> None:
    p = Tensor([1.0], requires_grad=True)
    opt = optim.Adam([p])
    lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 25)


def test_one_cycle_errors() -> None:
    opt, _ = optimizers()
    with pytest.raises(ValueError, match="either total_steps OR"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="one value per parameter group"):
        lr_scheduler.OneCycleLR(opt, max_lr=[0.1], total_steps=5)
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=5, pct_start=1.5)
    with pytest.raises(ValueError, match="neither"):
        lr_scheduler.OneCycleLR(optim.Adagrad([Tensor([1.0], requires_grad=True)]), max_lr=0.1, total_steps=5)
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="tried to step 4 times; the specified number of total steps is 3"):
        scheduler.step()


PLATEAU = [
    {},
    {"patience": 2},
    {"mode": "max", "patience": 1, "factor": 0.5},
    {"patience": 1, "threshold": 0.05, "threshold_mode": "abs", "cooldown": 2},
    {"patience": 0, "min_lr": [0.01, 0.005], "factor": 0.3},
    {"patience": 0, "min_lr": 0.02, "eps": 1e-2},
]


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_on_plateau_matches_torch(kwargs: dict[str, Any]) -> None:
    # A metric that improves, stalls, wiggles and improves again, for 50 epochs.
    metrics = [1.0 / (1 + epoch) if epoch < 10 else 0.1 + 0.01 * ((epoch * 7) % 5) - 0.001 * (epoch > 30)
               for epoch in range(STEPS)]
    opt, topt = optimizers()
    ours = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    assert_close(ours.get_last_lr(), theirs.get_last_lr(), "before the first step")
    for epoch, metric in enumerate(metrics):
        ours.step(Tensor(metric) if epoch % 2 else metric)  # a number or a one-element tensor
        theirs.step(metric)
        assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"epoch {epoch}")
        assert_close(hyperparameters(opt, "lr"), hyperparameters(topt, "lr"), f"group lrs at epoch {epoch}")
    assert hyperparameters(opt, "lr") != [0.1, 0.02], "the metric plateaus, so the lr must have been cut"


def test_reduce_on_plateau_errors() -> None:
    opt, _ = optimizers()
    with pytest.raises(ValueError, match="factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: mode must be one of 'min', 'max', got 'up'"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold_mode must be one of 'rel', 'abs', got 'relative'"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="relative")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ReduceLROnPlateau: min_lr must have one value per parameter group"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1])


@pytest.mark.parametrize(("name", "kwargs"), [CASES[0], CASES[2], CASES[4], CASES[6], CASES[9], CASES[11]],
                         ids=lambda case: str(case))
def test_state_dict_round_trip_continues_the_sequence(name: str, kwargs: dict[str, Any]) -> None:
    opt, _ = optimizers()
    straight = getattr(lr_scheduler, name)(opt, **kwargs)
    for _ in range(20):
        straight.step()
    saved_opt, saved = opt.state_dict(), straight.state_dict()
    resumed_opt, _ = optimizers()
    resumed = getattr(lr_scheduler, name)(resumed_opt, **kwargs)  # build the scheduler, then load, as in torch
    resumed_opt.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    for step in range(20, STEPS):
        straight.step()
        resumed.step()
        assert resumed.get_last_lr() == straight.get_last_lr(), f"step {step}"
        assert hyperparameters(resumed_opt, "lr") == hyperparameters(opt, "lr")


def test_reduce_on_plateau_state_dict_round_trip() -> None:
    opt, _ = optimizers()
    straight = lr_scheduler.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for metric in (1.0, 0.5, 0.6, 0.6):
        straight.step(metric)
    resumed_opt, _ = optimizers()
    resumed = lr_scheduler.ReduceLROnPlateau(resumed_opt, patience=1, cooldown=1)
    resumed_opt.load_state_dict(opt.state_dict())
    resumed.load_state_dict(straight.state_dict())
    for metric in (0.6, 0.6, 0.6, 0.4, 0.7, 0.7, 0.7):
        straight.step(metric)
        resumed.step(metric)
        assert resumed.get_last_lr() == straight.get_last_lr()


def test_scheduler_errors() -> None:
    opt, _ = optimizers()
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive int, got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="start_factor"):
        lr_scheduler.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="end_factor"):
        lr_scheduler.LinearLR(opt, end_factor=1.5)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(opt, gamma=0.9, last_epoch=3)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    with pytest.raises(KeyError, match=r"unexpected keys \['step_size'\]"):
        scheduler.load_state_dict({**scheduler.state_dict(), "step_size": 3})


def test_two_schedulers_multiply_their_effects() -> None:
    opt, topt = optimizers()
    ours = [lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=4), lr_scheduler.ExponentialLR(opt, 0.9)]
    theirs = [torch.optim.lr_scheduler.LinearLR(topt, start_factor=0.5, total_iters=4),
              torch.optim.lr_scheduler.ExponentialLR(topt, 0.9)]
    for step in range(10):
        opt.step()
        topt.step()
        for a, b in zip(ours, theirs):
            a.step()
            b.step()
        assert_close(hyperparameters(opt, "lr"), hyperparameters(topt, "lr"), f"step {step}")
