"""Graph export: the structure of a small known graph in every format, the backward view, the gradients a
graph records during backward, names, render, and the errors that explain misuse."""

from __future__ import annotations

import gc
import stat
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
import torch
from function_helpers import const, leaf

from edugrad.data import dtypes
from edugrad.function import Exp, Graph, Mul, Node, Sum, Tanh, no_grad


def small() -> tuple[Node, Node, Node]:
    """(x * w).sum() with x an input and w a parameter: the graph of the issue."""
    x = const([1.0, 2.0, 3.0], dtype=dtypes.float32)
    w = leaf([0.5, -1.0, 2.0], dtype=dtypes.float32)
    return x, w, Sum.apply(Mul.apply(x, w))


def test_the_small_graph_has_four_nodes_and_three_edges() -> None:
    x, w, loss = small()
    g = Graph(loss, names={"x": x, "w": w})
    assert [(n.id, n.kind, n.op, n.name, n.shape, n.dtype) for n in g.nodes] == [
        ("n0", "input", "input", "x", (3,), "float32"),
        ("n1", "parameter", "parameter", "w", (3,), "float32"),
        ("n2", "function", "Mul", None, (3,), "float32"),
        ("n3", "function", "Sum", None, (), "float32"),
    ]
    assert g.edges() == [("n0", "n2"), ("n1", "n2"), ("n2", "n3")]
    assert g.root is g.nodes[-1]
    assert repr(g) == "<Graph of Sum: 4 nodes, 3 edges>"


def test_the_small_graph_as_text() -> None:
    x, w, loss = small()
    assert Graph(loss, names={"x": x, "w": w}).to_text() == "\n".join([
        "n3 Sum  () float32",
        "└── n2 Mul  (3,) float32",
        "    ├── n0 x: input  (3,) float32",
        "    └── n1 w: parameter  (3,) float32",
    ])


def test_the_small_graph_as_dot() -> None:
    x, w, loss = small()
    dot = Graph(loss, names={"w": w}).to_dot().splitlines()
    assert dot[0] == "digraph edugrad {" and dot[-1] == "}"
    assert [line for line in dot if "->" in line] == ["  n0 -> n2;", "  n1 -> n2;", "  n2 -> n3;"]
    assert sum("[label=" in line for line in dot) == 4
    assert '  n1 [label="w: parameter\\n(3,) float32", shape=ellipse, style=filled, fillcolor="#cfe2ff"];' in dot
    assert '  n2 [label="Mul\\n(3,) float32", shape=box, style="rounded"];' in dot


def test_the_small_graph_as_mermaid() -> None:
    x, w, loss = small()
    mermaid = Graph(loss).to_mermaid().splitlines()
    assert mermaid[0] == "flowchart TB"
    assert [line for line in mermaid if "-->" in line] == ["    n0 --> n2", "    n1 --> n2", "    n2 --> n3"]
    assert '    n3["Sum<br/>() float32"]' in mermaid
    assert '    n0(["input<br/>(3,) float32"])' in mermaid
    assert "    class n1 parameter" in mermaid and "    class n0 input" in mermaid


def test_the_backward_view_reverses_the_edges_and_leaves_out_inputs() -> None:
    x, w, loss = small()
    g = Graph(loss, names={"w": w})
    assert [n.title("backward") for n in g.view_nodes("backward")] == ["SumBackward", "MulBackward",
                                                                       "w: AccumulateGrad"]
    assert g.edges("backward") == [("n3", "n2"), ("n2", "n1")]
    assert g.to_text("backward") == "\n".join([
        "n3 SumBackward  () float32",
        "└── n2 MulBackward  (3,) float32",
        "    └── n1 w: AccumulateGrad  (3,) float32",
    ])
    assert [line for line in g.to_dot("backward").splitlines() if "->" in line] == ["  n3 -> n2;", "  n2 -> n1;"]
    assert [line for line in g.to_mermaid("backward").splitlines() if "-->" in line] == ["    n3 --> n2",
                                                                                         "    n2 --> n1"]


def test_after_backward_the_graph_shows_each_gradient() -> None:
    x, w, loss = small()
    g = Graph(loss, names={"w": w})
    loss.backward()
    assert g.to_text() == "\n".join([
        "n3 Sum  () float32  grad () norm 1",
        "└── n2 Mul  (3,) float32  grad (3,) norm 1.732",
        "    ├── n0 input  (3,) float32",
        "    └── n1 w: parameter  (3,) float32  grad (3,) norm 3.742",  # dw = x = (1, 2, 3)
    ])
    assert "grad (3,) norm 3.742" in g.to_dot() and "grad (3,) norm 3.742" in g.to_mermaid()


def test_recorded_gradient_norms_match_numpy() -> None:
    # loss = sum(tanh(x * w)): d/d(xw) = 1 - tanh^2(xw), d/dw = x (1 - tanh^2(xw)), d/dx likewise with w.
    rng = np.random.default_rng(0)
    xv, wv = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    x, w = leaf(xv), leaf(wv)
    product = Mul.apply(x, w)
    tanh = Tanh.apply(product)
    loss = Sum.apply(tanh)
    g = Graph(loss, names={"x": x, "w": w, "product": product, "tanh": tanh})
    loss.backward()
    by_name = {n.name: n for n in g.nodes}
    inner = 1 - np.tanh(xv * wv) ** 2
    assert by_name["tanh"].grad_norm == pytest.approx(np.sqrt(12))  # d/d(tanh) sum = 1 for each of 12 values
    assert by_name["product"].grad_shape == (4, 3)
    np.testing.assert_allclose(by_name["product"].grad_norm, np.linalg.norm(inner), rtol=1e-12)
    np.testing.assert_allclose(by_name["w"].grad_norm, np.linalg.norm(xv * inner), rtol=1e-12)
    np.testing.assert_allclose(by_name["x"].grad_norm, np.linalg.norm(wv * inner), rtol=1e-12)


def test_gradients_reach_the_graph_through_intermediate_nodes() -> None:
    x = leaf([0.0, 1.0])
    y = Exp.apply(x)
    loss = Sum.apply(Mul.apply(y, y))  # d/dy y^2 = 2y, d/dx e^{2x} = 2 e^{2x}
    g = Graph(loss)
    loss.backward()
    exp_node = next(n for n in g.nodes if n.op == "Exp")
    np.testing.assert_allclose(exp_node.grad_norm, np.linalg.norm(2 * np.exp([0.0, 1.0])), rtol=1e-12)
    np.testing.assert_allclose(g.nodes[0].grad_norm, np.linalg.norm(2 * np.exp([0.0, 2.0])), rtol=1e-12)


def test_a_graph_hooks_only_until_the_next_backward() -> None:
    x, w, loss = small()
    Graph(loss)
    seen: list[tuple[int, ...]] = []
    w.register_hook(lambda grad: seen.append(grad.shape))  # after the graph's hook, which removes itself
    loss.backward()
    assert seen == [(3,)]  # removing a hook during backward does not skip the next one
    assert w._hooks is not None and len(w._hooks) == 1  # only the user's hook is left on the parameter


def test_record_grads_false_adds_no_hooks() -> None:
    x, w, loss = small()
    g = Graph(loss, record_grads=False)
    loss.backward()
    assert w._hooks is None and all(n.grad_norm is None for n in g.nodes)


def test_a_value_used_twice_is_one_node_with_two_edges() -> None:
    x = leaf([1.0, 2.0])
    g = Graph(Sum.apply(Mul.apply(x, x)), names={"x": x})
    assert len(g.nodes) == 3 and g.edges() == [("n0", "n1"), ("n0", "n1"), ("n1", "n2")]
    assert g.to_text().splitlines()[-1] == "    └── n0 x: parameter  (see above)"


def test_names_may_be_name_node_pairs_as_from_named_parameters() -> None:
    x, w, loss = small()
    g = Graph(loss, names=iter([("layer.weight", w)]))
    assert [n.name for n in g.nodes] == [None, "layer.weight", None, None]
    with pytest.raises(TypeError, match=r"names must be a dict \{name: tensor\}.*got an item \('w', \[1.0\]\)"):
        Graph(loss, names={"w": [1.0]})  # type: ignore[dict-item]


def test_a_list_of_bare_names_is_a_clear_type_error() -> None:
    # The case: names=["weight"] failed with Python's "too many values to unpack".
    _, _, loss = small()
    with pytest.raises(TypeError, match=r"dict\(model.named_parameters\(\)\).*got an item 'weight'"):
        Graph(loss, names=["weight"])  # type: ignore[arg-type]


def test_the_graph_keeps_no_tensor_alive() -> None:
    x, w, loss = small()
    g = Graph(loss)
    ref = weakref.ref(loss)
    del loss
    gc.collect()
    assert ref() is None and len(g.nodes) == 4


def test_a_long_chain_needs_no_recursion() -> None:
    x = leaf([1.0])
    y = x
    for _ in range(5000):
        y = Mul.apply(y, const([1.0]))
    g = Graph(y)
    lines = g.to_text().splitlines()
    assert len(g.nodes) == 1 + 2 * 5000 and len(lines) == len(g.nodes)
    assert max(map(len, lines)) < 300  # the indent stops growing past 50 levels


def test_a_graph_without_gradients_has_an_empty_backward_view() -> None:
    x, w, _ = small()
    with no_grad():
        loss = Sum.apply(Mul.apply(x, w))
    g = Graph(loss)
    assert [n.kind for n in g.nodes] == ["input"] and g.edges("backward") == []
    hint = ("n0 input  () float32  (nothing was recorded: no tensor it was computed from requires grad, or it "
            "was computed under no_grad(); make the parameters with requires_grad=True)")
    assert g.to_text("backward") == g.to_text() == hint


def test_a_graph_taken_after_backward_has_the_structure_and_the_leaf_gradients() -> None:
    x, w, loss = small()
    before = Graph(loss, names={"w": w}, record_grads=False)
    loss.backward()
    after = Graph(loss, names={"w": w})
    assert [(n.kind, n.op, n.shape, n.dtype, n.inputs) for n in after.nodes] == [
        (n.kind, n.op, n.shape, n.dtype, n.inputs) for n in before.nodes]
    assert after.edges() == before.edges() and after.to_dot().count("->") == 3
    weight = after.nodes[1]
    assert weight.name == "w" and weight.grad_shape == (3,)
    assert weight.grad_norm == pytest.approx(float(np.linalg.norm([1.0, 2.0, 3.0])))  # d(x.w)/dw = x
    assert "grad (3,) norm 3.742" in after.to_text() and "n3[\"Sum<br/>() float32\"]" in after.to_mermaid()


def test_a_graph_after_backward_through_intermediates_draws_the_same_tree_with_the_gradient() -> None:
    x = leaf([0.5, 1.0])
    loss = Sum.apply(Mul.apply(Exp.apply(x), Tanh.apply(x)))
    before = Graph(loss, record_grads=False).to_text("backward")
    loss.backward()
    t = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    (t.exp() * t.tanh()).sum().backward()
    norm = float(t.grad.norm())  # type: ignore[union-attr]
    expected = before.replace("n0 AccumulateGrad  (2,) float64", f"n0 AccumulateGrad  (2,) float64  grad (2,) norm "
                              f"{norm:.4g}")
    assert Graph(loss).to_text("backward") == expected and "ExpBackward" in expected


def test_an_unknown_view_is_an_error() -> None:
    with pytest.raises(ValueError, match='view must be "forward" or "backward", got \'sideways\''):
        Graph(small()[2]).to_dot("sideways")  # type: ignore[arg-type]


def test_labels_are_escaped() -> None:
    x, w, loss = small()
    g = Graph(loss, names={'say "w"': w})
    assert 'label="say \\"w\\": parameter' in g.to_dot()
    assert "say #quot;w#quot;: parameter" in g.to_mermaid()


def fake_dot(folder: Path, body: str) -> None:
    """An executable `dot` in `folder` that runs `body` in Python (with sys and Path imported)."""
    (folder / "dot.py").write_text(f"import sys\nfrom pathlib import Path\n{body}\n")
    script = folder / "dot"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{folder / "dot.py"}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_render_runs_dot_with_the_format_of_the_suffix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in for Graphviz's dot: writes its arguments and the DOT text it reads into the output file.
    fake_dot(tmp_path, "args = sys.argv[1:]\nPath(args[2]).write_text(' '.join(args) + '\\n' + sys.stdin.read())")
    monkeypatch.setenv("PATH", str(tmp_path))
    g = Graph(small()[2])
    out = g.render(tmp_path / "graph.svg", view="backward")
    assert out == tmp_path / "graph.svg"
    assert out.read_text() == f"-Tsvg -o {out}\n" + g.to_dot("backward")


def test_render_without_graphviz_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    g = Graph(small()[2])
    with pytest.raises(RuntimeError, match=r"`dot` is not installed \(apt install graphviz.*to_dot\(\).*to_mermaid"):
        g.render(tmp_path / "graph.png")
    with pytest.raises(ValueError, match="give the file a suffix"):
        g.render(tmp_path / "graph")


def test_render_reports_a_failing_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, "sys.exit('Format: \"nope\" not recognized')")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match='dot could not write .*graph.nope: Format: "nope" not recognized'):
        Graph(small()[2]).render(tmp_path / "graph.nope")
