"""nn ops: convolution, pooling, im2col and col2im, dropout, normalization, embedding lookup and attention.

Tensor layer (`edugrad.tensor`). These are the building blocks of `edugrad.nn`'s layers, composed from the
Functions of the layer below. The 2-d window ops here (`conv2d`, `max_pool2d`, `im2col`, ...) are the Tensor
methods of the N-d ones in `edugrad.tensor.windows`, which hold the math (the windows as a view, a
convolution as one batched GEMM) for 1-, 2- and 3-d alike.
"""
from __future__ import annotations

from collections.abc import Sequence
from math import sqrt

from edugrad.data import dtypes
from edugrad.function import Gather
from edugrad.tensor import _tensor as _t
from edugrad.tensor import windows
from edugrad.tensor.binary import broadcast_shape
from edugrad.tensor.elementwise import check_numbers
from edugrad.tensor.windows import check_floating

Size2 = int | Sequence[int]


def conv2d(self: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None = None, stride: Size2 = 1,
           padding: Size2 | str = 0, dilation: Size2 = 1, groups: int = 1) -> _t.Tensor:
    """2-D convolution (cross-correlation, as torch.nn.functional.conv2d) of an (N, C, H, W) input with an
    (F, C / groups, KH, KW) weight, giving (N, F, OH, OW); padding is an int, (pad_h, pad_w), (left, right, top,
    bottom), "valid" or "same"."""
    return windows.conv(self, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv_transpose2d(self: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None = None, stride: Size2 = 1,
                     padding: Size2 = 0, output_padding: Size2 = 0, groups: int = 1,
                     dilation: Size2 = 1) -> _t.Tensor:
    """The transposed convolution (the adjoint of conv2d, as torch.nn.functional.conv_transpose2d) of an
    (N, C, H, W) input with a (C, F / groups, KH, KW) weight, giving (N, F, OH, OW) with
    OH = (H - 1) * stride - 2 * padding + dilation * (KH - 1) + output_padding + 1."""
    return windows.conv_transpose(self, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                                  "conv_transpose2d")


def max_pool2d(self: _t.Tensor, kernel_size: Size2 = 2, stride: Size2 | None = None, padding: Size2 = 0,
               dilation: Size2 = 1, *, ceil_mode: bool = False) -> _t.Tensor:
    """The maximum of each kernel_size window (stride defaults to kernel_size; padding is -inf; ceil_mode keeps
    a last, partial window), as torch.nn.functional.max_pool2d. Tied maxima in a window share its gradient
    equally, where PyTorch gives it all to one of them."""
    return windows.max_pool(self, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d")


def max_pool2d_with_indices(self: _t.Tensor, kernel_size: Size2 = 2, stride: Size2 | None = None,
                            padding: Size2 = 0, dilation: Size2 = 1, *,
                            ceil_mode: bool = False) -> tuple[_t.Tensor, _t.Tensor]:
    """max_pool2d and, for each maximum, where it lies: its index into the flattened H * W of its channel (the
    first maximum of a window in raster order), as int64, which max_unpool2d takes."""
    return windows.max_pool_with_indices(self, kernel_size, stride, padding, dilation, ceil_mode, 2,
                                         "max_pool2d_with_indices")


def avg_pool2d(self: _t.Tensor, kernel_size: Size2 = 2, stride: Size2 | None = None, padding: Size2 = 0,
               count_include_pad: bool = True, *, ceil_mode: bool = False,
               divisor_override: int | None = None) -> _t.Tensor:
    """The mean of each kernel_size window (stride defaults to kernel_size; padding is 0 and counts toward the
    mean unless count_include_pad is False; ceil_mode keeps a last, partial window, whose mean is over the
    part inside the padded input), as torch.nn.functional.avg_pool2d. divisor_override divides each window's
    sum by that number instead."""
    return windows.avg_pool(self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                            "avg_pool2d")


def im2col(self: _t.Tensor, kernel_size: Size2, dilation: Size2 = 1, padding: Size2 = 0,
           stride: Size2 = 1) -> _t.Tensor:
    """The sliding windows of an (N, C, H, W) input as the columns of an (N, C * KH * KW, L) tensor, L the
    number of windows, as torch.nn.functional.unfold: row c * KH * KW + kh * KW + kw holds pixel (kh, kw) of
    every window of channel c."""
    return windows.im2col(self, kernel_size, dilation, padding, stride, 2, "im2col")


def col2im(self: _t.Tensor, output_size: Size2, kernel_size: Size2, dilation: Size2 = 1, padding: Size2 = 0,
           stride: Size2 = 1) -> _t.Tensor:
    """The adjoint of im2col, as torch.nn.functional.fold: columns (N, C * KH * KW, L) summed back into an
    (N, C, *output_size) image, the pixels of overlapping windows adding up."""
    return windows.col2im(self, output_size, kernel_size, dilation, padding, stride, 2, "col2im")


def dropout(self: _t.Tensor, p: float = 0.5, train: bool | None = None) -> _t.Tensor:
    """Zero each element with probability p and scale the others by 1 / (1 - p), so the expected value is
    unchanged, where `train` is True (torch.dropout's argument); with train=None, in training mode only
    (`with Tensor.train():`). Otherwise, or for p = 0, self unchanged."""
    check_numbers("dropout", p=p)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not (_t.Tensor.is_training() if train is None else train) or p == 0:
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
    check_floating(self, "layernorm")
    check_numbers("layernorm", eps=eps)
    # float16 and bfloat16 are normalized in float32, as torch does: for a constant row 1 / (var + eps) is 1e5,
    # beyond float16's range, and the gradient would be inf * 0 = NaN.
    x = self.cast(dtypes.float32) if self.dtype.itemsize == 2 else self
    centered = x - x.mean(axis, keepdim=True)
    var = (centered * centered).mean(axis, keepdim=True)
    out = centered * (var + eps).rsqrt()  # one reciprocal square root per row, then a broadcast multiply
    return out if x is self else out.cast(self.dtype)


def batchnorm(self: _t.Tensor, weight: _t.Tensor | None, bias: _t.Tensor | None, mean: _t.Tensor,
              invstd: _t.Tensor) -> _t.Tensor:
    """(x - mean) * invstd * weight + bias with per-channel statistics on axis 1, where invstd is
    1 / sqrt(var + eps) (torch.nn.functional.batch_norm with given statistics); weight and bias may be None."""
    if self.ndim < 2:
        raise ValueError(f"batchnorm: expected an input of shape (N, C, ...), got {self.shape}")
    check_floating(self, "batchnorm")
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
    to the scores; a query whose keys are all masked gets zero weights (output 0, as in PyTorch); is_causal lets
    query i see keys j <= i. Dropout with probability dropout_p on the attention weights applies whenever
    dropout_p > 0, as in PyTorch (callers pass 0 in evaluation). With enable_gqa, key and value may have fewer
    heads (dim -3) than the query, each shared by a group of query heads."""
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
    if attn_mask is not None and broadcast_shape(attn_mask.shape, scores.shape, op) != scores.shape:
        raise ValueError(f"{op}: attn_mask of shape {attn_mask.shape} does not broadcast to the attention scores' "
                         f"shape {scores.shape} (..., L, S) of query {self.shape} and key {key.shape}")
    if attn_mask is not None and attn_mask.dtype is dtypes.bool:
        scores = scores.where(attn_mask, float("-inf"))
    elif attn_mask is not None:
        scores = scores + attn_mask.cast(self.dtype)
    weights = scores.softmax(-1) if attn_mask is None else _masked_softmax(scores)
    return weights.dropout(dropout_p, True).matmul(value)


def _masked_softmax(scores: _t.Tensor) -> _t.Tensor:
    """softmax over the last axis, where a row whose every score is -inf (a query with every key masked) gets
    zero weights instead of 0 / 0 = nan, as in PyTorch 2.13: that query attends to nothing, so its output and
    its gradients are 0. Its scores become 0 before the softmax, so the softmax's backward stays finite too."""
    dead = (scores.detach() == float("-inf")).all(-1, keepdim=True)
    if not dead.any().item():
        return scores.softmax(-1)
    alive = dead.logical_not()
    return scores.where(alive, 0.0).softmax(-1).where(alive, 0.0)
