"""Task 4: the engine, topological order and the accumulation of gradients.

Every node made by a Function's `apply` remembers its maker: `node._ctx` is that Function (None for a leaf
you created), and `node._ctx.inputs` are the nodes it was applied to. Backward walks this graph from the
output to the leaves:

1. `topological_order(roots)`: every node that leads to a root and requires grad (`node.requires_grad`),
   each one AFTER all of its inputs. Walk depth-first; remember visited nodes by `id(node)` (a node used
   twice must appear once).
2. `grad(output, inputs)`: the gradients of a one-element `output` with respect to each of `inputs`, as a
   tuple. Seed the output with 1 (`constant_like(output, 1.0)`), then visit the nodes in REVERSED
   topological order: when a node is reached, every node that used it has already passed its gradient
   down, so its gradient is complete. For a node with a maker `fn = node._ctx`, `fn.backward(g)` returns
   one gradient per input (a tuple, or a single node for a single input; None for an input that needs no
   gradient). A node used twice receives two gradients: ADD them (`edugrad.function.Add.apply`), that is
   the multivariate chain rule, d f(u(x), v(x)) / dx = f_u u' + f_v v'.

The library's versions (edugrad.function.engine) add hooks, retain_graph and create_graph.
Grade with `hatch run grade engine`.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.function import Node


def topological_order(roots: Sequence[Node]) -> list[Node]:
    raise NotImplementedError("topological_order")


def grad(output: Node, inputs: Sequence[Node]) -> tuple[Node, ...]:
    raise NotImplementedError("grad")
