"""Pooling layers: `MaxPool1d/2d/3d`, `AvgPool1d/2d/3d`, `LPPool1d/2d/3d`, `AdaptiveAvgPool1d/2d/3d`,
`AdaptiveMaxPool1d/2d/3d` and `MaxUnpool1d/2d/3d`, as in `torch.nn`.

Top layer (`edugrad.nn`). Each downsamples every channel by a reduction over windows (the maximum, the mean, or
the p-norm (sum x^p)^(1/p)); an adaptive pool chooses the windows so that the output has a given size, and
max_unpool puts the maxima back where max pooling found them. They hold no parameters and call the functions
of `nn.functional`; `stride` defaults to the kernel size (non-overlapping windows), and the arguments are kept
as given, because PyTorch's repr shows them so (`kernel_size=2`, but `AvgPool1d(kernel_size=(2,))`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edugrad.nn import functional as F
from edugrad.nn._checks import IntTuple, check_input, int_tuple
from edugrad.nn.module import Module
from edugrad.tensor import Tensor
from edugrad.tensor.windows import layout

__all__ = [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d", "MaxPool1d",
    "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
]

_MAX_POOLS = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_LP_POOLS = {1: F.lp_pool1d, 2: F.lp_pool2d, 3: F.lp_pool3d}
_MAX_UNPOOLS = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}


class _Pool(Module):
    """What the pools share: the number of spatial dimensions and the input check."""

    dims: int

    def _checked(self, input: Tensor) -> Tensor:
        return check_input(self, input, (self.dims + 1, self.dims + 2), layout(self.dims))


class _MaxPoolNd(_Pool):
    """The maximum of each (dilated) kernel_size window; padding counts as -inf. With `return_indices`, also
    where each maximum was (for `MaxUnpool`), and with `ceil_mode` a last, partial window where one is left."""

    def __init__(self, kernel_size: IntTuple, stride: IntTuple | None = None, padding: IntTuple = 0,
                 dilation: IntTuple = 1, return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        owner, n = type(self).__name__, self.dims
        stride = kernel_size if stride is None else stride
        int_tuple(owner, "kernel_size", kernel_size, n)
        int_tuple(owner, "stride", stride, n)
        int_tuple(owner, "padding", padding, n, allow_zero=True)
        int_tuple(owner, "dilation", dilation, n)
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        """The pooled input (and the indices of the maxima with `return_indices`)."""
        return _MAX_POOLS[self.dims](self._checked(input), self.kernel_size, self.stride, self.padding, self.dilation,
                    ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over (N, C, L), as `torch.nn.MaxPool1d`."""

    dims = 1


class MaxPool2d(_MaxPoolNd):
    """Max pooling over (N, C, H, W), as `torch.nn.MaxPool2d`."""

    dims = 2


class MaxPool3d(_MaxPoolNd):
    """Max pooling over (N, C, D, H, W), as `torch.nn.MaxPool3d`."""

    dims = 3


class AvgPool1d(_Pool):
    """The mean of each kernel_size window over (N, C, L), as `torch.nn.AvgPool1d`; with `count_include_pad`
    (the default) padded zeros count in the divisor."""

    dims = 1

    def __init__(self, kernel_size: IntTuple, stride: IntTuple | None = None, padding: IntTuple = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        # Kept as 1-tuples, as PyTorch keeps them (its repr shows `kernel_size=(2,)`).
        self.kernel_size = int_tuple("AvgPool1d", "kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else int_tuple("AvgPool1d", "stride", stride, 1)
        self.padding = int_tuple("AvgPool1d", "padding", padding, 1, allow_zero=True)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input, (N, C, L_out) or (C, L_out)."""
        return F.avg_pool1d(self._checked(input), self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(_Pool):
    """The mean of each kernel_size window over 2 or 3 spatial dimensions; with `count_include_pad` (the
    default) padded zeros count in the divisor, and `divisor_override` replaces the divisor altogether."""

    def __init__(self, kernel_size: IntTuple, stride: IntTuple | None = None, padding: IntTuple = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        owner, n = type(self).__name__, self.dims
        stride = kernel_size if stride is None else stride
        int_tuple(owner, "kernel_size", kernel_size, n)
        int_tuple(owner, "stride", stride, n)
        int_tuple(owner, "padding", padding, n, allow_zero=True)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input, (N, C, *out) or (C, *out)."""
        pool = F.avg_pool2d if self.dims == 2 else F.avg_pool3d
        return pool(self._checked(input), self.kernel_size, self.stride, self.padding, self.ceil_mode,
                    self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average pooling over (N, C, H, W), as `torch.nn.AvgPool2d`."""

    dims = 2


class AvgPool3d(_AvgPoolNd):
    """Average pooling over (N, C, D, H, W), as `torch.nn.AvgPool3d`."""

    dims = 3


class _LPPoolNd(_Pool):
    """The p-norm (sum x^p)^(1/p) of each window: p = 1 is sum pooling, p = inf max pooling."""

    def __init__(self, norm_type: float, kernel_size: IntTuple, stride: IntTuple | None = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        return _LP_POOLS[self.dims](self._checked(input), self.norm_type, self.kernel_size,  # type: ignore[arg-type]
                                    self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling over (N, C, L), as `torch.nn.LPPool1d`."""

    dims = 1


class LPPool2d(_LPPoolNd):
    """Power-average pooling over (N, C, H, W), as `torch.nn.LPPool2d`."""

    dims = 2


class LPPool3d(_LPPoolNd):
    """Power-average pooling over (N, C, D, H, W), as `torch.nn.LPPool3d`."""

    dims = 3


class _AdaptivePool(_Pool):
    """A pool whose windows are chosen so that the output has `output_size` (None in a dimension keeps the
    input's size there)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average pooling of (N, C, L) to (N, C, output_size), as `torch.nn.AdaptiveAvgPool1d`."""

    dims = 1

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        return F.adaptive_avg_pool1d(self._checked(input), self.output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average pooling of (N, C, H, W) to (N, C, *output_size), as `torch.nn.AdaptiveAvgPool2d`
    (`AdaptiveAvgPool2d(1)` is global average pooling)."""

    dims = 2

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        return F.adaptive_avg_pool2d(self._checked(input), self.output_size)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average pooling of (N, C, D, H, W) to (N, C, *output_size), as `torch.nn.AdaptiveAvgPool3d`."""

    dims = 3

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        return F.adaptive_avg_pool3d(self._checked(input), self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max pooling of (N, C, L) to (N, C, output_size), as `torch.nn.AdaptiveMaxPool1d`."""

    dims = 1

    def forward(self, input: Tensor) -> Any:
        """The pooled input (and the indices of the maxima with `return_indices`)."""
        return F.adaptive_max_pool1d(self._checked(input), self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max pooling of (N, C, H, W) to (N, C, *output_size), as `torch.nn.AdaptiveMaxPool2d`."""

    dims = 2

    def forward(self, input: Tensor) -> Any:
        """The pooled input (and the indices of the maxima with `return_indices`)."""
        return F.adaptive_max_pool2d(self._checked(input), self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Max pooling of (N, C, D, H, W) to (N, C, *output_size), as `torch.nn.AdaptiveMaxPool3d`."""

    dims = 3

    def forward(self, input: Tensor) -> Any:
        """The pooled input (and the indices of the maxima with `return_indices`)."""
        return F.adaptive_max_pool3d(self._checked(input), self.output_size, self.return_indices)


class _MaxUnpoolNd(_Pool):
    """The inverse of max pooling: each value goes back to the position its index names, zeros elsewhere."""

    def __init__(self, kernel_size: IntTuple, stride: IntTuple | None = None, padding: IntTuple = 0) -> None:
        super().__init__()
        owner, n = type(self).__name__, self.dims
        self.kernel_size = int_tuple(owner, "kernel_size", kernel_size, n)
        self.stride = self.kernel_size if stride is None else int_tuple(owner, "stride", stride, n)
        self.padding = int_tuple(owner, "padding", padding, n, allow_zero=True)

    def forward(self, input: Tensor, indices: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        """The unpooled input (of `output_size`, if given, else the size max pooling came from)."""
        return _MAX_UNPOOLS[self.dims](self._checked(input), indices, self.kernel_size, self.stride, self.padding,
                                       output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of MaxPool1d, as `torch.nn.MaxUnpool1d`."""

    dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d, as `torch.nn.MaxUnpool2d`."""

    dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of MaxPool3d, as `torch.nn.MaxUnpool3d`."""

    dims = 3
