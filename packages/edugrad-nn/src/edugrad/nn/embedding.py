"""`Embedding`: a lookup table from integer ids (words, tokens, categories) to learned vectors.

Top layer (`edugrad.nn`), the module wrapper of the Tensor op `indices.embedding(weight)`, which is row
selection: its gradient adds each output row's gradient into the row of the table it came from. The weight
is (num_embeddings, embedding_dim), drawn from N(0, 1), as in PyTorch.
"""

from __future__ import annotations

from edugrad.nn._checks import check_input, describe, positive_int
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Embedding"]


class Embedding(Module):
    """Map int ids of any shape to vectors: output shape = ids.shape + (embedding_dim,). With `padding_idx`
    that row starts at zeros and never receives a gradient (it stays what it is through training)."""

    weight: Tensor

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None) -> None:
        super().__init__()
        self.num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        if padding_idx is not None:
            if not isinstance(padding_idx, int) or not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                                 f"got {padding_idx}")
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        weight = Tensor.randn(num_embeddings, embedding_dim)
        if padding_idx is not None:
            weight = (Tensor.arange(num_embeddings) != padding_idx).unsqueeze(1).where(weight, 0.0)
        self.weight = weight.requires_grad_()

    def forward(self, indices: Tensor) -> Tensor:
        """The rows of the weight selected by `indices` (an int tensor with values in [0, num_embeddings))."""
        if check_input(self, indices).dtype.is_floating_point:
            raise TypeError(f"{describe(self)}: expected integer indices, got dtype {indices.dtype.name}")
        out = indices.embedding(self.weight)
        if self.padding_idx is not None and out.requires_grad:
            # Zero the gradient of the positions that hold padding_idx: then their row of the weight gets none.
            keep = indices != self.padding_idx
            out.register_hook(lambda grad: grad * keep.unsqueeze(-1))
        return out

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx}"
