"""Linear algebra: matmul (and the `@` operator), dot, mm, bmm, outer, linear, einsum, and the diagonals and
triangles of matrices: diagonal, diag, trace, tril, triu.

Tensor layer (`edugrad.tensor`). All of it ends in the MatMul Function of the layer below: one GEMM, whose
operands must be stacks of matrices with equal batch axes. This module fits the operands of torch.matmul to
that: a vector becomes a matrix of one row (on the left) or one column (on the right), removed again from
the result; batch axes are broadcast with expand (free, and Expand's backward sums the gradient back); and
an N-d tensor times a matrix, the shape of every linear layer, is done as one big 2-d product. einsum
reduces any contraction of labelled axes to permute, reshape, sum and these products.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import reduce
from typing import Any

from edugrad.data import dtypes, normalize_axis, promote_types
from edugrad.function import MatMul, Pad, Shrink
from edugrad.tensor import _tensor as _t
from edugrad.tensor.binary import Operand, as_tensor, broadcast_shape
from edugrad.tensor.creation import arange


def matmul(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """The matrix product input @ other for 1-d (vector), 2-d, batched and broadcast-batched operands, as
    torch.matmul."""
    return _matmul(input, as_tensor(other, "matmul"), "matmul")


def dot(input: _t.Tensor, tensor: _t.Tensor) -> _t.Tensor:
    """The dot product of two 1-d tensors of one length, as torch.dot (a 0-d result)."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise ValueError(f"dot: expects two 1-d tensors, got shapes {input.shape} and {tensor.shape}; use matmul "
                         "or @ for matrices")
    return _matmul(input, tensor, "dot")


def rmatmul(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """other @ self, for a left operand that is not a Tensor (a NumPy array)."""
    return _matmul(as_tensor(other, "matmul"), self, "matmul")


def mm(input: _t.Tensor, mat2: _t.Tensor) -> _t.Tensor:
    """The product of two matrices, as torch.mm (matmul without its vector and batch cases)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise ValueError(f"mm: expects two matrices, got shapes {input.shape} and {mat2.shape}")
    return _matmul(input, mat2, "mm")


def bmm(input: _t.Tensor, mat2: _t.Tensor) -> _t.Tensor:
    """The products of two stacks of matrices of one batch size, (b, n, m) @ (b, m, p), as torch.bmm."""
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise ValueError(f"bmm: expects two 3-d tensors with the same first (batch) size, got shapes {input.shape} "
                         f"and {mat2.shape}")
    return _matmul(input, mat2, "bmm")


def outer(input: _t.Tensor, vec2: _t.Tensor) -> _t.Tensor:
    """The outer product of two vectors: out[i, j] = input[i] * vec2[j] (torch.outer)."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise ValueError(f"outer: expects two 1-d tensors, got shapes {input.shape} and {vec2.shape}")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


def diagonal(input: _t.Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> _t.Tensor:
    """The diagonal of the matrices spanned by dims dim1 and dim2, as a last dim (torch.diagonal): elements
    [i, i + offset], so offset > 0 is above the main diagonal and offset < 0 below it."""
    return _diagonal(input, offset, dim1, dim2, "diagonal")


def _diagonal(input: _t.Tensor, offset: int, dim1: int, dim2: int, op: str) -> _t.Tensor:
    a, b = normalize_axis(dim1, input.ndim, op), normalize_axis(dim2, input.ndim, op)
    if a == b:
        raise ValueError(f"{op}: dim1 and dim2 must be different dims, got {dim1} and {dim2}")
    x = input.permute([d for d in range(input.ndim) if d not in (a, b)] + [a, b])
    rows, columns = x.shape[-2:]
    first_row, first_column = min(max(-offset, 0), rows), min(max(offset, 0), columns)
    length = min(rows - first_row, columns - first_column)
    lead = [(0, n) for n in x.shape[:-2]]
    square = Shrink.apply(x, bounds=lead + [(first_row, first_row + length), (first_column, first_column + length)])
    return main_diagonal(square)


def main_diagonal(x: _t.Tensor) -> _t.Tensor:
    """The diagonal of the square matrices on the last two axes of x, (..., n, n) -> (..., n)."""
    n = x.shape[-1]
    lead = x.shape[:-2]
    # Laid flat, the n * n elements of the last two axes have the diagonal (d, d) at d * (n + 1): padded by n
    # to length n * (n + 1) and viewed as (n, n + 1), the diagonal is the first column.
    flat = Pad.apply(x.reshape(lead + (n * n,)), padding=[(0, 0)] * len(lead) + [(0, n)], value=0)
    column = Shrink.apply(flat.reshape(lead + (n, n + 1)), bounds=[(0, s) for s in lead] + [(0, n), (0, 1)])
    return column.reshape(lead + (n,))


def diag(input: _t.Tensor, diagonal: int = 0) -> _t.Tensor:
    """As torch.diag: of a matrix, its diagonal number `diagonal` (a vector); of a vector, the square matrix
    with the vector on that diagonal and zeros elsewhere."""
    if input.ndim == 2:
        return _diagonal(input, diagonal, 0, 1, "diag")
    if input.ndim != 1:
        raise ValueError(f"diag: expects a vector or a matrix, got shape {input.shape}")
    n, k = input.shape[0], abs(diagonal)
    # The reverse of main_diagonal's trick: the vector as the first column of (n, n + 1), laid flat and cut to
    # n * n elements, is the n x n matrix with the vector on its diagonal. Zero rows and columns then move it.
    column = Pad.apply(input.reshape(n, 1), padding=[(0, 0), (0, n)], value=0)
    square = Shrink.apply(column.reshape(n * (n + 1)), bounds=[(0, n * n)]).reshape(n, n)
    padding = [(0, k), (k, 0)] if diagonal >= 0 else [(k, 0), (0, k)]
    return Pad.apply(square, padding=padding, value=0) if k else square


def trace(input: _t.Tensor) -> _t.Tensor:
    """The sum of the diagonal of a matrix (torch.trace; integers give int64)."""
    if input.ndim != 2:
        raise ValueError(f"trace: expects a matrix, got shape {input.shape}")
    return _diagonal(input, 0, 0, 1, "trace").sum()


def tril(input: _t.Tensor, diagonal: int = 0) -> _t.Tensor:
    """The lower triangle of the matrices on the last two dims: elements [i, j] with j - i <= diagonal kept,
    the others 0 (torch.tril)."""
    return input.masked_fill(~_triangle(input, diagonal, "tril"), 0)


def triu(input: _t.Tensor, diagonal: int = 0) -> _t.Tensor:
    """The upper triangle of the matrices on the last two dims: elements [i, j] with j - i >= diagonal kept,
    the others 0 (torch.triu)."""
    return input.masked_fill(_triangle(input, diagonal - 1, "triu"), 0)


def _triangle(x: _t.Tensor, diagonal: int, op: str) -> _t.Tensor:
    """The bool (rows, columns) mask of j - i <= diagonal for the matrices on the last two dims of x."""
    if x.ndim < 2:
        raise ValueError(f"{op}: expects a matrix or a batch of matrices, got shape {x.shape}")
    rows, columns = x.shape[-2:]
    i = arange(rows, backend=x.backend).reshape(rows, 1)
    j = arange(columns, backend=x.backend).reshape(1, columns)
    return j - i <= diagonal


def linear(self: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None = None) -> _t.Tensor:
    """self @ weight + bias, with weight laid out (in_features, out_features) as in the reference edugrad
    (torch.nn.functional.linear takes its transpose). Input, weight and bias must have one dtype, as in PyTorch."""
    check_dtypes(self, weight, bias, "linear")
    out = _matmul(self, weight, "linear")
    return out if bias is None else out + bias


def check_dtypes(x: _t.Tensor, weight: _t.Tensor, bias: _t.Tensor | None, op: str) -> None:
    """TypeError unless a layer's input, weight and bias share one dtype. PyTorch does not promote here: an
    integer or float64 input against float32 weights is almost always a missing cast, and promoting would
    silently run the layer (and its gradients) in another dtype."""
    if x.dtype is weight.dtype and (bias is None or bias.dtype is weight.dtype):
        return
    bias_dtype = "" if bias is None else f" and bias {bias.dtype.name}"
    odd = "input" if x.dtype is not weight.dtype else "bias"
    raise TypeError(f"{op}: input, weight and bias must have one dtype, got input {x.dtype.name}, weight "
                    f"{weight.dtype.name}{bias_dtype}; cast the {odd} with .to(dtypes.{weight.dtype.name})")


def _matmul(x: _t.Tensor, y: _t.Tensor, op: str) -> _t.Tensor:
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{op}: both operands need at least one axis, got shapes {x.shape} and {y.shape}")
    k, k_other = x.shape[-1], y.shape[-2 if y.ndim > 1 else 0]
    if k != k_other:
        which = "second-to-last" if y.ndim > 1 else "only"
        raise ValueError(f"{op}: cannot multiply shapes {x.shape} and {y.shape}: the last axis of the first "
                         f"({k}) must have the size of the {which} axis of the second ({k_other})")
    dtype = promote_types(x.dtype, y.dtype)
    if dtype is dtypes.bool:
        raise TypeError(f"{op}: not defined for bool tensors; cast them to a number dtype first")
    a = x.cast(dtype).reshape(1, k) if x.ndim == 1 else x.cast(dtype)
    b = y.cast(dtype).reshape(k, 1) if y.ndim == 1 else y.cast(dtype)
    out = _matrix_product(a, b, op)
    rows = out.shape[-2:-1] if x.ndim > 1 else ()
    columns = out.shape[-1:] if y.ndim > 1 else ()
    return out.reshape(out.shape[:-2] + rows + columns)


def _matrix_product(a: _t.Tensor, b: _t.Tensor, op: str) -> _t.Tensor:
    """(..., m, k) @ (..., k, n) -> (..., m, n) with broadcast batch axes."""
    (m, k), n = a.shape[-2:], b.shape[-1]
    if b.ndim == 2:  # stack the batch of a into the rows of one (batch * m, k) @ (k, n) product
        rows = math.prod(a.shape[:-1])
        return MatMul.apply(a.reshape(rows, k), b).reshape(a.shape[:-1] + (n,))
    batch = broadcast_shape(a.shape[:-2], b.shape[:-2], op)
    return MatMul.apply(a.expand(batch + (m, k)), b.expand(batch + (k, n)))


Labels = list[str]  # one label per axis: a letter of the formula, or "...0", "...1", ... for ellipsis axes


def einsum(equation: str, *operands: _t.Tensor | Sequence[_t.Tensor]) -> _t.Tensor:
    """Sums of products over labelled axes, as torch.einsum: "ij,jk->ik" is a matrix product, "ii->i" a
    diagonal, "...ij->...ji" a batched transpose; without "->" the output has the labels that occur once,
    in alphabetical order. Axes of size 1 broadcast."""
    tensors = _operand_list(operands)
    inputs, output = _parse(equation, tensors)
    sizes = _label_sizes(equation, inputs, tensors)
    dtype = reduce(promote_types, (t.dtype for t in tensors))
    terms = []
    for tensor, labels in zip(tensors, inputs):
        x, labels = _diagonals(tensor.cast(dtype), labels, equation)
        terms.append((x.expand(tuple(sizes[label] for label in labels)), labels))
    result, labels = terms[0]
    for i, (x, x_labels) in enumerate(terms[1:], start=2):
        needed = set(output).union(*(later for _, later in terms[i:]))
        result, labels = _contract(result, labels, x, x_labels, needed)
    result, labels = _sum_out(result, labels, set(output))
    return result.permute([labels.index(label) for label in output])


def _operand_list(operands: tuple[_t.Tensor | Sequence[_t.Tensor], ...]) -> list[_t.Tensor]:
    """The operands, given as separate arguments or as one list (torch accepts both)."""
    items: Sequence[Any] = operands[0] if len(operands) == 1 and isinstance(operands[0], (list, tuple)) else operands
    tensors = [as_tensor(t, "einsum") for t in items]
    if not tensors:
        raise ValueError("einsum: expected at least one operand")
    return tensors


def _parse(formula: str, tensors: list[_t.Tensor]) -> tuple[list[Labels], Labels]:
    """The labels of each operand's axes and of the output. Each "..." is spelled out as labels "...0",
    "...1", ... of the axes it stands for, aligned at the right across operands (as in broadcasting)."""
    lhs, arrow, rhs = formula.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) != len(tensors):
        raise ValueError(f"einsum: the formula {formula!r} names {len(terms)} operand(s), but {len(tensors)} "
                         "tensor(s) were given")
    spans = [_ellipsis_span(term, t.ndim, formula) for term, t in zip(terms, tensors)]
    broadcast = [f"...{i}" for i in range(max(spans))]
    inputs = [_labels(term, broadcast[len(broadcast) - span:], formula) for term, span in zip(terms, spans)]
    if arrow:
        output = _labels(rhs, broadcast, formula)
    else:  # implicit output: the ellipsis axes, then the letters that occur exactly once, sorted
        counts = Counter(label for labels in inputs for label in labels)
        output = broadcast + sorted(label for label, n in counts.items() if n == 1 and label.isalpha())
    known = {label for labels in inputs for label in labels}
    for label in output:
        if label not in known:
            raise ValueError(f"einsum: the output label {label!r} of {formula!r} names no axis of the operands")
        if output.count(label) > 1:
            raise ValueError(f"einsum: the output label {label!r} occurs more than once in {formula!r}")
    return inputs, output


def _ellipsis_span(term: str, ndim: int, formula: str) -> int:
    """How many axes the "..." of an operand's term stands for (0 without one)."""
    head, dots, tail = term.partition("...")
    span = ndim - len(head) - len(tail)
    if span < 0 or (span > 0 and not dots):
        raise ValueError(f"einsum: {term!r} in {formula!r} labels {len(head) + len(tail)} axes, but its operand "
                         f"has {ndim}")
    return span


def _labels(term: str, ellipsis: Labels, formula: str) -> Labels:
    """The labels of one term: its letters, with "..." replaced by the `ellipsis` labels."""
    head, dots, tail = term.partition("...")
    if not all(c.isascii() and c.isalpha() for c in head + tail):
        raise ValueError(f"einsum: {term!r} in {formula!r} may only contain letters and one '...'")
    return list(head) + (ellipsis if dots else []) + list(tail)


def _label_sizes(formula: str, inputs: list[Labels], tensors: list[_t.Tensor]) -> dict[str, int]:
    """The size of every label across the operands; sizes must agree or be 1 (which broadcasts)."""
    sizes: dict[str, int] = {}
    for labels, tensor in zip(inputs, tensors):
        for label, n in zip(labels, tensor.shape):
            size = sizes.setdefault(label, n)
            if n != size and 1 not in (n, size):
                raise ValueError(f"einsum: label {label!r} of {formula!r} has sizes {size} and {n} in the "
                                 "operands (they must be equal, or 1 to broadcast)")
            sizes[label] = size if n == 1 else n
    return sizes


def _diagonals(x: _t.Tensor, labels: Labels, formula: str) -> tuple[_t.Tensor, Labels]:
    """For a label repeated within one operand ("ii"), keep only the diagonal, as one axis."""
    repeated = next((label for label, n in Counter(labels).items() if n > 1), None)
    if repeated is None:
        return x, labels
    i = labels.index(repeated)
    j = labels.index(repeated, i + 1)
    if x.shape[j] != x.shape[i]:
        raise ValueError(f"einsum: the repeated label {repeated!r} of {formula!r} has sizes {x.shape[i]} and "
                         f"{x.shape[j]}")
    rest = [a for a in range(x.ndim) if a not in (i, j)]
    return _diagonals(main_diagonal(x.permute(rest + [i, j])), [labels[a] for a in rest] + [repeated], formula)


def _sum_out(x: _t.Tensor, labels: Labels, keep: set[str]) -> tuple[_t.Tensor, Labels]:
    """Sum over the axes whose label is not in `keep`."""
    axes = tuple(a for a, label in enumerate(labels) if label not in keep)
    if not axes:
        return x, labels
    return x.sum(axes), [label for label in labels if label in keep]


def _contract(a: _t.Tensor, a_labels: Labels, b: _t.Tensor, b_labels: Labels,
              needed: set[str]) -> tuple[_t.Tensor, Labels]:
    """The product of two operands, summed over the labels they share that are no longer `needed`: one
    batched matrix product with batch = shared and needed, rows = a's own, columns = b's own, inner = summed."""
    a, a_labels = _sum_out(a, a_labels, needed | set(b_labels))  # a label only one operand has can go now
    b, b_labels = _sum_out(b, b_labels, needed | set(a_labels))
    batch = [label for label in a_labels if label in b_labels and label in needed]
    inner = [label for label in a_labels if label in b_labels and label not in needed]
    rows = [label for label in a_labels if label not in b_labels]
    columns = [label for label in b_labels if label not in a_labels]
    a = a.permute([a_labels.index(label) for label in batch + rows + inner])
    b = b.permute([b_labels.index(label) for label in batch + inner + columns])
    nb, nr = len(batch), len(rows)
    batch_shape, row_shape, column_shape = a.shape[:nb], a.shape[nb:nb + nr], b.shape[nb + len(inner):]
    if not inner:  # nothing to sum: a broadcast product
        product = a.reshape(batch_shape + row_shape + (1,) * len(column_shape)) \
            * b.reshape(batch_shape + (1,) * nr + column_shape)
    else:
        shape = (math.prod(batch_shape), math.prod(row_shape), math.prod(a.shape[nb + nr:]))
        product = MatMul.apply(a.reshape(shape), b.reshape(shape[0], shape[2], math.prod(column_shape)))
    return product.reshape(batch_shape + row_shape + column_shape), batch + rows + columns
