"""`PixelShuffle`, `PixelUnshuffle` and `ChannelShuffle`: move values between the channels and the positions
of an image, as in `torch.nn`.

Top layer (`edugrad.nn`), module wrappers of the `nn.functional` shuffles (reshapes and permutations, so their
gradients are permutations too). PixelShuffle turns (N, C * r^2, H, W) into (N, C, H * r, W * r): each group of
r^2 channels becomes an r x r block of pixels, the sub-pixel convolution of super-resolution networks;
PixelUnshuffle is its inverse, and ChannelShuffle interleaves the channels of `groups` groups (ShuffleNet).
"""

from __future__ import annotations

from edugrad.nn import functional as F
from edugrad.nn._checks import check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["ChannelShuffle", "PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """(*, C * r^2, H, W) to (*, C, H * r, W * r) with r = upscale_factor, as `torch.nn.PixelShuffle`."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        """The shuffled input."""
        return F.pixel_shuffle(check_input(self, input), self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) to (*, C * r^2, H, W) with r = downscale_factor, as `torch.nn.PixelUnshuffle`."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        """The unshuffled input."""
        return F.pixel_unshuffle(check_input(self, input), self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave the channels of `groups` groups of (N, C, *), as `torch.nn.ChannelShuffle`."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        """The input with its channels shuffled."""
        return F.channel_shuffle(check_input(self, input), self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
