"""`TransformerEncoderLayer`: self-attention followed by a feed-forward network, each with a residual
connection and layer normalization, as `torch.nn.TransformerEncoderLayer` (same submodule names, so same
state dict keys).

Top layer (`edugrad.nn`). With `norm_first=False` (post-norm, the original Transformer):

    x = norm1(x + dropout1(self_attn(x, x, x)))
    x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))

With `norm_first=True` (pre-norm, easier to train deep): x = x + block(norm(x)) for both blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edugrad.nn import functional as F
from edugrad.nn.attention import MultiheadAttention
from edugrad.nn.dropout import Dropout
from edugrad.nn.linear import Linear
from edugrad.nn.module import Module
from edugrad.nn.normalization import LayerNorm
from edugrad.tensor import DType, Tensor

__all__ = ["TransformerEncoderLayer"]

_ACTIVATIONS: dict[str, Callable[..., Tensor]] = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    """One encoder block: multi-head self-attention and a feed-forward network of width `dim_feedforward`.
    `activation` is "relu", "gelu" or a callable (`F.relu` by default); inputs are (S, N, E), or (N, S, E) with
    `batch_first`."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str) and activation not in _ACTIVATIONS:
            raise RuntimeError(f"TransformerEncoderLayer: activation should be relu/gelu, not {activation}")
        self.activation = _ACTIVATIONS[activation] if isinstance(activation, str) else activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:
        """The encoded src, same shape. Masks as in `MultiheadAttention` (attn_mask, key_padding_mask);
        `is_causal` is the hint that src_mask is the causal mask."""
        x = src
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        out: Tensor = self.norm2(x + self._feed_forward(x))
        return out

    def _self_attention(self, x: Tensor, mask: Tensor | None, padding_mask: Tensor | None, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, x, x, key_padding_mask=padding_mask, need_weights=False, attn_mask=mask,
                                is_causal=is_causal)
        dropped: Tensor = self.dropout1(out)
        return dropped

    def _feed_forward(self, x: Tensor) -> Tensor:
        out: Tensor = self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))
        return out
