"""`Unfold` and `Fold`: an image's sliding windows as columns (im2col) and back (col2im), as in `torch.nn`.

Top layer (`edugrad.nn`), module wrappers of `F.unfold` and `F.fold`. Unfold turns (N, C, H, W) into
(N, C * kh * kw, L), one column per window position; a convolution is then a matrix product with the flattened
weight. Fold sums columns back into an image, adding where windows overlap, so it is Unfold's adjoint.
"""

from __future__ import annotations

from edugrad.nn import functional as F
from edugrad.nn._checks import IntTuple, check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Fold", "Unfold"]


def _window_repr(module: Fold | Unfold) -> str:
    return (f"kernel_size={module.kernel_size}, dilation={module.dilation}, padding={module.padding}, "
            f"stride={module.stride}")


class Unfold(Module):
    """The sliding windows of (N, C, H, W) as the columns of (N, C * prod(kernel_size), L), as
    `torch.nn.Unfold`."""

    def __init__(self, kernel_size: IntTuple, dilation: IntTuple = 1, padding: IntTuple = 0,
                 stride: IntTuple = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        """The columns of the input's windows."""
        return F.unfold(check_input(self, input), self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return _window_repr(self)


class Fold(Module):
    """Columns (N, C * prod(kernel_size), L) summed back into (N, C, *output_size), as `torch.nn.Fold`."""

    def __init__(self, output_size: IntTuple, kernel_size: IntTuple, dilation: IntTuple = 1, padding: IntTuple = 0,
                 stride: IntTuple = 1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        """The image the columns make."""
        return F.fold(check_input(self, input), self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, {_window_repr(self)}"
