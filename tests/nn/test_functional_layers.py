"""edugrad.nn.functional's layer ops against torch 2.13: linear and bilinear, embedding and one_hot, the
normalizations (with their running statistics), the distances and scaled_dot_product_attention."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from parity import Case, check_parity

from edugrad.nn import functional as F
from edugrad.tensor import Tensor, dtypes, tensor

CASES = [
    Case("linear", F.linear, TF.linear, [(4, 3), (5, 3), (5,)]),
    Case("linear no bias 3-d", F.linear, TF.linear, [(2, 4, 3), (5, 3)]),
    Case("linear vector weight", F.linear, TF.linear, [(2, 3), (3,)]),
    Case("bilinear", F.bilinear, TF.bilinear, [(4, 3), (4, 2), (5, 3, 2), (5,)]),
    Case("bilinear batch dims", F.bilinear, TF.bilinear, [(2, 4, 3), (2, 4, 2), (5, 3, 2)]),
    Case("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), lambda x, w, b: TF.layer_norm(x, (4,), w, b),
         [(3, 2, 4), (4,), (4,)]),
    Case("layer_norm 2 dims no affine", lambda x: F.layer_norm(x, (2, 4), eps=1e-3),
         lambda x: TF.layer_norm(x, (2, 4), eps=1e-3), [(3, 2, 4)]),
    Case("rms_norm", lambda x, w: F.rms_norm(x, [4], w), lambda x, w: TF.rms_norm(x, [4], w), [(3, 4), (4,)]),
    Case("rms_norm eps", lambda x: F.rms_norm(x, [4], eps=0.1), lambda x: TF.rms_norm(x, [4], eps=0.1), [(3, 4)]),
    Case("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b),
         [(2, 4, 3, 2), (4,), (4,)]),
    Case("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
         lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), [(2, 3, 5), (3,), (3,)]),
    Case("batch_norm train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [(4, 3, 2, 2), (3,), (3,)]),
    Case("local_response_norm", lambda x: F.local_response_norm(x, 3, alpha=0.1, k=2.0),
         lambda x: TF.local_response_norm(x, 3, alpha=0.1, k=2.0), [(2, 5, 3)]),
    Case("local_response_norm 4-d even", lambda x: F.local_response_norm(x, 2),
         lambda x: TF.local_response_norm(x, 2), [(2, 4, 3, 2)]),
    Case("normalize", F.normalize, TF.normalize, [(3, 4)]),
    Case("normalize p=1 dim 0", lambda x: F.normalize(x, 1.0, 0), lambda x: TF.normalize(x, 1.0, 0), [(3, 4)]),
    Case("cosine_similarity", F.cosine_similarity, TF.cosine_similarity, [(3, 4), (3, 4)]),
    Case("cosine_similarity broadcast", lambda a, b: F.cosine_similarity(a, b, -1),
         lambda a, b: TF.cosine_similarity(a, b, -1), [(3, 4), (1, 4)]),
    Case("pairwise_distance", F.pairwise_distance, TF.pairwise_distance, [(3, 4), (3, 4)]),
    Case("pairwise_distance p=1 keepdim", lambda a, b: F.pairwise_distance(a, b, 1.0, keepdim=True),
         lambda a, b: TF.pairwise_distance(a, b, 1.0, keepdim=True), [(3, 4), (3, 4)]),
    Case("pairwise_distance p=inf", lambda a, b: F.pairwise_distance(a, b, math.inf),
         lambda a, b: TF.pairwise_distance(a, b, math.inf), [(3, 4), (3, 4)]),
    Case("pdist", F.pdist, TF.pdist, [(5, 3)]),
    Case("pdist p=3", lambda x: F.pdist(x, 3), lambda x: TF.pdist(x, 3), [(4, 2)]),
    Case("sdpa", F.scaled_dot_product_attention, TF.scaled_dot_product_attention,
         [(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)]),
    Case("sdpa causal scale", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
         lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
         [(2, 4, 8), (2, 4, 8), (2, 4, 8)]),
    Case("sdpa gqa", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
         lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, enable_gqa=True),
         [(2, 6, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)]),
    Case("sdpa float mask", lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m.detach()),
         lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, m.detach()),
         [(2, 4, 8), (2, 5, 8), (2, 5, 8), (4, 5)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_layer_op_matches_torch(case: Case) -> None:
    check_parity(case)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_rms_norm_default_eps_is_torchs(dtype: str) -> None:
    # torch takes float32's epsilon for float16 and bfloat16 inputs (it computes them in float32), float64's for
    # float64; a mean of squares near the epsilon shows which one was used.
    x = np.array([[3e-3, -2e-3, 1e-3, 4e-3]])
    expected = TF.rms_norm(torch.tensor(x, dtype=getattr(torch, dtype)), [4]).double().numpy()
    if dtype == "bfloat16" and dtypes.bfloat16.unavailable is not None:
        pytest.skip(dtypes.bfloat16.unavailable)  # names the package to install
    ours = F.rms_norm(tensor(x).to(getattr(dtypes, dtype)), [4]).double().numpy()
    np.testing.assert_allclose(ours, expected, rtol={"float16": 2e-3, "bfloat16": 1e-2}.get(dtype, 1e-6))


def test_batch_norm_updates_running_statistics_in_place_like_torch() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(2, 3, (6, 3, 4)).astype(np.float32)
    ours_mean, ours_var = Tensor.zeros(3), Tensor.ones(3)
    theirs_mean, theirs_var = torch.zeros(3), torch.ones(3)
    for momentum in (0.1, 0.5):
        out = F.batch_norm(Tensor(x), ours_mean, ours_var, training=True, momentum=momentum)
        expected = TF.batch_norm(torch.tensor(x), theirs_mean, theirs_var, training=True, momentum=momentum)
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours_mean.numpy(), theirs_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours_var.numpy(), theirs_var.numpy(), rtol=1e-5)
    evaluated = F.batch_norm(Tensor(x), ours_mean, ours_var, Tensor.ones(3) * 2, Tensor.ones(3), eps=1e-3)
    expected = TF.batch_norm(torch.tensor(x), theirs_mean, theirs_var, torch.ones(3) * 2, torch.ones(3), eps=1e-3)
    np.testing.assert_allclose(evaluated.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="batch_norm: expected more than 1 value per channel when training"):
        F.batch_norm(Tensor.ones(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="batch_norm: running_mean and running_var must be given"):
        F.batch_norm(Tensor.ones(2, 3), None, None)


def test_instance_norm_running_statistics_like_torch() -> None:
    x = np.random.default_rng(1).normal(1, 2, (4, 3, 5)).astype(np.float32)
    ours_mean, ours_var, theirs_mean, theirs_var = Tensor.zeros(3), Tensor.ones(3), torch.zeros(3), torch.ones(3)
    F.instance_norm(Tensor(x), ours_mean, ours_var, momentum=0.3)
    TF.instance_norm(torch.tensor(x), theirs_mean, theirs_var, momentum=0.3)
    np.testing.assert_allclose(ours_mean.numpy(), theirs_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours_var.numpy(), theirs_var.numpy(), rtol=1e-5)
    out = F.instance_norm(Tensor(x), ours_mean, ours_var, use_input_stats=False)
    expected = TF.instance_norm(torch.tensor(x), theirs_mean, theirs_var, use_input_stats=False)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


def test_norms_of_zero_vectors_have_torchs_zero_gradient() -> None:
    for ours, theirs in [(F.normalize, TF.normalize), (lambda a: F.pairwise_distance(a, a, eps=0.0),
                                                       lambda a: TF.pairwise_distance(a, a, eps=0.0))]:
        x, t = Tensor.zeros(2, 3, requires_grad=True), torch.zeros(2, 3, requires_grad=True)
        ours(x).sum().backward()
        theirs(t).sum().backward()
        assert x.grad is not None and t.grad is not None
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_embedding_matches_torch_with_its_options() -> None:
    rng = np.random.default_rng(2)
    table = rng.normal(0, 2, (6, 3)).astype(np.float32)
    index = np.array([[0, 2, 2], [5, 0, 1]])
    for kwargs in [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                   {"max_norm": 1.0}, {"max_norm": 2.0, "norm_type": 1.0}]:
        w, tw = Tensor(table.copy(), requires_grad=True), torch.tensor(table.copy(), requires_grad=True)
        out = F.embedding(tensor(index), w, **kwargs)
        expected = TF.embedding(torch.tensor(index), tw, **kwargs)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
        upstream = rng.normal(size=expected.shape).astype(np.float32)
        (out * Tensor(upstream)).sum().backward()
        (expected * torch.tensor(upstream)).sum().backward()
        assert w.grad is not None and tw.grad is not None
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=str(kwargs))
        np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-5, err_msg=str(kwargs))  # renormed rows
    with pytest.raises(TypeError, match="embedding: the indices must have an integer dtype"):
        F.embedding(Tensor([0.0]), Tensor.ones(2, 2))


def test_one_hot_matches_torch() -> None:
    labels = np.array([[0, 3], [1, 1]])
    for classes in (-1, 5):
        out = F.one_hot(tensor(labels), classes)
        expected = TF.one_hot(torch.tensor(labels), classes)
        assert out.dtype is dtypes.int64 and out.tolist() == expected.tolist()
    with pytest.raises(ValueError, match="one_hot: class values must be smaller than num_classes"):
        F.one_hot(tensor([3]), 2)
    with pytest.raises(ValueError, match="one_hot: class values must be non-negative"):
        F.one_hot(tensor([-1, 1]))
    with pytest.raises(TypeError, match="one_hot: expected a tensor of integer class indices"):
        F.one_hot(Tensor([1.0]))


def test_sdpa_dropout_applies_whenever_dropout_p_is_positive() -> None:
    Tensor.manual_seed(0)
    q = Tensor.randn(2, 16, 8)
    full = F.scaled_dot_product_attention(q, q, q).numpy()
    dropped = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5).numpy()  # no training flag, as in torch
    assert not np.allclose(full, dropped)
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, q, q, dropout_p=0.0).numpy(), full)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_with_a_fully_masked_row_gives_zeros_and_zero_gradients_like_torch(kind: str) -> None:
    """A query whose every key is masked attends to nothing: torch 2.13 gives it a zero output, and
    gradients that are finite (zero for that query) everywhere; softmax alone would give 0 / 0 = nan."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=shape).astype(np.float32) for shape in [(2, 3, 4), (2, 5, 4), (2, 5, 6)])
    keep = rng.uniform(size=(3, 5)) > 0.3
    keep[1] = False
    mask = keep if kind == "bool" else np.where(keep, 0.0, -np.inf).astype(np.float32)
    ours = [tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ours, attn_mask=tensor(mask))
    expected = TF.scaled_dot_product_attention(*theirs, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not out.numpy()[:, 1].any()
    weights = rng.normal(size=out.shape).astype(np.float32)
    (out * tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for x, t in zip(ours, theirs):
        assert x.grad is not None and t.grad is not None
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_layer_op_errors_name_the_op() -> None:
    with pytest.raises(ValueError, match=r"layer_norm: given normalized_shape=\[4\], expected an input of shape"):
        F.layer_norm(Tensor.ones(2, 3), (4,))
    with pytest.raises(ValueError, match="group_norm: expected an input"):
        F.group_norm(Tensor.ones(2, 3, 4), 2)
    with pytest.raises(ValueError, match="bilinear: expected inputs"):
        F.bilinear(Tensor.ones(2, 3), Tensor.ones(2, 2), Tensor.ones(4, 2, 2))
    with pytest.raises(ValueError, match=r"scaled_dot_product_attention: shapes \(4, 5\) and \(2, 3, 5\) cannot"):
        F.scaled_dot_product_attention(Tensor.ones(2, 3, 4), Tensor.ones(2, 5, 4), Tensor.ones(2, 5, 4),
                                       Tensor.ones(4, 5).bool())
    with pytest.raises(ValueError, match=r"scaled_dot_product_attention: attn_mask of shape \(2, 3, 5\) does not "
                                         r"broadcast to the attention scores' shape \(3, 5\)"):
        F.scaled_dot_product_attention(Tensor.ones(3, 4), Tensor.ones(5, 4), Tensor.ones(5, 4),
                                       Tensor.ones(2, 3, 5).bool())
    with pytest.raises(ValueError, match="scaled_dot_product_attention: enable_gqa needs"):
        F.scaled_dot_product_attention(Tensor.ones(1, 3, 2, 4), Tensor.ones(1, 2, 2, 4), Tensor.ones(1, 2, 2, 4),
                                       enable_gqa=True)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_matches_torch(mode: str) -> None:
    rng = np.random.default_rng(8)
    table = rng.normal(size=(6, 3)).astype(np.float32)
    flat, offsets = np.array([1, 2, 4, 5, 4, 3, 2, 0]), np.array([0, 3, 3, 6])
    cases = [((flat, offsets), {}), ((flat, offsets), {"padding_idx": 2}),
             ((flat, np.array([0, 3, 3, 6, 8])), {"include_last_offset": True}),
             ((rng.integers(0, 6, (3, 4)), None), {}), ((flat, np.array([0, 2, 8, 8])), {})]
    if mode == "sum":
        cases.append(((flat, offsets), {"per_sample_weights": rng.uniform(0.5, 2, 8).astype(np.float32)}))
    for (index, starts), kwargs in cases:
        w, tw = Tensor(table, requires_grad=True), torch.tensor(table, requires_grad=True)
        ours_kw = {k: tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        theirs_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        out = F.embedding_bag(tensor(index), w, None if starts is None else tensor(starts), mode=mode, **ours_kw)
        expected = TF.embedding_bag(torch.tensor(index), tw, None if starts is None else torch.tensor(starts),
                                    mode=mode, **theirs_kw)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=str(kwargs))
        upstream = rng.normal(size=expected.shape).astype(np.float32)
        (out * Tensor(upstream)).sum().backward()
        (expected * torch.tensor(upstream)).sum().backward()
        assert w.grad is not None and tw.grad is not None
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=str(kwargs))
    with pytest.raises(ValueError, match="embedding_bag: offsets must start at 0"):
        F.embedding_bag(tensor(flat), tensor(table), tensor(np.array([1, 3])))
