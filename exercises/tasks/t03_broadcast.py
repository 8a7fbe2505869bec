"""Task 3: broadcasting, `Expand` and its adjoint `Sum`.

Before `a + b` with shapes (2, 3) and (1, 3), the Tensor layer expands b to (2, 3): row 0 of b is copied
to both rows. Each copy passes gradient back to the one element it was copied from, so the gradient of an
expanded input is the SUM of the gradients of its copies, over the expanded axes:

    Expand:  y = x copied along axes of size 1,   dx = sum of g over those axes (keep them, as size 1)
    Sum:     y = sum of x over `axes`,            dx_i = g of the sum x_i went into: g reshaped to keep the
                                                  reduced axes as size 1, then expanded back to x's shape

Each one's backward is the other: Expand.backward calls Sum.apply, Sum.backward calls Expand.apply (use
the classes of this file, so that your pair is graded together) and `edugrad.function.Reshape`.
Useful: `x.expand(shape)`, `x.reduce(ReduceOps.SUM, axes, keepdim)`, `normalize_axes(axes, x.ndim, "sum")`
(from edugrad.data; it turns None / an int / negative axes into a sorted tuple).
Grade with `hatch run grade broadcast`.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import TensorData
from edugrad.function import Function, Grads, Node


class Expand(Function):
    def forward(self, x: TensorData, shape: Sequence[int]) -> TensorData:
        raise NotImplementedError("Expand.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("Expand.backward")


class Sum(Function):
    def forward(self, x: TensorData, axes: int | Sequence[int] | None = None,
                keepdim: bool = False) -> TensorData:
        raise NotImplementedError("Sum.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("Sum.backward")
