"""Lookups with torch.nn.functional's signatures: `embedding` and `one_hot`.

Top layer (`edugrad.nn`). `embedding` is the Tensor op `indices.embedding(weight)`, a gather of rows whose
gradient adds into the rows it read; its options change only what the gradient sees (padding_idx,
scale_grad_by_freq) or, as in PyTorch, rescale the looked-up rows of the weight in place (max_norm).
"""

from __future__ import annotations

from edugrad.nn.functional._common import int_arg, number_arg, tensor_arg
from edugrad.nn.functional.distance import vector_norm
from edugrad.tensor import Tensor, dtypes, no_grad


def _with_gradient_scaled(x: Tensor, scale: Tensor) -> Tensor:
    """The values of x with the gradient scale * (upstream gradient): x - x.detach() is exactly 0 but carries
    x's gradient, so the sum has x's values (as long as they are finite) and the scaled gradient."""
    frozen = x.detach()
    return frozen + (x - frozen) * scale


def _renorm_rows(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale the rows of `weight` that `indices` looks up and whose norm exceeds max_norm down to max_norm, in
    place and unrecorded (PyTorch's embedding_renorm_)."""
    with no_grad():
        used = Tensor.zeros(weight.shape[0]).scatter_add(0, indices.reshape(-1).long(),
                                                         Tensor.ones(indices.numel())) > 0
        norms = vector_norm(weight, norm_type, 1, keepdim=True)
        too_long = used.unsqueeze(1) & (norms > max_norm)
        weight.copy_(weight * (max_norm / (norms + 1e-7)).where(too_long, 1.0))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of `weight` (num_embeddings, embedding_dim) at the integer indices `input`: shape
    input.shape + (embedding_dim,). The row padding_idx gets no gradient; with max_norm, looked-up rows
    longer than max_norm are first scaled to it, in the weight itself; scale_grad_by_freq divides each row's
    gradient by how often the batch looks it up. `sparse` asks PyTorch for a sparse gradient: edugrad's is
    always dense (the same values)."""
    indices, w = tensor_arg("embedding", "input", input), tensor_arg("embedding", "weight", weight)
    if not indices.dtype.is_integer:
        raise TypeError(f"embedding: the indices must have an integer dtype, got {indices.dtype.name}")
    if max_norm is not None:
        _renorm_rows(w, indices, number_arg("embedding", "max_norm", max_norm), norm_type)
    rows = indices.embedding(w)
    if scale_grad_by_freq:
        flat = indices.reshape(-1).long()
        counts = Tensor.zeros(w.shape[0]).scatter_add(0, flat, Tensor.ones(flat.numel()))
        rows = _with_gradient_scaled(rows, (1 / counts[flat]).reshape(*indices.shape, 1).cast(rows.dtype))
    if padding_idx is not None:
        size = w.shape[0]
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, int) or not -size <= padding_idx < size:
            raise ValueError(f"embedding: padding_idx must be an index into the {size} rows of the weight, got "
                             f"{padding_idx!r}")
        rows = rows.where((indices != padding_idx % size).unsqueeze(-1), rows.detach())
    return rows


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """1 at each index's class and 0 elsewhere: an int64 tensor of shape tensor.shape + (num_classes,), with
    num_classes = max + 1 when -1."""
    x = tensor_arg("one_hot", "tensor", tensor)
    if not x.dtype.is_integer:
        raise TypeError(f"one_hot: expected a tensor of integer class indices, got {x.dtype.name}")
    if num_classes == -1:
        if x.numel() == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; pass num_classes")
        num_classes = int(x.max().item()) + 1
    int_arg("one_hot", "num_classes", num_classes)
    if x.numel() and int(x.min().item()) < 0:
        raise ValueError("one_hot: class values must be non-negative")
    if x.numel() and int(x.max().item()) >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes ({num_classes})")
    return (x.long().unsqueeze(-1) == Tensor.arange(num_classes)).cast(dtypes.int64)


__all__ = ["embedding", "one_hot"]
