"""Bug hunt: a log-softmax that overflows (exercises/bugs/, outside the four layers).

Symptom: a classifier's loss turns to inf or NaN once its logits grow past about 89 (e^89 is beyond float32).
gradcheck on small float64 inputs passes it: the derivative is right, the arithmetic is not. Find it with
the torch comparison on large logits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from edugrad.nn import functional as F
from edugrad.tensor import Tensor, tensor
from exercises.bugs.hunt import Bug, expect_close


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log(e^x_i / sum_j e^x_j) = x_i - log(sum_j e^x_j)."""
    return x - x.exp().sum(dim, keepdim=True).log()


def library_log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """edugrad's own log-softmax."""
    return F.log_softmax(x, dim)


def symptom() -> str:
    logits = Tensor([[120.0, 100.0, 80.0]])
    target = tensor([0])
    planted = F.nll_loss(log_softmax(logits), target).item()
    correct = F.nll_loss(library_log_softmax(logits), target).item()
    return f"cross-entropy of logits [120, 100, 80] for class 0: {planted} with this log_softmax, {correct:.4g} " \
           "with edugrad's"


def check(candidate: Callable[[Tensor], Tensor]) -> None:
    logits = np.array([[1.0, 2.0, 3.0], [100.0, 0.0, -100.0], [1000.0, 10.0, 0.0]], dtype=np.float32)
    v = np.random.default_rng(7).standard_normal(logits.shape).astype(np.float32)
    ours, theirs = Tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    out, expected = candidate(ours), torch.log_softmax(theirs, -1)
    expect_close("log_softmax's output", out.numpy(), expected.detach().numpy())
    (out * Tensor(v)).sum().backward()
    (expected_grad,) = torch.autograd.grad((expected * torch.tensor(v)).sum(), theirs)
    assert ours.grad is not None
    expect_close("log_softmax's gradient", ours.grad.numpy(), expected_grad.numpy())


BUG = Bug(
    key="log_softmax_shift", title="a log-softmax that overflows", planted=log_softmax,
    correct=library_log_softmax, check=check, symptom=symptom, tool="the torch comparison",
    choices={
        "dim": "it sums over the wrong dimension",
        "keepdim": "the sum loses its dimension, so the subtraction broadcasts wrongly",
        "shift": "it must subtract the largest logit before the exponential",
        "gradient": "its gradient is wrong even for small logits",
    },
    answer="cec812f2b0b2234415ca6afe028a06c60ddd3512a90efe2b0ee50732ca664872",
)

if __name__ == "__main__":
    print(symptom())
