"""Bug hunt: a broadcasting add that works for a bias and fails for a per-row offset (exercises/bugs/).

Outside the four layers. Symptom: x + b trains with b of shape (features,), yet with b of shape (rows, 1)
backward stops with an error about a gradient's shape. Find it with gradcheck on a (3, 4) x and a (3, 1) b.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np

from edugrad.data import BinaryOps, TensorData
from edugrad.function import Function, Grads, Node, gradcheck
from edugrad.tensor import Tensor, dtypes
from exercises.bugs.hunt import Bug


class BroadcastAdd(Function):
    """x + b, with b broadcast to x's shape (b has x's number of dimensions or fewer)."""

    def forward(self, x: TensorData, b: TensorData) -> TensorData:
        self.b_shape = b.shape
        lifted = b.reshape((1,) * (x.ndim - b.ndim) + b.shape)  # the same number of axes as x
        return x.binary(BinaryOps.ADD, lifted.expand(x.shape))

    def backward(self, g: Node) -> Grads:
        # b[j] is added to every x[i, j]: its gradient is the sum of g over the axes it was broadcast along,
        # the leading axes it lacks and the axes where it has size 1.
        g = cast(Tensor, g)  # applied to Tensors, backward is handed Tensors
        leading = tuple(range(g.ndim - len(self.b_shape)))
        return g, g.sum(leading) if leading else g


def symptom() -> str:
    x = Tensor(np.ones((3, 4), dtype=np.float32))
    bias, offset = Tensor.zeros(4, requires_grad=True), Tensor.zeros(3, 1, requires_grad=True)
    BroadcastAdd.apply(x, bias).sum().backward()
    report = f"a bias of shape (4,): gradient {bias.grad.tolist() if bias.grad is not None else None}"
    try:
        BroadcastAdd.apply(x, offset).sum().backward()
    except RuntimeError as error:
        return f"{report}\nan offset of shape (3, 1): {error}"
    return f"{report}\nan offset of shape (3, 1): gradient {offset.grad}"


def check(candidate: Callable[[Tensor, Tensor], Tensor]) -> None:
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((3, 4)), dtype=dtypes.float64, requires_grad=True)
    for shape in ((4,), (3, 1), (1, 4)):
        b = Tensor(rng.standard_normal(shape), dtype=dtypes.float64, requires_grad=True)
        gradcheck(candidate, [x, b])


def add(x: Tensor, b: Tensor) -> Tensor:
    """edugrad's own broadcasting add."""
    return x + b


BUG = Bug(
    key="bias_broadcast", title="an add that cannot broadcast a (rows, 1) offset", planted=BroadcastAdd.apply,
    correct=add, check=check, symptom=symptom, tool="gradcheck",
    choices={
        "forward": "forward broadcasts b the wrong way",
        "grad_x": "the gradient of x should be summed too",
        "size_one": "the gradient of b misses the axes where b has size 1",
        "leading": "the gradient of b is summed over the wrong leading axes",
    },
    answer="7b13226dfe6cff226a28e1511c9a8b3e7dd7bea8d8149db0b2a271861e9a344b",
)

if __name__ == "__main__":
    print(symptom())
