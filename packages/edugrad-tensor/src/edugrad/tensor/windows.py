"""Sliding-window ops over any number of spatial axes: convolution, transposed convolution, max and average
pooling, and the windows as columns (im2col) and back (col2im).

Tensor layer (`edugrad.tensor`). One mechanism serves 1-, 2- and 3-d: the Function `Unfold` shows the windows
of an (N, C, *spatial) image as an (N, C, *out, *kernel) view without copying, so a convolution is one batched
`MatMul` of the windows with the weight and a pooling is a max or a mean over the kernel axes. The gradient of
`Unfold` is `Fold`, which adds every window's gradient back onto the image; the transposed convolution runs the
same pair the other way round. So the cost of a convolution is a few GEMMs and one copy of the windows, never a
broadcast over (N, F, C, *out, *kernel). Each function takes n, the number of spatial axes; the 2-d Tensor
methods (`Tensor.conv2d`, `Tensor.max_pool2d`, ...) and `edugrad.nn.functional`'s `conv1d` ... `conv3d`,
`max_pool1d` ... `max_pool3d` are these functions with n fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from edugrad.function import Fold, MatMul, Pad, Unfold
from edugrad.tensor import _tensor as _t
from edugrad.tensor.linalg import check_dtypes

Size = int | Sequence[int]
Pairs = tuple[tuple[int, int], ...]

_AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _axes(n: int) -> tuple[str, ...]:
    return _AXES.get(n, tuple(f"S{i}" for i in range(n)))


def layout(n: int) -> str:
    """The input layouts of an op over n spatial axes, batched or not: "(N, C, H, W) or (C, H, W)"."""
    axes = ", ".join(_axes(n))
    return f"(N, C, {axes}) or (C, {axes})"


def sizes(value: Size, n: int, name: str, op: str, low: int = 1) -> tuple[int, ...]:
    """An int or n of them as an n-tuple; ValueError unless each is an int >= low."""
    values = (value,) * n if isinstance(value, int) else tuple(value)
    if len(values) != n or any(isinstance(v, bool) or not isinstance(v, int) or v < low for v in values):
        count = {1: "a tuple of one", 2: "a pair of them", 3: "a triple of them"}.get(n, f"a tuple of {n}")
        raise ValueError(f"{op}: {name} must be an int >= {low} or {count}, got {value!r}")
    return values


def _kernel_axes(n: int) -> str:
    """The kernel axes' names in a weight's layout: "kH, kW"."""
    return ", ".join("k" + axis for axis in _axes(n))


def check_floating(x: _t.Tensor, op: str) -> None:
    """TypeError unless x is floating point: PyTorch has no integer kernels for these ops, and promoting would
    hide a missing cast (of raw pixels, say)."""
    if not x.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating-point input, got {x.dtype.name}; cast it with .float()")


def _batched(x: _t.Tensor, n: int, op: str) -> tuple[_t.Tensor, bool]:
    """x as a batch (N, C, *spatial), and whether it was one unbatched example (C, *spatial)."""
    if x.ndim not in (n + 1, n + 2):
        raise ValueError(f"{op}: expected an input of shape {layout(n)}, got shape {x.shape}")
    check_floating(x, op)
    return (x.unsqueeze(0), True) if x.ndim == n + 1 else (x, False)


def _check_fits(x: _t.Tensor, kernel: tuple[int, ...], dilation: tuple[int, ...], op: str) -> None:
    """ValueError unless the (dilated) kernel fits into the padded image x at least once."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(s > size for s, size in zip(span, x.shape[2:])):
        raise ValueError(f"{op}: the kernel {kernel} with dilation {dilation} spans {span} pixels, more than "
                         f"the padded input's {x.shape[2:]} (input shape with padding: {x.shape})")


def _check_weight(x: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None, out_channels: int, op: str) -> None:
    check_dtypes(x, weight, bias, op)
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},), one value per output channel, got "
                         f"{bias.shape}")


def _add_bias(out: _t.Tensor, bias: _t.Tensor | None) -> _t.Tensor:
    return out if bias is None else out + bias.reshape(1, -1, *(1,) * (out.ndim - 2))


def _unbatched(out: _t.Tensor, unbatched: bool) -> _t.Tensor:
    return out.squeeze(0) if unbatched else out


def _conv_padding(padding: Size | str, kernel: tuple[int, ...], stride: tuple[int, ...],
                  dilation: tuple[int, ...], op: str) -> Pairs:
    """A convolution's padding as (before, after) per spatial axis, from an int, one int per axis,
    torch.nn.functional.pad's flat (left, right, top, bottom, ...) for every axis, "valid" (none) or "same"
    (the output keeps the input's size)."""
    n = len(kernel)
    message = (f"{op}: padding must be a non-negative int, a tuple of {n}, a tuple of {2 * n} (last axis first, "
               f"as in torch.nn.functional.pad), 'valid' or 'same', got {padding!r}")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(message)
        if padding == "valid":
            return ((0, 0),) * n
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}")
        # A dilated kernel spans d*(k-1) + 1 elements, so d*(k-1) of padding keep the size; an odd total puts
        # the extra element after, as PyTorch does.
        totals = (d * (k - 1) for k, d in zip(kernel, dilation))
        return tuple((t // 2, t - t // 2) for t in totals)
    values = (padding,) * n if isinstance(padding, int) else tuple(padding)
    if len(values) not in (n, 2 * n) or any(isinstance(v, bool) or not isinstance(v, int) or v < 0
                                            for v in values):
        raise ValueError(message)
    if len(values) == n:
        return tuple((p, p) for p in values)
    return tuple((values[2 * i], values[2 * i + 1]) for i in reversed(range(n)))


def conv(x: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None, stride: Size, padding: Size | str,
         dilation: Size, groups: int, n: int, op: str) -> _t.Tensor:
    """The convolution (cross-correlation) over n spatial axes of an (N, C, *spatial) or (C, *spatial) input
    with an (F, C / groups, *kernel) weight, giving (N, F, *out)."""
    x, unbatched = _batched(x, n, op)
    if weight.ndim != n + 2:
        raise ValueError(f"{op}: expected a weight of shape (out_channels, in_channels / groups, {_kernel_axes(n)}), "
                         f"got {weight.shape}")
    batch, c = x.shape[:2]
    f, cg, kernel = weight.shape[0], weight.shape[1], weight.shape[2:]
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or c != cg * groups or f % groups:
        raise ValueError(f"{op}: input {x.shape} with groups={groups} does not fit weight {weight.shape}: "
                         f"expected {cg * groups} input channels (weight.shape[1] * groups) and out_channels "
                         f"{f} divisible by groups")
    _check_weight(x, weight, bias, f, op)
    strides, dilations = sizes(stride, n, "stride", op), sizes(dilation, n, "dilation", op)
    x = x.pad((None, None, *_conv_padding(padding, kernel, strides, dilations, op)))
    _check_fits(x, kernel, dilations, op)
    windows = Unfold.apply(x, kernel=kernel, stride=strides, dilation=dilations)  # (N, C, *out, *kernel)
    out = windows.shape[2:2 + n]
    # Per image and group g, out[n, g] = weight[g] @ cols[n, g]: an (F/G, C/G * K) @ (C/G * K, OUT) GEMM, K and
    # OUT the kernel's and the output's sizes, whose result is already in (N, F, *out) order. The reshape into
    # cols is the one copy of the forward pass (im2col); its gradient goes back through Fold (col2im).
    kernel_axes, out_axes = range(3 + n, 3 + 2 * n), range(3, 3 + n)
    cols = windows.reshape(batch, groups, cg, *out, *kernel).permute(0, 1, 2, *kernel_axes, *out_axes)
    cols = cols.reshape(batch, groups, cg * prod(kernel), prod(out))
    w = weight.reshape(1, groups, f // groups, cg * prod(kernel)).expand(batch, groups, f // groups,
                                                                        cg * prod(kernel))
    return _unbatched(_add_bias(MatMul.apply(w, cols).reshape(batch, f, *out), bias), unbatched)


def conv_transpose(x: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None, stride: Size, padding: Size,
                   output_padding: Size, groups: int, dilation: Size, n: int, op: str) -> _t.Tensor:
    """The transposed convolution (the adjoint of conv) over n spatial axes of an (N, C, *spatial) or
    (C, *spatial) input with a (C, F / groups, *kernel) weight, giving (N, F, *out) with, per axis,
    out = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1."""
    x, unbatched = _batched(x, n, op)
    if weight.ndim != n + 2:
        raise ValueError(f"{op}: expected a weight of shape (in_channels, out_channels / groups, {_kernel_axes(n)}), "
                         f"got {weight.shape}")
    batch, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
    fg, kernel = weight.shape[1], weight.shape[2:]
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or c != weight.shape[0] \
            or c % groups:
        raise ValueError(f"{op}: input {x.shape} with groups={groups} does not fit weight {weight.shape}: "
                         f"expected {weight.shape[0]} input channels (weight.shape[0]), divisible by groups")
    f, cg = fg * groups, c // groups
    _check_weight(x, weight, bias, f, op)
    strides, dilations = sizes(stride, n, "stride", op), sizes(dilation, n, "dilation", op)
    pads, extras = sizes(padding, n, "padding", op, low=0), sizes(output_padding, n, "output_padding", op, low=0)
    if any(not (e < s or e < d) for e, s, d in zip(extras, strides, dilations)):
        raise ValueError(f"{op}: output_padding {extras} must be smaller than the stride {strides} or the "
                         f"dilation {dilations} on each axis")
    full = tuple((size - 1) * s + d * (k - 1) + 1 for size, k, s, d in zip(spatial, kernel, strides, dilations))
    if any(size + e - 2 * p < 1 for size, e, p in zip(full, extras, pads)):
        raise ValueError(f"{op}: padding {pads} crops away the whole output of spatial size {full}")
    # Each input element paints weight[c] * x[c] onto a kernel-sized patch of the output. Per image and group
    # the patches are the columns of weight[g]^T @ x[n, g] (a GEMM over C/G); Fold adds overlapping patches up.
    # That is conv's backward with respect to its input, run forward.
    k = prod(kernel)
    xs = x.reshape(batch, groups, cg, prod(spatial))
    wt = weight.reshape(1, groups, cg, fg * k).permute(0, 1, 3, 2).expand(batch, groups, fg * k, cg)
    cols = MatMul.apply(wt, xs).reshape(batch, f, *kernel, *spatial)
    cols = cols.permute(0, 1, *range(2 + n, 2 + 2 * n), *range(2, 2 + n))  # (N, F, *spatial, *kernel)
    image = Fold.apply(cols, spatial=full, stride=strides, dilation=dilations)
    # conv's padding widened its input, so the adjoint cuts it off the output; output_padding gives back
    # elements at the end (the ones a strided conv would have skipped), zero where nothing landed.
    grow = tuple(max(0, e - p) for e, p in zip(extras, pads))
    if any(grow):
        image = Pad.apply(image, padding=((0, 0), (0, 0), *((0, g) for g in grow)))
    bounds = tuple((p, size + e - p) for p, size, e in zip(pads, full, extras))
    return _unbatched(_add_bias(image.shrink((None, None, *bounds)), bias), unbatched)


def _pool_args(kernel_size: Size, stride: Size | None, padding: Size, dilation: Size, n: int,
               op: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A pooling's kernel, strides (the kernel's by default), paddings and dilations as n-tuples."""
    kernel = sizes(kernel_size, n, "kernel_size", op)
    strides = kernel if stride is None else sizes(stride, n, "stride", op)
    pads, dilations = sizes(padding, n, "padding", op, low=0), sizes(dilation, n, "dilation", op)
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


def _ceil_extras(x: _t.Tensor, kernel: tuple[int, ...], strides: tuple[int, ...], pads: tuple[int, ...],
                 dilations: tuple[int, ...], ceil_mode: bool) -> tuple[int, ...]:
    if not ceil_mode:
        return (0,) * len(kernel)
    return tuple(_ceil_extra(*axis) for axis in zip(x.shape[2:], kernel, strides, pads, dilations))


def _pool_windows(x: _t.Tensor, kernel: tuple[int, ...], strides: tuple[int, ...], pads: tuple[int, ...],
                  dilations: tuple[int, ...], extra: tuple[int, ...], pad_value: float, op: str) -> _t.Tensor:
    """The pooling windows of the (N, C, *spatial) input x as one contiguous (K, N, C, *out) array, K the
    kernel's size: a pooling is then a reduction over axis 0. x is padded with pad_value by `pads` on each side
    and by `extra` more at the end (ceil_mode's partial windows)."""
    n = len(kernel)
    x = x.pad((None, None, *((p, p + e) for p, e in zip(pads, extra))), pad_value)
    _check_fits(x, kernel, dilations, op)
    if strides == kernel and all(d == 1 for d in dilations):
        # Windows that tile the image without overlap are just a reshape of it (after cutting off a ragged
        # edge, as the floor in the output size does): no window view, and the gradient needs no Fold.
        out = tuple(size // k for size, k in zip(x.shape[2:], kernel))
        x = x.shrink((None, None, *((0, o * k) for o, k in zip(out, kernel))))
        split = x.reshape(*x.shape[:2], *(v for o, k in zip(out, kernel) for v in (o, k)))  # (N, C, o1, k1, ...)
        windows = split.permute(*range(3, 3 + 2 * n, 2), 0, 1, *range(2, 2 + 2 * n, 2))
    else:
        windows = Unfold.apply(x, kernel=kernel, stride=strides, dilation=dilations)
        windows = windows.permute(*range(2 + n, 2 + 2 * n), 0, 1, *range(2, 2 + n))
    # NumPy reduces over small, strided axes one output element at a time; with the window axes first and
    # contiguous, the reduction is K - 1 whole-array maximums or sums. Copying the windows there costs less than
    # what it saves.
    return windows.reshape(prod(kernel), *windows.shape[n:])


def _max_windows(x: _t.Tensor, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
                 ceil_mode: bool, n: int, op: str) -> tuple[_t.Tensor, tuple[tuple[int, ...], ...]]:
    """max pooling's windows of the batch x (padding is -inf) and its (kernel, strides, pads, dilations)."""
    args = _pool_args(kernel_size, stride, padding, dilation, n, op)
    extra = _ceil_extras(x, *args, ceil_mode)
    return _pool_windows(x, *args, extra, float("-inf"), op), args


def max_pool(x: _t.Tensor, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
             ceil_mode: bool, n: int, op: str) -> _t.Tensor:
    """The maximum of each window over n spatial axes (padding is -inf; ceil_mode keeps a last, partial
    window). Tied maxima in a window share its gradient equally, where PyTorch gives it all to one of them;
    after a ReLU, ties are zeros whose gradient the ReLU stops anyway."""
    x, unbatched = _batched(x, n, op)
    return _unbatched(_max_windows(x, kernel_size, stride, padding, dilation, ceil_mode, n, op)[0].amax(0),
                      unbatched)


def max_pool_with_indices(x: _t.Tensor, kernel_size: Size, stride: Size | None, padding: Size, dilation: Size,
                          ceil_mode: bool, n: int, op: str) -> tuple[_t.Tensor, _t.Tensor]:
    """max_pool and, for each maximum, where it lies: its index into the flattened spatial axes of its channel
    (the first maximum of a window in raster order), as int64, which max_unpool takes."""
    x, unbatched = _batched(x, n, op)
    windows, (kernel, strides, pads, dilations) = _max_windows(x, kernel_size, stride, padding, dilation,
                                                               ceil_mode, n, op)
    # The flat window offset of the maximum unravels into one kernel offset k per axis; window o starts at
    # o * stride - pad of the unpadded input, so along that axis the maximum is at o * stride - pad + k * dilation.
    offset = windows.detach().argmax(0)  # (N, C, *out)
    out, spatial = windows.shape[3:], x.shape[2:]
    index = None
    for axis in range(n):
        starts = _t.Tensor.arange(out[axis], backend=x.backend) * strides[axis] - pads[axis]
        starts = starts.reshape(out[axis], *(1,) * (n - 1 - axis))
        k = (offset // prod(kernel[axis + 1:])) % kernel[axis]
        position = (starts + k * dilations[axis]) * prod(spatial[axis + 1:])
        index = position if index is None else index + position
    assert index is not None
    return _unbatched(windows.amax(0), unbatched), _unbatched(index, unbatched)


def avg_pool(x: _t.Tensor, kernel_size: Size, stride: Size | None, padding: Size, ceil_mode: bool,
             count_include_pad: bool, divisor_override: int | None, n: int, op: str) -> _t.Tensor:
    """The mean of each window over n spatial axes: padding is 0 and counts toward the mean unless
    count_include_pad is False; ceil_mode keeps a last, partial window, whose mean is over the part inside the
    padded input; divisor_override divides each window's sum by that number instead."""
    x, unbatched = _batched(x, n, op)
    kernel, strides, pads, dilations = _pool_args(kernel_size, stride, padding, 1, n, op)
    extra = _ceil_extras(x, kernel, strides, pads, dilations, ceil_mode)
    windows = _pool_windows(x, kernel, strides, pads, dilations, extra, 0.0, op)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, int) or divisor_override < 1:
            raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
        return _unbatched(windows.sum(0) / divisor_override, unbatched)
    if not any(extra) and (count_include_pad or not any(pads)):
        return _unbatched(windows.mean(0), unbatched)
    # Divide each window's sum by the number of elements in it that count: the same pooling of a mask that is 1
    # on the image (and on its padding, with count_include_pad) and 0 beyond.
    mask = _t.Tensor.ones(1, 1, *x.shape[2:], dtype=x.dtype, backend=x.backend)
    mask = mask.pad((None, None, *((p, p) for p in pads)), 1.0 if count_include_pad else 0.0)
    counts = _pool_windows(mask, kernel, strides, (0,) * n, dilations, extra, 0.0, op).sum(0)
    return _unbatched(windows.sum(0) / counts, unbatched)


def _window_args(kernel_size: Size, dilation: Size, padding: Size, stride: Size, n: int,
                 op: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    return (sizes(kernel_size, n, "kernel_size", op), sizes(dilation, n, "dilation", op),
            sizes(padding, n, "padding", op, low=0), sizes(stride, n, "stride", op))


def im2col(x: _t.Tensor, kernel_size: Size, dilation: Size, padding: Size, stride: Size, n: int,
           op: str) -> _t.Tensor:
    """The sliding windows over n spatial axes of an (N, C, *spatial) input as the columns of an (N, C * K, L)
    tensor, K the kernel's size and L the number of windows (torch.nn.functional.unfold): row c * K + k holds
    element k (in raster order) of every window of channel c."""
    x, unbatched = _batched(x, n, op)
    kernel, dilations, pads, strides = _window_args(kernel_size, dilation, padding, stride, n, op)
    x = x.pad((None, None, *((p, p) for p in pads)))
    _check_fits(x, kernel, dilations, op)
    windows = Unfold.apply(x, kernel=kernel, stride=strides, dilation=dilations)  # (N, C, *out, *kernel)
    batch, c, out = windows.shape[0], windows.shape[1], windows.shape[2:2 + n]
    cols = windows.permute(0, 1, *range(2 + n, 2 + 2 * n), *range(2, 2 + n))
    return _unbatched(cols.reshape(batch, c * prod(kernel), prod(out)), unbatched)


def col2im(cols: _t.Tensor, output_size: Size, kernel_size: Size, dilation: Size, padding: Size, stride: Size,
           n: int, op: str) -> _t.Tensor:
    """The adjoint of im2col (torch.nn.functional.fold): columns (N, C * K, L) summed back into an
    (N, C, *output_size) image, the elements of overlapping windows adding up."""
    if cols.ndim == 2:
        return col2im(cols.unsqueeze(0), output_size, kernel_size, dilation, padding, stride, n, op).squeeze(0)
    kernel, dilations, pads, strides = _window_args(kernel_size, dilation, padding, stride, n, op)
    size = sizes(output_size, n, "output_size", op)
    spatial = tuple(s + 2 * p for s, p in zip(size, pads))
    out = tuple((s - d * (k - 1) - 1) // st + 1 for s, k, d, st in zip(spatial, kernel, dilations, strides))
    k = prod(kernel)
    if cols.ndim != 3 or cols.shape[1] % k or any(o < 1 for o in out) or cols.shape[2] != prod(out):
        raise ValueError(f"{op}: expected columns of shape (N, C * {k}, {prod(max(o, 0) for o in out)}) for the "
                         f"kernel {kernel} over an output of {size} (padding {pads}, stride {strides}, dilation "
                         f"{dilations}), got {cols.shape}")
    check_floating(cols, op)
    batch, c = cols.shape[0], cols.shape[1] // k
    windows = cols.reshape(batch, c, *kernel, *out).permute(0, 1, *range(2 + n, 2 + 2 * n), *range(2, 2 + n))
    image = Fold.apply(windows, spatial=spatial, stride=strides, dilation=dilations)
    return image.shrink((None, None, *((p, p + s) for p, s in zip(pads, size))))
