"""Learning-rate schedulers: change the `lr` of an optimizer's parameter groups as training goes on.

Neural-network layer (`edugrad.nn.optim`). Call `scheduler.step()` after `optimizer.step()`, once per epoch
(OneCycleLR and CyclicLR: once per batch). Building a scheduler records each group's starting lr as
"initial_lr" and counts as epoch 0. Like PyTorch, the epoch-based schedulers are *chainable*: `get_lr`
computes the next lr from the current one (the ratio of two consecutive values of the closed form given in
each docstring), so two schedulers on one optimizer multiply their effects, and a change made by hand to
`group["lr"]` carries on. The deprecated `step(epoch)` jumps to an epoch with the closed form instead, and
warns. `ReduceLROnPlateau` watches a metric and cuts the lr when the metric stops improving;
`SequentialLR` and `ChainedScheduler` combine schedulers. Names, arguments, defaults, state dicts, warnings
and the lr sequences follow `torch.optim.lr_scheduler`.
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, Literal, SupportsFloat, TypedDict

from edugrad.nn._checks import choice, positive_int
from edugrad.nn.optim.optimizer import Optimizer

__all__ = [
    "ChainedScheduler", "ConstantLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "ExponentialLR",
    "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR", "MultiplicativeLR", "OneCycleLR", "PolynomialLR",
    "ReduceLROnPlateau", "SequentialLR", "StepLR",
]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please "
    "use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. Please open an issue if you are "
    "unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose."
)


class LRScheduler:
    """Base class of the schedulers: `step()`, `get_last_lr()`, `state_dict()` and `load_state_dict()`; a
    subclass implements `get_lr()` (the chainable form) and may implement `_get_closed_form_lr()`."""

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False  # True during the step the constructor takes, which records epoch last_epoch + 1

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = _checked_optimizer(type(self).__name__, optimizer)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: resuming with last_epoch={last_epoch} needs 'initial_lr' "
                                   f"in param_groups[{i}]; load the optimizer's state dict first, or pass "
                                   "last_epoch=-1 for a fresh run")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        _track_step_calls(optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lr of every group at epoch `last_epoch`, computed from the current lrs (called by `step`)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def _get_closed_form_lr(self) -> list[float] | None:
        """The lr of every group at epoch `last_epoch` from the initial lrs, or None where there is no closed
        form (then `step(epoch)` falls back on `get_lr`)."""
        return None

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set the new lr of every parameter group (`epoch`, deprecated: jump to it)."""
        if self._step_count == 1:  # the first step after the constructor's: warn about the pre-1.1 order
            if not getattr(self.optimizer.step, "_wrapped_by_lr_sched", False):
                warnings.warn("Seems like `optimizer.step()` has been overridden after learning rate scheduler "
                              "initialization. Please, make sure to call `optimizer.step()` before "
                              "`lr_scheduler.step()`. See more details at "
                              "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                              UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 "
                              "and later, you should call them in the opposite order: `optimizer.step()` before "
                              "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first "
                              "value of the learning rate schedule. See more details at "
                              "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                              UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = self._get_closed_form_lr()
                values = closed_form if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _current(self.optimizer, "lr")

    def _warn_unless_stepping(self) -> None:
        """`get_lr()` called by hand returns the chainable step, not the current lr: say so, as PyTorch does."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=3)

    def get_last_lr(self) -> list[float]:
        """The lrs set by the latest step, one per parameter group."""
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's attributes except the optimizer (numbers and lists), for a checkpoint; the keys are
        PyTorch's, so the states move between the two libraries."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by `state_dict()`; keys this scheduler does not have are refused rather
        than set."""
        unknown = set(state_dict) - set(self.state_dict())
        if unknown:
            raise KeyError(f"{type(self).__name__}.load_state_dict: unexpected keys {sorted(unknown)}; was the "
                           "state dict saved from another kind of scheduler?")
        vars(self).update(state_dict)


def _checked_optimizer(owner: str, optimizer: Any) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: {type(optimizer).__name__} is not an Optimizer")
    return optimizer


def _current(optimizer: Optimizer, key: str) -> list[Any]:
    return [group[key] for group in optimizer.param_groups]


def _track_step_calls(optimizer: Optimizer) -> None:
    """Wrap the optimizer's `step` (on this instance) so it records that it ran: `LRScheduler.step` warns when
    it runs first, which skips the first value of the schedule (PyTorch patches the optimizer the same way)."""
    step = optimizer.step
    if getattr(step, "_wrapped_by_lr_sched", False):
        return

    def counted_step(*args: Any, **kwargs: Any) -> Any:
        optimizer._opt_called = True  # type: ignore[attr-defined]  # read by LRScheduler.step
        return step(*args, **kwargs)

    counted_step._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    optimizer.step = counted_step  # type: ignore[method-assign]


def _per_group(owner: str, name: str, value: Any, optimizer: Optimizer) -> list[Any]:
    """One value per parameter group: a list or tuple must have one per group, anything else is repeated."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{owner}: {name} must have one value per parameter group ({groups}), got {len(value)}")
        return list(value)
    return [value] * groups


def _saved_functions(functions: Sequence[Any]) -> list[dict[str, Any] | None]:
    """What a state dict keeps of user functions: nothing of a plain function or lambda (code is not state),
    the attributes of a callable object."""
    return [None if isinstance(fn, types.FunctionType) else dict(vars(fn)) for fn in functions]


def _load_functions(functions: Sequence[Any], saved: Sequence[dict[str, Any] | None]) -> None:
    for fn, attributes in zip(functions, saved, strict=True):
        if attributes is not None:
            vars(fn).update(attributes)


class _LambdaScheduler(LRScheduler):
    """The base of LambdaLR and MultiplicativeLR: one user function of the epoch per parameter group."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.optimizer = _checked_optimizer(type(self).__name__, optimizer)
        self.lr_lambdas: list[Callable[[int], float]] = _per_group(type(self).__name__, "lr_lambda", lr_lambda,
                                                                   optimizer)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"{type(self).__name__}: lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """As `LRScheduler.state_dict`; of the lr lambdas only callable objects' attributes are kept."""
        return {**super().state_dict(), "lr_lambdas": _saved_functions(self.lr_lambdas)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As `LRScheduler.load_state_dict`; the lambdas stay, callable objects get their saved attributes."""
        saved = {key: value for key, value in state_dict.items() if key != "lr_lambdas"}
        super().load_state_dict(saved)
        _load_functions(self.lr_lambdas, state_dict.get("lr_lambdas", [None] * len(self.lr_lambdas)))


class LambdaLR(_LambdaScheduler):
    """lr = initial_lr * lr_lambda(epoch), with one function for all groups or one per group."""

    def get_lr(self) -> list[float]:
        """The initial lrs times lr_lambda(epoch)."""
        self._warn_unless_stepping()
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class MultiplicativeLR(_LambdaScheduler):
    """Multiply the lr by lr_lambda(epoch) every epoch: lr = initial_lr * lr_lambda(1) * ... * lr_lambda(epoch)."""

    def get_lr(self) -> list[float]:
        """The current lrs times lr_lambda(epoch)."""
        self._warn_unless_stepping()
        if self._is_initial:
            return _current(self.optimizer, "lr")
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)]


class StepLR(LRScheduler):
    """Multiply the lr by `gamma` every `step_size` epochs: lr = initial_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = positive_int("StepLR", "step_size", step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs, times gamma on a multiple of step_size."""
        self._warn_unless_stepping()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _current(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by `gamma` at each epoch in `milestones`: lr = initial_lr * gamma ** (number of
    milestones <= epoch); a milestone listed twice counts twice."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs, times gamma per milestone at this epoch."""
        self._warn_unless_stepping()
        if self.last_epoch not in self.milestones:
            return _current(self.optimizer, "lr")
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch] for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As `LRScheduler.load_state_dict`; milestones read back from a checkpoint's JSON become a Counter again."""
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(epoch): count for epoch, count in self.milestones.items()})


class ConstantLR(LRScheduler):
    """Scale the lr by `factor` for the first `total_iters` epochs, then restore it: lr = initial_lr * factor
    while epoch < total_iters, initial_lr afterwards."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: the factor must be between 0 and 1, got {factor}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs times factor at epoch 0, divided by it at epoch total_iters."""
        self._warn_unless_stepping()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _current(self.optimizer, "lr")
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        factor = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [base * factor for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr by a factor that goes linearly from `start_factor` to `end_factor` over `total_iters`
    epochs, then stays: lr = initial_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = positive_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs times factor(epoch) / factor(epoch - 1)."""
        self._warn_unless_stepping()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self.optimizer, "lr")
        # factor(t) / factor(t-1) = 1 + (end - start) / (total * start + (t - 1) * (end - start))
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * progress) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by `gamma` every epoch: lr = initial_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs times gamma."""
        self._warn_unless_stepping()
        if self._is_initial:
            return _current(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the lr to 0 over `total_iters` epochs along a polynomial, then keep it:
    lr = initial_lr * (1 - min(epoch, total_iters) / total_iters) ** power."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = positive_int("PolynomialLR", "total_iters", total_iters)
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lrs times ((1 - t / total) / (1 - (t - 1) / total)) ** power."""
        self._warn_unless_stepping()
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self.optimizer, "lr")
        ratio = ((1.0 - self.last_epoch / self.total_iters) / (1.0 - (self.last_epoch - 1) / self.total_iters))
        return [group["lr"] * ratio**self.power for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        remaining = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * remaining**self.power for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the initial lr down to `eta_min` over `T_max` epochs (and back up over the
    next T_max): lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current distance to eta_min times the ratio of consecutive cosine factors."""
        self._warn_unless_stepping()
        t, period = self.last_epoch, self.T_max
        if self._is_initial:
            return _current(self.optimizer, "lr")
        if self._step_count == 1 and t > 0:  # resumed at last_epoch > 0: start from the closed form
            return self._closed_form()
        if (t - 1 - period) % (2 * period) == 0:
            # The previous lr was eta_min (a cosine trough), where the ratio below would divide by zero; the next
            # value of the closed form is eta_min + (initial_lr - eta_min) * (1 - cos(pi / T_max)) / 2.
            return [group["lr"] + (base - self.eta_min) * (1 - math.cos(math.pi / period)) / 2
                    for base, group in zip(self.base_lrs, self.optimizer.param_groups, strict=True)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (group["lr"] - self.eta_min) + self.eta_min for group in self.optimizer.param_groups]

    def _closed_form(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]

    def _get_closed_form_lr(self) -> list[float]:
        return self._closed_form()


class SequentialLR(LRScheduler):
    """Run `schedulers` one after another, switching at the epochs in `milestones` (one fewer than the
    schedulers); each starts from the initial lrs when its turn comes."""

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1) -> None:
        _check_combined("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR expects one milestone fewer than schedulers, but got {len(schedulers)} "
                             f"schedulers and {len(milestones)} milestones")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # The schedulers' constructors have each stepped once: undo that, and start the first one afresh.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_constructor_steps(schedulers)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]  # no epoch argument, as in torch
        """Advance one epoch: the scheduler whose turn it is steps, a new one restarts at its epoch 0."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """Its own attributes, and the state dicts of the schedulers it runs."""
        return {**super().state_dict(), "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore its attributes and each scheduler's state."""
        _load_combined(self, state_dict)


class ChainedScheduler(LRScheduler):
    """Step all `schedulers` together, every epoch: their (chainable) effects multiply."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_combined("ChainedScheduler", schedulers, optimizer)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _current(self._schedulers[-1].optimizer, "lr")

    def step(self) -> None:  # type: ignore[override]  # no epoch argument, as in torch
        """Step every scheduler once."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _current(self._schedulers[-1].optimizer, "lr")

    def state_dict(self) -> dict[str, Any]:
        """Its own attributes, and the state dicts of the schedulers it runs."""
        return {**super().state_dict(), "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore its attributes and each scheduler's state."""
        _load_combined(self, state_dict)


def _check_combined(owner: str, schedulers: Sequence[Any], optimizer: Optimizer) -> None:
    """The schedulers SequentialLR and ChainedScheduler combine: at least one, all of `optimizer`, none a
    ReduceLROnPlateau (whose step needs the metric)."""
    if len(schedulers) < 1:
        raise ValueError(f"{owner} expects at least one scheduler, but got no scheduler.")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner}: the scheduler at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires additional "
                             f"kwargs to be specified when calling `step`, but got one at index {i} in the given "
                             "schedulers sequence.")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same optimizer, but the "
                             f"{type(scheduler).__name__} at index {i} has another one.")


def _undo_constructor_steps(schedulers: Sequence[Any]) -> None:
    for scheduler in schedulers:
        if hasattr(scheduler, "_schedulers"):
            _undo_constructor_steps(scheduler._schedulers)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1


def _load_combined(scheduler: SequentialLR | ChainedScheduler, state_dict: dict[str, Any]) -> None:
    saved = state_dict.get("_schedulers", [])
    if len(saved) != len(scheduler._schedulers):
        raise ValueError(f"{type(scheduler).__name__}.load_state_dict: the state dict has {len(saved)} schedulers, "
                         f"this one runs {len(scheduler._schedulers)}")
    LRScheduler.load_state_dict(scheduler, {key: value for key, value in state_dict.items() if key != "_schedulers"})
    for inner, inner_state in zip(scheduler._schedulers, saved):
        inner.load_state_dict(inner_state)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by `factor` once the metric passed to `step(metric)` has not improved for more than
    `patience` steps, then wait `cooldown` steps before counting again; never below `min_lr`.

    `mode="min"` wants the metric to fall (a loss), "max" to rise (an accuracy). An improvement must beat the
    best value so far by `threshold`, relative (best * (1 -/+ threshold)) or absolute (best -/+ threshold) as
    `threshold_mode` says. A cut smaller than `eps` is skipped."""

    def __init__(self, optimizer: Optimizer, mode: Literal["min", "max"] = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: Literal["rel", "abs"] = "rel",
                 cooldown: int = 0, min_lr: list[float] | float = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor should be < 1.0, got {factor}")
        self.factor = factor
        self.optimizer = _checked_optimizer("ReduceLROnPlateau", optimizer)
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs = _per_group("ReduceLROnPlateau", "min_lr", min_lr, optimizer)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _current(optimizer, "lr")
        self._init_is_better(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        choice("ReduceLROnPlateau", "mode", mode, ("min", "max"))
        choice("ReduceLROnPlateau", "threshold_mode", threshold_mode, ("rel", "abs"))
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a one-element tensor) and cut the lrs on a plateau."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _current(self.optimizer, "lr")

    def _is_better(self, value: float) -> bool:
        if self.mode == "min":
            bound = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return value < bound
        bound = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return value > bound

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but min_lrs "
                                   f"has {len(self.min_lrs)} (was a group added?); set min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            new_lr = max(group["lr"] * self.factor, min_lr)
            if group["lr"] - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by `state_dict()` and check the restored mode."""
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


class CyclicLR(LRScheduler):
    """Cycle the lr between `base_lr` and `max_lr` (Smith, 2017), stepped once per batch: up over
    `step_size_up` steps, down over `step_size_down` (default the same). `mode` scales the amplitude per cycle:
    "triangular" keeps it, "triangular2" halves it every cycle, "exp_range" multiplies it by gamma**step;
    `scale_fn` replaces the mode by a function of the cycle or of the step (`scale_mode`). The momentum (Adam's
    beta1) cycles the opposite way, between `max_momentum` and `base_momentum`."""

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float], max_lr: float | list[float],
                 step_size_up: int = 2000, step_size_down: int | None = None,
                 mode: Literal["triangular", "triangular2", "exp_range"] = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: Literal["cycle", "iterations"] = "cycle",
                 cycle_momentum: bool = True, base_momentum: float = 0.8, max_momentum: float = 0.9,
                 last_epoch: int = -1) -> None:
        self.optimizer = _checked_optimizer("CyclicLR", optimizer)
        base_lrs = _per_group("CyclicLR", "base_lr", base_lr, optimizer)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("CyclicLR", "max_lr", max_lr, optimizer)
        up = float(positive_int("CyclicLR", "step_size_up", step_size_up))
        down = float(positive_int("CyclicLR", "step_size_down", step_size_down)) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None:
            choice("CyclicLR", "mode", mode, ("triangular", "triangular2", "exp_range"))
        choice("CyclicLR", "scale_mode", scale_mode, ("cycle", "iterations"))
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key("CyclicLR", optimizer) == "betas"
            self.base_momentums = _per_group("CyclicLR", "base_momentum", base_momentum, optimizer)
            self.max_momentums = _per_group("CyclicLR", "max_momentum", max_momentum, optimizer)
            if last_epoch == -1:
                for top, bottom, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups):
                    _set_momentum(group, top, self.use_beta1)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        """The built-in scale function of the mode (and the scale mode it implies)."""
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref: Callable[[float], float] = _triangular
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = _triangular2
            self.scale_mode = "cycle"
        else:
            self._scale_fn_ref = partial(_exp_range, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The amplitude factor at cycle (or step) x."""
        return self._scale_fn_custom(x) if self._scale_fn_custom is not None else self._scale_fn_ref(x)

    def get_lr(self) -> list[float]:
        """The lr at this step of the cycle (the momentum is set here too)."""
        self._warn_unless_stepping()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position in the cycle, in [0, 1)
        height = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * height * scale for base, top in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            for group, bottom, top in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums,
                                          strict=True):
                _set_momentum(group, top - (top - bottom) * height * scale, self.use_beta1)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As `LRScheduler.state_dict`, without the built-in scale function; of a custom one only a callable
        object's attributes are kept."""
        state = {key: value for key, value in super().state_dict().items()
                 if key not in ("_scale_fn_ref", "_scale_fn_custom")}
        state["_scale_fn_custom"] = _saved_functions([self._scale_fn_custom])[0] if self._scale_fn_custom else None
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As `LRScheduler.load_state_dict`; a custom scale function stays and gets its saved attributes."""
        super().load_state_dict({key: value for key, value in state_dict.items() if key != "_scale_fn_custom"})
        saved = state_dict.get("_scale_fn_custom")
        if saved is not None and self._scale_fn_custom is not None:
            _load_functions([self._scale_fn_custom], [saved])
        self._init_scale_fn()


def _triangular(x: float) -> float:
    return 1.0


def _triangular2(x: float) -> float:
    return float(1 / (2.0 ** (x - 1)))


def _exp_range(gamma: float, x: float) -> float:
    return float(gamma**x)


def _momentum_key(owner: str, optimizer: Optimizer) -> str:
    """"betas" if the optimizer's momentum is Adam's beta1, else "momentum"; an error if it has neither."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{owner}: optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
                         f"({type(optimizer).__name__} has neither); pass cycle_momentum=False")
    return "betas" if "betas" in optimizer.defaults else "momentum"


def _set_momentum(group: dict[str, Any], momentum: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter, 2017): a cosine from the initial lr down to `eta_min` over T_i epochs, then a
    restart at the initial lr, with T_0 epochs in the first cycle and T_mult times more in each next one:
    lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2. `step(epoch)` accepts
    fractional epochs (call it per batch with epoch + batch / batches)."""

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a positive integer T_0, but got {T_0}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected an integer T_mult >= 1, but got {T_mult}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (float, int)):
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a float or int eta_min, but got {eta_min!r}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lr at T_cur epochs into the current cycle of T_i epochs."""
        self._warn_unless_stepping()
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (fractional epochs are fine, and do not warn)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a non-negative epoch, but got {epoch}")
        elif epoch >= self.T_0:
            if self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:
                # cycles 0..n-1 take T_0 (T_mult^n - 1) / (T_mult - 1) epochs: n is the cycle `epoch` is in
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
        else:
            self.T_i = self.T_0
            self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            lrs = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = _current(self.optimizer, "lr")


class _SchedulePhase(TypedDict):
    end_step: float
    start_lr: str  # the names of the group entries the phase goes from and to
    end_lr: str
    start_momentum: str
    end_momentum: str


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped once per batch: the lr rises from
    max_lr / div_factor to `max_lr` over the first `pct_start` of `total_steps`, then anneals to
    max_lr / (div_factor * final_div_factor); the momentum (Adam's beta1) moves the opposite way, between
    `max_momentum` and `base_momentum`. `three_phase=True` comes back down symmetrically before the final
    anneal."""

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: Literal["cos", "linear"] = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        self.optimizer = _checked_optimizer("OneCycleLR", optimizer)
        if total_steps is not None:
            self.total_steps = positive_int("OneCycleLR", "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (positive_int("OneCycleLR", "epochs", epochs)
                                * positive_int("OneCycleLR", "steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)")
        if isinstance(pct_start, bool) or not isinstance(pct_start, (int, float)) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: expected a pct_start between 0 and 1, got {pct_start}")
        warmup_end = float(pct_start * self.total_steps) - 1
        warmup = _SchedulePhase(end_step=warmup_end, start_lr="initial_lr", end_lr="max_lr",
                                start_momentum="max_momentum", end_momentum="base_momentum")
        if three_phase:
            self._schedule_phases = [
                warmup,
                _SchedulePhase(end_step=float(2 * pct_start * self.total_steps) - 2, start_lr="max_lr",
                               end_lr="initial_lr", start_momentum="base_momentum", end_momentum="max_momentum"),
                _SchedulePhase(end_step=self.total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                               start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                warmup,
                _SchedulePhase(end_step=self.total_steps - 1, start_lr="max_lr", end_lr="min_lr",
                               start_momentum="base_momentum", end_momentum="max_momentum"),
            ]
        self._anneal_func_type = choice("OneCycleLR", "anneal_strategy", anneal_strategy, ("cos", "linear"))
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, _per_group("OneCycleLR", "max_lr", max_lr, optimizer)):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key("OneCycleLR", optimizer) == "betas"
            if last_epoch == -1:
                tops = _per_group("OneCycleLR", "max_momentum", max_momentum, optimizer)
                bottoms = _per_group("OneCycleLR", "base_momentum", base_momentum, optimizer)
                for group, top, bottom in zip(optimizer.param_groups, tops, bottoms):
                    _set_momentum(group, top, self.use_beta1)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        """From start (pct 0) to end (pct 1) along half a cosine, or along a line."""
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """The lr of the current phase at this step (the momentum is set here too)."""
        self._warn_unless_stepping()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times; the specified number of total steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                if step <= phase["end_step"] or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (phase["end_step"] - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        _set_momentum(group, momentum, self.use_beta1)
                    break
                start_step = phase["end_step"]
        return lrs
