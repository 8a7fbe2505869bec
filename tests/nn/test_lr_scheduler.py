"""Tests of `edugrad.nn.optim.lr_scheduler`: every scheduler against its `torch.optim.lr_scheduler` twin.

Each test builds the same optimizer (two parameter groups with different lrs) in both libraries, steps both
schedulers 50 times and compares the lr of every group (and, for the cyclic ones, the momentum) after each
step; the state dicts, the deprecated `step(epoch)` and the warnings are compared with PyTorch's too.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
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
    step_in_lock_step(opt, topt, ours, theirs, steps, momentum)


def step_in_lock_step(opt: Any, topt: Any, ours: Any, theirs: Any, steps: int = STEPS,
                      momentum: str | None = None) -> None:
    """Step both optimizers and schedulers `steps` times, comparing the lrs (and momentum) before and after each."""
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
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch}),
    ("LambdaLR", {"lr_lambda": [lambda epoch: 1.0 / (1 + epoch), lambda epoch: (epoch % 7) / 7]}),
    ("MultiplicativeLR", {"lr_lambda": lambda epoch: 0.97}),
    ("MultiplicativeLR", {"lr_lambda": [lambda epoch: 0.9 if epoch % 5 == 0 else 1.0, lambda epoch: 1.01]}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 12}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 30, "power": 2.0}),
    ("CosineAnnealingWarmRestarts", {"T_0": 7}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "cycle_momentum": False}),
    ("CyclicLR", {"base_lr": [0.01, 0.001], "max_lr": 0.1, "step_size_up": 3, "step_size_down": 7,
                  "mode": "triangular2", "cycle_momentum": False}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range", "gamma": 0.97,
                  "cycle_momentum": False}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "scale_fn": lambda x: 1 / (1 + x),
                  "scale_mode": "iterations", "cycle_momentum": False}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{i}-{n}" for i, (n, _) in enumerate(CASES)])
def test_lr_sequence_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    compare(name, kwargs)


@pytest.mark.parametrize(("opt_name", "opt_kwargs", "momentum"), [
    ("SGD", {"momentum": 0.9}, "momentum"), ("RMSprop", {}, "momentum"), ("Adam", {}, "betas"),
    ("NAdam", {}, "betas"),
])
def test_cyclic_lr_cycles_momentum_as_torch(opt_name: str, opt_kwargs: dict[str, Any], momentum: str) -> None:
    compare("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular2",
                         "base_momentum": [0.8, 0.7], "max_momentum": 0.9}, opt_name, opt_kwargs, momentum=momentum)


def both(make: Callable[[Any, Any], Any]) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """(optimizer, scheduler) in edugrad and in torch, the scheduler made by make(lr_scheduler module, optimizer)."""
    opt, topt = optimizers()
    return (opt, make(lr_scheduler, opt)), (topt, make(torch.optim.lr_scheduler, topt))


COMPOSITE = {
    "SequentialLR warmup then cosine": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=20)], milestones=[5]),
    "SequentialLR of three": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=3), m.ExponentialLR(o, 0.9), m.StepLR(o, 4)], [8, 30]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.1, total_iters=2), m.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler with a SequentialLR": lambda m, o: m.ChainedScheduler(
        [m.SequentialLR(o, [m.ConstantLR(o), m.PolynomialLR(o, total_iters=10)], [4]), m.MultiStepLR(o, [6, 12])],
        optimizer=o),
}


@pytest.mark.parametrize("make", COMPOSITE.values(), ids=COMPOSITE.keys())
def test_composite_schedulers_match_torch(make: Callable[[Any, Any], Any]) -> None:
    (opt, ours), (topt, theirs) = both(make)
    step_in_lock_step(opt, topt, ours, theirs)


CLOSED_FORM = ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
               "CosineAnnealingLR", "LambdaLR"]


@pytest.mark.parametrize("index", [i for i, (name, _) in enumerate(CASES) if name in CLOSED_FORM])
def test_deprecated_step_with_an_epoch_warns_and_jumps_as_torchs(index: int) -> None:
    name, kwargs = CASES[index]
    opt, topt = optimizers()
    ours, theirs = getattr(lr_scheduler, name)(opt, **kwargs), getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    for epoch in (3, 8, 2, 30, 31, 12, 0):  # the closed form (no jump for LambdaLR, whose get_lr is one)
        opt.step()
        topt.step()
        for scheduler in (ours, theirs):
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
                scheduler.step(epoch)
        assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"{name} at epoch {epoch}")
        ours.step()
        theirs.step()  # and on from there, chainable again
        assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"{name} after epoch {epoch}")


def test_warm_restarts_with_fractional_epochs_match_torch() -> None:
    (opt, ours), (topt, theirs) = both(lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2))
    batches = 4
    for epoch in range(12):
        for batch in range(batches):
            opt.step()
            topt.step()
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # fractional epochs are its documented use: no warning
                ours.step(epoch + batch / batches)
            theirs.step(epoch + batch / batches)
            assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"epoch {epoch} batch {batch}")
    with pytest.raises(ValueError, match="expected a non-negative epoch, but got -1"):
        ours.step(-1)


def test_cosine_annealing_resumed_at_a_later_epoch_matches_torch() -> None:
    opt, topt = optimizers()
    for o in (opt, topt):
        for group in o.param_groups:
            group["initial_lr"] = group["lr"]
    ours = lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=4)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=10, last_epoch=4)
    for step in range(15):
        assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"step {step}")
        opt.step()
        topt.step()
        ours.step()
        theirs.step()


ALL_SCHEDULERS = {name: kwargs for name, kwargs in reversed(CASES)} | {"ReduceLROnPlateau": {}}


@pytest.mark.parametrize("name", sorted(ALL_SCHEDULERS))
def test_state_dict_has_torchs_keys(name: str) -> None:
    opt, topt = optimizers()
    ours = getattr(lr_scheduler, name)(opt, **ALL_SCHEDULERS[name])
    theirs = getattr(torch.optim.lr_scheduler, name)(topt, **ALL_SCHEDULERS[name])
    assert set(ours.state_dict()) == set(theirs.state_dict())
    assert set(lr_scheduler.SequentialLR(opt, [lr_scheduler.ConstantLR(opt)], []).state_dict()) == set(
        torch.optim.lr_scheduler.SequentialLR(topt, [torch.optim.lr_scheduler.ConstantLR(topt)], []).state_dict())


def test_warnings_about_the_order_of_the_steps_are_torchs() -> None:
    for module, make in ((lr_scheduler, Tensor), (torch.optim.lr_scheduler, torch.tensor)):
        opt = (optim if module is lr_scheduler else torch.optim).SGD([make([1.0], requires_grad=True)], lr=0.1)
        scheduler = module.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
            scheduler.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            assert scheduler.get_lr() == [0.1]
        opt = (optim if module is lr_scheduler else torch.optim).SGD([make([1.0], requires_grad=True)], lr=0.1)
        scheduler = module.ExponentialLR(opt, gamma=0.5)
        opt.step = lambda *args, **kwargs: None
        with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
            scheduler.step()
        opt = (optim if module is lr_scheduler else torch.optim).SGD([make([1.0], requires_grad=True)], lr=0.1)
        scheduler = module.ExponentialLR(opt, gamma=0.5)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the right order: no warning
            scheduler.step()
            assert scheduler.get_last_lr() == [0.05]


class Decay:
    """A callable object as lr_lambda: its attributes are state, which the state dict keeps."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, epoch: int) -> float:
        return float(self.rate**epoch)


def test_lambda_state_dicts_keep_callable_objects_attributes_as_torchs() -> None:
    (opt, ours), (topt, theirs) = both(lambda m, o: m.LambdaLR(o, [Decay(0.9), lambda epoch: 1.0]))
    assert ours.state_dict()["lr_lambdas"] == theirs.state_dict()["lr_lambdas"] == [{"rate": 0.9}, None]
    ours.lr_lambdas[0].rate = 0.5  # type: ignore[attr-defined]
    saved = ours.state_dict()
    resumed_opt, _ = optimizers()
    resumed = lr_scheduler.LambdaLR(resumed_opt, [Decay(0.9), lambda epoch: 1.0])
    resumed.load_state_dict(saved)
    assert resumed.lr_lambdas[0].rate == 0.5  # type: ignore[attr-defined]
    assert saved["lr_lambdas"] == [{"rate": 0.5}, None], "loading must not change the dict it loads"


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
    opt.step()
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
        ours.step(Tensor([metric]) if epoch % 2 else metric)  # a number or a one-element tensor
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


ROUND_TRIP = [i for i, (name, _) in enumerate(CASES) if name not in ("LambdaLR", "MultiplicativeLR")]


@pytest.mark.parametrize("index", ROUND_TRIP, ids=[f"{i}-{CASES[i][0]}" for i in ROUND_TRIP])
def test_state_dict_round_trip_continues_the_sequence(index: int) -> None:
    name, kwargs = CASES[index]
    opt, _ = optimizers()
    straight = getattr(lr_scheduler, name)(opt, **kwargs)
    opt.step()
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


def test_composite_round_trip_continues_the_sequence() -> None:
    make = COMPOSITE["SequentialLR of three"]
    opt, _ = optimizers()
    straight = make(lr_scheduler, opt)
    opt.step()
    for _ in range(10):
        straight.step()
    saved_opt, saved = opt.state_dict(), straight.state_dict()
    resumed_opt, _ = optimizers()
    resumed = make(lr_scheduler, resumed_opt)
    resumed_opt.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    resumed_opt.step()
    for step in range(10, STEPS):
        straight.step()
        resumed.step()
        assert resumed.get_last_lr() == straight.get_last_lr(), f"step {step}"
    with pytest.raises(ValueError, match="the state dict has 1 schedulers, this one runs 3"):
        resumed.load_state_dict({**saved, "_schedulers": saved["_schedulers"][:1]})


def test_scheduler_errors() -> None:
    opt, _ = optimizers()
    with pytest.raises(TypeError, match="lr_lambda should be a function, but got float"):
        lr_scheduler.LambdaLR(opt, 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lr_lambda must have one value per parameter group"):
        lr_scheduler.MultiplicativeLR(opt, [lambda epoch: 1.0])
    with pytest.raises(ValueError, match="ConstantLR: the factor must be between 0 and 1"):
        lr_scheduler.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="CyclicLR: mode must be one of"):
        lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.CyclicLR(optim.Adagrad([Tensor([1.0], requires_grad=True)]), 0.01, 0.1)
    with pytest.raises(ValueError, match="expected a positive integer T_0, but got 0"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="expected an integer T_mult >= 1, but got 1.5"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1.5)  # type: ignore[arg-type]
    other, _ = optimizers()
    with pytest.raises(ValueError, match="SequentialLR expects one milestone fewer than schedulers"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.ConstantLR(opt)], milestones=[3])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt), lr_scheduler.ConstantLR(other)])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="ChainedScheduler expects at least one scheduler"):
        lr_scheduler.ChainedScheduler([])
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive int, got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="start_factor"):
        lr_scheduler.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="end_factor"):
        lr_scheduler.LinearLR(opt, end_factor=1.5)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.ExponentialLR(optimizers()[0], gamma=0.9, last_epoch=3)
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
