"""Second (and third) derivatives through create_graph=True, against torch.autograd.grad."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from function_helpers import close, const, leaf, numpy_of, randn, torch_leaf

from edugrad.function import Div, Exp, Expand, MatMul, Mul, Node, Sin, Sum, Tanh, grad


def cube(x: Node) -> Node:
    return Mul.apply(Mul.apply(x, x), x)


def softmax(x: Node) -> Node:
    """exp(x) / sum(exp(x)) over the last axis, from the primitives alone."""
    e = Exp.apply(x)
    return Div.apply(e, Expand.apply(Sum.apply(e, axes=-1, keepdim=True), shape=x.shape))


Pair = tuple[Callable[[Node], Node], Callable[[torch.Tensor], torch.Tensor]]
FUNCTIONS: dict[str, Pair] = {
    "x**3 as Mul": (cube, lambda t: t * t * t),
    "sin": (Sin.apply, torch.sin),
    "tanh": (Tanh.apply, torch.tanh),
    "softmax from Exp/Sum/Div": (softmax, lambda t: torch.softmax(t, dim=-1)),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_second_derivative_matches_torch(name: str) -> None:
    ours, theirs = FUNCTIONS[name]
    x = randn(2, 3)
    w, u = np.random.default_rng(1).standard_normal((2, 2, 3))  # weights: makes every output count differently

    (g,) = grad(Sum.apply(Mul.apply(ours(x), const(w))), x, create_graph=True)
    (h,) = grad(Sum.apply(Mul.apply(g, const(u))), x)

    t = torch_leaf(x)
    (tg,) = torch.autograd.grad((theirs(t) * torch.from_numpy(w)).sum(), t, create_graph=True)
    (th,) = torch.autograd.grad((tg * torch.from_numpy(u)).sum(), t)
    close(g, tg)
    close(h, th)


def test_third_derivative_of_a_cube_is_six() -> None:
    x = leaf([-1.0, 0.5, 2.0])
    (d1,) = grad(Sum.apply(cube(x)), x, create_graph=True)
    (d2,) = grad(Sum.apply(d1), x, create_graph=True)
    (d3,) = grad(Sum.apply(d2), x)
    close(d1, 3 * np.array([1.0, 0.25, 4.0]))
    close(d2, [-6.0, 3.0, 12.0])
    close(d3, [6.0, 6.0, 6.0])


def test_hessian_vector_product() -> None:
    # f(x) = sum(tanh(A x)); Hv = d/dx (grad f . v), without ever forming the Hessian.
    rng = np.random.default_rng(2)
    a, v = rng.standard_normal((4, 3)), rng.standard_normal((3, 1))
    x = randn(3, 1)
    (g,) = grad(Sum.apply(Tanh.apply(MatMul.apply(const(a), x))), x, create_graph=True)
    (hv,) = grad(Sum.apply(Mul.apply(g, const(v))), x)

    t = torch_leaf(x)
    _, expected = torch.autograd.functional.hvp(lambda z: torch.tanh(torch.from_numpy(a) @ z).sum(), t,
                                                torch.from_numpy(v))
    close(hv, expected)


def test_backward_with_create_graph_then_differentiate_the_gradient() -> None:
    x = leaf([1.0, 2.0])
    Sum.apply(cube(x)).backward(create_graph=True)
    assert x.grad is not None
    (second,) = grad(Sum.apply(x.grad), x)  # x.grad = 3x^2 is itself in the graph
    assert numpy_of(second).tolist() == [6.0, 12.0]
