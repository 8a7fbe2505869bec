"""Reduction Functions: sum and max over axes, the running sum along one axis, and log-softmax.

Function layer (`edugrad.function`). A reduction's backward has to undo the change of shape: the gradient of
the reduced output is reshaped to keep the reduced axes as size 1 and expanded back over them.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import BinaryOps, ReduceOps, ScanOps, TensorData, UnaryOps, normalize_axes, normalize_axis
from edugrad.function import movement  # Sum and Expand are each other's adjoint
from edugrad.function.elementwise import Div, Exp, Mul, Sub
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction with keepdim=True: the reduced axes become size 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g: Node, kept_shape: tuple[int, ...], shape: tuple[int, ...]) -> Node:
    """The gradient of a reduced output laid back over the input's shape."""
    return movement.Expand.apply(movement.Reshape.apply(g, shape=kept_shape), shape=shape)


class Sum(Function):
    saves_inputs = False

    def forward(self, x: TensorData, axes: int | Sequence[int] | None = None, keepdim: bool = False) -> TensorData:
        self.axes = normalize_axes(axes, x.ndim, "sum")
        self.input_shape = x.shape
        return x.reduce(ReduceOps.SUM, self.axes, keepdim)

    def backward(self, g: Node) -> Grads:
        # d(sum x)/dx_i = 1: every input element receives the gradient of the sum it went into.
        return _spread(g, _kept_shape(self.input_shape, self.axes), self.input_shape)


class Max(Function):
    def forward(self, x: TensorData, axes: int | Sequence[int] | None = None, keepdim: bool = False) -> TensorData:
        self.axes = normalize_axes(axes, x.ndim, "max")
        return x.reduce(ReduceOps.MAX, self.axes, keepdim)

    def backward(self, g: Node) -> Grads:
        # The gradient goes to the maximal elements; when several tie, they share it equally (as torch.amax):
        # each gets g / count. Dividing g, which has the output's size, before spreading it over the input
        # saves a pass over the input (which is 4x larger for a 2x2 pooling). The mask and the counts are
        # constants: max is piecewise linear in x.
        x = self.inputs[0]._data
        kept = _kept_shape(x.shape, self.axes)
        is_max = x.binary(BinaryOps.CMPEQ, self.output._data.reshape(kept).expand(x.shape)).cast(g.dtype)
        count = type(g)._wrap(is_max.reduce(ReduceOps.SUM, self.axes, keepdim=True))
        share = Div.apply(movement.Reshape.apply(g, shape=kept), count)
        return Mul.apply(movement.Expand.apply(share, shape=x.shape), type(g)._wrap(is_max))


class CumSum(Function):
    saves_inputs = False

    def forward(self, x: TensorData, axis: int) -> TensorData:
        self.axis = normalize_axis(axis, x.ndim, "cumsum")
        return x.scan(ScanOps.CUMSUM, self.axis)

    def backward(self, g: Node) -> Grads:
        # out_j = sum_{i<=j} x_i, so d(loss)/dx_i = sum_{j>=i} g_j: a cumulative sum taken from the end.
        reverse = (self.axis,)
        flip = movement.Flip.apply
        return flip(CumSum.apply(flip(g, axes=reverse), axis=self.axis), axes=reverse)


class LogSoftmax(Function):
    """log(softmax(x)) along one axis, as (x - m) - log(sum(exp(x - m))) with m the maximum (so exp cannot
    overflow; m cancels out). Composable from Max, Exp, Sum and Log, but it ends almost every classifier: as
    one Function it is eight data ops forward and five Functions backward, where the composition records
    some twenty Functions, each with its Python overhead (PyTorch has one kernel for it too)."""

    saves_inputs = False

    def forward(self, x: TensorData, axis: int) -> TensorData:
        self.axis = normalize_axis(axis, x.ndim, "log_softmax")
        peak = x.reduce(ReduceOps.MAX, self.axis, keepdim=True).expand(x.shape)
        shifted = x.binary(BinaryOps.SUB, peak)
        total = shifted.unary(UnaryOps.EXP).reduce(ReduceOps.SUM, self.axis, keepdim=True)
        return shifted.binary(BinaryOps.SUB, total.unary(UnaryOps.LOG).expand(x.shape))

    def backward(self, g: Node) -> Grads:
        # y_i = x_i - log(sum_j e^x_j), so dy_i/dx_j = [i = j] - softmax_j and dx = g - softmax * sum(g), where
        # softmax = e^y is read off the output.
        out = self.output
        total = Sum.apply(g, axes=self.axis, keepdim=True)
        return Sub.apply(g, Mul.apply(Exp.apply(out), movement.Expand.apply(total, shape=g.shape)))

