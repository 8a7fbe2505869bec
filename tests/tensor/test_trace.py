"""trace(): the three-level tree of Tensor calls, Functions and data ops, forward and backward; the costs of the
contraction, window and index ops; no listener left behind; and Tensor.graph()."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from edugrad.data import IndexOps, TensorData, WindowOps, dtypes
from edugrad.data import tensor_data as data_module
from edugrad.function import Graph
from edugrad.function import function as function_module
from edugrad.tensor import Tensor
from edugrad.tensor.tracing import trace
from edugrad.tensor.tracing import TraceEvent, op_cost


def listeners_left() -> tuple[int, int, object]:
    return len(data_module._observers), len(function_module._tracers), sys.getprofile()


def parents(events: list[TraceEvent]) -> dict[int, TraceEvent]:
    """Each event's parent, by the event's identity."""
    found: dict[int, TraceEvent] = {}
    stack = list(events)
    while stack:
        event = stack.pop()
        for child in event.children:
            found[id(child)] = event
            stack.append(child)
    return found


def has_ancestor(event: TraceEvent, ancestor: TraceEvent, up: dict[int, TraceEvent]) -> bool:
    while id(event) in up:
        event = up[id(event)]
        if event is ancestor:
            return True
    return False


def test_softmax_decomposes_into_five_calls_their_functions_and_ops() -> None:
    x = Tensor([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
    with trace() as t:
        y = x.softmax(-1)
    [softmax] = t.events
    assert (softmax.level, softmax.name, softmax.inputs, softmax.outputs) == ("call", "softmax", ((2, 3),), ((2, 3),))
    assert [call.name for call in softmax.children] == ["amax", "sub", "exp", "sum", "div"]
    assert {"Max", "Sub", "Exp", "Sum", "Div"} <= set(t.counts("function"))
    assert {"MAX", "SUB", "EXP", "SUM", "DIV"} <= set(t.counts("op"))
    up = parents(t.events)
    assert all(up[id(op)].level == "function" for op in t.find("op"))  # every op ran inside a Function
    assert not any(e.backward for e in t.walk())
    np.testing.assert_allclose(y.numpy(), np.exp(x.numpy()) / np.exp(x.numpy()).sum(1, keepdims=True), rtol=1e-6)


def test_the_tree_as_text() -> None:
    x = Tensor([1.0, 2.0])
    with trace() as t:
        x.exp()
    assert str(t) == "\n".join([
        "exp  (2,) -> (2,)",
        "└── Exp  (2,) -> (2,)",
        "    └── EXP  (2,) -> (2,) float32",
    ])
    assert t.to_text(depth=1) == "exp  (2,) -> (2,)  (+1 inside)"
    assert repr(t) == "<Trace: 1 Tensor calls, 1 Functions, 1 ops>"


def test_ops_show_their_arguments() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    with trace() as t:
        x.sum(axis=1)
    assert t.find("op")[0].line() == "SUM  (2, 2) -> (2,) float32 axes=(1,) keepdim=False"


def test_backward_steps_are_recorded_under_the_backward_call() -> None:
    x = Tensor([1.0, 2.0, 3.0])
    w = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    with trace() as t:
        loss = (x * w).sum()
        loss.backward()
    assert [e.name for e in t.events] == ["mul", "sum", "backward"]
    backward = t.events[-1]
    up = parents(t.events)
    assert [e.backward for e in t.walk()] == [e is backward or has_ancestor(e, backward, up) for e in t.walk()]
    assert [e.name for e in backward.children if e.level == "function"] == ["SumBackward", "MulBackward"]
    assert t.counts("function", backward=False) == {"Mul": 1, "Sum": 1}
    mul_backward = backward.children[[e.name for e in backward.children].index("MulBackward")]
    assert (mul_backward.inputs, mul_backward.outputs) == (((3,),), ((3,),))  # only w needs a gradient
    assert w.grad is not None and w.grad.tolist() == [1.0, 2.0, 3.0]


def test_summary_counts_each_level_forward_and_backward() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with trace() as t:
        (w.exp()).sum().backward()
    lines = t.summary().splitlines()
    assert lines[0] == "Tensor calls: 2 forward, 1 backward  (exp 1, sum 1, backward 1)"
    assert lines[1].startswith("Functions:    2 forward, ")
    assert lines[3] == "FLOPs:        0 (MATMUL, UNFOLD, FOLD, GATHER, SCATTER_ADD)"
    assert len(t.find("function", backward=True)) == int(lines[1].split(", ")[1].split()[0])


def test_summary_wraps_its_long_lines_to_a_width() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with trace() as t:
        ((w * w).exp().sum() + (w - 1.0).tanh().mean()).backward()
    long, wrapped = t.summary(), t.summary(width=60)
    assert max(map(len, long.splitlines())) > 60 >= max(map(len, wrapped.splitlines()))
    assert len(wrapped.splitlines()) > len(long.splitlines()) == 6  # one line per level, unwrapped
    continued = [line for line in wrapped.splitlines() if line.startswith(" ")]
    assert continued and all(line.startswith(" " * 14) and line[14] != " " for line in continued)
    assert all(line.endswith((",", ")")) for line in wrapped.splitlines()[:3])  # names keep their counts
    assert " ".join(wrapped.split()) == " ".join(long.split())  # the same words, only the line breaks differ


def test_conv2d_reports_the_flops_of_its_matmul() -> None:
    # (1, C, H, W) * (F, C, KH, KW) -> one (F, C*KH*KW) @ (C*KH*KW, OH*OW) product: 2 M K N FLOPs.
    x, w = Tensor.randn(1, 3, 8, 8), Tensor.randn(4, 3, 3, 3)
    with trace() as t:
        x.conv2d(w, padding=1)
    m, k, n = 4, 3 * 3 * 3, 8 * 8
    [matmul] = [e for e in t.find("op") if e.name == "MATMUL"]
    assert matmul.flops == 2 * m * k * n == t.flops  # the other ops of conv2d do no counted arithmetic
    assert matmul.bytes_moved == (m * k + k * n + m * n) * 4
    assert f"[{2 * m * k * n:,} FLOPs, {matmul.bytes_moved:,} bytes]" in str(t)
    [unfold] = [e for e in t.find("op") if e.name == "UNFOLD"]  # on the padded (1, 3, 10, 10) input
    assert unfold.flops == 0 and unfold.bytes_moved == (3 * 10 * 10 + 3 * 8 * 8 * 3 * 3) * 4


def test_the_cost_of_fold_gather_and_scatter_add() -> None:
    windows = TensorData.from_numpy(np.ones((1, 1, 2, 2, 2, 2), np.float32))
    image = windows.fold((3, 3), (1, 1), (1, 1))
    assert op_cost(WindowOps.FOLD, (windows,), image) == (16, (16 + 9) * 4)  # one add per window value
    source = TensorData.from_numpy(np.arange(12.0).reshape(3, 4))
    index = TensorData.from_numpy(np.array([[0, 1], [2, 3], [1, 1]]))
    gathered = source.gather(index, 1)  # reads 6 values, not all 12
    assert op_cost(IndexOps.GATHER, (source, index), gathered) == (0, 6 * 8 + 2 * 6 * 8)
    added = source.scatter_add(index, gathered, 1)
    assert op_cost(IndexOps.SCATTER_ADD, (source, index, gathered), added) == (6, (12 + 6 + 6 + 12) * 8)


def test_creation_and_constants_show_as_load_ops() -> None:
    with trace() as t:
        x = Tensor([1.0, 2.0])
        x * 2.0
    assert [e.name for e in t.events] == ["Tensor", "mul"]
    assert t.events[0].children[0].name == "FROM_NUMPY"
    assert "FULL" in [e.name for e in t.events[1].children]  # the weak scalar becomes a constant tensor


def test_no_listener_is_left_behind() -> None:
    before = listeners_left()
    with trace():
        Tensor([1.0]).exp()
    assert listeners_left() == before
    with pytest.raises(ValueError, match="reshape"):
        with trace():
            Tensor([1.0, 2.0]).reshape(3)
    assert listeners_left() == before


def test_a_trace_goes_on_after_an_exception_it_caught() -> None:
    x = Tensor([1.0, 2.0])
    with trace() as t:
        with pytest.raises(ValueError):
            x.reshape(3)
        x.exp()
    assert t.events[-1].name == "exp" and t.events[-1].children[0].name == "Exp"


def test_nothing_is_recorded_outside_the_block_or_from_other_threads() -> None:
    x = Tensor([1.0, 2.0])
    with trace() as t:
        worker = threading.Thread(target=lambda: x.exp())
        worker.start()
        worker.join()
        x.neg()
    x.sqrt()
    assert [e.name for e in t.events] == ["neg"] and t.counts("op") == {"NEG": 1}


def test_traces_do_not_nest() -> None:
    with trace() as outer:
        with pytest.raises(RuntimeError, match="a trace is already running; traces do not nest"):
            with trace():
                pass
        Tensor([1.0]).exp()
    assert "exp" in [e.name for e in outer.events]
    assert listeners_left()[:2] == (0, 0)


def test_an_empty_trace() -> None:
    with trace() as t:
        pass
    assert str(t) == "(nothing was recorded)" and t.flops == 0 and t.bytes_moved == 0


def test_tensor_graph_is_the_function_layer_graph() -> None:
    x = Tensor([1.0, 2.0, 3.0])
    w = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (x * w).sum()
    g = loss.graph(names={"w": w})
    assert isinstance(g, Graph) and len(g.nodes) == 4 and len(g.edges()) == 3
    loss.backward()
    assert g.to_text().splitlines()[-1] == "    └── n1 w: parameter  (3,) float32  grad (3,) norm 3.742"
    assert Tensor([1.0], dtype=dtypes.float64).graph().to_text().startswith("n0 input  (1,) float64  (nothing was "
                                                                             "recorded: no tensor it was computed")
