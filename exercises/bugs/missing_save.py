"""Bug hunt: an exp whose backward reads what forward did not save (exercises/bugs/, outside the layers).

Symptom: change the input in place after forward (as an in-place layer does) and backward silently uses
the new value, where edugrad's Exp gives the gradient at the value forward saw. gradcheck passes it: find
it with check_function, which runs backward with the unsaved inputs' values taken away.
"""

from __future__ import annotations

import numpy as np

from edugrad.data import TensorData, UnaryOps
from edugrad.function import Exp as LibraryExp
from edugrad.function import Function, Grads, Mul, Node, check_function
from edugrad.tensor import Tensor, dtypes
from exercises.bugs.hunt import Bug


class Exp(Function):
    """e^x."""

    def forward(self, x: TensorData) -> TensorData:
        return x.unary(UnaryOps.EXP)

    def backward(self, g: Node) -> Grads:
        # d/dx e^x = e^x
        (x,) = self.inputs
        return Mul.apply(g, LibraryExp.apply(x))


def _gradient(exp: type[Function]) -> list[float]:
    """The gradient of sum(exp(h)) with respect to w, where h = 2 w is shifted in place after forward."""
    w = Tensor([0.0, 1.0], requires_grad=True)
    h = w * 2
    y = exp.apply(h)
    h.detach().add_(1)  # a write after the exp through a tensor sharing h's memory
    y.sum().backward()
    assert w.grad is not None
    return [round(v, 4) for v in w.grad.tolist()]


def symptom() -> str:
    return (f"gradient of sum(exp(2 w)) at w = [0, 1]: {_gradient(Exp)} with this Exp, {_gradient(LibraryExp)} "
            f"with edugrad's (2 e^(2 w) = [2.0, 14.7781])")


def check(candidate: type[Function]) -> None:
    x = Tensor(np.linspace(-1, 1, 5), dtype=dtypes.float64, requires_grad=True)
    check_function(candidate, x)


BUG = Bug(
    key="missing_save", title="an exp that reads an input it did not save", planted=Exp, correct=LibraryExp,
    check=check, symptom=symptom, tool="check_function",
    choices={
        "derivative": "backward's derivative of e^x is wrong",
        "unsaved": "backward reads an input that forward did not save",
        "inplace": "forward changes its input in place",
        "shape": "backward returns a gradient of the wrong shape",
    },
    answer="c9780bc367c4ea11f28248f25659c0b6a65d35342f7123167c109bc230a0f195",
)

if __name__ == "__main__":
    print(symptom())
