"""cat, stack, split and chunk: dtype promotion, torch's calling forms, and the error paths."""

import numpy as np
import pytest
import torch

from edugrad.tensor import Tensor, cat, dtypes, stack, tensor


def test_cat_promotes_dtypes_like_torch() -> None:
    ours = cat([tensor([1, 2]), tensor([0.5]), tensor([True])])
    theirs = torch.cat([torch.tensor([1, 2]), torch.tensor([0.5]), torch.tensor([True])])
    assert ours.dtype is dtypes.float32 and ours.tolist() == theirs.tolist()
    assert cat((tensor([True]), tensor([False, True]))).tolist() == [True, False, True]


def test_cat_of_many_tensors_in_order() -> None:
    parts = [Tensor([float(i)] * (i % 3 + 1)) for i in range(11)]
    expected = np.concatenate([p.numpy() for p in parts])
    np.testing.assert_array_equal(cat(parts).numpy(), expected)


def test_cat_and_stack_take_dim_positionally_as_torch() -> None:
    a, b = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    for ours, theirs in [(cat, torch.cat), (stack, torch.stack)]:
        expected = theirs([torch.tensor(a), torch.tensor(b)], 1).numpy()
        np.testing.assert_array_equal(ours([tensor(a), tensor(b)], 1).numpy(), expected)
        np.testing.assert_array_equal(ours([tensor(a), tensor(b)], dim=-1 if ours is cat else 1).numpy(), expected)


def test_cat_shape_mismatch_names_shapes_and_dim() -> None:
    with pytest.raises(ValueError, match=r"cat: shapes \[\(2, 3\), \(2, 4\)\] cannot be joined along dim 0"):
        cat([Tensor.ones(2, 3), Tensor.ones(2, 4)])
    with pytest.raises(ValueError, match=r"cat: shapes \[\(2, 3\), \(3,\)\]"):
        cat([Tensor.ones(2, 3), Tensor.ones(3)], dim=1)


def test_cat_errors() -> None:
    with pytest.raises(IndexError, match="cat"):
        cat([Tensor.ones(2), Tensor.ones(2)], dim=1)
    with pytest.raises(ValueError, match="0-d"):
        cat([tensor(1.0), tensor(2.0)])
    with pytest.raises(TypeError, match="non-empty sequence of tensors"):
        cat([])
    with pytest.raises(TypeError, match="non-empty sequence of tensors"):
        cat([Tensor.ones(2), [1.0]])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"got one tensor; pass a list: cat\(\[a, b\]\)"):
        cat(Tensor.ones(2))


def test_stack_errors() -> None:
    with pytest.raises(ValueError, match=r"stack: expected tensors of one shape, got \[\(2,\), \(3,\)\]"):
        stack([Tensor.ones(2), Tensor.ones(3)])
    with pytest.raises(IndexError, match="stack"):
        stack([Tensor.ones(2), Tensor.ones(2)], dim=2)


def test_stack_of_0d_tensors() -> None:
    assert stack([tensor(1.0), tensor(2.0)]).tolist() == [1.0, 2.0]


def test_split_and_chunk_errors() -> None:
    x = Tensor.ones(5, 2)
    with pytest.raises(ValueError, match=r"split: sections \[2, 2\] must be non-negative and add up to 5"):
        x.split([2, 2])
    with pytest.raises(ValueError, match="split_size must be positive"):
        x.split(0)
    with pytest.raises(ValueError, match="chunks must be positive"):
        x.chunk(0)
    with pytest.raises(IndexError, match="split"):
        x.split(1, dim=2)


def test_split_of_an_empty_axis_matches_torch() -> None:
    assert [t.shape for t in Tensor.ones(0, 2).split(2)] == [tuple(t.shape) for t in torch.ones(0, 2).split(2)]
    assert [t.shape for t in Tensor.ones(0, 2).chunk(3)] == [tuple(t.shape) for t in torch.ones(0, 2).chunk(3)]


def test_tensor_cat_and_stack_are_torch_cat_and_stack() -> None:
    a, b = Tensor.ones(2, 1), Tensor.zeros(2, 2)
    assert Tensor.cat([a, b], 1).tolist() == cat([a, b], 1).tolist() == [[1, 0, 0], [1, 0, 0]]
    assert Tensor.stack([a, a], -1).shape == (2, 1, 2)
    with pytest.raises(TypeError, match=r"got one tensor; pass a list: cat\(\[a, b\]\)"):
        a.cat(b)  # the reference edugrad's method form would join b's rows: refused, not misread
