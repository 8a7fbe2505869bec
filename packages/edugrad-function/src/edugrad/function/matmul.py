"""`MatMul`: the batched matrix product, the one Function that runs on BLAS.

Function layer (`edugrad.function`). Linear layers, attention and (through im2col) convolution all reduce to
this. Forward and backward are one GEMM each, instead of a broadcast multiply that would build an
(m, k, n) temporary and sum it.
"""

from __future__ import annotations

from edugrad.data import TensorData
from edugrad.function.function import Function, Grads
from edugrad.function.movement import Permute
from edugrad.function.node import Node


def _transpose_last(x: Node) -> Node:
    order = list(range(x.ndim))
    order[-2], order[-1] = order[-1], order[-2]
    return Permute.apply(x, order=order)


class MatMul(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        self.save_for_backward(x, y)
        return x.matmul(y)

    def backward(self, g: Node) -> Grads:
        # For out = x @ y: d(loss)/dx = g @ y^T and d(loss)/dy = x^T @ g (per batch element).
        x, y = self.saved_tensors
        return (MatMul.apply(g, _transpose_last(y)) if self.needs_input_grad[0] else None,
                MatMul.apply(_transpose_last(x), g) if self.needs_input_grad[1] else None)
