"""The backward engine: reverse-mode automatic differentiation over the graph of Nodes and Functions.

Function layer (`edugrad.function`). `_run` is the whole algorithm, as small as micrograd's: sort the graph
that ends at the roots in topological order (iteratively, so a 100,000-node chain is fine), then walk it from
the roots to the leaves; each Function turns the gradient of its output into gradients of its inputs (the
chain rule, `_chain_rule`), and gradients reaching one node along several paths add up. Around that core, as
named steps: a node's hooks (`_run_hooks`), where a finished gradient goes (`.grad` for `backward`, a result
for `grad`: `_into_grad`, `_into`), and, after the walk, `release`, which frees what the Functions saved but
keeps the graph's structure, so `graph()` still draws it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from edugrad.data import DType, TensorData
from edugrad.function import grad_mode
from edugrad.function.elementwise import Add
from edugrad.function.function import FreedGraphError, Function, _tracers, call_backward, traced
from edugrad.function.node import Node, ValuesGone, check_gradient, constant_like

N = TypeVar("N", bound=Node)
#: Where a node's finished gradient goes: collect(node, gradient).
Collect = Callable[[Node, Node], None]
_RELEASED = "backward released this value of the graph (it keeps only its shape and dtype); retain_graph=True keeps it"

__all__ = ["FreedGraphError", "backward", "grad", "release", "topological_order"]


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
            # Pushed last-first, so the stack pops (and places) the first argument first.
            stack.extend([(x, False) for x in reversed(ctx.inputs)
                          if (x.requires_grad or not only_requiring_grad) and id(x) not in visited])
    return order


def _run(roots: Sequence[Node], seeds: Sequence[Node], collect: Collect, retain_graph: bool | None,
         create_graph: bool) -> None:
    """Propagate each seed (the gradient of its root) back to the leaves, all in one pass, handing every
    node's finished gradient to `collect`. With create_graph the walk itself is recorded."""
    order = topological_order(roots)
    grads: dict[int, Node] = {}
    for root, seed in zip(roots, seeds):  # the same output given twice counts twice
        grads[id(root)] = seed if id(root) not in grads else Add.apply(grads[id(root)], seed)
    with grad_mode.set_grad_enabled(create_graph):
        for node in reversed(order):  # a node comes after every node that used it: its gradient is complete
            g = grads.pop(id(node), None)
            if g is None:
                continue  # no gradient reached it (its only path went through an input needing none)
            if node._hooks:
                g = _run_hooks(node, g)
            collect(node, g)
            if node._ctx is not None:
                for x, dx in _chain_rule(node._ctx, g):  # each input that needs a gradient, with its own
                    pending = grads.get(id(x))
                    grads[id(x)] = dx if pending is None else Add.apply(pending, dx)
    if not (create_graph if retain_graph is None else retain_graph):
        release(order)


def _chain_rule(fn: Function, g: Node) -> list[tuple[Node, Node]]:
    """fn's backward applied to g, the gradient of its output: (input, gradient) for each input that needs
    one, each gradient checked to be a node of its input's shape and dtype, so a wrong backward fails here."""
    result: tuple[object, ...]
    if _tracers:
        result = traced(fn.name, "backward", (g,), partial(call_backward, fn, g))
    elif fn.backward_on_data:
        result = call_backward(fn, g)
    else:  # the common case, without a call in between: backward runs for every op
        try:
            grads = fn.backward(g)
        except AttributeError as error:
            if error.obj is g and hasattr(TensorData, error.name or ""):  # g used as TensorData: say why
                raise AttributeError(
                    f"{fn.name}.backward: {error}. Backward gets the gradient as a node; one that computes on "
                    "TensorData (g.binary(...), the seed's style) must say so with the annotation g: TensorData"
                ) from error
            raise
        result = grads if type(grads) is tuple else (grads,)
    if len(result) != len(fn.inputs):
        raise RuntimeError(f"{fn.name}.backward returned {len(result)} gradients for {len(fn.inputs)} inputs")
    checked: list[tuple[Node, Node]] = []
    for i, (x, needs, dx) in enumerate(zip(fn.inputs, fn.needs_input_grad, result)):
        if not needs or dx is None:
            continue
        if not isinstance(dx, Node):
            raise TypeError(f"{fn.name}.backward returned {type(dx).__name__} for input {i}; a gradient must be a "
                            "node built with Functions' apply (e.g. Mul.apply(g, ...)), or TensorData from a "
                            "backward on TensorData (declared by its annotation, g: TensorData)")
        if dx._data.shape != x._data.shape or dx._data.dtype is not x._data.dtype:  # (._data: no property calls)
            raise RuntimeError(
                f"{fn.name}.backward returned a gradient of shape {dx.shape} and dtype {dx.dtype.name} for input "
                f"{i}, which has shape {x.shape} and dtype {x.dtype.name}; a gradient must match its input"
            )
        checked.append((x, dx))
    return checked


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
    _run([root], [seed], _into_grad(create_graph, only), retain_graph, create_graph)


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
    _run(outputs, seeds, _into(wanted, create_graph), retain_graph, create_graph)  # the outputs may share a graph
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


def _into_grad(create_graph: bool, only: set[int] | None) -> Collect:
    """backward's destination: the `.grad` of every leaf, or of each node in `only` (backward's `inputs=`), and
    of every node that retains its gradient; then a leaf's post-accumulate hooks see the new sum."""

    def collect(node: Node, g: Node) -> None:
        if node._retains_grad or (node._ctx is None if only is None else id(node) in only):
            node._grad = _accumulate(node._grad, g, create_graph)
            if node._post_accumulate_hooks:
                _run_post_accumulate_hooks(node)

    return collect


def _into(wanted: dict[int, Node | None], create_graph: bool) -> Collect:
    """grad's destination: the gradient of each node in `wanted`, returned instead of accumulated in `.grad`."""

    def collect(node: Node, g: Node) -> None:
        if id(node) in wanted:
            wanted[id(node)] = _accumulate(wanted[id(node)], g, create_graph)

    return collect


def _accumulate(total: N | None, g: N, keep_graph: bool) -> N:
    """total + g, where a missing total counts as zero. Without keep_graph a first gradient becomes a new leaf
    with a TensorData of its own: add's backward hands the same node to both inputs, and two leaves must not
    share one `.grad` (an in-place update of one would change the other)."""
    if total is None:
        return g if keep_graph else type(g)._wrap(g._data.clone())
    return Add.apply(total, g)


def _run_hooks(node: Node, g: Node) -> Node:
    """g passed through the node's hooks in order; a hook that returns a value replaces g with it, which must
    be a node of g's shape and dtype (as torch checks)."""
    for hook in tuple(node._hooks or ()):  # a copy: a hook may remove itself (a Graph's recorders do)
        replaced = hook(g)
        if replaced is not None:
            check_gradient(node, replaced, f"hook {getattr(hook, '__qualname__', hook)!r} returned")
            g = replaced
    return g


def _run_post_accumulate_hooks(node: Node) -> None:
    for hook in tuple(node._post_accumulate_hooks or ()):  # a copy: a hook may remove itself
        if hook(node) is not None:
            raise RuntimeError("a post accumulate grad hook must return None (it reads or sets node.grad itself), as "
                               "torch's must")


def release(order: Sequence[Node]) -> None:
    """After a backward without retain_graph: free what the Functions of `order` saved, but keep the graph's
    structure. Each input a Function holds, other than a leaf that requires grad (a parameter, which the user
    holds anyway), is swapped for a node keeping its shape, dtype and Function but no values, so the memory of
    the intermediate values goes while `graph()` still draws the graph; a second backward through a Function
    that saved something then raises FreedGraphError."""
    shells: dict[int, Node] = {}  # one stand-in per node, however many Functions read it
    gone: dict[tuple[tuple[int, ...], DType], ValuesGone] = {}  # (immutable: one per shape and dtype)
    for node in order:
        fn = node._ctx
        if fn is None:
            continue
        if fn._saved:
            fn._saved = ()
            fn._freed = True
        fn._released = True
        inputs = []
        for x in fn.inputs:  # (a plain loop: this runs for every edge of every graph trained on)
            if x.requires_grad and x._ctx is None:
                inputs.append(x)
                continue
            shell = shells.get(id(x))
            if shell is None:
                key = (x._data.shape, x._data.dtype)
                values = gone.get(key) or gone.setdefault(key, ValuesGone(*key, _RELEASED))
                shell = shells[id(x)] = type(x)._wrap(values, x._ctx)  # type: ignore[arg-type]
            inputs.append(shell)
        fn.inputs = tuple(inputs)
