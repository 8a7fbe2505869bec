"""Dropout layers: `Dropout`, `Dropout1d`, `Dropout2d`, `Dropout3d`, `AlphaDropout` and `FeatureAlphaDropout`,
as in `torch.nn`: zero random elements (or whole channels) during training, as a regulariser.

Top layer (`edugrad.nn`), modules that call the functions of `nn.functional` with their own `training` flag,
so `model.eval()` turns dropout off. Each element is zeroed with probability p and the survivors are scaled by
1 / (1 - p), so the expected value of every element is unchanged and evaluation needs no rescaling. The
channel versions drop whole channels (feature maps), whose elements are strongly correlated; alpha dropout
keeps a SELU network's mean and variance instead, setting the dropped elements to SELU's saturation value.
`inplace=True` writes the result into the input where nothing records the input for backward (see
`F.dropout`).
"""

from __future__ import annotations

from edugrad.nn import functional as F
from edugrad.nn._checks import check_input
from edugrad.nn.functional._common import number_arg
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["AlphaDropout", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    """A dropout layer: a probability p in [0, 1] and whether to write into the input."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= number_arg(type(self).__name__, "p", p) <= 1:  # (a string is a TypeError, as in torch)
            raise ValueError(f"{type(self).__name__}: dropout probability has to be between 0 and 1, but got {p!r}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability `p` in training mode, scaling the rest by 1 / (1 - p), as
    `torch.nn.Dropout`."""

    def forward(self, input: Tensor) -> Tensor:
        """The input with dropout applied (the input itself in evaluation mode)."""
        return F.dropout(check_input(self, input), self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) inputs, as `torch.nn.Dropout1d`."""

    def forward(self, input: Tensor) -> Tensor:
        """The input with dropped channels."""
        return F.dropout1d(check_input(self, input), self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs, as `torch.nn.Dropout2d`."""

    def forward(self, input: Tensor) -> Tensor:
        """The input with dropped channels."""
        return F.dropout2d(check_input(self, input), self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs, as `torch.nn.Dropout3d`."""

    def forward(self, input: Tensor) -> Tensor:
        """The input with dropped channels."""
        return F.dropout3d(check_input(self, input), self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks, keeping the mean and variance of the activations, as
    `torch.nn.AlphaDropout`."""

    def forward(self, input: Tensor) -> Tensor:
        """The input with alpha dropout applied."""
        return F.alpha_dropout(check_input(self, input), self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels, as `torch.nn.FeatureAlphaDropout`."""

    def forward(self, input: Tensor) -> Tensor:
        """The input with alpha dropout applied to whole channels."""
        return F.feature_alpha_dropout(check_input(self, input), self.p, self.training)
