"""Convolution layers: `Conv1d`, `Conv2d`, `Conv3d`, `ConvTranspose1d`, `ConvTranspose2d` and
`ConvTranspose3d`, with PyTorch's weight layouts, arguments and initialisation.

Top layer (`edugrad.nn`), modules that own a weight and a bias and call the functions of `nn.functional`
(`F.conv2d`, `F.conv_transpose1d`, ...). Layouts, as in PyTorch (so state dicts are interchangeable):

- Conv weight: (out_channels, in_channels / groups, *kernel_size)
- ConvTranspose weight: (in_channels, out_channels / groups, *kernel_size), because a transposed convolution is
  the backward pass (the adjoint) of a convolution from out_channels to in_channels.

Both initialise weight and bias uniformly within 1 / sqrt(fan_in), where PyTorch computes fan_in from
dimension 1 of the weight times the kernel size. A `padding_mode` other than "zeros" ("reflect", "replicate",
"circular") pads the input with `F.pad` first and convolves without padding, as PyTorch does. Inputs are
(N, C, *spatial), or (C, *spatial) for a single unbatched example.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from edugrad.nn import functional as F
from edugrad.nn._checks import IntTuple, check_input, check_size, choice, divisible, int_tuple, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, default_init_, empty_parameter
from edugrad.tensor import DType, Tensor
from edugrad.tensor.windows import layout

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_CONVS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSES = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


class _ConvNd(Module):
    """What every convolution shares: argument checks, parameters, the input check and the repr. Subclasses
    fix `dims` (the number of spatial dimensions) and whether they are transposed."""

    dims: int
    transposed: bool
    weight: Parameter
    bias: Parameter | None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntTuple, stride: IntTuple,
                 padding: IntTuple | str, dilation: IntTuple, groups: int, bias: bool, padding_mode: str,
                 output_padding: IntTuple, device: Any, dtype: DType | None) -> None:
        super().__init__()
        owner, n = type(self).__name__, self.dims
        self.in_channels = positive_int(owner, "in_channels", in_channels)
        self.out_channels = positive_int(owner, "out_channels", out_channels)
        self.groups = positive_int(owner, "groups", groups)
        divisible(owner, "in_channels", in_channels, "groups", groups)
        divisible(owner, "out_channels", out_channels, "groups", groups)
        self.kernel_size = int_tuple(owner, "kernel_size", kernel_size, n)
        self.stride = int_tuple(owner, "stride", stride, n)
        self.padding: tuple[int, ...] | str = (choice(owner, "padding", padding, ("same", "valid"))
                                               if isinstance(padding, str)
                                               else int_tuple(owner, "padding", padding, n, allow_zero=True))
        self.dilation = int_tuple(owner, "dilation", dilation, n)
        self.output_padding = int_tuple(owner, "output_padding", output_padding, n, allow_zero=True)
        self.padding_mode = choice(owner, "padding_mode", padding_mode,
                                   ("zeros",) if self.transposed else _PADDING_MODES)
        if self.padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError(f"{owner}: padding='same' is only supported with stride 1, got stride {self.stride}")
        channels = ((in_channels, out_channels // groups) if self.transposed
                    else (out_channels, in_channels // groups))
        self.weight = empty_parameter((*channels, *self.kernel_size), device, dtype)
        self.register_parameter("bias", empty_parameter((out_channels,), device, dtype) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new weights and bias as PyTorch does: uniform within 1 / sqrt(fan_in), where fan_in is
        dimension 1 of the weight times the kernel size."""
        default_init_(self.weight, self.bias, self.weight.shape[1] * math.prod(self.kernel_size))

    def _checked(self, input: Tensor) -> Tensor:
        n = self.dims
        check_input(self, input, (n + 1, n + 2), layout(n))
        check_size(self, input, -n - 1, self.in_channels, "channels")
        return input

    def _reversed_padding_repeated_twice(self) -> list[int]:
        """The amounts of `F.pad` (last dimension first, each as left, right) for a padding_mode other than
        zeros; for "same", the left side gets the smaller half of d * (k - 1), as in PyTorch."""
        if isinstance(self.padding, tuple):
            return [side for p in reversed(self.padding) for side in (p, p)]
        if self.padding == "valid":
            return [0, 0] * self.dims
        totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
        return [side for total in reversed(totals) for side in (total // 2, total - total // 2)]

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """A convolution (not transposed): `padding` is an int, a tuple, "valid" (none) or "same" (output size =
    input size; stride 1 only)."""

    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntTuple, stride: IntTuple = 1,
                 padding: IntTuple | str = 0, dilation: IntTuple = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: DType | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """The convolution of input, (N, in_channels, *spatial) or (in_channels, *spatial)."""
        x, padding = self._checked(input), self.padding
        if self.padding_mode != "zeros":  # pad by the mode, then convolve without padding
            x, padding = F.pad(x, self._reversed_padding_repeated_twice(), mode=self.padding_mode), (0,) * self.dims
        return _CONVS[self.dims](x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """1-d convolution over (N, in_channels, L), as `torch.nn.Conv1d`."""

    dims = 1


class Conv2d(_Conv):
    """2-d convolution over (N, in_channels, H, W), as `torch.nn.Conv2d`."""

    dims = 2


class Conv3d(_Conv):
    """3-d convolution over (N, in_channels, D, H, W), as `torch.nn.Conv3d`."""

    dims = 3


class _ConvTranspose(_ConvNd):
    """A transposed convolution ("deconvolution"): the gradient of a convolution with respect to its input,
    used to upsample. `output_padding` adds rows/columns on one side of the output to pick among the input
    sizes that a strided convolution maps to the same size; `forward(input, output_size)` picks it for you."""

    transposed = True
    padding: tuple[int, ...]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntTuple, stride: IntTuple = 1,
                 padding: IntTuple = 0, output_padding: IntTuple = 0, groups: int = 1, bias: bool = True,
                 dilation: IntTuple = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: DType | None = None) -> None:
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)
        for extra, step, spacing in zip(self.output_padding, self.stride, self.dilation):
            if extra >= max(step, spacing):
                raise ValueError(f"{type(self).__name__}: output_padding {self.output_padding} must be smaller than "
                                 f"stride or dilation, got stride {self.stride} and dilation {self.dilation}")

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        """The transposed convolution of input, (N, in_channels, *spatial) or (in_channels, *spatial); with
        `output_size`, the output_padding that gives that size."""
        x = self._checked(input)
        output_padding = self.output_padding if output_size is None else self._output_padding(x, output_size)
        return _CONV_TRANSPOSES[self.dims](x, self.weight, self.bias, self.stride, self.padding, output_padding,
                                           self.groups, self.dilation)

    def _output_padding(self, x: Tensor, output_size: Sequence[int]) -> tuple[int, ...]:
        """The output_padding for which the output has the spatial `output_size` (which may include N and C).
        Without it, the output of each dimension has the smallest size (in - 1) * s - 2p + d(k - 1) + 1; it may
        grow by up to s - 1."""
        wanted = tuple(output_size)[-self.dims:] if len(output_size) > self.dims else tuple(output_size)
        inputs = x.shape[-self.dims:]
        smallest = tuple((size - 1) * s - 2 * p + d * (k - 1) + 1 for size, s, p, d, k in
                         zip(inputs, self.stride, self.padding, self.dilation, self.kernel_size))
        largest = tuple(low + s - 1 for low, s in zip(smallest, self.stride))
        if len(wanted) != self.dims or any(not low <= w <= high for w, low, high in zip(wanted, smallest, largest)):
            raise ValueError(f"{type(self).__name__}: requested an output size of {tuple(output_size)}, but valid "
                             f"sizes range from {smallest} to {largest} (for an input of {inputs})")
        return tuple(w - low for w, low in zip(wanted, smallest))


class ConvTranspose1d(_ConvTranspose):
    """1-d transposed convolution over (N, in_channels, L), as `torch.nn.ConvTranspose1d`."""

    dims = 1


class ConvTranspose2d(_ConvTranspose):
    """2-d transposed convolution over (N, in_channels, H, W), as `torch.nn.ConvTranspose2d`."""

    dims = 2


class ConvTranspose3d(_ConvTranspose):
    """3-d transposed convolution over (N, in_channels, D, H, W), as `torch.nn.ConvTranspose3d`."""

    dims = 3
