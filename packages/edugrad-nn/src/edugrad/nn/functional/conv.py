"""Convolutions with torch.nn.functional's signatures: `conv1d`, `conv2d`, `conv3d`, `conv_transpose1d`,
`conv_transpose2d`, `conv_transpose3d`, and the window ops `unfold` (im2col) and `fold` (col2im).

Top layer (`edugrad.nn`). Each is the N-d op of `edugrad.tensor.windows` with the number of spatial axes fixed
(the 2-d ones are also the Tensor methods `conv2d`, `conv_transpose2d`, `im2col` and `col2im`), so 1-, 2- and
3-d share one mechanism: the windows as a view, a convolution as one batched GEMM.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.nn.functional._common import tensor_arg
from edugrad.tensor import Tensor
from edugrad.tensor import windows

Size = int | Sequence[int]


def _conv(op: str, n: int, input: Tensor, weight: Tensor, bias: Tensor | None, stride: Size,
          padding: Size | str, dilation: Size, groups: int) -> Tensor:
    x, w = tensor_arg(op, "input", input), tensor_arg(op, "weight", weight)
    return windows.conv(x, w, bias, stride, padding, dilation, groups, n, op)


def _conv_transpose(op: str, n: int, input: Tensor, weight: Tensor, bias: Tensor | None, stride: Size,
                    padding: Size, output_padding: Size, groups: int, dilation: Size) -> Tensor:
    x, w = tensor_arg(op, "input", input), tensor_arg(op, "weight", weight)
    return windows.conv_transpose(x, w, bias, stride, padding, output_padding, groups, dilation, n, op)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size = 1,
           padding: Size | str = 0, dilation: Size = 1, groups: int = 1) -> Tensor:
    """1-d convolution (cross-correlation) of an (N, C, L) or (C, L) input with an (F, C / groups, K) weight;
    padding is an int, "valid" or "same"."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size = 1,
           padding: Size | str = 0, dilation: Size = 1, groups: int = 1) -> Tensor:
    """2-d convolution (cross-correlation) of an (N, C, H, W) or (C, H, W) input with an
    (F, C / groups, KH, KW) weight; padding is an int, a pair, "valid" or "same"."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size = 1,
           padding: Size | str = 0, dilation: Size = 1, groups: int = 1) -> Tensor:
    """3-d convolution (cross-correlation) of an (N, C, D, H, W) or (C, D, H, W) input with an
    (F, C / groups, KD, KH, KW) weight; padding is an int, a triple, "valid" or "same"."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size = 1,
                     padding: Size = 0, output_padding: Size = 0, groups: int = 1, dilation: Size = 1) -> Tensor:
    """The transposed 1-d convolution (the adjoint of conv1d) of an (N, C, L) or (C, L) input with a
    (C, F / groups, K) weight."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size = 1,
                     padding: Size = 0, output_padding: Size = 0, groups: int = 1, dilation: Size = 1) -> Tensor:
    """The transposed 2-d convolution (the adjoint of conv2d, used to upsample) of an (N, C, H, W) or
    (C, H, W) input with a (C, F / groups, KH, KW) weight."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Size = 1,
                     padding: Size = 0, output_padding: Size = 0, groups: int = 1, dilation: Size = 1) -> Tensor:
    """The transposed 3-d convolution (the adjoint of conv3d) of an (N, C, D, H, W) or (C, D, H, W) input with
    a (C, F / groups, KD, KH, KW) weight."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def unfold(input: Tensor, kernel_size: Size, dilation: Size = 1, padding: Size = 0, stride: Size = 1) -> Tensor:
    """The sliding windows of an (N, C, H, W) or (C, H, W) input as columns: (N, C * KH * KW, L), L the number
    of windows (im2col)."""
    return windows.im2col(tensor_arg("unfold", "input", input), kernel_size, dilation, padding, stride, 2,
                          "unfold")


def fold(input: Tensor, output_size: Size, kernel_size: Size, dilation: Size = 1, padding: Size = 0,
         stride: Size = 1) -> Tensor:
    """The inverse arrangement of unfold: columns (N, C * KH * KW, L) summed back into an (N, C, *output_size)
    image, overlapping windows adding up (col2im)."""
    return windows.col2im(tensor_arg("fold", "input", input), output_size, kernel_size, dilation, padding, stride, 2,
                          "fold")


__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "fold",
           "unfold"]
