"""`Linear` (a fully connected layer), `Bilinear` and `Identity`.

Top layer (`edugrad.nn`), modules that own a weight and a bias and call `F.linear` / `F.bilinear`. `Linear`
stores its weight as PyTorch does, (out_features, in_features), so its state dict is interchangeable with
`torch.nn.Linear`'s, and initialises it as PyTorch does (`reset_parameters`): weight and bias uniform within
1 / sqrt(in_features). `NonDynamicallyQuantizableLinear` is PyTorch's name for the output projection of
`MultiheadAttention` (a marker for its quantizer), so that the attention layer prints as torch's.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn import functional as F
from edugrad.nn._checks import check_input, check_size, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, default_init_, empty_parameter
from edugrad.tensor import DType, Tensor

__all__ = ["Bilinear", "Identity", "Linear"]  # and NonDynamicallyQuantizableLinear, which torch.nn does not export


class Identity(Module):
    """Returns its input unchanged; a placeholder where a layer is optional. Arguments are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """`input` itself."""
        return input


class Linear(Module):
    """y = x W^T + b over the last dimension of x, as `torch.nn.Linear`: weight (out_features, in_features)
    and bias (out_features,), both uniform within 1 / sqrt(in_features)."""

    weight: Parameter
    bias: Parameter | None

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        self.in_features = positive_int("Linear", "in_features", in_features, allow_zero=True)
        self.out_features = positive_int("Linear", "out_features", out_features, allow_zero=True)
        self.weight = empty_parameter((out_features, in_features), device, dtype)
        self.register_parameter("bias", empty_parameter((out_features,), device, dtype) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights and bias as PyTorch does: uniform within 1 / sqrt(in_features)."""
        default_init_(self.weight, self.bias, self.in_features)

    def forward(self, input: Tensor) -> Tensor:
        """Apply the layer to an input of shape (*, in_features)."""
        check_input(self, input)
        check_size(self, input, -1, self.in_features, "features")
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under the name PyTorch gives MultiheadAttention's `out_proj`; nothing else differs."""


class Bilinear(Module):
    """y_k = x1^T A_k x2 + b_k, as `torch.nn.Bilinear`: weight (out_features, in1_features, in2_features)
    and bias (out_features,), both uniform within 1 / sqrt(in1_features)."""

    weight: Parameter
    bias: Parameter | None

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        self.in1_features = positive_int("Bilinear", "in1_features", in1_features)
        self.in2_features = positive_int("Bilinear", "in2_features", in2_features)
        self.out_features = positive_int("Bilinear", "out_features", out_features)
        self.weight = empty_parameter((out_features, in1_features, in2_features), device, dtype)
        self.register_parameter("bias", empty_parameter((out_features,), device, dtype) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight and bias uniform within 1 / sqrt(in1_features), as PyTorch draws them."""
        default_init_(self.weight, self.bias, self.in1_features)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        """The bilinear form of input1 (*, in1_features) and input2 (*, in2_features): (*, out_features)."""
        check_size(self, check_input(self, input1), -1, self.in1_features, "features of input1")
        check_size(self, check_input(self, input2), -1, self.in2_features, "features of input2")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
