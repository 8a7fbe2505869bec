"""Task 5: log-softmax, and why it must subtract the maximum.

    log_softmax(x)_i = x_i - log(sum_j e^{x_j})

In float arithmetic e^1000 is inf, so the formula as written fails for large logits. Subtracting the
maximum m = max_j x_j changes nothing mathematically (the m cancels) and keeps every exponent <= 0:

    log_softmax(x)_i = (x_i - m) - log(sum_j e^{x_j - m})

Derivative: with y = log_softmax(x) and softmax s = e^y, dy_i/dx_j = [i = j] - s_j, so

    dx = g - s * sum(g)        (the sum along `axis`, kept as size 1 and expanded back)

Save the output in forward; backward reads s = e^y off it.
Useful: `x.reduce(ReduceOps.MAX, axis, keepdim=True).expand(x.shape)`, `x.binary(BinaryOps.SUB, ...)`,
`x.unary(UnaryOps.EXP)`, `x.unary(UnaryOps.LOG)`, `normalize_axis(axis, x.ndim, "log_softmax")`; in
backward `edugrad.function.Sum`, `Expand`, `Exp`, `Mul`, `Sub`. Grade with `hatch run grade softmax`.
"""

from __future__ import annotations

from edugrad.data import TensorData
from edugrad.function import Function, Grads, Node


class LogSoftmax(Function):
    def forward(self, x: TensorData, axis: int) -> TensorData:
        raise NotImplementedError("LogSoftmax.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("LogSoftmax.backward")
