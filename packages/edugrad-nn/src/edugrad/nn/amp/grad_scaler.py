"""`GradScaler`: loss scaling for float16 training, as `torch.amp.GradScaler`.

Neural-network layer (`edugrad.nn.amp`). float16 has 10 bits of mantissa and a smallest normal value of
6e-5, so many gradients of a float16 model round to zero. Multiplying the loss by a scale S multiplies every
gradient by S (the chain rule is linear), which lifts them into float16's range; before the optimizer
step the gradients are divided by S again. A scale that is too large makes some gradient overflow to inf:
then the step is skipped and S is multiplied by `backoff_factor`; after `growth_interval` steps in a row
without an overflow S is multiplied by `growth_factor`, so S settles near the largest safe value:

    scaler.scale(loss).backward()      # gradients of S * loss
    scaler.step(optimizer)             # unscale_ (g / S, checking for inf/NaN), then optimizer.step() unless one was
    scaler.update()                    # back off or grow S

The scale and the factors are kept in float32, as PyTorch keeps them, so a run makes PyTorch's decisions and
the gradients are divided by the same float32 1 / S. Device "cpu" works everywhere; "cuda" (the default)
needs edugrad's CUDA backend and, without it, warns and disables itself, as PyTorch does without a GPU.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterable
from enum import Enum
from typing import Any

import numpy as np

from edugrad.nn.amp.autocast_mode import cuda_available
from edugrad.nn.optim import Optimizer
from edugrad.tensor import Tensor, dtypes, no_grad

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    """Where an optimizer is in the current iteration: gradients still scaled, unscaled, or stepped."""

    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state() -> dict[str, Any]:
    # found_inf: whether a gradient was inf or NaN; None until unscale_ has seen a gradient
    return {"stage": OptState.READY, "found_inf": None}


def _float32(value: float) -> float:
    """`value` rounded to float32, as PyTorch's scale tensor holds it (inf beyond float32's range)."""
    with np.errstate(over="ignore"):
        return float(np.float32(value))


class GradScaler:
    """Dynamic loss scaling, as `torch.amp.GradScaler`: `scale`, `unscale_`, `step`, `update`, the getters and
    setters of the factors, and `state_dict` / `load_state_dict`. With `enabled=False` every method is a no-op
    and `step` just steps."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not cuda_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if not growth_factor > 1.0:
                raise AssertionError(f"The growth factor must be > 1.0, got growth_factor={growth_factor}.")
            if not backoff_factor < 1.0:
                raise AssertionError(f"The backoff factor must be < 1.0, got backoff_factor={backoff_factor}.")
            self._init_scale = init_scale
            self._scale: float | None = None  # set by the first scale(), as PyTorch creates its tensor there
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: int | None = None
            self._per_optimizer_states: defaultdict[int, dict[str, Any]] = defaultdict(_fresh_state)

    def _checked_scale(self, funcname: str) -> float:
        if self._scale is None or self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  This may indicate your script did not "
                                 "use scaler.scale(loss or outputs) earlier in the iteration.")
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """`outputs` (a Tensor, or lists, tuples and other iterables of them) times the current scale; unchanged
        when disabled."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale, self._growth_tracker = _float32(self._init_scale), self._init_growth_tracker
        return self._scaled(outputs, self._scale)

    def _scaled(self, value: Any, scale: float) -> Any:
        if isinstance(value, Tensor):
            return value * scale
        if isinstance(value, (list, tuple)):
            return type(value)(self._scaled(item, scale) for item in value)
        if isinstance(value, Iterable):
            return (self._scaled(item, scale) for item in value)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer: Optimizer) -> None:
        """Divide the gradients of `optimizer`'s parameters by the scale, in place, noting whether any is inf or
        NaN; at most once per optimizer between two `update()`s (step() calls it if you did not)."""
        if not self._enabled:
            return
        scale = self._checked_scale("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        state["found_inf"] = self._unscale_grads(optimizer, _float32(1.0 / scale))
        state["stage"] = OptState.UNSCALED

    @staticmethod
    def _unscale_grads(optimizer: Optimizer, inv_scale: float) -> bool | None:
        """grad *= inv_scale for every gradient; whether one had an inf or NaN (None if there was no gradient)."""
        found_inf: bool | None = None
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype is dtypes.float16:
                        # float16 gradients mean float16 parameters: their update would lose the small steps
                        # that scaling preserved. Keep float32 parameters and compute in float16 instead.
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    finite = bool(p.grad.isfinite().all())
                    found_inf = bool(found_inf) or not finite
                    p.grad.mul_(inv_scale)
        return found_inf

    def step(self, optimizer: Optimizer, *args: Any, **kwargs: Any) -> Any:
        """Unscale the gradients (unless `unscale_` did already) and run `optimizer.step(*args, **kwargs)` unless
        a gradient was inf or NaN; returns what optimizer.step returned (None when skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._checked_scale("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """End the iteration: set the scale to `new_scale` if given, else back off after an inf/NaN gradient
        (of any optimizer) or grow after `growth_interval` clean iterations in a row."""
        if not self._enabled:
            return
        scale = self._checked_scale("update")
        if new_scale is not None:
            self._scale = self._new_scale(new_scale)
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values() if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale, self._growth_tracker = _float32(scale * self._backoff_factor), 0
            elif self._growth_tracker is not None and self._growth_tracker + 1 == self._growth_interval:
                grown = _float32(scale * self._growth_factor)
                self._scale = grown if math.isfinite(grown) else scale  # never grow into inf
                self._growth_tracker = 0
            else:
                self._growth_tracker = (self._growth_tracker or 0) + 1
        self._per_optimizer_states = defaultdict(_fresh_state)

    def _new_scale(self, new_scale: float | Tensor) -> float:
        if isinstance(new_scale, float):
            return _float32(new_scale)
        if not isinstance(new_scale, Tensor) or new_scale.numel() != 1 or new_scale.requires_grad:
            raise AssertionError("new_scale should be a float or a 1-element tensor with requires_grad=False, got "
                                 f"{new_scale!r}")
        return _float32(float(new_scale.item()))

    def get_scale(self) -> float:
        """The current scale (the initial one before the first `scale()`), or 1.0 when disabled."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self) -> float:
        """The factor the scale grows by after `growth_interval` clean iterations."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The factor the scale shrinks by after an inf or NaN gradient."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """How many clean iterations in a row make the scale grow."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False if built with enabled=False, or for "cuda" without CUDA)."""
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """{"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"} as Python numbers,
        as in PyTorch; {} when disabled. Take it after `update()`."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` saved (a no-op when disabled); checked before anything changes."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        expected = {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"}
        if set(state_dict) != expected:
            raise KeyError(f"GradScaler.load_state_dict: expected the keys {sorted(expected)}, got "
                           f"{sorted(state_dict)}")
        for key, value in state_dict.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"GradScaler.load_state_dict: {key} must be a number >= 0, got {value!r}")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale = _float32(self._init_scale)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker = self._init_growth_tracker
