"""NLLLoss against torch.nn.functional.nll_loss, forward and backward: every reduction, ignored targets
(none, some, all, an ignore_index inside the class range), (C,), (N, C) and (N, C, H, W) inputs, float32 and
float64; and its errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as tf
from function_helpers import Value, close, const, leaf, numpy_of, randn, torch_leaf

from edugrad.data import dtypes
from edugrad.function import Mul, NLLLoss, Sum, grad

REDUCTIONS = ["mean", "sum", "none"]
# (name, logp shape, targets, ignore_index): targets have the logp shape without the class axis 1 (0 for (C,)).
TARGETS: list[tuple[str, tuple[int, ...], Any, int]] = [
    ("(N, C) none ignored", (5, 4), [3, 0, 1, 3, 2], -100),
    ("(N, C) some ignored", (5, 4), [3, -100, 1, -100, 0], -100),
    ("(N, C) all ignored", (3, 4), [-100, -100, -100], -100),
    ("(N, C) ignore_index a class", (5, 4), [3, 2, 1, 2, 0], 2),
    ("(C,) 0-d target", (4,), 2, -100),
    ("(C,) 0-d target ignored", (4,), -100, -100),
    ("(N, C, H, W) some ignored", (2, 3, 2, 2), [[[0, 2], [1, -1]], [[2, 2], [-1, 1]]], -1),
]


def log_probabilities(shape: tuple[int, ...], dtype: str) -> Value:
    axis = 0 if len(shape) == 1 else 1
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    logp = x - np.log(np.exp(x).sum(axis, keepdims=True))
    return leaf(logp.astype(dtype), dtype=dtypes.float32 if dtype == "float32" else None)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, shape, targets, ignore_index", TARGETS, ids=[t[0] for t in TARGETS])
def test_matches_torch(name: str, shape: tuple[int, ...], targets: Any, ignore_index: int, reduction: str,
                       dtype: str) -> None:
    logp, target = log_probabilities(shape, dtype), const(np.array(targets, np.int64))
    axis = 0 if len(shape) == 1 else 1
    out = NLLLoss.apply(logp, target, axis=axis, ignore_index=ignore_index, reduction=reduction)
    t_logp = torch_leaf(logp)
    expected = tf.nll_loss(t_logp, torch.tensor(targets), ignore_index=ignore_index, reduction=reduction)
    tolerance = {"atol": 1e-6, "rtol": 1e-6} if dtype == "float32" else {}
    assert out.dtype.name == dtype and out.shape == tuple(expected.shape)
    close(out, expected, **tolerance)
    upstream = np.random.default_rng(1).uniform(-1, 1, out.shape).astype(dtype)  # the gradient of the output
    (dx,) = grad(out, logp, grad_outputs=leaf(upstream, requires_grad=False, dtype=logp.dtype))
    (expected_dx,) = torch.autograd.grad(expected, t_logp, grad_outputs=torch.tensor(upstream))
    close(dx, expected_dx, **tolerance)


def test_all_ignored_mean_is_nan_and_sends_no_gradient() -> None:
    logp = randn(3, 4)
    out = NLLLoss.apply(logp, const([-100, -100, -100]), axis=1)
    assert np.isnan(numpy_of(out))  # 0 / 0, as torch; computed without NumPy's divide warning (an error here)
    out.backward()
    assert np.array_equal(numpy_of(logp.grad), np.zeros((3, 4)))


def test_an_ignored_target_of_minus_infinity_gives_zero() -> None:
    # The ignored row reads class 0, whose log-probability is -inf: masking by a product would give nan.
    logp = leaf([[-np.inf, 0.0], [-1.0, -0.5]])
    for reduction, expected in [("none", [0.0, 0.5]), ("sum", 0.5), ("mean", 0.5)]:
        assert np.array_equal(numpy_of(NLLLoss.apply(logp, const([-100, 1]), axis=1, reduction=reduction)),
                              expected)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8])
def test_narrower_integer_targets(dtype: type) -> None:
    # -100 does not fit in uint8: the targets are widened before being compared with ignore_index.
    logp = randn(3, 4)
    out = NLLLoss.apply(logp, const(np.array([3, 0, 2], dtype)), axis=1, reduction="none")
    close(out, -numpy_of(logp)[[0, 1, 2], [3, 0, 2]])


def test_the_target_gets_no_gradient_and_logp_only_at_the_targets() -> None:
    logp = randn(2, 3)
    NLLLoss.apply(logp, const([2, 0]), axis=1, reduction="sum").backward()
    assert np.array_equal(numpy_of(logp.grad), [[0.0, 0.0, -1.0], [-1.0, 0.0, 0.0]])


def test_second_derivative_through_the_recorded_backward() -> None:
    # dlogp = g W is linear in the output gradient g, with W constant (-1 / count at the counted targets):
    # d/dg sum(v * dlogp) = sum(v * W).
    logp, g = randn(4, 3), leaf(np.array(2.0))
    (dx,) = grad(NLLLoss.apply(logp, const([1, -100, 0, 1]), axis=1), logp, grad_outputs=g, create_graph=True)
    v = np.random.default_rng(2).uniform(-1, 1, (4, 3))
    (dg,) = grad(Sum.apply(Mul.apply(dx, const(v))), g)
    weights = np.zeros((4, 3))
    weights[[0, 2, 3], [1, 0, 1]] = -1 / 3
    close(dg, (v * weights).sum())


@pytest.mark.parametrize("target, error, message", [
    ([0, 1], ValueError, r"nll_loss: expected a target of shape \(3,\) .* got \(2,\)"),
    ([0.0, 1.0, 2.0], TypeError, "nll_loss: the target must hold integer class indices, got float64"),
])
def test_wrong_targets(target: list[Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        NLLLoss.apply(randn(3, 4), const(target), axis=1)


def test_unknown_reduction() -> None:
    with pytest.raises(ValueError, match="nll_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        NLLLoss.apply(randn(3, 4), const([0, 1, 2]), axis=1, reduction="avg")


def test_target_out_of_range_raises_index_error() -> None:
    with pytest.raises(IndexError, match="out of range for axis 1 of size 4"):
        NLLLoss.apply(randn(3, 4), const([0, 4, 2]), axis=1)
