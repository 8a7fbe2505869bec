"""What backward keeps alive: the bytes each Function saved for backward, in the graph export and the trace."""

from __future__ import annotations

import numpy as np

from edugrad.data import DType, dtypes
from edugrad.tensor import Tensor
from edugrad.tensor.tracing import trace


def linear_relu(dtype: DType = dtypes.float32) -> tuple[Tensor, Tensor, Tensor]:
    """x (4, 3) @ w (3, 2) + b (2,), then relu and sum: MatMul saves x and w, Relu its output."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), dtype=dtype)
    w = Tensor(rng.standard_normal((3, 2)), dtype=dtype, requires_grad=True)
    b = Tensor(rng.standard_normal(2), dtype=dtype, requires_grad=True)
    return x, w, b


def test_each_function_node_shows_the_bytes_it_saved() -> None:
    x, w, b = linear_relu()
    g = x.linear(w, b).relu().sum().graph(names={"x": x, "w": w, "b": b})
    saved = {node.op: node.saved_bytes for node in g.nodes if node.kind == "function"}
    # MatMul keeps x (12 floats) and w (6) for its two gradients; Relu its (4, 2) output; the rest nothing.
    assert saved == {"MatMul": (12 + 6) * 4, "Add": 0, "Expand": 0, "Reshape": 0, "Relu": 8 * 4, "Sum": 0}
    assert g.saved_bytes == 104
    assert all(node.saved_bytes == 0 for node in g.nodes if node.kind != "function")


def test_float64_values_take_eight_bytes_each() -> None:
    x, w, b = linear_relu(dtypes.float64)
    assert x.linear(w, b).relu().sum().graph().saved_bytes == 2 * 104


def test_a_value_saved_twice_counts_once() -> None:
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = w.exp()  # Exp saves its output y
    z = y * y  # Mul saves (y, y): the same values, kept once
    g = z.sum().graph()
    assert [(node.op, node.saved_bytes) for node in g.nodes if node.kind == "function"] == [
        ("Exp", 12), ("Mul", 12), ("Sum", 0)]
    assert g.saved_bytes == 12


def test_memory_shows_in_text_dot_and_mermaid() -> None:
    x, w, b = linear_relu()
    g = x.linear(w, b).relu().sum().graph(names={"x": x, "w": w, "b": b})
    text = g.to_text(memory=True).splitlines()
    assert text[0] == "n8 Sum  () float32  saved 0 B"
    assert text[1] == "└── n7 Relu  (4, 2) float32  saved 32 B"
    assert "        ├── n2 MatMul  (4, 2) float32  saved 72 B" in text
    assert "        │   ├── n0 x: input  (4, 3) float32" in text  # a leaf saves nothing and says nothing
    assert text[-1] == "saved for backward: 104 B by 2 of 6 Functions"
    assert "saved" not in g.to_text()  # without memory=True, the export is as before
    dot = g.to_dot(memory=True)
    assert '  label="saved for backward: 104 B by 2 of 6 Functions";' in dot
    assert '  n2 [label="MatMul\\n(4, 2) float32\\nsaved 72 B", shape=box, style="rounded"];' in dot
    mermaid = g.to_mermaid(memory=True).splitlines()
    assert mermaid[:4] == ["---", "title: saved for backward: 104 B by 2 of 6 Functions", "---", "flowchart TB"]
    assert '    n7["Relu<br/>(4, 2) float32<br/>saved 32 B"]' in mermaid


def test_backward_frees_what_was_saved_and_retain_graph_keeps_it() -> None:
    x, w, b = linear_relu()
    loss = x.linear(w, b).relu().sum()
    loss.backward(retain_graph=True)
    assert loss.graph().saved_bytes == 104
    loss.backward()
    g = loss.graph()
    assert g.saved_bytes == 0
    assert g.to_text(memory=True).splitlines()[-1] == "saved for backward: 0 B by 0 of 6 Functions"


def test_the_trace_adds_up_what_the_forward_steps_saved() -> None:
    x, w, b = linear_relu()
    with trace() as t:
        loss = x.linear(w, b).relu().sum()
    steps = {e.name: e.saved_bytes for e in t.find("function")}
    assert steps == {"MatMul": 72, "Add": 0, "Expand": 0, "Reshape": 0, "Relu": 32, "Sum": 0}
    assert t.saved_bytes == loss.graph().saved_bytes == 104
    assert t.summary().splitlines()[-1] == "saved:        104 bytes for backward"


def test_an_unrecorded_step_saves_nothing() -> None:
    x = Tensor([1.0, 2.0], dtype=dtypes.float32)  # requires no grad: nothing is recorded, nothing kept
    with trace() as t:
        x.exp().sum()
    assert [e.saved_bytes for e in t.find("function")] == [None, None]
    assert t.saved_bytes == 0
