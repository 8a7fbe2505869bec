"""Task 2: elementwise Functions and their derivatives.

Write forward (on TensorData, with the data layer's ops) and backward (on nodes, with other Functions'
`apply`) for four Functions. `g` is the gradient of the loss with respect to the output; backward returns
the gradient with respect to each input: g times the derivative (the chain rule). What backward needs from
forward goes through `self.save_for_backward(...)` and comes back as `self.saved_tensors`.

    exp:      y = e^x,             dy/dx = e^x = y          (save the output, not the input)
    log:      y = ln x,            dy/dx = 1 / x
    mul:      y = a * b,           dy/da = b,  dy/db = a    (two inputs: return a tuple of two gradients)
    sigmoid:  y = 1 / (1 + e^-x),  dy/dx = y * (1 - y)

Useful: `x.unary(UnaryOps.EXP)`, `x.unary(UnaryOps.LOG)`, `a.binary(BinaryOps.MUL, b)`,
`x.unary(UnaryOps.NEG)`, `x.unary(UnaryOps.RECIPROCAL)`, `TensorData.full(x.shape, 1.0, x.dtype,
x.backend.name)`; in backward `edugrad.function.Mul`, `Div`, `Sub` and `constant_like(y, 1.0)`.
Grade with `hatch run grade elementwise`; docs/course/elementwise.md walks through Exp.
"""

from __future__ import annotations

from edugrad.data import TensorData
from edugrad.function import Function, Grads, Node


class Exp(Function):
    def forward(self, x: TensorData) -> TensorData:
        raise NotImplementedError("Exp.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("Exp.backward")


class Log(Function):
    def forward(self, x: TensorData) -> TensorData:
        raise NotImplementedError("Log.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("Log.backward")


class Mul(Function):
    def forward(self, a: TensorData, b: TensorData) -> TensorData:
        raise NotImplementedError("Mul.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("Mul.backward")


class Sigmoid(Function):
    def forward(self, x: TensorData) -> TensorData:
        raise NotImplementedError("Sigmoid.forward")

    def backward(self, g: Node) -> Grads:
        raise NotImplementedError("Sigmoid.backward")
