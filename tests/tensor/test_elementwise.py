"""Elementwise math beyond the parity tables: stability at extreme inputs (no overflow, no warnings), accuracy
of sigmoid and erf, gradients at the kinks, NaN and inf handling, dtypes, and the error paths."""

import math
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from edugrad.tensor import Tensor, dtypes, tensor

EXTREMES = np.array([-1e4, -1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0, 1e4], dtype=np.float32)
ACTIVATIONS = ["sigmoid", "tanh", "softplus", "elu", "gelu", "silu", "mish", "erf", "leaky_relu", "relu"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_at_extremes_are_finite_without_warnings(name: str) -> None:
    x = Tensor(EXTREMES, requires_grad=True)
    out = getattr(x, name)()  # pytest turns any RuntimeWarning (overflow in exp, ...) into an error
    out.sum().backward()
    expected = getattr(torch.nn.functional, name, getattr(torch, name, None))(torch.tensor(EXTREMES))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_sigmoid_keeps_relative_precision_far_out() -> None:
    x = np.array([-87.0, -50.0, -17.0, -5.0, 0.0, 5.0, 17.0], dtype=np.float32)
    exact = 1 / (1 + np.exp(-x.astype(np.float64)))
    np.testing.assert_allclose(Tensor(x).sigmoid().numpy(), exact, rtol=1e-6)


def test_sigmoid_gradient_in_float64_is_exact() -> None:
    values = np.linspace(-40, 40, 33)
    x = tensor(values, requires_grad=True)
    x.sigmoid().sum().backward()
    z = np.exp(-np.abs(values))
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), z / (1 + z) ** 2, rtol=1e-13)


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-6), ("float64", 1e-14)])
@pytest.mark.parametrize("beta", [1.0, 2.0])
def test_softplus_keeps_relative_precision_as_torch(beta: float, dtype: str, rtol: float) -> None:
    # Where e^(beta x) is small, log(1 + e^(beta x)) rounds 1 + e^(beta x): 1e-5 of the result at beta 2,
    # x = -3 in float32, all of it below x = -17 / beta. torch computes log1p(exp(beta x)) / beta.
    values = np.array([-40.0, -20.0, -3.0, -1e-3, 0.0, 1e-3, 3.0, 5.0, 9.0, 30.0], dtype)
    x, t = tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, expected = x.softplus(beta), F.softplus(t, beta)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=0)
    out.sum().backward()
    expected.sum().backward()
    assert x.grad is not None and t.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=0)  # sigmoid(beta x)


def test_erf_is_accurate_to_two_ten_millionths() -> None:
    values = np.linspace(-5, 5, 2001)
    ours = tensor(values).erf().numpy()
    assert np.abs(ours - np.array([math.erf(v) for v in values])).max() < 2e-7
    assert np.all(np.diff(ours) >= 0)


def test_erf_gradient_at_zero() -> None:
    x = tensor(0.0, dtype=dtypes.float64, requires_grad=True)
    x.erf().backward()
    assert x.grad is not None and x.grad.item() == pytest.approx(2 / math.sqrt(math.pi), abs=1e-5)


@pytest.mark.parametrize("name, slope", [("abs", 0.0), ("relu", 0.0), ("leaky_relu", 0.01), ("elu", 1.0),
                                         ("sign", 0.0), ("gelu", 0.5), ("sigmoid", 0.25), ("softplus", 0.5)])
def test_gradient_at_zero_matches_torch(name: str, slope: float) -> None:
    x = tensor(0.0, requires_grad=True)
    out = getattr(x, name)()
    out.backward()
    assert x.grad is not None and x.grad.item() == pytest.approx(slope)


def test_clamp_and_hardtanh_differ_at_the_limits_as_in_torch() -> None:
    values = [-1.0, -0.5, 1.0, 2.0]
    for ours, theirs in [(lambda x: x.clamp(-1, 1), lambda x: x.clamp(-1, 1)),
                         (lambda x: x.hardtanh(), torch.nn.functional.hardtanh)]:
        x, t = tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        ours(x).sum().backward()
        theirs(t).sum().backward()
        assert x.grad is not None
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_nan_and_inf() -> None:
    x = Tensor([math.nan, math.inf, -math.inf, 0.0, -2.0])
    np.testing.assert_array_equal(x.isnan().numpy(), [True, False, False, False, False])
    np.testing.assert_array_equal(x.isinf().numpy(), [False, True, True, False, False])
    np.testing.assert_array_equal(x.isfinite().numpy(), [False, False, False, True, True])
    np.testing.assert_array_equal(x.sign().numpy(), [0, 1, -1, 0, -1])
    np.testing.assert_array_equal(x.abs().numpy(), [math.nan, math.inf, math.inf, 0, 2])
    np.testing.assert_array_equal(x.clamp(-1, 1).numpy(), [math.nan, 1, -1, 0, -1])
    np.testing.assert_array_equal(x.relu().numpy(), [math.nan, math.inf, 0, 0, 0])  # NaN stays NaN, as in torch
    assert tensor([1, 2]).isinf().dtype is dtypes.bool and not tensor([1, 2]).isnan().any().item()


def test_round_halves_to_even() -> None:
    np.testing.assert_array_equal(Tensor([0.5, 1.5, 2.5, -0.5, -1.5]).round().numpy(), [0, 2, 2, -0.0, -2])


def test_integer_inputs() -> None:
    x = Tensor([-3, 0, 2], dtype=dtypes.int32)
    for op in ["abs", "sign", "square", "floor", "ceil", "round", "trunc", "relu"]:
        assert getattr(x, op)().dtype is dtypes.int32, op
    for op in ["exp", "log2", "sigmoid", "gelu", "tan", "softplus", "erf", "rsqrt"]:
        assert getattr(x.abs() + 1, op)().dtype is dtypes.float32, op
    floored = x.floor()
    assert floored is not x  # a new tensor, so changing it leaves x alone
    assert tensor([True, False]).abs().dtype is dtypes.bool
    np.testing.assert_array_equal(Tensor([0, 200], dtype=dtypes.uint8).abs().numpy(), [0, 200])


def test_activations_keep_float16_and_float64() -> None:
    for dtype in (dtypes.float16, dtypes.float64):
        x = Tensor([-1.0, 0.5], dtype=dtype)
        for op in ["sigmoid", "gelu", "softplus", "mish", "erf", "elu", "log2", "exp2"]:
            assert getattr(x.abs(), op)().dtype is dtype, op


def test_error_paths() -> None:
    x = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="clamp: at least one of min and max must be given"):
        x.clamp()
    with pytest.raises(ValueError, match="hardtanh: min_val 2 is greater than max_val 1"):
        x.hardtanh(2, 1)
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        x.gelu(approximate="erf")
    with pytest.raises(TypeError, match="neg"):
        tensor([True]).neg()


@pytest.mark.parametrize("call, message", [
    (lambda x: x.leaky_relu("a"), "leaky_relu: neg_slope must be a number, got str"),
    (lambda x: x.elu(None), "elu: alpha must be a number, got NoneType"),
    (lambda x: x.softplus(beta="2"), "softplus: beta must be a number, got str"),
    (lambda x: x.softplus(threshold=tensor(20.0)), "softplus: threshold must be a number, got Tensor"),
    (lambda x: x.hardtanh(max_val="1"), "hardtanh: max_val must be a number, got str"),
    (lambda x: x.clamp("a"), "clamp: min must be a number or a Tensor, got str"),
    (lambda x: x.clamp(None, [1.0]), "clamp: max must be a number or a Tensor, got list"),
    (lambda x: x.clamp(np.zeros(2)), "clamp: min must be a number or a Tensor, got ndarray"),  # as torch.clamp
])
def test_scalar_arguments_must_be_numbers(call: Callable[[Tensor], Tensor], message: str) -> None:
    with pytest.raises(TypeError, match=message):  # not an error from `mul` or a comparison deep inside the op
        call(Tensor([1.0, -2.0]))


def test_scalar_arguments_may_be_any_real_number_as_in_torch() -> None:
    x = np.array([-3.0, -0.5, 0.5, 3.0], dtype=np.float32)
    cases = [(lambda t: t.leaky_relu(1), lambda t: F.leaky_relu(t, 1)),
             (lambda t: t.leaky_relu(True), lambda t: F.leaky_relu(t, True)),
             (lambda t: t.elu(np.float64(0.5)), lambda t: F.elu(t, 0.5)),
             (lambda t: t.softplus(2, 1), lambda t: F.softplus(t, 2, 1)),
             (lambda t: t.hardtanh(-2, np.int64(1)), lambda t: F.hardtanh(t, -2, 1)),
             (lambda t: t.clamp(np.float32(-1), True), lambda t: t.clamp(-1, True))]
    for ours, theirs in cases:
        out = ours(Tensor(x))
        assert out.dtype is dtypes.float32
        np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-6)
