"""Indexing: random slices against NumPy (values and gradients), advanced indices against NumPy, writes with
x[index] = value, the refusal to write into a graph, the error paths and the cost of basic indexing."""

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from edugrad.data import IndexOps, Op, add_observer, remove_observer
from edugrad.tensor import Tensor, dtypes, no_grad, tensor


@st.composite
def basic_indices(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[Any, ...]]:
    """A random shape and a random basic index for it: ints, slices with any step, None and at most one '...'."""
    shape = tuple(draw(st.lists(st.integers(0, 6), min_size=0, max_size=3)))
    bound = st.none() | st.integers(-8, 8)
    items: list[Any] = []
    for n in shape:
        if draw(st.booleans()) and not items.count(Ellipsis) and draw(st.booleans()):
            items.append(Ellipsis)
            break
        if n and draw(st.integers(0, 3)) == 0:
            items.append(draw(st.integers(-n, n - 1)))
        else:
            step = draw(st.none() | st.integers(-3, 3).filter(bool))
            items.append(slice(draw(bound), draw(bound), step))
        if draw(st.integers(0, 4)) == 0:
            items.append(None)
    return shape, tuple(items)


@settings(max_examples=200, deadline=None)
@given(basic_indices())
def test_basic_indexing_matches_numpy_values_and_gradients(case: tuple[tuple[int, ...], tuple[Any, ...]]) -> None:
    shape, index = case
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype(np.float32)
    x = Tensor(a, requires_grad=True)
    y = x[index]
    expected = a[index]
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)
    upstream = rng.standard_normal(expected.shape).astype(np.float32)
    (y * Tensor(upstream)).sum().backward()
    grad = np.zeros_like(a)
    grad[index] = upstream  # a basic index reads each element at most once
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), grad)


@st.composite
def advanced_indices(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[Any, ...]]:
    """A random shape and an index with one integer array (negative entries too, any shape) on a random axis,
    and slices elsewhere: the case where NumPy and PyTorch agree."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    axis = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    positions = np.array(draw(st.lists(st.integers(-shape[axis], shape[axis] - 1), min_size=int(np.prod(index_shape)),
                                       max_size=int(np.prod(index_shape)))), dtype=np.int64).reshape(index_shape)
    items: list[Any] = [slice(draw(st.none() | st.integers(-5, 5)), None, draw(st.sampled_from([None, 1, 2])))
                        for _ in shape]
    items[axis] = positions
    return shape, tuple(items)


@settings(max_examples=100, deadline=None)
@given(advanced_indices())
def test_integer_array_indexing_matches_numpy(case: tuple[tuple[int, ...], tuple[Any, ...]]) -> None:
    shape, index = case
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    x = Tensor(a, requires_grad=True)
    ours = tuple(tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    y = x[ours]
    expected = a[index]
    np.testing.assert_array_equal(y.numpy(), expected)
    y.sum().backward()
    grad = np.zeros_like(a)
    np.add.at(grad, index, 1)  # an element read k times gets k times the gradient
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), grad)


def test_iterating_yields_the_rows() -> None:
    assert [row.tolist() for row in tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]


def test_basic_indexing_uses_no_gather() -> None:
    ops: list[Op] = []

    def observe(op: Op, *_: Any) -> None:
        ops.append(op)

    x = Tensor.ones(4, 5, 6)
    add_observer(observe)
    try:
        x[1], x[-1, 2:], x[::2, ::-3, None], x[..., 0]
    finally:
        remove_observer(observe)
    assert ops and not any(isinstance(op, IndexOps) for op in ops)


def test_int_and_slice_indexing_is_two_movement_ops() -> None:
    y = Tensor.ones(4, 5, requires_grad=True)[1, 1:3]
    assert y.grad_fn is not None and y.grad_fn.name == "Reshape"
    assert y.grad_fn.inputs[0].grad_fn is not None and y.grad_fn.inputs[0].grad_fn.name == "Shrink"
    assert y.grad_fn.inputs[0].grad_fn.inputs[0].is_leaf


SETITEM_CASES: list[tuple[Any, Any]] = [
    (1, 5.0),
    (-1, [1.0, 2.0, 3.0, 4.0]),
    ((slice(None), 1), -2.0),
    ((slice(None, None, 2), slice(None, None, -3)), [[7.0, 8.0]]),
    ((Ellipsis, 0), [9.0, 8.0, 7.0]),
    ([0, 2], 0.5),
    (([0, 2], [3, 1]), [10.0, 20.0]),
    ((slice(1, None), [0, 0, 3]), 4.0),
    ("mask", 0.0),
]


@pytest.mark.parametrize(("index", "value"), SETITEM_CASES, ids=str)
def test_setitem_writes_like_numpy(index: Any, value: Any) -> None:
    a = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
    if index == "mask":
        index = a > 0
    x = Tensor(a)
    version = x._version
    x[tensor(index) if isinstance(index, np.ndarray) else index] = tensor(value) if isinstance(value, list) else value
    expected = a.copy()
    expected[index] = value
    np.testing.assert_array_equal(x.numpy(), expected)
    assert x.dtype is dtypes.float32 and x._version == version + 1


def test_setitem_keeps_the_dtype() -> None:
    x = tensor([1, 2, 3])
    x[0] = 7.9  # truncated, as NumPy and PyTorch do for an integer tensor
    x[tensor([False, True, False])] = tensor(-4.0)
    assert x.tolist() == [7, -4, 3] and x.dtype is dtypes.int64
    b = tensor([True, False])
    b[1] = True
    assert b.tolist() == [True, True]


def test_setitem_repeated_position_with_one_value() -> None:
    x = Tensor.zeros(3)
    x[[0, 0, 2]] = 5.0
    assert x.tolist() == [5.0, 0.0, 5.0]


@settings(max_examples=200, deadline=None)
@given(basic_indices(), st.sampled_from(["float32", "int64", "bool"]), st.integers(0, 2), st.data())
def test_setitem_with_a_basic_index_matches_torch(case: tuple[tuple[int, ...], tuple[Any, ...]], dtype: str,
                                                  value_form: int, data: st.DataObject) -> None:
    # The value: the whole selection, its last axes only (broadcast over the others), or one number. PyTorch
    # refuses negative steps, which edugrad reads as NumPy does: those are checked against NumPy.
    shape, index = case
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    a = rng.integers(-5, 5, shape).astype(dtype)
    selection = a[index].shape
    value: Any
    if value_form == 2:
        value = data.draw(st.booleans() if dtype == "bool" else st.integers(-9, 9))
        given = value
    else:
        given = rng.integers(-9, 9, selection[len(selection) // 2:] if value_form else selection).astype(dtype)
        value = tensor(given)
    x = tensor(a)
    x[index] = value
    if any(isinstance(i, slice) and (i.step or 1) < 0 for i in index):
        expected = a.copy()
        expected[index] = given
    else:
        theirs = torch.tensor(a)
        theirs[index] = torch.tensor(given) if isinstance(given, np.ndarray) else given
        expected = theirs.numpy()
    np.testing.assert_array_equal(x.numpy(), expected, strict=True)


@pytest.mark.parametrize(("index", "value"), [
    ([0, 0], [1.0, 2.0]),
    ([0, 2, 0, 2], [1.0, 2.0, 3.0, 4.0]),
    ([[1, 0], [1, 1]], [[1.0, 2.0], [3.0, 4.0]]),
    ([0, 0], [1.0, float("nan")]),
    ([0, 0], [float("nan"), 1.0]),
    ([1, 1], [-0.0, -0.0]),
    ((slice(None), [2, 0, 2]), [[5.0, 6.0, 7.0]]),
    (([0, 0, 1], [1, 1, 2]), [5.0, 6.0, 7.0]),
    (([1, 1], slice(1, None)), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    ((2, [3, 3]), [-1.0, -2.0]),
])
def test_setitem_at_repeated_positions_keeps_the_last_write_as_torch(index: Any, value: list[Any]) -> None:
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    ours = theirs_index = index
    if not isinstance(index, tuple):  # one index tensor into a vector (torch reads a nested list otherwise)
        a, ours, theirs_index = a[:, 0], tensor(index), torch.tensor(index)
    x, theirs = Tensor(a), torch.tensor(a)
    x[ours] = tensor(value)
    theirs[theirs_index] = torch.tensor(value)
    np.testing.assert_array_equal(x.numpy(), theirs.numpy(), strict=True)
    assert np.array_equal(np.signbit(x.numpy()), np.signbit(theirs.numpy()))  # -0.0 stays -0.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-4, 3), min_size=0, max_size=8), st.sampled_from(["float32", "int64"]), st.data())
def test_setitem_with_repeated_integer_indices_matches_torch(positions: list[int], dtype: str,
                                                             data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    a = rng.integers(-9, 9, (4, 3)).astype(dtype)
    values = rng.integers(-9, 9, (len(positions), 3)).astype(dtype)
    x, theirs = tensor(a), torch.tensor(a)
    x[tensor(np.array(positions, np.int64))] = tensor(values)
    theirs[torch.tensor(positions, dtype=torch.int64)] = torch.tensor(values)
    np.testing.assert_array_equal(x.numpy(), theirs.numpy(), strict=True)


@pytest.mark.parametrize(("dtype", "value"), [("float32", float("-inf")), ("float32", 2), ("int64", 7),
                                               ("bool", True), ("float32", "values"), ("int64", "one value")])
def test_setitem_with_a_mask_matches_torch(dtype: str, value: Any) -> None:
    a = np.array([[3, -1, 4], [1, -5, 9]]).astype(dtype)
    x, theirs = tensor(a), torch.tensor(a)
    mask = a > 0 if dtype != "bool" else a
    if value == "values":  # one value per selected element, in order
        ours_value, their_value = tensor([10.0, 20.0, 30.0, 40.0]), torch.tensor([10.0, 20.0, 30.0, 40.0])
    elif value == "one value":
        ours_value, their_value = tensor([-3]), torch.tensor([-3])
    else:
        ours_value = their_value = value
    x[tensor(mask)] = ours_value
    theirs[torch.tensor(mask)] = their_value
    np.testing.assert_array_equal(x.numpy(), theirs.numpy(), strict=True)


def test_indexing_with_lists_on_the_torch_backend() -> None:
    # A list index becomes a tensor on the indexed tensor's backend (the ops refuse operands of two backends).
    x = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4), backend="torch")
    assert x[[2, 0], [1, 1]].tolist() == [9.0, 1.0] and x[[True, False, True]].shape == (2, 4)
    x[[0, 0], [1, 2]] = tensor([-1.0, -2.0], backend="torch")
    x[1:, ::2] = 5.0
    assert x.backend == "torch" and x.tolist() == [[0, -1, -2, 3], [5, 5, 5, 7], [5, 9, 5, 11]]


def test_setitem_value_drops_leading_axes_of_size_1_as_torch() -> None:
    x, theirs = Tensor.zeros(3, 3), torch.zeros(3, 3)
    x[0] = Tensor.ones(1, 1, 3)
    theirs[0] = torch.ones(1, 1, 3)
    x[1:, 1] = tensor([[2.0, 3.0]])
    theirs[1:, 1] = torch.tensor([[2.0, 3.0]])
    np.testing.assert_array_equal(x.numpy(), theirs.numpy())
    with pytest.raises(ValueError, match=r"setitem.*\(2, 1\).*\(2,\)"):
        x[:2, 1] = tensor([[5.0], [6.0]])  # torch refuses this too: only leading axes of size 1 go


@pytest.mark.parametrize(("dtype", "value"), [("int64", 7.9), ("int64", -7.9), ("bool", 2), ("bool", 0.5),
                                               ("float32", True), ("uint8", 255), ("int8", -128)])
def test_setitem_converts_numbers_as_torch(dtype: str, value: Any) -> None:
    x, theirs = Tensor.zeros(3, dtype=getattr(dtypes, dtype)), torch.zeros(3, dtype=getattr(torch, dtype))
    x[1] = value
    theirs[1] = value
    np.testing.assert_array_equal(x.numpy(), theirs.numpy(), strict=True)


@pytest.mark.parametrize(("dtype", "value"), [("int8", 300), ("uint8", -1.5), ("int64", float("nan")),
                                               ("int64", float("inf")), ("int64", 1e30)])
def test_setitem_refuses_a_number_the_dtype_cannot_hold(dtype: str, value: Any) -> None:
    # PyTorch refuses these too ("value cannot be converted ... without overflow"); NumPy would wrap or warn.
    x = Tensor.zeros(3, dtype=getattr(dtypes, dtype))
    with pytest.raises(OverflowError, match=f"setitem: .*{dtype}"):
        x[0] = value
    with pytest.raises(OverflowError, match="setitem"):
        x[[0, 1]] = value
    with pytest.raises(OverflowError, match="setitem"):
        x[x == 0] = value
    assert x.tolist() == [0, 0, 0]


def test_setitem_on_0d_tensor() -> None:
    x = tensor(1.5)
    x[...] = 3.0
    assert x.item() == 3.0


def test_setitem_refused_into_a_tensor_that_requires_grad() -> None:
    w = Tensor.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem.*requires grad"):
        w[0] = 2.0
    with no_grad():
        w[0] = 2.0
    assert w.tolist() == [2.0, 1.0, 1.0]


def test_setitem_refuses_a_value_that_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="setitem: the value requires grad"):
        Tensor.zeros(3)[0] = tensor(1.0, requires_grad=True)


def test_setitem_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"setitem.*\(3,\).*\(2,\)"):
        Tensor.zeros(4)[:2] = Tensor([1.0, 2.0, 3.0])


def test_setitem_after_use_makes_backward_fail_loudly() -> None:
    x, w = Tensor([1.0, 2.0]), Tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    x[0] = 10.0  # backward of the product needs the old x
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize(("index", "match"), [
    (3, r"index 3 is out of range for axis 0 of size 3"),
    ((0, -5), r"index -5 is out of range for axis 1 of size 4"),
    ([0, 5], r"index 5 is out of range for axis 0 of size 3"),
    ([-4], r"index -4 is out of range for axis 0 of size 3"),
    ((slice(None), [0, 9]), r"index 9 is out of range for axis 1 of size 4"),
    ((0, 0, 0), "too many indices"),
    ((Ellipsis, 0, Ellipsis), "single ellipsis"),
    ((0, [True, False]), r"mask of shape \(2,\) does not match the shape \(4,\)"),
    (([0, 1], [0, 1, 2]), "cannot be broadcast"),
])
def test_bad_index_is_an_index_error(index: Any, match: str) -> None:
    x = Tensor.ones(3, 4)
    with pytest.raises(IndexError, match=match):
        x[index]


@pytest.mark.parametrize("index", [1.5, "a", tensor([1.0]), [[0, 1], [1]], [0.5, 1.0], {0: 1}, tensor(1.0)])
def test_wrong_index_type_names_what_is_allowed(index: Any) -> None:
    with pytest.raises(IndexError, match="getitem: .*(valid indices|integer or bool|ints or bools)"):
        Tensor.ones(3, 4)[index]


def test_gather_errors() -> None:
    x = Tensor.ones(2, 3)
    with pytest.raises(TypeError, match="gather: index must be an integer tensor"):
        x.gather(1, Tensor([[0.0]]))
    with pytest.raises(IndexError, match="gather"):
        x.gather(1, [[3]])
    with pytest.raises(IndexError, match="gather"):
        x.gather(2, [[0]])
    with pytest.raises(ValueError, match="gather"):
        x.gather(0, [0, 1])


def test_scatter_errors() -> None:
    x = Tensor.zeros(2, 3)
    with pytest.raises(TypeError, match="scatter: src must have the dtype of self, float32, got int64"):
        x.scatter(0, [[0, 1]], tensor([[1, 2]]))
    with pytest.raises(ValueError, match="scatter_add: src of shape"):
        x.scatter_add(1, [[0, 1]], tensor([[1.0]]))


@pytest.mark.parametrize(("index", "error", "message"), [
    ([[3]], IndexError, r"scatter: index 3 is out of range for dim 1 of size 3 \(self of shape \(2, 3\)\)"),
    ([[0, -1]], IndexError, r"scatter: index -1 is out of range for dim 1 of size 3"),
    ([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], ValueError,
     r"scatter: index of shape \(3, 4\) does not fit self of shape \(2, 3\) along dim 1"),
    ([0, 1], ValueError, r"scatter: index of shape \(2,\) does not fit self of shape \(2, 3\)"),
])
def test_scatter_index_errors_name_scatter(index: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Tensor.zeros(2, 3).scatter(1, index, 1.0)


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_scatter_keeps_the_last_write_and_has_torchs_gradients(shape: list[int], data: st.DataObject) -> None:
    # Many writes per position: an index up to 5 times longer than the axis, its values drawn from the axis.
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    index_shape = [data.draw(st.integers(0, 5 * n)) if d == dim % len(shape) else data.draw(st.integers(1, n))
                   for d, n in enumerate(shape)]
    index = rng.integers(0, shape[dim], index_shape)
    x, src, g = rng.standard_normal(shape), rng.standard_normal(index_shape), rng.standard_normal(shape)
    ours_x, ours_src = tensor(x, requires_grad=True), tensor(src, requires_grad=True)
    their_x, their_src = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    ours, theirs = ours_x.scatter(dim, tensor(index), ours_src), their_x.scatter(dim, torch.tensor(index), their_src)
    np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    ours.backward(tensor(g))
    theirs.backward(torch.tensor(g))
    for mine, their in [(ours_x.grad, their_x.grad), (ours_src.grad, their_src.grad)]:
        assert mine is not None and their is not None
        np.testing.assert_array_equal(mine.numpy(), their.numpy())


def test_scatter_is_recorded_once_and_refuses_an_index_changed_afterwards_as_torch() -> None:
    x, src = Tensor.zeros(4, requires_grad=True), Tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = tensor([2, 2, 0])
    out = x.scatter(0, index, src)
    assert out.tolist() == [3.0, 0.0, 2.0, 0.0] and out.grad_fn is not None and out.grad_fn.name == "Scatter"
    out.backward(Tensor([1.0, 2.0, 3.0, 4.0]), retain_graph=True)
    assert x.grad is not None and x.grad.tolist() == [0.0, 2.0, 0.0, 4.0]
    assert src.grad is not None and src.grad.tolist() == [3.0, 3.0, 1.0]
    index.fill_(1)  # Scatter saved the index, as torch's does: backward now refuses it
    with pytest.raises(RuntimeError, match="Scatter: .*inplace operation: input 1 .* modified in place"):
        out.backward(Tensor([1.0, 2.0, 3.0, 4.0]))


def test_scatter_of_a_larger_src_sends_gradient_to_the_used_part_only() -> None:
    src = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    out = Tensor.zeros(2, 4).scatter(1, tensor([[3, 0], [1, 2]]), src)
    assert out.tolist() == [[2.0, 0.0, 0.0, 1.0], [0.0, 4.0, 5.0, 0.0]]
    (out * Tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])).sum().backward()
    assert src.grad is not None and src.grad.tolist() == [[4.0, 1.0, 0.0], [6.0, 7.0, 0.0]]


def test_scatter_int_and_repeated_equal_values() -> None:
    x = tensor([[0, 0, 0]])
    assert x.scatter(1, [[2, 2, 0]], 7).tolist() == [[7, 0, 7]]


def test_masked_fill_errors() -> None:
    x = Tensor.zeros(2, 3)
    with pytest.raises(TypeError, match="masked_fill: the mask must be a bool tensor"):
        x.masked_fill(tensor([1, 0, 1]), 1.0)
    with pytest.raises(ValueError, match=r"masked_fill: a mask of shape \(2, 1, 3\)"):
        x.masked_fill(Tensor.ones(2, 1, 3, dtype=dtypes.bool), 1.0)


def test_masked_fill_keeps_the_dtype() -> None:
    assert tensor([1, 2]).masked_fill(tensor([True, False]), 2.7).tolist() == [2, 2]


def _ints(values: list[int]) -> Tensor:
    return tensor(np.asarray(values, dtype=np.int64)).long()


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda x: x.index_select(0, _ints([[0]])), IndexError, r"index_select: index must be a 1-d tensor"),
    (lambda x: x.index_select(1, _ints([-1])), IndexError, r"index_select: index values must lie in \[0, 3\)"),
    (lambda x: x.index_select(1, _ints([3])), IndexError, "index_select: index values"),
    (lambda x: x.index_select(0, Tensor.ones(1)), TypeError, "index_select: index must be an integer tensor"),
    (lambda x: x.repeat_interleave(-1), ValueError, "repeat_interleave: repeats must be non-negative"),
    (lambda x: x.repeat_interleave(_ints([1, 2]), 1), ValueError, "repeat_interleave: expected 3 non-negative"),
    (lambda x: x.repeat_interleave(_ints([1, -1]), 0), ValueError, "repeat_interleave: expected 2 non-negative"),
    (lambda x: x.repeat_interleave(Tensor.ones(2), 0), TypeError, "repeat_interleave: repeats must be an int or"),
    (lambda x: x.repeat_interleave(2, 0, output_size=5), ValueError, "output_size is 5, but the repeats add up to 4"),
])
def test_index_select_and_repeat_interleave_errors(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(Tensor.ones(2, 3))
