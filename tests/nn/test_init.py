"""Tests of `edugrad.nn.init` against `torch.nn.init`: the signatures, calculate_gain's values, the exact
initialisers (constant, eye, dirac) value for value, and the random ones statistically: edugrad's and torch's
random streams differ, so a large draw of each is compared with torch's formulas for its bounds, mean and
standard deviation."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.nn import init
from edugrad.tensor import Generator, Tensor, dtypes, no_grad


def signature(fn: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", init.__all__)
def test_signatures_match_torch(name: str) -> None:
    assert signature(getattr(init, name)) == signature(getattr(torch.nn.init, name))


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv1d", None), ("conv_transpose2d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None),
])
def test_calculate_gain_matches_torch(nonlinearity: Any, param: Any) -> None:
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))


def test_calculate_gain_refuses_what_torch_refuses() -> None:
    for gain in (init.calculate_gain, torch.nn.init.calculate_gain):
        with pytest.raises(ValueError, match="negative_slope True not a valid number"):
            gain("leaky_relu", True)
        with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
            gain("swish")  # type: ignore[arg-type]


def test_initialisers_fill_in_place_under_no_grad_and_return_the_tensor() -> None:
    weight = nn.Parameter(Tensor.zeros(4, 5))
    shared = weight.detach()  # shares the values, as state_dict() entries do
    for fill in (lambda t: init.uniform_(t), lambda t: init.normal_(t), lambda t: init.xavier_normal_(t),
                 lambda t: init.kaiming_uniform_(t), lambda t: init.orthogonal_(t), lambda t: init.eye_(t)):
        assert fill(weight) is weight
        np.testing.assert_array_equal(shared.numpy(), weight.numpy())
    assert weight.requires_grad and weight.grad_fn is None and type(weight) is nn.Parameter


@pytest.mark.parametrize("fill", [
    lambda lib, t: lib.init.constant_(t, 0.3), lambda lib, t: lib.init.ones_(t), lambda lib, t: lib.init.zeros_(t),
    lambda lib, t: lib.init.eye_(t),
], ids=["constant", "ones", "zeros", "eye"])
@pytest.mark.parametrize("shape", [(3, 5), (4, 2)])
def test_exact_initialisers_match_torch(fill: Callable[..., Any], shape: tuple[int, ...]) -> None:
    ours, theirs = fill(nn, Tensor.empty(*shape)), fill(torch.nn, torch.empty(shape))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape, groups", [((4, 3, 3), 1), ((6, 2, 3, 5), 2), ((2, 4, 3, 3, 3), 1), ((6, 4, 1, 2), 3)])
def test_dirac_matches_torch(shape: tuple[int, ...], groups: int) -> None:
    ours = init.dirac_(Tensor.ones(*shape), groups)
    theirs = torch.nn.init.dirac_(torch.ones(shape), groups)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_a_dirac_convolution_passes_its_input_on() -> None:
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = Tensor.randn(2, 3, 5, 5)
    np.testing.assert_allclose(conv(x).numpy(), x.numpy(), atol=1e-6)


def draws(fill: Callable[[Tensor], Any], shape: tuple[int, ...] = (400, 500)) -> np.ndarray[Any, Any]:
    tensor = Tensor.empty(*shape)
    fill(tensor)
    return tensor.numpy()


def assert_moments(values: np.ndarray[Any, Any], mean: float, std: float) -> None:
    # 200,000 draws: the sample mean is within 4 standard errors; the sample std within 1%.
    assert abs(values.mean() - mean) < 4 * std / math.sqrt(values.size)
    assert values.std() == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize("a, b", [(0.0, 1.0), (-3.0, -1.0)])
def test_uniform_(a: float, b: float) -> None:
    values = draws(lambda t: init.uniform_(t, a, b))
    assert a <= values.min() and values.max() < b
    assert_moments(values, (a + b) / 2, (b - a) / math.sqrt(12))


def test_normal_() -> None:
    assert_moments(draws(lambda t: init.normal_(t, mean=2.0, std=0.5)), 2.0, 0.5)


def truncated_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    """Mean and std of N(mean, std^2) restricted to [a, b] (torch's sample agrees; it is slow to draw in a tail,
    and warns there that its values may be wrong)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = [math.exp(-x * x / 2) / math.sqrt(2 * math.pi) for x in (alpha, beta)]
    mass = (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2))) / 2
    shift = (pdf[0] - pdf[1]) / mass
    variance = 1 + (alpha * pdf[0] - beta * pdf[1]) / mass - shift**2
    return mean + std * shift, std * math.sqrt(variance)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, 0.0, 9.0),
                                             (0.0, 1.0, 4.0, 5.0)], ids=["default", "vit", "skewed", "far-tail"])
def test_trunc_normal_has_the_truncated_distribution(mean: float, std: float, a: float, b: float) -> None:
    values = draws(lambda t: init.trunc_normal_(t, mean, std, a, b))
    assert a <= values.min() and values.max() <= b
    expected_mean, expected_std = truncated_moments(mean, std, a, b)
    assert abs(values.mean() - expected_mean) < 4 * expected_std / math.sqrt(values.size)
    assert values.std() == pytest.approx(expected_std, rel=0.01)


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3), (50, 70, 9)])
@pytest.mark.parametrize("name, kwargs", [
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {"gain": 0.5}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_normal_", {"mode": "fan_out"}),
    ("kaiming_normal_", {"nonlinearity": "relu"}), ("kaiming_uniform_", {"a": 0.1, "mode": "fan_out"}),
])
def test_scaled_initialisers_have_torchs_std(shape: tuple[int, ...], name: str, kwargs: dict[str, Any]) -> None:
    values = draws(lambda t: getattr(init, name)(t, **kwargs), shape)
    theirs = getattr(torch.nn.init, name)(torch.empty(shape), **kwargs).numpy()
    std = float(theirs.std())
    assert abs(values.mean()) < 5 * std / math.sqrt(values.size)
    assert values.std() == pytest.approx(std, rel=0.03)  # both samples within ~1% of torch's formula
    if name.endswith("uniform_"):
        bound = math.sqrt(3) * std
        assert np.abs(values).max() <= bound * 1.02 and np.abs(values).max() > 0.98 * bound


def test_kaiming_on_a_zero_element_tensor_warns_and_does_nothing_as_torch() -> None:
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            lib.init.kaiming_uniform_(tensors.empty(0, 3))


@pytest.mark.parametrize("shape, gain", [((6, 4), 1.0), ((3, 8), 2.0), ((4, 2, 3), 1.0), ((5, 5), 0.5)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape: tuple[int, ...], gain: float) -> None:
    values = draws(lambda t: init.orthogonal_(t, gain), shape).reshape(shape[0], -1) / gain
    small = values.T @ values if values.shape[0] >= values.shape[1] else values @ values.T
    np.testing.assert_allclose(small, np.eye(small.shape[0]), atol=1e-5)


@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.5, 1.0])
def test_sparse_zeros_that_many_random_rows_of_each_column(sparsity: float) -> None:
    values = draws(lambda t: init.sparse_(t, sparsity, std=0.5), (40, 300))
    zeros = math.ceil(sparsity * 40)
    np.testing.assert_array_equal((values == 0).sum(axis=0), zeros)  # torch's count in every column
    assert len({tuple(np.flatnonzero(column == 0)) for column in values.T}) > (1 if 0 < zeros < 40 else 0)
    if zeros < 40:
        kept = values[values != 0]
        assert kept.std() == pytest.approx(0.5, rel=0.05)
    theirs = torch.nn.init.sparse_(torch.empty(40, 300), sparsity, std=0.5).numpy()
    np.testing.assert_array_equal((theirs == 0).sum(axis=0), zeros)


def test_a_generator_makes_the_draws_reproducible() -> None:
    for fill in (init.uniform_, init.normal_, init.trunc_normal_, init.xavier_uniform_, init.kaiming_normal_,
                 init.orthogonal_, lambda t, generator: init.sparse_(t, 0.3, generator=generator)):
        first = draws(lambda t: fill(t, generator=Generator().manual_seed(1)), (8, 6))
        again = draws(lambda t: fill(t, generator=Generator().manual_seed(1)), (8, 6))
        other = draws(lambda t: fill(t, generator=Generator().manual_seed(2)), (8, 6))
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(first, other)


def test_float64_tensors_are_filled_in_float64() -> None:
    tensor = Tensor.empty(100, 100, dtype=dtypes.float64)
    init.kaiming_normal_(tensor)
    assert tensor.dtype == dtypes.float64 and len(np.unique(tensor.numpy())) == 10_000


@pytest.mark.parametrize("call, error, message", [
    (lambda lib, t: lib.init.xavier_uniform_(t.zeros(5)), ValueError, "fewer than 2 dimensions"),
    (lambda lib, t: lib.init.kaiming_normal_(t.zeros(5, 2), mode="fan_avg"), ValueError, "Mode fan_avg not supported"),
    (lambda lib, t: lib.init.eye_(t.zeros(2, 2, 2)), ValueError, "Only tensors with 2 dimensions are supported"),
    (lambda lib, t: lib.init.dirac_(t.zeros(2, 2)), ValueError, "Only tensors with 3, 4, or 5 dimensions"),
    (lambda lib, t: lib.init.dirac_(t.zeros(3, 2, 3), groups=2), ValueError, "dim 0 must be divisible by groups"),
    (lambda lib, t: lib.init.orthogonal_(t.zeros(4)), ValueError, "Only tensors with 2 or more dimensions"),
    (lambda lib, t: lib.init.sparse_(t.zeros(2, 2, 2), 0.1), ValueError, "Only tensors with 2 dimensions"),
])
def test_errors_match_torch(call: Callable[..., Any], error: type[Exception], message: str) -> None:
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        with pytest.raises(error, match=message):
            call(lib, tensors)


def test_an_initialiser_may_be_used_on_a_parameter_that_requires_grad() -> None:
    layer = nn.Linear(3, 2)
    init.zeros_(layer.bias)  # type: ignore[arg-type]
    init.zeros_(layer.weight)
    assert layer.weight.requires_grad and layer(Tensor.ones(1, 3)).numpy().tolist() == [[0.0, 0.0]]
