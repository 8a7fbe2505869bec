"""`edugrad.nn.init`: PyTorch's initialisers, which overwrite a tensor in place with values of a chosen
distribution and return it (`nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5))`).

Top layer (`edugrad.nn`). Each one draws new values with the Tensor layer's random functions (from
`generator`, or the default stream) and copies them into the tensor under `no_grad()`, so it can be used on a
parameter that requires grad. The scale of each distribution follows from two numbers of a weight laid out
as PyTorch's, (out, in, *kernel):

- fan_in = in * prod(kernel), the number of inputs that feed one output, and fan_out = out * prod(kernel);
- the gain of the nonlinearity that follows (`calculate_gain`): an activation that halves the variance, as
  relu does, needs weights sqrt(2) times larger to keep the variance of the activations from layer to layer.

Kaiming (He) initialisation sets std = gain / sqrt(fan) (fan_in keeps the forward activations' variance,
fan_out the backward gradients'); Xavier (Glorot) takes the average of the two, std = gain * sqrt(2 / (fan_in
+ fan_out)). A uniform distribution on [-bound, bound] has std bound / sqrt(3), so its bound is sqrt(3) * std.
PyTorch's layers initialise their weights with `kaiming_uniform_(w, a=sqrt(5))`, whose bound works out to
1 / sqrt(fan_in), and their biases uniformly within the same bound.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np

from edugrad.tensor import Generator, Tensor, dtypes, no_grad

__all__ = [
    "calculate_gain", "constant_", "dirac_", "eye_", "kaiming_normal_", "kaiming_uniform_", "normal_", "ones_",
    "orthogonal_", "sparse_", "trunc_normal_", "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_",
]

_Nonlinearity = Literal["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "sigmoid")


def calculate_gain(nonlinearity: _Nonlinearity, param: int | float | None = None) -> float:
    """The factor by which to scale the weights in front of `nonlinearity` (its `nn.functional` name), so
    that the variance of the activations stays the same from layer to layer: 1 for linear layers and
    sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + negative_slope^2)) for leaky_relu (`param` is the
    slope, 0.01 by default) and 3/4 for selu."""
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is not None and (isinstance(param, bool) or not isinstance(param, int | float)):
            raise ValueError(f"negative_slope {param} not a valid number")
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # found empirically by PyTorch's authors
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _overwrite(tensor: Tensor, values: Tensor) -> Tensor:
    """Copy `values` into `tensor` in place, outside the graph; returns `tensor`."""
    with no_grad():
        tensor.copy_(values)
    return tensor


def _uniform(tensor: Tensor, low: float, high: float, generator: Generator | None) -> Tensor:
    with no_grad():
        return tensor.uniform_(low, high, generator=generator)


def _normal(tensor: Tensor, mean: float, std: float, generator: Generator | None) -> Tensor:
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill `tensor` with values drawn uniformly from [a, b)."""
    return _uniform(tensor, a, b, generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill `tensor` with values drawn from the normal distribution N(mean, std^2)."""
    return _normal(tensor, mean, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Generator | None = None) -> Tensor:
    """Fill `tensor` with values from N(mean, std^2) restricted to [a, b] (a and b are absolute bounds, not
    multiples of std).

    Inverse transform sampling: with Phi the normal CDF, u uniform on [Phi(alpha), Phi(beta)] (alpha, beta the
    bounds in standard units) gives Phi^-1(u) distributed as the truncated normal. Phi^-1(u) = sqrt(2) *
    erfinv(2u - 1), computed in float64 so that bounds far in a tail keep their precision."""
    low, high = (_normal_cdf((bound - mean) / std) for bound in (a, b))
    u = Tensor.rand(tensor.shape, generator=generator, dtype=dtypes.float64, backend=tensor.backend)
    y = u * (high - low) + low
    values = _erfinv(y * 2 - 1) * (std * math.sqrt(2.0)) + mean
    return _overwrite(tensor, values.clamp(a, b))


def _normal_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _erfinv(y: Tensor) -> Tensor:
    """erf^-1(y) for y in (-1, 1), elementwise: Winitzki's closed-form approximation (relative error below
    2e-3), refined by three Newton steps on erf(x) = y, whose derivative is 2 / sqrt(pi) * exp(-x^2)."""
    log_term = (1 - y * y).clamp(min=1e-300).log()
    first = 2 / (math.pi * 0.147) + log_term / 2
    x = y.sign() * ((first * first - log_term / 0.147).sqrt() - first).sqrt()
    for _ in range(3):
        x = x - (x.erf() - y) / ((-x * x).exp() * (2 / math.sqrt(math.pi)))
    return x


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill `tensor` with `val`."""
    with no_grad():
        tensor.fill_(val)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    """Fill `tensor` with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill `tensor` with zeros."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-d `tensor` with the identity matrix (ones on the diagonal), so that a Linear layer passes on
    as many of its inputs as it can."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = (Tensor.arange(size, backend=tensor.backend) for size in tensor.shape)
    return _overwrite(tensor, rows.unsqueeze(1) == cols)


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-d convolution weight (out, in, *kernel) with the Dirac delta: output channel d of
    each group copies input channel d at the kernel's centre, so the convolution passes its input on."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.shape[0] // groups
    out = Tensor.arange(tensor.shape[0], backend=tensor.backend).reshape(-1, *[1] * (tensor.ndim - 1))
    inputs = Tensor.arange(tensor.shape[1], backend=tensor.backend).reshape(1, -1, *[1] * (tensor.ndim - 2))
    delta = out % per_group == inputs  # channel d of every group of outputs reads input channel d
    for axis in range(2, tensor.ndim):
        size = tensor.shape[axis]
        shape = [1] * tensor.ndim
        shape[axis] = size
        delta = delta.logical_and(Tensor.arange(size, backend=tensor.backend).reshape(shape) == size // 2)
    return _overwrite(tensor, delta)


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight laid out as (out, in, *kernel). Private in torch too, under this name, but
    layers' `reset_parameters` in real programs call it, so the facade re-exports it."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill `tensor` uniformly within gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _uniform(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill `tensor` from N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot and Bengio)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return _normal(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: _Nonlinearity) -> float | None:
    """gain / sqrt(fan) of He et al. (2015), or None for a tensor without elements (nothing to fill)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: Literal["fan_in", "fan_out"] = "fan_in",
                     nonlinearity: _Nonlinearity = "leaky_relu", generator: Generator | None = None) -> Tensor:
    """Fill `tensor` uniformly within sqrt(3) * gain / sqrt(fan) (He et al., 2015); `a` is the negative slope
    of the leaky_relu that follows, `mode` chooses fan_in (forward) or fan_out (backward)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: Literal["fan_in", "fan_out"] = "fan_in",
                    nonlinearity: _Nonlinearity = "leaky_relu", generator: Generator | None = None) -> Tensor:
    """Fill `tensor` from N(0, std^2) with std = gain / sqrt(fan) (He et al., 2015)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else _normal(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill `tensor` (viewed as rows x cols, rows = its first dimension) with a random (semi-)orthogonal
    matrix times `gain` (Saxe et al., 2013): the Q of the QR decomposition of a normal random matrix, with
    the signs of R's diagonal moved onto Q's columns so that Q is uniformly distributed."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    draws = Tensor.randn(rows, cols, generator=generator, dtype=tensor.dtype, backend=tensor.backend).numpy()
    tall = draws if rows >= cols else draws.T  # QR of the tall one gives orthonormal columns
    q, r = np.linalg.qr(tall)
    q = q * np.sign(np.diag(r))
    values = Tensor(np.ascontiguousarray(q if rows >= cols else q.T), dtype=tensor.dtype, backend=tensor.backend)
    values = values.reshape(tensor.shape)
    return _overwrite(tensor, values * gain)


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None) -> Tensor:
    """Fill a 2-d `tensor` from N(0, std^2) with ceil(sparsity * rows) zeros in every column, at rows chosen
    at random (Martens, 2010). The rows to zero are those whose random rank within their column (the argsort of
    uniform noise, argsorted again) is below that count: a uniformly random subset for each column."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    zeros = int(math.ceil(sparsity * rows))
    noise = Tensor.rand(rows, cols, generator=generator, backend=tensor.backend)
    rank = noise.argsort(dim=0).argsort(dim=0)
    return _overwrite(tensor, _normal(tensor, 0.0, std, generator).masked_fill(rank < zeros, 0.0))
