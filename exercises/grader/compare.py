"""What the checks compare with: PyTorch's forward and backward, and edugrad's gradient checkers.

Outside the four layers (exercises/grader/). Every helper raises Failure with a message that teaches: the
input, the index where the values differ most, expected against got.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from edugrad.function import GradcheckError, check_function, gradcheck
from edugrad.tensor import Tensor, tensor
from exercises.grader.core import Failure

NDArray = np.ndarray[Any, Any]


def small_inputs(*shapes: tuple[int, ...], seed: int = 0, low: float = -2.0, high: float = 2.0) -> list[NDArray]:
    """Reproducible float64 test inputs, uniform in [low, high)."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=shape) for shape in shapes]


def expect_close(what: str, got: Any, expected: NDArray, inputs: Sequence[NDArray], hint: str,
                 atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Raise Failure unless `got` (an array or a Tensor) has `expected`'s shape and values."""
    got = np.asarray(got.numpy() if isinstance(got, Tensor) else got, dtype=np.float64)
    shown = "; ".join(f"input {i} = {np.array2string(x, precision=3)}" for i, x in enumerate(inputs))
    if got.shape != expected.shape:
        raise Failure(f"{what} has shape {got.shape}, expected {expected.shape} (for {shown})", hint)
    error = np.abs(got - expected) - rtol * np.abs(expected)
    error = np.where(np.isnan(got) != np.isnan(expected), np.inf, np.nan_to_num(error, nan=0.0))
    if np.all(error <= atol):
        return
    j = np.unravel_index(int(np.argmax(error)), got.shape) if got.ndim else ()
    raise Failure(f"{what} at index {tuple(int(k) for k in j)}: expected {expected[j]:.6g}, got {got[j]:.6g} "
                  f"(for {shown})", hint)


def against_torch(what: str, ours: Callable[..., Tensor], theirs: Callable[..., torch.Tensor],
                  arrays: Sequence[NDArray], hint: str, grad: bool = True) -> None:
    """Run `ours` on edugrad Tensors and `theirs` on torch tensors made from the same float64 arrays and
    compare the outputs, then (if `grad`) the gradients of sum(output * v) for a fixed random v."""
    xs = [tensor(a, requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    out, expected = ours(*xs), theirs(*ts)
    if not isinstance(out, Tensor):
        raise Failure(f"{what} returned {type(out).__name__}, expected a Tensor", hint)
    expect_close(f"{what}: the output", out, expected.detach().numpy(), arrays, hint)
    if not grad:
        return
    v = np.random.default_rng(1).standard_normal(expected.shape)
    (out * tensor(v)).sum().backward()
    torch.autograd.backward((expected * torch.tensor(v)).sum())
    for i, (x, t) in enumerate(zip(xs, ts)):
        if x.grad is None:
            raise Failure(f"{what}: input {i} received no gradient (was the result recorded by apply?)", hint)
        assert t.grad is not None
        expect_close(f"{what}: the gradient of input {i}", x.grad, t.grad.numpy(), arrays, hint)


def expect_function_ok(function: type[Any], arrays: Sequence[NDArray], hint: str, **kwargs: Any) -> None:
    """check_function (the Function contract and gradcheck) on float64 inputs, as a Failure if it fails."""
    try:
        check_function(function, *[tensor(a, requires_grad=True) for a in arrays], **kwargs)
    except GradcheckError as error:
        raise Failure(str(error), hint) from None


def expect_gradcheck(what: str, fn: Callable[..., Tensor], arrays: Sequence[NDArray], hint: str) -> None:
    """gradcheck of `fn` on float64 inputs, as a Failure if it fails."""
    try:
        gradcheck(fn, [tensor(a, requires_grad=True) for a in arrays])
    except GradcheckError as error:
        raise Failure(f"{what}: {error}", hint) from None
