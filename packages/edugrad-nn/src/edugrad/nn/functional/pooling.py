"""Pooling with torch.nn.functional's signatures: max, average and power-average pooling over windows, their
adaptive forms (a given output size), and max_unpool.

Top layer (`edugrad.nn`). The 2-d window pools are the Tensor ops `max_pool2d`, `max_pool2d_with_indices` and
`avg_pool2d`, which hold the math; a 1-d pool is the 2-d one on an image of height 1. An adaptive pool splits
each axis into output_size ranges, range i running from floor(i * n / out) to ceil((i + 1) * n / out): where
out divides n these are the windows of an ordinary pool; otherwise the average is separable, a product with a
constant (out, n) averaging matrix per axis, and the maximum is taken cell by cell (each cell's first maximum in
raster order gives its index).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from edugrad.nn.functional._common import number_arg, tensor_arg
from edugrad.nn.functional.conv import _single
from edugrad.tensor import Tensor

Size = int | Sequence[int]
OptionalSize = int | None | Sequence[int | None]


def _check_image(op: str, x: Tensor, ndims: tuple[int, ...], what: str) -> Tensor:
    if x.ndim not in ndims:
        raise ValueError(f"{op}: expected an input of shape {what}, got {x.shape}")
    return x


def _line(op: str, name: str, value: Size) -> tuple[int, int]:
    """A 1-d pool's size as the (1, size) of the 2-d pool on an image of height 1."""
    return 1, _single(op, name, value)


def _line_stride(op: str, value: Size | None) -> tuple[int, int] | None:
    """A 1-d pool's stride for the 2-d pool (None: the kernel size)."""
    return None if value is None else _line(op, "stride", value)


def _pad_line(op: str, value: Size) -> tuple[int, int]:
    return 0, _single(op, "padding", value)


def _line_args(op: str, kernel_size: Size, stride: Size | None, padding: Size,
               dilation: Size) -> tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int], tuple[int, int]]:
    """A 1-d pool's kernel, stride, padding and dilation for the 2-d pool on an image of height 1."""
    return (_line(op, "kernel_size", kernel_size), _line_stride(op, stride), _pad_line(op, padding),
            _line(op, "dilation", dilation))


def max_pool1d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0, dilation: Size = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window of an (N, C, L) or (C, L) input (padding is -inf); with return_indices also
    where each maximum lies (its index along L)."""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    x = _check_image("max_pool1d", tensor_arg("max_pool1d", "input", input), (2, 3), "(N, C, L) or (C, L)")
    args = _line_args("max_pool1d", kernel_size, stride, padding, dilation)
    return x.unsqueeze(-2).max_pool2d(*args, ceil_mode=ceil_mode).squeeze(-2)


def max_pool1d_with_indices(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                            dilation: Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """max_pool1d's values and indices, whatever return_indices says (as in PyTorch)."""
    op = "max_pool1d_with_indices"
    x = _check_image(op, tensor_arg(op, "input", input), (2, 3), "(N, C, L) or (C, L)")
    args = _line_args(op, kernel_size, stride, padding, dilation)
    values, indices = x.unsqueeze(-2).max_pool2d_with_indices(*args, ceil_mode=ceil_mode)
    return values.squeeze(-2), indices.squeeze(-2)


def max_pool2d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0, dilation: Size = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each (dilated) window of an (N, C, H, W) or (C, H, W) input (padding is -inf; stride
    defaults to kernel_size); with return_indices also where each maximum lies (its index into H * W)."""
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    x = tensor_arg("max_pool2d", "input", input)
    return x.max_pool2d(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)


def max_pool2d_with_indices(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                            dilation: Size = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """max_pool2d's values and indices, whatever return_indices says (as in PyTorch)."""
    x = tensor_arg("max_pool2d_with_indices", "input", input)
    return x.max_pool2d_with_indices(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)


def avg_pool1d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window of an (N, C, L) or (C, L) input; padded zeros count toward the mean unless
    count_include_pad is False."""
    x = _check_image("avg_pool1d", tensor_arg("avg_pool1d", "input", input), (2, 3), "(N, C, L) or (C, L)")
    out = x.unsqueeze(-2).avg_pool2d(_line("avg_pool1d", "kernel_size", kernel_size),
                                     _line_stride("avg_pool1d", stride), _pad_line("avg_pool1d", padding),
                                     count_include_pad, ceil_mode=ceil_mode)
    return out.squeeze(-2)


def avg_pool2d(input: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of an (N, C, H, W) or (C, H, W) input (stride defaults to kernel_size); padded
    zeros count toward the mean unless count_include_pad is False; divisor_override divides every window's sum
    by that number instead."""
    x = tensor_arg("avg_pool2d", "input", input)
    return x.avg_pool2d(kernel_size, stride, padding, count_include_pad, ceil_mode=ceil_mode,
                        divisor_override=divisor_override)


def _lp_pool(x: Tensor, norm_type: float, kernel: tuple[int, int], stride: Size | None, ceil_mode: bool,
             op: str) -> Tensor:
    """(sum of x^p over each window)^(1/p), computed as PyTorch does: the average of x^p times the window
    size."""
    p = number_arg(op, "norm_type", norm_type)
    if p == 0:
        raise ValueError(f"{op}: norm_type must be nonzero")
    average = (x ** p).avg_pool2d(kernel, stride, 0, ceil_mode=ceil_mode)
    return (average * (kernel[0] * kernel[1])) ** (1 / p)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Size | None = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of an (N, C, L) or (C, L) input: p = inf is max pooling, p = 1 sum pooling."""
    x = _check_image("lp_pool1d", tensor_arg("lp_pool1d", "input", input), (2, 3), "(N, C, L) or (C, L)")
    kernel = (1, _single("lp_pool1d", "kernel_size", kernel_size))
    return _lp_pool(x.unsqueeze(-2), norm_type, kernel, _line_stride("lp_pool1d", stride), ceil_mode,
                    "lp_pool1d").squeeze(-2)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Size, stride: Size | None = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of an (N, C, H, W) or (C, H, W) input."""
    x = tensor_arg("lp_pool2d", "input", input)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    return _lp_pool(x, norm_type, (kh, kw), stride, ceil_mode, "lp_pool2d")


def _output_sizes(op: str, x: Tensor, output_size: OptionalSize, n: int) -> tuple[int, ...]:
    """The adaptive pool's output size for the last n axes; None keeps an axis's input size."""
    sizes = (output_size,) * n if output_size is None or isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != n:
        raise ValueError(f"{op}: output_size must be an int or {n} of them, got {output_size!r}")
    spatial = x.shape[x.ndim - n:]
    out = tuple(size if s is None else s for s, size in zip(sizes, spatial))
    if any(not isinstance(s, int) or s < 1 for s in out):
        raise ValueError(f"{op}: output_size must hold positive ints (or None), got {output_size!r}")
    return out


def _ranges(n: int, out: int) -> list[tuple[int, int]]:
    """The input range [start, end) of each of the out cells along an axis of size n."""
    return [((i * n) // out, -((-(i + 1) * n) // out)) for i in range(out)]


def _averaging_matrix(n: int, out: int, x: Tensor) -> Tensor:
    """The (out, n) matrix whose row i averages range i: 1 / length inside it, 0 outside."""
    rows = [[1 / (end - start) if start <= j < end else 0.0 for j in range(n)] for start, end in _ranges(n, out)]
    return Tensor(rows, dtype=x.dtype, backend=x.backend)


def _as_image(x: Tensor, out: tuple[int, ...]) -> tuple[Tensor, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """x as an (..., H, W) image (a 1-d input gets height 1), with its (H, W), the output cells and, where the
    cells tile the image evenly, the kernel of the ordinary pool that computes them (else ())."""
    spatial = x.shape[x.ndim - len(out):]
    image, size, cells = (x, spatial, out) if len(out) == 2 else (x.unsqueeze(-2), (1, *spatial), (1, *out))
    even = all(n % o == 0 for n, o in zip(size, cells))
    return image, size, cells, tuple(n // o for n, o in zip(size, cells)) if even else ()


def _adaptive_avg(x: Tensor, out: tuple[int, ...]) -> Tensor:
    """The adaptive average over the last len(out) axes (1 or 2)."""
    image, _, _, kernel = _as_image(x, out)
    if kernel:
        pooled = image.avg_pool2d(kernel)
        return pooled if len(out) == 2 else pooled.squeeze(-2)
    # Separable: average along the last axis (x @ A^T), then along the one before (A @ x).
    spatial = x.shape[x.ndim - len(out):]
    y = x.matmul(_averaging_matrix(spatial[-1], out[-1], x).T)
    return _averaging_matrix(spatial[0], out[0], x).matmul(y) if len(out) == 2 else y


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """The mean over each of output_size ranges of an (N, C, L) or (C, L) input."""
    x = _check_image("adaptive_avg_pool1d", tensor_arg("adaptive_avg_pool1d", "input", input), (2, 3),
                     "(N, C, L) or (C, L)")
    return _adaptive_avg(x, _output_sizes("adaptive_avg_pool1d", x, output_size, 1))


def adaptive_avg_pool2d(input: Tensor, output_size: OptionalSize) -> Tensor:
    """The mean over each cell of an output_size grid laid over an (N, C, H, W) or (C, H, W) input (global
    average pooling for output_size=1)."""
    x = _check_image("adaptive_avg_pool2d", tensor_arg("adaptive_avg_pool2d", "input", input), (3, 4),
                     "(N, C, H, W) or (C, H, W)")
    return _adaptive_avg(x, _output_sizes("adaptive_avg_pool2d", x, output_size, 2))


def _adaptive_max(x: Tensor, out: tuple[int, ...]) -> Tensor:
    """The adaptive maximum over the last len(out) axes (1 or 2)."""
    image, size, cells, kernel = _as_image(x, out)
    pooled = image.max_pool2d(kernel) if kernel else _adaptive_max_cells(image, size, cells)[0]
    return pooled if len(out) == 2 else pooled.squeeze(-2)


def _adaptive_max_with_indices(x: Tensor, out: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """The adaptive maximum and the flat index of each maximum."""
    image, size, cells, kernel = _as_image(x, out)
    values, indices = image.max_pool2d_with_indices(kernel) if kernel else _adaptive_max_cells(image, size, cells)
    return (values, indices) if len(out) == 2 else (values.squeeze(-2), indices.squeeze(-2))


def _adaptive_max_cells(image: Tensor, size: tuple[int, ...], cells: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """The maximum of each cell of an (..., H, W) image, cell by cell, and its index into H * W."""
    width = size[1]
    row_values, row_indices = [], []
    for top, bottom in _ranges(size[0], cells[0]):
        values, indices = [], []
        for left, right in _ranges(size[1], cells[1]):
            window = image[..., top:bottom, left:right]
            flat = window.flatten(-2)
            values.append(flat.amax(-1))
            # The first maximum in raster order, as a position in the whole image.
            at = flat.argmax(-1)
            cols = right - left
            indices.append((at // cols + top) * width + at % cols + left)
        row_values.append(Tensor.stack(values, dim=-1))
        row_indices.append(Tensor.stack(indices, dim=-1))
    return Tensor.stack(row_values, dim=-2), Tensor.stack(row_indices, dim=-2)


def adaptive_max_pool1d(input: Tensor, output_size: int,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum over each of output_size ranges of an (N, C, L) or (C, L) input."""
    if return_indices:
        return adaptive_max_pool1d_with_indices(input, output_size)
    x = _check_image("adaptive_max_pool1d", tensor_arg("adaptive_max_pool1d", "input", input), (2, 3),
                     "(N, C, L) or (C, L)")
    return _adaptive_max(x, _output_sizes("adaptive_max_pool1d", x, output_size, 1))


def adaptive_max_pool2d(input: Tensor, output_size: OptionalSize,
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum over each cell of an output_size grid laid over an (N, C, H, W) or (C, H, W) input."""
    if return_indices:
        return adaptive_max_pool2d_with_indices(input, output_size)
    x = _check_image("adaptive_max_pool2d", tensor_arg("adaptive_max_pool2d", "input", input), (3, 4),
                     "(N, C, H, W) or (C, H, W)")
    return _adaptive_max(x, _output_sizes("adaptive_max_pool2d", x, output_size, 2))


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: int,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool1d's values and indices, whatever return_indices says (as in PyTorch)."""
    op = "adaptive_max_pool1d_with_indices"
    x = _check_image(op, tensor_arg(op, "input", input), (2, 3), "(N, C, L) or (C, L)")
    return _adaptive_max_with_indices(x, _output_sizes(op, x, output_size, 1))


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: OptionalSize,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool2d's values and indices, whatever return_indices says (as in PyTorch)."""
    op = "adaptive_max_pool2d_with_indices"
    x = _check_image(op, tensor_arg(op, "input", input), (3, 4), "(N, C, H, W) or (C, H, W)")
    return _adaptive_max_with_indices(x, _output_sizes(op, x, output_size, 2))


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


def _unpool(op: str, input: Tensor, indices: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
            padding: tuple[int, ...], output_size: Sequence[int] | None) -> Tensor:
    x, where = tensor_arg(op, "input", input), tensor_arg(op, "indices", indices)
    if where.shape != x.shape or not where.dtype.is_integer:
        raise ValueError(f"{op}: indices must be integer and of the input's shape {x.shape}, got {where.dtype.name} "
                         f"{where.shape}")
    n = len(kernel)
    spatial = _unpool_size(op, x, kernel, stride, padding, output_size)
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


def _pairs(op: str, name: str, value: Size | None, default: tuple[int, int] | None = None) -> tuple[int, int]:
    if value is None:
        assert default is not None
        return default
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return pair[0], pair[1]


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The inverse of max_pool1d with return_indices: each value put back where its maximum was, zeros
    elsewhere."""
    op = "max_unpool1d"
    kernel = _single(op, "kernel_size", kernel_size)
    step = kernel if stride is None else _single(op, "stride", stride)
    return _unpool(op, input, indices, (kernel,), (step,), (_single(op, "padding", padding),), output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """The inverse of max_pool2d with return_indices: each value put back where its maximum was, zeros
    elsewhere."""
    op = "max_unpool2d"
    kernel = _pairs(op, "kernel_size", kernel_size)
    return _unpool(op, input, indices, kernel, _pairs(op, "stride", stride, kernel), _pairs(op, "padding", padding),
                   output_size)


__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", "avg_pool1d", "avg_pool2d", "lp_pool1d", "lp_pool2d",
    "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool2d_with_indices", "max_unpool1d", "max_unpool2d",
]
