"""cat, stack, split and chunk: dtype promotion, torch's calling forms, what cat runs, and the error paths."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad.data import MovementOps, Op, add_observer, remove_observer
from edugrad.function import add_tracer, remove_tracer
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


def test_cat_is_one_cat_function_and_one_copy_forward_and_a_shrink_per_input_backward() -> None:
    # makemore's join of its embeddings along the last axis: one Function and one op, however many tensors.
    parts = [Tensor.randn(4, 3, 2, requires_grad=True) for _ in range(23)]
    ops: list[Op] = []
    functions: list[str] = []

    def observe(op: Op, *_: Any) -> None:
        ops.append(op)

    def watch(name: str, phase: str, inputs: Any, run: Callable[[], Any]) -> Any:
        functions.append(f"{name} {phase}")
        return run()

    add_observer(observe)
    add_tracer(watch)
    try:
        out = cat(parts, -1)
        forward_ops = list(ops)
        out.backward(Tensor.ones(4, 3, 46))
    finally:
        remove_observer(observe)
        remove_tracer(watch)
    assert forward_ops == [MovementOps.CAT]
    assert functions[0] == "Cat forward" and functions.count("Cat backward") == 1
    assert functions.count("Shrink forward") == 23 and "Pad forward" not in functions and "Add forward" not in functions


def test_cat_of_one_tensor_is_a_copy_as_torch() -> None:
    ours, theirs = Tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    joined, their_joined = cat([ours]), torch.cat([theirs])
    joined.add_(1.0)
    their_joined.add_(1.0)
    assert joined is not ours and ours.tolist() == theirs.tolist() == [1.0, 2.0]
    assert joined.tolist() == their_joined.tolist()


def test_cat_sends_gradients_only_to_the_inputs_that_need_them_in_their_dtypes() -> None:
    # float64 with float32 and int64 parts: the join is float64, each float part gets its slice in its dtype.
    values = [np.arange(6.0).reshape(2, 3), np.ones((2, 1), np.float32), np.array([[3], [4]])]
    ours = [tensor(values[0], requires_grad=True), tensor(values[1], requires_grad=True), tensor(values[2])]
    theirs = [torch.tensor(values[0], requires_grad=True), torch.tensor(values[1], requires_grad=True),
              torch.tensor(values[2])]
    weights = np.arange(10.0).reshape(2, 5)
    (cat(ours, 1) * tensor(weights)).sum().backward()
    (torch.cat(theirs, 1) * torch.tensor(weights)).sum().backward()
    for x, t in zip(ours[:2], theirs[:2]):
        assert x.grad is not None and t.grad is not None and x.grad.dtype.name == str(t.grad.dtype)[6:]
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy(), strict=True)
    assert ours[2].grad is None


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
