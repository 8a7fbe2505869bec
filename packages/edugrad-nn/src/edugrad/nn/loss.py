"""Loss functions, as modules (`CrossEntropyLoss()(logits, target)`) and as functions
(`cross_entropy(logits, target)`).

Top layer (`edugrad.nn`). Thin wrappers of the Tensor loss methods, which hold the math: a module stores the
options once (reduction, ignore_index, label smoothing), a function takes them per call, as in
`torch.nn.functional`. The options after the target are keyword-only, because PyTorch's third positional
argument is a class weight, which edugrad does not have. `reduction` is "mean" (the default), "sum" or
"none" (one loss per element or sample).
"""

from __future__ import annotations

from edugrad.nn._checks import check_input, choice
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "l1_loss", "mse_loss", "nll_loss",
]

REDUCTIONS = ("mean", "sum", "none")


def cross_entropy(input: Tensor, target: Tensor, *, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy of logits `input` (N, C) or (N, C, d1, ...) and `target`: class indices (N, d1, ...)
    or class probabilities shaped like input."""
    return input.cross_entropy(target, reduction=reduction, ignore_index=ignore_index,
                               label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Tensor, *, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities `input` (N, C, ...) at the class indices `target`."""
    return input.nll_loss(target, reduction=reduction, ignore_index=ignore_index)


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """(input - target)^2."""
    return input.mse_loss(target, reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """|input - target|."""
    return input.l1_loss(target, reduction=reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) of probabilities `input` and targets in [0, 1]."""
    return input.binary_crossentropy(target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits."""
    return input.binary_crossentropy_logits(target, reduction=reduction)


class _Loss(Module):
    """A loss module: checks and stores the reduction."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = choice(type(self).__name__, "reduction", reduction, REDUCTIONS)

    def _inputs(self, input: object, target: object) -> tuple[Tensor, Tensor]:
        return check_input(self, input), check_input(self, target)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """`cross_entropy` as a module: log_softmax of logits followed by the negative log-likelihood of the
    target. Targets equal to `ignore_index` add nothing (and do not count in the mean); `label_smoothing`
    mixes the target with the uniform distribution over the classes."""

    def __init__(self, ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits `input` against `target`."""
        return cross_entropy(*self._inputs(input, target), ignore_index=self.ignore_index, reduction=self.reduction,
                             label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """`nll_loss` as a module (pair it with LogSoftmax)."""

    def __init__(self, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities `input` against class indices `target`."""
        return nll_loss(*self._inputs(input, target), ignore_index=self.ignore_index, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error, `mse_loss` as a module."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of `input` against `target` (same shape)."""
        return mse_loss(*self._inputs(input, target), reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error, `l1_loss` as a module."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of `input` against `target` (same shape)."""
        return l1_loss(*self._inputs(input, target), reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross entropy of probabilities (after a Sigmoid), `binary_cross_entropy` as a module."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of probabilities `input` against targets in [0, 1]."""
        return binary_cross_entropy(*self._inputs(input, target), reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of logits (Sigmoid included, stable), `binary_cross_entropy_with_logits` as a
    module."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits `input` against targets in [0, 1]."""
        return binary_cross_entropy_with_logits(*self._inputs(input, target), reduction=self.reduction)
