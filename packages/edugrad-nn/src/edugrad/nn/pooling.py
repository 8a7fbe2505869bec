"""`MaxPool2d` and `AvgPool2d`: downsample each channel of an (N, C, H, W) input by a window reduction.

Top layer (`edugrad.nn`), module wrappers of the Tensor ops `max_pool2d` and `avg_pool2d`; they hold no
parameters. `stride` defaults to the kernel size (non-overlapping windows), as in PyTorch.
"""

from __future__ import annotations

from edugrad.nn._checks import IntPair, check_input, pair
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["AvgPool2d", "MaxPool2d"]


class _Pool2d(Module):
    """What both pools share: the window arguments, the input check and the repr."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None, padding: IntPair) -> None:
        super().__init__()
        owner = type(self).__name__
        stride = kernel_size if stride is None else stride
        # Checked as pairs but kept as given, because PyTorch's repr shows them so (`kernel_size=2`).
        pair(owner, "kernel_size", kernel_size)
        pair(owner, "stride", stride)
        pair(owner, "padding", padding, allow_zero=True)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x: Tensor) -> Tensor:
        """The pooled x, (N, C, H_out, W_out) or (C, H_out, W_out)."""
        return self._pool(check_input(self, x, (3, 4), "(N, C, H, W) or (C, H, W)"))

    def _pool(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each (dilated) kernel_size window, as `torch.nn.MaxPool2d`; padding counts as -inf."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
                 dilation: IntPair = 1) -> None:
        super().__init__(kernel_size, stride, padding)
        pair("MaxPool2d", "dilation", dilation)
        self.dilation = dilation

    def _pool(self, x: Tensor) -> Tensor:
        return x.max_pool2d(self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, dilation={self.dilation}"


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window, as `torch.nn.AvgPool2d`; with `count_include_pad` (the default)
    padded zeros count in the divisor."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def _pool(self, x: Tensor) -> Tensor:
        return x.avg_pool2d(self.kernel_size, self.stride, self.padding, self.count_include_pad)
