"""cat, stack, split and chunk: dtype promotion, the two calling forms, and the error paths."""

import numpy as np
import pytest
import torch

from edugrad.tensor import Tensor, dtypes


def test_cat_promotes_dtypes_like_torch() -> None:
    ours = Tensor.cat([Tensor([1, 2]), Tensor([0.5]), Tensor([True])])
    theirs = torch.cat([torch.tensor([1, 2]), torch.tensor([0.5]), torch.tensor([True])])
    assert ours.dtype is dtypes.float32 and ours.tolist() == theirs.tolist()
    assert Tensor([True]).cat(Tensor([False, True])).tolist() == [True, False, True]


def test_cat_of_many_tensors_in_order() -> None:
    parts = [Tensor([float(i)] * (i % 3 + 1)) for i in range(11)]
    expected = np.concatenate([p.numpy() for p in parts])
    np.testing.assert_array_equal(Tensor.cat(parts).numpy(), expected)
    np.testing.assert_array_equal(parts[0].cat(*parts[1:]).numpy(), expected)


def test_cat_shape_mismatch_names_shapes_and_dim() -> None:
    with pytest.raises(ValueError, match=r"cat: shapes \[\(2, 3\), \(2, 4\)\] cannot be joined along dim 0"):
        Tensor.ones(2, 3).cat(Tensor.ones(2, 4))
    with pytest.raises(ValueError, match=r"cat: shapes \[\(2, 3\), \(3,\)\]"):
        Tensor.cat([Tensor.ones(2, 3), Tensor.ones(3)], dim=1)


def test_cat_errors() -> None:
    with pytest.raises(IndexError, match="cat"):
        Tensor.cat([Tensor.ones(2), Tensor.ones(2)], dim=1)
    with pytest.raises(ValueError, match="0-d"):
        Tensor.cat([Tensor(1.0), Tensor(2.0)])
    with pytest.raises(TypeError, match="non-empty sequence of tensors"):
        Tensor.cat([])
    with pytest.raises(TypeError, match="non-empty sequence of tensors"):
        Tensor.cat([Tensor.ones(2), [1.0]])  # type: ignore[list-item]


def test_stack_errors() -> None:
    with pytest.raises(ValueError, match=r"stack: expected tensors of one shape, got \[\(2,\), \(3,\)\]"):
        Tensor.stack([Tensor.ones(2), Tensor.ones(3)])
    with pytest.raises(IndexError, match="stack"):
        Tensor.ones(2).stack(Tensor.ones(2), dim=2)


def test_stack_of_0d_tensors() -> None:
    assert Tensor.stack([Tensor(1.0), Tensor(2.0)]).tolist() == [1.0, 2.0]


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
