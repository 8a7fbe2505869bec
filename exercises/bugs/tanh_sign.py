"""Bug hunt: a tanh whose network learns badly (exercises/bugs/, outside the four layers).

Symptom: a small network with this tanh between its layers fits a curve far worse than with edugrad's.
Find it with gradcheck (`edugrad.function.gradcheck(Tanh.apply, [x])` on a float64 x), then read backward.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edugrad.data import TensorData, UnaryOps
from edugrad.function import Add, Function, Grads, Mul, Node, constant_like, gradcheck
from edugrad.tensor import Tensor, dtypes, tanh
from exercises.bugs.hunt import Bug, fit_curve


class Tanh(Function):
    """tanh(x), saving its result, in which the derivative is written."""

    def forward(self, x: TensorData) -> TensorData:
        out = x.unary(UnaryOps.TANH)
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        # d/dx tanh(x) = 1 - tanh(x)^2
        (y,) = self.saved_tensors
        return Mul.apply(g, Add.apply(constant_like(y, 1.0), Mul.apply(y, y)))


def symptom() -> str:
    planted, correct = fit_curve(Tanh.apply)[-1], fit_curve(tanh)[-1]
    return f"loss after 200 steps: {planted:.4f} with this Tanh, {correct:.4f} with edugrad's tanh"


def check(candidate: Callable[[Tensor], Tensor]) -> None:
    x = Tensor(np.linspace(-2, 2, 7), dtype=dtypes.float64, requires_grad=True)
    gradcheck(candidate, [x])


BUG = Bug(
    key="tanh_sign", title="a tanh that learns badly", planted=Tanh.apply, correct=tanh, check=check,
    symptom=symptom, tool="gradcheck",
    choices={
        "forward": "forward computes the wrong function",
        "saved": "forward saves the wrong tensor for backward",
        "sign": "backward's derivative has a wrong sign",
        "chain": "backward forgets to multiply by the incoming gradient g",
    },
    answer="71152e80774bef1cb47969e4b3fabe618a7afbfb4866d714c5ca7736a84a9b15",
)

if __name__ == "__main__":
    print(symptom())
