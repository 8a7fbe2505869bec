"""The backward engine: reverse-mode automatic differentiation over the graph of Nodes and Functions.

Function layer (`edugrad.function`). `backward(root)` sorts the graph that ends at `root` in topological
order (iteratively, so a 100,000-node chain is fine), then walks it from the root to the leaves: each
Function turns the gradient of its output into gradients of its inputs (the chain rule), and gradients
reaching the same node from several paths are added. Leaves end up with the sum in `.grad`. `grad()` is the
functional form, which returns gradients instead of accumulating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TypeVar

from edugrad.function import grad_mode
from edugrad.function.elementwise import Add
from edugrad.function.function import Function, _tracers, traced
from edugrad.function.node import Node, constant_like

N = TypeVar("N", bound=Node)


class FreedGraphError(RuntimeError):
    """Raised on a walk through a Function whose saved values a backward without retain_graph freed."""

    def __init__(self, function: str) -> None:
        super().__init__(
            f"Trying to backward through the graph a second time (through {function}): its saved values were "
            "freed by the first backward. Pass retain_graph=True to the first backward to keep them."
        )
        self.function = function


def topological_order(roots: Sequence[Node], only_requiring_grad: bool = True) -> list[Node]:
    """Every node that leads to a root (only those that require grad, unless told otherwise), each after all
    of its inputs, the inputs in argument order (depth-first, with an explicit stack instead of recursion, so
    a long chain cannot overflow Python's recursion limit). The engine and the graph export both walk this."""
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [
        (root, False) for root in reversed(roots) if root.requires_grad or not only_requiring_grad
    ]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))  # comes back to this node once everything pushed after it is placed
        ctx = node._ctx
        if ctx is not None:
            if ctx._freed:
                raise FreedGraphError(ctx.name)
            # Pushed last-first, so the stack pops (and places) the first argument first.
            stack.extend([(x, False) for x in reversed(ctx.inputs)
                          if (x.requires_grad or not only_requiring_grad) and id(x) not in visited])
    return order


def backward(root: Node, gradient: Node | None = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Node | Sequence[Node] | None = None) -> None:
    """Add d(root)/d(leaf) (times `gradient`) to the `.grad` of every leaf that requires grad, or only of the
    nodes in `inputs` (leaves or not), as torch. `gradient` may be omitted only for a single-element root;
    `retain_graph` (default: `create_graph`) keeps the graph for another backward; `create_graph` records the
    backward pass itself, for higher derivatives."""
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad and has no grad_fn; nothing to differentiate")
    seed = _seed_gradient(root, gradient, "backward")
    only = None
    if inputs is not None:
        chosen = [inputs] if isinstance(inputs, Node) else list(inputs)
        if not chosen or any(not isinstance(x, Node) or not x.requires_grad for x in chosen):
            raise RuntimeError("backward: inputs must be a non-empty sequence of tensors that require grad")
        only = {id(x) for x in chosen}
    _run([root], [seed], retain_graph, create_graph, wanted=None, only=only)


def grad(outputs: N | Sequence[N], inputs: N | Sequence[N], grad_outputs: N | Sequence[N | None] | None = None,
         retain_graph: bool | None = None, create_graph: bool = False, only_inputs: bool = True,
         allow_unused: bool | None = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple[N | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, returned rather than accumulated into `.grad`
    (as `torch.autograd.grad`). An input the outputs do not depend on is an error unless `allow_unused`; its
    gradient is None, or zeros with `materialize_grads`. `only_inputs` is torch's deprecated flag and changes
    nothing; `is_grads_batched` (vmap over grad_outputs) is not supported."""
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True needs vmap, which edugrad does not have; call grad "
                                  "once per row of grad_outputs instead")
    if allow_unused is None:
        allow_unused = materialize_grads  # torch's rule: materialized gradients imply unused inputs are fine
    outputs = [outputs] if isinstance(outputs, Node) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Node) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Node):
        grad_outputs = [grad_outputs] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for x in inputs:
        if not x.requires_grad:
            raise RuntimeError(f"grad: input of shape {x.shape} does not require grad")
    for output in outputs:
        if not output.requires_grad:
            raise RuntimeError(f"grad: output of shape {output.shape} does not require grad and has no grad_fn")
    seeds = [_seed_gradient(output, g, "grad") for output, g in zip(outputs, grad_outputs)]
    wanted: dict[int, Node | None] = {id(x): None for x in inputs}
    _run(outputs, seeds, retain_graph, create_graph, wanted)  # one pass: the outputs may share a graph
    results = tuple(wanted[id(x)] for x in inputs)
    if materialize_grads:
        results = tuple(constant_like(x, 0.0) if r is None else r for x, r in zip(inputs, results))
    if not allow_unused and any(r is None for r in results):
        unused = [i for i, r in enumerate(results) if r is None]
        raise RuntimeError(f"grad: inputs {unused} were not used to compute the outputs (pass allow_unused=True)")
    return results  # type: ignore[return-value]


def _seed_gradient(root: N, gradient: N | None, op: str) -> N:
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError(f"{op}: grad can be implicitly created only for scalar outputs; this output has "
                               f"shape {root.shape}, so pass a gradient of that shape")
        return constant_like(root, 1.0)
    if not isinstance(gradient, Node):
        raise TypeError(f"{op}: the gradient must be a node like the output, got {type(gradient).__name__}")
    if gradient.shape != root.shape or gradient.dtype is not root.dtype:
        raise ValueError(f"{op}: gradient has shape {gradient.shape} and dtype {gradient.dtype.name} but the output "
                         f"has shape {root.shape} and dtype {root.dtype.name}; they must match")
    return gradient


def _run(roots: Sequence[Node], seeds: Sequence[Node], retain_graph: bool | None, create_graph: bool,
         wanted: dict[int, Node | None] | None, only: set[int] | None = None) -> None:
    """Propagate each seed from its root to the leaves, all in one pass. With `wanted`, collect the gradients
    of those nodes there instead of accumulating into `.grad`; with `only`, accumulate into the `.grad` of those
    nodes (and of nodes that retain grad) rather than of every leaf."""
    if retain_graph is None:
        retain_graph = create_graph
    order = topological_order(roots)
    grads: dict[int, Node] = {}
    for root, seed in zip(roots, seeds):
        grads[id(root)] = _accumulate(grads.get(id(root)), seed, True)  # the same output given twice counts twice
    with grad_mode.set_grad_enabled(create_graph):
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue  # nothing reached this node (its only path went through an input needing no grad)
            if node._hooks:
                g = _run_hooks(node, g)
            if wanted is not None:
                if id(node) in wanted:
                    wanted[id(node)] = _accumulate(wanted[id(node)], g, create_graph)
            elif node._retains_grad or (node._ctx is None if only is None else id(node) in only):
                node.grad = _accumulate(node.grad, g, create_graph)
                if node._post_accumulate_hooks:
                    _run_post_accumulate_hooks(node)
            if node._ctx is not None:
                _propagate(node._ctx, g, grads)
    if not retain_graph:
        for node in order:
            if node._ctx is not None:
                node._ctx._freed = True
                node._ctx.inputs = ()  # let go of the saved values now, not when the output dies


def _propagate(fn: Function, g: Node, grads: dict[int, Node]) -> None:
    """Apply `fn`'s chain rule to `g` and add the result to the pending gradient of each of its inputs."""
    if fn.saves_inputs:
        fn.check_saved_versions()
    if _tracers:
        result = traced(fn.name, "backward", (g,), partial(fn.backward, g))
    else:
        result = fn.backward(g)
    input_grads = result if type(result) is tuple else (result,)
    if len(input_grads) != len(fn.inputs):
        raise RuntimeError(f"{fn.name}.backward returned {len(input_grads)} gradients for {len(fn.inputs)} inputs")
    for i, (x, needs, dx) in enumerate(zip(fn.inputs, fn.needs_input_grad, input_grads)):
        if not needs or dx is None:
            continue
        if not isinstance(dx, Node):
            raise TypeError(f"{fn.name}.backward returned {type(dx).__name__} for input {i}; a gradient must be a "
                            "Node, built from other Functions' apply (e.g. Mul.apply(g, ...)) so it can be recorded")
        if dx._data.shape != x._data.shape or dx._data.dtype is not x._data.dtype:  # (._data: no property calls)
            raise RuntimeError(
                f"{fn.name}.backward returned a gradient of shape {dx.shape} and dtype {dx.dtype.name} for input "
                f"{i}, which has shape {x.shape} and dtype {x.dtype.name}; a gradient must match its input"
            )
        pending = grads.get(id(x))  # gradients reaching x along several paths add up
        grads[id(x)] = dx if pending is None else Add.apply(pending, dx)


def _accumulate(total: N | None, g: N, keep_graph: bool) -> N:
    """total + g, where a missing total counts as zero. Without keep_graph a first gradient becomes a new leaf
    with a TensorData of its own: add's backward hands the same node to both inputs, and two leaves must not
    share one `.grad` (an in-place update of one would change the other)."""
    if total is None:
        return g if keep_graph else type(g)._wrap(g._data.clone())
    return Add.apply(total, g)


def _run_hooks(node: Node, g: Node) -> Node:
    for hook in tuple(node._hooks or ()):  # a copy: a hook may remove itself (a Graph's recorders do)
        replaced = hook(g)
        if replaced is not None:
            g = replaced
    return g


def _run_post_accumulate_hooks(node: Node) -> None:
    for hook in tuple(node._post_accumulate_hooks or ()):  # a copy: a hook may remove itself
        if hook(node) is not None:
            raise RuntimeError("a post accumulate grad hook must return None (it reads or sets node.grad itself), as "
                               "torch's must")
