"""Gradient clipping: `clip_grad_norm_` and `clip_grad_value_`, as in `torch.nn.utils`.

Neural-network layer (`edugrad.nn.utils`). Call one between `loss.backward()` and `optimizer.step()` to keep
a rare huge gradient (an exploding RNN, a bad batch) from throwing the weights far away. Clipping by norm
rescales all gradients together, so the direction of the step is kept; clipping by value cuts each
coordinate separately.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from edugrad.tensor import Tensor, no_grad

Parameters = Tensor | Iterable[Tensor]


def clip_grad_norm_(parameters: Parameters, max_norm: float, norm_type: float | str = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale the gradients in place so that their total norm is at most `max_norm`; returns the total norm
    before clipping (all gradients taken as one vector)."""
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    try:
        order = float(norm_type)  # also parses "inf", as in PyTorch
    except (TypeError, ValueError):
        order = math.nan  # refused just below, with the message that says what is accepted
    if not order > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or 'inf', got {norm_type!r}")
    grads = _grads(parameters, "clip_grad_norm_")
    if not grads:
        return Tensor(0.0)
    with no_grad():
        total = _total_norm(grads, order)
        norm = float(total)
        if error_if_nonfinite and not math.isfinite(norm):
            raise RuntimeError(f"clip_grad_norm_: the total norm of order {order} of the gradients is {norm}, so "
                               "they cannot be clipped; to scale them by the non-finite norm anyway, pass "
                               "error_if_nonfinite=False")
        scale = max_norm / (norm + 1e-6)  # the 1e-6 (PyTorch's) keeps an all-zero gradient from dividing by 0
        if not scale >= 1.0:  # scaling by 1 changes nothing; NaN scales on, as in PyTorch
            for grad in grads:
                grad.mul_(scale)
    return total


def _total_norm(grads: list[Tensor], order: float) -> Tensor:
    """||(g_1, ..., g_n)||_p = (sum_i sum_j |g_ij|^p)^(1/p), or max_ij |g_ij| for p = inf."""
    if order == math.inf:
        total = grads[0].abs().max()
        for grad in grads[1:]:
            total = total.maximum(grad.abs().max())
        return total
    powered = [(grad * grad).sum() if order == 2 else (grad.abs() ** order).sum() for grad in grads]
    total = powered[0]
    for part in powered[1:]:
        total = total + part
    return total.sqrt() if order == 2 else total ** (1 / order)


def clip_grad_value_(parameters: Parameters, clip_value: float) -> None:
    """Clamp every gradient element in place to [-clip_value, clip_value]."""
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    with no_grad():
        for grad in _grads(parameters, "clip_grad_value_"):
            grad.clamp_(-clip_value, clip_value)


def _grads(parameters: Parameters, op: str) -> list[Tensor]:
    """The gradients of the parameters that have one."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: parameters must be Tensors, got a {type(p).__name__}")
    return [p.grad for p in params if p.grad is not None]
