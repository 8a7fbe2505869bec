"""edugrad.nn.functional's activations and dropouts, and the activation modules, against torch 2.13: values,
dtypes and gradients (the parity harness), the inplace= rule, the implicit softmax dim, the random ones
(rrelu, dropout, gumbel_softmax) by their distributions, and the modules' reprs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from parity import Case, check_parity

from edugrad import nn
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, dtypes, no_grad

S = [(3, 5)]
CASES = [
    Case("relu", F.relu, TF.relu, S),
    Case("relu6", F.relu6, TF.relu6, S, low=-3, high=9),
    Case("elu", lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7), S),
    Case("selu", F.selu, TF.selu, S),
    Case("celu", lambda x: F.celu(x, 1.5), lambda x: TF.celu(x, 1.5), S),
    Case("gelu", F.gelu, TF.gelu, S),
    Case("gelu tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh"), S),
    Case("silu", F.silu, TF.silu, S),
    Case("mish", F.mish, TF.mish, S),
    Case("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), S),
    Case("hardtanh", lambda x: F.hardtanh(x, -0.5, 1.5), lambda x: TF.hardtanh(x, -0.5, 1.5), S),
    Case("hardswish", F.hardswish, TF.hardswish, S, low=-5, high=5),
    Case("hardsigmoid", F.hardsigmoid, TF.hardsigmoid, S, low=-5, high=5),
    Case("logsigmoid", F.logsigmoid, TF.logsigmoid, S, low=-30, high=30),
    Case("softplus", lambda x: F.softplus(x, 2, 5), lambda x: TF.softplus(x, 2, 5), S, low=-5, high=5),
    Case("softsign", F.softsign, TF.softsign, S),
    Case("tanhshrink", F.tanhshrink, TF.tanhshrink, S),
    Case("softshrink", lambda x: F.softshrink(x, 0.3), lambda x: TF.softshrink(x, 0.3), S),
    Case("hardshrink", lambda x: F.hardshrink(x, 0.3), lambda x: TF.hardshrink(x, 0.3), S),
    Case("threshold", lambda x: F.threshold(x, 0.1, -2.0), lambda x: TF.threshold(x, 0.1, -2.0), S),
    Case("glu", F.glu, TF.glu, [(3, 6)]),
    Case("glu dim 0", lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0), [(4, 3)]),
    Case("prelu one slope", F.prelu, TF.prelu, [(2, 3, 4), (1,)]),
    Case("prelu per channel", F.prelu, TF.prelu, [(2, 3, 4), (3,)]),
    Case("prelu 1-d", F.prelu, TF.prelu, [(5,), (1,)]),
    Case("rrelu eval", lambda x: F.rrelu(x, 0.1, 0.3), lambda x: TF.rrelu(x, 0.1, 0.3), S),
    Case("sigmoid", F.sigmoid, TF.sigmoid, S),
    Case("tanh", F.tanh, TF.tanh, S),
    Case("softmax", lambda x: F.softmax(x, 1), lambda x: TF.softmax(x, 1), [(2, 4, 3)]),
    Case("softmax dtype", lambda x: F.softmax(x, -1, dtype=dtypes.float64),
         lambda x: TF.softmax(x, -1, dtype=torch.float64), S),
    Case("softmin", lambda x: F.softmin(x, 0), lambda x: TF.softmin(x, 0), S),
    Case("log_softmax", lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1), S),
    Case("elu float64", F.elu, TF.elu, S, dtype="float64", atol=1e-12, rtol=1e-12),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_activation_matches_torch(case: Case) -> None:
    check_parity(case)


def test_implicit_softmax_dim_follows_torch_and_warns() -> None:
    rng = np.random.default_rng(0)
    for shape in [(), (4,), (2, 3), (2, 3, 4), (2, 3, 4, 2)]:
        a = rng.normal(size=shape).astype(np.float32)
        for ours, theirs in [(F.softmax, TF.softmax), (F.softmin, TF.softmin), (F.log_softmax, TF.log_softmax)]:
            with pytest.warns(UserWarning, match="Implicit dimension choice"):
                out = ours(Tensor(a))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = theirs(torch.tensor(a)).numpy()
            np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        nn.Softmax()(Tensor.ones(2, 3))


def test_inplace_writes_through_only_where_nothing_is_recorded() -> None:
    x = Tensor([-1.0, 2.0, -3.0])
    out = F.relu(x, inplace=True)
    assert out is x and x.tolist() == [0.0, 2.0, 0.0]
    y = Tensor([-1.0, 2.0], requires_grad=True)
    out = F.leaky_relu(y, 0.5, inplace=True)  # recorded: a new tensor, y keeps its values, gradients flow
    assert out is not y and y.tolist() == [-1.0, 2.0] and out.tolist() == [-0.5, 2.0]
    out.sum().backward()
    assert y.grad is not None and y.grad.tolist() == [0.5, 1.0]
    with no_grad():
        assert F.hardtanh(y, inplace=True) is y and y.tolist() == [-1.0, 1.0]
    z = Tensor([-2.0, 3.0])
    assert nn.ReLU(inplace=True)(z) is z and z.tolist() == [0.0, 3.0]


def test_trailing_underscore_functions_are_in_place_and_refuse_recorded_inputs() -> None:
    for fn, torch_fn in [(F.relu_, TF.relu_), (F.elu_, TF.elu_), (F.selu_, TF.selu_), (F.celu_, TF.celu_),
                         (F.leaky_relu_, TF.leaky_relu_), (F.hardtanh_, TF.hardtanh_),
                         (lambda x: F.threshold_(x, 0.5, 9.0), lambda x: TF.threshold_(x, 0.5, 9.0)),
                         (F.rrelu_, TF.rrelu_)]:
        values = np.array([-1.5, 0.25, 2.0], dtype=np.float32)
        x, t = Tensor(values), torch.tensor(values)
        assert fn(x) is x
        torch_fn(t)
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="relu_: cannot change a tensor that requires grad in place"):
        F.relu_(Tensor([1.0], requires_grad=True))


def test_rrelu_in_training_draws_a_slope_per_negative_element() -> None:
    Tensor.manual_seed(0)
    x = -Tensor.ones(2000)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.01
    assert len(np.unique(slopes)) > 1000
    positive = Tensor([0.0, 1.0, 2.0])
    assert F.rrelu(positive, training=True).tolist() == [0.0, 1.0, 2.0]
    module = nn.RReLU(0.1, 0.3)
    assert np.allclose(module.eval()(x).numpy(), -0.2)


def test_gumbel_softmax_samples_the_softmax_distribution() -> None:
    Tensor.manual_seed(0)
    logits = Tensor([[1.0, 0.0, -1.0]] * 4000, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-5)
    hard = F.gumbel_softmax(logits, hard=True)
    values = hard.numpy()
    assert set(np.unique(values)) == {0.0, 1.0} and (values.sum(1) == 1).all()
    # Gumbel-max: the argmax of logits + Gumbel noise is a sample from softmax(logits).
    frequencies = values.mean(0)
    np.testing.assert_allclose(frequencies, torch.softmax(torch.tensor([1.0, 0.0, -1.0]), 0).numpy(), atol=0.03)
    (hard * Tensor([1.0, 2.0, 3.0])).sum().backward()  # straight through: the soft sample's gradient
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
    with pytest.raises(ValueError, match="gumbel_softmax: tau must be positive"):
        F.gumbel_softmax(logits, tau=0)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="relu: input must be a Tensor, got list"):
        F.relu([1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="glu: the halved dimension must have an even size"):
        F.glu(Tensor.ones(2, 3))
    with pytest.raises(ValueError, match="prelu: weight must have 1 element or one per channel"):
        F.prelu(Tensor.ones(2, 3), Tensor.ones(2))
    with pytest.raises(ValueError, match="celu: alpha cannot be 0"):
        F.celu(Tensor.ones(2), 0.0)
    with pytest.raises(ValueError, match="softshrink: lambd must be >= 0"):
        F.softshrink(Tensor.ones(2), -1.0)
    with pytest.raises(ValueError, match="rrelu: lower"):
        F.rrelu(Tensor.ones(2), 0.5, 0.1)
    with pytest.raises(ValueError, match="Hardtanh: min_val"):
        nn.Hardtanh(1.0, -1.0)


DROPOUTS = [
    (F.dropout, TF.dropout, (40, 50)),
    (F.dropout1d, TF.dropout1d, (40, 50, 3)),
    (F.dropout2d, TF.dropout2d, (40, 50, 2, 2)),
    (F.dropout3d, TF.dropout3d, (40, 50, 2, 1, 2)),
]


@pytest.mark.parametrize("ours, theirs, shape", DROPOUTS, ids=lambda v: getattr(v, "__name__", ""))
def test_dropout_keeps_expectations_and_zeroes_whole_channels(ours, theirs, shape) -> None:  # type: ignore[no-untyped-def]
    Tensor.manual_seed(0)
    x = Tensor.ones(*shape, requires_grad=True)
    y = ours(x, 0.3)  # torch's default training=True
    values = y.numpy()
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((values == 0).mean() - 0.3) < 0.03
    if len(shape) > 2:  # channel-wise: each (sample, channel) is all kept or all dropped
        per_channel = values.reshape(shape[0], shape[1], -1)
        assert (per_channel.min(-1) == per_channel.max(-1)).all()
    y.sum().backward()
    assert x.grad is not None and np.array_equal(x.grad.numpy(), values)  # the gradient is the mask
    assert ours(x, 0.3, training=False) is x
    assert ours(x, 0.0) is x
    torch_zero = theirs(torch.ones(*shape), 1.0).numpy()
    np.testing.assert_array_equal(ours(Tensor.ones(*shape), 1.0).numpy(), torch_zero)


def test_dropout_matches_torch_on_edge_cases() -> None:
    with pytest.raises(ValueError, match="dropout: dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(Tensor.ones(2), 1.5)
    with pytest.raises(ValueError, match="dropout1d: expected a 2-d"):
        F.dropout1d(Tensor.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input"):
        F.dropout2d(Tensor.ones(2, 3, 4), training=False)
    unbatched = F.dropout1d(Tensor.ones(6, 8), 0.5)
    assert unbatched.shape == (6, 8) and (unbatched.numpy().min(1) == unbatched.numpy().max(1)).all()


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_is_torchs_affine_map_of_the_mask(feature: bool) -> None:
    """Each output is a x + b (kept) or -a alpha + b (dropped), with torch's a and b, and the mean and variance
    of a standard normal input survive."""
    Tensor.manual_seed(0)
    p, alpha = 0.2, 1.7580993408473766
    a = 1 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = a * alpha * p
    x = Tensor.randn(400, 30, 5)
    fn = F.feature_alpha_dropout if feature else F.alpha_dropout
    y = fn(x, p, training=True).numpy()
    kept = np.isclose(y, a * x.numpy() + b, atol=1e-5)
    assert (kept | np.isclose(y, -a * alpha + b, atol=1e-5)).all()
    assert abs(kept.mean() - (1 - p)) < 0.02
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05
    if feature:
        assert (kept.min(-1) == kept.max(-1)).all()
    torch_y = (TF.feature_alpha_dropout if feature else TF.alpha_dropout)(torch.tensor(x.numpy()), p, True).numpy()
    assert np.isclose(torch_y, a * x.numpy() + b, atol=1e-5).mean() == pytest.approx(1 - p, abs=0.02)
    assert fn(x, p) is x  # training=False by default, as in torch


MODULES = [
    ("ReLU", (), {}), ("ReLU", (True,), {}), ("ReLU6", (), {"inplace": True}), ("SELU", (), {}), ("SiLU", (), {}),
    ("Mish", (), {}), ("Hardswish", (True,), {}), ("Hardsigmoid", (), {}), ("ELU", (0.5,), {}), ("CELU", (2.0, True), {}),
    ("LeakyReLU", (0.2,), {}), ("LeakyReLU", (0.2, True), {}), ("Hardtanh", (-2.0, 2.0), {}),
    ("Threshold", (0.1, 20.0), {}), ("RReLU", (), {}), ("GELU", (), {"approximate": "tanh"}), ("Softplus", (2.0, 10.0), {}),
    ("Hardshrink", (), {}), ("Softshrink", (0.2,), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("LogSigmoid", (), {}),
    ("Softsign", (), {}), ("Tanhshrink", (), {}), ("GLU", (), {}), ("Softmax", (1,), {}), ("Softmin", (0,), {}),
    ("LogSoftmax", (-1,), {}), ("Softmax2d", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES, ids=[f"{n}{a}{k}" for n, a, k in MODULES])
def test_activation_module_matches_torch(name: str, args: tuple, kwargs: dict) -> None:  # type: ignore[type-arg]
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    theirs.eval()  # RReLU: the deterministic mean slope
    ours.eval()
    values = np.random.default_rng(0).uniform(-3, 3, (2, 4, 3, 2)).astype(np.float32)
    x, t = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, expected = ours(x * 1), theirs(t * 1)  # not leaves: torch's inplace=True refuses a leaf
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    assert x.grad is not None and t.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_prelu_module_learns_its_slopes() -> None:
    ours, theirs = nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert repr(ours) == repr(theirs) == "PReLU(num_parameters=3)"
    assert [name for name, _ in ours.named_parameters()] == ["weight"]
    values = np.random.default_rng(1).normal(size=(4, 3, 5)).astype(np.float32)
    ours(Tensor(values)).sum().backward()
    theirs(torch.tensor(values)).sum().backward()
    assert ours.weight.grad is not None and theirs.weight.grad is not None
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-5)
