"""Task 6: the matrix product and its two gradients.

For out = x @ y with x of shape (..., m, k) and y of shape (..., k, n) (the same batch dimensions in
front), out_ij = sum_l x_il y_lj, so d out_ij / d x_il = y_lj and

    dx = g @ y^T        (shape (..., m, k), like x)
    dy = x^T @ g        (shape (..., k, n), like y)

with ^T swapping the last two axes (`edugrad.function.Permute.apply(node, order=...)`). Save both inputs.
Compute a gradient only for an input that needs one: `self.needs_input_grad[i]` (return None otherwise).
Useful: `x.matmul(y)` on TensorData; in backward `MatMul.apply` (this class) and `Permute`.
Grade with `hatch run grade matmul`.
"""

from __future__ import annotations

from edugrad.data import TensorData
from edugrad.function import Function, Grads, Node


class MatMul(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        raise NotImplementedError("MatMul.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("MatMul.backward")
