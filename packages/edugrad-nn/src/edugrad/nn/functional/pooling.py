"""Pooling with torch.nn.functional's signatures: max, average and power-average pooling over windows of 1, 2
or 3 spatial axes, their adaptive forms (a given output size), and max_unpool.

Top layer (`edugrad.nn`). The window pools are the N-d ops of `edugrad.tensor.windows` (`max_pool`,
`max_pool_with_indices`, `avg_pool`) with the number of spatial axes fixed, so 1-, 2- and 3-d share one
mechanism. An adaptive pool splits each axis into output_size ranges, range i running from floor(i * n / out)
to ceil((i + 1) * n / out): where out divides n these are the windows of an ordinary pool; otherwise the
average is separable, a product with a constant (out, n) averaging matrix per axis, and the maximum is taken
cell by cell (each cell's first maximum in raster order gives its index).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from edugrad.nn.functional._common import number_arg, tensor_arg
from edugrad.tensor import Tensor
from edugrad.tensor import windows

Size = int | Sequence[int]
OptionalSize = int | None | Sequence[int | None]


def _max_pool(op: str, n: int, input: Tensor, kernel_size: Size, stride: Size | None, padding: Size,
              dilation: Size, ceil_mode: bool) -> Tensor:
    x = tensor_arg(op, "input", input)
    return windows.max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, n, op)


def _max_pool_with_indices(op: str, n: int, input: Tensor, kernel_size: Size, stride: Size | None, padding: Size,
                           dilation: Size, ceil_mode: bool) -> tuple[Tensor, Tensor]:
    x = tensor_arg(op, "input", input)
    return windows.max_pool_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode, n, op)


def max_pool1d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0, dilation: Size = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window of an (N, C, L) or (C, L) input (padding is -inf); with return_indices also
    where each maximum lies (its index along L)."""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0, dilation: Size = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each (dilated) window of an (N, C, H, W) or (C, H, W) input (padding is -inf; stride
    defaults to kernel_size); with return_indices also where each maximum lies (its index into H * W)."""
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0, dilation: Size = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each (dilated) window of an (N, C, D, H, W) or (C, D, H, W) input; with return_indices
    also where each maximum lies (its index into D * H * W)."""
    if return_indices:
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                            dilation: Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """max_pool1d's values and indices, whatever return_indices says (as in PyTorch)."""
    return _max_pool_with_indices("max_pool1d_with_indices", 1, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)


def max_pool2d_with_indices(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                            dilation: Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """max_pool2d's values and indices, whatever return_indices says (as in PyTorch)."""
    return _max_pool_with_indices("max_pool2d_with_indices", 2, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)


def max_pool3d_with_indices(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                            dilation: Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """max_pool3d's values and indices, whatever return_indices says (as in PyTorch)."""
    return _max_pool_with_indices("max_pool3d_with_indices", 3, input, kernel_size, stride, padding, dilation,
                                  ceil_mode)


def avg_pool1d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window of an (N, C, L) or (C, L) input; padded zeros count toward the mean unless
    count_include_pad is False."""
    x = tensor_arg("avg_pool1d", "input", input)
    return windows.avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of an (N, C, H, W) or (C, H, W) input (stride defaults to kernel_size); padded
    zeros count toward the mean unless count_include_pad is False; divisor_override divides every window's sum
    by that number instead."""
    x = tensor_arg("avg_pool2d", "input", input)
    return windows.avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                            "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of an (N, C, D, H, W) or (C, D, H, W) input, with avg_pool2d's options."""
    x = tensor_arg("avg_pool3d", "input", input)
    return windows.avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                            "avg_pool3d")


def _lp_pool(op: str, n: int, input: Tensor, norm_type: float, kernel_size: Size, stride: Size | None,
             ceil_mode: bool) -> Tensor:
    """(sum of x^p over each window)^(1/p), computed as PyTorch does: the average of x^p times the window
    size."""
    x = tensor_arg(op, "input", input)
    p = number_arg(op, "norm_type", norm_type)
    if p == 0:
        raise ValueError(f"{op}: norm_type must be nonzero")
    kernel = windows.sizes(kernel_size, n, "kernel_size", op)
    average = windows.avg_pool(x ** p, kernel, stride, 0, ceil_mode, True, None, n, op)
    return (average * math.prod(kernel)) ** (1 / p)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Size | None = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of an (N, C, L) or (C, L) input: p = inf is max pooling, p = 1 sum pooling."""
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Size, stride: Size | None = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of an (N, C, H, W) or (C, H, W) input."""
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Size, stride: Size | None = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of an (N, C, D, H, W) or (C, D, H, W) input."""
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)


def _adaptive_input(op: str, input: Tensor, output_size: OptionalSize, n: int) -> tuple[Tensor, tuple[int, ...]]:
    """The checked input and the adaptive pool's output size for its last n axes; None keeps an axis's size."""
    x = tensor_arg(op, "input", input)
    if x.ndim not in (n + 1, n + 2):
        raise ValueError(f"{op}: expected an input of shape {windows.layout(n)}, got {x.shape}")
    sizes = (output_size,) * n if output_size is None or isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != n:
        raise ValueError(f"{op}: output_size must be an int or {n} of them, got {output_size!r}")
    spatial = x.shape[x.ndim - n:]
    out = tuple(size if s is None else s for s, size in zip(sizes, spatial))
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in out):
        raise ValueError(f"{op}: output_size must hold positive ints (or None), got {output_size!r}")
    return x, out


def _ranges(n: int, out: int) -> list[tuple[int, int]]:
    """The input range [start, end) of each of the out cells along an axis of size n."""
    return [((i * n) // out, -((-(i + 1) * n) // out)) for i in range(out)]


def _averaging_matrix(n: int, out: int, x: Tensor) -> Tensor:
    """The (out, n) matrix whose row i averages range i: 1 / length inside it, 0 outside."""
    rows = [[1 / (end - start) if start <= j < end else 0.0 for j in range(n)] for start, end in _ranges(n, out)]
    return Tensor(rows, dtype=x.dtype, backend=x.backend)


def _even_kernel(x: Tensor, out: tuple[int, ...]) -> tuple[int, ...]:
    """Where the output cells tile the input evenly, the kernel of the ordinary pool that computes them (else
    ())."""
    spatial = x.shape[x.ndim - len(out):]
    even = all(size % o == 0 for size, o in zip(spatial, out))
    return tuple(size // o for size, o in zip(spatial, out)) if even else ()


def _adaptive_avg(op: str, input: Tensor, output_size: OptionalSize, n: int) -> Tensor:
    x, out = _adaptive_input(op, input, output_size, n)
    kernel = _even_kernel(x, out)
    if kernel:
        return windows.avg_pool(x, kernel, None, 0, False, True, None, n, op)
    # Separable: average along each axis in turn, a product with its averaging matrix (x @ A^T on the last axis).
    y = x
    for axis in range(x.ndim - n, x.ndim):
        averaging = _averaging_matrix(x.shape[axis], out[axis - x.ndim + n], x)
        y = y.movedim(axis, -1).matmul(averaging.T).movedim(-1, axis)
    return y


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """The mean over each of output_size ranges of an (N, C, L) or (C, L) input."""
    return _adaptive_avg("adaptive_avg_pool1d", input, output_size, 1)


def adaptive_avg_pool2d(input: Tensor, output_size: OptionalSize) -> Tensor:
    """The mean over each cell of an output_size grid laid over an (N, C, H, W) or (C, H, W) input (global
    average pooling for output_size=1)."""
    return _adaptive_avg("adaptive_avg_pool2d", input, output_size, 2)


def adaptive_avg_pool3d(input: Tensor, output_size: OptionalSize) -> Tensor:
    """The mean over each cell of an output_size grid laid over an (N, C, D, H, W) or (C, D, H, W) input."""
    return _adaptive_avg("adaptive_avg_pool3d", input, output_size, 3)


def _adaptive_max_cells(x: Tensor, out: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """The maximum of each output cell over the last len(out) axes of x, cell by cell, and its index into their
    flattened size."""
    n = len(out)
    lead, spatial = x.shape[:x.ndim - n], x.shape[x.ndim - n:]
    values, indices = [], []
    for cell in itertools.product(*(_ranges(size, o) for size, o in zip(spatial, out))):
        window = x[(..., *(slice(start, end) for start, end in cell))]
        flat = window.flatten(-n)
        values.append(flat.amax(-1))
        # The first maximum in raster order, as a position in the whole input: unravel its index in the window,
        # shift each coordinate by the cell's start, ravel it in the input.
        at, index = flat.argmax(-1), None
        for axis, (start, end) in enumerate(cell):
            inner = math.prod(e - s for s, e in cell[axis + 1:])
            position = ((at // inner) % (end - start) + start) * math.prod(spatial[axis + 1:])
            index = position if index is None else index + position
        assert index is not None
        indices.append(index)
    return (Tensor.stack(values, dim=-1).reshape(*lead, *out), Tensor.stack(indices, dim=-1).reshape(*lead, *out))


def _adaptive_max(op: str, input: Tensor, output_size: OptionalSize, n: int) -> tuple[Tensor, Tensor]:
    """The adaptive maximum and the flat index of each maximum."""
    x, out = _adaptive_input(op, input, output_size, n)
    kernel = _even_kernel(x, out)
    if kernel:
        return windows.max_pool_with_indices(x, kernel, None, 0, 1, False, n, op)
    return _adaptive_max_cells(x, out)


def _adaptive_max_values(op: str, input: Tensor, output_size: OptionalSize, n: int) -> Tensor:
    """The adaptive maximum alone: an even one is an ordinary pool, which needs no indices."""
    x, out = _adaptive_input(op, input, output_size, n)
    kernel = _even_kernel(x, out)
    return windows.max_pool(x, kernel, None, 0, 1, False, n, op) if kernel else _adaptive_max_cells(x, out)[0]


def adaptive_max_pool1d(input: Tensor, output_size: int,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum over each of output_size ranges of an (N, C, L) or (C, L) input."""
    if return_indices:
        return adaptive_max_pool1d_with_indices(input, output_size)
    return _adaptive_max_values("adaptive_max_pool1d", input, output_size, 1)


def adaptive_max_pool2d(input: Tensor, output_size: OptionalSize,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum over each cell of an output_size grid laid over an (N, C, H, W) or (C, H, W) input."""
    if return_indices:
        return adaptive_max_pool2d_with_indices(input, output_size)
    return _adaptive_max_values("adaptive_max_pool2d", input, output_size, 2)


def adaptive_max_pool3d(input: Tensor, output_size: OptionalSize,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum over each cell of an output_size grid laid over an (N, C, D, H, W) or (C, D, H, W) input."""
    if return_indices:
        return adaptive_max_pool3d_with_indices(input, output_size)
    return _adaptive_max_values("adaptive_max_pool3d", input, output_size, 3)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: int,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool1d's values and indices, whatever return_indices says (as in PyTorch)."""
    return _adaptive_max("adaptive_max_pool1d_with_indices", input, output_size, 1)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: OptionalSize,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool2d's values and indices, whatever return_indices says (as in PyTorch)."""
    return _adaptive_max("adaptive_max_pool2d_with_indices", input, output_size, 2)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: OptionalSize,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool3d's values and indices, whatever return_indices says (as in PyTorch)."""
    return _adaptive_max("adaptive_max_pool3d_with_indices", input, output_size, 3)


def _unpool_size(op: str, x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], padding: tuple[int, ...],
                 output_size: Sequence[int] | None) -> tuple[int, ...]:
    """The spatial size max_unpool restores: the default inverts the pool's size formula; output_size (its last
    len(kernel) entries) picks another of the sizes that pool to x's."""
    n = len(kernel)
    default = tuple((size - 1) * s - 2 * p + k for size, k, s, p in zip(x.shape[x.ndim - n:], kernel, stride, padding))
    if output_size is None:
        return default
    wanted = tuple(output_size)[-n:]
    if len(wanted) != n or any(not d - s < w < d + s for w, d, s in zip(wanted, default, stride)):
        raise ValueError(f"{op}: output_size {tuple(output_size)} must lie within a stride of {default}")
    return wanted


def _unpool(op: str, n: int, input: Tensor, indices: Tensor, kernel_size: Size, stride: Size | None,
            padding: Size, output_size: Sequence[int] | None) -> Tensor:
    x, where = tensor_arg(op, "input", input), tensor_arg(op, "indices", indices)
    if x.ndim not in (n + 1, n + 2):
        raise ValueError(f"{op}: expected an input of shape {windows.layout(n)}, got {x.shape}")
    if where.shape != x.shape or not where.dtype.is_integer:
        raise ValueError(f"{op}: indices must be integer and of the input's shape {x.shape}, got {where.dtype.name} "
                         f"{where.shape}")
    kernel = windows.sizes(kernel_size, n, "kernel_size", op)
    steps = kernel if stride is None else windows.sizes(stride, n, "stride", op)
    spatial = _unpool_size(op, x, kernel, steps, windows.sizes(padding, n, "padding", op, low=0), output_size)
    lead = x.shape[:x.ndim - n]
    flat_in, flat_where = x.reshape(*lead, -1), where.reshape(*lead, -1).long()
    count = math.prod(spatial)
    if flat_where.numel() and (int(flat_where.min().item()) < 0 or int(flat_where.max().item()) >= count):
        raise IndexError(f"{op}: indices must lie in [0, {count}) for the output size {spatial}")
    # Each value goes back to where its maximum came from; every other position is 0. Overlapping windows can
    # share a maximum: scatter writes it once, and each of its copies gets the gradient of that position (as
    # PyTorch's backward, a gather), which is scatter's gradient of src.
    placed = Tensor.zeros(*lead, count, dtype=x.dtype, backend=x.backend).scatter(-1, flat_where, flat_in)
    return placed.reshape(*lead, *spatial)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The inverse of max_pool1d with return_indices: each value put back where its maximum was, zeros
    elsewhere."""
    return _unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The inverse of max_pool2d with return_indices: each value put back where its maximum was, zeros
    elsewhere."""
    return _unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The inverse of max_pool3d with return_indices: each value put back where its maximum was, zeros
    elsewhere."""
    return _unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "lp_pool1d",
    "lp_pool2d", "lp_pool3d", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool2d_with_indices",
    "max_pool3d", "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
]
