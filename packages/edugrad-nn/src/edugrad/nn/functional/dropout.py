"""Dropout with torch.nn.functional's signatures: `dropout`, the channel-wise `dropout1d/2d/3d`, and the
SELU-preserving `alpha_dropout` and `feature_alpha_dropout`.

Top layer (`edugrad.nn`). As in PyTorch the functions take `training` as an argument (True by default for
dropout, False for the alpha dropouts); the modules pass their own `training` flag. The random mask comes from
the Tensor op `dropout`: a channel-wise dropout is the input times the dropout of a tensor of ones with one
element per (sample, channel), which broadcasts over the positions.
"""

from __future__ import annotations

import math
import warnings

from edugrad.nn.functional._common import maybe_inplace, number_arg, tensor_arg
from edugrad.tensor import Tensor

# SELU's negative saturation value, -scale * alpha: where alpha dropout puts the dropped elements.
_ALPHA = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717


def _probability(op: str, p: float) -> float:
    if not 0 <= number_arg(op, "p", p) <= 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the others by 1 / (1 - p), so that every element keeps
    its expected value; the input itself unless `training` (note PyTorch's default, training=True)."""
    x, p = tensor_arg("dropout", "input", input), _probability("dropout", p)
    return maybe_inplace(input, x.dropout(p, training), inplace)


def _feature_dropout(x: Tensor, p: float, training: bool, batched: bool) -> Tensor:
    """x times the dropout of ones, one per (sample, channel) of the (N, C, *) input: whole channels drop."""
    if not training or p == 0:
        return x
    if not batched:
        return _feature_dropout(x.unsqueeze(0), p, training, True).squeeze(0)
    mask = Tensor.ones(*x.shape[:2], *[1] * (x.ndim - 2), dtype=x.dtype, backend=x.backend).dropout(p, True)
    return x * mask


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, L) or (C, L) input, each with probability p, and scale the rest by
    1 / (1 - p)."""
    x, p = tensor_arg("dropout1d", "input", input), _probability("dropout1d", p)
    if x.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected a 2-d (C, L) or 3-d (N, C, L) input, got shape {x.shape}")
    return maybe_inplace(input, _feature_dropout(x, p, training, x.ndim == 3), inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, H, W) input, each with probability p, and scale the rest by
    1 / (1 - p). As in PyTorch, a 3-d input is taken as (N, C, L), with a warning."""
    x, p = tensor_arg("dropout2d", "input", input), _probability("dropout2d", p)
    if x.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated; dropout2d is "
                      "channel-wise dropout of 3-D or 4-D inputs (use dropout otherwise)", UserWarning, stacklevel=2)
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L); use dropout1d for that",
                      UserWarning, stacklevel=2)
    if x.ndim < 2:
        raise ValueError(f"dropout2d: expected an input with a batch and a channel dimension, got shape {x.shape}")
    return maybe_inplace(input, _feature_dropout(x, p, training, True), inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input, each with probability p, and scale the
    rest by 1 / (1 - p)."""
    x, p = tensor_arg("dropout3d", "input", input), _probability("dropout3d", p)
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated; dropout3d is "
                      "channel-wise dropout of 4-D or 5-D inputs (use dropout otherwise)", UserWarning, stacklevel=2)
    if x.ndim < 1:
        raise ValueError("dropout3d: expected an input with a channel dimension, got a 0-d tensor")
    return maybe_inplace(input, _feature_dropout(x, p, training, x.ndim == 5), inplace)


def _alpha_dropout(x: Tensor, p: float, training: bool, mask_shape: tuple[int, ...]) -> Tensor:
    """Dropped elements become SELU's saturation value -alpha, and an affine map a * y + b brings the mean and
    variance of a standard normal input back to 0 and 1 (Klambauer et al. 2017)."""
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    a = 1 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    keep = (Tensor.rand(*mask_shape, backend=x.backend) >= p).cast(x.dtype)  # 1 with probability 1 - p
    # a * (x * keep - alpha * (1 - keep)) + a * alpha * p, the shift b = a * alpha * p.
    return (x * keep + (keep - 1) * _ALPHA) * a + a * _ALPHA * p


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: keeps the mean and variance of its input (in training only; note the
    default training=False, as in PyTorch)."""
    x, p = tensor_arg("alpha_dropout", "input", input), _probability("alpha_dropout", p)
    return maybe_inplace(input, _alpha_dropout(x, p, training, x.shape), inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """alpha_dropout of whole channels (axis 1) of an (N, C, *) input."""
    x, p = tensor_arg("feature_alpha_dropout", "input", input), _probability("feature_alpha_dropout", p)
    if x.ndim < 2:
        raise ValueError(f"feature_alpha_dropout: expected an (N, C, *) input, got shape {x.shape}")
    return maybe_inplace(input, _alpha_dropout(x, p, training, x.shape[:2] + (1,) * (x.ndim - 2)), inplace)


__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]
