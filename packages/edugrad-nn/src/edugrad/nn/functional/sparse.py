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
        ones = Tensor.ones(indices.numel(), backend=weight.backend)
        counts = Tensor.zeros(weight.shape[0], backend=weight.backend).scatter_add(0, indices.reshape(-1).long(), ones)
        used = counts > 0
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
        counts = Tensor.zeros(w.shape[0], backend=w.backend).scatter_add(0, flat, Tensor.ones(flat.numel(),
                                                                                             backend=w.backend))
        rows = _with_gradient_scaled(rows, (1 / counts[flat]).reshape(*indices.shape, 1).cast(rows.dtype))
    if padding_idx is not None:
        size = w.shape[0]
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, int) or not -size <= padding_idx < size:
            raise ValueError(f"embedding: padding_idx must be an index into the {size} rows of the weight, got "
                             f"{padding_idx!r}")
        rows = rows.where((indices != padding_idx % size).unsqueeze(-1), rows.detach())
    return rows


def _bags(op: str, indices: Tensor, offsets: Tensor | None, include_last_offset: bool) -> tuple[Tensor, Tensor, int]:
    """The indices as one flat row, the number of the bag of each (int64) and the number of bags: a 2-d input
    (B, N) holds B bags of N; a 1-d one is cut into bags where `offsets` start them."""
    if indices.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{op}: offsets must be None for a 2-d input (one bag per row), got a tensor")
        count, size = indices.shape
        bag = Tensor.arange(count, backend=indices.backend).reshape(count, 1).expand(count, size).reshape(-1)
        return indices.reshape(-1), bag, count
    if indices.ndim != 1 or offsets is None or tensor_arg(op, "offsets", offsets).ndim != 1:
        raise ValueError(f"{op}: expected a 2-d input (B, N), or a 1-d input with 1-d offsets, got input of shape "
                         f"{indices.shape} and offsets {None if offsets is None else offsets.shape}")
    length = indices.shape[0]
    starts = [int(o) for o in offsets.tolist()]
    if include_last_offset:
        starts = starts[:-1]
    if not starts or starts[0] != 0 or any(b < a for a, b in zip(starts, starts[1:])) or starts[-1] > length:
        raise ValueError(f"{op}: offsets must start at 0 and not decrease or pass the input's {length} indices, "
                         f"got {offsets.tolist()}")
    # Mark where each bag starts (bags that start together are empty but for the last) and count the marks:
    # the running count minus one is the bag of each position.
    inside = Tensor.arange(len(starts), backend=indices.backend)[: sum(1 for start in starts if start < length)]
    first = offsets.long()[inside]
    marks = Tensor.zeros(length, dtype=dtypes.int64, backend=indices.backend).scatter_add(
        0, first, Tensor.ones(len(inside), dtype=dtypes.int64, backend=indices.backend))
    return indices, marks.cumsum(0) - 1, len(starts)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """The sum, mean or max of the embedding rows of each bag of indices: (B, embedding_dim). Entries equal to
    padding_idx are left out of their bag (an empty bag gives zeros); per_sample_weights (input's shape, mode
    "sum" only) weighs each row."""
    op = "embedding_bag"
    indices, w = tensor_arg(op, "input", input), tensor_arg(op, "weight", weight)
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{op}: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if per_sample_weights is not None and (mode != "sum" or per_sample_weights.shape != indices.shape):
        raise ValueError(f"{op}: per_sample_weights need mode='sum' and the input's shape {indices.shape}, got mode "
                         f"{mode!r} and shape {per_sample_weights.shape}")
    flat, bag, count = _bags(op, indices, offsets, include_last_offset)
    rows = embedding(flat, w, None, max_norm, norm_type, scale_grad_by_freq)  # (L, D)
    kept = (Tensor.ones(flat.shape[0], dtype=dtypes.bool, backend=flat.backend) if padding_idx is None
            else flat != padding_idx % w.shape[0])
    if mode == "max":
        return _bag_max(rows, bag, kept, count)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    rows = rows.where(kept.unsqueeze(1), 0.0)
    # Row i adds into the row bag[i] of the result: a scatter_add, whose gradient gathers each bag's gradient back.
    index = bag.reshape(-1, 1).expand(*rows.shape)
    total = Tensor.zeros(count, w.shape[1], dtype=rows.dtype, backend=rows.backend).scatter_add(0, index, rows)
    if mode == "sum":
        return total
    members = Tensor.zeros(count, dtype=rows.dtype, backend=rows.backend).scatter_add(0, bag, kept.cast(rows.dtype))
    return total / members.clamp(1).unsqueeze(1)


def _bag_max(rows: Tensor, bag: Tensor, kept: Tensor, count: int) -> Tensor:
    """The elementwise maximum of each bag's kept rows (zeros for an empty bag), bag by bag."""
    maxima = []
    for b in range(count):
        member = (bag == b) & kept
        if not bool(member.any()):
            maxima.append(Tensor.zeros(rows.shape[1], dtype=rows.dtype, backend=rows.backend))
            continue
        maxima.append(rows.where(member.unsqueeze(1), float("-inf")).amax(0))
    return Tensor.stack(maxima) if maxima else Tensor.zeros(0, rows.shape[1], dtype=rows.dtype, backend=rows.backend)


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
    return (x.long().unsqueeze(-1) == Tensor.arange(num_classes, backend=x.backend)).cast(dtypes.int64)


__all__ = ["embedding", "embedding_bag", "one_hot"]
