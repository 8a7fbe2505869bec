"""edugrad.nn.functional's convolutions, poolings and image ops against torch 2.13: values, dtypes and the
gradients of every input (the parity harness), and the indices of the max pools."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from parity import Case, check_parity

from edugrad.nn import functional as F
from edugrad.tensor import Tensor, dtypes

CONV = [
    Case("conv1d", F.conv1d, TF.conv1d, [(2, 3, 9), (4, 3, 3), (4,)]),
    Case("conv1d stride padding dilation groups", lambda x, w: F.conv1d(x, w, None, 2, 2, 2, 2),
         lambda x, w: TF.conv1d(x, w, None, 2, 2, 2, 2), [(2, 4, 11), (6, 2, 3)]),
    Case("conv1d same unbatched", lambda x, w: F.conv1d(x, w, padding="same"),
         lambda x, w: TF.conv1d(x, w, padding="same"), [(3, 8), (2, 3, 3)]),
    Case("conv2d", lambda x, w, b: F.conv2d(x, w, b, (2, 1), 1), lambda x, w, b: TF.conv2d(x, w, b, (2, 1), 1),
         [(2, 3, 7, 6), (4, 3, 3, 3), (4,)]),
    Case("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1),
         lambda x, w, b: TF.conv_transpose1d(x, w, b, 2, 1, 1), [(2, 3, 5), (3, 2, 3), (2,)]),
    Case("conv_transpose1d groups dilation", lambda x, w: F.conv_transpose1d(x, w, groups=2, dilation=2),
         lambda x, w: TF.conv_transpose1d(x, w, groups=2, dilation=2), [(2, 4, 5), (4, 3, 2)]),
    Case("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
         lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, 1, 1), [(2, 3, 4, 4), (3, 2, 3, 3), (2,)]),
    Case("unfold", lambda x: F.unfold(x, (2, 3), 1, 1, 2), lambda x: TF.unfold(x, (2, 3), 1, 1, 2), [(2, 3, 5, 6)]),
    Case("unfold dilation unbatched", lambda x: F.unfold(x, 2, dilation=2), lambda x: TF.unfold(x, 2, dilation=2),
         [(3, 5, 5)]),
    Case("fold", lambda x: F.fold(x, (4, 5), 2), lambda x: TF.fold(x, (4, 5), 2), [(2, 12, 12)]),
    Case("fold padding stride dilation", lambda x: F.fold(x, (5, 6), (2, 3), 2, 1, 2),
         lambda x: TF.fold(x, (5, 6), (2, 3), 2, 1, 2), [(1, 12, 6)]),
]

POOL = [
    Case("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: TF.max_pool1d(x, 3, 2, 1), [(2, 3, 9)]),
    Case("max_pool1d ceil unbatched", lambda x: F.max_pool1d(x, 2, ceil_mode=True),
         lambda x: TF.max_pool1d(x, 2, ceil_mode=True), [(3, 7)]),
    Case("max_pool2d", lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), [(2, 3, 6, 7)]),
    Case("max_pool2d ceil_mode", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
         lambda x: TF.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(2, 2, 6, 7)]),
    Case("max_pool2d ceil dilation", lambda x: F.max_pool2d(x, 2, 2, 0, 2, ceil_mode=True),
         lambda x: TF.max_pool2d(x, 2, 2, 0, 2, ceil_mode=True), [(1, 2, 8, 7)]),
    Case("max_pool2d indices", lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True),
         lambda x: TF.max_pool2d(x, 3, 2, 1, return_indices=True), [(2, 2, 7, 6)]),
    Case("max_pool1d indices", lambda x: F.max_pool1d(x, 2, return_indices=True, ceil_mode=True),
         lambda x: TF.max_pool1d(x, 2, return_indices=True, ceil_mode=True), [(2, 2, 7)]),
    Case("avg_pool1d", lambda x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False),
         lambda x: TF.avg_pool1d(x, 3, 2, 1, count_include_pad=False), [(2, 3, 8)]),
    Case("avg_pool2d ceil_mode", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
         lambda x: TF.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [(2, 2, 6, 5)]),
    Case("avg_pool2d ceil without pad", lambda x: F.avg_pool2d(x, 2, ceil_mode=True, count_include_pad=False),
         lambda x: TF.avg_pool2d(x, 2, ceil_mode=True, count_include_pad=False), [(1, 2, 5, 5)]),
    Case("avg_pool2d ceil count_include_pad=False", lambda x: F.avg_pool2d(x, 3, 2, 1, True, False),
         lambda x: TF.avg_pool2d(x, 3, 2, 1, True, False), [(1, 2, 6, 6)]),
    Case("avg_pool2d divisor_override", lambda x: F.avg_pool2d(x, 2, 1, divisor_override=3),
         lambda x: TF.avg_pool2d(x, 2, 1, divisor_override=3), [(2, 2, 4, 4)]),
    Case("lp_pool2d", lambda x: F.lp_pool2d(x, 2, 2), lambda x: TF.lp_pool2d(x, 2, 2), [(2, 2, 4, 6)], low=0.1),
    Case("lp_pool1d", lambda x: F.lp_pool1d(x, 3, 2, 1), lambda x: TF.lp_pool1d(x, 3, 2, 1), [(2, 2, 5)], low=0.1),
    Case("adaptive_avg_pool2d divides", lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
         lambda x: TF.adaptive_avg_pool2d(x, (2, 3)), [(2, 3, 4, 6)]),
    Case("adaptive_avg_pool2d ragged", lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
         lambda x: TF.adaptive_avg_pool2d(x, (3, 4)), [(2, 3, 5, 7)]),
    Case("adaptive_avg_pool2d None", lambda x: F.adaptive_avg_pool2d(x, (None, 2)),
         lambda x: TF.adaptive_avg_pool2d(x, (None, 2)), [(3, 5, 7)]),
    Case("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3), lambda x: TF.adaptive_avg_pool1d(x, 3),
         [(2, 3, 7)]),
    Case("global average", lambda x: F.adaptive_avg_pool2d(x, 1), lambda x: TF.adaptive_avg_pool2d(x, 1),
         [(2, 3, 5, 5)]),
    Case("adaptive_max_pool2d ragged", lambda x: F.adaptive_max_pool2d(x, (2, 3), True),
         lambda x: TF.adaptive_max_pool2d(x, (2, 3), True), [(2, 3, 5, 7)]),
    Case("adaptive_max_pool2d divides", lambda x: F.adaptive_max_pool2d(x, 2, True),
         lambda x: TF.adaptive_max_pool2d(x, 2, True), [(2, 3, 4, 6)]),
    Case("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 4), lambda x: TF.adaptive_max_pool1d(x, 4),
         [(2, 3, 9)]),
]

IMAGE = [
    Case("pad constant", lambda x: F.pad(x, (1, 2, 0, 1), value=3.0), lambda x: TF.pad(x, (1, 2, 0, 1), value=3.0),
         [(2, 3, 4)]),
    Case("pad reflect", lambda x: F.pad(x, (2, 1, 1, 2), "reflect"), lambda x: TF.pad(x, (2, 1, 1, 2), "reflect"),
         [(2, 3, 4, 5)]),
    Case("pad replicate", lambda x: F.pad(x, (2, 0, 3, 1), "replicate"),
         lambda x: TF.pad(x, (2, 0, 3, 1), "replicate"), [(1, 2, 3, 4)]),
    Case("pad circular", lambda x: F.pad(x, (2, 1), "circular"), lambda x: TF.pad(x, (2, 1), "circular"),
         [(2, 3, 4)]),
    Case("pad circular negative", lambda x: F.pad(x, (-1, 2, 1, 0), "circular"),
         lambda x: TF.pad(x, (-1, 2, 1, 0), "circular"), [(1, 2, 3, 4)]),
    Case("pad reflect 3 dims", lambda x: F.pad(x, (1, 1, 1, 0, 0, 1), "reflect"),
         lambda x: TF.pad(x, (1, 1, 1, 0, 0, 1), "reflect"), [(1, 2, 3, 3, 3)]),
    Case("nearest scale", lambda x: F.interpolate(x, scale_factor=2), lambda x: TF.interpolate(x, scale_factor=2),
         [(2, 3, 3, 4)]),
    Case("nearest size", lambda x: F.interpolate(x, size=(5, 3)), lambda x: TF.interpolate(x, size=(5, 3)),
         [(2, 3, 3, 4)]),
    Case("nearest fractional", lambda x: F.interpolate(x, scale_factor=1.5),
         lambda x: TF.interpolate(x, scale_factor=1.5), [(1, 2, 5)]),
    Case("nearest-exact", lambda x: F.interpolate(x, size=(7, 3), mode="nearest-exact"),
         lambda x: TF.interpolate(x, size=(7, 3), mode="nearest-exact"), [(1, 2, 4, 5)]),
    Case("bilinear", lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"),
         lambda x: TF.interpolate(x, size=(5, 7), mode="bilinear"), [(2, 3, 3, 4)]),
    Case("bilinear align_corners", lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True),
         lambda x: TF.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True), [(2, 2, 3, 4)]),
    Case("bilinear downsample", lambda x: F.interpolate(x, scale_factor=0.6, mode="bilinear"),
         lambda x: TF.interpolate(x, scale_factor=0.6, mode="bilinear"), [(1, 2, 6, 7)]),
    Case("linear recompute", lambda x: F.interpolate(x, scale_factor=0.7, mode="linear", recompute_scale_factor=True),
         lambda x: TF.interpolate(x, scale_factor=0.7, mode="linear", recompute_scale_factor=True), [(1, 2, 5)]),
    Case("area", lambda x: F.interpolate(x, size=(2, 3), mode="area"),
         lambda x: TF.interpolate(x, size=(2, 3), mode="area"), [(2, 3, 5, 7)]),
    Case("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), [(2, 8, 3, 4)]),
    Case("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2), [(3, 4, 6)]),
    Case("channel_shuffle", lambda x: F.channel_shuffle(x, 3), lambda x: TF.channel_shuffle(x, 3), [(2, 6, 2, 2)]),
    Case("native_channel_shuffle", lambda x: F.native_channel_shuffle(x, 2),
         lambda x: TF.native_channel_shuffle(x, 2), [(2, 4, 3)], grad=False),  # torch has no backward for it
]


@pytest.mark.parametrize("case", CONV + POOL + IMAGE, ids=str)
def test_op_matches_torch(case: Case) -> None:
    check_parity(case)


def test_upsample_aliases_warn_and_match_torch() -> None:
    x = np.random.default_rng(0).normal(size=(1, 2, 3, 3)).astype(np.float32)
    for ours, theirs in [(lambda t: F.upsample(t, scale_factor=2), lambda t: TF.upsample(t, scale_factor=2)),
                         (lambda t: F.upsample_nearest(t, size=5), lambda t: TF.upsample_nearest(t, size=5)),
                         (lambda t: F.upsample_bilinear(t, size=4), lambda t: TF.upsample_bilinear(t, size=4))]:
        with pytest.warns(UserWarning, match="deprecated"):
            out = ours(Tensor(x))
        with pytest.warns(UserWarning):
            expected = theirs(torch.tensor(x))
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_max_unpool_inverts_max_pool_with_indices() -> None:
    values = np.random.default_rng(1).normal(size=(2, 3, 6, 5)).astype(np.float32)
    for args in [(2,), (3, 2, 1)]:
        pooled, indices = F.max_pool2d(Tensor(values), *args, return_indices=True)
        t_pooled, t_indices = TF.max_pool2d(torch.tensor(values), *args, return_indices=True)
        assert indices.dtype is dtypes.int64 and indices.tolist() == t_indices.tolist()
        x = Tensor(pooled.numpy(), requires_grad=True)
        out = F.max_unpool2d(x, indices, *args, output_size=values.shape[-2:])
        expected = TF.max_unpool2d(t_pooled, t_indices, *args, output_size=values.shape[-2:])
        np.testing.assert_array_equal(out.numpy(), expected.numpy())
        out.sum().backward()
        assert x.grad is not None and np.array_equal(x.grad.numpy(), np.ones(pooled.shape, np.float32))
    line = np.random.default_rng(2).normal(size=(2, 3, 8)).astype(np.float32)
    pooled, indices = F.max_pool1d(Tensor(line), 2, return_indices=True)
    t_pooled, t_indices = TF.max_pool1d(torch.tensor(line), 2, return_indices=True)
    np.testing.assert_array_equal(F.max_unpool1d(pooled, indices, 2).numpy(),
                                  TF.max_unpool1d(t_pooled, t_indices, 2).numpy())


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="conv1d: expected an input of shape"):
        F.conv1d(Tensor.ones(2, 3, 4, 5), Tensor.ones(1, 3, 2))
    with pytest.raises(ValueError, match="pad: reflect padding"):
        F.pad(Tensor.ones(1, 2, 3), (3, 0), "reflect")
    with pytest.raises(ValueError, match="pad: replicate padding of 2 dims needs an input of 3 or 4 dims"):
        F.pad(Tensor.ones(2, 3), (1, 1, 1, 1), "replicate")
    with pytest.raises(ValueError, match="pad: mode must be one of"):
        F.pad(Tensor.ones(2, 3), (1, 1), "wrap")
    with pytest.raises(ValueError, match="interpolate: align_corners option can only be set"):
        F.interpolate(Tensor.ones(1, 1, 2, 2), scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="interpolate: pass exactly one of size and scale_factor"):
        F.interpolate(Tensor.ones(1, 1, 2, 2))
    with pytest.raises(ValueError, match="pixel_shuffle: expected an input"):
        F.pixel_shuffle(Tensor.ones(1, 3, 2, 2), 2)
    with pytest.raises(ValueError, match="fold: expected columns of shape"):
        F.fold(Tensor.ones(1, 12, 5), (4, 5), 2)
    with pytest.raises(ValueError, match="avg_pool2d: divisor_override must be a positive int"):
        F.avg_pool2d(Tensor.ones(1, 1, 2, 2), 2, divisor_override=0)
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size must"):
        F.adaptive_avg_pool2d(Tensor.ones(1, 1, 2, 2), (1, 2, 3))


def test_with_indices_functions_return_values_and_indices_as_torchs() -> None:
    rng = np.random.default_rng(3)
    line, image = rng.normal(size=(2, 3, 9)).astype(np.float32), rng.normal(size=(2, 3, 5, 7)).astype(np.float32)
    for ours, theirs, x, args in [(F.max_pool1d_with_indices, TF.max_pool1d_with_indices, line, (3, 2)),
                                  (F.max_pool2d_with_indices, TF.max_pool2d_with_indices, image, (2, 1)),
                                  (F.adaptive_max_pool1d_with_indices, TF.adaptive_max_pool1d_with_indices, line, (4,)),
                                  (F.adaptive_max_pool2d_with_indices, TF.adaptive_max_pool2d_with_indices, image,
                                   ((2, 3),))]:
        values, indices = ours(Tensor(x), *args)
        t_values, t_indices = theirs(torch.tensor(x), *args)
        np.testing.assert_array_equal(values.numpy(), t_values.numpy())
        assert indices.tolist() == t_indices.tolist()
