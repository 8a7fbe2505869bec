"""The backward engine: accumulation, graph reuse, hooks, grad(), and the errors that explain misuse."""

from __future__ import annotations

import numpy as np
import pytest
from function_helpers import Value, const, leaf, numpy_of, randn

from edugrad.data import TensorData, dtypes
from edugrad.function import (
    Add, Equal, Exp, FloorDiv, Function, Grads, Less, Mul, Neg, Node, Sum, Where, backward, grad,
    topological_order,
)


def total(x: Node) -> Node:
    return Sum.apply(x)


# accumulation and graph structure


def test_gradients_accumulate_into_leaves_over_two_backward_calls() -> None:
    x = leaf([1.0, 2.0])
    total(Mul.apply(x, const([3.0, 3.0]))).backward()
    total(Mul.apply(x, const([5.0, 5.0]))).backward()
    assert numpy_of(x.grad).tolist() == [8.0, 8.0]


def test_a_node_used_twice_gets_both_contributions() -> None:
    x = leaf([1.0, -2.0, 3.0])
    total(Mul.apply(x, x)).backward()  # d/dx x^2 = 2x: one x from each use
    assert numpy_of(x.grad).tolist() == [2.0, -4.0, 6.0]


def test_diamond_graph() -> None:
    # y = e^x feeds both branches of z = y*y + y, so dz/dx = (2y + 1) * y.
    x = leaf([0.5])
    y = Exp.apply(x)
    total(Add.apply(Mul.apply(y, y), y)).backward()
    e = np.exp(0.5)
    np.testing.assert_allclose(numpy_of(x.grad), [(2 * e + 1) * e])


def test_leaves_never_share_a_gradient_node() -> None:
    # Add's backward hands the same node to both inputs; each leaf must still get its own .grad.
    x, y = leaf([1.0]), leaf([2.0])
    total(Add.apply(x, y)).backward()
    assert x.grad is not None and y.grad is not None and x.grad is not y.grad


def test_functions_keep_the_class_of_their_inputs() -> None:
    y = Mul.apply(randn(2), randn(2, seed=1))
    assert type(y) is Value and y.grad_fn is not None and y.grad_fn.name == "Mul"


def test_topological_order_puts_every_node_after_its_inputs() -> None:
    x = leaf([1.0])
    a = Exp.apply(x)
    b = Mul.apply(a, x)
    c = Add.apply(b, a)
    order = topological_order([c])
    position = {id(n): i for i, n in enumerate(order)}
    assert len(order) == 4 and position[id(x)] < position[id(a)] < position[id(b)] < position[id(c)]


def test_a_100000_node_chain() -> None:
    # Both the sort and the walk are loops with explicit stacks, so depth is bounded by memory, not recursion.
    x = leaf(1.0)
    factor = const(1.000001)
    y = x
    for _ in range(100_000):
        y = Mul.apply(y, factor)
    y.backward()
    np.testing.assert_allclose(numpy_of(x.grad), 1.000001**100_000, rtol=1e-9)


# retain_graph


def test_second_backward_without_retain_graph_raises() -> None:
    x = leaf([1.0, 2.0])
    y = total(Mul.apply(x, x))
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates() -> None:
    x = leaf([1.0, 2.0])
    y = total(Mul.apply(x, x))
    y.backward(retain_graph=True)
    y.backward()
    assert numpy_of(x.grad).tolist() == [4.0, 8.0]


def test_backward_keeps_the_graph_structure_but_releases_the_values() -> None:
    x = leaf([1.0, 2.0])
    h = Exp.apply(x)
    z = total(Mul.apply(h, const([3.0, 4.0])))
    z.backward()
    mul = z.grad_fn.inputs[0].grad_fn  # type: ignore[union-attr]
    assert mul is not None and mul.name == "Mul" and [x.shape for x in mul.inputs] == [(2,), (2,)]
    exp_input = mul.inputs[0]  # a stand-in for h: its shape, dtype and Function are kept, its values not
    assert exp_input is not h and exp_input.grad_fn is h.grad_fn and exp_input.dtype is dtypes.float64
    assert mul.inputs[1].shape == (2,) and not mul.inputs[1].requires_grad
    with pytest.raises(RuntimeError, match="backward released this value"):
        exp_input.numpy()


# gradients that are given or missing


def test_non_scalar_backward_needs_a_gradient() -> None:
    y = Mul.apply(randn(3), randn(3, seed=1))
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(3,\)"):
        y.backward()


def test_non_scalar_backward_with_a_gradient() -> None:
    x = leaf([1.0, 2.0, 3.0])
    Mul.apply(x, x).backward(leaf([1.0, 0.0, -1.0], requires_grad=False))
    assert numpy_of(x.grad).tolist() == [2.0, 0.0, -6.0]


@pytest.mark.parametrize("gradient", [np.ones(2), np.ones(3, np.float32)], ids=["shape", "dtype"])
def test_a_gradient_of_the_wrong_shape_or_dtype_is_refused(gradient: np.ndarray) -> None:
    y = Mul.apply(randn(3), randn(3, seed=1))
    with pytest.raises(ValueError, match="gradient has shape"):
        y.backward(const(gradient))


def test_backward_of_a_node_that_does_not_require_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        const(1.0).backward()


def test_create_graph_records_the_gradient() -> None:
    x = leaf([3.0])
    total(Mul.apply(x, Mul.apply(x, x))).backward(create_graph=True)
    assert x.grad is not None and x.grad.requires_grad and x.grad.grad_fn is not None


# grad()


def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    dx, dy = grad(total(Mul.apply(x, y)), [x, y])
    assert numpy_of(dx).tolist() == [3.0, 4.0] and numpy_of(dy).tolist() == [1.0, 2.0]
    assert x.grad is None and y.grad is None


def test_grad_with_grad_outputs() -> None:
    x = leaf([1.0, 2.0])
    (dx,) = grad(Mul.apply(x, x), x, grad_outputs=const([10.0, -1.0]))
    assert numpy_of(dx).tolist() == [20.0, -4.0]


def test_grad_of_several_outputs_sharing_a_graph() -> None:
    # One pass over both outputs: separate passes would free the shared Exp after the first.
    x = leaf([0.0, 1.0])
    e = Exp.apply(x)
    (dx,) = grad([total(e), total(Mul.apply(e, e))], [x])
    np.testing.assert_allclose(numpy_of(dx), np.exp([0.0, 1.0]) + 2 * np.exp([0.0, 2.0]))


def test_grad_with_respect_to_a_non_leaf() -> None:
    x = leaf([2.0])
    h = Mul.apply(x, x)
    (dh,) = grad(total(Mul.apply(h, h)), h)
    assert numpy_of(dh).tolist() == [8.0]  # d(h^2)/dh = 2h = 8


def test_grad_allow_unused() -> None:
    x, unused = leaf([1.0]), leaf([1.0])
    y = total(Mul.apply(x, x))
    with pytest.raises(RuntimeError, match=r"inputs \[1\] were not used.*allow_unused=True"):
        grad(y, [x, unused], retain_graph=True)
    dx, du = grad(y, [x, unused], allow_unused=True)
    assert numpy_of(dx).tolist() == [2.0] and du is None


def test_grad_of_an_input_that_does_not_require_grad() -> None:
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(total(Mul.apply(x, x)), const([1.0]))


def test_module_level_backward_is_node_backward() -> None:
    x = leaf([1.0, 2.0])
    backward(total(Mul.apply(x, x)))
    assert numpy_of(x.grad).tolist() == [2.0, 4.0]


# hooks, retain_grad, detach, requires_grad_


def test_a_hook_sees_and_can_replace_the_gradient() -> None:
    x = leaf([1.0, 2.0])
    h = Mul.apply(x, const([3.0, 3.0]))
    seen: list[list[float]] = []
    h.register_hook(lambda g: seen.append(numpy_of(g).tolist()))
    h.register_hook(lambda g: Mul.apply(g, const([10.0, 10.0])))
    total(h).backward()
    assert seen == [[1.0, 1.0]] and numpy_of(x.grad).tolist() == [30.0, 30.0]


def test_a_removed_hook_is_not_called() -> None:
    x = leaf([1.0])
    remove = x.register_hook(lambda g: Mul.apply(g, const([0.0])))
    remove()
    remove()  # a second removal is harmless
    total(Mul.apply(x, x)).backward()
    assert numpy_of(x.grad).tolist() == [2.0]


def test_hooks_need_a_node_that_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="register_hook"):
        const([1.0]).register_hook(lambda g: g)


def test_retain_grad_keeps_the_gradient_of_a_non_leaf() -> None:
    x = leaf([1.0, 2.0])
    h, other = Mul.apply(x, x), Mul.apply(x, x)
    h.retain_grad()
    total(Add.apply(Mul.apply(h, h), other)).backward()
    assert numpy_of(h.grad).tolist() == [2.0, 8.0]  # d(h^2)/dh = 2h
    assert other.grad is None  # non-leaves do not keep theirs by default


def test_detach_shares_data_and_cuts_the_graph() -> None:
    x = leaf([1.0, 2.0])
    h = Mul.apply(x, x)
    d = h.detach()
    assert d._data is h._data and d.is_leaf and not d.requires_grad and type(d) is Value
    total(Add.apply(Mul.apply(d, x), h)).backward()  # d counts as a constant: d + 2x
    assert numpy_of(x.grad).tolist() == [3.0, 8.0]


def test_only_floating_point_nodes_can_require_grad() -> None:
    ints = const([1, 2])
    with pytest.raises(TypeError, match="only floating-point.*int64"):
        ints.requires_grad_()
    with pytest.raises(TypeError, match="only floating-point"):
        Value(TensorData.from_numpy(np.array([True])), requires_grad=True)
    assert leaf([1.0]).requires_grad_(False).requires_grad is False


def test_requires_grad_of_a_non_leaf_cannot_be_switched_off() -> None:
    with pytest.raises(RuntimeError, match="detach"):
        Mul.apply(randn(2), randn(2)).requires_grad_(False)


# comparisons


@pytest.mark.parametrize("comparison", [Less, Equal, FloorDiv])
def test_comparisons_never_require_grad(comparison: type[Function]) -> None:
    out = comparison.apply(randn(4), randn(4, seed=1))
    assert not out.requires_grad and out.grad_fn is None


def test_backward_through_a_where_whose_mask_comes_from_a_comparison() -> None:
    # relu(x) = where(0 < x, x, 0): the comparison is a constant mask and must not cut x off from backward.
    x = leaf([-1.0, 2.0, -3.0, 4.0])
    zero = const(np.zeros(4))
    mask = Less.apply(zero, x)
    assert mask.dtype is dtypes.bool and not mask.requires_grad
    total(Where.apply(mask, x, zero)).backward()
    assert numpy_of(x.grad).tolist() == [0.0, 1.0, 0.0, 1.0]


# in-place changes after use


def bump(node: Node) -> None:
    """An in-place write of the same values, as the Tensor layer's in-place methods make it."""
    node._data.assign(node._data.clone())


def test_backward_refuses_an_input_changed_after_a_mul_read_it() -> None:
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    z = total(Mul.apply(x, y))
    bump(y)
    with pytest.raises(RuntimeError, match=r"Mul: .* inplace operation: input 1 .* modified in place .* version 1, "
                       r"expected version 0"):
        z.backward()


def test_an_input_changed_after_an_add_is_harmless() -> None:
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    z = total(Add.apply(x, y))
    bump(y)
    z.backward()  # add's backward never reads its inputs
    assert numpy_of(y.grad).tolist() == [1.0, 1.0]


def test_backward_refuses_an_output_changed_after_exp_computed_it() -> None:
    x = leaf([0.0])
    e = Exp.apply(x)
    z = total(e)
    bump(e)
    with pytest.raises(RuntimeError, match="Exp: .*its output .* modified in place"):
        z.backward()


def test_backward_refuses_a_where_condition_changed_after_use_as_torch() -> None:
    # torch.where saves its condition: changing it in place afterwards makes backward raise, here too.
    x = leaf([1.0, 2.0])
    cond = const([True, False])
    z = total(Where.apply(cond, x, const([0.0, 0.0])))
    bump(cond)
    with pytest.raises(RuntimeError, match="Where: .*input 0 .* modified in place"):
        z.backward()


# broken Functions


class WrongShape(Function):
    def forward(self, x: TensorData) -> TensorData:
        return x

    def backward(self, g: Node) -> Grads:
        return Sum.apply(g)  # forgot that the input had a shape


class WrongCount(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x

    def backward(self, g: Node) -> Grads:
        return g  # two inputs, one gradient


class ReturnsData(Function):
    def forward(self, x: TensorData) -> TensorData:
        return x

    def backward(self, g: Node) -> Grads:
        return g._data  # type: ignore[return-value]  # TensorData, not a node


class ReturnsArray(Function):
    def forward(self, x: TensorData) -> TensorData:
        return x.numpy()  # type: ignore[return-value]


def test_the_engine_names_a_function_whose_gradient_has_the_wrong_shape() -> None:
    with pytest.raises(RuntimeError, match=r"WrongShape.backward returned a gradient of shape \(\).*\(3,\)"):
        total(WrongShape.apply(randn(3))).backward()


def test_the_engine_names_a_function_returning_the_wrong_number_of_gradients() -> None:
    with pytest.raises(RuntimeError, match="WrongCount.backward returned 1 gradients for 2 inputs"):
        total(WrongCount.apply(randn(3), randn(3))).backward()


def test_a_gradient_must_be_a_node() -> None:
    with pytest.raises(TypeError, match="ReturnsData.backward returned TensorData for input 0"):
        total(ReturnsData.apply(randn(3))).backward()


def test_forward_must_return_tensor_data() -> None:
    with pytest.raises(TypeError, match="ReturnsArray.forward returned ndarray"):
        ReturnsArray.apply(randn(3))


def test_neg_of_a_constant_is_not_recorded() -> None:
    assert Neg.apply(const([1.0])).grad_fn is None
