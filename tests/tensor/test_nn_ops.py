"""nn ops beyond parity: their cost in low-level ops, dropout's statistics, tie handling, lookups, and errors."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from edugrad.data import ContractionOps, DType, Op, TensorData, WindowOps, add_observer, remove_observer
from edugrad.tensor import Tensor, dtypes, grad, tensor


@contextmanager
def recorded_ops() -> Iterator[list[tuple[Op, tuple[int, ...]]]]:
    """Every low-level op run inside the block, with the shape of its result."""
    ops: list[tuple[Op, tuple[int, ...]]] = []

    def observe(op: Op, inputs: tuple[TensorData, ...], out: TensorData, args: dict[str, Any]) -> None:
        ops.append((op, out.shape))

    add_observer(observe)
    try:
        yield ops
    finally:
        remove_observer(observe)


def randn(*shape: int, requires_grad: bool = False) -> Tensor:
    return Tensor(np.random.default_rng(0).normal(size=shape).astype(np.float32), requires_grad=requires_grad)


def test_conv2d_is_one_gemm_forward_and_two_backward_without_big_temporaries() -> None:
    x, w = randn(8, 4, 10, 10, requires_grad=True), randn(6, 4, 3, 3, requires_grad=True)
    cols = 8 * 4 * 3 * 3 * 8 * 8  # the im2col matrix: the largest array a convolution needs
    with recorded_ops() as forward:
        out = x.conv2d(w)
    with recorded_ops() as backward:
        out.sum().backward()
    assert [op for op, _ in forward].count(ContractionOps.MATMUL) == 1
    assert [op for op, _ in backward].count(ContractionOps.MATMUL) == 2
    assert max(np.prod(shape) for _, shape in forward + backward) <= cols


def test_conv2d_and_max_pool2d_second_derivatives_match_torch() -> None:
    # Fold and Unfold are each other's backward, so a gradient of a convolution is itself differentiable.
    rng = np.random.default_rng(1)
    x_np, w_np = rng.normal(size=(2, 2, 7, 7)), rng.normal(size=(3, 2, 3, 3))
    x, w = tensor(x_np, requires_grad=True), tensor(w_np, requires_grad=True)
    (gx,) = grad((x.conv2d(w, stride=2, padding=1).max_pool2d(2, stride=1) ** 2).sum(), x, create_graph=True)
    (gx * gx).sum().backward()
    xt, wt = torch.tensor(x_np, requires_grad=True), torch.tensor(w_np, requires_grad=True)
    (gxt,) = torch.autograd.grad((F.max_pool2d(F.conv2d(xt, wt, stride=2, padding=1), 2, stride=1) ** 2).sum(), xt,
                                 create_graph=True)
    (gxt * gxt).sum().backward()
    np.testing.assert_allclose(gx.numpy(), gxt.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-10)


def test_tiling_pools_need_no_fold() -> None:
    x = randn(2, 3, 8, 8, requires_grad=True)
    with recorded_ops() as ops:
        (x.max_pool2d(2).sum() + x.avg_pool2d(2).sum()).backward()
    assert WindowOps.FOLD not in [op for op, _ in ops]


def test_max_pool2d_ties_share_the_gradient() -> None:
    # PyTorch sends a tied window's gradient to one element; edugrad splits it equally (as torch.amax does).
    x = Tensor(np.array([[[[1.0, 1.0], [0.0, 1.0]]]], np.float32), requires_grad=True)
    x.max_pool2d(2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[[[1 / 3, 1 / 3], [0.0, 1 / 3]]]])


def test_dropout_is_the_identity_outside_training() -> None:
    x = randn(4, 5)
    assert x.dropout(0.5) is x


def test_dropout_p_zero_is_the_identity_in_training() -> None:
    x = randn(4, 5)
    with Tensor.train():
        assert x.dropout(0.0) is x


def test_dropout_statistics_and_gradient() -> None:
    Tensor.manual_seed(0)
    x = Tensor.ones(200, 500, requires_grad=True)
    with Tensor.train():
        out = x.dropout(0.3)
    values = out.numpy()
    kept = values != 0
    assert abs(1 - kept.mean() - 0.3) < 0.005  # 100000 draws: the standard deviation is 0.0014
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values)  # the gradient goes through the same mask and scale


def test_dropout_is_reproducible_with_a_seed() -> None:
    x = Tensor.ones(10, 10)
    with Tensor.train():
        Tensor.manual_seed(3)
        first = x.dropout(0.5).numpy()
        Tensor.manual_seed(3)
        np.testing.assert_array_equal(first, x.dropout(0.5).numpy())


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_p_outside_0_1(p: float) -> None:
    with pytest.raises(ValueError, match=rf"dropout: p must be a probability in \[0, 1\], got {p}"):
        randn(3).dropout(p)


def test_dropout_train_argument_overrides_training_mode() -> None:
    x = Tensor.ones(50, 40)
    assert x.dropout(0.5, False) is x
    dropped = x.dropout(0.5, True).numpy()  # outside `with Tensor.train():`, as torch.dropout(x, p, train=True)
    assert set(np.unique(dropped)) == {0.0, 2.0}
    with Tensor.train():
        assert x.dropout(0.5, False) is x
    np.testing.assert_array_equal(x.dropout(1.0, True).numpy(), np.zeros((50, 40), np.float32))


def test_dropout_and_layernorm_scalar_arguments_must_be_numbers() -> None:
    with pytest.raises(TypeError, match="dropout: p must be a number, got str"):
        randn(3).dropout("0.5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="layernorm: eps must be a number, got NoneType"):
        randn(3).layernorm(eps=None)  # type: ignore[arg-type]


def test_embedding_gradient_accumulates_repeated_indices() -> None:
    weight = randn(4, 2, requires_grad=True)
    tensor([[3, 1, 3], [3, 0, 1]]).embedding(weight).sum().backward()
    np.testing.assert_allclose(weight.grad.numpy(), [[1, 1], [2, 2], [0, 0], [3, 3]])


def test_embedding_errors() -> None:
    weight = randn(4, 2)
    with pytest.raises(TypeError, match="embedding: the indices must have an integer dtype, got float32"):
        Tensor([1.0]).embedding(weight)
    with pytest.raises(IndexError, match=r"embedding: indices must lie in \[0, 4\) for a weight of shape \(4, 2\)"):
        tensor([0, 4]).embedding(weight)
    with pytest.raises(ValueError, match=r"embedding: expected a weight of shape \(num_embeddings, embedding_dim\)"):
        tensor([0]).embedding(randn(4))


def test_conv2d_channel_mismatch_names_shapes_and_groups() -> None:
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 3, 5, 5\) with groups=1 does not fit weight "
                                         r"\(2, 4, 3, 3\): expected 4 input channels"):
        randn(1, 3, 5, 5).conv2d(randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"groups=2 does not fit weight \(3, 2, 3, 3\).* divisible by groups"):
        randn(1, 4, 5, 5).conv2d(randn(3, 2, 3, 3), groups=2)


def test_conv2d_kernel_larger_than_the_padded_input() -> None:
    with pytest.raises(ValueError, match=r"conv2d: the kernel \(3, 3\) with dilation \(2, 2\) spans \(5, 5\) "
                                         r"pixels, more than the padded input's \(4, 4\)"):
        randn(1, 1, 2, 2).conv2d(randn(1, 1, 3, 3), padding=1, dilation=2)


@pytest.mark.parametrize(("x_shape", "w_shape", "match"), [
    ((5, 5), (1, 1, 3, 3), r"conv2d: expected an input of shape \(N, C, H, W\) or \(C, H, W\), got shape \(5, 5\)"),
    ((1, 1, 5, 5), (1, 3, 3), r"conv2d: expected a weight of shape \(out_channels, in_channels / groups, kH, kW\)"),
])
def test_conv2d_wrong_ndim(x_shape: tuple[int, ...], w_shape: tuple[int, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        randn(*x_shape).conv2d(randn(*w_shape))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"padding": -1}, "padding must be a non-negative int"),
    ({"padding": (1, 2, 3)}, "padding must be a non-negative int"),
    ({"padding": "full"}, "padding must be a non-negative int"),
    ({"padding": "same", "stride": 2}, "padding='same' needs stride 1"),
    ({"stride": 0}, r"stride must be an int >= 1 or a pair of them, got 0"),
    ({"dilation": (1, 2, 3)}, r"dilation must be an int >= 1 or a pair of them"),
])
def test_conv2d_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        randn(1, 1, 5, 5).conv2d(randn(1, 1, 3, 3), **kwargs)


def test_conv2d_bias_and_dtype_errors() -> None:
    x, w = randn(1, 2, 4, 4), randn(3, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(3,\), one value per output channel, got "
                                         r"\(2,\)"):
        x.conv2d(w, randn(2))
    with pytest.raises(TypeError, match=r"conv2d: input, weight and bias must have one dtype, got input float32, "
                                        r"weight float64; cast the input with \.to\(dtypes\.float64\)$"):
        x.conv2d(w.cast(dtypes.float64))
    with pytest.raises(TypeError, match="conv2d: expected a floating-point input, got int64"):
        Tensor.zeros(1, 2, 4, 4, dtype=dtypes.int64).conv2d(w)


def test_conv_transpose2d_errors() -> None:
    x = randn(1, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv_transpose2d: input \(1, 2, 3, 3\) with groups=1 does not fit weight "
                                         r"\(3, 2, 2, 2\): expected 3 input channels"):
        x.conv_transpose2d(randn(3, 2, 2, 2))
    with pytest.raises(ValueError, match=r"output_padding \(2, 2\) must be smaller than the stride \(2, 2\) or the "
                                         r"dilation \(1, 1\)"):
        x.conv_transpose2d(randn(2, 1, 2, 2), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv_transpose2d: padding \(2, 2\) crops away the whole output"):
        x.conv_transpose2d(randn(2, 1, 2, 2), padding=2)


def test_pool_errors() -> None:
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half the kernel size "
                                         r"\(3, 3\)"):
        randn(1, 1, 9, 9).max_pool2d(3, padding=2, dilation=2)
    with pytest.raises(ValueError, match=r"avg_pool2d: the kernel \(4, 4\) with dilation \(1, 1\) spans \(4, 4\) "
                                         r"pixels, more than the padded input's \(3, 3\)"):
        randn(1, 1, 3, 3).avg_pool2d(4)
    with pytest.raises(TypeError, match="max_pool2d: expected a floating-point input, got int64"):
        Tensor.zeros(1, 1, 4, 4, dtype=dtypes.int64).max_pool2d(2)
    with pytest.raises(ValueError, match=r"max_pool2d: kernel_size must be an int >= 1 or a pair of them, got 0"):
        randn(1, 1, 4, 4).max_pool2d(0)


def test_batchnorm_statistics_of_the_wrong_shape() -> None:
    x = randn(2, 3, 4)
    with pytest.raises(ValueError, match=r"batchnorm: mean must have shape \(3,\), one value per channel of the "
                                         r"input \(2, 3, 4\), got \(4,\)"):
        x.batchnorm(None, None, randn(4), randn(3))
    with pytest.raises(ValueError, match=r"batchnorm: expected an input of shape \(N, C, ...\), got \(3,\)"):
        randn(3).batchnorm(None, None, randn(3), randn(3))


@pytest.mark.parametrize("op, call", [
    ("layernorm", lambda x: x.layernorm()),
    ("batchnorm", lambda x: x.batchnorm(None, None, Tensor.zeros(3), Tensor.ones(3))),
])
@pytest.mark.parametrize("dtype", [dtypes.int64, dtypes.uint8, dtypes.bool])
def test_normalizations_reject_integer_inputs(op: str, call: Any, dtype: DType) -> None:
    # PyTorch has no integer kernels for them ("LayerNormKernelImpl" not implemented for 'Long').
    with pytest.raises(TypeError, match=rf"{op}: expected a floating-point input, got {dtype.name}; cast it with "
                                        r"\.float\(\)"):
        call(Tensor.zeros(2, 3, dtype=dtype))


def test_normalizations_keep_float64_as_torch() -> None:
    x = np.random.default_rng(0).normal(size=(4, 3))
    mean, var = np.zeros(3), np.full(3, 2.0)
    out = tensor(x).layernorm()
    assert out.dtype is dtypes.float64
    np.testing.assert_allclose(out.numpy(), F.layer_norm(torch.tensor(x), (3,)).numpy(), rtol=1e-12, atol=1e-12)
    out = tensor(x).batchnorm(None, None, tensor(mean), (tensor(var) + 1e-5).rsqrt())
    expected = F.batch_norm(torch.tensor(x), torch.tensor(mean), torch.tensor(var))
    assert out.dtype is dtypes.float64
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)


def test_attention_errors() -> None:
    q = randn(2, 4, 8)
    with pytest.raises(ValueError, match="scaled_dot_product_attention: pass either attn_mask or is_causal=True"):
        q.scaled_dot_product_attention(q, q, attn_mask=Tensor.ones(4, 4, dtype=dtypes.bool), is_causal=True)
    with pytest.raises(ValueError, match=r"expected query \(..., L, E\), key \(..., S, E\) and value \(..., S, Ev\), "
                                         r"got \(2, 4, 8\), \(2, 4, 6\) and \(2, 4, 8\)"):
        q.scaled_dot_product_attention(randn(2, 4, 6), q)
    with pytest.raises(TypeError, match="scaled_dot_product_attention: expected query, key and value of one "
                                        "floating-point dtype, got float32, float64 and float32"):
        q.scaled_dot_product_attention(q.double(), q)
    with pytest.raises(TypeError, match="scaled_dot_product_attention: expected query, key and value of one "
                                        "floating-point dtype, got int64, int64 and int64"):
        q.long().scaled_dot_product_attention(q.long(), q.long())


@pytest.mark.parametrize("dtype", [dtypes.float64, dtypes.float16, dtypes.int64])
def test_attention_mask_must_not_promote_the_scores(dtype: DType) -> None:
    # PyTorch: "Expected attn_mask dtype to be bool or float or to match query dtype".
    q = randn(2, 4, 8)
    with pytest.raises(TypeError, match=rf"scaled_dot_product_attention: expected an attn_mask of dtype bool, float32 "
                                        rf"or the query's float32, got {dtype.name}"):
        q.scaled_dot_product_attention(q, q, attn_mask=Tensor.zeros(4, 4, dtype=dtype))


@pytest.mark.parametrize("mask_dtype", [np.float32, np.float64])
def test_float64_attention_takes_a_float32_or_float64_mask_as_torch(mask_dtype: type) -> None:
    rng = np.random.default_rng(0)
    q, mask = rng.normal(size=(2, 4, 8)), rng.normal(size=(4, 4)).astype(mask_dtype)
    out = tensor(q).scaled_dot_product_attention(tensor(q), tensor(q), attn_mask=tensor(mask))
    expected = F.scaled_dot_product_attention(*[torch.tensor(q)] * 3, attn_mask=torch.tensor(mask))
    assert out.dtype is dtypes.float64
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)
