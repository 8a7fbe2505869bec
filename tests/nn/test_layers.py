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
    Case("ConvTranspose2d", (3, 2, 3), [(2, 3, 4, 4)]),
    Case("ConvTranspose2d", (4, 6, (3, 2)), [(1, 4, 3, 5)], {"stride": 2, "padding": 1, "output_padding": 1,
                                                               "groups": 2, "dilation": (1, 2)}),
    Case("MaxPool2d", (2,), [(2, 3, 6, 6)]),
    Case("MaxPool2d", (3,), [(1, 2, 7, 8)], {"stride": (2, 1), "padding": 1, "dilation": 2}),
    Case("AvgPool2d", (3,), [(2, 2, 7, 7)], {"stride": 2, "padding": 1}),
    Case("AvgPool2d", (3,), [(2, 7, 7)], {"stride": 2, "padding": 1, "count_include_pad": False}),
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
    Case("Embedding", (7, 3), [(2, 5)], int_high=7),
    Case("Embedding", (7, 3), [(11,)], {"padding_idx": 2}, int_high=7),
    Case("Flatten", (), [(2, 3, 2, 2)]),
    Case("Flatten", (0, 1), [(2, 3, 4)]),
    Case("Identity", (), [(2, 3)]),
    Case("Dropout", (0.0,), [(3, 4)]),
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
    Case("TransformerEncoderLayer", (8, 2), [(5, 3, 8)], {"dim_feedforward": 16, "dropout": 0.0}, atol=1e-4),
    Case("TransformerEncoderLayer", (8, 4), [(3, 5, 8)], {"dim_feedforward": 12, "dropout": 0.0,
                                                           "batch_first": True, "norm_first": True,
                                                           "activation": "gelu"},
         {"src_mask": causal(5), "src_key_padding_mask": np.array([[0, 0, 0, 0, 1]] * 3, bool)}, atol=1e-4),
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
    out, none = ours(Tensor(q), Tensor(k), Tensor(k), need_weights=False, is_causal=True)
    mask = torch.tensor(np.triu(np.ones((4, 5), bool), 1))
    expected, _ = theirs(torch.tensor(q), torch.tensor(k), torch.tensor(k), attn_mask=mask)
    assert none is None
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-5)


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
    (lambda: nn.Conv2d(3, 4, (3, 3, 3)), "Conv2d: kernel_size must be an int or a pair of ints"),
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
    (lambda: nn.Dropout(1.5), r"Dropout: p must be a probability in \[0, 1\), got 1.5"),
    (lambda: nn.GELU("fast"), "GELU: approximate must be one of 'none', 'tanh', got 'fast'"),
    (lambda: nn.MultiheadAttention(10, 3), r"embed_dim \(10\) must be divisible by num_heads \(3\)"),
    (lambda: nn.TransformerEncoderLayer(8, 2, activation="swish"), "activation must be one of 'relu', 'gelu'"),
])
def test_bad_arguments_are_rejected_at_construction(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


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
    (nn.MultiheadAttention(4, 2), Tensor.ones(3, 2, 5), r"expected query with embed_dim 4 features"),
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
    with pytest.raises(ValueError, match="key and value must have the same shape"):
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
