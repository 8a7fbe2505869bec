"""The parity harness: run one op in edugrad and in PyTorch on the same inputs and compare the forward value,
its dtype and the gradient of every input. Each `test_parity_*.py` holds a table of `Case`s, one per op."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from edugrad.tensor import Tensor, tensor


@dataclass(frozen=True)
class Case:
    """One op to compare: the same callable shape for both libraries, applied to inputs of `shapes`."""

    name: str
    edugrad: Callable[..., Any]
    torch: Callable[..., Any]
    shapes: Sequence[tuple[int, ...]]
    low: float = -2.0  # inputs are uniform on [low, high)
    high: float = 2.0
    dtype: str = "float32"
    grad: bool = True  # compare input gradients too (only float inputs get gradients)
    atol: float = 1e-5
    rtol: float = 1e-4
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def make_inputs(case: Case, seed: int) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    if case.dtype.startswith("float"):
        return [rng.uniform(case.low, case.high, shape).astype(case.dtype) for shape in case.shapes]
    if case.dtype == "bool":
        return [rng.integers(0, 2, shape).astype(bool) for shape in case.shapes]
    return [rng.integers(int(case.low), int(case.high), shape).astype(case.dtype) for shape in case.shapes]


def check_parity(case: Case, seed: int = 0) -> None:
    """Assert that edugrad and torch agree on value, dtype and (if `case.grad`) every input's gradient."""
    arrays = make_inputs(case, seed)
    grad = case.grad and case.dtype.startswith("float")
    ours = [tensor(a, requires_grad=grad) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=grad) for a in arrays]
    out = case.edugrad(*ours, **case.kwargs)
    expected = case.torch(*theirs, **case.kwargs)
    outs, expecteds = _as_tuple(out), _as_tuple(expected)
    assert len(outs) == len(expecteds), f"{case}: {len(outs)} outputs, torch gives {len(expecteds)}"
    for o, e in zip(outs, expecteds):
        assert isinstance(o, Tensor), f"{case}: expected a Tensor, got {type(o).__name__}"
        assert o.dtype.name == str(e.dtype).removeprefix("torch."), f"{case}: dtype {o.dtype.name} vs {e.dtype}"
        np.testing.assert_allclose(o.numpy(), e.detach().numpy(), atol=case.atol, rtol=case.rtol,
                                   err_msg=f"{case}: forward values differ")
    if not grad:
        return
    rng = np.random.default_rng(seed + 1)
    loss_ours: Tensor | None = None
    loss_theirs: torch.Tensor | None = None
    for o, e in zip(outs, expecteds):
        if not e.requires_grad:
            continue
        weights = rng.uniform(-1, 1, e.shape).astype(e.detach().numpy().dtype)  # a random upstream gradient
        term_ours, term_theirs = (o * tensor(weights)).sum(), (e * torch.tensor(weights)).sum()
        loss_ours = term_ours if loss_ours is None else loss_ours + term_ours
        loss_theirs = term_theirs if loss_theirs is None else loss_theirs + term_theirs
    if loss_ours is None or loss_theirs is None:
        return
    loss_ours.backward()
    loss_theirs.backward()
    for i, (x, t) in enumerate(zip(ours, theirs)):
        if t.grad is None:
            assert x.grad is None or not np.any(x.grad.numpy()), f"{case}: input {i} got a gradient, torch's none"
            continue
        assert x.grad is not None, f"{case}: input {i} got no gradient"
        assert x.grad.shape == tuple(t.shape), f"{case}: gradient {i} has shape {x.grad.shape}, expected {t.shape}"
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=case.atol, rtol=case.rtol,
                                   err_msg=f"{case}: gradient of input {i} differs")


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)
