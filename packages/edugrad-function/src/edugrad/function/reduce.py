"""Reduction Functions: max over axes, the running sum along one axis, and log-softmax (sum, whose backward
is an expand, lives with Expand in `broadcast`).

Function layer (`edugrad.function`). A reduction's backward has to undo the change of shape: the gradient of
the reduced output is reshaped to keep the reduced axes as size 1 and expanded back over them.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import BinaryOps, ReduceOps, ScanOps, TensorData, UnaryOps, normalize_axes, normalize_axis
from edugrad.function.broadcast import Expand, Sum, kept_shape
from edugrad.function.elementwise import Div, Exp, Mul, Sub
from edugrad.function.function import Function, Grads
from edugrad.function.movement import Flip, Reshape
from edugrad.function.node import Node


class Max(Function):
    def forward(self, x: TensorData, axes: int | Sequence[int] | None = None, keepdim: bool = False) -> TensorData:
        self.axes = normalize_axes(axes, x.ndim, "max")
        out = x.reduce(ReduceOps.MAX, self.axes, keepdim)
        self.save_for_backward(x, out)
        return out

    def backward(self, g: Node) -> Grads:
        # The gradient goes to the maximal elements; when several tie, they share it equally (as torch.amax):
        # each gets g / count. Dividing g, which has the output's size, before spreading it over the input
        # saves a pass over the input (which is 4x larger for a 2x2 pooling). The mask and the counts are
        # constants: max is piecewise linear in x.
        x, out = [node._data for node in self.saved_tensors]
        kept = kept_shape(x.shape, self.axes)
        is_max = x.binary(BinaryOps.CMPEQ, out.reshape(kept).expand(x.shape)).cast(g.dtype)
        count = type(g)._wrap(is_max.reduce(ReduceOps.SUM, self.axes, keepdim=True))
        share = Div.apply(Reshape.apply(g, shape=kept), count)
        return Mul.apply(Expand.apply(share, shape=x.shape), type(g)._wrap(is_max))


class CumSum(Function):
    def forward(self, x: TensorData, axis: int) -> TensorData:
        self.axis = normalize_axis(axis, x.ndim, "cumsum")
        return x.scan(ScanOps.CUMSUM, self.axis)

    def backward(self, g: Node) -> Grads:
        # out_j = sum_{i<=j} x_i, so d(loss)/dx_i = sum_{j>=i} g_j: a cumulative sum taken from the end.
        reverse = (self.axis,)
        return Flip.apply(CumSum.apply(Flip.apply(g, axes=reverse), axis=self.axis), axes=reverse)


class LogSoftmax(Function):
    """log(softmax(x)) along one axis, as (x - m) - log(sum(exp(x - m))) with m the maximum (so exp cannot
    overflow; m cancels out). Composable from Max, Exp, Sum and Log, but it ends almost every classifier: as
    one Function it is eight data ops forward and five Functions backward, where the composition records
    some twenty Functions, each with its Python overhead (PyTorch has one kernel for it too)."""
    def forward(self, x: TensorData, axis: int) -> TensorData:
        self.axis = normalize_axis(axis, x.ndim, "log_softmax")
        peak = x.reduce(ReduceOps.MAX, self.axis, keepdim=True).expand(x.shape)
        shifted = x.binary(BinaryOps.SUB, peak)
        total = shifted.unary(UnaryOps.EXP).reduce(ReduceOps.SUM, self.axis, keepdim=True)
        out = shifted.binary(BinaryOps.SUB, total.unary(UnaryOps.LOG).expand(x.shape))
        self.save_for_backward(out)
        return out

    def backward(self, g: Node) -> Grads:
        # y_i = x_i - log(sum_j e^x_j), so dy_i/dx_j = [i = j] - softmax_j and dx = g - softmax * sum(g), where
        # softmax = e^y is read off the output.
        out, = self.saved_tensors
        total = Sum.apply(g, axes=self.axis, keepdim=True)
        return Sub.apply(g, Mul.apply(Exp.apply(out), Expand.apply(total, shape=g.shape)))

