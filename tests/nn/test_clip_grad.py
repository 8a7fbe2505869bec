"""Tests of `edugrad.nn.utils.clip_grad_norm_` and `clip_grad_value_` against `torch.nn.utils`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch

from edugrad.nn.utils import clip_grad_norm_, clip_grad_value_
from edugrad.tensor import Tensor

RNG = np.random.default_rng(0)
GRADS = [RNG.uniform(-2, 2, shape).astype(np.float32) for shape in [(3, 4), (5,), (2, 2, 2)]]


def with_grads(grads: list[np.ndarray[Any, Any]]) -> tuple[list[Tensor], list[torch.Tensor]]:
    """Parameters in both libraries whose .grad holds `grads` (plus one parameter without a gradient)."""
    ours, theirs = [], []
    for g in grads:
        p, tp = Tensor(np.zeros_like(g), requires_grad=True), torch.zeros(g.shape, requires_grad=True)
        p.grad, tp.grad = Tensor(g), torch.tensor(g)
        ours.append(p)
        theirs.append(tp)
    ours.append(Tensor([1.0], requires_grad=True))
    theirs.append(torch.tensor([1.0], requires_grad=True))
    return ours, theirs


def assert_same_grads(ours: list[Tensor], theirs: list[torch.Tensor]) -> None:
    for p, tp in zip(ours, theirs):
        if tp.grad is None:
            assert p.grad is None
        else:
            assert p.grad is not None
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])  # clips, and leaves the gradients alone
def test_clip_grad_norm_matches_torch(norm_type: float | str, max_norm: float) -> None:
    ours, theirs = with_grads(GRADS)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, Tensor) and total.shape == ()
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-6)
    assert_same_grads(ours, theirs)


def test_clipped_gradients_have_the_max_norm() -> None:
    ours, _ = with_grads(GRADS)
    clip_grad_norm_(ours, 1.0)
    norm = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in ours if p.grad is not None))
    assert norm == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_of_a_single_tensor_and_of_no_gradients() -> None:
    p = Tensor([3.0, 4.0], requires_grad=True)
    assert float(clip_grad_norm_(p, 1.0)) == 0.0  # no gradient yet
    p.grad = Tensor([3.0, 4.0])
    assert float(clip_grad_norm_(p, 1.0)) == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf * 0 = nan is the point here
def test_non_finite_norm(bad: float) -> None:
    grads = [GRADS[0].copy(), GRADS[1]]
    grads[0][1, 2] = bad
    ours, theirs = with_grads(grads)
    with pytest.raises(RuntimeError, match="non-finite|is (inf|nan)"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_(ours, 1.0)  # without the check, the gradients are scaled anyway, as in torch
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_array_equal(total.numpy(), expected.numpy())
    for p, tp in zip(ours, theirs):
        if tp.grad is not None and p.grad is not None:
            np.testing.assert_array_equal(np.isnan(p.grad.numpy()), np.isnan(tp.grad.numpy()))


@pytest.mark.parametrize("clip_value", [0.0, 0.7, 5.0])
def test_clip_grad_value_matches_torch(clip_value: float) -> None:
    ours, theirs = with_grads(GRADS)
    assert clip_grad_value_(ours, clip_value) is None  # type: ignore[func-returns-value]
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_same_grads(ours, theirs)


def test_invalid_arguments() -> None:
    ours, _ = with_grads(GRADS)
    with pytest.raises(ValueError, match="max_norm must be >= 0"):
        clip_grad_norm_(ours, -1.0)
    with pytest.raises(ValueError, match="norm_type must be positive"):
        clip_grad_norm_(ours, 1.0, norm_type=0)
    with pytest.raises(ValueError, match="norm_type must be positive or 'inf', got 'two'"):
        clip_grad_norm_(ours, 1.0, norm_type="two")
    with pytest.raises(TypeError, match="clip_grad_value_: parameters must be Tensors, got a float"):
        clip_grad_value_([1.0], 0.5)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_(ours, -0.5)
