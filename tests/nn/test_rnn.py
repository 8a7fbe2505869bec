"""The recurrent layers of edugrad.nn against torch.nn's with the same weights: RNN, LSTM and GRU (layers,
directions, batch_first, unbatched, proj_size, initial states, dropout between layers) and the cells, forward
and backward (the input's, the initial state's and every parameter's gradient), the parameter names, the
default initialisation, the reprs and the errors."""

from __future__ import annotations

from math import sqrt
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.tensor import Tensor, tensor

Array = np.ndarray[Any, Any]


def flat(values: Any) -> list[Any]:
    """An output and its (nested) tuples of states as one flat list."""
    return [v for item in values for v in flat(item)] if isinstance(values, tuple) else [values]


def twins(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    ours = getattr(nn, name)(*args, **kwargs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def compare(ours: Any, theirs: Any, inputs: list[Array], hx_is_pair: bool = False) -> None:
    """Forward with the same inputs (the first is the sequence; the rest the initial state), then backward
    of a weighted sum of every output; compare values and gradients."""
    xs = [tensor(a, requires_grad=True) for a in inputs]
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    state: tuple[Any, Any] = (None, None)
    if len(inputs) > 1:
        state = ((xs[1], xs[2]), (ts[1], ts[2])) if hx_is_pair else (xs[1], ts[1])
    out, expected = flat(ours(xs[0], state[0])), flat(theirs(ts[0], state[1]))
    assert len(out) == len(expected)
    rng = np.random.default_rng(1)
    total_ours, total_theirs = 0, 0
    for o, e in zip(out, expected):
        np.testing.assert_allclose(o.numpy(), e.detach().numpy(), atol=1e-5, rtol=1e-4)
        weight = rng.uniform(-1, 1, tuple(e.shape)).astype(np.float32)
        total_ours = total_ours + (o * tensor(weight)).sum()
        total_theirs = total_theirs + (e * torch.tensor(weight)).sum()
    total_ours.backward()  # type: ignore[union-attr]
    total_theirs.backward()  # type: ignore[union-attr]
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-5, rtol=1e-4)  # type: ignore[union-attr]
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-5, rtol=1e-4, err_msg=name)


def uniform(*shape: int) -> Array:
    return np.random.default_rng(sum(shape)).uniform(-1, 1, shape).astype(np.float32)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("kwargs, shape", [
    ({}, (5, 3, 4)),
    ({"num_layers": 2, "bidirectional": True}, (4, 2, 4)),
    ({"batch_first": True, "bias": False}, (2, 6, 4)),
    ({"num_layers": 3}, (3, 4)),
], ids=["plain", "stacked-bidirectional", "batch-first-no-bias", "unbatched-3-layers"])
def test_recurrent_layers_match_torch(name: str, kwargs: dict[str, Any], shape: tuple[int, ...]) -> None:
    ours, theirs = twins(name, (4, 5), kwargs)
    compare(ours, theirs, [uniform(*shape)])


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_initial_states_are_used_and_get_gradients(name: str) -> None:
    ours, theirs = twins(name, (3, 4), {"num_layers": 2, "bidirectional": True})
    states = [uniform(4, 2, 4), uniform(4, 2, 4) * 0.5] if name == "LSTM" else [uniform(4, 2, 4)]
    compare(ours, theirs, [uniform(5, 2, 3), *states], hx_is_pair=name == "LSTM")


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")  # torch's own note
def test_relu_rnn_and_lstm_projection_match_torch() -> None:
    compare(*twins("RNN", (4, 6), {"nonlinearity": "relu", "num_layers": 2}), [uniform(3, 2, 4)])
    compare(*twins("LSTM", (4, 6), {"proj_size": 3, "num_layers": 2, "bidirectional": True}), [uniform(3, 2, 4)])


def test_dropout_between_layers_only_in_training() -> None:
    ours = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = Tensor.randn(6, 2, 3)
    ours.eval()
    first, second = ours(x)[0].numpy(), ours(x)[0].numpy()
    np.testing.assert_array_equal(first, second)  # no dropout in evaluation
    ours.train()
    assert not np.array_equal(ours(x)[0].numpy(), first)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


@pytest.mark.parametrize("name, hx", [("RNNCell", 1), ("GRUCell", 1), ("LSTMCell", 2)])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_cells_match_torch(name: str, hx: int, batched: bool) -> None:
    ours, theirs = twins(name, (3, 5), {})
    lead = (4,) if batched else ()
    compare(ours, theirs, [uniform(*lead, 3)] + [uniform(*lead, 5) for _ in range(hx)], hx_is_pair=hx == 2)
    ours, theirs = twins(name, (3, 5), {"bias": False})
    compare(ours, theirs, [uniform(*lead, 3)])


def test_a_cell_unrolled_is_the_layer() -> None:
    layer, cell = nn.LSTM(3, 4), nn.LSTMCell(3, 4)
    cell.load_state_dict({key.removesuffix("_l0"): value for key, value in layer.state_dict().items()})
    x = Tensor.randn(5, 2, 3)
    output, (h, c) = layer(x)
    state = None
    for t in range(5):
        state = cell(x[t], state)
    assert state is not None
    np.testing.assert_allclose(state[0].numpy(), h[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(state[1].numpy(), c[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(output[-1].numpy(), h[0].numpy(), atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda lib: lib.RNN(3, 4, num_layers=2, batch_first=True, dropout=0.1, nonlinearity="relu"),
    lambda lib: lib.LSTM(3, 4, 2, bidirectional=True, proj_size=2), lambda lib: lib.GRU(3, 4, bias=False),
    lambda lib: lib.RNNCell(3, 4, nonlinearity="relu"), lambda lib: lib.LSTMCell(2, 3, bias=False),
    lambda lib: lib.GRUCell(3, 4),
])
def test_reprs_and_parameter_shapes_match_torch(make: Any) -> None:
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: tuple(v.shape) for k, v in
                                                                  theirs.state_dict().items()}


def test_default_init_is_uniform_within_one_over_sqrt_hidden_size() -> None:
    values = np.concatenate([p.numpy().ravel() for p in nn.LSTM(20, 100).parameters()])
    bound = 1 / sqrt(100)
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
    assert values.std() == pytest.approx(bound / sqrt(3), rel=0.02)


def test_bad_arguments_and_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.RNNBase("GRU", 3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"proj_size \(4\) has to be smaller than hidden_size \(4\)"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="RNN: nonlinearity must be one of 'tanh', 'relu', got 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    for lib, tensors in ((nn, Tensor), (torch.nn, torch)):
        with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"):
            lib.GRU(3, 4)(tensors.zeros(2, 1, 5))
        with pytest.raises(RuntimeError, match="Expected hidden size"):
            lib.GRU(3, 4)(tensors.zeros(2, 1, 3), tensors.zeros(2, 1, 4))


def test_rnn_cell_base_has_torchs_parameters_and_loads_a_torch_state_dict() -> None:
    ours, theirs = nn.RNNCellBase(3, 4, True, 2), torch.nn.RNNCellBase(3, 4, True, 2)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for (name, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), t.detach().numpy(), err_msg=name)
    assert repr(ours) == repr(theirs)
