"""Each layer of edugrad.nn against its torch.nn twin with the same weights: the forward value, the gradient of
the input and of every parameter, and the buffers afterwards, in training and in evaluation mode. Also the
default initialisation, BatchNorm's running statistics over several steps, dropout, and the errors for bad
arguments and inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import sqrt
from typing import Any

import numpy as np
import pytest
import torch

from edugrad import nn
from edugrad.tensor import Tensor, dtypes, tensor

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Case:
    """A layer built with the same arguments in both libraries and called on inputs of `shapes` (floats in
    [-2, 2), or ints in [0, int_high) where int_high is set) plus `call_kwargs` (masks, as arrays)."""

    layer: str
    args: tuple[Any, ...]
    shapes: Sequence[tuple[int, ...]]
    kwargs: dict[str, Any] = field(default_factory=dict)
    call_kwargs: dict[str, Array] = field(default_factory=dict)
    int_high: int = 0
    atol: float = 1e-5
    label: str = ""

    def __str__(self) -> str:
        return self.label or f"{self.layer}{self.args}{self.kwargs or ''}"


def copy_weights(theirs: torch.nn.Module, ours: nn.Module) -> None:
    ours.load_state_dict({key: value.detach().numpy() for key, value in theirs.state_dict().items()})


def make_inputs(case: Case, rng: np.random.Generator) -> list[Array]:
    if case.int_high:
        return [rng.integers(0, case.int_high, shape) for shape in case.shapes]
    return [rng.uniform(-2, 2, shape).astype(np.float32) for shape in case.shapes]


def first(out: Any) -> Any:
    """The output that carries the gradient (MultiheadAttention returns (output, weights))."""
    return out[0] if isinstance(out, tuple) else out


def check_twins(case: Case, ours: nn.Module, theirs: torch.nn.Module, train: bool, seed: int = 0) -> None:
    """Same weights, same inputs: compare outputs, input and parameter gradients, and the state afterwards."""
    copy_weights(theirs, ours)
    ours.train(train)
    theirs.train(train)
    rng = np.random.default_rng(seed)
    arrays = make_inputs(case, rng)
    grad = not case.int_high
    xs = [tensor(a, requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    out = ours(*xs, **{k: tensor(v) for k, v in case.call_kwargs.items()})
    expected = theirs(*ts, **{k: torch.tensor(v) for k, v in case.call_kwargs.items()})
    outs, expecteds = (values if isinstance(values, tuple) else (values,) for values in (out, expected))
    for o, e in zip(outs, expecteds, strict=True):  # as many outputs as torch's, each the same
        np.testing.assert_allclose(o.numpy(), e.detach().numpy(), atol=case.atol, rtol=1e-4,
                                   err_msg=f"{case}: forward differs (train={train})")
    upstream = rng.uniform(-1, 1, first(expected).shape).astype(np.float32)
    (first(out) * Tensor(upstream)).sum().backward()
    (first(expected) * torch.tensor(upstream)).sum().backward()
    if grad:
        for i, (x, t) in enumerate(zip(xs, ts)):
            assert x.grad is not None, f"{case}: input {i} got no gradient"
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=case.atol * 10, rtol=1e-3,
                                       err_msg=f"{case}: gradient of input {i} differs (train={train})")
    params = dict(ours.named_parameters())
    assert list(params) == [name for name, _ in theirs.named_parameters()]
    for name, p in theirs.named_parameters():
        mine = params[name].grad
        assert mine is not None and p.grad is not None, f"{case}: no gradient for {name}"
        np.testing.assert_allclose(mine.numpy(), p.grad.numpy(), atol=case.atol * 10, rtol=1e-3,
                                   err_msg=f"{case}: gradient of {name} differs (train={train})")
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), atol=1e-6, rtol=1e-5,
                                   err_msg=f"{case}: {key} differs after the step (train={train})")


def causal(length: int) -> Array:
    return np.triu(np.ones((length, length), bool), 1)


CASES = [
    Case("Linear", (5, 3), [(4, 5)]),
    Case("Linear", (5, 3), [(2, 4, 5)], {"bias": False}),
    Case("Linear", (5, 3), [(5,)], label="Linear on a single vector"),
    Case("Bilinear", (3, 4, 2), [(5, 3), (5, 4)]),
    Case("Bilinear", (3, 2, 4), [(2, 6, 3), (2, 6, 2)], {"bias": False}),
    Case("Conv2d", (3, 4, 3), [(2, 3, 7, 7)]),
    Case("Conv2d", (4, 6, (3, 2)), [(2, 4, 9, 8)], {"stride": 2, "padding": (1, 0), "dilation": (1, 2), "groups": 2}),
    Case("Conv2d", (2, 3, 4), [(1, 2, 6, 6)], {"padding": "same", "dilation": 2, "bias": False}),
    Case("Conv2d", (2, 3, 3), [(2, 5, 5)], {"padding": "valid"}, label="Conv2d unbatched"),
    Case("Conv2d", (2, 3, (3, 2)), [(2, 2, 5, 6)], {"padding": (1, 2), "padding_mode": "reflect"}),
    Case("Conv2d", (2, 4, 3), [(1, 2, 5, 5)], {"padding": 1, "padding_mode": "circular", "stride": 2}),
    Case("Conv2d", (2, 2, 4), [(1, 2, 6, 6)], {"padding": "same", "padding_mode": "replicate", "dilation": 2}),
    Case("Conv1d", (3, 4, 3), [(2, 3, 9)]),
    Case("Conv1d", (4, 6, 2), [(2, 4, 9)], {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    Case("Conv1d", (2, 3, 4), [(2, 7)], {"padding": "same", "padding_mode": "reflect"}, label="Conv1d unbatched"),
    Case("ConvTranspose1d", (3, 2, 3), [(2, 3, 5)], {"stride": 2, "output_padding": 1}),
    Case("ConvTranspose1d", (4, 6, 2), [(4, 6)], {"groups": 2, "dilation": 2, "padding": 1, "bias": False}),
    Case("ConvTranspose2d", (3, 2, 3), [(2, 3, 4, 4)]),
    Case("ConvTranspose2d", (4, 6, (3, 2)), [(1, 4, 3, 5)], {"stride": 2, "padding": 1, "output_padding": 1,
                                                               "groups": 2, "dilation": (1, 2)}),
    Case("MaxPool2d", (2,), [(2, 3, 6, 6)]),
    Case("MaxPool2d", (3,), [(1, 2, 7, 8)], {"stride": (2, 1), "padding": 1, "dilation": 2}),
    Case("AvgPool2d", (3,), [(2, 2, 7, 7)], {"stride": 2, "padding": 1}),
    Case("AvgPool2d", (3,), [(2, 7, 7)], {"stride": 2, "padding": 1, "count_include_pad": False}),
    Case("AvgPool2d", (2,), [(1, 2, 5, 5)], {"ceil_mode": True, "divisor_override": 3}),
    Case("MaxPool2d", (2,), [(1, 2, 5, 5)], {"ceil_mode": True}),
    Case("MaxPool1d", (3,), [(2, 3, 9)], {"stride": 2, "padding": 1}),
    Case("MaxPool1d", (2,), [(3, 7)], {"ceil_mode": True, "dilation": 2}),
    Case("AvgPool1d", (3,), [(2, 3, 8)], {"stride": 2, "padding": 1, "count_include_pad": False}),
    Case("LPPool2d", (2, 2), [(1, 2, 4, 4)]),
    Case("LPPool1d", (2, 2), [(2, 2, 6)], {"stride": 1}),
    Case("AdaptiveAvgPool2d", ((2, 3),), [(2, 3, 5, 7)]),
    Case("AdaptiveAvgPool2d", (1,), [(2, 3, 4, 4)], label="AdaptiveAvgPool2d global"),
    Case("AdaptiveAvgPool1d", (3,), [(2, 3, 7)]),
    Case("AdaptiveMaxPool2d", ((3, None),), [(2, 2, 7, 4)]),
    Case("AdaptiveMaxPool1d", (2,), [(2, 5)]),
    Case("BatchNorm1d", (4,), [(6, 4)]),
    Case("BatchNorm1d", (3,), [(4, 3, 5)], {"momentum": None}),
    Case("BatchNorm2d", (3,), [(4, 3, 2, 2)]),
    Case("BatchNorm2d", (3,), [(2, 3, 3, 3)], {"affine": False}),
    Case("BatchNorm2d", (3,), [(2, 3, 3, 3)], {"track_running_stats": False, "bias": False}),
    Case("LayerNorm", (6,), [(3, 6)]),
    Case("LayerNorm", ((3, 4),), [(2, 3, 4)], {"eps": 1e-3, "bias": False}),
    Case("LayerNorm", (4,), [(2, 4)], {"elementwise_affine": False}),
    Case("GroupNorm", (2, 6), [(3, 6, 2, 2)]),
    Case("GroupNorm", (3, 3), [(2, 3, 5)], {"affine": False}),
    Case("BatchNorm3d", (2,), [(2, 2, 2, 2, 3)]),
    Case("InstanceNorm1d", (3,), [(2, 3, 6)]),
    Case("InstanceNorm2d", (3,), [(2, 3, 4, 4)], {"affine": True, "track_running_stats": True}),
    Case("InstanceNorm2d", (2,), [(2, 3, 3)], {"affine": True}, label="InstanceNorm2d unbatched"),
    Case("InstanceNorm1d", (2,), [(2, 2, 5)], {"track_running_stats": True, "momentum": None}),
    Case("RMSNorm", (4,), [(3, 4)]),
    Case("RMSNorm", ((2, 3),), [(2, 2, 3)], {"eps": 1e-3, "elementwise_affine": False}),
    Case("LocalResponseNorm", (3,), [(2, 5, 3, 3)]),
    Case("Embedding", (7, 3), [(2, 5)], int_high=7),
    Case("Embedding", (7, 3), [(11,)], {"padding_idx": 2}, int_high=7),
    Case("Embedding", (7, 3), [(2, 6)], {"max_norm": 1.0, "scale_grad_by_freq": True}, int_high=7),
    Case("EmbeddingBag", (7, 3), [(4, 5)], int_high=7),
    Case("EmbeddingBag", (7, 3), [(3, 4)], {"mode": "max", "padding_idx": 1}, int_high=7),
    Case("EmbeddingBag", (7, 2), [(2, 6)], {"mode": "sum", "max_norm": 0.5}, int_high=7),
    Case("Flatten", (), [(2, 3, 2, 2)]),
    Case("Flatten", (0, 1), [(2, 3, 4)]),
    Case("Identity", (), [(2, 3)]),
    Case("Dropout", (0.0,), [(3, 4)]),
    Case("Dropout2d", (0.0,), [(2, 3, 4, 4)]),
    Case("Unflatten", (1, (2, 3)), [(4, 6)]),
    Case("Upsample", (), [(1, 2, 3, 4)], {"scale_factor": 2}),
    Case("Upsample", (), [(1, 2, 3, 4)], {"size": (5, 7), "mode": "bilinear"}),
    Case("Upsample", (), [(2, 2, 5)], {"scale_factor": 1.5, "mode": "linear", "align_corners": True}),
    Case("UpsamplingBilinear2d", (), [(1, 1, 3, 3)], {"scale_factor": 2}),
    Case("UpsamplingNearest2d", (), [(1, 1, 2, 3)], {"size": 4}),
    Case("PixelShuffle", (2,), [(2, 8, 3, 3)]),
    Case("PixelUnshuffle", (2,), [(1, 2, 4, 6)]),
    Case("ChannelShuffle", (2,), [(1, 4, 2, 2)]),
    Case("ZeroPad2d", ((1, 0, 2, 1),), [(1, 2, 3, 3)]),
    Case("ConstantPad1d", (2, 3.5), [(2, 3, 4)]),
    Case("ReflectionPad2d", (2,), [(1, 2, 4, 4)]),
    Case("ReplicationPad1d", ((1, 3),), [(2, 2, 4)]),
    Case("CircularPad2d", ((1, 1, 0, 2),), [(1, 1, 3, 3)]),
    Case("Unfold", (2,), [(2, 3, 4, 4)], {"padding": 1, "stride": 2}),
    Case("Fold", (4, 2), [(1, 12, 9)]),
    Case("ReLU", (), [(3, 4)]),
    Case("GELU", (), [(3, 4)]),
    Case("GELU", ("tanh",), [(3, 4)]),
    Case("Tanh", (), [(3, 4)]),
    Case("Sigmoid", (), [(3, 4)]),
    Case("SiLU", (), [(3, 4)]),
    Case("LeakyReLU", (0.2,), [(3, 4)]),
    Case("Softmax", (1,), [(3, 4, 2)]),
    Case("LogSoftmax", (-1,), [(3, 4)]),
    Case("MultiheadAttention", (8, 2), [(5, 3, 8), (6, 3, 8), (6, 3, 8)]),
    Case("MultiheadAttention", (8, 4), [(3, 5, 8)] * 3, {"batch_first": True},
         {"attn_mask": causal(5), "key_padding_mask": np.array([[0, 0, 0, 1, 1]] * 3, bool)}),
    Case("MultiheadAttention", (6, 3), [(4, 6)] * 3, {"bias": False},
         {"attn_mask": np.random.default_rng(1).normal(size=(3, 4, 4)).astype(np.float32)},
         label="MultiheadAttention unbatched, float per-head mask"),
    Case("MultiheadAttention", (4, 2), [(2, 3, 4)] * 3, {"batch_first": True},
         {"attn_mask": np.random.default_rng(2).integers(0, 2, (4, 3, 3)).astype(bool) & ~np.eye(3, dtype=bool)},
         label="MultiheadAttention with a bool mask per batch and head"),
    Case("MultiheadAttention", (6, 2), [(4, 2, 6), (5, 2, 3), (5, 2, 7)], {"kdim": 3, "vdim": 7},
         {"key_padding_mask": np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], bool)}),
    Case("MultiheadAttention", (4, 2), [(2, 3, 4)] * 3, {"batch_first": True, "add_bias_kv": True,
                                                          "add_zero_attn": True},
         {"attn_mask": causal(3), "key_padding_mask": np.array([[0, 0, 1], [0, 0, 0]], bool)}),
    Case("TransformerEncoderLayer", (8, 2), [(5, 3, 8)], {"dim_feedforward": 16, "dropout": 0.0}, atol=1e-4),
    Case("TransformerEncoderLayer", (8, 4), [(3, 5, 8)], {"dim_feedforward": 12, "dropout": 0.0,
                                                           "batch_first": True, "norm_first": True,
                                                           "activation": "gelu"},
         {"src_mask": causal(5), "src_key_padding_mask": np.array([[0, 0, 0, 0, 1]] * 3, bool)}, atol=1e-4),
    Case("TransformerDecoderLayer", (8, 2), [(4, 3, 8), (5, 3, 8)], {"dim_feedforward": 16, "dropout": 0.0},
         {"tgt_mask": causal(4)}, atol=1e-4),
    Case("TransformerDecoderLayer", (8, 4), [(3, 4, 8), (3, 6, 8)], {"dim_feedforward": 12, "dropout": 0.0,
                                                                       "batch_first": True, "norm_first": True},
         {"memory_key_padding_mask": np.array([[0, 0, 0, 0, 1, 1]] * 3, bool)}, atol=1e-4),
]


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_layer_matches_torch(case: Case, train: bool) -> None:
    theirs = getattr(torch.nn, case.layer)(*case.args, **case.kwargs)
    ours = getattr(nn, case.layer)(*case.args, **case.kwargs)
    check_twins(case, ours, theirs, train)


def test_multihead_attention_weights_match_torch() -> None:
    theirs, ours = torch.nn.MultiheadAttention(6, 3, batch_first=True), nn.MultiheadAttention(6, 3, batch_first=True)
    copy_weights(theirs, ours)
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(2, 4, 6)).astype(np.float32), rng.normal(size=(2, 5, 6)).astype(np.float32)
    for average in (True, False):
        _, weights = ours(Tensor(q), Tensor(k), Tensor(k), average_attn_weights=average)
        _, expected = theirs(torch.tensor(q), torch.tensor(k), torch.tensor(k), average_attn_weights=average)
        assert weights is not None and weights.shape == tuple(expected.shape)
        np.testing.assert_allclose(weights.numpy(), expected.detach().numpy(), atol=1e-6)
    mask = np.triu(np.ones((4, 5), bool), 1)
    out, none = ours(Tensor(q), Tensor(k), Tensor(k), need_weights=False, attn_mask=tensor(mask), is_causal=True)
    expected, _ = theirs(torch.tensor(q), torch.tensor(k), torch.tensor(k), attn_mask=torch.tensor(mask),
                         is_causal=True)
    assert none is None
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-5)
    for model, tensors in ((ours, Tensor), (theirs, torch)):  # is_causal is a hint about the mask, not a mask
        with pytest.raises(RuntimeError, match="is_causal"):
            model(*[tensors.ones(2, 4, 6)] * 3, is_causal=True)


@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"momentum": 0.5, "affine": False}], ids=str)
def test_batchnorm_running_statistics_over_steps(kwargs: dict[str, Any]) -> None:
    theirs, ours = torch.nn.BatchNorm2d(3, **kwargs), nn.BatchNorm2d(3, **kwargs)
    rng = np.random.default_rng(0)
    for step in range(4):
        x = rng.normal(step, 1 + step, (5, 3, 2, 2)).astype(np.float32)
        ours(Tensor(x))
        theirs(torch.tensor(x))
        for key, value in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{key} after step {step}")
    x = rng.normal(size=(2, 3, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(ours.eval()(Tensor(x)).numpy(), theirs.eval()(torch.tensor(x)).detach().numpy(),
                               atol=1e-5)
    assert ours.num_batches_tracked is not None and ours.num_batches_tracked.item() == 4
    ours(Tensor(x))
    assert ours.num_batches_tracked.item() == 4  # evaluation leaves the statistics alone


def test_batchnorm_needs_more_than_one_value_per_channel_in_training() -> None:
    with pytest.raises(ValueError, match=r"expected more than 1 value per channel when training, got input of "
                                         r"shape \(1, 3\)"):
        nn.BatchNorm1d(3)(Tensor.ones(1, 3))
    assert nn.BatchNorm1d(3).eval()(Tensor.ones(1, 3)).shape == (1, 3)


def test_dropout_in_training_and_evaluation() -> None:
    layer = nn.Dropout(0.25)
    x = Tensor.ones(200, 50, requires_grad=True)
    out = layer(x)
    values = out.numpy()
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.02
    out.sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), values)  # the gradient goes through the kept elements only
    np.testing.assert_array_equal(layer.eval()(x).numpy(), x.numpy())
    with Tensor.train():  # the module's own flag wins over the global one
        np.testing.assert_array_equal(layer(x).numpy(), x.numpy())


def test_dropout_follows_the_flag_of_the_module_that_calls_it() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    model.eval()
    x = Tensor.ones(3, 4)
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())
    model.train()
    assert (model(Tensor.ones(100, 4)).numpy() == 0).any()


def test_embedding_padding_row_gets_no_gradient() -> None:
    layer = nn.Embedding(5, 2, padding_idx=-1)
    assert layer.padding_idx == 4 and not layer.weight.numpy()[4].any()
    layer(tensor([[4, 1, 4], [1, 0, 2]])).sum().backward()
    assert layer.weight.grad is not None
    np.testing.assert_array_equal(layer.weight.grad.numpy()[:, 0], [1, 2, 1, 0, 0])


def fan_in_bound(shape: tuple[int, ...], in_axis: int = 1) -> float:
    return 1 / sqrt(shape[in_axis] * int(np.prod(shape[2:])))


@pytest.mark.parametrize("make, name, bound", [
    (lambda: nn.Linear(50, 40), "weight", 1 / sqrt(50)),
    (lambda: nn.Linear(50, 40), "bias", 1 / sqrt(50)),
    (lambda: nn.Bilinear(30, 20, 40), "weight", 1 / sqrt(30)),
    (lambda: nn.Bilinear(30, 20, 40), "bias", 1 / sqrt(30)),
    (lambda: nn.Conv2d(6, 30, 3, groups=2), "weight", 1 / sqrt(3 * 9)),
    (lambda: nn.Conv2d(6, 30, 3, groups=2), "bias", 1 / sqrt(3 * 9)),
    (lambda: nn.ConvTranspose2d(40, 12, 3, groups=2), "weight", 1 / sqrt(6 * 9)),
    (lambda: nn.MultiheadAttention(32, 4), "in_proj_weight", sqrt(6 / (32 + 96))),
    (lambda: nn.MultiheadAttention(32, 4), "out_proj.weight", 1 / sqrt(32)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_default_init_is_uniform_within_torchs_bound(make: Callable[[], nn.Module], name: str, bound: float) -> None:
    values = dict(make().named_parameters())[name].numpy()
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.9 * bound  # many draws: some come close to the bound
    assert abs(values.std() - bound / sqrt(3)) < 0.15 * bound  # the std of U(-b, b) is b / sqrt(3)


def test_default_init_constants_and_normal() -> None:
    attention = nn.MultiheadAttention(8, 2)
    assert attention.in_proj_bias is not None and not attention.in_proj_bias.numpy().any()
    assert attention.out_proj.bias is not None and not attention.out_proj.bias.numpy().any()
    norm = nn.BatchNorm1d(3)
    assert norm.weight is not None and norm.bias is not None and norm.running_var is not None
    np.testing.assert_array_equal(norm.weight.numpy(), 1)
    np.testing.assert_array_equal(norm.bias.numpy(), 0)
    np.testing.assert_array_equal(norm.running_var.numpy(), 1)
    table = nn.Embedding(100, 50).weight.numpy()
    assert abs(table.mean()) < 0.05 and abs(table.std() - 1) < 0.05  # N(0, 1), as torch


@pytest.mark.parametrize("name, args", [
    ("Linear", (3, 2)), ("Bilinear", (2, 3, 4)), ("Conv2d", (2, 4, 3)), ("ConvTranspose2d", (2, 4, 3)),
    ("BatchNorm1d", (3,)), ("BatchNorm2d", (3,)), ("LayerNorm", (3,)), ("GroupNorm", (1, 3)), ("Embedding", (5, 2)),
    ("MultiheadAttention", (4, 2)), ("TransformerEncoderLayer", (4, 2, 8)),
])
def test_factory_kwargs_give_parameters_and_buffers_of_torchs_dtypes(name: str, args: tuple[Any, ...]) -> None:
    ours = getattr(nn, name)(*args, device="cpu", dtype=dtypes.float64)
    theirs = getattr(torch.nn, name)(*args, device="cpu", dtype=torch.float64)
    assert {key: value.dtype.name for key, value in ours.state_dict().items()} == {
        key: str(value.dtype).removeprefix("torch.") for key, value in theirs.state_dict().items()}
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    assert all(str(value.device) == "cpu" for value in ours.state_dict().values())


def test_a_layer_on_a_device_edugrad_lacks_is_refused() -> None:
    with pytest.raises(RuntimeError, match="device mps: edugrad computes on 'cpu'"):
        nn.Linear(2, 2, device="mps")


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Linear(0.5, 2), "Linear: in_features must be a non-negative int, got 0.5"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"Conv2d: in_channels \(3\) must be divisible by groups \(2\)"),
    (lambda: nn.Conv2d(3, 4, (3, 3, 3)), "Conv2d: kernel_size must be an int or a tuple of 2 ints"),
    (lambda: nn.Conv2d(3, 4, 3, padding="full"), "Conv2d: padding must be one of 'same', 'valid', got 'full'"),
    (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), "padding='same' is only supported with stride 1"),
    (lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=2), "output_padding .* must be smaller than"),
    (lambda: nn.MaxPool2d(0), "MaxPool2d: kernel_size must be a positive int, got 0"),
    (lambda: nn.AvgPool2d(2, padding=-1), "AvgPool2d: padding must be a non-negative int, got -1"),
    (lambda: nn.BatchNorm2d(0), "BatchNorm2d: num_features must be a positive int, got 0"),
    (lambda: nn.GroupNorm(4, 6), r"GroupNorm: num_channels \(6\) must be divisible by num_groups \(4\)"),
    (lambda: nn.LayerNorm((3, -1)), "LayerNorm: normalized_shape must be a positive int, got -1"),
    (lambda: nn.Embedding(5, 2, padding_idx=5), r"padding_idx must be within num_embeddings \(5\), got 5"),
    (lambda: nn.Embedding(5, 2, padding_idx=1.5), r"padding_idx must be within num_embeddings \(5\), got 1.5"),
    (lambda: nn.Dropout(1.5), r"Dropout: dropout probability has to be between 0 and 1, but got 1.5"),
    (lambda: nn.GELU("fast"), "GELU: approximate must be one of 'none', 'tanh', got 'fast'"),
    (lambda: nn.MultiheadAttention(10, 3), r"embed_dim \(10\) must be divisible by num_heads \(3\)"),
    (lambda: nn.MultiheadAttention(4, 2, dropout=1.5), r"dropout must be a probability in \[0, 1\], got 1.5"),
])
def test_bad_arguments_are_rejected_at_construction(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_attention_dropout_of_1_drops_every_weight_as_torch() -> None:
    theirs, ours = torch.nn.MultiheadAttention(4, 2, dropout=1.0), nn.MultiheadAttention(4, 2, dropout=1.0)
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).normal(size=(3, 2, 4)).astype(np.float32)
    out, weights = ours(Tensor(x), Tensor(x), Tensor(x))
    expected, expected_weights = theirs(torch.tensor(x), torch.tensor(x), torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(weights.numpy(), expected_weights.detach().numpy(), atol=1e-6)
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=1.0)
    assert layer.self_attn.dropout == layer.dropout.p == 1.0


def test_an_unknown_activation_is_refused_as_torch_refuses_it() -> None:
    for lib in (nn, torch.nn):
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
            lib.TransformerEncoderLayer(8, 2, activation="swish")


@pytest.mark.parametrize("layer, x, message", [
    (nn.Linear(4, 3), Tensor.ones(2, 5), r"Linear\(in_features=4, out_features=3, bias=True\): expected 4 "
                                         r"features in dimension -1 of the input, got shape \(2, 5\)"),
    (nn.Linear(4, 3), tensor(1.0), "expected 4 features in dimension -1 of the input, got shape ()"),
    (nn.Conv2d(3, 4, 3), Tensor.ones(1, 2, 5, 5), r"expected 3 channels in dimension -3 of the input, got shape "
                                                  r"\(1, 2, 5, 5\)"),
    (nn.Conv2d(3, 4, 3), Tensor.ones(5, 5), r"Conv2d\(3, 4, kernel_size=\(3, 3\), stride=\(1, 1\)\): expected a "
                                            r"\(N, C, H, W\) or \(C, H, W\) input, got shape \(5, 5\)"),
    (nn.MaxPool2d(2), Tensor.ones(8), r"expected a \(N, C, H, W\) or \(C, H, W\) input, got shape \(8,\)"),
    (nn.BatchNorm2d(3), Tensor.ones(2, 3, 4), r"expected a \(N, C, H, W\) input, got shape \(2, 3, 4\)"),
    (nn.BatchNorm1d(3), Tensor.ones(2, 4), r"expected 3 channels in dimension 1 of the input"),
    (nn.LayerNorm((2, 3)), Tensor.ones(3, 2), r"expected an input of shape \(\*, 2, 3\), got shape \(3, 2\)"),
    (nn.GroupNorm(1, 3), Tensor.ones(3), r"expected a \(N, C, \*\) input, got shape \(3,\)"),
    (nn.MultiheadAttention(4, 2), Tensor.ones(3, 2, 5), r"expected query with 4 features in the last dimension"),
    (nn.ReLU(), np.ones(3), r"relu: input must be a Tensor, got ndarray"),
])
def test_bad_inputs_name_the_layer_and_the_shape(layer: nn.Module, x: Any, message: str) -> None:
    args = (x, x, x) if isinstance(layer, nn.MultiheadAttention) else (x,)
    with pytest.raises((ValueError, TypeError), match=message):
        layer(*args)


@pytest.mark.parametrize("layer, x, message", [
    (nn.Linear(3, 2), Tensor.ones(4, 3, dtype=dtypes.uint8), r"linear: input, weight and bias must have one dtype, got "
                                                             r"input uint8, weight float32 and bias float32; cast the "
                                                             r"input with \.to\(dtypes\.float32\)"),
    (nn.Linear(3, 2), Tensor.ones(4, 3, dtype=dtypes.float64), r"linear: .* got input float64, weight float32"),
    (nn.LayerNorm(3), Tensor.ones(4, 3, dtype=dtypes.int64),
     r"LayerNorm\(\(3,\), .*\): expected a floating-point input, got dtype int64; cast it with \.float\(\)"),
    (nn.BatchNorm1d(3), Tensor.ones(4, 3, dtype=dtypes.int64), r"BatchNorm1d\(3, .*\): expected a floating-point"),
    (nn.BatchNorm2d(3), Tensor.ones(4, 3, 2, 2, dtype=dtypes.uint8), r"BatchNorm2d\(3, .*\): .* got dtype uint8"),
    (nn.GroupNorm(1, 3), Tensor.ones(4, 3, dtype=dtypes.bool), r"GroupNorm\(1, 3, .*\): .* got dtype bool"),
    (nn.MultiheadAttention(4, 2), Tensor.ones(3, 2, 4, dtype=dtypes.int64), r"linear: .* got input int64"),
])
def test_layers_do_not_promote_inputs_of_another_dtype(layer: nn.Module, x: Tensor, message: str) -> None:
    args = (x, x, x) if isinstance(layer, nn.MultiheadAttention) else (x,)
    with pytest.raises(TypeError, match=message):  # PyTorch raises for each of these too
        layer(*args)


def test_batchnorm_with_an_integer_input_leaves_the_running_statistics_alone() -> None:
    layer = nn.BatchNorm1d(2)
    with pytest.raises(TypeError, match="expected a floating-point input"):
        layer(tensor([[1, 2], [3, 5]]))
    assert layer.num_batches_tracked is not None and layer.num_batches_tracked.item() == 0
    assert layer.running_mean is not None and not layer.running_mean.numpy().any()


def test_embedding_rejects_float_indices() -> None:
    with pytest.raises(TypeError, match=r"Embedding\(5, 2\): expected integer indices, got dtype float32"):
        nn.Embedding(5, 2)(Tensor([1.0, 2.0]))


def test_attention_mask_shapes_are_checked() -> None:
    attention = nn.MultiheadAttention(4, 2, batch_first=True)
    x = Tensor.ones(2, 3, 4)
    with pytest.raises(ValueError, match=r"expected attn_mask of shape \(3, 3\) or \(4, 3, 3\), got \(2, 3, 3\)"):
        attention(x, x, x, attn_mask=Tensor.zeros(2, 3, 3))
    with pytest.raises(ValueError, match=r"expected key_padding_mask of shape \(2, 3\), got \(3,\)"):
        attention(x, x, x, key_padding_mask=Tensor.zeros(3))
    with pytest.raises(ValueError, match="key and value must have the same batch size and length"):
        attention(x, x, Tensor.ones(2, 4, 4))
    with pytest.raises(TypeError, match=r"expected a bool or float32 key_padding_mask \(the layer's dtype\), got dtype "
                                        r"int64"):
        attention(x, x, x, key_padding_mask=tensor([[0, 0, 1], [0, 1, 1]]))
    with pytest.raises(TypeError, match=r"MultiheadAttention: expected a bool or float32 attn_mask \(the layer's "
                                        r"dtype\), got dtype float64"):
        attention(x, x, x, attn_mask=Tensor.zeros(3, 3, dtype=dtypes.float64))


def test_attention_unbatched_key_padding_mask_matches_torch() -> None:
    theirs, ours = torch.nn.MultiheadAttention(4, 2), nn.MultiheadAttention(4, 2)
    copy_weights(theirs, ours)
    x, padding = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32), np.array([0, 0, 1], bool)
    out, weights = ours(tensor(x), tensor(x), tensor(x), key_padding_mask=tensor(padding))
    expected, expected_weights = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(padding))
    assert weights is not None
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(weights.numpy(), expected_weights.detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match=r"expected key_padding_mask of shape \(3,\), got ndarray"):
        ours(Tensor(x), Tensor(x), Tensor(x), key_padding_mask=padding)  # type: ignore[arg-type]


@pytest.mark.parametrize("make", [
    lambda lib: lib.Conv1d(2, 4, 3, padding="same", padding_mode="reflect"),
    lambda lib: lib.Conv2d(2, 4, (3, 5), stride=2, padding=1, dilation=2, groups=2, bias=False),
    lambda lib: lib.ConvTranspose1d(2, 4, 3, output_padding=0, stride=2),
    lambda lib: lib.ConvTranspose2d(4, 2, 2, stride=2, output_padding=1, groups=2),
    lambda lib: lib.MaxPool1d(2), lambda lib: lib.MaxPool2d((2, 3), 1, 1, ceil_mode=True),
    lambda lib: lib.AvgPool1d(2), lambda lib: lib.AvgPool2d(3, 2, 1, True, False, 2),
    lambda lib: lib.LPPool2d(2, 3), lambda lib: lib.AdaptiveAvgPool2d((2, None)), lambda lib: lib.AdaptiveMaxPool1d(3),
    lambda lib: lib.MaxUnpool2d(2), lambda lib: lib.InstanceNorm1d(3), lambda lib: lib.InstanceNorm2d(3, affine=True),
    lambda lib: lib.BatchNorm3d(2, momentum=None), lambda lib: lib.RMSNorm([2, 3], eps=1e-3),
    lambda lib: lib.LocalResponseNorm(2), lambda lib: lib.Dropout(), lambda lib: lib.Dropout2d(0.1),
    lambda lib: lib.AlphaDropout(0.2), lambda lib: lib.Unflatten(1, (2, 3)), lambda lib: lib.Upsample(scale_factor=2),
    lambda lib: lib.Upsample(size=(3, 4), mode="bilinear"), lambda lib: lib.UpsamplingNearest2d(scale_factor=2),
    lambda lib: lib.UpsamplingBilinear2d(size=4), lambda lib: lib.PixelShuffle(2), lambda lib: lib.PixelUnshuffle(2),
    lambda lib: lib.ChannelShuffle(2), lambda lib: lib.ZeroPad2d(1), lambda lib: lib.ConstantPad1d((1, 2), 3.0),
    lambda lib: lib.ReflectionPad2d(2), lambda lib: lib.ReplicationPad1d((1, 0)), lambda lib: lib.CircularPad2d(1),
    lambda lib: lib.Fold(4, 2), lambda lib: lib.Unfold(2, padding=1), lambda lib: lib.Embedding(5, 2, max_norm=1.0),
    lambda lib: lib.EmbeddingBag(5, 2, mode="sum", padding_idx=0),
    lambda lib: lib.Bilinear(2, 3, 4, bias=False), lambda lib: lib.MultiheadAttention(4, 2, kdim=3),
    lambda lib: lib.TransformerEncoderLayer(4, 2, 8), lambda lib: lib.TransformerDecoderLayer(4, 2, 8),
    lambda lib: lib.Transformer(4, 2, 1, 1, 8),
])
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # torch's note on its fast path
def test_reprs_match_torch(make: Callable[[Any], Any]) -> None:
    assert repr(make(nn)) == repr(make(torch.nn))


def test_max_unpool_puts_the_maxima_back_as_torch() -> None:
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype(np.float32)
    for dims, shape in ((2, x.shape), (1, (2, 3, 8))):
        values = x.reshape(-1)[:int(np.prod(shape))].reshape(shape)
        pool = {1: "MaxPool1d", 2: "MaxPool2d"}[dims]
        unpool = {1: "MaxUnpool1d", 2: "MaxUnpool2d"}[dims]
        ours_out, ours_idx = getattr(nn, pool)(2, return_indices=True)(tensor(values))
        theirs_out, theirs_idx = getattr(torch.nn, pool)(2, return_indices=True)(torch.tensor(values))
        np.testing.assert_array_equal(ours_idx.numpy(), theirs_idx.numpy())
        ours = getattr(nn, unpool)(2)(ours_out, ours_idx)
        theirs = getattr(torch.nn, unpool)(2)(theirs_out, theirs_idx)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("size", [(9, 9), (2, 3, 10, 10), (10, 9)])
def test_conv_transpose_output_size_picks_the_output_padding_as_torch(size: tuple[int, ...]) -> None:
    theirs = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    ours = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 5)).astype(np.float32)
    expected = theirs(torch.from_numpy(x), output_size=size)
    out = ours(tensor(x), output_size=size)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError, match=r"requested an output size of \(12, 12\), but valid sizes range from "
                                         r"\(9, 9\) to \(10, 10\)"):
        ours(tensor(x), output_size=(12, 12))


def test_conv_padding_mode_is_checked() -> None:
    with pytest.raises(ValueError, match="Conv2d: padding_mode must be one of 'zeros', 'reflect', 'replicate', "
                                         "'circular', got 'mirror'"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="ConvTranspose2d: padding_mode must be one of 'zeros', got 'reflect'"):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")


def test_embedding_bag_with_offsets_and_per_sample_weights_matches_torch() -> None:
    theirs, ours = torch.nn.EmbeddingBag(6, 3, mode="sum"), nn.EmbeddingBag(6, 3, mode="sum")
    copy_weights(theirs, ours)
    ids, offsets, weights = np.array([1, 2, 4, 5, 4, 3, 2]), np.array([0, 2, 2, 5]), np.linspace(0.5, 2, 7)
    out = ours(tensor(ids), tensor(offsets), per_sample_weights=tensor(weights.astype(np.float32)))
    expected = theirs(torch.tensor(ids), torch.tensor(offsets), per_sample_weights=torch.tensor(weights).float())
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-6)
    pretrained = nn.EmbeddingBag.from_pretrained(ours.weight.detach(), mode="max")
    assert not pretrained.weight.requires_grad and pretrained.mode == "max"
    np.testing.assert_array_equal(pretrained.weight.numpy(), ours.weight.numpy())


def test_generate_square_subsequent_mask_matches_torch() -> None:
    for dtype, twin in ((None, None), (dtypes.float64, torch.float64), (dtypes.bool, torch.bool)):
        ours = nn.Transformer.generate_square_subsequent_mask(4, dtype=dtype)
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=twin)
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True, "norm_first": True, "activation": "gelu"}], ids=str)
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_transformer_matches_torch(kwargs: dict[str, Any]) -> None:
    args = {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 16,
            "dropout": 0.0, **kwargs}
    theirs, ours = torch.nn.Transformer(**args), nn.Transformer(**args)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    rng = np.random.default_rng(0)
    src, tgt = (rng.normal(size=(n, 3, 8) if not kwargs else (3, n, 8)).astype(np.float32) for n in (5, 4))
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    out = ours(Tensor(src), Tensor(tgt), tgt_mask=mask)
    expected = theirs(torch.from_numpy(src), torch.from_numpy(tgt),
                      tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-4)
    out.sum().backward()
    expected.sum().backward()
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).grad.numpy(), p.grad.numpy(), atol=1e-4,  # type: ignore
                                   err_msg=name)


def test_transformer_encoder_stacks_independent_copies_and_finds_the_causal_mask() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    encoder = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
    assert len(encoder.layers) == 3 and encoder.layers[0] is not layer
    assert encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 3,
                                         norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    assert list(encoder.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, encoder)
    x = np.random.default_rng(1).normal(size=(5, 2, 8)).astype(np.float32)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    out = encoder(Tensor(x), mask=mask)  # is_causal=None: the mask is recognised as causal
    expected = theirs(torch.from_numpy(x), mask=torch.nn.Transformer.generate_square_subsequent_mask(5))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-4)


def test_transformer_checks_src_and_tgt() -> None:
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(Tensor.ones(4, 2, 8), Tensor.ones(4, 3, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        model(Tensor.ones(4, 2, 8), Tensor.ones(4, 2, 6))


@pytest.mark.parametrize(("name", "kwargs"), [("CosineSimilarity", {}), ("CosineSimilarity", {"dim": 0, "eps": 1e-3}),
                                              ("PairwiseDistance", {}),
                                              ("PairwiseDistance", {"p": 1.0, "keepdim": True})])
def test_distance_modules_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 4, 3)).astype(np.float32)
    ours = [tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    out, expected = getattr(nn, name)(**kwargs)(*ours), getattr(torch.nn, name)(**kwargs)(*theirs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    for x, y in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-4, atol=1e-6)
    assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))
