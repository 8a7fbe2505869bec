"""Loss Functions: `NLLLoss`, the negative log-likelihood of class indices, and `BinaryCrossEntropy`.

Function layer (`edugrad.function`). nll_loss is composable from Gather, comparisons, Where, Sum and Div, but
it ends almost every classifier (cross-entropy is LogSoftmax followed by it): as one Function it is some
eighteen data ops forward and three Functions backward, where the composition records about thirteen
Functions each way, each with its Python overhead (PyTorch has one kernel for it too). The binary
cross-entropy is a Function for its gradient, which is torch's and not the derivative of its forward.
"""

from __future__ import annotations

from edugrad.data import BinaryOps, ReduceOps, TensorData, UnaryOps, dtypes, normalize_axis
from edugrad.function.broadcast import Expand
from edugrad.function.elementwise import Div, Log, Maximum, Mul, Sub
from edugrad.function.function import Function, Grads
from edugrad.function.movement import Reshape
from edugrad.function.node import Node, constant_like

REDUCTIONS = ("mean", "sum", "none")


class NLLLoss(Function):
    """-logp[target] along the class axis, as torch.nn.functional.nll_loss. `target` holds integer class
    indices and has logp's shape without the class axis; a target equal to `ignore_index` gives a loss of 0
    and no gradient. `reduction`: "mean" averages over the targets that are not ignored (nan when all are),
    "sum" adds the losses up, "none" returns one per target."""

    def forward(self, logp: TensorData, target: TensorData, axis: int, ignore_index: int = -100,
                reduction: str = "mean") -> TensorData:
        self.axis = normalize_axis(axis, logp.ndim, "nll_loss")
        _check_arguments(logp, target, self.axis, reduction)
        self.reduction, self.input_shape = reduction, logp.shape  # backward needs logp's shape, not its values
        # Gather wants an index with logp's number of axes: the class axis comes back with size 1. int64 holds
        # any ignore_index (-100 does not fit in uint8).
        index_shape = target.shape[:self.axis] + (1,) + target.shape[self.axis:]
        classes = target.cast(dtypes.int64).reshape(index_shape)
        ignored = classes.binary(BinaryOps.CMPEQ, classes.const(ignore_index))
        index = ignored.where(classes.const(0), classes)  # ignored targets read class 0, harmlessly
        self.save_for_backward(index, ignored)
        picked = logp.gather(index, self.axis)
        zeros = picked.const(0.0)
        # Where, not a product with a 0/1 mask: a log-probability of -inf at an ignored target must give 0.
        losses = ignored.where(zeros, picked.unary(UnaryOps.NEG))
        if reduction == "none":
            return losses.reshape(target.shape)
        total = losses.reduce(ReduceOps.SUM)
        if reduction == "sum":
            return total
        # The mean is over the targets that count; with none it is nan, as torch's 0 / 0. Dividing by a count
        # of nan gives that nan without computing 0 / 0, which NumPy would warn about.
        count = ignored.where(zeros, picked.const(1.0)).reduce(ReduceOps.SUM)
        count = count.binary(BinaryOps.CMPEQ, count.const(0.0)).where(count.const(float("nan")), count)
        self.save_for_backward(index, ignored, count)
        return total.binary(BinaryOps.DIV, count)

    def backward(self, g: Node) -> Grads:
        # loss = sum_i w_i logp[i, target_i], with w_i = -1 (-1 / count for the mean) and 0 where ignored, so
        # d(loss)/d(logp) = g W: W holds w_i at each target's class and 0 at the other classes, a constant.
        # g has one value per target ("none") or one in all, and is spread over the classes to multiply W.
        # The target is an index, with no gradient.
        index, ignored, *count = [node._data for node in self.saved_tensors]
        kept = index.shape if self.reduction == "none" else (1,) * len(self.input_shape)
        spread = Expand.apply(Reshape.apply(g, shape=kept), shape=self.input_shape)
        weights = self._class_weights(g._data, index, ignored, count[0] if count else None)
        return Mul.apply(spread, type(g)._wrap(weights)), None

    def _class_weights(self, g: TensorData, index: TensorData, ignored: TensorData,
                       count: TensorData | None) -> TensorData:
        """W above: the weights of the targets scattered into zeros of logp's shape (`count` for the mean)."""
        zeros = ignored.const(0.0, g.dtype)
        if count is not None:
            share = count.const(-1.0).binary(BinaryOps.DIV, count)  # nan with no target counted, but then
            per_target = share.reshape((1,) * index.ndim).expand(index.shape)  # where drops it
        else:
            per_target = zeros.const(-1.0)
        weights = ignored.where(zeros, per_target)
        return TensorData.full(self.input_shape, 0.0, g.dtype, g.backend).scatter_add(index, weights, self.axis)


def _check_arguments(logp: TensorData, target: TensorData, axis: int, reduction: str) -> None:
    expected = logp.shape[:axis] + logp.shape[axis + 1:]
    if target.shape != expected:
        raise ValueError(f"nll_loss: expected a target of shape {expected} (the input's {logp.shape} without the "
                         f"class axis {axis}), got {target.shape}")
    if not target.dtype.is_integer:
        raise TypeError(f"nll_loss: the target must hold integer class indices, got {target.dtype.name}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


class BinaryCrossEntropy(Function):
    """-(y log p + (1 - y) log(1 - p)) per element, for probabilities p and targets y of one shape, each log
    clamped at -100 so that p = 0 or 1 gives a finite loss: torch.nn.functional.binary_cross_entropy with
    reduction="none". Its gradient is torch's: the derivative of the clamped logs would be 0 where a log is
    clamped, and through the log's own 1/p at p = 0 that is 0 * inf = NaN; torch takes the derivative of the
    unclamped loss instead, with its denominator kept at 1e-12 or above, finite on all of [0, 1]."""

    def forward(self, p: TensorData, y: TensorData) -> TensorData:
        self.save_for_backward(p, y)
        one, floor = p.const(1.0), p.const(-100.0)
        log_p = p.unary(UnaryOps.LOG).binary(BinaryOps.MAX, floor)
        log_q = one.binary(BinaryOps.SUB, p).unary(UnaryOps.LOG).binary(BinaryOps.MAX, floor)  # log(1 - p)
        both = y.binary(BinaryOps.MUL, log_p).binary(BinaryOps.ADD, one.binary(BinaryOps.SUB, y).binary(
            BinaryOps.MUL, log_q))
        return both.unary(UnaryOps.NEG)

    def backward(self, g: Node) -> Grads:
        p, y = self.saved_tensors
        one = constant_like(p, 1.0)
        grad_p = grad_y = None
        if self.needs_input_grad[0]:  # d/dp = (p - y) / (p (1 - p)), the denominator at least 1e-12
            denominator = Maximum.apply(Mul.apply(p, Sub.apply(one, p)), constant_like(p, 1e-12))
            grad_p = Mul.apply(g, Div.apply(Sub.apply(p, y), denominator))
        if self.needs_input_grad[1]:  # d/dy = log(1 - p) - log p, unclamped as torch's: inf at p = 0
            grad_y = Mul.apply(g, Sub.apply(Log.apply(Sub.apply(one, p)), Log.apply(p)))
        return grad_p, grad_y
