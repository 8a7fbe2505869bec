"""`linear` and `bilinear` with torch.nn.functional's signatures and weight layouts.

Top layer (`edugrad.nn`). The weight of `linear` is (out_features, in_features), as in PyTorch (and
`nn.Linear`'s state dict); the Tensor op `linear` takes its transpose, a free view.
"""

from __future__ import annotations

from edugrad.nn.functional._common import tensor_arg
from edugrad.tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight^T + bias, with weight (out_features, in_features) and bias (out_features,)."""
    x, w = tensor_arg("linear", "input", input), tensor_arg("linear", "weight", weight)
    if w.ndim not in (1, 2):
        raise ValueError(f"linear: expected a weight of shape (out_features, in_features) or (in_features,), got "
                         f"{w.shape}")
    return x.linear(w.T, None if bias is None else tensor_arg("linear", "bias", bias))


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T W_k x2 + b_k for inputs (*, in1) and (*, in2), weight (out, in1, in2) and bias (out,)."""
    x1, x2 = tensor_arg("bilinear", "input1", input1), tensor_arg("bilinear", "input2", input2)
    w = tensor_arg("bilinear", "weight", weight)
    if w.ndim != 3 or x1.ndim == 0 or x1.shape[:-1] != x2.shape[:-1] or (x1.shape[-1], x2.shape[-1]) != w.shape[1:]:
        raise ValueError(f"bilinear: expected inputs (*, in1) and (*, in2) with one batch shape and a weight of "
                         f"shape (out, in1, in2), got {x1.shape}, {x2.shape} and {w.shape}")
    out, in1, in2 = w.shape
    # x1 @ W_k for all k at once is one GEMM with the (in1, out * in2) matrix; then the dot with x2 per k.
    left = x1.matmul(w.permute(1, 0, 2).reshape(in1, out * in2)).reshape(*x1.shape[:-1], out, in2)
    y = (left * x2.unsqueeze(-2)).sum(-1)
    return y if bias is None else y + tensor_arg("bilinear", "bias", bias)


__all__ = ["bilinear", "linear"]
