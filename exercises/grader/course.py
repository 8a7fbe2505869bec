"""The course's tasks, bottom-up through the layers: each one's checks and its reference in edugrad.

Outside the four layers (exercises/grader/). Each task's checks compare the Solution with PyTorch (forward
and backward) and run edugrad's own checkers (check_function, gradcheck) on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from edugrad.function import grad, topological_order
from edugrad.tensor import Tensor, tensor
from exercises.grader.compare import against_torch, expect_close, expect_function_ok, small_inputs
from exercises.grader.core import Check, Failure, Solution, Task, register


def _library(module: str, *names: str) -> Callable[[], dict[str, Any]]:
    """The reference: the objects `names` of an edugrad module, imported when first graded."""
    def load() -> dict[str, Any]:
        imported = __import__(module, fromlist=list(names))
        return {n: getattr(imported, n) for n in names}
    return load


def _function_checks(name: str, torch_fn: Callable[..., torch.Tensor], shapes: tuple[tuple[int, ...], ...],
                     hint: str, low: float = -2.0, **kwargs: Any) -> tuple[Check, Check]:
    """Two checks of the Function `name`: against torch (output and gradients), and check_function."""
    arrays = small_inputs(*shapes, low=low)

    def matches_torch(s: Solution) -> None:
        function = getattr(s, name)
        against_torch(name, lambda *xs: function.apply(*xs, **kwargs), torch_fn, arrays, hint)

    def keeps_contract(s: Solution) -> None:
        expect_function_ok(getattr(s, name), arrays, hint, **kwargs)

    shown = f"{name}({', '.join(f'{k}={v}' for k, v in kwargs.items())})" if kwargs else name
    return (Check(f"{shown} matches torch", matches_torch, hint),
            Check(f"{shown} passes check_function", keeps_contract, hint))


register(Task(
    name="elementwise", title="elementwise Functions and their derivatives", number=2,
    module="exercises.tasks.t02_elementwise", names=("Exp", "Log", "Mul", "Sigmoid"),
    reference=_library("edugrad.function", "Exp", "Log", "Mul", "Sigmoid"),
    checks=(
        *_function_checks("Exp", torch.exp, ((2, 3),), "d/dx e^x = e^x: save the output in forward"),
        *_function_checks("Log", torch.log, ((2, 3),), "d/dx ln x = 1/x: save the input", low=0.5),
        *_function_checks("Mul", torch.mul, ((2, 3), (2, 3)),
                          "two inputs, two gradients: return (g * b, g * a)"),
        *_function_checks("Sigmoid", torch.sigmoid, ((2, 3),),
                          "d/dx sigmoid(x) = y (1 - y) with y the output; compute 1 / (1 + e^-x)"),
    ),
))


register(Task(
    name="broadcast", title="broadcasting: expand and its adjoint sum", number=3,
    module="exercises.tasks.t03_broadcast", names=("Expand", "Sum"),
    reference=_library("edugrad.function", "Expand", "Sum"),
    checks=(
        *_function_checks("Expand", lambda t: t.expand(4, 2, 3), ((1, 2, 1),),
                          "the gradient of a copied element is the sum over its copies (keepdim=True)",
                          shape=(4, 2, 3)),
        *_function_checks("Sum", lambda t: t.sum(dim=(0, 2)), ((2, 3, 4),),
                          "reshape g to keep the summed axes as size 1, then expand it to x's shape",
                          axes=(0, 2)),
        *_function_checks("Sum", lambda t: t.sum(dim=1, keepdim=True), ((3, 4),),
                          "with keepdim=True g already has the kept shape", axes=1, keepdim=True),
    ),
))


def _diamond(x: Tensor, w: Tensor) -> Tensor:
    """A graph where one node feeds two others: a = x * w is used by exp(a) and by a * a."""
    a = x * w
    return (a.exp() + a * a).sum()


def _order_is_topological(s: Solution) -> None:
    x, w = (tensor(a, requires_grad=True) for a in small_inputs((2, 2), (2, 2)))
    root = _diamond(x, w)
    order = s.topological_order([root])
    if not isinstance(order, list):
        raise Failure(f"topological_order returned {type(order).__name__}, expected a list of nodes")
    expected = topological_order([root])  # the library's: the same nodes, in some valid order
    if sorted(map(id, order)) != sorted(map(id, expected)):
        raise Failure(f"topological_order returned {len(order)} nodes ({len(set(map(id, order)))} distinct); "
                      f"the graph of (exp(a) + a * a).sum() with a = x * w has {len(expected)}",
                      "visit every node reachable through _ctx.inputs, each once (remember id(node))")
    place = {id(node): k for k, node in enumerate(order)}
    for node in order:
        for parent in node._ctx.inputs if node._ctx is not None else ():
            if parent.requires_grad and place[id(parent)] > place[id(node)]:
                raise Failure(f"topological_order placed the output of {node._ctx.name} before its input "
                              f"(positions {place[id(node)]} and {place[id(parent)]})",
                              "append a node only after all of its inputs have been appended")


def _engine_check(graph: Callable[..., Any], torch_graph: Callable[..., Any], shapes: tuple[tuple[int, ...], ...],
                  hint: str) -> Callable[[Solution], None]:
    arrays = small_inputs(*shapes)

    def check(s: Solution) -> None:
        xs = [tensor(a, requires_grad=True) for a in arrays]
        got = s.grad(graph(*xs), xs)
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        expected = torch.autograd.grad(torch_graph(*ts), ts)
        if not isinstance(got, tuple) or len(got) != len(xs):
            raise Failure(f"grad returned {got!r:.60}, expected a tuple of {len(xs)} gradients", hint)
        for i, (g, e) in enumerate(zip(got, expected)):
            if g is None:
                raise Failure(f"grad returned None for input {i}, which the output depends on", hint)
            expect_close(f"the gradient of input {i}", g, e.numpy(), arrays, hint)
    return check


register(Task(
    name="engine", title="the engine: topological order, accumulation", number=4,
    module="exercises.tasks.t04_engine", names=("topological_order", "grad"),
    reference=lambda: {"topological_order": topological_order, "grad": grad},
    checks=(
        Check("topological_order puts every node after its inputs", _order_is_topological,
              "depth-first: visit a node's inputs, then append the node"),
        Check("grad of a chain matches torch",
              _engine_check(lambda x: (x * x).exp().sum(), lambda x: (x * x).exp().sum(), ((3,),),
                            "seed the output with 1 and call each node's _ctx.backward in reversed order"),
              "seed the output with 1 and call each node's _ctx.backward in reversed order"),
        Check("grad adds the gradients of a node used twice",
              _engine_check(_diamond, _diamond, ((2, 2), (2, 2)),
                            "a node used twice receives two gradients: add them, do not overwrite"),
              "a node used twice receives two gradients: add them, do not overwrite"),
    ),
))


register(Task(
    name="softmax", title="log-softmax and its stability", number=5,
    module="exercises.tasks.t05_softmax", names=("LogSoftmax",),
    reference=_library("edugrad.function", "LogSoftmax"),
    checks=(
        *_function_checks("LogSoftmax", lambda t: torch.log_softmax(t, dim=1), ((3, 4),),
                          "dx = g - softmax * sum(g) along the axis, softmax = exp(output)", axis=1),
        Check("LogSoftmax of large logits matches torch", lambda s: against_torch(
            "LogSoftmax", lambda x: s.LogSoftmax.apply(x, axis=-1), lambda t: torch.log_softmax(t, dim=-1),
            [np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])],
            "subtract the maximum before exp: e^1000 is inf, e^(1000 - 1001) is not"),
            "subtract the maximum before exp: e^1000 is inf, e^(1000 - 1001) is not"),
    ),
))


register(Task(
    name="matmul", title="matmul and its two gradients", number=6,
    module="exercises.tasks.t06_matmul", names=("MatMul",),
    reference=_library("edugrad.function", "MatMul"),
    checks=(
        *_function_checks("MatMul", torch.matmul, ((3, 4), (4, 2)),
                          "dx = g @ y^T and dy = x^T @ g: check the shapes, (m, k) and (k, n)"),
        *_function_checks("MatMul", torch.matmul, ((2, 3, 4), (2, 4, 5)),
                          "batched: transpose only the last two axes"),
    ),
))
