"""`Expand` and `Sum`: copying a value along axes, and adding values up along axes; each is the other's backward.

Function layer (`edugrad.function`). Expand repeats an input along its axes of size 1 (broadcasting, which the
Tensor layer does before every binary op), so the gradient of an input element is the sum of its copies'
gradients: a sum over the expanded axes. A sum hands every input element the gradient of the sum it went
into: the reduced gradient reshaped to keep the reduced axes as size 1, then expanded back over them. The
two live in one module because each one's backward is the other; the other reductions are in `reduce`.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import ReduceOps, TensorData, normalize_axes
from edugrad.function.function import Function, Grads
from edugrad.function.movement import Reshape
from edugrad.function.node import Node


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction with keepdim=True: the reduced axes become size 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Expand(Function):
    def forward(self, x: TensorData, shape: Sequence[int]) -> TensorData:
        self.input_shape = x.shape
        return x.expand(shape)

    def backward(self, g: Node) -> Grads:
        # Each input element was copied along the expanded axes, so its gradient is the sum over the copies.
        axes = tuple(i for i, (n, m) in enumerate(zip(self.input_shape, g.shape)) if n != m)
        if not axes:
            return g
        return Sum.apply(g, axes=axes, keepdim=True)


class Sum(Function):
    def forward(self, x: TensorData, axes: int | Sequence[int] | None = None, keepdim: bool = False) -> TensorData:
        self.axes = normalize_axes(axes, x.ndim, "sum")
        self.input_shape = x.shape
        return x.reduce(ReduceOps.SUM, self.axes, keepdim)

    def backward(self, g: Node) -> Grads:
        # d(sum x)/dx_i = 1: every input element receives the gradient of the sum it went into.
        kept = Reshape.apply(g, shape=kept_shape(self.input_shape, self.axes))
        return Expand.apply(kept, shape=self.input_shape)
