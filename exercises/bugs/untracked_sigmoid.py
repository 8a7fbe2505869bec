"""Bug hunt: a sigmoid that leaves the graph (exercises/bugs/, outside the four layers).

Symptom: a network with this sigmoid between its layers trains only its last layer: the first layer's
weights get no gradient at all. Find it with gradcheck, or with the trace of one backward.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edugrad.function import gradcheck
from edugrad.tensor import Tensor, dtypes
from edugrad.tensor import sigmoid as library_sigmoid
from exercises.bugs.hunt import Bug, fit_curve


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), in one NumPy pass rather than three Tensor ops."""
    values = 1 / (1 + np.exp(-x.numpy()))
    return Tensor(values, dtype=x.dtype)


def symptom() -> str:
    planted, correct = fit_curve(sigmoid)[-1], fit_curve(library_sigmoid)[-1]
    return f"loss after 200 steps: {planted:.4f} with this sigmoid, {correct:.4f} with edugrad's sigmoid"


def check(candidate: Callable[[Tensor], Tensor]) -> None:
    x = Tensor(np.linspace(-2, 2, 5), dtype=dtypes.float64, requires_grad=True)
    gradcheck(candidate, [x])


BUG = Bug(
    key="untracked_sigmoid", title="a sigmoid that leaves the graph", planted=sigmoid,
    correct=library_sigmoid, check=check, symptom=symptom, tool="gradcheck",
    choices={
        "formula": "the formula of the sigmoid is wrong",
        "dtype": "the result has the wrong dtype",
        "graph": "the result is not recorded in the graph",
        "overflow": "np.exp overflows for large negative x",
    },
    answer="64029a25bad0571d25fe0b4d4b3522defb8bfa39a9e4747f2f022df861d6b82e",
)

if __name__ == "__main__":
    print(symptom())
