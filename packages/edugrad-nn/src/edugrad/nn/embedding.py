"""`Embedding`: a lookup table from integer ids (words, tokens, categories) to learned vectors.

Top layer (`edugrad.nn`), the module wrapper of the Tensor op `indices.embedding(weight)`, which is row
selection: its gradient adds each output row's gradient into the row of the table it came from. The weight
is (num_embeddings, embedding_dim), drawn from N(0, 1), as in PyTorch; `Embedding.from_pretrained` starts from
a given table instead.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn import init
from edugrad.nn._checks import check_input, describe, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, no_grad

__all__ = ["Embedding"]


class Embedding(Module):
    """Map int ids of any shape to vectors: output shape = ids.shape + (embedding_dim,). With `padding_idx`
    that row starts at zeros and never receives a gradient (it stays what it is through training)."""

    weight: Parameter

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        self.num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        if padding_idx is not None:
            if not isinstance(padding_idx, int) or not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                                 f"got {padding_idx}")
            padding_idx %= num_embeddings
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: max_norm, scale_grad_by_freq and sparse are not supported yet")
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = empty_parameter((num_embeddings, embedding_dim), device, dtype)
            self.reset_parameters()
        else:
            if _weight.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: the weight's shape {_weight.shape} does not match num_embeddings and "
                                 f"embedding_dim ({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw the table from N(0, 1), with the padding row (if any) zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose table is `embeddings` (2-d: num_embeddings x embedding_dim, shared, not copied),
        frozen (requires_grad=False) unless `freeze=False`."""
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)

    def forward(self, input: Tensor) -> Tensor:
        """The rows of the weight selected by `input` (an int tensor with values in [0, num_embeddings))."""
        if check_input(self, input).dtype.is_floating_point:
            raise TypeError(f"{describe(self)}: expected integer indices, got dtype {input.dtype.name}")
        out = input.embedding(self.weight)
        if self.padding_idx is not None and out.requires_grad:
            # Zero the gradient of the positions that hold padding_idx: then their row of the weight gets none.
            keep = input != self.padding_idx
            out.register_hook(lambda grad: grad * keep.unsqueeze(-1))
        return out

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx}"
