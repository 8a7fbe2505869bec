"""What a bug hunt is: a planted bug, the check that catches it, and the diagnosis the learner gives.

Outside the four layers (exercises/bugs/): it uses edugrad's public API and torch, and edugrad never imports
it. Each bug lives in a file of its own that defines a `BUG`; `load_bugs()` collects them in order.

The right diagnosis of a bug is stored as a hash, so that reading a bug's file does not give it away at a
glance: the grader hashes the learner's choice and compares.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from edugrad import nn
from edugrad.tensor import Tensor, manual_seed

NDArray = np.ndarray[Any, Any]

BUG_MODULES: tuple[str, ...] = (
    "tanh_sign", "bias_broadcast", "conv_window", "matmul_transposed", "missing_save", "untracked_sigmoid",
    "log_softmax_shift", "dropout_eval", "batchnorm_variance", "adam_bias", "sgd_decay_order",
)


class TorchMismatch(AssertionError):
    """edugrad's result and PyTorch's differ beyond float32 noise."""


@dataclass(frozen=True)
class Bug:
    """A planted bug. `check(candidate)` returns when `candidate` behaves as PyTorch does and raises (a
    GradcheckError or a TorchMismatch) when it does not: it catches `planted` and passes `correct`, edugrad's
    own version. `choices` maps each possible diagnosis (a short key) to what it says; `answer` is the hash
    of the right one. `symptom()` runs a small model with the bug and says what goes wrong."""

    key: str
    title: str
    planted: Any
    correct: Any
    check: Callable[[Any], None]
    symptom: Callable[[], str]
    choices: dict[str, str]
    answer: str
    tool: str  # which tool finds it: gradcheck, check_function or the torch comparison

    def is_answer(self, choice: str) -> bool:
        """True if `choice` is the right diagnosis."""
        return answer_hash(self.key, choice) == self.answer


def answer_hash(key: str, choice: str) -> str:
    """The stored form of a diagnosis: a bug's key and the choice, hashed together."""
    return hashlib.sha256(f"{key}:{choice.strip().lower()}".encode()).hexdigest()


def load_bugs() -> list[Bug]:
    """Every bug, in the order of BUG_MODULES."""
    return [importlib.import_module(f"exercises.bugs.{name}").BUG for name in BUG_MODULES]


def expect_close(what: str, ours: NDArray, theirs: NDArray, atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Raise TorchMismatch naming `what` and the element that differs most unless the arrays agree."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if ours.shape != theirs.shape:
        raise TorchMismatch(f"{what}: edugrad's has shape {ours.shape}, torch's {theirs.shape}")
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, counted as the worst difference below
        excess = np.abs(ours - theirs) - (atol + rtol * np.abs(theirs))
    excess = np.where(np.isnan(excess), np.inf, excess)
    excess = np.where((ours == theirs) | (np.isnan(ours) & np.isnan(theirs)), 0.0, excess)
    if not np.any(excess > 0):
        return
    j = tuple(int(k) for k in np.unravel_index(int(np.argmax(excess)), excess.shape))
    raise TorchMismatch(f"{what} differs from torch's at element {j}: edugrad {float(ours[j])!r}, "
                        f"torch {float(theirs[j])!r}")


def fit_curve(activation: Callable[[Any], Any], steps: int = 200) -> list[float]:
    """Train a small two-layer network with `activation` between its layers to fit sin(3x) on [-1, 1];
    the loss at every step. A correct activation brings it down steadily."""
    manual_seed(0)
    x = Tensor(np.linspace(-1, 1, 32, dtype=np.float32).reshape(32, 1))
    y = (x * 3).sin()
    first, second = nn.Linear(1, 16), nn.Linear(16, 1)
    optimizer = nn.optim.Adam([*first.parameters(), *second.parameters()], lr=0.03)
    return minimise(lambda: ((second(activation(first(x))) - y) ** 2).mean(), optimizer, steps)


def minimise(loss: Callable[[], Tensor], optimizer: nn.optim.Optimizer, steps: int) -> list[float]:
    """Take `steps` steps of `optimizer` on the scalar `loss()`; the loss at every step."""
    losses = []
    for _ in range(steps):
        value = loss()
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        losses.append(value.item())
    return losses


def optimizer_steps(candidate: Callable[..., Any], reference: Callable[..., Any], steps: int,
                    **options: float) -> list[tuple[NDArray, NDArray]]:
    """Run `candidate` (an edugrad optimizer) and `reference` (torch's), both made with `options`, from the
    same start on the loss sum(p^4); edugrad's parameter and torch's after each of `steps` steps."""
    start = np.random.default_rng(7).standard_normal(5).astype(np.float32)
    ours, theirs = nn.Parameter(Tensor(start)), torch.nn.Parameter(torch.tensor(start))
    mine, reference_optimizer = candidate([ours], **options), reference([theirs], **options)
    after = []
    for _ in range(steps):
        mine.zero_grad()
        (ours ** 4).sum().backward()
        mine.step()
        (theirs.grad,) = torch.autograd.grad((theirs ** 4).sum(), theirs)
        reference_optimizer.step()
        after.append((ours.detach().numpy().copy(), theirs.detach().numpy().copy()))  # both change in place
    return after
