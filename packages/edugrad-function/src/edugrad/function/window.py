"""Sliding-window Functions: `Unfold` (im2col) and its adjoint `Fold` (col2im).

Function layer (`edugrad.function`). Convolution and pooling are built on these: unfold turns an image
(N, C, H, W) into its windows (N, C, OH, OW, KH, KW) without copying; a convolution is then one matmul
over (C, KH, KW) and a pooling a max or mean over (KH, KW). Each input pixel appears in several windows, so
the gradient of unfold sums the windows' gradients back onto the image: that is exactly fold.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import TensorData
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node


class Unfold(Function):
    def forward(self, x: TensorData, kernel: Sequence[int], stride: Sequence[int],
                dilation: Sequence[int]) -> TensorData:
        self.spatial, self.stride, self.dilation = x.shape[2:], stride, dilation
        return x.unfold(kernel, stride, dilation)

    def backward(self, g: Node) -> Grads:
        return Fold.apply(g, spatial=self.spatial, stride=self.stride, dilation=self.dilation)


class Fold(Function):
    def forward(self, cols: TensorData, spatial: Sequence[int], stride: Sequence[int],
                dilation: Sequence[int]) -> TensorData:
        n = len(spatial)
        self.kernel, self.stride, self.dilation = cols.shape[2 + n:], stride, dilation
        return cols.fold(spatial, stride, dilation)

    def backward(self, g: Node) -> Grads:
        # Fold sums windows, so its adjoint reads every window back out: unfold.
        return Unfold.apply(g, kernel=self.kernel, stride=self.stride, dilation=self.dilation)
