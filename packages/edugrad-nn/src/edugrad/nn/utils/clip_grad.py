"""Gradient clipping: `clip_grad_norm_`, `clip_grad_value_`, and the two halves of clipping by norm,
`get_total_norm` and `clip_grads_with_norm_`, as in `torch.nn.utils`.

Neural-network layer (`edugrad.nn.utils`). Call one between `loss.backward()` and `optimizer.step()` to keep
a rare huge gradient (an exploding RNN, a bad batch) from throwing the weights far away. Clipping by norm
rescales all gradients together, so the direction of the step is kept; clipping by value cuts each
coordinate separately. `foreach=` is accepted, as in PyTorch, and changes nothing: edugrad has one
implementation, which updates each gradient in place under `no_grad()`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from edugrad.tensor import Tensor, no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

Tensors = Tensor | Iterable[Tensor]


def _tensors(tensors: Tensors, op: str) -> list[Tensor]:
    """One tensor or an iterable of them, as a list (each checked)."""
    found = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for tensor in found:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{op}: expected Tensors, got a {type(tensor).__name__}")
    return found


def _grads(parameters: Tensors, op: str) -> list[Tensor]:
    """The gradients of the parameters that have one."""
    return [p.grad for p in _tensors(parameters, op) if p.grad is not None]


def _order(norm_type: float | str, op: str) -> float:
    try:
        order = float(norm_type)  # also parses "inf", as in PyTorch
    except (TypeError, ValueError):
        order = math.nan  # refused just below, with the message that says what is accepted
    if not order > 0:
        raise ValueError(f"{op}: norm_type must be positive or 'inf', got {norm_type!r}")
    return order


def get_total_norm(tensors: Tensors, norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The norm of all `tensors` taken together as one vector:
    ||(t_1, ..., t_n)||_p = (sum_i sum_j |t_ij|^p)^(1/p), or max_ij |t_ij| for p = inf."""
    order = _order(norm_type, "get_total_norm")
    found = _tensors(tensors, "get_total_norm")
    if not found:
        return Tensor.zeros(())
    with no_grad():
        if order == math.inf:
            total = found[0].abs().max()
            for tensor in found[1:]:
                total = total.maximum(tensor.abs().max())
        else:
            powered = [(t * t).sum() if order == 2 else (t.abs() ** order).sum() for t in found]
            total = powered[0]
            for part in powered[1:]:
                total = total + part
            total = total.sqrt() if order == 2 else total ** (1 / order)
    if error_if_nonfinite:
        _check_finite(total, order, "get_total_norm")
    return total


def _check_finite(total: Tensor, order: float, op: str) -> None:
    if not math.isfinite(float(total)):
        raise RuntimeError(f"{op}: the total norm of order {order} of the gradients is {float(total)}, so they "
                           "cannot be clipped; to scale them by the non-finite norm anyway, pass "
                           "error_if_nonfinite=False")


def _number(value: object, name: str, op: str) -> float:
    """`value` as torch reads it, float(value) (so a 0-d tensor or "1.0" pass), the error naming the argument."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise type(error)(f"{op}: {name} must be a number, got {value!r}") from None


def _check_max_norm(max_norm: float, op: str) -> float:
    max_norm = _number(max_norm, "max_norm", op)
    if not max_norm >= 0:
        raise ValueError(f"{op}: max_norm must be >= 0, got {max_norm}")
    return max_norm


def clip_grads_with_norm_(parameters: Tensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the gradients in place by max_norm / (total_norm + 1e-6) where that is below 1, so that a total
    norm above `max_norm` comes down to it (the 1e-6, PyTorch's, keeps an all-zero gradient from dividing by 0)."""
    max_norm = _check_max_norm(max_norm, "clip_grads_with_norm_")
    scale = max_norm / (float(total_norm) + 1e-6)
    if not scale >= 1.0:  # scaling by 1 changes nothing; NaN scales on, as in PyTorch
        with no_grad():
            for grad in _grads(parameters, "clip_grads_with_norm_"):
                grad.mul_(scale)


def clip_grad_norm_(parameters: Tensors, max_norm: float, norm_type: float | str = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients in place so that their total norm is at most `max_norm`; returns the total norm
    before clipping (all gradients taken as one vector)."""
    max_norm = _check_max_norm(max_norm, "clip_grad_norm_")
    params = _tensors(parameters, "clip_grad_norm_")  # a generator can be read once only
    total = get_total_norm(_grads(params, "clip_grad_norm_"), norm_type)
    if error_if_nonfinite:
        _check_finite(total, _order(norm_type, "clip_grad_norm_"), "clip_grad_norm_")
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: Tensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element in place to [-clip_value, clip_value]."""
    clip_value = _number(clip_value, "clip_value", "clip_grad_value_")
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    with no_grad():
        for grad in _grads(parameters, "clip_grad_value_"):
            grad.clamp_(-clip_value, clip_value)
