"""Tests of `edugrad.nn.utils` against `torch.nn.utils`: `clip_grad_norm_`, `clip_grad_value_`,
`get_total_norm`, `clip_grads_with_norm_`, `parameters_to_vector` and `vector_to_parameters`, and their
signatures."""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.nn import utils
from edugrad.nn.utils import clip_grad_norm_, clip_grad_value_
from edugrad.tensor import Tensor, no_grad

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
    with pytest.raises(TypeError, match="clip_grad_value_: expected Tensors, got a float"):
        clip_grad_value_([1.0], 0.5)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_(ours, -0.5)


def signature(fn: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", utils.__all__)
def test_signatures_match_torch(name: str) -> None:
    assert signature(getattr(utils, name)) == signature(getattr(torch.nn.utils, name))


@pytest.mark.parametrize("norm_type", [2.0, 1.5, "inf"])
def test_total_norm_then_clipping_with_it_matches_torch(norm_type: float | str) -> None:
    ours, theirs = with_grads(GRADS)
    total = utils.get_total_norm([p.grad for p in ours if p.grad is not None], norm_type)
    expected = torch.nn.utils.get_total_norm([p.grad for p in theirs if p.grad is not None], norm_type)
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-6)
    utils.clip_grads_with_norm_(ours, 0.5, total, foreach=None)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.5, expected)
    assert_same_grads(ours, theirs)
    assert float(utils.get_total_norm([])) == 0.0


def test_clip_grad_norm_takes_a_generator_of_parameters() -> None:
    model = nn.Linear(3, 2)
    model(Tensor.ones(4, 3)).sum().backward()
    total = clip_grad_norm_(model.parameters(), 0.1, foreach=True)
    assert float(total) > 0.1
    assert float(utils.get_total_norm([p.grad for p in model.parameters() if p.grad is not None])) == \
        pytest.approx(0.1, rel=1e-4)


def test_parameters_to_vector_and_back_match_torch() -> None:
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())
    vector = utils.parameters_to_vector(ours.parameters())
    expected = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vector.numpy(), expected.detach().numpy())
    (vector * vector).sum().backward()  # differentiable, as torch's: the gradient reaches the parameters
    (expected * expected).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy())  # type: ignore[union-attr]
    weight = ours.weight
    new = np.arange(8, dtype=np.float32)
    utils.vector_to_parameters(Tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), theirs.parameters())
    assert ours.weight is weight and ours.weight.requires_grad
    for (key, value), twin in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_array_equal(value.numpy(), twin.numpy(), err_msg=key)
    with no_grad():
        ours(Tensor.ones(1, 3))


def test_vector_to_parameters_checks_the_vector() -> None:
    model = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="vector_to_parameters: expected a Tensor, but got: list"):
        utils.vector_to_parameters([0.0] * 8, model.parameters())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"expected a 1-d vector of 8 elements .*, got shape \(7,\)"):
        utils.vector_to_parameters(Tensor.zeros(7), model.parameters())
