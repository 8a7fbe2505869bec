"""Normalizations with torch.nn.functional's signatures: `layer_norm`, `batch_norm`, `instance_norm`,
`group_norm`, `rms_norm` and `local_response_norm`.

Top layer (`edugrad.nn`). Each one brings x to zero mean and unit variance over some axes,
(x - mean) / sqrt(var + eps) with the biased variance, then scales and shifts it per feature by weight and
bias; they differ in the axes (see the layers in `edugrad.nn.normalization`). The statistics are Tensor
expressions of x, so gradients flow through them, as in PyTorch. `batch_norm` and `instance_norm` update the
running statistics they are given in place, like PyTorch: running = (1 - momentum) * running + momentum *
batch, with the unbiased variance.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.nn.functional._common import int_arg, number_arg, tensor_arg
from edugrad.tensor import Tensor, dtypes, finfo, no_grad


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple[int, ...]) -> Tensor:
    """y * weight + bias, weight and bias viewed as `shape` so they broadcast over y."""
    if weight is not None:
        y = y * weight.reshape(shape)
    return y if bias is None else y + bias.reshape(shape)


def _check_per_channel(op: str, channels: int, **tensors: Tensor | None) -> None:
    for name, t in tensors.items():
        if t is not None and tensor_arg(op, name, t).shape != (channels,):
            raise ValueError(f"{op}: {name} must have shape ({channels},), one value per channel, got {t.shape}")


def _normalized_dims(op: str, x: Tensor, normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    """The trailing dims that `normalized_shape` names, after checking that x ends in that shape."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(shape)
    if x.ndim < n or x.shape[x.ndim - n:] != shape:
        raise ValueError(f"{op}: given normalized_shape={list(shape)}, expected an input of shape "
                         f"(*, {', '.join(map(str, shape))}), got {x.shape}")
    return tuple(range(-n, 0))


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Each sample normalized over its trailing `normalized_shape` dims, then weight * y + bias (both of
    normalized_shape)."""
    x = tensor_arg("layer_norm", "input", input)
    dims = _normalized_dims("layer_norm", x, normalized_shape)
    shape = x.shape[x.ndim - len(dims):]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tensor_arg("layer_norm", name, t).shape != shape:
            raise ValueError(f"layer_norm: {name} must have the normalized shape {shape}, got {t.shape}")
    return _affine(x.layernorm(axis=dims, eps=eps), weight, bias, shape)


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the trailing `normalized_shape` dims, times weight (no centring). eps
    defaults to float32's machine epsilon (float64's for a float64 input), as PyTorch's does."""
    x = tensor_arg("rms_norm", "input", input)
    dims = _normalized_dims("rms_norm", x, normalized_shape)
    if eps is None:
        # PyTorch computes float16 and bfloat16 in float32 and takes float32's epsilon then, not the input
        # dtype's that its documentation names (float16's 2^-10 would swamp a small mean of squares).
        eps = finfo(dtypes.float64 if x.dtype == dtypes.float64 else dtypes.float32).eps
    # Half precision is computed in float32 too: 1 / sqrt(eps) overflows float16's gradient at a row of zeros.
    wide = x.float() if x.dtype.itemsize == 2 else x
    y = wide * ((wide * wide).mean(dims, keepdim=True) + eps).rsqrt()
    y = y if wide is x else y.cast(x.dtype)
    return y if weight is None else y * tensor_arg("rms_norm", "weight", weight)


def _channel_shape(x: Tensor) -> tuple[int, ...]:
    """The shape that broadcasts one value per channel over an (N, C, *) input."""
    return (x.shape[1],) + (1,) * (x.ndim - 2)


def _update_running(running_mean: Tensor | None, running_var: Tensor | None, mean: Tensor, var: Tensor,
                    count: int, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch, in place and unrecorded; the variance that goes
    in is the unbiased one (var * n / (n - 1))."""
    with no_grad():
        if running_mean is not None:
            running_mean.copy_(running_mean * (1 - momentum) + mean.detach() * momentum)
        if running_var is not None:
            running_var.copy_(running_var * (1 - momentum) + var.detach() * (momentum * count / (count - 1)))


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Each channel (dim 1) of an (N, C, *) input normalized: in training with the batch's statistics (over N
    and all positions), which also update the running ones; otherwise with the running statistics."""
    x = tensor_arg("batch_norm", "input", input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, *), got {x.shape}")
    channels = x.shape[1]
    _check_per_channel("batch_norm", channels, running_mean=running_mean, running_var=running_var, weight=weight,
                       bias=bias)
    momentum = number_arg("batch_norm", "momentum", momentum)
    if training:
        count = x.numel() // channels
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of "
                             f"shape {x.shape}")
        axes = (0, *range(2, x.ndim))
        mean, var = x.mean(axes), x.var(axes, correction=0)
        _update_running(running_mean, running_var, mean, var, count, momentum)
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var must be given in evaluation mode "
                         "(training=False)")
    else:
        mean, var = running_mean, running_var
    return x.batchnorm(weight, bias, mean, (var + eps).rsqrt())


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Each channel of each sample of an (N, C, *) input normalized over its positions. With running
    statistics and use_input_stats, they are updated with the batch means of the instance statistics; with
    use_input_stats=False the running statistics are used instead."""
    x = tensor_arg("instance_norm", "input", input)
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *) with positions, got {x.shape}")
    _check_per_channel("instance_norm", x.shape[1], running_mean=running_mean, running_var=running_var,
                       weight=weight, bias=bias)
    shape = _channel_shape(x)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
        y = (x - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
        return _affine(y, weight, bias, shape)
    count = x.numel() // (x.shape[0] * x.shape[1])
    if count <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element per channel, got input of shape "
                         f"{x.shape}")
    axes = tuple(range(2, x.ndim))
    if running_mean is not None or running_var is not None:
        _update_running(running_mean, running_var, x.mean(axes).mean(0), x.var(axes, correction=0).mean(0), count,
                        number_arg("instance_norm", "momentum", momentum))
    return _affine(x.layernorm(axis=axes, eps=eps), weight, bias, shape)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Each sample of an (N, C, *) input normalized over groups of C / num_groups channels (and their
    positions), then a per-channel weight and bias."""
    x = tensor_arg("group_norm", "input", input)
    groups = int_arg("group_norm", "num_groups", num_groups, low=1)
    if x.ndim < 2 or x.shape[1] % groups:
        raise ValueError(f"group_norm: expected an input (N, C, *) with C divisible by num_groups={groups}, got "
                         f"{x.shape}")
    _check_per_channel("group_norm", x.shape[1], weight=weight, bias=bias)
    # A group's channels and positions are contiguous once (N, C, *) is viewed as (N, G, -1).
    y = x.reshape(x.shape[0], groups, -1).layernorm(axis=-1, eps=eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x))


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta (AlexNet's normalization), on an
    (N, C, *) input; the window runs from c - size // 2 to c + (size - 1) // 2, with zeros beyond the ends."""
    x = tensor_arg("local_response_norm", "input", input)
    size = int_arg("local_response_norm", "size", size, low=1)
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: expected an input of 3 or more dimensions (N, C, *), got {x.shape}")
    channels = x.shape[1]
    padding: list[tuple[int, int] | None] = [None] * x.ndim
    padding[1] = (size // 2, (size - 1) // 2)
    squares = (x * x).pad(padding)
    window = squares[:, 0:channels]
    for offset in range(1, size):  # the window's sum, one shifted copy per neighbour
        window = window + squares[:, offset:offset + channels]
    return x / (window * (alpha / size) + k) ** beta


__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm", "rms_norm"]
