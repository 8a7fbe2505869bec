"""Parity of the nn ops with torch.nn.functional: values, dtypes and the gradients of input, weight and bias.

Inputs are uniform random floats, so no pooling window holds two equal maxima (where edugrad shares the
gradient and PyTorch gives it to one element; see test_nn_ops.py)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from parity import Case, check_parity

from edugrad.tensor import Tensor, tensor

IDX = np.array([[1, 4, 1], [0, 4, 4]])  # repeated rows: their gradients must add up
BOOL_MASK = np.random.default_rng(5).integers(0, 2, (4, 5)).astype(bool) | np.eye(4, 5, dtype=bool)  # no empty row
FLOAT_MASK = np.random.default_rng(6).uniform(-2, 2, (4, 5)).astype(np.float32)


def batch_norm_eval(x, w, b, m, v):  # PyTorch's functional batch norm given the statistics (eval mode)
    return F.batch_norm(x, m.detach(), v.detach(), w, b, training=False, eps=1e-3)


def batch_norm_ours(x, w, b, m, v):  # the same with edugrad's (mean, invstd) arguments
    return x.batchnorm(w, b, m.detach(), (v.detach() + 1e-3).rsqrt())


CONV = [
    Case("conv2d", lambda x, w, b: x.conv2d(w, b), F.conv2d, [(2, 3, 7, 6), (4, 3, 3, 3), (4,)]),
    Case("conv2d no bias", lambda x, w: x.conv2d(w), F.conv2d, [(2, 3, 5, 5), (2, 3, 3, 3)]),
    Case("conv2d stride padding", lambda x, w, b: x.conv2d(w, b, stride=2, padding=1),
         lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), [(2, 2, 7, 8), (3, 2, 3, 3), (3,)]),
    Case("conv2d per-side padding", lambda x, w, b: x.conv2d(w, b, padding=(1, 2, 0, 3)),
         lambda x, w, b: F.conv2d(F.pad(x, (1, 2, 0, 3)), w, b), [(2, 2, 5, 6), (3, 2, 3, 2), (3,)]),
    Case("conv2d (ph, pw) padding and dilation", lambda x, w, b: x.conv2d(w, b, padding=(2, 1), dilation=(2, 1)),
         lambda x, w, b: F.conv2d(x, w, b, padding=(2, 1), dilation=(2, 1)), [(1, 2, 6, 5), (2, 2, 3, 3), (2,)]),
    Case("conv2d groups stride", lambda x, w, b: x.conv2d(w, b, stride=(1, 2), groups=2),
         lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), groups=2), [(2, 4, 6, 7), (6, 2, 3, 2), (6,)]),
    Case("conv2d depthwise", lambda x, w: x.conv2d(w, groups=3), lambda x, w: F.conv2d(x, w, groups=3),
         [(2, 3, 5, 5), (6, 1, 3, 3)]),
    Case("conv2d non-square", lambda x, w, b: x.conv2d(w, b, stride=(2, 1)),
         lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1)), [(2, 3, 9, 4), (2, 3, 2, 4), (2,)]),
    Case("conv2d 1x1", lambda x, w, b: x.conv2d(w, b), F.conv2d, [(2, 4, 3, 3), (5, 4, 1, 1), (5,)]),
    Case("conv2d same", lambda x, w: x.conv2d(w, padding="same", dilation=2),
         lambda x, w: F.conv2d(x, w, padding="same", dilation=2), [(1, 2, 6, 7), (3, 2, 2, 3)]),
    Case("conv2d valid", lambda x, w: x.conv2d(w, padding="valid"), lambda x, w: F.conv2d(x, w, padding="valid"),
         [(1, 2, 5, 5), (3, 2, 3, 3)]),
    Case("conv2d unbatched", lambda x, w, b: x.conv2d(w, b, padding=1), lambda x, w, b: F.conv2d(x, w, b, padding=1),
         [(3, 5, 5), (2, 3, 3, 3), (2,)]),
    Case("conv2d float64", lambda x, w, b: x.conv2d(w, b, stride=2), lambda x, w, b: F.conv2d(x, w, b, stride=2),
         [(2, 3, 6, 6), (4, 3, 3, 3), (4,)], dtype="float64", atol=1e-10, rtol=1e-10),
    Case("conv_transpose2d", lambda x, w, b: x.conv_transpose2d(w, b), F.conv_transpose2d,
         [(2, 3, 4, 5), (3, 2, 3, 3), (2,)]),
    Case("conv_transpose2d no bias", lambda x, w: x.conv_transpose2d(w), F.conv_transpose2d,
         [(1, 2, 3, 3), (2, 3, 2, 2)]),
    Case("conv_transpose2d stride padding output_padding",
         lambda x, w, b: x.conv_transpose2d(w, b, stride=2, padding=1, output_padding=1),
         lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
         [(2, 3, 4, 4), (3, 2, 3, 3), (2,)]),
    Case("conv_transpose2d output_padding beyond padding",
         lambda x, w, b: x.conv_transpose2d(w, b, stride=3, output_padding=(2, 1)),
         lambda x, w, b: F.conv_transpose2d(x, w, b, stride=3, output_padding=(2, 1)),
         [(1, 2, 3, 4), (2, 2, 2, 3), (2,)]),
    Case("conv_transpose2d groups dilation",
         lambda x, w, b: x.conv_transpose2d(w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2,
                                            dilation=2),
         lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                            groups=2, dilation=2),
         [(2, 4, 3, 4), (4, 3, 3, 2), (6,)]),
    Case("conv_transpose2d unbatched", lambda x, w: x.conv_transpose2d(w, stride=2),
         lambda x, w: F.conv_transpose2d(x, w, stride=2), [(2, 3, 3), (2, 3, 2, 2)]),
]

POOL = [
    Case("max_pool2d 2", lambda x: x.max_pool2d(2), lambda x: F.max_pool2d(x, 2), [(2, 3, 6, 8)]),
    Case("max_pool2d ragged edge", lambda x: x.max_pool2d(2), lambda x: F.max_pool2d(x, 2), [(2, 2, 7, 5)]),
    Case("max_pool2d 3 stride 2 padding 1", lambda x: x.max_pool2d(3, stride=2, padding=1),
         lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [(2, 2, 9, 8)]),
    Case("max_pool2d 2 padding 1", lambda x: x.max_pool2d(2, padding=1),
         lambda x: F.max_pool2d(x, 2, padding=1), [(1, 2, 5, 6)]),
    Case("max_pool2d overlapping", lambda x: x.max_pool2d(3, stride=1), lambda x: F.max_pool2d(x, 3, stride=1),
         [(2, 2, 6, 5)]),
    Case("max_pool2d non-square dilation", lambda x: x.max_pool2d((2, 3), stride=(1, 2), dilation=2),
         lambda x: F.max_pool2d(x, (2, 3), stride=(1, 2), dilation=2), [(1, 3, 7, 9)]),
    Case("max_pool2d unbatched", lambda x: x.max_pool2d(2), lambda x: F.max_pool2d(x, 2), [(3, 4, 6)]),
    Case("avg_pool2d 2", lambda x: x.avg_pool2d(2), lambda x: F.avg_pool2d(x, 2), [(2, 3, 6, 7)]),
    Case("avg_pool2d 3 stride 2 padding 1", lambda x: x.avg_pool2d(3, stride=2, padding=1),
         lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), [(2, 2, 7, 8)]),
    Case("avg_pool2d count_include_pad False", lambda x: x.avg_pool2d(3, stride=2, padding=1, count_include_pad=False),
         lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), [(2, 2, 7, 8)]),
    Case("avg_pool2d non-square", lambda x: x.avg_pool2d((3, 2), stride=(1, 2), padding=(1, 0)),
         lambda x: F.avg_pool2d(x, (3, 2), stride=(1, 2), padding=(1, 0)), [(1, 2, 5, 6)]),
    Case("avg_pool2d unbatched", lambda x: x.avg_pool2d(2, stride=1), lambda x: F.avg_pool2d(x, 2, stride=1),
         [(2, 4, 4)]),
]

NORM = [
    Case("layernorm", lambda x: x.layernorm(), lambda x: F.layer_norm(x, (6,)), [(3, 4, 6)]),
    Case("layernorm two axes eps", lambda x: x.layernorm(axis=(-2, -1), eps=1e-2),
         lambda x: F.layer_norm(x, (4, 6), eps=1e-2), [(3, 4, 6)]),
    Case("batchnorm", batch_norm_ours, batch_norm_eval, [(4, 3, 2, 5), (3,), (3,), (3,), (3,)], low=0.1),
    Case("batchnorm without weight and bias", lambda x, m, v: batch_norm_ours(x, None, None, m, v),
         lambda x, m, v: batch_norm_eval(x, None, None, m, v), [(4, 3, 5), (3,), (3,)], low=0.1),
    Case("batchnorm statistics gradients", lambda x, w, b, m, s: x.batchnorm(w, b, m, s),
         lambda x, w, b, m, s: (x - m[:, None]) * (s * w)[:, None] + b[:, None], [(4, 3, 5)] + [(3,)] * 4),
]

LOOKUP = [
    Case("embedding repeated indices", lambda w: tensor(IDX).embedding(w), lambda w: F.embedding(torch.tensor(IDX), w),
         [(5, 3)]),
    Case("embedding 0-d index", lambda w: tensor(2).embedding(w), lambda w: F.embedding(torch.tensor(2), w), [(4, 3)]),
    Case("sdpa", lambda q, k, v: q.scaled_dot_product_attention(k, v), F.scaled_dot_product_attention,
         [(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)]),
    Case("sdpa bool mask", lambda q, k, v: q.scaled_dot_product_attention(k, v, attn_mask=tensor(BOOL_MASK)),
         lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(BOOL_MASK)),
         [(2, 4, 8), (2, 5, 8), (2, 5, 3)]),
    Case("sdpa float mask", lambda q, k, v: q.scaled_dot_product_attention(k, v, attn_mask=Tensor(FLOAT_MASK)),
         lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor(FLOAT_MASK)),
         [(2, 4, 8), (2, 5, 8), (2, 5, 3)]),
    Case("sdpa causal", lambda q, k, v: q.scaled_dot_product_attention(k, v, is_causal=True),
         lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), [(2, 4, 8), (2, 5, 8), (2, 5, 3)]),
    Case("sdpa broadcast batch", lambda q, k, v: q.scaled_dot_product_attention(k, v, is_causal=True),
         lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
         [(2, 3, 4, 8), (1, 3, 4, 8), (2, 1, 4, 5)]),
]


@pytest.mark.parametrize("case", CONV + POOL + NORM + LOOKUP, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)


def random_conv_case(seed: int, transposed: bool) -> Case:
    """A random valid configuration: kernel, stride, padding, dilation, groups and sizes on both axes."""
    rng = np.random.default_rng(seed)
    groups = int(rng.integers(1, 3))
    c, f = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel, stride, dilation = (tuple(int(v) for v in rng.integers(1, 4, 2)) for _ in range(3))
    size = tuple(int(d * (k - 1) + rng.integers(1, 5)) for k, d in zip(kernel, dilation))
    padding = tuple(int(rng.integers(0, (d * (k - 1)) // 2 + 1)) for k, d in zip(kernel, dilation))
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    if transposed:
        kwargs["output_padding"] = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        return Case(f"conv_transpose2d {kwargs}", lambda x, w, b, **k: x.conv_transpose2d(w, b, **k),
                    F.conv_transpose2d, [(2, c, *size), (c, f // groups, *kernel), (f,)], kwargs=kwargs)
    return Case(f"conv2d {kwargs}", lambda x, w, b, **k: x.conv2d(w, b, **k), F.conv2d,
                [(2, c, *size), (f, c // groups, *kernel), (f,)], kwargs=kwargs)


@pytest.mark.parametrize("transposed", [False, True], ids=["conv2d", "conv_transpose2d"])
@pytest.mark.parametrize("seed", range(12))
def test_random_convolutions(seed: int, transposed: bool) -> None:
    check_parity(random_conv_case(seed, transposed), seed)


def random_pool_case(seed: int, kind: str) -> Case:
    """A random valid pooling: kernel, stride, padding (at most half the kernel) and, for max, dilation."""
    rng = np.random.default_rng(seed)
    kernel, stride = (tuple(int(v) for v in rng.integers(1, 4, 2)) for _ in range(2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, 2)) if kind == "max" else (1, 1)
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    size = tuple(int(d * (k - 1) + rng.integers(1, 6)) for k, d in zip(kernel, dilation))
    kwargs: dict[str, object] = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if kind == "max":
        kwargs["dilation"] = dilation
        return Case(f"max_pool2d {kwargs}", lambda x, **k: x.max_pool2d(**k), F.max_pool2d, [(2, 2, *size)],
                    kwargs=kwargs)
    kwargs["count_include_pad"] = bool(rng.integers(0, 2))
    return Case(f"avg_pool2d {kwargs}", lambda x, **k: x.avg_pool2d(**k), F.avg_pool2d, [(2, 2, *size)],
                kwargs=kwargs)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("seed", range(10))
def test_random_pools(seed: int, kind: str) -> None:
    check_parity(random_pool_case(seed, kind), seed)
