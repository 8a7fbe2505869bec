"""The Function contract: what save_for_backward hands backward, freeing after backward (the structure stays,
the memory goes), a Function in the seed's style (backward on TensorData), and the checks torch makes of a
gradient assigned to `.grad` or returned by a hook. Each behaviour is compared with torch where torch has it."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch
from function_helpers import const, leaf, numpy_of

from edugrad.data import BinaryOps, TensorData, UnaryOps, dtypes
from edugrad.function import (
    Add, Exp, FreedGraphError, Function, Grads, Mul, Node, Sum, check_function, grad, gradcheck, gradgradcheck,
)

# save_for_backward and saved_tensors


class Probe(Function):
    """x * e^x, saving its input, its result and a value it computed: backward records what it was given."""

    seen: tuple[Node, ...] = ()

    def forward(self, x: TensorData) -> TensorData:
        e = x.unary(UnaryOps.EXP)
        out = x.binary(BinaryOps.MUL, e)
        self.save_for_backward(x, out, e)
        return out

    def backward(self, g: Node) -> Grads:
        Probe.seen = self.saved_tensors
        x, _, e = self.saved_tensors
        return Mul.apply(g, Add.apply(Mul.apply(x, e), e))  # d/dx x e^x = (x + 1) e^x, e a constant here


def test_saved_tensors_are_the_input_node_the_output_node_and_constants() -> None:
    x = leaf([0.5, 1.0])
    y = Probe.apply(x)
    Sum.apply(y).backward()
    saved_x, saved_out, saved_e = Probe.seen
    assert saved_x is x and saved_out is y  # so a recorded backward reaches the graph through them
    assert saved_e.grad_fn is None and not saved_e.requires_grad  # computed in forward: a constant
    np.testing.assert_allclose(numpy_of(x.grad), (np.array([0.5, 1.0]) + 1) * np.exp([0.5, 1.0]))


def test_a_saved_result_carries_the_second_derivative_as_torch() -> None:
    # Exp saves its result; d2/dx2 e^x = e^x comes through the output node saved_tensors hands back.
    x = leaf([0.0, 1.0, -0.5])
    assert gradgradcheck(Exp.apply, [x])
    t = torch.tensor([0.0, 1.0, -0.5], dtype=torch.float64, requires_grad=True)
    (first,) = torch.autograd.grad(t.exp().sum(), t, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), t)
    (mine,) = grad(Sum.apply(Exp.apply(x)), x, create_graph=True)
    (mine2,) = grad(Sum.apply(mine), x)  # type: ignore[arg-type]
    np.testing.assert_allclose(numpy_of(mine2), second.numpy())  # type: ignore[arg-type]


# freeing after backward: torch's rules


def test_a_second_backward_through_saved_values_raises_freed_graph_error_as_torch() -> None:
    x = leaf([1.0, 2.0])
    z = Sum.apply(Mul.apply(x, x))
    z.backward()
    with pytest.raises(FreedGraphError, match=r"^Trying to backward through the graph a second time \(or "
                                              r"directly access saved tensors.*through Mul.*retain_graph=True"):
        z.backward()
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    tz = (t * t).sum()
    tz.backward()
    with pytest.raises(RuntimeError, match=r"^Trying to backward through the graph a second time \(or directly"):
        tz.backward()


def test_a_second_backward_where_nothing_was_saved_runs_again_as_torch() -> None:
    x = leaf([1.0, 2.0])
    z = Sum.apply(Add.apply(x, x))
    z.backward()
    z.backward()  # Add and Sum save no tensor: torch runs it again too, and the gradients accumulate
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    tz = (t + t).sum()
    tz.backward()
    tz.backward()
    assert numpy_of(x.grad).tolist() == t.grad.tolist() == [4.0, 4.0]  # type: ignore[union-attr]


def test_backward_releases_the_memory_of_the_values_only_the_graph_held() -> None:
    x = leaf(np.linspace(0.0, 1.0, 1000))
    hidden = Exp.apply(x)
    saved = weakref.ref(hidden._data.array)  # Exp saved its result; Mul saved hidden and the constant
    loss = Sum.apply(Mul.apply(hidden, const(np.ones(1000))))
    del hidden
    gc.collect()
    assert saved() is not None  # the graph holds it until backward
    loss.backward()
    gc.collect()
    assert saved() is None  # freed, though the loss and its graph are still alive
    assert loss.grad_fn is not None and loss.grad_fn.inputs[0].shape == (1000,)


def test_retain_graph_keeps_the_values_for_a_second_backward() -> None:
    x = leaf(np.linspace(0.0, 1.0, 10))
    hidden = Exp.apply(x)
    saved = weakref.ref(hidden._data.array)
    loss = Sum.apply(Mul.apply(hidden, const(np.ones(10))))
    del hidden
    loss.backward(retain_graph=True)
    gc.collect()
    assert saved() is not None
    loss.backward()
    np.testing.assert_allclose(numpy_of(x.grad), 2 * np.exp(np.linspace(0.0, 1.0, 10)))


# a Function in the seed's style: forward and backward on TensorData


class SeedAdd(Function):
    """The seed README's Add: backward on TensorData, returning TensorData."""

    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        return x.binary(BinaryOps.ADD, y)

    def backward(  # type: ignore[override]
            self, grad_output: TensorData) -> tuple[TensorData | None, TensorData | None]:
        return (grad_output if self.needs_input_grad[0] else None,
                grad_output if self.needs_input_grad[1] else None)


class SeedMul(Function):
    def forward(self, x: TensorData, y: TensorData) -> TensorData:
        self.x, self.y = x, y  # the seed's way: attributes (not version-checked, not freed)
        return x.binary(BinaryOps.MUL, y)

    def backward(self, grad_output: TensorData) -> tuple[TensorData, TensorData]:  # type: ignore[override]
        return grad_output.binary(BinaryOps.MUL, self.y), grad_output.binary(BinaryOps.MUL, self.x)


def test_a_seed_style_function_gives_torchs_first_order_gradients() -> None:
    x, y = leaf([1.0, -2.0, 3.0]), leaf([0.5, 4.0, -1.0])
    Sum.apply(SeedMul.apply(SeedAdd.apply(x, y), y)).backward()  # ((x + y) y).sum()
    tx = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    ty = torch.tensor([0.5, 4.0, -1.0], dtype=torch.float64, requires_grad=True)
    ((tx + ty) * ty).sum().backward()
    np.testing.assert_allclose(numpy_of(x.grad), tx.grad.numpy())  # type: ignore[union-attr]
    np.testing.assert_allclose(numpy_of(y.grad), ty.grad.numpy())  # type: ignore[union-attr]
    assert SeedAdd.backward_on_data and not Add.backward_on_data
    assert gradcheck(SeedMul.apply, [leaf([1.0, 2.0]), leaf([3.0, -1.0])])


def test_create_graph_through_a_seed_style_function_says_why_it_cannot() -> None:
    x = leaf([1.0, 2.0])
    z = Sum.apply(SeedMul.apply(x, x))
    with pytest.raises(RuntimeError, match=r"SeedMul.backward computes on TensorData, so the engine cannot record "
                                           r"it: create_graph=True"):
        z.backward(create_graph=True)


class SeedMulUnannotated(SeedMul):
    def backward(self, grad_output):  # type: ignore[no-untyped-def]  # no annotation: gets a node
        return grad_output.binary(BinaryOps.MUL, self.y), grad_output.binary(BinaryOps.MUL, self.x)


def test_a_seed_style_backward_without_the_annotation_is_told_what_to_add() -> None:
    x = leaf([1.0, 2.0])
    with pytest.raises(AttributeError, match=r"SeedMulUnannotated.backward: .*'binary'.* must say so with the "
                                             r"annotation g: TensorData"):
        Sum.apply(SeedMulUnannotated.apply(x, x)).backward()


def test_check_function_accepts_the_seed_style_add() -> None:
    assert check_function(SeedAdd, leaf([1.0, 2.0]), leaf([3.0, 4.0]))


# .grad assignment and hook results, checked as torch checks them


def test_assigning_a_grad_of_the_wrong_shape_dtype_or_type_raises_as_torch() -> None:
    w = leaf([0.0, 0.0], dtype=dtypes.float32)
    t = torch.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"assigned grad: a gradient of shape \(1,\) for a tensor of shape \(2,\)"):
        w.grad = leaf([1.0], dtype=dtypes.float32)
    with pytest.raises(RuntimeError, match="size"):
        t.grad = torch.tensor([1.0])
    with pytest.raises(RuntimeError, match="assigned grad: a gradient of dtype float64 for a tensor of dtype float32"):
        w.grad = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="dtype"):
        t.grad = torch.tensor([1.0, 2.0], dtype=torch.float64)
    with pytest.raises(TypeError, match="assigned grad: expected a tensor or None, got list"):
        w.grad = [1.0, 2.0]  # type: ignore[assignment]
    with pytest.raises(TypeError, match="got grad of type list"):
        t.grad = [1.0, 2.0]  # type: ignore[assignment]
    w.grad = leaf([1.0, 2.0], dtype=dtypes.float32)
    w.grad = None
    assert w.grad is None


def test_a_hook_returning_a_list_or_the_wrong_shape_raises_naming_the_hook() -> None:
    def as_list(g: Node) -> list[float]:
        return [1.0, 2.0]

    def too_long(g: Node) -> Node:
        return leaf([1.0, 2.0, 3.0], requires_grad=False)

    for hook, error, message in [
        (as_list, TypeError, r"hook 'test_a_hook.*as_list' returned: expected a tensor or None, got list"),
        (too_long, RuntimeError, r"hook 'test_a_hook.*too_long' returned: a gradient of shape \(3,\) for a "
                                 r"tensor of shape \(2,\)"),
    ]:
        w = leaf([1.0, 2.0])
        w.register_hook(hook)
        with pytest.raises(error, match=message):
            Sum.apply(Mul.apply(w, const([2.0, 2.0]))).backward()
    t = torch.zeros(2, requires_grad=True)
    t.register_hook(lambda g: torch.ones(3))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (t * 2).sum().backward()
