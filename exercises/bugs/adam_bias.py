"""Bug hunt: an Adam that leaps at the start (exercises/bugs/, outside the four layers).

Symptom: its first steps are several times larger than the learning rate that torch's Adam keeps them to,
so a model that needs a small learning rate jumps away at the start. Find it with the torch comparison of
the parameters after each step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from edugrad import nn
from edugrad.tensor import Tensor, no_grad
from exercises.bugs.hunt import Bug, expect_close, optimizer_steps


class Adam:
    """Adam: running averages of the gradient, m, and of its square, v, and the step lr * m / (sqrt(v) + eps)."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [Tensor.zeros(*p.shape) for p in self.params]
        self.v = [Tensor.zeros(*p.shape) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        b1, b2 = self.betas
        with no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                g = p.grad
                if g is None:
                    continue
                m.mul_(b1).add_(g * (1 - b1))
                v.mul_(b2).add_(g * g * (1 - b2))
                p.sub_(m / (v.sqrt() + self.eps) * self.lr)


def _distance(make: Callable[[list[Tensor]], object]) -> float:
    """How far 10 steps of lr 0.01 move w from 0 towards the minimum of (w - 1)^2 at w = 1."""
    w = nn.Parameter(Tensor.zeros(1))
    optimizer = make([w])
    for _ in range(10):
        optimizer.zero_grad()  # type: ignore[attr-defined]
        ((w - 1) ** 2).sum().backward()
        optimizer.step()  # type: ignore[attr-defined]
    return w.item()


def symptom() -> str:
    planted = _distance(lambda ps: Adam(ps, lr=0.01))
    correct = _distance(lambda ps: nn.optim.Adam(ps, lr=0.01))
    return (f"w after 10 steps of lr 0.01 from 0 towards 1: {planted:.4f} with this Adam, "
            f"{correct:.4f} with edugrad's (each step at most about lr)")


def check(candidate: type) -> None:
    for step, (ours, theirs) in enumerate(optimizer_steps(candidate, torch.optim.Adam, 3, lr=0.01), start=1):
        expect_close(f"the parameter after step {step}", ours, theirs)


BUG = Bug(
    key="adam_bias", title="an Adam that leaps at the start", planted=Adam, correct=nn.optim.Adam, check=check,
    symptom=symptom, tool="the torch comparison",
    choices={
        "betas": "the running averages weigh the new gradient by beta instead of 1 - beta",
        "eps": "eps belongs inside the square root",
        "bias": "m and v are not corrected for starting at zero",
        "sign": "the step goes up the gradient",
    },
    answer="18f235976956f7e0d5e2f719a09bf3264a60bf070d347c0d5592930e0a5664a9",
)

if __name__ == "__main__":
    print(symptom())
