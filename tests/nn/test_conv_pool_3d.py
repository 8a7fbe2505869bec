"""The 3-d convolutions and poolings (functions and modules) against torch 2.13: values and every input's
gradient (the parity harness), the indices of the max pools, state dicts both ways, and bad input. They share
the N-d window mechanism with the 1-d and 2-d ops (edugrad.tensor.windows), whose own tests are beside."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from parity import Case, check_parity

from edugrad import nn
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, tensor

CASES = [
    Case("conv3d", F.conv3d, TF.conv3d, [(2, 3, 5, 6, 4), (4, 3, 3, 2, 2), (4,)]),
    Case("conv3d stride padding dilation groups", lambda x, w: F.conv3d(x, w, None, (2, 1, 1), 1, (1, 2, 1), 2),
         lambda x, w: TF.conv3d(x, w, None, (2, 1, 1), 1, (1, 2, 1), 2), [(2, 4, 6, 7, 5), (6, 2, 3, 2, 2)]),
    Case("conv3d same unbatched", lambda x, w: F.conv3d(x, w, padding="same", dilation=2),
         lambda x, w: TF.conv3d(x, w, padding="same", dilation=2), [(2, 6, 5, 5), (3, 2, 2, 3, 2)]),
    Case("conv_transpose3d", lambda x, w, b: F.conv_transpose3d(x, w, b, 2, 1, 1),
         lambda x, w, b: TF.conv_transpose3d(x, w, b, 2, 1, 1), [(2, 3, 3, 4, 3), (3, 2, 3, 3, 2), (2,)]),
    Case("conv_transpose3d groups dilation unbatched",
         lambda x, w: F.conv_transpose3d(x, w, None, (1, 2, 1), 0, (0, 1, 0), 2, (2, 1, 1)),
         lambda x, w: TF.conv_transpose3d(x, w, None, (1, 2, 1), 0, (0, 1, 0), 2, (2, 1, 1)),
         [(4, 3, 3, 4), (4, 2, 2, 2, 3)]),
    Case("max_pool3d", lambda x: F.max_pool3d(x, 2), lambda x: TF.max_pool3d(x, 2), [(2, 3, 4, 6, 5)]),
    Case("max_pool3d padding dilation ceil", lambda x: F.max_pool3d(x, 3, 2, 1, (1, 2, 1), ceil_mode=True),
         lambda x: TF.max_pool3d(x, 3, 2, 1, (1, 2, 1), ceil_mode=True), [(1, 2, 6, 8, 7)]),
    Case("max_pool3d indices unbatched", lambda x: F.max_pool3d(x, (2, 3, 2), (1, 2, 2), 1, return_indices=True),
         lambda x: TF.max_pool3d(x, (2, 3, 2), (1, 2, 2), 1, return_indices=True), [(2, 4, 5, 6)]),
    Case("avg_pool3d", lambda x: F.avg_pool3d(x, 2, 1), lambda x: TF.avg_pool3d(x, 2, 1), [(2, 2, 3, 4, 5)]),
    Case("avg_pool3d ceil count_include_pad=False", lambda x: F.avg_pool3d(x, 3, 2, 1, True, False),
         lambda x: TF.avg_pool3d(x, 3, 2, 1, True, False), [(1, 2, 5, 6, 6)]),
    Case("avg_pool3d divisor_override", lambda x: F.avg_pool3d(x, 2, divisor_override=3),
         lambda x: TF.avg_pool3d(x, 2, divisor_override=3), [(2, 3, 4, 4, 4)]),
    Case("lp_pool3d", lambda x: F.lp_pool3d(x, 2, 2), lambda x: TF.lp_pool3d(x, 2, 2), [(2, 2, 4, 4, 6)], low=0.1),
    Case("lp_pool3d stride ceil", lambda x: F.lp_pool3d(x, 3, (2, 1, 2), 2, True),
         lambda x: TF.lp_pool3d(x, 3, (2, 1, 2), 2, True), [(1, 2, 5, 3, 5)], low=0.1),
    Case("adaptive_avg_pool3d divides", lambda x: F.adaptive_avg_pool3d(x, (2, 1, 3)),
         lambda x: TF.adaptive_avg_pool3d(x, (2, 1, 3)), [(2, 3, 4, 5, 6)]),
    Case("adaptive_avg_pool3d ragged None", lambda x: F.adaptive_avg_pool3d(x, (3, None, 4)),
         lambda x: TF.adaptive_avg_pool3d(x, (3, None, 4)), [(2, 5, 3, 7)]),
    Case("adaptive_max_pool3d ragged", lambda x: F.adaptive_max_pool3d(x, (2, 3, 2), True),
         lambda x: TF.adaptive_max_pool3d(x, (2, 3, 2), True), [(2, 3, 5, 7, 3)]),
    Case("adaptive_max_pool3d divides", lambda x: F.adaptive_max_pool3d(x, 2, True),
         lambda x: TF.adaptive_max_pool3d(x, 2, True), [(2, 2, 4, 6, 2)]),
    Case("adaptive_max_pool3d values", lambda x: F.adaptive_max_pool3d(x, (1, 2, 3)),
         lambda x: TF.adaptive_max_pool3d(x, (1, 2, 3)), [(3, 4, 5, 7)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_op_matches_torch(case: Case) -> None:
    check_parity(case)


def test_conv1d_and_conv2d_take_the_flat_padding_of_pad() -> None:
    """(left, right, ...) for every axis, last axis first, as F.pad takes it: the same as padding first."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 3, 9, 7)).astype(np.float32), rng.normal(size=(4, 3, 3, 2)).astype(np.float32)
    expected = TF.conv2d(TF.pad(torch.tensor(x), (2, 0, 1, 3)), torch.tensor(w))
    np.testing.assert_allclose(F.conv2d(tensor(x), tensor(w), padding=(2, 0, 1, 3)).numpy(), expected.numpy(),
                               rtol=1e-5, atol=1e-5)
    expected = TF.conv1d(TF.pad(torch.tensor(x[:, :, 0]), (0, 2)), torch.tensor(w[:, :, 0]))
    np.testing.assert_allclose(F.conv1d(tensor(x[:, :, 0]), tensor(w[:, :, 0]), padding=(0, 2)).numpy(),
                               expected.numpy(), rtol=1e-5, atol=1e-5)


def test_max_unpool3d_inverts_max_pool3d_with_indices() -> None:
    values = np.random.default_rng(1).normal(size=(2, 3, 5, 6, 5)).astype(np.float32)
    pooled, indices = F.max_pool3d(tensor(values), 2, return_indices=True)
    t_pooled, t_indices = TF.max_pool3d(torch.tensor(values), 2, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    out = F.max_unpool3d(pooled, indices, 2, output_size=(5, 6, 5))
    expected = TF.max_unpool3d(t_pooled, t_indices, 2, output_size=(5, 6, 5))
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_max_unpool3d_gradient_matches_torch() -> None:
    values = np.random.default_rng(3).normal(size=(1, 2, 4, 4, 4)).astype(np.float32)
    ours, theirs = tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    pooled, indices = F.max_pool3d(ours, 2, return_indices=True)
    t_pooled, t_indices = TF.max_pool3d(theirs, 2, return_indices=True)
    weights = np.random.default_rng(4).normal(size=(1, 2, 4, 4, 4)).astype(np.float32)
    (F.max_unpool3d(pooled, indices, 2) * tensor(weights)).sum().backward()
    (TF.max_unpool3d(t_pooled, t_indices, 2) * torch.tensor(weights)).sum().backward()
    assert ours.grad is not None and theirs.grad is not None
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


MODULES = [
    (lambda: nn.Conv3d(4, 6, (3, 2, 2), (2, 1, 1), 1, groups=2), lambda: torch.nn.Conv3d(4, 6, (3, 2, 2), (2, 1, 1), 1,
                                                                                         groups=2), (2, 4, 5, 6, 4)),
    (lambda: nn.Conv3d(2, 3, 3, padding="same", padding_mode="reflect"),
     lambda: torch.nn.Conv3d(2, 3, 3, padding="same", padding_mode="reflect"), (2, 2, 4, 5, 4)),
    (lambda: nn.ConvTranspose3d(4, 2, (2, 3, 2), 2, 1, 1, dilation=1),
     lambda: torch.nn.ConvTranspose3d(4, 2, (2, 3, 2), 2, 1, 1, dilation=1), (2, 4, 3, 3, 4)),
]


@pytest.mark.parametrize("make, make_torch, shape", MODULES)
def test_module_state_dicts_load_both_ways(make, make_torch, shape) -> None:  # type: ignore[no-untyped-def]
    x = np.random.default_rng(5).normal(size=shape).astype(np.float32)
    ours, theirs = make(), make_torch()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-5)
    fresh_ours, fresh_theirs = make(), make_torch()
    fresh_theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in fresh_ours.state_dict().items()})
    np.testing.assert_allclose(fresh_ours(tensor(x)).numpy(), fresh_theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


POOL_MODULES = [
    (nn.MaxPool3d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool3d(3, 2, 1, ceil_mode=True)),
    (nn.AvgPool3d(2, 1, 1, count_include_pad=False), torch.nn.AvgPool3d(2, 1, 1, count_include_pad=False)),
    (nn.LPPool3d(2, 2), torch.nn.LPPool3d(2, 2)),
    (nn.AdaptiveAvgPool3d((2, 3, 1)), torch.nn.AdaptiveAvgPool3d((2, 3, 1))),
    (nn.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2)),
]


@pytest.mark.parametrize("ours, theirs", POOL_MODULES, ids=lambda m: type(m).__name__)
def test_pool_modules_match_torch(ours: nn.Module, theirs: torch.nn.Module) -> None:
    x = np.random.default_rng(6).uniform(0.1, 2, size=(2, 3, 5, 6, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", ["ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d",
                                  "CircularPad3d"])
def test_3d_padding_modules_match_torch(name: str) -> None:
    x = np.random.default_rng(8).normal(size=(2, 3, 3, 4, 5)).astype(np.float32)
    args: tuple[object, ...] = ((1, 2, 0, 1, 2, 1), 0.5) if name == "ConstantPad3d" else ((1, 2, 0, 1, 2, 1),)
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    ours_in, theirs_in = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(ours_in), theirs(theirs_in)
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    weights = np.random.default_rng(9).normal(size=expected.shape).astype(np.float32)
    (out * tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    assert ours_in.grad is not None and theirs_in.grad is not None
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours) == repr(theirs)


def test_max_unpool3d_module_matches_torch() -> None:
    x = np.random.default_rng(7).normal(size=(2, 3, 4, 4, 6)).astype(np.float32)
    pooled, indices = nn.MaxPool3d(2, return_indices=True)(tensor(x))
    t_pooled, t_indices = torch.nn.MaxPool3d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(nn.MaxUnpool3d(2)(pooled, indices).numpy(),
                                  torch.nn.MaxUnpool3d(2)(t_pooled, t_indices).numpy())
    assert repr(nn.MaxUnpool3d(2)) == repr(torch.nn.MaxUnpool3d(2))


BAD = [
    (lambda: F.conv3d(Tensor.ones(2, 4, 4), Tensor.ones(3, 2, 2, 2, 2)),
     r"conv3d: expected an input of shape \(N, C, D, H, W\) or \(C, D, H, W\), got shape \(2, 4, 4\)"),
    (lambda: F.conv3d(Tensor.ones(1, 2, 4, 4, 4), Tensor.ones(3, 2, 2, 2)),
     r"conv3d: expected a weight of shape \(out_channels, in_channels / groups, kD, kH, kW\), got \(3, 2, 2, 2\)"),
    (lambda: F.conv3d(Tensor.ones(1, 2, 4, 4, 4), Tensor.ones(3, 3, 2, 2, 2)),
     r"conv3d: input \(1, 2, 4, 4, 4\) with groups=1 does not fit weight \(3, 3, 2, 2, 2\)"),
    (lambda: F.conv3d(Tensor.ones(1, 2, 4, 4, 4), Tensor.ones(3, 2, 2, 2, 2), stride=(1, 2)),
     r"conv3d: stride must be an int >= 1 or a triple of them, got \(1, 2\)"),
    (lambda: F.conv3d(Tensor.ones(1, 2, 2, 4, 4), Tensor.ones(3, 2, 3, 2, 2)),
     r"conv3d: the kernel \(3, 2, 2\) with dilation \(1, 1, 1\) spans \(3, 2, 2\)"),
    (lambda: F.conv_transpose3d(Tensor.ones(1, 2, 4, 4, 4), Tensor.ones(2, 3, 2, 2, 2), output_padding=1),
     r"conv_transpose3d: output_padding \(1, 1, 1\) must be smaller than the stride"),
    (lambda: F.max_pool3d(Tensor.ones(2, 4, 4), 2), r"max_pool3d: expected an input of shape \(N, C, D, H, W\)"),
    (lambda: F.avg_pool3d(Tensor.ones(1, 1, 4, 4, 4), 2, padding=2),
     r"avg_pool3d: padding \(2, 2, 2\) must be at most half the kernel size \(2, 2, 2\)"),
    (lambda: F.adaptive_avg_pool3d(Tensor.ones(1, 1, 4, 4, 4), (2, 2)),
     r"adaptive_avg_pool3d: output_size must be an int or 3 of them, got \(2, 2\)"),
    (lambda: F.max_unpool3d(Tensor.ones(1, 1, 2, 2, 2), Tensor.zeros(1, 1, 2, 2).long(), 2),
     r"max_unpool3d: indices must be integer and of the input's shape \(1, 1, 2, 2, 2\)"),
    (lambda: nn.Conv3d(2, 3, 2)(Tensor.ones(1, 3, 4, 4, 4)), r"Conv3d"),
    (lambda: nn.MaxPool3d(2)(Tensor.ones(4, 4)), r"MaxPool3d"),
]


@pytest.mark.parametrize("call, message", BAD)
def test_bad_input_names_the_op_and_the_shapes(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_integer_input_is_refused() -> None:
    with pytest.raises(TypeError, match="conv3d: expected a floating-point input, got int64"):
        F.conv3d(Tensor.ones(1, 1, 2, 2, 2).long(), Tensor.ones(1, 1, 1, 1, 1))
