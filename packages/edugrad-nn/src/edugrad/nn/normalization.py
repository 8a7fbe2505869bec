"""Normalization layers: `BatchNorm1d/2d/3d`, `InstanceNorm1d/2d/3d`, `LayerNorm`, `GroupNorm`, `RMSNorm` and
`LocalResponseNorm`, as in `torch.nn`.

Top layer (`edugrad.nn`), modules that own the affine weight and bias (initialised to 1 and 0) and the running
statistics, and call the functions of `nn.functional`. Each normalizes x to zero mean and unit variance over
some axes, y = (x - mean) / sqrt(var + eps), then scales and shifts it per feature. They differ in the axes:

- BatchNorm: per channel (axis 1) over the batch and all positions. In training the batch's statistics are
  used (the biased variance, dividing by n) and `F.batch_norm` folds them into running averages kept as
  buffers, `running = (1 - momentum) * running + momentum * batch` (with the unbiased variance, dividing by
  n - 1). In evaluation the running averages are used, so the output for one sample does not depend on the
  rest of its batch. `momentum=None` makes the averages cumulative (factor 1 / num_batches_tracked).
- InstanceNorm: per channel of each sample, over its positions (running statistics only if asked for).
- LayerNorm: per sample over the trailing `normalized_shape` dimensions; RMSNorm the same without centring,
  x / sqrt(mean(x^2) + eps).
- GroupNorm: per sample over groups of channels (and their positions).

Gradients flow through the batch statistics (they are Tensor expressions of x), which is what makes the
backward pass of a normalization layer match PyTorch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from edugrad.nn import functional as F
from edugrad.nn import init
from edugrad.nn._checks import check_input, check_size, describe, divisible, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, dtypes, no_grad

__all__ = [
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
    "LayerNorm", "LocalResponseNorm", "RMSNorm",
]


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


def _normalized_shape(owner: str, normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return tuple(positive_int(owner, "normalized_shape", size) for size in shape)


class _NormBase(Module):
    """What BatchNorm and InstanceNorm share: per-channel affine parameters and, if tracked, the running mean
    and variance and the number of batches seen, as buffers. Subclasses fix which input shapes are accepted."""

    input_shapes: ClassVar[dict[int, str]]  # accepted ndim -> how that input is described
    weight: Parameter | None
    bias: Parameter | None
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(self, num_features: int, eps: float, momentum: float | None, affine: bool,
                 track_running_stats: bool, device: Any, dtype: DType | None, bias: bool) -> None:
        super().__init__()
        self.num_features = positive_int(type(self).__name__, "num_features", num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, (num_features,), affine, bias, device, dtype)
        tracked = track_running_stats
        for name, shape, kind in (("running_mean", num_features, dtype), ("running_var", num_features, dtype),
                                  ("num_batches_tracked", (), dtypes.int64)):
            self.register_buffer(name, Tensor.zeros(shape, dtype=kind, device=device) if tracked else None)
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

    def _checked(self, input: Tensor) -> Tensor:
        """The input, if it has one of the accepted shapes, a floating-point dtype (checked before any running
        statistic is touched) and num_features channels."""
        check_input(self, input, tuple(self.input_shapes), " or ".join(self.input_shapes.values()), floating=True)
        check_size(self, input, self._channel_axis(input), self.num_features, "channels")
        return input

    def _channel_axis(self, input: Tensor) -> int:
        return 1

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """BatchNorm over axis 1."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: DType | None = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias)

    def _momentum(self) -> float:
        """The factor of this step's running average: momentum, or 1 / num_batches_tracked for the cumulative
        average (momentum=None); each training step counts one batch."""
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                return 1.0 / self.num_batches_tracked.item()
        return 0.0 if self.momentum is None else self.momentum

    def forward(self, input: Tensor) -> Tensor:
        """The normalized input: batch statistics in training (or without running statistics), running ones in
        evaluation."""
        x = self._checked(input)
        factor = self._momentum()
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats  # the running statistics to read or update
        return F.batch_norm(x, self.running_mean if keep else None, self.running_var if keep else None, self.weight,
                            self.bias, batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, as `torch.nn.BatchNorm1d`."""

    input_shapes = {2: "(N, C)", 3: "(N, C, L)"}


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, as `torch.nn.BatchNorm2d`."""

    input_shapes = {4: "(N, C, H, W)"}


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) inputs, as `torch.nn.BatchNorm3d`."""

    input_shapes = {5: "(N, C, D, H, W)"}


class _InstanceNorm(_NormBase):
    """InstanceNorm: each channel of each sample normalized over its positions. An unbatched input (one
    dimension less) is normalized as a batch of one."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: DType | None = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias)

    def _channel_axis(self, input: Tensor) -> int:
        return 1 if input.ndim == max(self.input_shapes) else 0  # an unbatched input starts with its channels

    def forward(self, input: Tensor) -> Tensor:
        """The normalized input: the instance statistics in training (or without running statistics), the
        running ones in evaluation."""
        x = self._checked(input)
        batched = x.ndim == max(self.input_shapes)
        # As in PyTorch, InstanceNorm counts no batches and has no cumulative average: momentum=None keeps the
        # running statistics where they are.
        factor = 0.0 if self.momentum is None else self.momentum
        out = F.instance_norm(x if batched else x.unsqueeze(0), self.running_mean, self.running_var, self.weight,
                              self.bias, self.training or not self.track_running_stats, factor, self.eps)
        return out if batched else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or (C, L) inputs, as `torch.nn.InstanceNorm1d`."""

    input_shapes = {2: "(C, L)", 3: "(N, C, L)"}


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W) inputs, as `torch.nn.InstanceNorm2d`."""

    input_shapes = {3: "(C, H, W)", 4: "(N, C, H, W)"}


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of (N, C, D, H, W) or (C, D, H, W) inputs, as `torch.nn.InstanceNorm3d`."""

    input_shapes = {4: "(C, D, H, W)", 5: "(N, C, D, H, W)"}


class _TrailingNorm(Module):
    """A normalization over the trailing `normalized_shape` dimensions of each sample (LayerNorm, RMSNorm)."""

    normalized_shape: tuple[int, ...]

    def _checked(self, input: Tensor) -> Tensor:
        n = len(self.normalized_shape)
        if check_input(self, input, floating=True).ndim < n or input.shape[input.ndim - n:] != self.normalized_shape:
            raise ValueError(f"{describe(self)}: expected an input of shape "
                             f"(*, {', '.join(map(str, self.normalized_shape))}), got shape {input.shape}")
        return input


class LayerNorm(_TrailingNorm):
    """Normalization of each sample over its trailing `normalized_shape` dimensions, as `torch.nn.LayerNorm`;
    weight and bias have shape `normalized_shape`."""

    weight: Parameter | None
    bias: Parameter | None

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        self.normalized_shape = _normalized_shape("LayerNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start the affine part at the identity: weight ones, bias zeros."""
        _reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        """The normalized input, of shape (*, *normalized_shape)."""
        return F.layer_norm(self._checked(input), self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(_TrailingNorm):
    """x / sqrt(mean(x^2) + eps) over the trailing `normalized_shape` dimensions, times a weight, as
    `torch.nn.RMSNorm`; eps=None is float32's machine epsilon (float64's for a float64 input), as in PyTorch."""

    weight: Parameter | None

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        self.normalized_shape = _normalized_shape("RMSNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, False, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start the weight at ones."""
        _reset_affine(self.weight, None)

    def forward(self, x: Tensor) -> Tensor:  # (torch's RMSNorm names its input x)
        """The normalized input, of shape (*, *normalized_shape)."""
        return F.rms_norm(self._checked(x), self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


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

    def forward(self, input: Tensor) -> Tensor:
        """The normalized input, (N, C, *)."""
        check_input(self, input, range(2, 64), "(N, C, *)", floating=True)
        check_size(self, input, 1, self.num_channels, "channels")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Each channel divided by (k + alpha / size * sum of squares over `size` neighbouring channels)^beta, as
    `torch.nn.LocalResponseNorm` (AlexNet's normalization); no parameters."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        """The normalized input, (N, C, *)."""
        return F.local_response_norm(check_input(self, input), self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
