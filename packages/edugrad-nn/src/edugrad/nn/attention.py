"""`MultiheadAttention`: scaled dot-product attention over several heads, with PyTorch's parameter layout.

Top layer (`edugrad.nn`). For queries Q, keys K and values V (each projected from its input by a learned
matrix), one head computes softmax(Q K^T / sqrt(head_dim) + mask) V: every query position takes a weighted
mean of the values, weighted by how well its query matches each key. `num_heads` heads do this on separate
head_dim = embed_dim / num_heads slices, and `out_proj` mixes their concatenated results.

The parameters are laid out as in `torch.nn.MultiheadAttention` (so state dicts are interchangeable):
`in_proj_weight` (3 * embed_dim, embed_dim) stacks the query, key and value projections, `in_proj_bias` their
biases, and `out_proj` is a Linear(embed_dim, embed_dim). Initialisation also follows PyTorch: Xavier uniform
for `in_proj_weight`, zeros for both biases, Linear's default for `out_proj.weight`.

Masks follow PyTorch's conventions for this module: a bool mask is True where attention is NOT allowed, a
float mask (of the layer's dtype) is added to the scores (use -inf to forbid). `attn_mask` is (L, S) or
(N * num_heads, L, S), `key_padding_mask` is (N, S) and marks padded keys. A query row whose keys are all
masked gives NaN, as in PyTorch.
"""

from __future__ import annotations

from math import sqrt
from typing import Any

from edugrad.nn import init
from edugrad.nn._checks import check_input, divisible, positive_int, probability
from edugrad.nn.linear import Linear
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, dtypes

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Multi-head attention as `torch.nn.MultiheadAttention` (kdim = vdim = embed_dim). Inputs are
    (L, N, E) sequence-first, (N, L, E) with `batch_first=True`, or (L, E) unbatched."""

    in_proj_weight: Parameter
    in_proj_bias: Parameter | None

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        self.embed_dim = positive_int("MultiheadAttention", "embed_dim", embed_dim)
        self.num_heads = positive_int("MultiheadAttention", "num_heads", num_heads)
        divisible("MultiheadAttention", "embed_dim", embed_dim, "num_heads", num_heads)
        self.head_dim = embed_dim // num_heads
        self.dropout = probability("MultiheadAttention", "dropout", dropout)
        self.batch_first = batch_first
        if add_bias_kv or add_zero_attn or kdim not in (None, embed_dim) or vdim not in (None, embed_dim):
            raise NotImplementedError("MultiheadAttention: add_bias_kv, add_zero_attn and kdim/vdim other than "
                                      "embed_dim are not supported yet")
        self.kdim = self.vdim = embed_dim
        self.in_proj_weight = empty_parameter((3 * embed_dim, embed_dim), device, dtype)
        self.register_parameter("in_proj_bias", empty_parameter((3 * embed_dim,), device, dtype) if bias else None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialisation: Xavier uniform for in_proj_weight, zeros for both biases (out_proj's
        weight keeps Linear's default)."""
        init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
        if self.out_proj.bias is not None:
            init.zeros_(self.out_proj.bias)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """(attention output shaped like query, attention weights or None). The weights are (N, L, S)
        averaged over heads, or (N, num_heads, L, S) with `average_attn_weights=False`. `is_causal` without
        an attn_mask forbids attending to later positions."""
        q, k, v = (self._batch_first(name, x) for name, x in (("query", query), ("key", key), ("value", value)))
        if k.shape != v.shape or k.shape[0] != q.shape[0]:
            raise ValueError(f"MultiheadAttention: key and value must have the same shape and the batch size of "
                             f"query, got query {query.shape}, key {key.shape}, value {value.shape}")
        n, length, source = q.shape[0], q.shape[1], k.shape[1]
        padding_shape = (n, source) if query.ndim == 3 else (source,)
        mask = self._additive_mask(attn_mask, key_padding_mask, padding_shape, is_causal, length)
        out, weights = self._attend(*self._project_heads(q, k, v), mask)
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        out = out.squeeze(0) if query.ndim == 2 else out if self.batch_first else out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.mean(axis=1) if average_attn_weights else weights
        return out, weights.squeeze(0) if query.ndim == 2 else weights

    def _batch_first(self, name: str, x: Tensor) -> Tensor:
        """x as (N, L, E), whatever layout it came in."""
        check_input(self, x, (2, 3), "(L, E), (L, N, E) or (N, L, E) " + name)
        if x.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: expected {name} with embed_dim {self.embed_dim} features in "
                             f"the last dimension, got shape {x.shape}")
        return x.unsqueeze(0) if x.ndim == 2 else x if self.batch_first else x.transpose(0, 1)

    def _project_heads(self, q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Project q, k, v with their thirds of in_proj and split them into heads: (N, num_heads, L, head_dim)."""
        w_q, w_k, w_v = self.in_proj_weight.chunk(3, dim=0)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3, dim=0) if self.in_proj_bias is not None else (None, None, None)
        return self._heads(q, w_q, b_q), self._heads(k, w_k, b_k), self._heads(v, w_v, b_v)

    def _heads(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        n, length, _ = x.shape
        return x.linear(weight.T, bias).reshape(n, length, self.num_heads, self.head_dim).transpose(1, 2)

    def _attend(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """softmax(q k^T / sqrt(head_dim) + mask) v per head, and the (dropped-out) attention weights."""
        scores = (q @ k.transpose(2, 3)) * (1 / sqrt(self.head_dim))
        if mask is not None:
            scores = scores + mask
        weights = scores.softmax(-1).dropout(self.dropout)
        return weights @ v, weights

    def _additive_mask(self, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                       padding_shape: tuple[int, ...], is_causal: bool, length: int) -> Tensor | None:
        """attn_mask and key_padding_mask combined into one float mask that broadcasts to (N, heads, L, S);
        key_padding_mask has `padding_shape`, (N, S) or (S,) for an unbatched input."""
        n, source = (1, *padding_shape)[-2:]
        if attn_mask is None and is_causal:
            attn_mask = Tensor.arange(source).unsqueeze(0) > Tensor.arange(length).unsqueeze(1)
        masks = []
        dtype = self.in_proj_weight.dtype
        if attn_mask is not None:
            heads = (n * self.num_heads, length, source)
            _check_mask("attn_mask", attn_mask, ((length, source), heads), dtype)
            masks.append(_additive(attn_mask).reshape(-1, self.num_heads, length, source)
                         if attn_mask.ndim == 3 else _additive(attn_mask))
        if key_padding_mask is not None:
            _check_mask("key_padding_mask", key_padding_mask, (padding_shape,), dtype)
            masks.append(_additive(key_padding_mask).reshape(n, 1, 1, source))
        if not masks:
            return None
        return masks[0] if len(masks) == 1 else masks[0] + masks[1]


def _check_mask(name: str, mask: Tensor, shapes: tuple[tuple[int, ...], ...], dtype: DType) -> None:
    if not isinstance(mask, Tensor) or mask.shape not in shapes:
        found = mask.shape if isinstance(mask, Tensor) else type(mask).__name__
        raise ValueError(f"MultiheadAttention: expected {name} of shape {' or '.join(map(str, shapes))}, "
                         f"got {found}")
    # 0/1 ints would be added as scores, a float mask of another dtype would promote them: PyTorch raises for both.
    if mask.dtype is not dtypes.bool and mask.dtype is not dtype:
        raise TypeError(f"MultiheadAttention: expected a bool or {dtype.name} {name} (the layer's dtype), got dtype "
                        f"{mask.dtype.name}")


def _additive(mask: Tensor) -> Tensor:
    """A bool mask (True = forbidden) as 0 / -inf to add to the scores; a float mask as it is."""
    return Tensor.zeros(mask.shape).masked_fill(mask, float("-inf")) if mask.dtype == dtypes.bool else mask
