"""Bug hunt: a dropout layer that changes the model at evaluation (exercises/bugs/, outside the layers).

Symptom: after `model.eval()`, a layer meant to do nothing scales every activation by the same factor.
Find it with the torch comparison in eval mode.
"""

from __future__ import annotations

import numpy as np
import torch

from edugrad import nn
from edugrad.tensor import Tensor, manual_seed, rand_like
from exercises.bugs.hunt import Bug, expect_close


class Dropout(nn.Module):
    """Inverted dropout: in training, zero each element with probability p and scale the survivors by
    1 / (1 - p), so that the expected output is the input; at evaluation, the identity."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            x = x * (rand_like(x) >= self.p)
        return x / (1 - self.p)


def _means(dropout: nn.Module) -> tuple[float, float]:
    """The mean of `dropout` applied to 10000 ones, in training and at evaluation: the layer is meant to
    leave it at 1 in both, so that a model behaves at evaluation as it did, on average, in training."""
    manual_seed(0)
    ones = Tensor.ones(10000)
    train = dropout(ones).mean().item()
    return train, dropout.eval()(ones).mean().item()


def symptom() -> str:
    (train, evaluated), (_, library) = _means(Dropout(0.2)), _means(nn.Dropout(0.2))
    return (f"mean output for ones: {train:.3f} in training and {evaluated:.3f} after eval() with this Dropout; "
            f"{library:.3f} after eval() with edugrad's")


def check(candidate: type[nn.Module]) -> None:
    x = np.random.default_rng(7).standard_normal((4, 5)).astype(np.float32)
    ours, theirs = candidate(0.3).eval(), torch.nn.Dropout(0.3).eval()
    expect_close("dropout's output in eval mode", ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())


BUG = Bug(
    key="dropout_eval", title="a dropout that scales at evaluation", planted=Dropout, correct=nn.Dropout,
    check=check, symptom=symptom, tool="the torch comparison",
    choices={
        "mask": "the mask keeps each element with probability p instead of 1 - p",
        "eval_scale": "it scales in eval mode too",
        "no_scale": "it must not scale in training",
        "gradient": "the mask is not applied to the gradient",
    },
    answer="24fa4430e515be0f846333e05eeb44d474cfddd5eb2ba70e2fe29042b062e03c",
)

if __name__ == "__main__":
    print(symptom())
