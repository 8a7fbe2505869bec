"""Loss functions with torch.nn.functional's signatures, including the legacy `size_average` and `reduce`.

Top layer (`edugrad.nn`). The classification losses and the plain regression ones (`cross_entropy`,
`nll_loss`, `binary_cross_entropy[_with_logits]`, `mse_loss`, `l1_loss`) are Tensor methods, which hold their
math (cross-entropy ends in the NLLLoss Function); the others are composed here from Tensor ops. `reduction` is
"mean" (the default), "sum" or "none" (one loss per element or sample); the legacy arguments, where given,
decide it as PyTorch does (see `_common.reduction_arg`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

from edugrad.nn.functional._common import number_arg, reduce_loss, reduction_arg, tensor_arg
from edugrad.nn.functional.distance import cosine_similarity, pairwise_distance
from edugrad.tensor import Tensor


def _optional(op: str, name: str, value: Tensor | None) -> Tensor | None:
    return None if value is None else tensor_arg(op, name, value)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy of logits (N, C, d1, ...) or (C,) against class indices (N, d1, ...) or class
    probabilities of the input's shape. `weight` (C,) weighs each class; the mean divides by the total weight
    of the targets that are not `ignore_index`. `label_smoothing` mixes the target with the uniform
    distribution over the classes."""
    reduction = reduction_arg("cross_entropy", size_average, reduce, reduction)
    x, t = tensor_arg("cross_entropy", "input", input), tensor_arg("cross_entropy", "target", target)
    return x.cross_entropy(t, reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing,
                           weight=_optional("cross_entropy", "weight", weight))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood -w[t] * input[t] of log-probabilities (N, C, d1, ...) or (C,) at the class
    indices `target` (N, d1, ...); the mean divides by the total weight of the targets that count."""
    reduction = reduction_arg("nll_loss", size_average, reduce, reduction)
    x, t = tensor_arg("nll_loss", "input", input), tensor_arg("nll_loss", "target", target)
    return x.nll_loss(t, reduction=reduction, ignore_index=ignore_index, weight=_optional("nll_loss", "weight", weight))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w (t log p + (1 - t) log(1 - p)) of probabilities p = input and targets t in [0, 1] of its shape;
    each log is clamped at -100, so p = 0 or 1 gives a finite loss."""
    reduction = reduction_arg("binary_cross_entropy", size_average, reduce, reduction)
    x, t = tensor_arg("binary_cross_entropy", "input", input), tensor_arg("binary_cross_entropy", "target", target)
    return x.binary_cross_entropy(t, reduction=reduction, weight=_optional("binary_cross_entropy", "weight", weight))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits; `pos_weight` (one value
    per class, the last dimension) weighs the positive term, to trade recall against precision."""
    op = "binary_cross_entropy_with_logits"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    x, t = tensor_arg(op, "input", input), tensor_arg(op, "target", target)
    return x.binary_cross_entropy_with_logits(t, reduction=reduction, weight=_optional(op, "weight", weight),
                                        pos_weight=_optional(op, "pos_weight", pos_weight))


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """The squared error (input - target)^2; with `weight` (input's shape) the mean is sum(w l) / sum(w)."""
    reduction = reduction_arg("mse_loss", size_average, reduce, reduction)
    x, t = tensor_arg("mse_loss", "input", input), tensor_arg("mse_loss", "target", target)
    return x.mse_loss(t, reduction=reduction, weight=_optional("mse_loss", "weight", weight))


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """The absolute error |input - target|; with `weight` (input's shape) the mean is sum(w l) / sum(w)."""
    reduction = reduction_arg("l1_loss", size_average, reduce, reduction)
    x, t = tensor_arg("l1_loss", "input", input), tensor_arg("l1_loss", "target", target)
    return x.l1_loss(t, reduction=reduction, weight=_optional("l1_loss", "weight", weight))


def _regression_pair(op: str, input: Tensor, target: Tensor) -> Tensor:
    """input - target, broadcast as PyTorch does, with its warning when the shapes differ (a target of (N,)
    against an input of (N, 1) broadcasts to (N, N), which is rarely what was meant)."""
    x, t = tensor_arg(op, "input", input), tensor_arg(op, "target", target)
    if x.shape != t.shape:
        warnings.warn(f"{op}: Using a target size ({t.shape}) that is different to the input size ({x.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", UserWarning, stacklevel=3)
    return x - t


def _huber(diff: Tensor, delta: float) -> Tensor:
    """0.5 d^2 where |d| < delta, delta (|d| - delta / 2) beyond: quadratic near 0, linear far out."""
    size = diff.abs()
    # The square of d clamped to [-delta, delta]: d itself where it is taken, and finite where it is not, so
    # that the branch not taken gets a gradient of 0 (0 * 2d would be NaN where d is inf), as in torch.
    near = diff.clamp(-delta, delta)
    return (near * near * 0.5).where(size < delta, (size - delta * 0.5) * delta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2, with d = input - target: huber_loss / beta (and
    l1_loss for beta = 0)."""
    reduction = reduction_arg("smooth_l1_loss", size_average, reduce, reduction)
    if number_arg("smooth_l1_loss", "beta", beta) < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    diff = _regression_pair("smooth_l1_loss", input, target)
    loss = diff.abs() if beta == 0 else _huber(diff, beta) * (1 / beta)
    return reduce_loss(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2), with d = input - target, times `weight` (input's
    shape) if given. Unlike mse_loss and l1_loss, PyTorch's weighted mean here is the plain mean of w l."""
    reduction = reduction_arg("huber_loss", None, None, reduction)
    if number_arg("huber_loss", "delta", delta) <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    loss = _huber(_regression_pair("huber_loss", input, target), delta)
    if weight is None:
        return reduce_loss(loss, reduction)
    if tensor_arg("huber_loss", "weight", weight).shape != input.shape:
        raise ValueError(f"huber_loss: weight must have the input's shape {input.shape}, got {weight.shape}")
    return reduce_loss(loss * weight, reduction)


def _xlogy(x: Tensor, y: Tensor) -> Tensor:
    """x log y, 0 where x is 0 (the limit of t log t at 0), without taking the log of 0."""
    return (x * y.where(x != 0, 1.0).log()).where(x != 0, 0.0)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """The Kullback-Leibler divergence sum t (log t - input) of the distribution `target` from log-probabilities
    `input` (the target as log-probabilities too with `log_target`). reduction="batchmean" divides the sum by
    the batch size, which is the divergence per sample; "mean" (the default, with PyTorch's warning) divides by
    the number of elements."""
    x, t = tensor_arg("kl_div", "input", input), tensor_arg("kl_div", "target", target)
    if reduction == "batchmean" and size_average is None and reduce is None:
        total = _kl_pointwise(x, t, log_target).sum()
        return total * (1 / x.shape[0]) if x.ndim else total
    reduction = reduction_arg("kl_div", size_average, reduce, reduction)
    if reduction == "mean" and size_average is None and reduce is None:
        warnings.warn("kl_div: reduction='mean' divides the total loss by both the batch size and the support size; "
                      "'batchmean' divides only by the batch size, which is the KL divergence (PyTorch will make "
                      "'mean' behave as 'batchmean')", UserWarning, stacklevel=2)
    return reduce_loss(_kl_pointwise(x, t, log_target), reduction)


def _kl_pointwise(x: Tensor, t: Tensor, log_target: bool) -> Tensor:
    return t.exp() * (t - x) if log_target else _xlogy(t, t) - t * x


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of counts `target` under Poisson(rate): exp(input) - target * input for the
    log-rate `input` (log_input=True), else input - target * log(input + eps). `full` adds Stirling's
    approximation of log(target!), t log t - t + log(2 pi t) / 2, where target > 1."""
    reduction = reduction_arg("poisson_nll_loss", size_average, reduce, reduction)
    x, t = tensor_arg("poisson_nll_loss", "input", input), tensor_arg("poisson_nll_loss", "target", target)
    loss = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        stirling = _xlogy(t, t) - t + (t * (2 * math.pi)).where(t > 1, 1.0).log() * 0.5
        loss = loss + stirling.where(t > 1, 0.0)
    return reduce_loss(loss, reduction)


def _gaussian_variance(op: str, var: Tensor | float, input: Tensor) -> Tensor:
    """The variance broadcast against input as PyTorch allows: input's shape, its shape without the last
    dimension, or one dimension of size 1 (one variance shared along it)."""
    if not isinstance(var, Tensor):
        if number_arg(op, "var", var) < 0:
            raise ValueError(f"{op}: var has negative entry/entries")
        return Tensor.full(input.shape, float(var), dtype=input.dtype, backend=input.backend)
    if bool((var < 0).any()):
        raise ValueError(f"{op}: var has negative entry/entries")
    if var.shape == input.shape:
        return var
    if var.shape == input.shape[:-1]:
        return var.unsqueeze(-1)
    if var.ndim == input.ndim and sum(v != n for v, n in zip(var.shape, input.shape)) == 1 and \
            all(v in (1, n) for v, n in zip(var.shape, input.shape)):
        return var
    raise ValueError(f"{op}: var of shape {var.shape} does not fit the input of shape {input.shape}; expected the "
                     "input's shape, that without its last dimension, or one dimension of size 1")


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of `target` under N(input, var): (log var + (input - target)^2 / var) / 2,
    plus log(2 pi) / 2 with `full`. var is clamped at eps for the value only (its gradient flows as if not
    clamped, as in PyTorch)."""
    reduction = reduction_arg("gaussian_nll_loss", None, None, reduction)
    x, t = tensor_arg("gaussian_nll_loss", "input", input), tensor_arg("gaussian_nll_loss", "target", target)
    v = _gaussian_variance("gaussian_nll_loss", var, x)
    v = v + (v.clamp(eps) - v).detach()  # the values of clamp(v, eps), the gradient of v
    diff = x - t
    loss = (v.log() + diff * diff / v) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


def _same_ndim(op: str, *tensors: Tensor) -> None:
    if len({t.ndim for t in tensors}) != 1:
        raise ValueError(f"{op}: all input tensors should have the same number of dimensions, got shapes "
                         f"{', '.join(str(t.shape) for t in tensors)}")


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin), target 1 where input1 should rank higher, -1 where
    input2 should."""
    op = "margin_ranking_loss"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    x1, x2, y = tensor_arg(op, "input1", input1), tensor_arg(op, "input2", input2), tensor_arg(op, "target", target)
    _same_ndim(op, x1, x2, y)
    return reduce_loss((-y * (x1 - x2) + margin).clamp(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """input where target is 1, max(0, margin - input) where it is -1 (input is usually a distance)."""
    reduction = reduction_arg("hinge_embedding_loss", size_average, reduce, reduction)
    x, y = tensor_arg("hinge_embedding_loss", "input", input), tensor_arg("hinge_embedding_loss", "target", target)
    # As PyTorch, the two terms are added, each where its target is not the other label.
    hinge = (margin - x).clamp(0).where(y != 1, 0.0)
    return reduce_loss(hinge + x.where(y != -1, 0.0), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)), the logistic loss of labels 1 and -1."""
    reduction = reduction_arg("soft_margin_loss", size_average, reduce, reduction)
    x, y = tensor_arg("soft_margin_loss", "input", input), tensor_arg("soft_margin_loss", "target", target)
    return reduce_loss((-y * x).softplus(), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """The binary cross-entropy of each class's logit against the 0/1 `target` (N, C), averaged over the
    classes: one loss per sample."""
    op = "multilabel_soft_margin_loss"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    x, y = tensor_arg(op, "input", input), tensor_arg(op, "target", target)
    if x.ndim == 0:
        raise ValueError(f"{op}: expected an input of shape (C,) or (N, C), got a 0-d tensor")
    # -(y log sigmoid(x) + (1 - y) log sigmoid(-x)), with log sigmoid(x) = -softplus(-x).
    loss = y * (-x).softplus() + (1 - y) * x.softplus()
    if weight is not None:
        loss = loss * tensor_arg(op, "weight", weight)
    return reduce_loss(loss.mean(-1), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target is 1 (make them point the same way), max(0, cos(x1, x2) - margin) where it
    is -1 (make them differ), with cos along the last dimension of (N, D) or (D,) inputs."""
    op = "cosine_embedding_loss"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    x1, x2, y = tensor_arg(op, "input1", input1), tensor_arg(op, "input2", input2), tensor_arg(op, "target", target)
    if x1.ndim not in (1, 2) or x1.shape != x2.shape or y.ndim != x1.ndim - 1:
        raise ValueError(f"{op}: expected inputs of one shape (N, D) or (D,) and a target of shape (N,) or (), got "
                         f"{x1.shape}, {x2.shape} and {y.shape}")
    # PyTorch's formula: sum(x1 x2) / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12)).
    dim = x1.ndim - 1
    cos = (x1 * x2).sum(dim) / (((x1 * x1).sum(dim) + 1e-12) * ((x2 * x2).sum(dim) + 1e-12)).sqrt()
    loss = (1 - cos).where(y == 1, 0.0) + (cos - margin).clamp(0).where(y == -1, 0.0)
    return reduce_loss(loss, reduction)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, distance: Callable[[Tensor, Tensor], Tensor],
             margin: float, swap: bool, reduction: str, op: str) -> Tensor:
    if number_arg(op, "margin", margin) <= 0:
        raise ValueError(f"{op}: margin must be greater than 0, got {margin}")
    a, p, n = (tensor_arg(op, name, t) for name, t in (("anchor", anchor), ("positive", positive),
                                                        ("negative", negative)))
    to_positive, to_negative = distance(a, p), distance(a, n)
    if swap:  # the harder of the two negatives' distances: from the anchor or from the positive
        to_negative = to_negative.minimum(distance(p, n))
    return reduce_loss((to_positive - to_negative + margin).clamp(0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with the p-norm distance d: pull the positive closer to the anchor
    than the negative, by at least the margin."""
    op = "triplet_margin_loss"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    _same_ndim(op, tensor_arg(op, "anchor", anchor), tensor_arg(op, "positive", positive),
               tensor_arg(op, "negative", negative))
    return _triplet(anchor, positive, negative, lambda x, y: pairwise_distance(x, y, p, eps), margin, swap,
                    reduction, op)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """triplet_margin_loss with any distance function (pairwise_distance if None)."""
    op = "triplet_margin_with_distance_loss"
    reduction = reduction_arg(op, None, None, reduction)
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction, op)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss of scores (N, C) or (C,) and class indices (N,) or (): the sum over the
    other classes j of max(0, margin - x[y] + x[j])^p (times weight[y]), divided by C."""
    op = "multi_margin_loss"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    x, y = tensor_arg(op, "input", input), tensor_arg(op, "target", target)
    if p not in (1, 2):
        raise ValueError(f"{op}: only p == 1 and p == 2 are supported, got {p}")
    if x.ndim not in (1, 2) or y.shape != x.shape[:-1] or not y.dtype.is_integer:
        raise ValueError(f"{op}: expected scores of shape (N, C) or (C,) and integer class indices of shape (N,) or "
                         f"(), got {x.shape} and {y.dtype.name} {y.shape}")
    classes = x.shape[-1]
    if bool(((y < 0) | (y >= classes)).any()):
        raise IndexError(f"{op}: targets must be class indices in [0, {classes})")
    picked = x.gather(-1, y.unsqueeze(-1))  # the score of each sample's own class
    hinge = (x - picked + margin).clamp(0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * tensor_arg(op, "weight", weight).gather(0, y.reshape(-1)).reshape(*y.shape, 1)
    own = Tensor.arange(classes, backend=x.backend) == y.unsqueeze(-1)
    return reduce_loss(hinge.where(own.logical_not(), 0.0).sum(-1) * (1 / classes), reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """The multi-label hinge loss of scores (N, C) or (C,): `target` (same shape) lists each sample's classes,
    ended by the first -1; every listed class j should score at least 1 more than every unlisted class i, and
    the loss is the sum of max(0, 1 - (x[j] - x[i])) over such pairs, divided by C."""
    op = "multilabel_margin_loss"
    reduction = reduction_arg(op, size_average, reduce, reduction)
    x, y = tensor_arg(op, "input", input), tensor_arg(op, "target", target)
    if x.ndim not in (1, 2) or y.shape != x.shape or not y.dtype.is_integer:
        raise ValueError(f"{op}: expected scores of shape (N, C) or (C,) and integer targets of the same shape, got "
                         f"{x.shape} and {y.dtype.name} {y.shape}")
    classes = x.shape[-1]
    # A target counts up to its row's first -1: after it, the running count of -1s is positive.
    listed = (y == -1).long().cumsum(-1) == 0
    if bool((listed & ((y < 0) | (y >= classes))).any()):
        raise IndexError(f"{op}: targets must be class indices in [0, {classes}) or -1")
    classes_row = Tensor.arange(classes, backend=x.backend)
    hot = (y.unsqueeze(-1) == classes_row) & listed.unsqueeze(-1)  # (..., position, class)
    is_target = hot.any(-2)  # (..., class)
    # pairs (j, i): j a target class, i not; margin 1 - (x[j] - x[i]).
    hinge = (1 - x.unsqueeze(-1) + x.unsqueeze(-2)).clamp(0)  # (..., j, i)
    pair = is_target.unsqueeze(-1) & is_target.logical_not().unsqueeze(-2)
    return reduce_loss(hinge.where(pair, 0.0).sum((-2, -1)) * (1 / classes), reduction)


__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss", "cross_entropy",
    "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss", "kl_div", "l1_loss", "margin_ranking_loss",
    "mse_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "nll_loss",
    "poisson_nll_loss", "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]
