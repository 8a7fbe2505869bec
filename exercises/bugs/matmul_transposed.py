"""Bug hunt: a matrix product whose weight gradient comes out transposed (exercises/bugs/).

Outside the four layers. Symptom: a square linear layer built on this MatMul learns a rotation far worse
than one on edugrad's `@`; nothing crashes, since a square weight's gradient has the right shape either
way. Find it with gradcheck on float64 inputs whose weight is square.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np

from edugrad import nn
from edugrad.data import TensorData
from edugrad.function import Function, Grads, Node, gradcheck
from edugrad.tensor import Tensor, dtypes, manual_seed
from exercises.bugs.hunt import Bug, minimise


class MatMul(Function):
    """x @ w for matrices x (N, D) and w (D, M)."""

    def forward(self, x: TensorData, w: TensorData) -> TensorData:
        self.save_for_backward(x, w)
        return x.matmul(w)

    def backward(self, g: Node) -> Grads:
        # out[n, m] = sum_d x[n, d] w[d, m], so d out / d x[n, d] = w[d, m] and d out / d w[d, m] = x[n, d]:
        # grad_x = g @ w^T (N, D) and grad_w = x^T @ g (D, M).
        g = cast(Tensor, g)  # applied to Tensors, backward is handed Tensors
        x, w = cast(tuple[Tensor, Tensor], self.saved_tensors)
        return g @ w.T, g.T @ x


def matmul(x: Tensor, w: Tensor) -> Tensor:
    """edugrad's own matrix product."""
    return x @ w


def _fit(product: Callable[[Tensor, Tensor], Tensor]) -> float:
    """Learn the rotation by 90 degrees of the plane from 32 random points."""
    manual_seed(0)
    x = Tensor.randn(32, 2)
    target = x @ Tensor([[0.0, 1.0], [-1.0, 0.0]])
    w = nn.Parameter(Tensor.randn(2, 2) * 0.1)
    return minimise(lambda: ((product(x, w) - target) ** 2).mean(), nn.optim.SGD([w], lr=0.1), 100)[-1]


def symptom() -> str:
    return f"loss after 100 steps: {_fit(MatMul.apply):.4f} with this MatMul, {_fit(matmul):.4f} with @"


def check(candidate: Callable[[Tensor, Tensor], Tensor]) -> None:
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((4, 3)), dtype=dtypes.float64, requires_grad=True)
    w = Tensor(rng.standard_normal((3, 3)), dtype=dtypes.float64, requires_grad=True)
    gradcheck(candidate, [x, w])


BUG = Bug(
    key="matmul_transposed", title="a matrix product with a transposed gradient", planted=MatMul.apply,
    correct=matmul, check=check, symptom=symptom, tool="gradcheck",
    choices={
        "forward": "forward multiplies in the wrong order",
        "grad_x": "the gradient of x is transposed",
        "grad_w": "the gradient of w is transposed",
        "saved": "backward uses the wrong saved tensors",
    },
    answer="4a918b11d7d75ebe133155b6f0a640869471d23db9ba62ac6d4784ff65103be5",
)

if __name__ == "__main__":
    print(symptom())
