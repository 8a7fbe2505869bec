"""Normalization layers: `BatchNorm1d`, `BatchNorm2d`, `LayerNorm` and `GroupNorm`.

Top layer (`edugrad.nn`). Each normalizes x to zero mean and unit variance over some axes,
y = (x - mean) / sqrt(var + eps), then scales and shifts it by a learned per-feature weight and bias (the
"affine" part, initialised to 1 and 0). They differ in the axes the statistics are taken over:

- BatchNorm: per channel (axis 1) over the batch and all spatial positions. In training the statistics of
  the batch are used (with the biased variance, dividing by n) and exponential running averages are kept
  as buffers, `running = (1 - momentum) * running + momentum * batch`, with the unbiased variance
  (dividing by n - 1), as PyTorch. In evaluation the running averages are used instead, so the output for
  one sample does not depend on the rest of its batch. `momentum=None` makes the averages cumulative
  (factor 1 / num_batches_tracked).
- LayerNorm: per sample over the trailing `normalized_shape` dimensions (no running statistics).
- GroupNorm: per sample over groups of channels (and their spatial positions).

Gradients flow through the batch statistics (they are Tensor expressions of x), which is what makes the
backward pass of a normalization layer match PyTorch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from edugrad.nn import init
from edugrad.nn._checks import check_input, check_size, describe, divisible, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, dtypes, no_grad

__all__ = ["BatchNorm1d", "BatchNorm2d", "GroupNorm", "LayerNorm"]


def _register_affine(module: Module, size: tuple[int, ...], affine: bool, bias: bool, device: Any,
                     dtype: DType | None) -> None:
    """Give `module` a `weight` (if `affine`) and a `bias` (if also `bias`) of `size`, or register them as
    None; `_reset_affine` starts them at the identity transform."""
    for name, wanted in (("weight", affine), ("bias", affine and bias)):
        module.register_parameter(name, empty_parameter(size, device, dtype) if wanted else None)


def _reset_affine(weight: Parameter | None, bias: Parameter | None) -> None:
    """Weight ones and bias zeros: the affine part starts as the identity."""
    if weight is not None:
        init.ones_(weight)
    if bias is not None:
        init.zeros_(bias)


class _BatchNorm(Module):
    """BatchNorm over axis 1; the subclasses only fix which input shapes are accepted."""

    input_shapes: ClassVar[dict[int, str]]  # accepted ndim -> how that input is described
    weight: Parameter | None
    bias: Parameter | None
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: DType | None = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        self.num_features = positive_int(type(self).__name__, "num_features", num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, (num_features,), affine, bias, device, dtype)
        tracked = track_running_stats
        float_dtype = dtypes.float32 if dtype is None else dtype
        self.register_buffer("running_mean", Tensor.zeros(num_features, dtype=float_dtype) if tracked else None)
        self.register_buffer("running_var", Tensor.ones(num_features, dtype=float_dtype) if tracked else None)
        self.register_buffer("num_batches_tracked", Tensor.zeros((), dtype=dtypes.int64) if tracked else None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Forget the running statistics: mean 0, variance 1, no batch seen."""
        if self.running_mean is not None and self.running_var is not None and self.num_batches_tracked is not None:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Forget the running statistics and start the affine part at the identity, as PyTorch does."""
        self.reset_running_stats()
        _reset_affine(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        """The normalized x: batch statistics in training (or without running statistics), running ones in
        evaluation."""
        check_input(self, x, tuple(self.input_shapes), " or ".join(self.input_shapes.values()), floating=True)
        check_size(self, x, 1, self.num_features, "channels")
        if self.running_mean is None or self.running_var is None or self.training:
            axes = (0, *range(2, x.ndim))
            count = x.numel() // self.num_features
            if count <= 1 and self.training:
                raise ValueError(f"{type(self).__name__}: expected more than 1 value per channel when training, "
                                 f"got input of shape {x.shape}")
            mean, var = x.mean(axis=axes), x.var(axis=axes, correction=0)
            if self.training:
                self._update_running_stats(mean, var, count)
        else:
            mean, var = self.running_mean, self.running_var
        return x.batchnorm(self.weight, self.bias, mean, (var + self.eps).rsqrt())

    def _update_running_stats(self, mean: Tensor, var: Tensor, count: int) -> None:
        """Fold the batch statistics into the running ones (nothing to do without running statistics)."""
        if self.running_mean is None or self.running_var is None or self.num_batches_tracked is None:
            return
        with no_grad():
            self.num_batches_tracked.assign(self.num_batches_tracked + 1)
            factor = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
            unbiased = var * (count / (count - 1))
            self.running_mean.assign(self.running_mean * (1 - factor) + mean * factor)
            self.running_var.assign(self.running_var * (1 - factor) + unbiased * factor)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, as `torch.nn.BatchNorm1d`."""

    input_shapes = {2: "(N, C)", 3: "(N, C, L)"}


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, as `torch.nn.BatchNorm2d`."""

    input_shapes = {4: "(N, C, H, W)"}


class LayerNorm(Module):
    """Normalization of each sample over its trailing `normalized_shape` dimensions, as `torch.nn.LayerNorm`;
    weight and bias have shape `normalized_shape`."""

    weight: Parameter | None
    bias: Parameter | None

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = tuple(positive_int("LayerNorm", "normalized_shape", size) for size in shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start the affine part at the identity: weight ones, bias zeros."""
        _reset_affine(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        """The normalized x, of shape (*, *normalized_shape)."""
        n = len(self.normalized_shape)
        if check_input(self, x, floating=True).ndim < n or x.shape[x.ndim - n:] != self.normalized_shape:
            raise ValueError(f"{describe(self)}: expected an input of shape "
                             f"(*, {', '.join(map(str, self.normalized_shape))}), got shape {x.shape}")
        y = x.layernorm(axis=tuple(range(-n, 0)), eps=self.eps)
        return _scale_shift(y, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalization of each sample over groups of num_channels / num_groups channels, as
    `torch.nn.GroupNorm`; weight and bias are per channel. Inputs are (N, C, *)."""

    weight: Parameter | None
    bias: Parameter | None

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: DType | None = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_groups = positive_int("GroupNorm", "num_groups", num_groups)
        self.num_channels = positive_int("GroupNorm", "num_channels", num_channels)
        divisible("GroupNorm", "num_channels", num_channels, "num_groups", num_groups)
        self.eps = eps
        self.affine = affine
        _register_affine(self, (num_channels,), affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start the affine part at the identity: weight ones, bias zeros."""
        _reset_affine(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        """The normalized x, (N, C, *)."""
        check_input(self, x, range(2, 64), "(N, C, *)", floating=True)
        check_size(self, x, 1, self.num_channels, "channels")
        # A group's channels and positions are contiguous once (N, C, *) is viewed as (N, G, -1).
        y = x.reshape(x.shape[0], self.num_groups, -1).layernorm(axis=-1, eps=self.eps).reshape(x.shape)
        channel_shape = (self.num_channels, *[1] * (x.ndim - 2))
        weight = None if self.weight is None else self.weight.reshape(channel_shape)
        bias = None if self.bias is None else self.bias.reshape(channel_shape)
        return _scale_shift(y, weight, bias)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


def _scale_shift(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias
