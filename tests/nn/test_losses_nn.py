"""The loss modules of edugrad.nn (and their functional forms) against torch.nn's: value and gradient of the
prediction, for every reduction, with ignore_index, label smoothing, probability targets and extra dims."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, no_grad

Array = np.ndarray[Any, Any]
Make = Callable[[np.random.Generator], tuple[Array, Array]]


def logits(rng: np.random.Generator, *shape: int) -> Array:
    return rng.normal(0, 2, shape).astype(np.float32)


def labels(rng: np.random.Generator, high: int, *shape: int, ignored: int | None = None) -> Array:
    values = rng.integers(0, high, shape)
    if ignored is not None:
        values.reshape(-1)[::3] = ignored
    return values


def probabilities(rng: np.random.Generator, *shape: int) -> Array:
    return rng.uniform(0.02, 0.98, shape).astype(np.float32)


def distributions(rng: np.random.Generator, rows: int, classes: int) -> Array:
    """Rows of class probabilities that sum to 1, as soft targets."""
    weights = probabilities(rng, rows, classes)
    return weights / weights.sum(axis=1, keepdims=True)


CASES: list[tuple[str, dict[str, Any], Make]] = [
    ("CrossEntropyLoss", {}, lambda rng: (logits(rng, 6, 4), labels(rng, 4, 6))),
    ("CrossEntropyLoss", {"ignore_index": 1}, lambda rng: (logits(rng, 6, 4), labels(rng, 4, 6, ignored=1))),
    ("CrossEntropyLoss", {"label_smoothing": 0.2, "ignore_index": -100},
     lambda rng: (logits(rng, 5, 3), labels(rng, 3, 5, ignored=-100))),
    ("CrossEntropyLoss", {}, lambda rng: (logits(rng, 2, 4, 3, 2), labels(rng, 4, 2, 3, 2))),
    ("CrossEntropyLoss", {"label_smoothing": 0.1}, lambda rng: (logits(rng, 4, 5), distributions(rng, 4, 5))),
    ("NLLLoss", {}, lambda rng: (np.log(probabilities(rng, 5, 3)), labels(rng, 3, 5))),
    ("NLLLoss", {"ignore_index": 0},
     lambda rng: (np.log(probabilities(rng, 2, 3, 4)), labels(rng, 3, 2, 4, ignored=0))),
    ("MSELoss", {}, lambda rng: (logits(rng, 3, 4), logits(rng, 3, 4))),
    ("L1Loss", {}, lambda rng: (logits(rng, 3, 4), logits(rng, 3, 4))),
    ("BCELoss", {}, lambda rng: (probabilities(rng, 3, 4), probabilities(rng, 3, 4))),
    ("BCEWithLogitsLoss", {}, lambda rng: (logits(rng, 3, 4), rng.integers(0, 2, (3, 4)).astype(np.float32))),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, make", CASES, ids=[f"{n}{k or ''}" for n, k, _ in CASES])
def test_loss_module_matches_torch(name: str, kwargs: dict[str, Any], make: Make, reduction: str) -> None:
    rng = np.random.default_rng(0)
    prediction, target = make(rng)
    ours, theirs = getattr(nn, name)(reduction=reduction, **kwargs), getattr(torch.nn, name)(reduction=reduction,
                                                                                            **kwargs)
    x, t = Tensor(prediction, requires_grad=True), torch.tensor(prediction, requires_grad=True)
    loss, expected = ours(x, Tensor(target)), theirs(t, torch.tensor(target))
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.uniform(0.5, 1.5, tuple(expected.shape)).astype(np.float32)
    (loss * Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    assert x.grad is not None and t.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("module, function", [
    (nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1, reduction="sum"),
     lambda x, y: F.cross_entropy(x, y, ignore_index=0, label_smoothing=0.1, reduction="sum")),
    (nn.NLLLoss(ignore_index=2), lambda x, y: F.nll_loss(x.log_softmax(1), y, ignore_index=2)),
])
def test_functional_forms_equal_the_modules(module: nn.Module, function: Callable[[Tensor, Tensor], Tensor]) -> None:
    rng = np.random.default_rng(0)
    x, y = Tensor(logits(rng, 6, 3)), Tensor(labels(rng, 3, 6))
    prediction = x.log_softmax(1) if isinstance(module, nn.NLLLoss) else x
    np.testing.assert_array_equal(module(prediction, y).numpy(), function(x, y).numpy())
    a, b = Tensor(probabilities(rng, 4)), Tensor(probabilities(rng, 4))
    np.testing.assert_array_equal(F.mse_loss(a, b).numpy(), nn.MSELoss()(a, b).numpy())
    np.testing.assert_array_equal(F.l1_loss(a, b, reduction="none").numpy(), nn.L1Loss("none")(a, b).numpy())
    np.testing.assert_array_equal(F.binary_cross_entropy(a, b).numpy(), nn.BCELoss()(a, b).numpy())
    np.testing.assert_array_equal(F.binary_cross_entropy_with_logits(a, b).numpy(),
                                  nn.BCEWithLogitsLoss()(a, b).numpy())


def test_cross_entropy_trains_a_linear_classifier() -> None:
    """A few steps of gradient descent with the module's gradients lower the loss, as in PyTorch."""
    rng = np.random.default_rng(0)
    x, y = Tensor(logits(rng, 32, 5)), Tensor(labels(rng, 3, 32))
    model, loss_fn = nn.Linear(5, 3), nn.CrossEntropyLoss()
    losses = []
    for _ in range(20):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for p in model.parameters():
            assert p.grad is not None
            with no_grad():
                p.assign(p - p.grad * 0.5)
    assert losses[-1] < 0.8 * losses[0]


def test_bad_options_are_rejected_at_construction() -> None:
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: label_smoothing must be in \[0, 1\], got 1.5"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"L1Loss\(\): expected a Tensor input, got list"):
        nn.L1Loss()(Tensor([1.0]), [1.0])


def test_repr_shows_non_default_reduction() -> None:
    assert repr(nn.CrossEntropyLoss()) == repr(torch.nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"
