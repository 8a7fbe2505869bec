"""Norms and distances with torch.nn.functional's signatures: `normalize`, `cosine_similarity`,
`pairwise_distance` and `pdist`.

Top layer (`edugrad.nn`), composed from Tensor ops. The p-norm (sum |x|^p)^(1/p) has an infinite derivative
where all of x is 0 (the root's, at 0); PyTorch defines its gradient there as 0, and so does `vector_norm`
below, so a zero vector (two equal points) gives no nan.
"""

from __future__ import annotations

import math

from edugrad.nn.functional._common import number_arg, tensor_arg
from edugrad.tensor import Tensor, tensor


def vector_norm(x: Tensor, p: float, dim: int, keepdim: bool = False) -> Tensor:
    """The p-norm of x along `dim`: (sum |x|^p)^(1/p), the largest |x| for p = inf, the smallest for -inf,
    and the number of nonzero elements for p = 0."""
    size = x.abs()
    if p == math.inf:
        return size.amax(dim, keepdim=keepdim)
    if p == -math.inf:
        return size.amin(dim, keepdim=keepdim)
    if p == 0:
        return (x != 0).cast(x.dtype).sum(dim, keepdim=keepdim)
    total = (x * x if p == 2 else size ** p).sum(dim, keepdim=keepdim)
    # Root only where the sum is positive: at 0 the root's derivative is infinite, and where() sends that
    # branch a gradient of 0, which is PyTorch's convention for the norm of a zero vector.
    positive = total > 0
    safe = total.where(positive, 1.0)
    root = safe.sqrt() if p == 2 else safe ** (1 / p)
    return root.where(positive, 0.0)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along `dim`: unit vectors (a zero vector stays zero)."""
    x = tensor_arg("normalize", "input", input)
    number_arg("normalize", "p", p)
    return x / vector_norm(x, p, dim, keepdim=True).clamp(eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 (broadcast together) along `dim`:
    sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))."""
    a, b = tensor_arg("cosine_similarity", "x1", x1), tensor_arg("cosine_similarity", "x2", x2)
    # As PyTorch, each norm is clamped at eps for its value only; its gradient flows as if unclamped.
    norms = []
    for v in (a, b):
        norm = vector_norm(v, 2, dim, keepdim=True)
        norms.append(norm + (norm.clamp(eps) - norm).detach())
    return (a / norms[0] * (b / norms[1])).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The p-norm distance ||x1 - x2 + eps||_p along the last dimension (x1 and x2 broadcast together); eps
    keeps the norm away from 0, where its gradient is undefined."""
    a, b = tensor_arg("pairwise_distance", "x1", x1), tensor_arg("pairwise_distance", "x2", x2)
    return vector_norm(a - b + eps, number_arg("pairwise_distance", "p", p), -1, keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between the rows of an (N, M) input, for every pair i < j in row-major order:
    N (N - 1) / 2 values (the upper triangle of the distance matrix, flattened)."""
    x = tensor_arg("pdist", "input", input)
    if x.ndim != 2:
        raise ValueError(f"pdist: expected an input of shape (N, M), got {x.shape}")
    if number_arg("pdist", "p", p) < 0:
        raise ValueError(f"pdist: p must be >= 0, got {p}")
    n = x.shape[0]
    first = [i for i in range(n) for _ in range(i + 1, n)]
    second = [j for i in range(n) for j in range(i + 1, n)]
    if not first:
        return Tensor.zeros(0, dtype=x.dtype, backend=x.backend)
    return vector_norm(x[tensor(first, backend=x.backend)] - x[tensor(second, backend=x.backend)], p, 1)


__all__ = ["cosine_similarity", "normalize", "pairwise_distance", "pdist"]
