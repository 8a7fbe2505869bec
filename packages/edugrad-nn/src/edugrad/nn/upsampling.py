"""`Upsample`, `UpsamplingNearest2d` and `UpsamplingBilinear2d`: resize images (and sequences) to a size or by
a scale factor, as in `torch.nn`.

Top layer (`edugrad.nn`), module wrappers of `F.interpolate`: "nearest" repeats the nearest input position,
"linear" / "bilinear" weigh the two nearest positions along each axis by their distance (`align_corners=True`
maps the corner pixels onto each other; False, PyTorch's default, maps the pixels' outer edges).
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.nn import functional as F
from edugrad.nn._checks import check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]

Size = int | Sequence[int] | None
Scale = float | Sequence[float] | None


class Upsample(Module):
    """Resize the spatial dimensions of (N, C, *) inputs to `size`, or by `scale_factor`, as `torch.nn.Upsample`."""

    def __init__(self, size: Size = None, scale_factor: Scale = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size = size
        # Kept as floats, as PyTorch keeps them (its repr shows `scale_factor=2.0`).
        self.scale_factor = (None if scale_factor is None else float(scale_factor)
                             if isinstance(scale_factor, int | float) else tuple(float(s) for s in scale_factor))
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        """The resized input."""
        return F.interpolate(check_input(self, input), self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W), as `torch.nn.UpsamplingNearest2d`."""

    def __init__(self, size: Size = None, scale_factor: Scale = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with align_corners=True, as `torch.nn.UpsamplingBilinear2d`."""

    def __init__(self, size: Size = None, scale_factor: Scale = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
