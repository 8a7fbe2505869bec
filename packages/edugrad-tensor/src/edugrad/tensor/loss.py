"""Losses: cross-entropy and negative log-likelihood, binary cross-entropy, mean squared and absolute error.

Tensor layer (`edugrad.tensor`). Each loss is a method of the prediction tensor (`logits.cross_entropy(y)`)
composed from other Tensor methods. The classification losses with class-index targets end in the NLLLoss
Function, which picks each target's log-probability (its gradient goes back into that one class) rather than
multiplying by a one-hot matrix of (N, classes): one Function where the composition records a dozen, for the
op that ends almost every training step. `reduction` is "mean", "sum" or "none" (the per-element losses), as
in PyTorch.
"""

from __future__ import annotations

import math
import warnings

from edugrad.function import BinaryCrossEntropy, NLLLoss
from edugrad.tensor import _tensor as _t
from edugrad.tensor.binary import broadcast_shape, operands
from edugrad.tensor.elementwise import floating

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: _t.Tensor, reduction: str, count: _t.Tensor | None = None) -> _t.Tensor:
    """The per-element losses summed, averaged (over `count` if given, else over all) or left as they are."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if count is None:
        return loss.mean()
    # Over no counted elements (or a total weight of 0) the mean is nan, as torch's 0 / 0, and its gradient 0
    # (each loss is an ignored one, 0 whatever the input). Dividing by 1 there and putting the nan in with where
    # gives both, without the 0 / 0 that NumPy warns about or a nan (1 / 0 * 0) in the gradient.
    counted = count != 0
    return (loss.sum() / count.where(counted, 1)).where(counted, math.nan)


def _check_target(x: _t.Tensor, target: _t.Tensor, shape: tuple[int, ...], op: str, what: str) -> None:
    if not isinstance(target, _t.Tensor):
        raise TypeError(f"{op}: the target must be a Tensor, got {type(target).__name__}")
    if target.shape != shape:
        raise ValueError(f"{op}: {what} of shape {shape} for input of shape {x.shape}, got target of shape "
                         f"{target.shape}")


def _check_classes(x: _t.Tensor, op: str, expected: str) -> None:
    """A 0-d input has no class axis: say so before log_softmax or the pick fail on an axis, naming themselves."""
    if x.ndim == 0:
        raise ValueError(f"{op}: expected {expected}, got a 0-d tensor")


def _nll(logp: _t.Tensor, target: _t.Tensor, axis: int, ignore_index: int, reduction: str, op: str) -> _t.Tensor:
    """The NLLLoss Function behind the checks and errors of the loss `op` the user called."""
    class_free = logp.shape[:axis] + logp.shape[axis + 1:]
    _check_target(logp, target, class_free, op, "expected class indices")
    if not target.dtype.is_integer:
        raise TypeError(f"{op}: class-index targets must have an integer dtype, got {target.dtype.name}")
    try:
        return NLLLoss.apply(logp, target, axis=axis, ignore_index=ignore_index, reduction=reduction)
    except IndexError:
        raise IndexError(f"{op}: targets must be class indices in [0, {logp.shape[axis]}) or ignore_index "
                         f"({ignore_index}), got values from {target.min().item()} to {target.max().item()}") from None


def _check_weight(weight: _t.Tensor | None, classes: int, op: str) -> None:
    if weight is not None and (not isinstance(weight, _t.Tensor) or weight.shape != (classes,)):
        got = weight.shape if isinstance(weight, _t.Tensor) else type(weight).__name__
        raise ValueError(f"{op}: weight must be a tensor of shape ({classes},), one weight per class, got {got}")


def _class_shape(logp: _t.Tensor, axis: int) -> tuple[int, ...]:
    """The shape that broadcasts one value per class along `axis` of logp."""
    return (logp.shape[axis],) + (1,) * (logp.ndim - axis - 1)


def _class_nll(logp: _t.Tensor, target: _t.Tensor, axis: int, ignore_index: int, reduction: str,
               label_smoothing: float, weight: _t.Tensor | None, op: str) -> _t.Tensor:
    """-w[target] log p[target] along `axis`, with label smoothing, reduced as torch does: the mean divides by
    the total weight of the targets that are not ignored (their number without class weights)."""
    _check_weight(weight, logp.shape[axis], op)
    if not label_smoothing and weight is None:
        return _nll(logp, target, axis, ignore_index, reduction, op)  # the one-Function path of most training
    nll = _nll(logp, target, axis, ignore_index, "none", op)  # 0 at ignored targets, and the target is checked
    counted = target.long() != ignore_index  # compared in int64, as NLLLoss does: -100 does not fit in uint8
    if weight is None:
        total = counted.sum()
    else:
        target_weight = weight[target.long().where(counted, 0)].where(counted, 0.0)  # w[t], 0 where ignored
        nll = nll * target_weight
        total = target_weight.sum()
    loss = nll * (1 - label_smoothing)
    if label_smoothing:
        # Smoothing mixes the one-hot target with the uniform distribution, q = (1 - e) onehot + e / C, so
        # -sum_c w_c q_c log p_c = (1 - e) * (-w[t] log p[t]) + e / C * sum_c(-w_c log p_c).
        per_class = -logp if weight is None else -logp * weight.reshape(_class_shape(logp, axis))
        loss = loss + per_class.mean(axis).where(counted, 0.0) * label_smoothing
    return _reduce(loss, reduction, total if reduction == "mean" else None)


def _check_ignore_index(ignore_index: int, op: str) -> None:
    # A float would be compared with the targets and match none of them: every target would count.
    if isinstance(ignore_index, bool) or not hasattr(ignore_index, "__index__"):
        raise TypeError(f"{op}: ignore_index must be an int, got {type(ignore_index).__name__}")


def _check_smoothing(label_smoothing: float, op: str) -> None:
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")


def cross_entropy(self: _t.Tensor, target: _t.Tensor, reduction: str = "mean", ignore_index: int = -100,
                  label_smoothing: float = 0.0, *, weight: _t.Tensor | None = None) -> _t.Tensor:
    """Cross-entropy of logits (N, C, ...) or (C,) against class indices (N, ...) or class probabilities of
    the input's shape, as torch.nn.functional.cross_entropy: `weight` (C,) weighs the classes, and the mean
    over class indices divides by the total weight of the targets that are not ignored."""
    _check_reduction(reduction, "cross_entropy")
    _check_ignore_index(ignore_index, "cross_entropy")
    _check_smoothing(label_smoothing, "cross_entropy")
    _check_classes(self, "cross_entropy", "logits of shape (C,) or (N, C, ...)")
    axis = 0 if self.ndim == 1 else 1
    logp = self.log_softmax(axis)
    if isinstance(target, _t.Tensor) and target.dtype.is_floating_point:
        _check_target(self, target, self.shape, "cross_entropy", "expected class probabilities")
        _check_weight(weight, self.shape[axis], "cross_entropy")
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / self.shape[axis]
        if weight is not None:
            target = target * weight.reshape(_class_shape(self, axis))
        return _reduce(-(logp * target).sum(axis), reduction)
    return _class_nll(logp, target, axis, ignore_index, reduction, label_smoothing, weight, "cross_entropy")


def nll_loss(self: _t.Tensor, target: _t.Tensor, reduction: str = "mean", ignore_index: int = -100, *,
             weight: _t.Tensor | None = None) -> _t.Tensor:
    """Negative log-likelihood -w[t] logp[t] of log-probabilities (N, C, ...) or (C,) against class indices
    (N, ...), as torch.nn.functional.nll_loss (the mean divides by the total weight of the targets that are
    not ignored)."""
    _check_reduction(reduction, "nll_loss")
    _check_ignore_index(ignore_index, "nll_loss")
    _check_classes(self, "nll_loss", "log-probabilities of shape (C,) or (N, C, ...)")
    return _class_nll(self, target, 0 if self.ndim == 1 else 1, ignore_index, reduction, 0.0, weight, "nll_loss")


def sparse_categorical_crossentropy(self: _t.Tensor, Y: _t.Tensor, ignore_index: int = -1,
                                    label_smoothing: float = 0.0) -> _t.Tensor:
    """Cross-entropy of logits with the classes on the last axis (..., C) against integer labels (...),
    averaged over the labels that are not ignore_index (the reference edugrad/tinygrad name)."""
    _check_ignore_index(ignore_index, "sparse_categorical_crossentropy")
    _check_smoothing(label_smoothing, "sparse_categorical_crossentropy")
    _check_classes(self, "sparse_categorical_crossentropy", "logits of shape (..., C)")
    axis = self.ndim - 1
    return _class_nll(self.log_softmax(axis), Y, axis, ignore_index, "mean", label_smoothing, None,
                      "sparse_categorical_crossentropy")


def _elementwise_target(x: _t.Tensor, y: _t.Tensor, reduction: str, op: str) -> None:
    """A target of the input's shape, as the binary cross-entropies demand (as in PyTorch)."""
    _check_reduction(reduction, op)
    _check_target(x, y, x.shape, op, "expected a target")  # no silent broadcasting of a misshapen target


def _regression_target(x: _t.Tensor, y: _t.Tensor, reduction: str, op: str) -> None:
    """A target that broadcasts against the input, with PyTorch's warning where the shapes differ (a target of
    (N,) against an input of (N, 1) broadcasts to (N, N), rarely what was meant)."""
    _check_reduction(reduction, op)
    if not isinstance(y, _t.Tensor):
        raise TypeError(f"{op}: the target must be a Tensor, got {type(y).__name__}")
    if y.shape != x.shape:
        broadcast_shape(x.shape, y.shape, op)
        warnings.warn(f"{op}: Using a target size ({y.shape}) that is different to the input size ({x.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", UserWarning, stacklevel=3)


def _weighted(loss: _t.Tensor, weight: _t.Tensor | None, x: _t.Tensor, op: str) -> _t.Tensor:
    """loss * weight, with a weight that broadcasts to the input's shape."""
    if weight is None:
        return loss
    if not isinstance(weight, _t.Tensor) or broadcast_shape(x.shape, weight.shape, op) != x.shape:
        got = weight.shape if isinstance(weight, _t.Tensor) else type(weight).__name__
        raise ValueError(f"{op}: weight must broadcast to the input's shape {x.shape}, got {got}")
    return loss * weight


def binary_cross_entropy(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean", *,
                        weight: _t.Tensor | None = None) -> _t.Tensor:
    """-w (y log p + (1 - y) log(1 - p)) of probabilities p = self in [0, 1], with each log clamped at -100 (so
    p = 0 or 1 gives a finite loss and gradient), as torch.nn.functional.binary_cross_entropy; `weight`
    broadcasts to the input. The BinaryCrossEntropy Function holds the formula and torch's gradient."""
    _elementwise_target(self, y, reduction, "binary_cross_entropy")
    p = floating(self)
    if not bool(((p >= 0) & (p <= 1)).all().item()):  # (NaN fails both tests)
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1 (they are "
                           "probabilities; for logits use binary_cross_entropy_with_logits)")
    a, b = operands(p, y, "binary_cross_entropy")
    loss = BinaryCrossEntropy.apply(a, b)
    return _reduce(_weighted(loss, weight, self, "binary_cross_entropy"), reduction)


def binary_cross_entropy_with_logits(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean", *,
                               weight: _t.Tensor | None = None, pos_weight: _t.Tensor | None = None) -> _t.Tensor:
    """Binary cross-entropy of logits x = self, i.e. of sigmoid(x), computed stably, as
    torch.nn.functional.binary_cross_entropy_with_logits; `pos_weight` (one per class, the last dim) weighs
    the positive term, `weight` the whole loss."""
    op = "binary_cross_entropy_with_logits"
    _elementwise_target(self, y, reduction, op)
    # -(y log s(x) + (1 - y) log(1 - s(x))) = log(1 + e^x) - x y = max(x, 0) - x y + log(1 + e^-|x|): no
    # exponent is positive, so nothing overflows. Its derivative is sigmoid(x) - y; maximum's even split at a
    # tie makes that hold at x = 0 too.
    tail = ((-self.abs()).exp() + 1).log()
    if pos_weight is None:
        loss = self.maximum(0) - self * y + tail
    else:
        # With the positive term weighted by w: (1 - y) x + (1 + (w - 1) y) softplus(-x), where
        # softplus(-x) = max(-x, 0) + log(1 + e^-|x|).
        if not isinstance(pos_weight, _t.Tensor) or broadcast_shape(self.shape, pos_weight.shape, op) != self.shape:
            raise ValueError(f"{op}: pos_weight must broadcast to the input's shape {self.shape} (one weight per "
                             f"class of the last dimension), got {getattr(pos_weight, 'shape', pos_weight)}")
        loss = self * (1 - y) + ((-self).maximum(0) + tail) * ((pos_weight - 1) * y + 1)
    return _reduce(_weighted(loss, weight, self, op), reduction)


def _weighted_mean(loss: _t.Tensor, weight: _t.Tensor | None, x: _t.Tensor, reduction: str, op: str) -> _t.Tensor:
    """mse_loss's and l1_loss's reduction: with a weight (the input's shape), loss * weight, and the mean is
    sum(w l) / sum(w)."""
    if weight is None:
        return _reduce(loss, reduction)
    if not isinstance(weight, _t.Tensor) or weight.shape != x.shape:
        raise ValueError(f"{op}: weight must have the input's shape {x.shape}, got {getattr(weight, 'shape', weight)}")
    weighted = loss * weight
    return weighted.sum() / weight.sum() if reduction == "mean" else _reduce(weighted, reduction)


def mse_loss(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean", *, weight: _t.Tensor | None = None) -> _t.Tensor:
    """The squared error (self - y)^2, as torch.nn.functional.mse_loss."""
    _regression_target(self, y, reduction, "mse_loss")
    diff = self - y
    return _weighted_mean(diff * diff, weight, self, reduction, "mse_loss")


def l1_loss(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean", *, weight: _t.Tensor | None = None) -> _t.Tensor:
    """The absolute error |self - y|, as torch.nn.functional.l1_loss."""
    _regression_target(self, y, reduction, "l1_loss")
    return _weighted_mean((self - y).abs(), weight, self, reduction, "l1_loss")
