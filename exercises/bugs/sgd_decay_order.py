"""Bug hunt: an SGD whose weight decay skips the momentum (exercises/bugs/, outside the four layers).

Symptom: its first step matches torch's SGD with momentum and weight decay, every later one drifts
away. Find it with the torch comparison of the parameters after each step, not only the first.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

from edugrad import nn
from edugrad.tensor import Tensor, no_grad
from exercises.bugs.hunt import Bug, expect_close, optimizer_steps


class SGD:
    """SGD with momentum mu and weight decay wd (an L2 penalty wd / 2 * p^2 added to the loss): a momentum
    buffer b = mu * b + g, and the step p = p - lr * (b + wd * p)."""

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        self.params = list(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.buffers = [Tensor.zeros(*p.shape) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        with no_grad():
            for p, b in zip(self.params, self.buffers):
                g = p.grad
                if g is None:
                    continue
                b.mul_(self.momentum).add_(g)
                p.sub_((b + p * self.weight_decay) * self.lr)


OPTIONS = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.5}


def symptom() -> str:
    gaps = [np.abs(ours - theirs).max() for ours, theirs in optimizer_steps(SGD, torch.optim.SGD, 4, **OPTIONS)]
    return "largest difference from torch's SGD after steps 1 to 4: " + ", ".join(f"{g:.4f}" for g in gaps)


def check(candidate: type) -> None:
    for step, (ours, theirs) in enumerate(optimizer_steps(candidate, torch.optim.SGD, 3, **OPTIONS), start=1):
        expect_close(f"the parameter after step {step}", ours, theirs)


BUG = Bug(
    key="sgd_decay_order", title="an SGD whose weight decay skips the momentum", planted=SGD,
    correct=nn.optim.SGD, check=check, symptom=symptom, tool="the torch comparison",
    choices={
        "decay_sign": "weight decay must be subtracted from the gradient",
        "order": "weight decay must enter the gradient before the momentum buffer",
        "dampening": "the buffer must weigh the new gradient by 1 - momentum",
        "first_step": "the buffer must start as the first gradient, not as zeros",
    },
    answer="8539893ced9e7315f04bf2c25c1966c788edbe5494d7b611d7984620fe09042b",
)

if __name__ == "__main__":
    print(symptom())
