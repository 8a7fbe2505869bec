"""Property-based tests (hypothesis): broadcasting of the binary ops over random compatible and incompatible
shapes, and the reductions over random shapes, axes and keepdim, against NumPy."""

import re
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, broadcastable_shapes, mutually_broadcastable_shapes

from edugrad.tensor import Tensor, tensor

SETTINGS = settings(max_examples=60, deadline=None)
BINARY: dict[str, tuple[Callable[[Tensor, Tensor], Tensor], Callable[..., np.ndarray]]] = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "maximum": (lambda a, b: a.maximum(b), np.maximum),
    "minimum": (lambda a, b: a.minimum(b), np.minimum),
    "lt": (lambda a, b: a < b, np.less),
    "eq": (lambda a, b: a == b, np.equal),
}


def values(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Small whole numbers (so ties and equal elements occur) shifted away from 0 (so division is safe)."""
    return (np.random.default_rng(seed).integers(-3, 4, shape) + 0.5).astype(np.float32)


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The gradient of a broadcast input: summed over the axes it was copied along."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)


@SETTINGS
@given(st.sampled_from(sorted(BINARY)), mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4),
       st.integers(0, 2**16))
def test_binary_ops_broadcast_like_numpy(name: str, shapes, seed: int) -> None:
    ours, numpy_op = BINARY[name]
    (shape_a, shape_b), result_shape = shapes.input_shapes, shapes.result_shape
    a_np, b_np = values(shape_a, seed), values(shape_b, seed + 1)
    out = ours(tensor(a_np), tensor(b_np))
    assert out.shape == result_shape
    np.testing.assert_allclose(out.numpy(), numpy_op(a_np, b_np), rtol=1e-6)


@SETTINGS
@given(mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), st.integers(0, 2**16))
def test_broadcast_gradients_sum_over_the_copies(shapes, seed: int) -> None:
    (shape_a, shape_b), result_shape = shapes.input_shapes, shapes.result_shape
    a_np, b_np = values(shape_a, seed), values(shape_b, seed + 1)
    upstream = values(result_shape, seed + 2)
    a, b = tensor(a_np, requires_grad=True), tensor(b_np, requires_grad=True)
    (a * b * tensor(upstream)).sum().backward()
    assert a.grad is not None and b.grad is not None
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    expected_a = unbroadcast(upstream * np.broadcast_to(b_np, result_shape), shape_a).reshape(shape_a)
    np.testing.assert_allclose(a.grad.numpy(), expected_a, rtol=1e-5)


@SETTINGS
@given(array_shapes(min_dims=1, max_dims=4, max_side=4), st.data())
def test_incompatible_shapes_are_refused_with_both_shapes(shape, data) -> None:
    axis = data.draw(st.integers(0, len(shape) - 1))
    other = list(data.draw(broadcastable_shapes(shape, min_dims=len(shape), max_dims=len(shape), max_side=4)))
    other[axis] = shape[axis] + 1 if shape[axis] > 1 else 2  # no longer equal, and neither is 1
    if shape[axis] == 1:
        shape = shape[:axis] + (3,) + shape[axis + 1:]
    with pytest.raises(ValueError, match=re.escape(f"add: shapes {tuple(shape)} and {tuple(other)} cannot be")):
        Tensor.ones(*shape) + Tensor.ones(*other)


REDUCTIONS: dict[str, tuple[Callable[..., Tensor], Callable[..., np.ndarray]]] = {
    "sum": (Tensor.sum, np.sum),
    # Factors near 1 (exact in float32: multiples of 1/16), so 256 of them neither overflow nor underflow.
    "prod": (lambda x, axis, keepdim: (x / 8 + 1).prod(axis, keepdim),
             lambda a, axis, keepdims: np.prod(a / 8 + 1, axis=axis, keepdims=keepdims)),
    "mean": (Tensor.mean, np.mean),
    "amax": (Tensor.amax, np.max),
    "amin": (Tensor.amin, np.min),
    "var": (lambda x, axis, keepdim: x.var(axis, keepdim=keepdim, correction=0),
            lambda a, axis, keepdims: np.var(a, axis=axis, keepdims=keepdims)),
    "std": (lambda x, axis, keepdim: x.std(axis, keepdim=keepdim, correction=0),
            lambda a, axis, keepdims: np.std(a, axis=axis, keepdims=keepdims)),
    "logsumexp": (Tensor.logsumexp,
                  lambda a, axis, keepdims: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))),
    "any": (lambda x, axis, keepdim: (x > 1).any(axis, keepdim),
            lambda a, axis, keepdims: np.any(a > 1, axis=axis, keepdims=keepdims)),
    "all": (lambda x, axis, keepdim: (x > -2).all(axis, keepdim),
            lambda a, axis, keepdims: np.all(a > -2, axis=axis, keepdims=keepdims)),
}


@st.composite
def shape_and_axes(draw):
    shape = draw(array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    if draw(st.booleans()) or not shape:
        return shape, None
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    negative = draw(st.booleans())  # also count from the end
    axes = tuple(a - len(shape) if negative else a for a in axes)
    return shape, axes[0] if len(axes) == 1 else axes


@SETTINGS
@given(st.sampled_from(sorted(REDUCTIONS)), shape_and_axes(), st.booleans(), st.integers(0, 2**16))
def test_reductions_match_numpy(name: str, shape_axes, keepdim: bool, seed: int) -> None:
    ours, numpy_op = REDUCTIONS[name]
    shape, axis = shape_axes
    a = values(shape, seed)
    out = ours(tensor(a), axis, keepdim)
    expected = np.asarray(numpy_op(a.astype(np.float64), axis=axis, keepdims=keepdim))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5), st.data(), st.integers(0, 2**16))
def test_single_axis_ops_match_numpy(shape, data, seed: int) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = values(shape, seed)
    x = Tensor(a)
    np.testing.assert_array_equal(x.argmax(axis).numpy(), np.argmax(a, axis))  # first index on ties, as NumPy
    np.testing.assert_array_equal(x.argmin(axis).numpy(), np.argmin(a, axis))
    np.testing.assert_allclose(x.cumsum(axis).numpy(), np.cumsum(a, axis), rtol=1e-6)
    np.testing.assert_allclose(x.cumprod(axis).numpy(), np.cumprod(a, axis), rtol=1e-5)
    np.testing.assert_allclose(x.softmax(axis).numpy().sum(axis), 1.0, rtol=1e-6)
    assert x.argmax().item() == np.argmax(a)
