"""Parameter initialisation with PyTorch's defaults, so a fresh edugrad layer is distributed like its twin.

Top layer (`edugrad.nn`). PyTorch's layers initialise their weights with `kaiming_uniform_(w, a=sqrt(5))`:
the bound of that uniform distribution is gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + a**2)) =
sqrt(1/3), which simplifies to 1 / sqrt(fan_in); their biases use the same bound. `fan_in` is the number of
inputs that feed one output: `in_features` for Linear, `in_channels / groups * kh * kw` for Conv2d.
Attention projections use Xavier (Glorot) initialisation instead, whose bound sqrt(6 / (fan_in + fan_out))
keeps the variance of activations and of gradients equal on the way forward and back.
"""

from __future__ import annotations

from math import prod, sqrt

from edugrad.tensor import Tensor

__all__ = ["fan_in_bound", "fans", "uniform", "xavier_uniform"]


def uniform(shape: tuple[int, ...], bound: float) -> Tensor:
    """A new parameter (leaf, requires_grad) drawn uniformly from [-bound, bound)."""
    return Tensor.uniform(*shape, low=-bound, high=bound).requires_grad_()


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight laid out as PyTorch's: (out, in, *kernel)."""
    receptive = prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def fan_in_bound(fan_in: int) -> float:
    """PyTorch's default bound 1 / sqrt(fan_in) (0 for a layer without inputs)."""
    return 1 / sqrt(fan_in) if fan_in > 0 else 0.0


def xavier_uniform(shape: tuple[int, ...]) -> Tensor:
    """A new parameter drawn from Xavier's uniform distribution, bound sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return uniform(shape, sqrt(6 / (fan_in + fan_out)))
