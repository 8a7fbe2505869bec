"""Image ops with torch.nn.functional's signatures: `pad` (constant, reflect, replicate, circular),
`interpolate` and the `upsample` family, `pixel_shuffle`, `pixel_unshuffle` and `channel_shuffle`.

Top layer (`edugrad.nn`), composed from Tensor ops: padding copies slices of the input to its borders,
resampling reads input positions along one axis at a time (an index per output position for nearest, two
with weights for linear), and the shuffles are reshapes and permutations. So every gradient is that of the
slices and gathers: it flows back to the positions that were read.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

from edugrad.nn.functional._common import tensor_arg
from edugrad.nn.functional.pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
from edugrad.tensor import Tensor, tensor

PAD_MODES = ("constant", "reflect", "replicate", "circular")
INTERPOLATE_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "area")


def _along(x: Tensor, axis: int, start: int, stop: int) -> Tensor:
    """x[..., start:stop, ...] on `axis`."""
    return x[(slice(None),) * axis + (slice(start, stop),)]


def _pad_axis(x: Tensor, axis: int, before: int, after: int, mode: str) -> Tensor:
    """x with `before` and `after` elements added at the ends of `axis` by a non-constant mode."""
    n = x.shape[axis]
    if mode == "reflect":  # mirrored about the edge element, which is not repeated
        if before >= n or after >= n:
            raise ValueError(f"pad: reflect padding ({before}, {after}) must be smaller than the size {n} of dimension "
                             f"{axis} of the input {x.shape}")
        left, right = _along(x, axis, 1, before + 1).flip(axis), _along(x, axis, n - after - 1, n - 1).flip(axis)
    elif mode == "replicate":  # the edge element repeated
        edge_shape = list(x.shape)
        edge_shape[axis] = before
        left = _along(x, axis, 0, 1).expand(edge_shape)
        edge_shape[axis] = after
        right = _along(x, axis, n - 1, n).expand(edge_shape)
    else:  # circular: the input wraps around
        if before > n or after > n:
            raise ValueError(f"pad: circular padding ({before}, {after}) must be at most the size {n} of dimension "
                             f"{axis} of the input {x.shape}")
        left, right = _along(x, axis, n - before, n), _along(x, axis, 0, after)
    return Tensor.cat([left, x, right], dim=axis)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dims: `pad` is (left, right) for the last dim, then (top, bottom) for the one before, and
    so on. mode "constant" fills with value (0 if None; negative amounts crop); "reflect" mirrors the input
    at its edges, "replicate" repeats the edge, "circular" wraps around (these pad 1 to 3 dims of an input
    with one or two more dims before them)."""
    x = tensor_arg("pad", "input", input)
    amounts = tuple(pad)
    if len(amounts) % 2 or any(isinstance(p, bool) or not isinstance(p, int) for p in amounts):
        raise ValueError(f"pad: pad must hold an even number of ints (left, right, top, bottom, ...), got {pad!r}")
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(map(repr, PAD_MODES))}, got {mode!r}")
    if mode == "constant":
        return x.pad2d(amounts, 0 if value is None else value)
    dims = len(amounts) // 2
    if value is not None and value != 0:
        raise ValueError(f"pad: padding mode {mode!r} does not take a value, got {value}")
    if dims not in (1, 2, 3) or x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"pad: {mode} padding of {dims} dims needs an input of {dims + 1} or {dims + 2} dims "
                         f"(batch and channel dims before them), got shape {x.shape}")
    if any(p < 0 for p in amounts) and mode != "circular":
        raise ValueError(f"pad: {mode} padding must not be negative, got {amounts}")
    for i in range(dims):
        axis = x.ndim - 1 - i
        before, after = amounts[2 * i], amounts[2 * i + 1]
        crop = (max(-before, 0), x.shape[axis] - max(-after, 0))  # negative circular amounts crop first
        x = _pad_axis(_along(x, axis, *crop), axis, max(before, 0), max(after, 0), mode)
    return x


def _resample_sizes(x: Tensor, size: int | Sequence[int] | None, scale_factor: float | Sequence[float] | None,
                    recompute_scale_factor: bool | None, dims: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The output size of each resampled dim and the scale (input positions per output position) its source
    coordinates use: in / out for a given size (or with recompute_scale_factor), else 1 / scale_factor."""
    spatial = x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: pass exactly one of size and scale_factor")
    if size is not None:
        out = (size,) * dims if isinstance(size, int) else tuple(size)
        if len(out) != dims or any(not isinstance(s, int) or s < 1 for s in out):
            raise ValueError(f"interpolate: size must be a positive int or {dims} of them for an input of shape "
                             f"{x.shape}, got {size!r}")
        return out, tuple(n / o for n, o in zip(spatial, out))
    assert scale_factor is not None
    factors = (scale_factor,) * dims if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
    if len(factors) != dims or any(f <= 0 for f in factors):
        raise ValueError(f"interpolate: scale_factor must be a positive number or {dims} of them, got {scale_factor!r}")
    out = tuple(math.floor(n * f) for n, f in zip(spatial, factors))
    if any(o < 1 for o in out):
        raise ValueError(f"interpolate: scale_factor {scale_factor!r} gives an empty output for input {x.shape}")
    if recompute_scale_factor:
        return out, tuple(n / o for n, o in zip(spatial, out))
    return out, tuple(1 / f for f in factors)


def _nearest(x: Tensor, axis: int, out: int, scale: float, exact: bool) -> Tensor:
    """Output position i reads input floor(i * scale) ("nearest", PyTorch's legacy rule) or the input whose
    centre is nearest, floor((i + 1/2) * scale) ("nearest-exact")."""
    n = x.shape[axis]
    offset = 0.5 if exact else 0.0
    index = [min(math.floor((i + offset) * scale), n - 1) for i in range(out)]
    return x[(slice(None),) * axis + (tensor(index, backend=x.backend),)]


def _linear(x: Tensor, axis: int, out: int, scale: float, align_corners: bool) -> Tensor:
    """Output position i at source coordinate s, between inputs i0 = floor(s) and i0 + 1:
    (1 - t) x[i0] + t x[i0 + 1] with t = s - i0. With align_corners the corner inputs map onto the corner
    outputs, s = i (n - 1) / (out - 1); otherwise pixel centres line up, s = (i + 1/2) scale - 1/2, at least 0."""
    n = x.shape[axis]
    if align_corners:
        sources = [i * (n - 1) / (out - 1) if out > 1 else 0.0 for i in range(out)]
    else:
        sources = [max((i + 0.5) * scale - 0.5, 0.0) for i in range(out)]
    low = [min(math.floor(s), n - 1) for s in sources]
    high = [min(i + 1, n - 1) for i in low]
    weights = Tensor([s - i for s, i in zip(sources, low)], dtype=x.dtype, backend=x.backend)
    weights = weights.reshape(out, *[1] * (x.ndim - axis - 1))
    at = (slice(None),) * axis
    below, above = x[at + (tensor(low, backend=x.backend),)], x[at + (tensor(high, backend=x.backend),)]
    return below * (1 - weights) + above * weights


def interpolate(input: Tensor, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resample the spatial dims of an (N, C, L) or (N, C, H, W) input to `size`, or to floor(size *
    scale_factor): mode "nearest" or "nearest-exact" copies the nearest input, "linear" (3-d) and "bilinear"
    (4-d) interpolate between the two nearest inputs along each dim, "area" averages (adaptive average
    pooling). align_corners (interpolating modes only, default False) maps the corner pixels onto each other."""
    x = tensor_arg("interpolate", "input", input)
    if mode not in INTERPOLATE_MODES:
        raise ValueError(f"interpolate: mode must be one of {', '.join(map(repr, INTERPOLATE_MODES))} (edugrad has "
                         f"no bicubic or trilinear), got {mode!r}")
    if x.ndim not in (3, 4):
        raise ValueError(f"interpolate: expected an input of shape (N, C, L) or (N, C, H, W), got {x.shape}")
    dims = x.ndim - 2
    if mode in ("linear", "bilinear") and dims != {"linear": 1, "bilinear": 2}[mode]:
        raise ValueError(f"interpolate: mode {mode!r} needs a {3 if mode == 'linear' else 4}-d input, got {x.shape}")
    if align_corners is not None and mode not in ("linear", "bilinear"):
        raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: linear | "
                         "bilinear")
    if antialias:
        raise ValueError("interpolate: antialias is not supported by edugrad")
    out, scales = _resample_sizes(x, size, scale_factor, recompute_scale_factor, dims)
    if mode == "area":
        return adaptive_avg_pool1d(x, out[0]) if dims == 1 else adaptive_avg_pool2d(x, out)
    for i, (o, s) in enumerate(zip(out, scales)):
        axis = 2 + i
        if mode in ("nearest", "nearest-exact"):
            x = _nearest(x, axis, o, s, mode == "nearest-exact")
        else:
            x = _linear(x, axis, o, s, bool(align_corners))
    return x


def upsample(input: Tensor, size: int | Sequence[int] | None = None,
             scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """interpolate under its deprecated name (PyTorch warns, and so does this)."""
    warnings.warn("upsample is deprecated; use interpolate instead", UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: int | Sequence[int] | None = None,
                     scale_factor: float | Sequence[float] | None = None) -> Tensor:
    """interpolate(mode="nearest") under its deprecated name."""
    warnings.warn("upsample_nearest is deprecated; use interpolate instead", UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, "nearest")


def upsample_bilinear(input: Tensor, size: int | Sequence[int] | None = None,
                      scale_factor: float | Sequence[float] | None = None) -> Tensor:
    """interpolate(mode="bilinear", align_corners=True) under its deprecated name."""
    warnings.warn("upsample_bilinear is deprecated; use interpolate instead", UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, "bilinear", align_corners=True)


def _factor(op: str, name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")
    return value


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) to (*, C, H r, W r): each group of r^2 channels becomes an r x r block of pixels
    (sub-pixel convolution's upsampling)."""
    x, r = tensor_arg("pixel_shuffle", "input", input), _factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle: expected an input (*, C * {r * r}, H, W), got {x.shape}")
    *lead, c, h, w = x.shape
    n = len(lead)
    blocks = x.reshape(*lead, c // (r * r), r, r, h, w)  # (*, C, r_h, r_w, H, W)
    return blocks.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2).reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) to (*, C r^2, H, W), the inverse of pixel_shuffle."""
    x = tensor_arg("pixel_unshuffle", "input", input)
    r = _factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if x.ndim < 3 or x.shape[-2] % r or x.shape[-1] % r:
        raise ValueError(f"pixel_unshuffle: expected an input (*, C, H, W) with H and W divisible by {r}, got "
                         f"{x.shape}")
    *lead, c, h, w = x.shape
    n = len(lead)
    blocks = x.reshape(*lead, c, h // r, r, w // r, r)  # (*, C, H, r_h, W, r_w)
    return blocks.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3).reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """The channels (dim 1) of an (N, C, *) input interleaved across `groups` (ShuffleNet): channel g * (C / G)
    + i moves to i * G + g."""
    x, g = tensor_arg("channel_shuffle", "input", input), _factor("channel_shuffle", "groups", groups)
    if x.ndim < 3 or x.shape[1] % g:
        raise ValueError(f"channel_shuffle: expected an input (N, C, *) with C divisible by groups={g}, got "
                         f"{x.shape}")
    n, c, *rest = x.shape
    return x.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(x.shape)


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """channel_shuffle under the name of PyTorch's native kernel (the same result)."""
    return channel_shuffle(input, groups)


__all__ = [
    "channel_shuffle", "interpolate", "native_channel_shuffle", "pad", "pixel_shuffle", "pixel_unshuffle", "upsample", "upsample_bilinear",
    "upsample_nearest",
]
