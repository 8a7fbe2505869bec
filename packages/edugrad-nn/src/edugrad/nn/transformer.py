"""The Transformer of "Attention Is All You Need", as in `torch.nn`: `TransformerEncoderLayer`,
`TransformerEncoder`, `TransformerDecoderLayer`, `TransformerDecoder` and `Transformer`, with the submodule
names of PyTorch's (so the same state dict keys).

Top layer (`edugrad.nn`). An encoder layer is self-attention followed by a feed-forward network, each with a
residual connection and layer normalization; with `norm_first=False` (post-norm, the original Transformer):

    x = norm1(x + dropout1(self_attn(x, x, x)))
    x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))

A decoder layer puts attention over the encoder's output (`memory`) between the two:
x = norm2(x + dropout2(multihead_attn(x, memory, memory))). With `norm_first=True` (pre-norm, easier to
train deep) each block is x = x + block(norm(x)). The stacks (`TransformerEncoder`, `TransformerDecoder`)
hold `num_layers` independent copies of one layer, and `Transformer` joins an encoder and a decoder stack.

A causal mask forbids a position to attend to later ones: `Transformer.generate_square_subsequent_mask(n)`
is -inf above the diagonal and 0 elsewhere. The stacks notice such a mask and pass `is_causal=True` on.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from edugrad.nn import functional as F
from edugrad.nn import init
from edugrad.nn.attention import MultiheadAttention
from edugrad.nn.container import ModuleList
from edugrad.nn.dropout import Dropout
from edugrad.nn.linear import Linear
from edugrad.nn.module import Module
from edugrad.nn.normalization import LayerNorm
from edugrad.tensor import DType, Tensor, dtypes

__all__ = ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
           "TransformerEncoderLayer"]

_ACTIVATIONS: dict[str, Callable[..., Tensor]] = {"relu": F.relu, "gelu": F.gelu}

Activation = str | Callable[[Tensor], Tensor]


def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: DType | None = None) -> Tensor:
    """The causal mask of a sequence of length sz: -inf above the diagonal (position i may not attend to a
    later j), 0 elsewhere (True and False for a bool dtype)."""
    later = Tensor.ones(sz, sz, dtype=dtypes.bool, device=device).triu(1)
    if dtype is dtypes.bool:
        return later
    return Tensor.zeros(sz, sz, dtype=dtype, device=device).masked_fill(later, float("-inf"))


def _is_causal(mask: Tensor | None, is_causal: bool | None, size: int) -> bool:
    """PyTorch's rule for a stack: `is_causal` if given; otherwise whether `mask` is the causal mask of `size`."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    causal = generate_square_subsequent_mask(size, mask.device, mask.dtype)
    return mask.shape == causal.shape and bool((mask == causal).all())


def _activation(owner: str, activation: Activation) -> Callable[[Tensor], Tensor]:
    if isinstance(activation, str) and activation not in _ACTIVATIONS:
        raise RuntimeError(f"{owner}: activation should be relu/gelu, not {activation}")
    return _ACTIVATIONS[activation] if isinstance(activation, str) else activation


class _TransformerLayer(Module):
    """What the encoder and decoder layers share: self-attention, the feed-forward network of width
    `dim_feedforward` and its dropout, and the blocks that use them."""

    dropout1: Dropout
    dropout2: Dropout
    activation: Callable[[Tensor], Tensor]

    def _init_attention_and_feed_forward(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float,
                                         batch_first: bool, bias: bool, factory: dict[str, Any],
                                         cross_attention: bool) -> None:
        """Register self_attn (and multihead_attn for a decoder), linear1, dropout and linear2, in PyTorch's
        order (the order of the state dict)."""
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **factory)
        if cross_attention:
            self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                     batch_first=batch_first, **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)

    def _self_attention(self, x: Tensor, mask: Tensor | None, padding_mask: Tensor | None, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, x, x, key_padding_mask=padding_mask, need_weights=False, attn_mask=mask,
                                is_causal=is_causal)
        dropped: Tensor = self.dropout1(out)
        return dropped

    def _feed_forward(self, x: Tensor, dropout: Dropout) -> Tensor:
        out: Tensor = dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))
        return out


class TransformerEncoderLayer(_TransformerLayer):
    """One encoder block: multi-head self-attention and a feed-forward network of width `dim_feedforward`.
    `activation` is "relu", "gelu" or a callable (`F.relu` by default); inputs are (S, N, E), or (N, S, E) with
    `batch_first`."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Activation = F.relu, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self._init_attention_and_feed_forward(d_model, nhead, dim_feedforward, dropout, batch_first, bias, factory,
                                              cross_attention=False)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation("TransformerEncoderLayer", activation)

    def forward(self, src: Tensor, src_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool = False) -> Tensor:
        """The encoded src, same shape. Masks as in `MultiheadAttention` (attn_mask, key_padding_mask);
        `is_causal` is the hint that src_mask is the causal mask."""
        x = src
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        out: Tensor = self.norm2(x + self._feed_forward(x, self.dropout2))
        return out


class TransformerDecoderLayer(_TransformerLayer):
    """One decoder block: masked self-attention, attention over the encoder's output `memory`, and a
    feed-forward network, as `torch.nn.TransformerDecoderLayer`."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Activation = F.relu, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self._init_attention_and_feed_forward(d_model, nhead, dim_feedforward, dropout, batch_first, bias, factory,
                                              cross_attention=True)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation("TransformerDecoderLayer", activation)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        """The decoded tgt, same shape: each position attends to tgt (tgt_mask) and to memory
        (memory_mask)."""
        x = tgt
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._memory_attention(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                           memory_is_causal)
            return x + self._feed_forward(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._self_attention(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._memory_attention(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        out: Tensor = self.norm3(x + self._feed_forward(x, self.dropout3))
        return out

    def _memory_attention(self, x: Tensor, memory: Tensor, mask: Tensor | None, padding_mask: Tensor | None,
                          is_causal: bool) -> Tensor:
        out, _ = self.multihead_attn(x, memory, memory, key_padding_mask=padding_mask, need_weights=False,
                                     attn_mask=mask, is_causal=is_causal)
        dropped: Tensor = self.dropout2(out)
        return dropped


def _clones(layer: Module, n: int) -> ModuleList:
    """n independent copies of `layer` (each with parameters of its own, starting from the same values)."""
    return ModuleList([copy.deepcopy(layer) for _ in range(n)])


def _length(x: Tensor, batch_first: bool) -> int:
    """The sequence length of an (S, E), (S, N, E) or, with batch_first, (N, S, E) input."""
    return x.shape[1] if batch_first and x.ndim == 3 else x.shape[0]


class TransformerEncoder(Module):
    """`num_layers` copies of an encoder layer applied in turn, then `norm` (if given), as
    `torch.nn.TransformerEncoder`. `enable_nested_tensor` and `mask_check` (PyTorch's fast path for padded
    batches) are accepted and change nothing."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src: Tensor, mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        """src through every layer; is_causal=None finds out whether `mask` is the causal mask."""
        batch_first = isinstance(self.layers[0], TransformerEncoderLayer) and self.layers[0].self_attn.batch_first
        causal = _is_causal(mask, is_causal, _length(src, batch_first))
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, is_causal=causal, src_key_padding_mask=src_key_padding_mask)
        return out if self.norm is None else self.norm(out)


class TransformerDecoder(Module):
    """`num_layers` copies of a decoder layer applied in turn, then `norm` (if given), as
    `torch.nn.TransformerDecoder`."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """tgt through every layer, each attending to memory; tgt_is_causal=None finds out whether tgt_mask is
        the causal mask."""
        batch_first = isinstance(self.layers[0], TransformerDecoderLayer) and self.layers[0].self_attn.batch_first
        causal = _is_causal(tgt_mask, tgt_is_causal, _length(tgt, batch_first))
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=causal, memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """An encoder stack and a decoder stack, as `torch.nn.Transformer`: `forward(src, tgt)` encodes src and
    decodes tgt attending to it. Weights of more than one dimension start Xavier uniform, as in PyTorch."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation: Activation = F.relu,
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False, norm_first: bool = False,
                 bias: bool = True, device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                      bias)
        self.encoder = custom_encoder or TransformerEncoder(
            TransformerEncoderLayer(*layer_args, **factory), num_encoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self.decoder = custom_decoder or TransformerDecoder(
            TransformerDecoderLayer(*layer_args, **factory), num_decoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None, memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """The decoded tgt: tgt attending to itself (tgt_mask) and to the encoded src (memory_mask)."""
        batch = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch] != tgt.shape[batch]:
            raise RuntimeError(f"Transformer: the batch number of src and tgt must be equal, got src {src.shape} and "
                               f"tgt {tgt.shape}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"Transformer: the feature number of src and tgt must be equal to d_model "
                               f"({self.d_model}), got src {src.shape} and tgt {tgt.shape}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        out: Tensor = self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                                   tgt_key_padding_mask=tgt_key_padding_mask,
                                   memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                                   memory_is_causal=memory_is_causal)
        return out
