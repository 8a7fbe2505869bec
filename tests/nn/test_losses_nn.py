"""The loss modules of edugrad.nn (and their functional forms) against torch.nn's: value and gradient of the
prediction, for every reduction, with ignore_index, label smoothing, probability targets and extra dims."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, no_grad, tensor

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
    x, t = tensor(prediction, requires_grad=True), torch.tensor(prediction, requires_grad=True)
    loss, expected = ours(x, tensor(target)), theirs(t, torch.tensor(target))
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
    x, y = tensor(logits(rng, 6, 3)), tensor(labels(rng, 3, 6))
    prediction = x.log_softmax(1) if isinstance(module, nn.NLLLoss) else x
    np.testing.assert_array_equal(module(prediction, y).numpy(), function(x, y).numpy())
    a, b = Tensor(probabilities(rng, 4)), Tensor(probabilities(rng, 4))
    np.testing.assert_array_equal(F.mse_loss(a, b).numpy(), nn.MSELoss()(a, b).numpy())
    np.testing.assert_array_equal(F.l1_loss(a, b, reduction="none").numpy(), nn.L1Loss(reduction="none")(a, b).numpy())
    np.testing.assert_array_equal(F.binary_cross_entropy(a, b).numpy(), nn.BCELoss()(a, b).numpy())
    np.testing.assert_array_equal(F.binary_cross_entropy_with_logits(a, b).numpy(),
                                  nn.BCEWithLogitsLoss()(a, b).numpy())


def test_cross_entropy_trains_a_linear_classifier() -> None:
    """A few steps of gradient descent with the module's gradients lower the loss, as in PyTorch."""
    rng = np.random.default_rng(0)
    x, y = tensor(logits(rng, 32, 5)), tensor(labels(rng, 3, 32))
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
    with pytest.raises(ValueError, match="MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: label_smoothing must be in \[0, 1\], got 1.5"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(TypeError, match="l1_loss: target must be a Tensor, got list"):
        nn.L1Loss()(Tensor([1.0]), [1.0])


def test_repr_shows_non_default_reduction() -> None:
    assert repr(nn.CrossEntropyLoss()) == repr(torch.nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"


def test_positional_arguments_are_torchs() -> None:
    """CrossEntropyLoss's first argument is the class weight and L1Loss's the legacy size_average, as in torch."""
    weight = Tensor([1.0, 2.0, 0.5])
    assert nn.CrossEntropyLoss(weight).weight is weight
    assert "weight" in dict(nn.CrossEntropyLoss(weight).named_buffers())
    with pytest.warns(UserWarning, match="size_average and reduce are deprecated"):
        assert nn.L1Loss(False).reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.NLLLoss(None, True, -100, False).reduction == "none"


@pytest.mark.parametrize("size_average, reduce", [(None, False), (False, None), (True, True), (False, False)])
def test_legacy_size_average_and_reduce_map_to_torchs_reduction(size_average: bool | None,
                                                                 reduce: bool | None) -> None:
    rng = np.random.default_rng(3)
    x, y = logits(rng, 5, 4), labels(rng, 4, 5)
    with pytest.warns(UserWarning):
        ours = F.cross_entropy(tensor(x), tensor(y), size_average=size_average, reduce=reduce, reduction="sum")
    with pytest.warns(UserWarning):
        theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(y), size_average=size_average,
                                                   reduce=reduce, reduction="sum")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)


WEIGHTED: list[tuple[str, dict[str, Any], Make]] = [
    ("cross_entropy", {}, lambda rng: (logits(rng, 6, 4), labels(rng, 4, 6))),
    ("cross_entropy", {"ignore_index": 1}, lambda rng: (logits(rng, 6, 4), labels(rng, 4, 6, ignored=1))),
    ("cross_entropy", {"label_smoothing": 0.3}, lambda rng: (logits(rng, 6, 4), labels(rng, 4, 6))),
    ("cross_entropy", {"label_smoothing": 0.2, "ignore_index": 0},
     lambda rng: (logits(rng, 2, 4, 3), labels(rng, 4, 2, 3, ignored=0))),
    ("cross_entropy", {"label_smoothing": 0.1}, lambda rng: (logits(rng, 5, 4), distributions(rng, 5, 4))),
    ("nll_loss", {}, lambda rng: (np.log(probabilities(rng, 6, 4)), labels(rng, 4, 6))),
    ("nll_loss", {"ignore_index": 2}, lambda rng: (np.log(probabilities(rng, 3, 4, 2)), labels(rng, 4, 3, 2, ignored=2))),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, make", WEIGHTED, ids=[f"{n}{k or ''}" for n, k, _ in WEIGHTED])
def test_class_weights_match_torch(name: str, kwargs: dict[str, Any], make: Make, reduction: str) -> None:
    rng = np.random.default_rng(4)
    prediction, target = make(rng)
    weight = rng.uniform(0.2, 3.0, 4).astype(np.float32)
    x, t = tensor(prediction, requires_grad=True), torch.tensor(prediction, requires_grad=True)
    loss = getattr(F, name)(x, tensor(target), tensor(weight), reduction=reduction, **kwargs)
    expected = getattr(torch.nn.functional, name)(t, torch.tensor(target), torch.tensor(weight), reduction=reduction,
                                                  **kwargs)
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.uniform(0.5, 1.5, tuple(expected.shape)).astype(np.float32)
    (loss * Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    assert x.grad is not None and t.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6)


def _pair_of(rng: np.random.Generator, *shape: int) -> list[Array]:
    return [logits(rng, *shape), logits(rng, *shape)]


def _signs(rng: np.random.Generator, *shape: int) -> Array:
    return rng.choice([-1.0, 1.0], shape).astype(np.float32)


# (function, keyword arguments, inputs: differentiable arrays then constant arrays)
FUNCTIONS: list[tuple[str, dict[str, Any], Callable[[np.random.Generator], tuple[list[Array], list[Array]]]]] = [
    ("binary_cross_entropy", {"weight": np.float32([0.5, 2.0, 1.0, 1.5])},
     lambda rng: ([probabilities(rng, 3, 4)], [probabilities(rng, 3, 4)])),
    ("binary_cross_entropy_with_logits", {"weight": np.float32([[0.5], [2.0], [1.0]]),
                                          "pos_weight": np.float32([0.5, 2.0, 1.0, 3.0])},
     lambda rng: ([logits(rng, 3, 4)], [probabilities(rng, 3, 4)])),
    ("mse_loss", {"weight": np.float32(np.arange(12).reshape(3, 4) / 10)}, lambda rng: (_pair_of(rng, 3, 4), [])),
    ("l1_loss", {"weight": np.float32(np.arange(12).reshape(3, 4) / 10)}, lambda rng: (_pair_of(rng, 3, 4), [])),
    ("smooth_l1_loss", {"beta": 0.5}, lambda rng: (_pair_of(rng, 3, 4), [])),
    ("smooth_l1_loss", {"beta": 0.0}, lambda rng: (_pair_of(rng, 3, 4), [])),
    ("huber_loss", {"delta": 0.7}, lambda rng: (_pair_of(rng, 3, 4), [])),
    ("huber_loss", {"delta": 1.5, "weight": np.float32(np.arange(12).reshape(3, 4) / 10)},
     lambda rng: (_pair_of(rng, 3, 4), [])),
    ("kl_div", {}, lambda rng: ([np.log(distributions(rng, 3, 4))], [distributions(rng, 3, 4)])),
    ("kl_div", {"log_target": True}, lambda rng: ([np.log(distributions(rng, 3, 4)), np.log(distributions(rng, 3, 4))],
                                                  [])),
    ("poisson_nll_loss", {}, lambda rng: ([logits(rng, 3, 4)], [rng.poisson(2, (3, 4)).astype(np.float32)])),
    ("poisson_nll_loss", {"log_input": False, "full": True},
     lambda rng: ([probabilities(rng, 3, 4) * 4], [rng.poisson(2, (3, 4)).astype(np.float32)])),
    ("gaussian_nll_loss", {}, lambda rng: ([logits(rng, 3, 4), logits(rng, 3, 4), probabilities(rng, 3, 4)], [])),
    ("gaussian_nll_loss", {"full": True}, lambda rng: ([logits(rng, 3, 4), logits(rng, 3, 4), probabilities(rng, 3)],
                                                       [])),
    ("gaussian_nll_loss", {"eps": 0.3}, lambda rng: ([logits(rng, 3, 4), logits(rng, 3, 4), probabilities(rng, 3, 1)],
                                                     [])),
    ("margin_ranking_loss", {"margin": 0.3}, lambda rng: (_pair_of(rng, 6), [_signs(rng, 6)])),
    ("hinge_embedding_loss", {"margin": 1.5}, lambda rng: ([logits(rng, 3, 4)], [_signs(rng, 3, 4)])),
    ("soft_margin_loss", {}, lambda rng: ([logits(rng, 3, 4)], [_signs(rng, 3, 4)])),
    ("multilabel_soft_margin_loss", {"weight": np.float32([0.5, 2.0, 1.0, 1.5])},
     lambda rng: ([logits(rng, 3, 4)], [rng.integers(0, 2, (3, 4)).astype(np.float32)])),
    ("cosine_embedding_loss", {"margin": 0.2}, lambda rng: (_pair_of(rng, 5, 3), [_signs(rng, 5)])),
    ("triplet_margin_loss", {}, lambda rng: ([logits(rng, 4, 3), logits(rng, 4, 3), logits(rng, 4, 3)], [])),
    ("triplet_margin_loss", {"p": 1, "swap": True, "margin": 2.0},
     lambda rng: ([logits(rng, 4, 3), logits(rng, 4, 3), logits(rng, 4, 3)], [])),
    ("multi_margin_loss", {}, lambda rng: ([logits(rng, 5, 4)], [labels(rng, 4, 5)])),
    ("multi_margin_loss", {"p": 2, "margin": 0.5, "weight": np.float32([0.5, 2.0, 1.0, 1.5])},
     lambda rng: ([logits(rng, 5, 4)], [labels(rng, 4, 5)])),
    ("multilabel_margin_loss", {}, lambda rng: ([logits(rng, 3, 4)], [np.array([[3, 0, -1, 1], [1, 2, 3, 0],
                                                                               [-1, 1, 1, 1]])])),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, make", FUNCTIONS, ids=[f"{n}{sorted(k)}" for n, k, _ in FUNCTIONS])
def test_loss_function_matches_torch(name: str, kwargs: dict[str, Any], make: Any, reduction: str) -> None:
    rng = np.random.default_rng(5)
    differentiable, constant = make(rng)
    ours_in = [tensor(a, requires_grad=True) for a in differentiable] + [tensor(a) for a in constant]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in differentiable] + [torch.tensor(a) for a in constant]
    ours_kw = {k: Tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    theirs_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        loss = getattr(F, name)(*ours_in, reduction=reduction, **ours_kw)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")  # kl_div warns about reduction="mean": so must edugrad
        expected = getattr(torch.nn.functional, name)(*theirs_in, reduction=reduction, **theirs_kw)
    assert bool(ours_warned) == bool(theirs_warned)
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.uniform(0.5, 1.5, tuple(expected.shape)).astype(np.float32)
    (loss * Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    for i, (x, t) in enumerate(zip(ours_in[:len(differentiable)], theirs_in)):
        assert x.grad is not None and t.grad is not None
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=f"input {i}")


def test_kl_div_batchmean_and_its_warning() -> None:
    rng = np.random.default_rng(6)
    x, y = np.log(distributions(rng, 4, 3)), distributions(rng, 4, 3)
    np.testing.assert_allclose(F.kl_div(Tensor(x), Tensor(y), reduction="batchmean").numpy(),
                               torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y), reduction="batchmean"),
                               rtol=1e-5)
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(Tensor(x), Tensor(y))


def test_regression_losses_broadcast_with_torchs_warning() -> None:
    a, b = np.float32([[1.0], [2.0], [4.0]]), np.float32([0.5, 1.0, 3.0])
    with pytest.warns(UserWarning, match="different to the input size"):
        ours = F.mse_loss(Tensor(a), Tensor(b))
    with pytest.warns(UserWarning, match="different to the input size"):
        theirs = torch.nn.functional.mse_loss(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="binary_cross_entropy: expected a target of shape"):
        F.binary_cross_entropy(Tensor(a), Tensor(b))


LOSS_MODULES: list[tuple[str, tuple[Any, ...], dict[str, Any], int]] = [
    ("SmoothL1Loss", (), {"beta": 0.5}, 2), ("HuberLoss", (), {"delta": 0.5}, 2), ("KLDivLoss", (), {}, 2),
    ("PoissonNLLLoss", (), {}, 2), ("GaussianNLLLoss", (), {}, 3), ("MarginRankingLoss", (0.1,), {}, 3),
    ("HingeEmbeddingLoss", (), {}, 2), ("SoftMarginLoss", (), {}, 2), ("MultiLabelSoftMarginLoss", (), {}, 2),
    ("CosineEmbeddingLoss", (0.1,), {}, 3), ("TripletMarginLoss", (), {"swap": True}, 3),
    ("TripletMarginWithDistanceLoss", (), {"margin": 0.5}, 3), ("MultiMarginLoss", (2,), {}, 2),
    ("MultiLabelMarginLoss", (), {}, 2),
]


@pytest.mark.parametrize("name, args, kwargs, arity", LOSS_MODULES, ids=[m[0] for m in LOSS_MODULES])
def test_more_loss_modules_match_torch(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], arity: int) -> None:
    rng = np.random.default_rng(7)
    x = np.abs(logits(rng, 4, 5))
    inputs = [x, np.abs(logits(rng, 4, 5)), np.abs(logits(rng, 4, 5))][:arity]
    if name in ("MarginRankingLoss", "CosineEmbeddingLoss"):
        inputs[2] = _signs(rng, 4) if name == "CosineEmbeddingLoss" else _signs(rng, 4, 5)
    elif name in ("HingeEmbeddingLoss", "SoftMarginLoss"):
        inputs[1] = _signs(rng, 4, 5)
    elif name in ("MultiLabelSoftMarginLoss",):
        inputs[1] = rng.integers(0, 2, (4, 5)).astype(np.float32)
    elif name == "MultiMarginLoss":
        inputs[1] = labels(rng, 5, 4)
    elif name == "MultiLabelMarginLoss":
        inputs[1] = np.array([[4, 0, -1, 1, 1], [1, 2, 3, 0, 4], [-1, 1, 1, 1, 1], [2, -1, 0, 0, 0]])
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = ours(*[tensor(a) for a in inputs])
        expected = theirs(*[torch.tensor(a) for a in inputs])
    np.testing.assert_allclose(loss.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
