"""`scaled_dot_product_attention` with torch.nn.functional's signature (torch 2.13).

Top layer (`edugrad.nn`), a wrapper of the Tensor op of the same name, which holds the math.
"""

from __future__ import annotations

from edugrad.nn.functional._common import tensor_arg
from edugrad.tensor import Tensor


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value for query (..., L, E), key (..., S, E) and value
    (..., S, Ev); scale defaults to 1 / sqrt(E). A bool attn_mask keeps the positions where it is True, a float
    one is added to the scores; is_causal lets query i see the keys j <= i. As in PyTorch, dropout_p applies
    whenever it is positive (models pass `dropout_p=p if self.training else 0`). enable_gqa lets key and value
    have fewer heads (dim -3) than the query, each shared by a group of query heads."""
    q = tensor_arg("scaled_dot_product_attention", "query", query)
    k = tensor_arg("scaled_dot_product_attention", "key", key)
    v = tensor_arg("scaled_dot_product_attention", "value", value)
    mask = None if attn_mask is None else tensor_arg("scaled_dot_product_attention", "attn_mask", attn_mask)
    return q.scaled_dot_product_attention(k, v, mask, dropout_p, is_causal, scale=scale, enable_gqa=enable_gqa)


__all__ = ["scaled_dot_product_attention"]
