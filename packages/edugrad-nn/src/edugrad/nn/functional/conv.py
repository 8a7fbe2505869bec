"""Convolutions with torch.nn.functional's signatures: `conv1d`, `conv2d`, `conv_transpose1d`,
`conv_transpose2d`, and the window ops `unfold` (im2col) and `fold` (col2im).

Top layer (`edugrad.nn`). The 2-d ops are the Tensor ops of the same names (im2col and col2im for unfold and
fold), which hold the math; a 1-d op is the 2-d one on an image of height 1 (a kernel of height 1 slides along
the width only), so it needs no math of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.nn.functional._common import tensor_arg
from edugrad.tensor import Tensor

Size1 = int | Sequence[int]
Size2 = int | Sequence[int]


def _single(op: str, name: str, value: Size1) -> int:
    """An int or a one-element sequence as an int (PyTorch accepts both for the 1-d ops)."""
    values = (value,) if isinstance(value, int) else tuple(value)
    if len(values) != 1 or not isinstance(values[0], int):
        raise ValueError(f"{op}: {name} must be an int or a one-element tuple, got {value!r}")
    return values[0]


def _check_1d(op: str, x: Tensor, weight: Tensor) -> None:
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: expected an input of shape (N, C, L) or (C, L), got {x.shape}")
    if weight.ndim != 3:
        raise ValueError(f"{op}: expected a weight of 3 dimensions (channels, channels / groups, kL), got "
                         f"{weight.shape}")


def _as_image(x: Tensor) -> Tensor:
    """(N, C, L) as (N, C, 1, L), or (C, L) as (C, 1, L): an image of height 1."""
    return x.unsqueeze(-2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size1 = 1,
           padding: Size1 | str = 0, dilation: Size1 = 1, groups: int = 1) -> Tensor:
    """1-d convolution (cross-correlation) of an (N, C, L) or (C, L) input with an (F, C / groups, K) weight;
    padding is an int, "valid" or "same"."""
    x, w = tensor_arg("conv1d", "input", input), tensor_arg("conv1d", "weight", weight)
    _check_1d("conv1d", x, w)
    pad: tuple[int, int] | str = padding if isinstance(padding, str) else (0, _single("conv1d", "padding", padding))
    out = _as_image(x).conv2d(_as_image(w), bias, stride=(1, _single("conv1d", "stride", stride)), padding=pad,
                              dilation=(1, _single("conv1d", "dilation", dilation)), groups=groups)
    return out.squeeze(-2)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size2 = 1,
           padding: Size2 | str = 0, dilation: Size2 = 1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation) of an (N, C, H, W) or (C, H, W) input with an
    (F, C / groups, KH, KW) weight; padding is an int, a pair, "valid" or "same"."""
    x, w = tensor_arg("conv2d", "input", input), tensor_arg("conv2d", "weight", weight)
    return x.conv2d(w, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size1 = 1,
                     padding: Size1 = 0, output_padding: Size1 = 0, groups: int = 1, dilation: Size1 = 1) -> Tensor:
    """The transposed 1-d convolution (the adjoint of conv1d) of an (N, C, L) or (C, L) input with a
    (C, F / groups, K) weight."""
    op = "conv_transpose1d"
    x, w = tensor_arg(op, "input", input), tensor_arg(op, "weight", weight)
    _check_1d(op, x, w)
    out = _as_image(x).conv_transpose2d(_as_image(w), bias, stride=(1, _single(op, "stride", stride)),
                                        padding=(0, _single(op, "padding", padding)),
                                        output_padding=(0, _single(op, "output_padding", output_padding)),
                                        groups=groups, dilation=(1, _single(op, "dilation", dilation)))
    return out.squeeze(-2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size2 = 1,
                     padding: Size2 = 0, output_padding: Size2 = 0, groups: int = 1, dilation: Size2 = 1) -> Tensor:
    """The transposed 2-d convolution (the adjoint of conv2d, used to upsample) of an (N, C, H, W) or
    (C, H, W) input with a (C, F / groups, KH, KW) weight."""
    x, w = tensor_arg("conv_transpose2d", "input", input), tensor_arg("conv_transpose2d", "weight", weight)
    return x.conv_transpose2d(w, bias, stride, padding, output_padding, groups, dilation)


def unfold(input: Tensor, kernel_size: Size2, dilation: Size2 = 1, padding: Size2 = 0, stride: Size2 = 1) -> Tensor:
    """The sliding windows of an (N, C, H, W) or (C, H, W) input as columns: (N, C * KH * KW, L), L the number
    of windows (im2col)."""
    return tensor_arg("unfold", "input", input).im2col(kernel_size, dilation, padding, stride)


def fold(input: Tensor, output_size: Size2, kernel_size: Size2, dilation: Size2 = 1, padding: Size2 = 0,
         stride: Size2 = 1) -> Tensor:
    """The inverse arrangement of unfold: columns (N, C * KH * KW, L) summed back into an (N, C, *output_size)
    image, overlapping windows adding up (col2im)."""
    return tensor_arg("fold", "input", input).col2im(output_size, kernel_size, dilation, padding, stride)


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "fold", "unfold"]
