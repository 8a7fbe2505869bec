"""`Embedding` and `EmbeddingBag`: a lookup table from integer ids (words, tokens, categories) to learned
vectors, and the sum, mean or max of the vectors of each bag of ids.

Top layer (`edugrad.nn`), the module wrapper of `F.embedding`, which is row selection: its gradient adds each
output row's gradient into the row of the table it came from. The weight
is (num_embeddings, embedding_dim), drawn from N(0, 1), as in PyTorch; `from_pretrained` starts from a given
table instead. `EmbeddingBag` reduces each bag without making the (bags, ids, dim) tensor of Embedding plus a
reduction: bags are the rows of a 2-d input, or the runs of a 1-d input that `offsets` start.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn import functional as F
from edugrad.nn import init
from edugrad.nn._checks import check_input, choice, describe, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, no_grad

__all__ = ["Embedding", "EmbeddingBag"]


def _padding_index(owner: str, padding_idx: int | None, num_embeddings: int) -> int | None:
    """padding_idx as a row index (a negative one counts from the end), checked."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, int) or \
            not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{owner}: padding_idx must be within num_embeddings ({num_embeddings}), got {padding_idx}")
    return padding_idx % num_embeddings


def _checked_table(owner: str, weight: Tensor, num_embeddings: int, embedding_dim: int) -> Tensor:
    if not isinstance(weight, Tensor) or weight.shape != (num_embeddings, embedding_dim):
        found = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"{owner}: the weight's shape {found} does not match num_embeddings and embedding_dim "
                         f"({num_embeddings}, {embedding_dim})")
    return weight


def _pretrained_shape(owner: str, embeddings: Tensor) -> tuple[int, int]:
    if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
        raise ValueError(f"{owner}.from_pretrained: embeddings parameter is expected to be 2-dimensional")
    rows, cols = embeddings.shape
    return rows, cols


def _reset_table(weight: Parameter, padding_idx: int | None) -> None:
    """The table drawn from N(0, 1), with the padding row (if any) zero."""
    init.normal_(weight)
    if padding_idx is not None:
        with no_grad():
            weight[padding_idx] = 0


def _norm_repr(table: Embedding | EmbeddingBag) -> str:
    """The options of the lookup that PyTorch's repr shows when they differ from the defaults."""
    text = "" if table.max_norm is None else f", max_norm={table.max_norm}"
    if table.norm_type != 2:
        text += f", norm_type={table.norm_type}"
    return text + (", scale_grad_by_freq=True" if table.scale_grad_by_freq else "")


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
        self.padding_idx = _padding_index("Embedding", padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = empty_parameter((num_embeddings, embedding_dim), device, dtype)
            self.reset_parameters()
        else:
            table = _checked_table("Embedding", _weight, num_embeddings, embedding_dim)
            self.weight = Parameter(table, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw the table from N(0, 1), with the padding row (if any) zero."""
        _reset_table(self.weight, self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose table is `embeddings` (2-d: num_embeddings x embedding_dim, shared, not copied),
        frozen (requires_grad=False) unless `freeze=False`."""
        rows, cols = _pretrained_shape("Embedding", embeddings)
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)

    def forward(self, input: Tensor) -> Tensor:
        """The rows of the weight selected by `input` (an int tensor with values in [0, num_embeddings)); with
        max_norm, the rows looked up are first scaled down to it in the weight itself, as in PyTorch."""
        if check_input(self, input).dtype.is_floating_point:
            raise TypeError(f"{describe(self)}: expected integer indices, got dtype {input.dtype.name}")
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}{_norm_repr(self)}" + (
            ", sparse=True" if self.sparse else "")


class EmbeddingBag(Module):
    """The `mode` ("mean", "sum" or "max") of the embeddings of each bag of ids, as `torch.nn.EmbeddingBag`:
    `forward(input, offsets=None, per_sample_weights=None)` gives (bags, embedding_dim)."""

    weight: Parameter

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: Tensor | None = None, include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype: DType | None = None) -> None:
        super().__init__()
        self.num_embeddings = positive_int("EmbeddingBag", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("EmbeddingBag", "embedding_dim", embedding_dim)
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.mode = choice("EmbeddingBag", "mode", mode, ("sum", "mean", "max"))
        self.sparse, self.include_last_offset = sparse, include_last_offset
        self.padding_idx = _padding_index("EmbeddingBag", padding_idx, num_embeddings)
        if _weight is None:
            self.weight = empty_parameter((num_embeddings, embedding_dim), device, dtype)
            self.reset_parameters()
        else:
            self.weight = Parameter(_checked_table("EmbeddingBag", _weight, num_embeddings, embedding_dim))

    def reset_parameters(self) -> None:
        """Draw the table from N(0, 1), with the padding row (if any) zero."""
        _reset_table(self.weight, self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> EmbeddingBag:
        """An EmbeddingBag whose table is `embeddings` (2-d, shared, not copied), frozen unless `freeze=False`."""
        rows, cols = _pretrained_shape("EmbeddingBag", embeddings)
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings, include_last_offset,
                  padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag

    def forward(self, input: Tensor, offsets: Tensor | None = None,
                per_sample_weights: Tensor | None = None) -> Tensor:
        """The reduced embeddings of each bag: the rows of a 2-d input, or of a 1-d input cut at `offsets`."""
        return F.embedding_bag(check_input(self, input), self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                               self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}{_norm_repr(self)}, mode={self.mode!r}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx}"
