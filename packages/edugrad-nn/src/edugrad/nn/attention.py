"""`MultiheadAttention`: scaled dot-product attention over several heads, with PyTorch's parameter layout.

Top layer (`edugrad.nn`). For queries Q, keys K and values V (each projected from its input by a learned
matrix), one head computes softmax(Q K^T / sqrt(head_dim) + mask) V: every query position takes a weighted
mean of the values, weighted by how well its query matches each key. `num_heads` heads do this on separate
head_dim = embed_dim / num_heads slices, and `out_proj` mixes their concatenated results.

The parameters are laid out as in `torch.nn.MultiheadAttention` (so state dicts are interchangeable):
`in_proj_weight` (3 * embed_dim, embed_dim) stacks the query, key and value projections (or, when the keys
and values have other sizes `kdim`, `vdim`, the separate `q_proj_weight`, `k_proj_weight`, `v_proj_weight`),
`in_proj_bias` their biases, and `out_proj` is a Linear(embed_dim, embed_dim). `add_bias_kv` appends a learned
key and value (`bias_k`, `bias_v`) to every sequence, `add_zero_attn` a zero one, so each query can attend to
"nothing". Initialisation also follows PyTorch: Xavier uniform for the projections, zeros for both biases,
Xavier normal for bias_k and bias_v, Linear's default for `out_proj.weight`.

Masks follow PyTorch's conventions for this module: a bool mask is True where attention is NOT allowed, a
float mask (of the layer's dtype) is added to the scores (use -inf to forbid). `attn_mask` is (L, S) or
(N * num_heads, L, S), `key_padding_mask` is (N, S) and marks padded keys. `is_causal=True` is a hint that
`attn_mask` is the causal mask (it must be given, as in PyTorch). A query row whose keys are all masked gives
NaN, as in PyTorch.
"""

from __future__ import annotations

from math import sqrt
from typing import Any

from edugrad.nn import functional as F
from edugrad.nn import init
from edugrad.nn._checks import check_input, divisible, positive_int, probability
from edugrad.nn.linear import NonDynamicallyQuantizableLinear
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, cat, dtypes

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Multi-head attention as `torch.nn.MultiheadAttention`. Inputs are (L, N, E) sequence-first, (N, L, E)
    with `batch_first=True`, or (L, E) unbatched; keys and values have kdim and vdim features."""

    in_proj_weight: Parameter | None
    q_proj_weight: Parameter | None
    k_proj_weight: Parameter | None
    v_proj_weight: Parameter | None
    in_proj_bias: Parameter | None
    bias_k: Parameter | None
    bias_v: Parameter | None

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        owner = "MultiheadAttention"
        self.embed_dim = positive_int(owner, "embed_dim", embed_dim)
        self.kdim = embed_dim if kdim is None else positive_int(owner, "kdim", kdim)
        self.vdim = embed_dim if vdim is None else positive_int(owner, "vdim", vdim)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = positive_int(owner, "num_heads", num_heads)
        divisible(owner, "embed_dim", embed_dim, "num_heads", num_heads)
        self.head_dim = embed_dim // num_heads
        self.dropout = probability(owner, "dropout", dropout)
        self.batch_first = batch_first
        same = self._qkv_same_embed_dim
        self.register_parameter("in_proj_weight", empty_parameter((3 * embed_dim, embed_dim), device, dtype)
                                if same else None)
        for name, size in (("q_proj_weight", embed_dim), ("k_proj_weight", self.kdim), ("v_proj_weight", self.vdim)):
            self.register_parameter(name, None if same else empty_parameter((embed_dim, size), device, dtype))
        self.register_parameter("in_proj_bias", empty_parameter((3 * embed_dim,), device, dtype) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = empty_parameter((1, 1, embed_dim), device, dtype)
            self.bias_v = empty_parameter((1, 1, embed_dim), device, dtype)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialisation: Xavier uniform for the projections, zeros for both biases, Xavier normal
        for bias_k and bias_v (out_proj's weight keeps Linear's default)."""
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None and self.out_proj.bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for extra in (self.bias_k, self.bias_v):
            if extra is not None:
                init.xavier_normal_(extra)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """(attention output shaped like query, attention weights or None). The weights are (N, L, S)
        averaged over heads, or (N, num_heads, L, S) with `average_attn_weights=False`."""
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: is_causal=True is a hint that attn_mask is the causal mask, so "
                               "attn_mask must be given; make one with "
                               "nn.Transformer.generate_square_subsequent_mask(L)")
        q, k, v = (self._batch_first(name, x, size) for name, x, size in
                   (("query", query, self.embed_dim), ("key", key, self.kdim), ("value", value, self.vdim)))
        if k.shape[:2] != v.shape[:2] or k.shape[0] != q.shape[0]:
            raise ValueError(f"MultiheadAttention: key and value must have the same batch size and length, and the "
                             f"batch size of query, got query {query.shape}, key {key.shape}, value {value.shape}")
        n, length, source = q.shape[0], q.shape[1], k.shape[1]
        padding_shape = (n, source) if query.ndim == 3 else (source,)
        _check_mask("key_padding_mask", key_padding_mask, (padding_shape,), self._dtype())
        _check_mask("attn_mask", attn_mask, ((length, source), (n * self.num_heads, length, source)), self._dtype())
        q, k, v = self._project(q, k, v)
        if self.bias_k is not None and self.bias_v is not None:
            k = cat([k, self.bias_k.expand(n, 1, self.embed_dim)], 1)
            v = cat([v, self.bias_v.expand(n, 1, self.embed_dim)], 1)
            attn_mask, key_padding_mask = _allow_one_more(attn_mask), _allow_one_more(key_padding_mask)
        q, k, v = self._heads(q), self._heads(k), self._heads(v)
        if self.add_zero_attn:
            zeros = Tensor.zeros(n, self.num_heads, 1, self.head_dim, dtype=k.dtype, backend=k.backend)
            k, v = cat([k, zeros], 2), cat([v, zeros], 2)
            attn_mask, key_padding_mask = _allow_one_more(attn_mask), _allow_one_more(key_padding_mask)
        out, weights = self._attend(q, k, v, self._additive_mask(attn_mask, key_padding_mask, n, length))
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        out = out.squeeze(0) if query.ndim == 2 else out if self.batch_first else out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.mean(1) if average_attn_weights else weights
        return out, weights.squeeze(0) if query.ndim == 2 else weights

    def _dtype(self) -> DType:
        return self.out_proj.weight.dtype

    def _batch_first(self, name: str, x: Tensor, features: int) -> Tensor:
        """x as (N, L, features), whatever layout it came in."""
        check_input(self, x, (2, 3), "(L, E), (L, N, E) or (N, L, E) " + name)
        if x.shape[-1] != features:
            raise ValueError(f"MultiheadAttention: expected {name} with {features} features in the last dimension, "
                             f"got shape {x.shape}")
        return x.unsqueeze(0) if x.ndim == 2 else x if self.batch_first else x.transpose(0, 1)

    def _project(self, q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """q, k and v through their projections (thirds of in_proj_weight, or the separate weights)."""
        if self.in_proj_weight is not None:
            w_q, w_k, w_v = self.in_proj_weight.chunk(3, dim=0)
        elif self.q_proj_weight is not None and self.k_proj_weight is not None and self.v_proj_weight is not None:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        b_q, b_k, b_v = self.in_proj_bias.chunk(3, dim=0) if self.in_proj_bias is not None else (None, None, None)
        return F.linear(q, w_q, b_q), F.linear(k, w_k, b_k), F.linear(v, w_v, b_v)

    def _heads(self, x: Tensor) -> Tensor:
        """(N, L, E) split into heads: (N, num_heads, L, head_dim)."""
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).transpose(1, 2)

    def _attend(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """softmax(q k^T / sqrt(head_dim) + mask) v per head, and the (dropped-out) attention weights."""
        scores = (q @ k.transpose(2, 3)) * (1 / sqrt(self.head_dim))
        if mask is not None:
            scores = scores + mask
        weights = F.dropout(scores.softmax(-1), self.dropout, self.training)
        return weights @ v, weights

    def _additive_mask(self, attn_mask: Tensor | None, key_padding_mask: Tensor | None, n: int,
                       length: int) -> Tensor | None:
        """attn_mask and key_padding_mask combined into one float mask that broadcasts to (N, heads, L, S)."""
        masks = []
        if attn_mask is not None:
            additive = _additive(attn_mask, self._dtype())
            masks.append(additive.reshape(n, self.num_heads, length, -1) if attn_mask.ndim == 3 else additive)
        if key_padding_mask is not None:
            masks.append(_additive(key_padding_mask, self._dtype()).reshape(n, 1, 1, -1))
        if not masks:
            return None
        return masks[0] if len(masks) == 1 else masks[0] + masks[1]


def _check_mask(name: str, mask: Tensor | None, shapes: tuple[tuple[int, ...], ...], dtype: DType) -> None:
    if mask is None:
        return
    if not isinstance(mask, Tensor) or mask.shape not in shapes:
        found = mask.shape if isinstance(mask, Tensor) else type(mask).__name__
        raise ValueError(f"MultiheadAttention: expected {name} of shape {' or '.join(map(str, shapes))}, "
                         f"got {found}")
    # 0/1 ints would be added as scores, a float mask of another dtype would promote them: PyTorch raises for both.
    if mask.dtype is not dtypes.bool and mask.dtype is not dtype:
        raise TypeError(f"MultiheadAttention: expected a bool or {dtype.name} {name} (the layer's dtype), got dtype "
                        f"{mask.dtype.name}")


def _allow_one_more(mask: Tensor | None) -> Tensor | None:
    """The mask with one more key allowed at the end (for an appended bias or zero key)."""
    if mask is None:
        return None
    return cat([mask, Tensor.zeros(*mask.shape[:-1], 1, dtype=mask.dtype, backend=mask.backend)], -1)


def _additive(mask: Tensor, dtype: DType) -> Tensor:
    """A bool mask (True = forbidden) as 0 / -inf to add to the scores; a float mask as it is."""
    if mask.dtype != dtypes.bool:
        return mask
    return Tensor.zeros(mask.shape, dtype=dtype, backend=mask.backend).masked_fill(mask, float("-inf"))
