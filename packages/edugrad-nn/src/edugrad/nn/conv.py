"""`Conv2d` and `ConvTranspose2d`: 2-D (transposed) convolution layers with PyTorch's weight layouts.

Top layer (`edugrad.nn`), wrappers of the Tensor ops `conv2d` and `conv_transpose2d` that own the weight and
bias. Layouts, as in PyTorch (so state dicts are interchangeable):

- Conv2d weight: (out_channels, in_channels / groups, kh, kw)
- ConvTranspose2d weight: (in_channels, out_channels / groups, kh, kw), because a transposed convolution is
  the backward pass (the adjoint) of a convolution from out_channels to in_channels.

Both initialise weight and bias uniformly on [-1/sqrt(fan_in), 1/sqrt(fan_in)], where PyTorch computes fan_in
from dimension 1 of the weight times the kernel size (see `edugrad.nn.init`). Inputs are (N, C, H, W), or
(C, H, W) for a single unbatched image.
"""

from __future__ import annotations

import math
from typing import Any

from edugrad.nn._checks import IntPair, check_input, check_size, choice, divisible, pair, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, default_init_, empty_parameter
from edugrad.tensor import DType, Tensor

__all__ = ["Conv2d", "ConvTranspose2d"]


class _ConvNd(Module):
    """What both convolutions share: argument checks, parameters, the input check and the repr."""

    weight: Parameter
    bias: Parameter | None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair,
                 padding: tuple[int, int] | str, dilation: IntPair, groups: int, bias: bool, transposed: bool,
                 output_padding: IntPair, device: Any, dtype: DType | None) -> None:
        super().__init__()
        owner = type(self).__name__
        self.in_channels = positive_int(owner, "in_channels", in_channels)
        self.out_channels = positive_int(owner, "out_channels", out_channels)
        self.groups = positive_int(owner, "groups", groups)
        divisible(owner, "in_channels", in_channels, "groups", groups)
        divisible(owner, "out_channels", out_channels, "groups", groups)
        self.kernel_size = pair(owner, "kernel_size", kernel_size)
        self.stride = pair(owner, "stride", stride)
        self.padding = padding
        self.dilation = pair(owner, "dilation", dilation)
        self.output_padding = pair(owner, "output_padding", output_padding, allow_zero=True)
        channels = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = empty_parameter((*channels, *self.kernel_size), device, dtype)
        self.register_parameter("bias", empty_parameter((out_channels,), device, dtype) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights and bias as PyTorch does: uniform within 1 / sqrt(fan_in), where fan_in is
        dimension 1 of the weight times the kernel size."""
        default_init_(self.weight, self.bias, self.weight.shape[1] * math.prod(self.kernel_size))

    def forward(self, x: Tensor) -> Tensor:
        """The convolution of x, (N, in_channels, H, W) or (C, H, W)."""
        check_input(self, x, (3, 4), "(N, C, H, W) or (C, H, W)")
        check_size(self, x, -3, self.in_channels, "channels")
        return self._convolve(x)

    def _convolve(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text if self.bias is not None else text + ", bias=False"


class Conv2d(_ConvNd):
    """2-D convolution over (N, in_channels, H, W), as `torch.nn.Conv2d`. `padding` is an int, a pair
    (ph, pw), "valid" (none) or "same" (output size = input size; stride 1 only)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
                 padding: IntPair | str = 0, dilation: IntPair = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: DType | None = None) -> None:
        explicit = (choice("Conv2d", "padding", padding, ("same", "valid")) if isinstance(padding, str)
                    else pair("Conv2d", "padding", padding, allow_zero=True))
        super().__init__(in_channels, out_channels, kernel_size, stride, explicit, dilation, groups, bias,
                         transposed=False, output_padding=0, device=device, dtype=dtype)
        self.padding_mode = choice("Conv2d", "padding_mode", padding_mode, ("zeros",))
        if self.padding == "same" and self.stride != (1, 1):
            raise ValueError(f"Conv2d: padding='same' is only supported with stride 1, got stride {self.stride}")

    def _convolve(self, x: Tensor) -> Tensor:
        return x.conv2d(self.weight, self.bias, stride=self.stride, padding=self.padding, dilation=self.dilation,
                        groups=self.groups)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution ("deconvolution"), as `torch.nn.ConvTranspose2d`: the gradient of a Conv2d
    with respect to its input, used to upsample. `output_padding` adds rows/columns on one side of the output
    to pick among the input sizes that a strided Conv2d maps to the same size."""

    padding: tuple[int, int]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
                 padding: IntPair = 0, output_padding: IntPair = 0, groups: int = 1, bias: bool = True,
                 dilation: IntPair = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride,
                         pair("ConvTranspose2d", "padding", padding, allow_zero=True), dilation, groups, bias,
                         transposed=True, output_padding=output_padding, device=device, dtype=dtype)
        self.padding_mode = choice("ConvTranspose2d", "padding_mode", padding_mode, ("zeros",))
        for name, extra, step, spacing in zip(("height", "width"), self.output_padding, self.stride,
                                              self.dilation):
            if extra >= max(step, spacing):
                raise ValueError(f"ConvTranspose2d: output_padding ({extra} for the {name}) must be smaller than "
                                 f"stride or dilation, got stride {self.stride} and dilation {self.dilation}")

    def _convolve(self, x: Tensor) -> Tensor:
        return x.conv_transpose2d(self.weight, self.bias, stride=self.stride, padding=self.padding,
                                  output_padding=self.output_padding, groups=self.groups, dilation=self.dilation)
