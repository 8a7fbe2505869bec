"""Padding layers, as in `torch.nn`: `ZeroPad1d/2d/3d`, `ConstantPad1d/2d/3d`, `ReflectionPad1d/2d/3d`,
`ReplicationPad1d/2d/3d` and `CircularPad1d/2d/3d`.

Top layer (`edugrad.nn`), module wrappers of `F.pad`. `padding` is an int (the same on every side) or a tuple
(left, right) for 1-d, (left, right, top, bottom) for 2-d and (left, right, top, bottom, front, back) for 3-d; "constant" fills with a value (zero for
ZeroPad), "reflect" mirrors the input at its edges, "replicate" repeats the edge and "circular" wraps around.
"""

from __future__ import annotations

from typing import ClassVar

from edugrad.nn import functional as F
from edugrad.nn._checks import IntTuple, check_input
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = [
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
]


class _PadNd(Module):
    """A padding of the last `dims` dimensions by `mode`."""

    dims: ClassVar[int]
    mode: ClassVar[str]

    def __init__(self, padding: IntTuple) -> None:
        super().__init__()
        sides = 2 * self.dims
        amounts = (padding,) * sides if isinstance(padding, int) else tuple(padding)
        if len(amounts) != sides or not all(isinstance(p, int) for p in amounts):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {sides} ints, got "
                             f"{padding!r}")
        self.padding = amounts

    def forward(self, input: Tensor) -> Tensor:
        """The padded input."""
        return F.pad(check_input(self, input), self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Padding with a constant `value`."""

    mode = "constant"

    def __init__(self, padding: IntTuple, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        """The padded input."""
        return F.pad(check_input(self, input), self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with `value`, as `torch.nn.ConstantPad1d`."""

    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with `value`, as `torch.nn.ConstantPad2d`."""

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with `value`, as `torch.nn.ConstantPad3d`."""

    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros, as `torch.nn.ZeroPad1d`."""

    extra_repr = _PadNd.extra_repr  # PyTorch shows a zero padding by its amounts alone

    def __init__(self, padding: IntTuple) -> None:
        super().__init__(padding, 0.0)


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros, as `torch.nn.ZeroPad2d`."""

    extra_repr = _PadNd.extra_repr  # PyTorch shows a zero padding by its amounts alone

    def __init__(self, padding: IntTuple) -> None:
        super().__init__(padding, 0.0)


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros, as `torch.nn.ZeroPad3d`."""

    extra_repr = _PadNd.extra_repr  # PyTorch shows a zero padding by its amounts alone

    def __init__(self, padding: IntTuple) -> None:
        super().__init__(padding, 0.0)


class ReflectionPad1d(_PadNd):
    """Pad the last dimension with its mirror image, as `torch.nn.ReflectionPad1d`."""

    dims, mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two dimensions with their mirror image, as `torch.nn.ReflectionPad2d`."""

    dims, mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last three dimensions with their mirror image, as `torch.nn.ReflectionPad3d`."""

    dims, mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dimension by repeating its edge, as `torch.nn.ReplicationPad1d`."""

    dims, mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two dimensions by repeating their edges, as `torch.nn.ReplicationPad2d`."""

    dims, mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last three dimensions by repeating their edges, as `torch.nn.ReplicationPad3d`."""

    dims, mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dimension by wrapping it around, as `torch.nn.CircularPad1d`."""

    dims, mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Pad the last two dimensions by wrapping them around, as `torch.nn.CircularPad2d`."""

    dims, mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Pad the last three dimensions by wrapping them around, as `torch.nn.CircularPad3d`."""

    dims, mode = 3, "circular"
