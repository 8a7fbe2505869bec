"""nn ops: convolution, pooling, im2col and col2im, dropout, normalization, embedding lookup and attention.

Tensor layer (`edugrad.tensor`). These are the building blocks of `edugrad.nn`'s layers, composed from the
Functions of the layer below. The window Functions do the heavy lifting: `Unfold` shows the sliding windows of
an (N, C, H, W) image as an (N, C, OH, OW, KH, KW) view without copying (im2col), so a convolution is one
batched `MatMul` of the windows with the weight, and a pooling is a max or a mean over the window axes. The
gradient of `Unfold` is `Fold` (col2im), which adds every window's gradient back onto the image; the transposed
convolution runs the same pair the other way round. So the cost of a convolution is a few GEMMs and one copy of
the windows, never a broadcast over (N, F, C, OH, OW, KH, KW).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import sqrt

from edugrad.data import dtypes
from edugrad.function import Fold, Gather, MatMul, Pad, Unfold
from edugrad.tensor import tensor as _t
from edugrad.tensor.elementwise import check_numbers
from edugrad.tensor.linalg import check_dtypes

Size2 = int | Sequence[int]


def _pair(value: Size2, name: str, op: str, low: int = 1) -> tuple[int, int]:
    """An int or an (height, width) pair as a pair; ValueError unless both are ints >= low."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(not isinstance(v, int) or v < low for v in pair):
        raise ValueError(f"{op}: {name} must be an int >= {low} or a pair of them, got {value!r}")
    return pair[0], pair[1]


def _conv_padding(padding: Size2 | str, kernel: tuple[int, int], stride: tuple[int, int],
                  dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """conv2d's padding as (left, right, top, bottom), from an int, (pad_h, pad_w), (left, right, top, bottom),
    "valid" (none) or "same" (the output keeps the input's size)."""
    message = (f"conv2d: padding must be a non-negative int, (pad_h, pad_w), (left, right, top, bottom), 'valid' "
               f"or 'same', got {padding!r}")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(message)
        if padding == "valid":
            return 0, 0, 0, 0
        if stride != (1, 1):
            raise ValueError(f"conv2d: padding='same' needs stride 1, got stride {stride}")
        # A dilated kernel spans d*(k-1) + 1 pixels, so d*(k-1) pixels of padding keep the size; an odd total
        # puts the extra pixel on the right and bottom, as PyTorch does.
        th, tw = (d * (k - 1) for k, d in zip(kernel, dilation))
        return tw // 2, tw - tw // 2, th // 2, th - th // 2
    values = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
    if len(values) == 2:
        values = (values[1], values[1], values[0], values[0])
    if len(values) != 4 or any(not isinstance(v, int) or v < 0 for v in values):
        raise ValueError(message)
    left, right, top, bottom = values
    return left, right, top, bottom


def _check_fits(x: _t.Tensor, kernel: tuple[int, int], dilation: tuple[int, int], op: str) -> None:
    """ValueError unless the (dilated) kernel fits into the padded image x at least once."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(s > n for s, n in zip(span, x.shape[2:])):
        raise ValueError(f"{op}: the kernel {kernel} with dilation {dilation} spans {span} pixels, more than the "
                         f"padded input's {x.shape[2:]} (input shape with padding: {x.shape})")


def _check_floating(x: _t.Tensor, op: str) -> None:
    """TypeError unless x is floating point: PyTorch has no integer kernels for these ops, and promoting would
    hide a missing cast (of raw pixels, say)."""
    if not x.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating-point input, got {x.dtype.name}; cast it with .float()")


def _check_input(x: _t.Tensor, op: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{op}: expected an input of shape (N, C, H, W) or (C, H, W), got shape {x.shape}")
    _check_floating(x, op)


def _check_weight(x: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None, out_channels: int, op: str) -> None:
    check_dtypes(x, weight, bias, op)
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},), one value per output channel, got "
                         f"{bias.shape}")


def _add_bias(out: _t.Tensor, bias: _t.Tensor | None) -> _t.Tensor:
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


def conv2d(self: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None = None, stride: Size2 = 1,
           padding: Size2 | str = 0, dilation: Size2 = 1, groups: int = 1) -> _t.Tensor:
    """2-D convolution (cross-correlation, as torch.nn.functional.conv2d) of an (N, C, H, W) input with an
    (F, C / groups, KH, KW) weight, giving (N, F, OH, OW)."""
    if self.ndim == 3:
        return conv2d(self.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    _check_input(self, "conv2d")
    if weight.ndim != 4:
        raise ValueError(f"conv2d: expected a weight of shape (out_channels, in_channels / groups, kH, kW), got "
                         f"{weight.shape}")
    n, c = self.shape[:2]
    f, cg, kh, kw = weight.shape
    if not isinstance(groups, int) or groups < 1 or c != cg * groups or f % groups:
        raise ValueError(f"conv2d: input {self.shape} with groups={groups} does not fit weight {weight.shape}: "
                         f"expected {cg * groups} input channels (weight.shape[1] * groups) and out_channels "
                         f"{f} divisible by groups")
    _check_weight(self, weight, bias, f, "conv2d")
    strides, dilations = _pair(stride, "stride", "conv2d"), _pair(dilation, "dilation", "conv2d")
    x = self.pad2d(_conv_padding(padding, (kh, kw), strides, dilations))
    _check_fits(x, (kh, kw), dilations, "conv2d")
    windows = Unfold.apply(x, kernel=(kh, kw), stride=strides, dilation=dilations)  # (N, C, OH, OW, KH, KW)
    oh, ow = windows.shape[2:4]
    # Per image n and group g, out[n, g] = weight[g] @ cols[n, g]: a (F/G, C/G*KH*KW) @ (C/G*KH*KW, OH*OW)
    # GEMM whose result is already in (N, F, OH, OW) order. Both operands are contiguous; the reshape into
    # cols is the one copy of the forward pass (im2col). Its gradient goes back through Fold (col2im).
    cols = windows.reshape(n, groups, cg, oh, ow, kh, kw).permute(0, 1, 2, 5, 6, 3, 4)
    cols = cols.reshape(n, groups, cg * kh * kw, oh * ow)
    w = weight.reshape(1, groups, f // groups, cg * kh * kw).expand(n, groups, f // groups, cg * kh * kw)
    return _add_bias(MatMul.apply(w, cols).reshape(n, f, oh, ow), bias)


def conv_transpose2d(self: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None = None, stride: Size2 = 1,
                     padding: Size2 = 0, output_padding: Size2 = 0, groups: int = 1,
                     dilation: Size2 = 1) -> _t.Tensor:
    """The transposed convolution (the adjoint of conv2d, as torch.nn.functional.conv_transpose2d) of an
    (N, C, H, W) input with a (C, F / groups, KH, KW) weight, giving (N, F, OH, OW) with
    OH = (H - 1) * stride - 2 * padding + dilation * (KH - 1) + output_padding + 1."""
    if self.ndim == 3:
        return conv_transpose2d(self.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    op = "conv_transpose2d"
    _check_input(self, op)
    if weight.ndim != 4:
        raise ValueError(f"{op}: expected a weight of shape (in_channels, out_channels / groups, kH, kW), got "
                         f"{weight.shape}")
    n, c, h, w = self.shape
    _, fg, kh, kw = weight.shape
    if not isinstance(groups, int) or groups < 1 or c != weight.shape[0] or c % groups:
        raise ValueError(f"{op}: input {self.shape} with groups={groups} does not fit weight {weight.shape}: "
                         f"expected {weight.shape[0]} input channels (weight.shape[0]), divisible by groups")
    f, cg = fg * groups, c // groups
    _check_weight(self, weight, bias, f, op)
    (sh, sw), (dh, dw) = _pair(stride, "stride", op), _pair(dilation, "dilation", op)
    (ph, pw), (oph, opw) = _pair(padding, "padding", op, low=0), _pair(output_padding, "output_padding", op, low=0)
    if not (oph < sh or oph < dh) or not (opw < sw or opw < dw):
        raise ValueError(f"{op}: output_padding {(oph, opw)} must be smaller than the stride {(sh, sw)} or the "
                         f"dilation {(dh, dw)} on each axis")
    full = ((h - 1) * sh + dh * (kh - 1) + 1, (w - 1) * sw + dw * (kw - 1) + 1)
    if full[0] + oph - 2 * ph < 1 or full[1] + opw - 2 * pw < 1:
        raise ValueError(f"{op}: padding {(ph, pw)} crops away the whole output of spatial size {full}")
    # Each input pixel paints weight[c] * x[c] onto a KH x KW patch of the output. Per image and group the
    # patches are the columns of weight[g]^T @ x[n, g] (a GEMM over C/G); Fold adds overlapping patches up.
    # That is conv2d's backward with respect to its input, run forward.
    xs = self.reshape(n, groups, cg, h * w)
    wt = weight.reshape(1, groups, cg, fg * kh * kw).permute(0, 1, 3, 2).expand(n, groups, fg * kh * kw, cg)
    cols = MatMul.apply(wt, xs).reshape(n, f, kh, kw, h, w).permute(0, 1, 4, 5, 2, 3)  # (N, F, H, W, KH, KW)
    image = Fold.apply(cols, spatial=full, stride=(sh, sw), dilation=(dh, dw))
    # conv2d's padding widened its input, so the adjoint cuts it off the output; output_padding gives back
    # rows and columns at the end (the ones a strided conv2d would have skipped), zero where nothing landed.
    extra = (max(0, oph - ph), max(0, opw - pw))
    if any(extra):
        image = Pad.apply(image, padding=((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    return _add_bias(image.shrink((None, None, (ph, full[0] + oph - ph), (pw, full[1] + opw - pw))), bias)


def _pool_args(kernel_size: Size2, stride: Size2 | None, padding: Size2, dilation: Size2,
               op: str) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    """A pooling's kernel, strides (the kernel's by default), paddings and dilations as pairs."""
    kernel = _pair(kernel_size, "kernel_size", op)
    strides = kernel if stride is None else _pair(stride, "stride", op)
    pads, dilations = _pair(padding, "padding", op, low=0), _pair(dilation, "dilation", op)
    if any(p > k // 2 for p, k in zip(pads, kernel)):  # PyTorch's rule: no window lies in the padding alone
        raise ValueError(f"{op}: padding {pads} must be at most half the kernel size {kernel}")
    return kernel, strides, pads, dilations


def _ceil_extra(size: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    """With ceil_mode, the elements to add after the padding so that a last, partial window fits. The output
    size rounds up, (size + 2 pad - span) / stride + 1 with span = dilation (kernel - 1) + 1, except that the
    last window must start inside the input or the left padding (PyTorch's rule)."""
    span = dilation * (kernel - 1) + 1
    out = -(-(size + 2 * pad - span) // stride) + 1
    if (out - 1) * stride >= size + pad:
        out -= 1
    return max(0, (out - 1) * stride + span - (size + 2 * pad))


def _ceil_extras(x: _t.Tensor, kernel: tuple[int, int], strides: tuple[int, int], pads: tuple[int, int],
                 dilations: tuple[int, int], ceil_mode: bool) -> tuple[int, int]:
    if not ceil_mode:
        return 0, 0
    h, w = x.shape[2:]
    return (_ceil_extra(h, kernel[0], strides[0], pads[0], dilations[0]),
            _ceil_extra(w, kernel[1], strides[1], pads[1], dilations[1]))


def _pool_windows(x: _t.Tensor, kernel: tuple[int, int], strides: tuple[int, int], pads: tuple[int, int],
                  dilations: tuple[int, int], extra: tuple[int, int], pad_value: float, op: str) -> _t.Tensor:
    """The pooling windows of the (N, C, H, W) input x as one contiguous (KH * KW, N, C, OH, OW) array: a
    pooling is then a reduction over axis 0. x is padded with pad_value by `pads` on each side and by `extra`
    more at the bottom and right (ceil_mode's partial windows)."""
    _check_input(x, op)
    x = x.pad2d((pads[1], pads[1] + extra[1], pads[0], pads[0] + extra[0]), pad_value)
    _check_fits(x, kernel, dilations, op)
    n, c, h, w = x.shape
    if strides == kernel and dilations == (1, 1):
        # Windows that tile the image without overlap are just a reshape of it (after cutting off a ragged
        # edge, as the floor in the output size does): no window view, and the gradient needs no Fold.
        oh, ow = h // kernel[0], w // kernel[1]
        x = x.shrink((None, None, (0, oh * kernel[0]), (0, ow * kernel[1])))
        windows = x.reshape(n, c, oh, kernel[0], ow, kernel[1]).permute(3, 5, 0, 1, 2, 4)
    else:
        windows = Unfold.apply(x, kernel=kernel, stride=strides, dilation=dilations).permute(4, 5, 0, 1, 2, 3)
    # NumPy reduces over small, strided axes one output element at a time (slow for small windows);
    # with the window axes first and contiguous, the reduction is KH * KW - 1 whole-array maximums or sums.
    # Copying the windows there costs less than what it saves.
    return windows.reshape(kernel[0] * kernel[1], *windows.shape[2:])


def _max_windows(x: _t.Tensor, kernel_size: Size2, stride: Size2 | None, padding: Size2, dilation: Size2,
                 ceil_mode: bool, op: str) -> tuple[_t.Tensor, tuple[tuple[int, int], ...]]:
    """max pooling's windows (padding is -inf) and its (kernel, strides, pads, dilations)."""
    args = _pool_args(kernel_size, stride, padding, dilation, op)
    extra = _ceil_extras(x, *args, ceil_mode) if x.ndim == 4 else (0, 0)
    return _pool_windows(x, *args, extra, float("-inf"), op), args


def max_pool2d(self: _t.Tensor, kernel_size: Size2 = 2, stride: Size2 | None = None, padding: Size2 = 0,
               dilation: Size2 = 1, *, ceil_mode: bool = False) -> _t.Tensor:
    """The maximum of each kernel_size window (stride defaults to kernel_size; padding is -inf; ceil_mode keeps
    a last, partial window), as torch.nn.functional.max_pool2d. Tied maxima in a window share its gradient
    equally, where PyTorch gives it all to one of them; after a ReLU, ties are zeros whose gradient the ReLU
    stops anyway."""
    if self.ndim == 3:
        return max_pool2d(self.unsqueeze(0), kernel_size, stride, padding, dilation, ceil_mode=ceil_mode).squeeze(0)
    return _max_windows(self, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")[0].amax(0)


def max_pool2d_with_indices(self: _t.Tensor, kernel_size: Size2 = 2, stride: Size2 | None = None,
                            padding: Size2 = 0, dilation: Size2 = 1, *,
                            ceil_mode: bool = False) -> tuple[_t.Tensor, _t.Tensor]:
    """max_pool2d and, for each maximum, where it lies: its index into the flattened H * W of its channel (the
    first maximum of a window in raster order), as int64, which max_unpool2d takes."""
    if self.ndim == 3:
        values, indices = max_pool2d_with_indices(self.unsqueeze(0), kernel_size, stride, padding, dilation,
                                                  ceil_mode=ceil_mode)
        return values.squeeze(0), indices.squeeze(0)
    op = "max_pool2d_with_indices"
    windows, (kernel, strides, pads, dilations) = _max_windows(self, kernel_size, stride, padding, dilation,
                                                               ceil_mode, op)
    # The window offset k of the maximum is (kh, kw) = divmod(k, KW); window (oh, ow) starts at
    # (oh * stride - pad) of the unpadded input, so the maximum is at row oh * sh - ph + kh * dh (and so for
    # the column).
    offset = windows.detach().argmax(0)
    oh, ow = windows.shape[3:]
    rows = _t.Tensor.arange(oh, backend=self.backend).reshape(oh, 1) * strides[0] - pads[0]
    cols = _t.Tensor.arange(ow, backend=self.backend) * strides[1] - pads[1]
    row = rows + (offset // kernel[1]) * dilations[0]
    col = cols + (offset % kernel[1]) * dilations[1]
    return windows.amax(0), row * self.shape[3] + col


def avg_pool2d(self: _t.Tensor, kernel_size: Size2 = 2, stride: Size2 | None = None, padding: Size2 = 0,
               count_include_pad: bool = True, *, ceil_mode: bool = False,
               divisor_override: int | None = None) -> _t.Tensor:
    """The mean of each kernel_size window (stride defaults to kernel_size; padding is 0 and counts toward the
    mean unless count_include_pad is False; ceil_mode keeps a last, partial window, whose mean is over the
    part inside the padded input), as torch.nn.functional.avg_pool2d. divisor_override divides each window's
    sum by that number instead."""
    if self.ndim == 3:
        return avg_pool2d(self.unsqueeze(0), kernel_size, stride, padding, count_include_pad, ceil_mode=ceil_mode,
                          divisor_override=divisor_override).squeeze(0)
    op = "avg_pool2d"
    kernel, strides, pads, dilations = _pool_args(kernel_size, stride, padding, 1, op)
    extra = _ceil_extras(self, kernel, strides, pads, dilations, ceil_mode) if self.ndim == 4 else (0, 0)
    windows = _pool_windows(self, kernel, strides, pads, dilations, extra, 0.0, op)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, int) or divisor_override < 1:
            raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
        return windows.sum(0) / divisor_override
    if not any(extra) and (count_include_pad or not any(pads)):
        return windows.mean(0)
    # Divide each window's sum by the number of pixels in it that count: the same pooling of a mask that is 1 on
    # the image (and on its padding, with count_include_pad) and 0 beyond.
    mask = _t.Tensor.ones(1, 1, *self.shape[2:], dtype=self.dtype, backend=self.backend)
    mask = mask.pad2d((pads[1], pads[1], pads[0], pads[0]), 1.0 if count_include_pad else 0.0)
    counts = _pool_windows(mask, kernel, strides, (0, 0), dilations, extra, 0.0, op).sum(0)
    return windows.sum(0) / counts


def _window_args(kernel_size: Size2, dilation: Size2, padding: Size2, stride: Size2,
                 op: str) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    return (_pair(kernel_size, "kernel_size", op), _pair(dilation, "dilation", op),
            _pair(padding, "padding", op, low=0), _pair(stride, "stride", op))


def im2col(self: _t.Tensor, kernel_size: Size2, dilation: Size2 = 1, padding: Size2 = 0,
           stride: Size2 = 1) -> _t.Tensor:
    """The sliding windows of an (N, C, H, W) input as the columns of an (N, C * KH * KW, L) tensor, L the
    number of windows, as torch.nn.functional.unfold: row c * KH * KW + kh * KW + kw holds pixel (kh, kw) of
    every window of channel c."""
    if self.ndim == 3:
        return im2col(self.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    op = "im2col"
    _check_input(self, op)
    kernel, dilations, pads, strides = _window_args(kernel_size, dilation, padding, stride, op)
    x = self.pad2d((pads[1], pads[1], pads[0], pads[0]))
    _check_fits(x, kernel, dilations, op)
    windows = Unfold.apply(x, kernel=kernel, stride=strides, dilation=dilations)  # (N, C, OH, OW, KH, KW)
    n, c, oh, ow = windows.shape[:4]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(n, c * kernel[0] * kernel[1], oh * ow)


def col2im(self: _t.Tensor, output_size: Size2, kernel_size: Size2, dilation: Size2 = 1, padding: Size2 = 0,
           stride: Size2 = 1) -> _t.Tensor:
    """The adjoint of im2col, as torch.nn.functional.fold: columns (N, C * KH * KW, L) summed back into an
    (N, C, *output_size) image, the pixels of overlapping windows adding up."""
    if self.ndim == 2:
        return col2im(self.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    op = "col2im"
    kernel, dilations, pads, strides = _window_args(kernel_size, dilation, padding, stride, op)
    size = _pair(output_size, "output_size", op)
    spatial = (size[0] + 2 * pads[0], size[1] + 2 * pads[1])
    oh, ow = ((s - d * (k - 1) - 1) // st + 1 for s, k, d, st in zip(spatial, kernel, dilations, strides))
    cells = kernel[0] * kernel[1]
    if self.ndim != 3 or self.shape[1] % cells or oh < 1 or ow < 1 or self.shape[2] != oh * ow:
        raise ValueError(f"{op}: expected columns of shape (N, C * {cells}, {max(oh, 0) * max(ow, 0)}) for the "
                         f"kernel {kernel} over an output of {size} (padding {pads}, stride {strides}, dilation "
                         f"{dilations}), got {self.shape}")
    _check_floating(self, op)
    n, c = self.shape[0], self.shape[1] // cells
    cols = self.reshape(n, c, kernel[0], kernel[1], oh, ow).permute(0, 1, 4, 5, 2, 3)  # (N, C, OH, OW, KH, KW)
    image = Fold.apply(cols, spatial=spatial, stride=strides, dilation=dilations)
    return image.shrink((None, None, (pads[0], pads[0] + size[0]), (pads[1], pads[1] + size[1])))


def dropout(self: _t.Tensor, p: float = 0.5, train: bool | None = None) -> _t.Tensor:
    """Zero each element with probability p and scale the others by 1 / (1 - p), so the expected value is
    unchanged, where `train` is True (torch.dropout's argument); with train=None, in training mode only
    (`with Tensor.train():`). Otherwise, or for p = 0, self unchanged."""
    check_numbers("dropout", p=p)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not (_t.Tensor.training if train is None else train) or p == 0:
        return self
    if p == 1:
        return self * 0.0  # everything dropped (an inf gives nan, as in PyTorch)
    keep = _t.Tensor.rand(self.shape, backend=self.backend) >= p  # true with probability 1 - p
    # A multiply by the mask, as PyTorch does (so an inf that is dropped gives nan there, as in PyTorch); it is
    # also several times faster than a select with a random condition.
    return self * (keep.cast(self.dtype) * (1 / (1 - p)))


def layernorm(self: _t.Tensor, axis: int | tuple[int, ...] = -1, eps: float = 1e-5) -> _t.Tensor:
    """(x - mean) / sqrt(var + eps) over `axis`, with the biased variance (torch.nn.functional.layer_norm
    without weight and bias; the affine part is edugrad.nn's LayerNorm)."""
    _check_floating(self, "layernorm")
    check_numbers("layernorm", eps=eps)
    centered = self - self.mean(axis, keepdim=True)
    var = (centered * centered).mean(axis, keepdim=True)
    return centered * (var + eps).rsqrt()  # one reciprocal square root per row, then a broadcast multiply


def batchnorm(self: _t.Tensor, weight: _t.Tensor | None, bias: _t.Tensor | None, mean: _t.Tensor,
              invstd: _t.Tensor) -> _t.Tensor:
    """(x - mean) * invstd * weight + bias with per-channel statistics on axis 1, where invstd is
    1 / sqrt(var + eps) (torch.nn.functional.batch_norm with given statistics); weight and bias may be None."""
    if self.ndim < 2:
        raise ValueError(f"batchnorm: expected an input of shape (N, C, ...), got {self.shape}")
    _check_floating(self, "batchnorm")
    channels = self.shape[1]
    for name, stat in (("weight", weight), ("bias", bias), ("mean", mean), ("invstd", invstd)):
        if stat is not None and stat.shape != (channels,):
            raise ValueError(f"batchnorm: {name} must have shape ({channels},), one value per channel of the "
                             f"input {self.shape}, got {stat.shape}")
    shape = (1, channels) + (1,) * (self.ndim - 2)
    scale = invstd if weight is None else invstd * weight  # fold the weight into the per-channel scale first
    out = (self - mean.reshape(shape)) * scale.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


def embedding(self: _t.Tensor, weight: _t.Tensor) -> _t.Tensor:
    """The rows of `weight` (num_embeddings, embedding_dim) at the integer indices in self, as
    torch.nn.functional.embedding: shape self.shape + (embedding_dim,)."""
    if not self.dtype.is_integer:
        raise TypeError(f"embedding: the indices must have an integer dtype, got {self.dtype.name}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: expected a weight of shape (num_embeddings, embedding_dim), got "
                         f"{weight.shape}")
    count, dim = self.numel(), weight.shape[1]
    # Row i of the result reads weight[index[i], :]: a gather along axis 0 with the index repeated over the
    # columns. Its gradient is a scatter-add, so a row looked up twice collects both gradients.
    index = self.reshape(count, 1).expand(count, dim)
    try:
        rows = Gather.apply(weight, index, axis=0)
    except IndexError as error:
        raise IndexError(f"embedding: indices must lie in [0, {weight.shape[0]}) for a weight of shape "
                         f"{weight.shape} ({error})") from None
    return rows.reshape(*self.shape, dim)


def _shared_heads(query: _t.Tensor, kv: _t.Tensor, op: str) -> _t.Tensor:
    """Grouped-query attention: key or value (..., Hkv, S, E) repeated along the heads (dim -3) to the query's
    Hq, each one shared by Hq / Hkv consecutive query heads (torch.repeat_interleave along dim -3)."""
    if query.ndim < 3 or kv.ndim < 3 or query.shape[-3] % kv.shape[-3]:
        raise ValueError(f"{op}: enable_gqa needs the query's heads (dim -3) to be a multiple of the key's and "
                         f"value's, got query {query.shape} and {kv.shape}")
    heads, group = kv.shape[-3], query.shape[-3] // kv.shape[-3]
    if group == 1:
        return kv
    lead, rest = kv.shape[:-3], kv.shape[-2:]
    return kv.unsqueeze(-3).expand(*lead, heads, group, *rest).reshape(*lead, heads * group, *rest)


def scaled_dot_product_attention(self: _t.Tensor, key: _t.Tensor, value: _t.Tensor,
                                 attn_mask: _t.Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, *, scale: float | None = None,
                                 enable_gqa: bool = False) -> _t.Tensor:
    """softmax(query @ key^T * scale + mask) @ value with self as the query (..., L, E), key (..., S, E) and
    value (..., S, Ev), as torch.nn.functional.scaled_dot_product_attention; scale defaults to 1 / sqrt(E). A
    bool attn_mask keeps the positions where it is True, a float one (of the query's dtype, or float32) is added
    to the scores; is_causal lets query i see keys j <= i. Dropout with probability dropout_p on the attention
    weights applies whenever dropout_p > 0, as in PyTorch (callers pass 0 in evaluation). With enable_gqa, key
    and value may have fewer heads (dim -3) than the query, each shared by a group of query heads."""
    op = "scaled_dot_product_attention"
    if enable_gqa:
        key, value = _shared_heads(self, key, op), _shared_heads(self, value, op)
    if self.ndim < 2 or key.ndim < 2 or value.ndim < 2 or self.shape[-1] != key.shape[-1] \
            or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{op}: expected query (..., L, E), key (..., S, E) and value (..., S, Ev), got "
                         f"{self.shape}, {key.shape} and {value.shape}")
    if not (self.dtype is key.dtype is value.dtype) or not self.dtype.is_floating_point:
        raise TypeError(f"{op}: expected query, key and value of one floating-point dtype, got {self.dtype.name}, "
                        f"{key.dtype.name} and {value.dtype.name}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: pass either attn_mask or is_causal=True, not both")
    # As in PyTorch, a float32 mask is taken for any query (it is what masks are usually built in) and used in
    # the query's dtype; any other float mask must have the query's dtype, so it cannot promote the scores.
    if attn_mask is not None and attn_mask.dtype not in (dtypes.bool, dtypes.float32, self.dtype):
        raise TypeError(f"{op}: expected an attn_mask of dtype bool, float32 or the query's {self.dtype.name}, got "
                        f"{attn_mask.dtype.name}")
    length, source = self.shape[-2], key.shape[-2]
    check_numbers(op, dropout_p=dropout_p)
    factor = 1 / sqrt(self.shape[-1]) if scale is None else scale
    # Scaling the query costs L * E multiplies, scaling the scores L * S: with S > E (as is usual) this is less.
    scores = (self * factor).matmul(key.transpose(-2, -1))
    if is_causal:
        rows = _t.Tensor.arange(length, backend=self.backend).reshape(length, 1)
        attn_mask = rows >= _t.Tensor.arange(source, backend=self.backend).reshape(1, source)
    if attn_mask is not None and attn_mask.dtype is dtypes.bool:
        scores = scores.where(attn_mask, float("-inf"))
    elif attn_mask is not None:
        scores = scores + attn_mask.cast(self.dtype)
    return scores.softmax(-1).dropout(dropout_p, True).matmul(value)
