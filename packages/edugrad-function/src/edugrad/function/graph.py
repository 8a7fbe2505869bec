"""`Graph`: the computation graph behind a node, as plain text, Graphviz DOT or Mermaid.

Function layer (`edugrad.function`). `Graph(root)` follows `_ctx.inputs` back from `root` (iteratively, as
`backward` does) and describes every value it meets: one node per Function (its name, the output's shape and
dtype) and one per leaf, a *parameter* if it requires grad, an *input* if not (data, constants). Edges go from
each input to the Function that read it. The backward view draws the same graph the way `backward()` walks
it: from the root down to the parameters, through `SumBackward`, `MulBackward`, ..., along the edges that
gradients flow through (only nodes that require grad take part).

A Graph keeps descriptions, not the nodes, so it never keeps tensors alive. Made before `backward()`, it hooks
every node that requires grad (with the public `register_hook`), so after backward each node also shows the
shape and norm of its gradient: `g = loss.graph(); loss.backward(); print(g)`. Made after backward, it works
too (backward frees the saved values but keeps the graph's structure) and shows the gradients the leaves hold
in `.grad` (a graph taken before backward leaves a previous step's `.grad` out). The graph exports to text
(`to_text`), DOT (`to_dot`), Mermaid (`to_mermaid`) and, through Graphviz, to an image file: `render(path)`
is the Graph's method, `to_dot()` only returns text.

Each Function node also records what backward keeps alive for it: `saved_bytes`, the bytes of the values its
forward saved with `save_for_backward` (elements times item size), read when the Graph is made (so the
per-op path pays nothing). `Graph.saved_bytes` adds them up, a value saved by two Functions counted once;
`memory=True` puts them in the text, DOT and Mermaid output. After backward they are 0: backward frees them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from edugrad.data import TensorData
from edugrad.function.engine import topological_order
from edugrad.function.node import Node

View = Literal["forward", "backward"]
Kind = Literal["function", "parameter", "input"]
#: Names for nodes: a dict {"w": w}, or (name, node) pairs such as a Module's `named_parameters()`.
Names = Mapping[str, Node] | Iterable[tuple[str, Node]]

_MAX_INDENT = 50  # levels of the text tree
_DOT_STYLE: dict[Kind, str] = {
    "function": 'shape=box, style="rounded"',
    "parameter": 'shape=ellipse, style=filled, fillcolor="#cfe2ff"',
    "input": 'shape=ellipse, style=filled, fillcolor="#e9ecef"',
}


@dataclass
class GraphNode:
    """One value of the graph: the output of a Function, or a leaf."""

    id: str  # "n0", "n1", ... in topological order: every node comes after its inputs
    kind: Kind
    op: str  # the Function's name ("Mul"), or the kind for a leaf
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool
    inputs: tuple[str, ...]  # the ids of the Function's inputs, in argument order (none for a leaf)
    name: str | None = None
    grad_shape: tuple[int, ...] | None = None  # written by backward, through a hook
    grad_norm: float | None = None
    saved_bytes: int = 0  # of the values its Function saved for backward (0 for a leaf)

    def title(self, view: View) -> str:
        """The op forward (Mul, parameter), its backward step backward (MulBackward, AccumulateGrad: torch's
        name for adding into .grad), after the node's name when it has one."""
        op = self.op
        if view == "backward":
            op = f"{op}Backward" if self.kind == "function" else "AccumulateGrad"
        return op if self.name is None else f"{self.name}: {op}"

    def details(self, memory: bool = False) -> list[str]:
        """The value's shape and dtype, then its gradient's shape and norm once backward has run; with
        `memory`, the bytes its Function saved for backward."""
        lines = [f"{self.shape} {self.dtype}"]
        if memory and self.kind == "function":
            lines.append(f"saved {self.saved_bytes:,} B")
        if self.grad_norm is not None:
            lines.append(f"grad {self.grad_shape} norm {self.grad_norm:.4g}")
        return lines


class Graph:
    """The computation graph that produced `root`, with `to_text()`, `to_dot()`, `to_mermaid()` and
    `render(path)`; each takes `view="forward"` (inputs to root) or `"backward"` (root to parameters), and
    `memory=True` to show the bytes each Function saved for backward and their total, `saved_bytes`."""

    nodes: list[GraphNode]  # in topological order; the root is last
    root: GraphNode
    saved_bytes: int  # what backward keeps alive: the values the Functions saved, each counted once

    def __init__(self, root: Node, names: Names | None = None, record_grads: bool = True) -> None:
        order = _walk(root)
        labels = _names(names)
        ids = {id(node): f"n{i}" for i, node in enumerate(order)}
        after_backward = root._ctx is not None and root._ctx._released
        self.nodes = [_describe(node, ids, labels.get(id(node)), after_backward) for node in order]
        self.root = self.nodes[-1]
        self.saved_bytes = _nbytes(data for node in order if node._ctx is not None for data in node._ctx._saved)
        if record_grads:
            for node, described in zip(order, self.nodes):
                if node.requires_grad:
                    _record_grad(node, described)

    def edges(self, view: View = "forward") -> list[tuple[str, str]]:
        """(from, to) id pairs: input -> Function forward; Function -> input (where gradient flows) backward."""
        _check_view(view)
        if view == "forward":
            return [(src, node.id) for node in self.nodes for src in node.inputs]
        needs = {node.id for node in self.nodes if node.requires_grad}
        return [(node.id, src) for node in reversed(self.nodes) for src in node.inputs if src in needs]

    def view_nodes(self, view: View = "forward") -> list[GraphNode]:
        """The nodes a view shows: all of them forward, those that require grad backward (root first)."""
        _check_view(view)
        if view == "forward":
            return list(self.nodes)
        return [node for node in reversed(self.nodes) if node.requires_grad]

    def to_text(self, view: View = "forward", memory: bool = False) -> str:
        """An indented tree from the root down to the leaves, one line per node; a node reached a second time
        (its value is used twice) is listed again as "see above". Past 50 levels the indent stops growing, so
        a long chain stays readable (and linear in size). `memory` adds each Function's saved bytes and, on
        a last line, their total."""
        shown = {node.id: node for node in self.view_nodes(view)}
        if not shown or (self.root.kind == "input" and view == "forward"):
            return (f"{self.root.id} {self.root.title('forward')}  {self.root.details()[0]}  (nothing was recorded: "
                    "no tensor it was computed from requires grad, or it was computed under no_grad(); make the "
                    "parameters with requires_grad=True)")
        below: dict[str, list[str]] = {node_id: [] for node_id in shown}
        for parent, child in self._tree_edges(view):
            below[parent].append(child)
        lines: list[str] = []
        seen: set[str] = set()
        stack = [(self.root.id, "", "")]  # (node, prefix of its line, prefix of its children's lines)
        while stack:
            node_id, head, tail = stack.pop()
            node = shown[node_id]
            if node_id in seen:
                lines.append(f"{head}{node_id} {node.title(view)}  (see above)")
                continue
            seen.add(node_id)
            lines.append(f"{head}{node_id} {node.title(view)}  " + "  ".join(node.details(memory)))
            children = below[node_id]
            for i in reversed(range(len(children))):
                branch, through = ("└── ", "    ") if i == len(children) - 1 else ("├── ", "│   ")
                if len(tail) >= 4 * _MAX_INDENT:
                    branch = through = ""
                stack.append((children[i], tail + branch, tail + through))
        if memory:
            lines.append(self._memory_line())
        return "\n".join(lines)

    def to_dot(self, view: View = "forward", memory: bool = False) -> str:
        """The graph in Graphviz's DOT language: paste it into any Graphviz viewer, or `render` it. `memory`
        adds each Function's saved bytes, and their total as the graph's label."""
        lines = ["digraph edugrad {", '  node [fontname="Helvetica", fontsize=11];']
        if memory:
            lines.append(f'  label="{self._memory_line()}";')
        for node in self.view_nodes(view):
            label = "\\n".join(_dot_escape(line) for line in [node.title(view), *node.details(memory)])
            lines.append(f'  {node.id} [label="{label}", {_DOT_STYLE[node.kind]}];')
        lines += [f"  {src} -> {dst};" for src, dst in self.edges(view)]
        lines.append("}")
        return "\n".join(lines)

    def to_mermaid(self, view: View = "forward", memory: bool = False) -> str:
        """The graph as a Mermaid flowchart, which GitHub, GitLab and MkDocs render inside Markdown. `memory`
        adds each Function's saved bytes, and their total as the chart's title."""
        lines = ["flowchart TB"]
        if memory:
            lines = ["---", f"title: {self._memory_line()}", "---", *lines]
        for node in self.view_nodes(view):
            label = "<br/>".join(_mermaid_escape(line) for line in [node.title(view), *node.details(memory)])
            lines.append(f'    {node.id}["{label}"]' if node.kind == "function" else f'    {node.id}(["{label}"])')
        lines += [f"    {src} --> {dst}" for src, dst in self.edges(view)]
        lines += ["    classDef parameter fill:#cfe2ff,stroke:#555", "    classDef input fill:#e9ecef,stroke:#555"]
        for kind in ("parameter", "input"):
            ids = [node.id for node in self.view_nodes(view) if node.kind == kind]
            if ids:
                lines.append(f"    class {','.join(ids)} {kind}")
        return "\n".join(lines)

    def render(self, path: str | Path, view: View = "forward", memory: bool = False) -> Path:
        """Draw the graph into an image file with Graphviz's `dot` program, in the format of the file's suffix
        (.svg, .png, .pdf); returns the path."""
        path = Path(path)
        if not path.suffix:
            raise ValueError(f"render: give the file a suffix that names the format (.svg, .png, .pdf), got {path}")
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError(
                "render: the Graphviz program `dot` is not installed (apt install graphviz, brew install graphviz "
                "or conda install graphviz); without it, paste to_dot() into a Graphviz viewer, or put "
                "to_mermaid() in a Markdown page that renders Mermaid"
            )
        done = subprocess.run([dot, f"-T{path.suffix[1:]}", "-o", str(path)], input=self.to_dot(view, memory),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"render: dot could not write {path}: {done.stderr.strip()}")
        return path

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<Graph of {self.root.title('forward')}: {len(self.nodes)} nodes, {len(self.edges())} edges>"

    def _memory_line(self) -> str:
        """The total line of `memory=True`: the bytes saved for backward (each value once), and by how many of
        the Functions."""
        functions = [node for node in self.nodes if node.kind == "function"]
        saving = sum(1 for node in functions if node.saved_bytes)
        return f"saved for backward: {self.saved_bytes:,} B by {saving} of {len(functions)} Functions"

    def _tree_edges(self, view: View) -> list[tuple[str, str]]:
        """(parent, child) pairs of the text tree, which always hangs from the root."""
        if view == "forward":
            return [(dst, src) for src, dst in self.edges(view)]
        return self.edges(view)


def _walk(root: Node) -> list[Node]:
    """Every node that leads to `root`, constants included, each after its inputs (the engine's walk). After
    backward the walk still works: backward frees the values, not the structure."""
    return topological_order([root], only_requiring_grad=False)


def _describe(node: Node, ids: dict[int, str], name: str | None, after_backward: bool) -> GraphNode:
    """A node's description; after backward, with the gradient it holds (a leaf's `.grad`). Before backward
    a `.grad` is left out: it would be a previous step's."""
    ctx = node._ctx
    kind: Kind = "function" if ctx is not None else "parameter" if node.requires_grad else "input"
    inputs = tuple(ids[id(x)] for x in ctx.inputs) if ctx is not None else ()
    described = GraphNode(ids[id(node)], kind, ctx.name if ctx is not None else kind, node.shape,
                          node.dtype.name, node.requires_grad, inputs, name,
                          saved_bytes=_nbytes(ctx._saved) if ctx is not None else 0)
    if after_backward and node.grad is not None:
        _write_grad(node.grad, described)
    return described


def _names(names: Names | None) -> dict[int, str]:
    """The names by node identity, from a dict {name: tensor} (torchviz's `params=`) or (name, tensor) pairs;
    TypeError for anything else, such as a list of bare names (which say nothing about which tensor is which)."""
    pairs = names.items() if isinstance(names, Mapping) else names or ()
    labels: dict[int, str] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], Node)):
            raise TypeError(
                "graph: names must be a dict {name: tensor}, such as dict(model.named_parameters()), or (name, "
                f"tensor) pairs, such as model.named_parameters(); got an item {pair!r:.60}"
            )
        labels[id(pair[1])] = str(pair[0])
    return labels


def _record_grad(node: Node, target: GraphNode) -> None:
    """Hook `node` so that the next backward writes its gradient's shape and norm into `target`. The hook
    removes itself after that one call, so graphs made in a training loop do not pile hooks on parameters."""

    def record(grad: Node) -> None:
        _write_grad(grad, target)
        remove()

    remove = node.register_hook(record)


def _write_grad(grad: Node, target: GraphNode) -> None:
    target.grad_shape = grad.shape
    target.grad_norm = float(np.linalg.norm(grad._data.numpy().astype(np.float64)))


def _nbytes(saved: Iterable[TensorData]) -> int:
    """The bytes of saved values, each value once however often it was saved: elements times item size (a
    saved view counts the elements it shows)."""
    distinct = {id(data): data for data in saved}
    return sum(data.size * data.dtype.itemsize for data in distinct.values())


def _check_view(view: str) -> None:
    if view not in ("forward", "backward"):
        raise ValueError(f'graph: view must be "forward" or "backward", got {view!r}')


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mermaid_escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
