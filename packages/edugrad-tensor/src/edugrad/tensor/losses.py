"""Losses: cross-entropy and negative log-likelihood, binary cross-entropy, mean squared and absolute error.

Tensor layer (`edugrad.tensor`). Each loss is a method of the prediction tensor (`logits.cross_entropy(y)`)
composed from other Tensor methods. Classification losses pick each target's log-probability with the Gather
Function (whose gradient is a scatter-add back into that one class) rather than multiplying by a one-hot
matrix of (N, classes). `reduction` is "mean", "sum" or "none" (the per-element losses), as in PyTorch.
"""

from __future__ import annotations

from edugrad.function import Gather
from edugrad.tensor import tensor as _t

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: _t.Tensor, reduction: str, count: _t.Tensor | None = None) -> _t.Tensor:
    """The per-element losses summed, averaged (over `count` if given, else over all) or left as they are."""
    if reduction == "none":
        return loss
    if reduction == "sum" or count is not None:
        total = loss.sum()
        return total if count is None else total / count
    return loss.mean()


def _check_target(x: _t.Tensor, target: _t.Tensor, shape: tuple[int, ...], op: str, what: str) -> None:
    if not isinstance(target, _t.Tensor):
        raise TypeError(f"{op}: the target must be a Tensor, got {type(target).__name__}")
    if target.shape != shape:
        raise ValueError(f"{op}: {what} of shape {shape} for input of shape {x.shape}, got target of shape "
                         f"{target.shape}")


def _class_nll(logp: _t.Tensor, target: _t.Tensor, axis: int, ignore_index: int, label_smoothing: float,
               op: str) -> tuple[_t.Tensor, _t.Tensor]:
    """Per-element -log p[target] (class axis removed) with label smoothing, zero where target is ignore_index,
    and the mask of targets that count."""
    class_free = logp.shape[:axis] + logp.shape[axis + 1:]
    _check_target(logp, target, class_free, op, "expected class indices")
    if not target.dtype.is_integer:
        raise TypeError(f"{op}: class-index targets must have an integer dtype, got {target.dtype.name}")
    counted = target != ignore_index
    index = counted.where(target, 0).unsqueeze(axis)  # ignored targets read class 0, then get masked out
    try:
        picked = Gather.apply(logp, index, axis=axis).squeeze(axis)
    except IndexError:
        raise IndexError(f"{op}: targets must be class indices in [0, {logp.shape[axis]}) or ignore_index "
                         f"({ignore_index}), got values from {target.min().item()} to {target.max().item()}") from None
    loss = -picked
    if label_smoothing:
        # Smoothing mixes the one-hot target with the uniform distribution, q = (1 - e) onehot + e / C, so
        # -sum_c q_c log p_c = (1 - e) * (-log p[target]) + e * mean_c(-log p_c).
        loss = loss * (1 - label_smoothing) - logp.mean(axis) * label_smoothing
    return counted.where(loss, 0.0), counted


def _check_smoothing(label_smoothing: float, op: str) -> None:
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")


def cross_entropy(self: _t.Tensor, target: _t.Tensor, reduction: str = "mean", ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> _t.Tensor:
    """Cross-entropy of logits (N, C, ...) or (C,) against class indices (N, ...) or class probabilities of
    the input's shape, as torch.nn.functional.cross_entropy (the mean skips ignored targets)."""
    _check_reduction(reduction, "cross_entropy")
    _check_smoothing(label_smoothing, "cross_entropy")
    axis = 0 if self.ndim == 1 else 1
    logp = self.log_softmax(axis)
    if isinstance(target, _t.Tensor) and target.dtype.is_floating_point:
        _check_target(self, target, self.shape, "cross_entropy", "expected class probabilities")
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / self.shape[axis]
        return _reduce(-(logp * target).sum(axis), reduction)
    loss, counted = _class_nll(logp, target, axis, ignore_index, label_smoothing, "cross_entropy")
    return _reduce(loss, reduction, counted.sum() if reduction == "mean" else None)


def nll_loss(self: _t.Tensor, target: _t.Tensor, reduction: str = "mean", ignore_index: int = -100) -> _t.Tensor:
    """Negative log-likelihood of log-probabilities (N, C, ...) or (C,) against class indices (N, ...), as
    torch.nn.functional.nll_loss (the mean skips ignored targets)."""
    _check_reduction(reduction, "nll_loss")
    loss, counted = _class_nll(self, target, 0 if self.ndim == 1 else 1, ignore_index, 0.0, "nll_loss")
    return _reduce(loss, reduction, counted.sum() if reduction == "mean" else None)


def sparse_categorical_crossentropy(self: _t.Tensor, Y: _t.Tensor, ignore_index: int = -1,
                                    label_smoothing: float = 0.0) -> _t.Tensor:
    """Cross-entropy of logits with the classes on the last axis (..., C) against integer labels (...),
    averaged over the labels that are not ignore_index (the reference edugrad/tinygrad name)."""
    _check_smoothing(label_smoothing, "sparse_categorical_crossentropy")
    axis = self.ndim - 1
    loss, counted = _class_nll(self.log_softmax(axis), Y, axis, ignore_index, label_smoothing,
                               "sparse_categorical_crossentropy")
    return _reduce(loss, "mean", counted.sum())


def _elementwise_target(x: _t.Tensor, y: _t.Tensor, reduction: str, op: str) -> None:
    _check_reduction(reduction, op)
    _check_target(x, y, x.shape, op, "expected a target")  # no silent broadcasting of a misshapen target


def binary_crossentropy(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean") -> _t.Tensor:
    """-(y log p + (1 - y) log(1 - p)) of probabilities p = self, with each log clamped at -100 (so p = 0 or 1
    gives a finite loss), as torch.nn.functional.binary_cross_entropy."""
    _elementwise_target(self, y, reduction, "binary_crossentropy")
    loss = -(y * self.log().maximum(-100) + (1 - y) * (1 - self).log().maximum(-100))
    return _reduce(loss, reduction)


def binary_crossentropy_logits(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean") -> _t.Tensor:
    """Binary cross-entropy of logits x = self, i.e. of sigmoid(x), computed stably, as
    torch.nn.functional.binary_cross_entropy_with_logits."""
    _elementwise_target(self, y, reduction, "binary_crossentropy_logits")
    # -(y log s(x) + (1 - y) log(1 - s(x))) = log(1 + e^x) - x y = max(x, 0) - x y + log(1 + e^-|x|): no
    # exponent is positive, so nothing overflows. Its derivative is sigmoid(x) - y; maximum's even split at a
    # tie makes that hold at x = 0 too.
    loss = self.maximum(0) - self * y + ((-self.abs()).exp() + 1).log()
    return _reduce(loss, reduction)


def mse_loss(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean") -> _t.Tensor:
    """The squared error (self - y)^2, as torch.nn.functional.mse_loss."""
    _elementwise_target(self, y, reduction, "mse_loss")
    diff = self - y
    return _reduce(diff * diff, reduction)


def l1_loss(self: _t.Tensor, y: _t.Tensor, reduction: str = "mean") -> _t.Tensor:
    """The absolute error |self - y|, as torch.nn.functional.l1_loss."""
    _elementwise_target(self, y, reduction, "l1_loss")
    diff = self - y
    return _reduce(diff.abs(), reduction)
