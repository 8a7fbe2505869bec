"""`Linear` (a fully connected layer) and `Identity`.

Top layer (`edugrad.nn`). `Linear` stores its weight as PyTorch does, (out_features, in_features), so its
state dict is interchangeable with `torch.nn.Linear`'s; the Tensor op `linear` takes the weight as
(in_features, out_features), as in `x @ W + b`, hence the transpose in `forward` (a free view).
"""

from __future__ import annotations

from typing import Any

from edugrad.nn import init
from edugrad.nn._checks import check_input, check_size, positive_int
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Identity", "Linear"]


class Identity(Module):
    """Returns its input unchanged; a placeholder where a layer is optional. Arguments are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        """`x` itself."""
        return x


class Linear(Module):
    """y = x W^T + b over the last dimension of x, as `torch.nn.Linear`: weight (out_features, in_features)
    and bias (out_features,), both uniform on [-1/sqrt(in_features), 1/sqrt(in_features)]."""

    weight: Tensor
    bias: Tensor | None

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features = positive_int("Linear", "in_features", in_features, allow_zero=True)
        self.out_features = positive_int("Linear", "out_features", out_features, allow_zero=True)
        bound = init.fan_in_bound(in_features)
        self.weight = init.uniform((out_features, in_features), bound)
        self.bias = init.uniform((out_features,), bound) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layer to x of shape (*, in_features)."""
        check_input(self, x)
        check_size(self, x, -1, self.in_features, "features")
        return x.linear(self.weight.T, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
