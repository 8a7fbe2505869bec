"""`trace()`: watch one block of Tensor code at all three levels of edugrad; and `graph()`, behind `t.graph()`.

Tensor layer (`edugrad.tensor`). Inside `with trace() as t:` three listeners run, and each event they see is
filed under the event open at that moment:

1. the Tensor calls (`softmax`, `add`, `conv2d`, ...), seen through `sys.setprofile`, which reports every
   Python call and return; only the functions of the Tensor API are kept, plus `backward` and `grad`, and
   only the calls that ran something (a cast to the dtype a tensor already has does not show);
2. the Function steps each call ran, forward (`Function.apply`) and backward (the engine's chain-rule step,
   shown as `MulBackward`), seen through `edugrad.function.add_tracer`;
3. the low-level ops each step ran (`EXP`, `MATMUL`, ...), seen through `edugrad.data.add_observer`, with the
   FLOPs and bytes moved of the contraction, window and index ops (see `op_cost`).

A forward Function step also records the bytes its Function saved for backward (`saved_bytes`), which
`summary()` adds up: what the backward of the block's graph keeps alive.

`print(t)` shows the tree: Tensor calls in lower case, Functions in CamelCase, ops in capitals. Outside a
trace nothing listens: a Function step pays one truth test and an op one loop over an empty list. Only the
thread that opened the trace is recorded.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from inspect import CO_GENERATOR, CO_VARARGS
from math import prod
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, Literal, TypeVar

from edugrad.data import ContractionOps, IndexOps, Op, TensorData, WindowOps, add_observer, remove_observer
from edugrad.function import Graph, Node, add_tracer, grad, remove_tracer
from edugrad.function.graph import Names
from edugrad.tensor import _tensor as _t

R = TypeVar("R")
Shape = tuple[int, ...]
Level = Literal["call", "function", "op"]

# Only one trace at a time: `sys.setprofile` has room for one profiler.
_running: list[Trace] = []


@dataclass(eq=False)  # events are compared by identity: two identical calls are still two events
class TraceEvent:
    """One recorded event: a Tensor call, a Function step or a low-level op, and the events inside it."""

    level: Level
    name: str
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...] = ()
    backward: bool = False  # part of the backward pass
    dtype: str | None = None  # the result's, for an op
    args: str = ""  # an op's arguments (axes, order, ...)
    flops: int | None = None  # for the ops `op_cost` knows
    bytes_moved: int | None = None
    saved_bytes: int | None = None  # for a forward Function step that was recorded: what it saved for backward
    children: list[TraceEvent] = field(default_factory=list)

    def line(self) -> str:
        """The event on one line: name, input shapes -> output shapes, and for an op its dtype and cost."""
        arrow = f"-> {', '.join(map(str, self.outputs))}" if self.outputs else ""
        parts = (", ".join(map(str, self.inputs)), arrow, self.dtype, self.args)
        text = f"{self.name}  " + " ".join(part for part in parts if part)
        if self.flops is not None:
            text += f"  [{self.flops:,} FLOPs, {self.bytes_moved:,} bytes]"
        return text


class Trace:
    """What `trace()` recorded: the top-level `events`, the tree as `to_text()`, the counts as `summary()`."""

    events: list[TraceEvent]

    def __init__(self) -> None:
        self.events = []
        self._open: list[tuple[TraceEvent, FrameType | None]] = []  # events being recorded, innermost last
        self._thread = threading.get_ident()
        self._api = _tensor_api()

    def walk(self) -> Iterator[TraceEvent]:
        """Every event, depth-first, each before the events inside it."""
        stack = list(reversed(self.events))
        while stack:
            event = stack.pop()
            yield event
            stack.extend(reversed(event.children))

    def find(self, level: Level, backward: bool | None = None) -> list[TraceEvent]:
        """The events of one level ("call", "function" or "op"), of one pass only if `backward` is given."""
        return [e for e in self.walk() if e.level == level and (backward is None or e.backward == backward)]

    def counts(self, level: Level, backward: bool | None = None) -> dict[str, int]:
        """How often each name occurs at one level, e.g. `counts("op")` -> {"EXP": 1, "SUM": 1, ...}."""
        return dict(Counter(e.name for e in self.find(level, backward)))

    @property
    def flops(self) -> int:
        """The FLOPs of the ops `op_cost` knows (MATMUL, UNFOLD, FOLD, GATHER, SCATTER_ADD), added up."""
        return sum(e.flops or 0 for e in self.find("op"))

    @property
    def bytes_moved(self) -> int:
        """The bytes moved by the ops `op_cost` knows, added up."""
        return sum(e.bytes_moved or 0 for e in self.find("op"))

    @property
    def saved_bytes(self) -> int:
        """The bytes the block's forward Function steps saved for backward, added up (elements times item
        size; a value saved by two Functions counts twice, `Graph.saved_bytes` counts it once)."""
        return sum(e.saved_bytes or 0 for e in self.find("function", False))

    def summary(self, width: int | None = None) -> str:
        """A few lines: how many events each level had, forward and backward, and which; then the FLOPs and
        bytes moved of the ops `op_cost` knows, which the FLOPs line names, and the bytes saved for backward.
        The elementwise, reduce and movement ops are not costed, so a block of elementwise work shows
        `FLOPs: 0` and `bytes moved: 0`.
        One line per level, however long; with `width`, a longer line goes on below, indented."""
        lines = []
        levels: list[tuple[Level, str]] = [("call", "Tensor calls"), ("function", "Functions"), ("op", "data ops")]
        for level, title in levels:
            forward, backward = len(self.find(level, False)), len(self.find(level, True))
            names = ", ".join(f"{name} {n}" for name, n in self.counts(level).items())
            lines.append(f"{title + ':':<14}{forward} forward, {backward} backward  ({names})")
        lines.append(f"{'FLOPs:':<14}{self.flops:,} (MATMUL, UNFOLD, FOLD, GATHER, SCATTER_ADD)")
        lines.append(f"{'bytes moved:':<14}{self.bytes_moved:,}")
        lines.append(f"{'saved:':<14}{self.saved_bytes:,} bytes for backward")
        return "\n".join(lines if width is None else [_wrap(line, width) for line in lines])

    def to_text(self, depth: int | None = None) -> str:
        """The indented tree of events; `depth=1` shows only the top-level calls, `depth=2` one level more. A
        line whose events are cut off ends with their count: `(+2 inside)`."""
        lines: list[str] = []
        stack = [(event, "", "", 1) for event in reversed(self.events)]  # (event, line prefix, children's, depth)
        while stack:
            event, head, tail, level = stack.pop()
            hidden = depth is not None and level >= depth and event.children
            lines.append(head + event.line() + (f"  (+{len(event.children)} inside)" if hidden else ""))
            if hidden:
                continue
            for i in reversed(range(len(event.children))):
                last = i == len(event.children) - 1
                stack.append((event.children[i], tail + ("└── " if last else "├── "),
                              tail + ("    " if last else "│   "), level + 1))
        return "\n".join(lines) if lines else "(nothing was recorded)"

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<Trace: {len(self.find('call'))} Tensor calls, {len(self.find('function'))} Functions, " \
               f"{len(self.find('op'))} ops>"

    # the three listeners

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        """Open an event when a Tensor API function is called, close it when that call returns."""
        if event == "call":
            name = self._api.get(frame.f_code)
            if name is not None:
                call = TraceEvent("call", name, _arguments(frame), backward=name in ("backward", "grad"))
                self._open.append((self._attach(call), frame))
        elif event == "return" and self._open and self._open[-1][1] is frame:
            call = self._open.pop()[0]
            call.outputs = _shapes(arg)
            if not call.children:  # it ran no Function and no op (a cast to the same dtype, say): not worth a line
                parent = self._open[-1][0].children if self._open else self.events
                parent.pop()

    def _step(self, name: str, phase: str, inputs: tuple[Node, ...], run: Callable[[], R]) -> R:
        """Record one Function step around `run` (a `Tracer` of edugrad.function)."""
        if threading.get_ident() != self._thread:
            return run()
        backward = phase == "backward"
        event = self._attach(TraceEvent("function", f"{name}Backward" if backward else name, _shapes(inputs),
                                        backward=backward))
        self._open.append((event, None))
        try:
            result = run()
            event.outputs = _shapes(result)
            if not backward:
                event.saved_bytes = _saved_bytes(result)
            return result
        finally:
            while self._open and self._open.pop()[0] is not event:
                pass  # a call that raised inside this step may not have reported its return yet

    def _op(self, op: Op, inputs: tuple[TensorData, ...], out: TensorData, args: dict[str, Any]) -> None:
        """Record one low-level op (an observer of edugrad.data)."""
        if threading.get_ident() != self._thread:
            return
        flops, moved = op_cost(op, inputs, out)
        shown = " ".join(f"{key}={value}" for key, value in args.items() if key not in ("shape", "dtype"))
        self._attach(TraceEvent("op", op.name, tuple(x.shape for x in inputs), (out.shape,), dtype=out.dtype.name,
                                args=shown, flops=flops, bytes_moved=moved))

    def _attach(self, event: TraceEvent) -> TraceEvent:
        """File `event` under the innermost open event; everything inside a backward step is backward too."""
        parent = self._open[-1][0] if self._open else None
        event.backward = event.backward or (parent is not None and parent.backward)
        (parent.children if parent is not None else self.events).append(event)
        return event


@contextmanager
def trace() -> Iterator[Trace]:
    """Record every Tensor call of the `with` block, the Functions each ran and the low-level ops of each,
    forward and backward: `with trace() as t: ...`, then `print(t)` or `print(t.summary())`."""
    if _running:
        raise RuntimeError("trace: a trace is already running; traces do not nest")
    recording = Trace()
    previous = sys.getprofile()
    step, op = recording._step, recording._op
    _running.append(recording)
    add_tracer(step)
    add_observer(op)
    sys.setprofile(recording._profile)
    try:
        yield recording
    finally:
        sys.setprofile(previous)
        remove_observer(op)
        remove_tracer(step)
        _running.remove(recording)
        recording._open.clear()


def _wrap(line: str, width: int) -> str:
    """A summary line in lines of at most `width` where its items allow, broken only after a comma (a name
    and its count stay together), the lines after the first indented under the first one's values."""
    pieces = line.split(", ")
    lines, current = [], pieces[0]
    for piece in pieces[1:]:
        if len(current) + len(", ") + len(piece) >= width:  # leaves room for the comma that ends a line
            lines.append(current + ",")
            current = " " * 14 + piece
        else:
            current += ", " + piece
    return "\n".join([*lines, current])


def op_cost(op: Op, inputs: tuple[TensorData, ...], out: TensorData) -> tuple[int | None, int | None]:
    """(FLOPs, bytes moved) of the ops whose cost is not one step per element: MATMUL, UNFOLD, FOLD, GATHER,
    SCATTER_ADD; (None, None) for the others. Bytes moved are the operands read plus the result written."""
    if op is ContractionOps.MATMUL:
        a, b = inputs  # (..., m, k) @ (..., k, n): a multiply and an add for every (batch, i, k, j)
        return 2 * prod(a.shape[:-1]) * a.shape[-1] * b.shape[-1], _nbytes(a, b, out)
    if op is WindowOps.UNFOLD:  # no arithmetic; NumPy makes a view, so the bytes are what im2col would copy
        return 0, _nbytes(inputs[0], out)
    if op is WindowOps.FOLD:  # one add per window element, onto the image it came from
        return inputs[0].size, _nbytes(inputs[0], out)
    if op is IndexOps.GATHER:  # reads the index and one source value per index, not the whole source
        return 0, _nbytes(inputs[1], out, out)
    if op is IndexOps.SCATTER_ADD:  # one add per source value, into a copy of the target
        return inputs[2].size, _nbytes(*inputs, out)
    return None, None


def graph(self: _t.Tensor, names: Names | None = None, record_grads: bool = True) -> Graph:
    """The computation graph that produced this tensor (an `edugrad.function.Graph`): `print(t.graph())`,
    `.to_dot()`, `.to_mermaid()`, `.render("graph.svg")`. Taken before `backward()`, it shows the gradients
    after it; `names` labels nodes, e.g. `{"w": w}` or a Module's `named_parameters()`."""
    return Graph(self, names, record_grads)


def _tensor_api() -> dict[CodeType, str]:
    """The code of each public function of the Tensor class (methods, staticmethods, properties), and of
    `backward` and `grad`, which start the backward pass, with the name a trace shows for it."""
    folder = Path(__file__).parent
    api = {grad.__code__: "grad"}  # Tensor.backward is a method, found below
    for attr, value in vars(_t.Tensor).items():
        fn = value.__func__ if isinstance(value, staticmethod) else value.fget if isinstance(value, property) \
            else value
        code = getattr(fn, "__code__", None)
        private = attr.startswith("_") and not attr.endswith("__")
        if code is None or private or code.co_flags & CO_GENERATOR or Path(code.co_filename).parent != folder:
            continue  # a helper, a generator (reports a return at every yield) or a wrapper from elsewhere
        api[code] = "Tensor" if attr == "__init__" else code.co_name
    return api


def _arguments(frame: FrameType) -> tuple[Shape, ...]:
    """The shapes of the tensors passed to the function running in `frame` (also inside *args and lists)."""
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount + (1 if code.co_flags & CO_VARARGS else 0)
    values = frame.f_locals
    return tuple(shape for name in code.co_varnames[:count] for shape in _shapes(values.get(name)))


def _shapes(value: Any) -> tuple[Shape, ...]:
    """The shape of a node, or of each node in a tuple or list; nothing for anything else (or for the
    tensor that `Tensor.__init__` is only starting to build)."""
    values = value if isinstance(value, (tuple, list)) else (value,)
    return tuple(x._data.shape for x in values if isinstance(x, Node) and hasattr(x, "_data"))


def _saved_bytes(result: Any) -> int | None:
    """What the Function that made `result` saved for backward, in bytes; None if it was not recorded."""
    ctx = result._ctx if isinstance(result, Node) else None
    return None if ctx is None else _nbytes(*ctx._saved)


def _nbytes(*data: TensorData) -> int:
    return sum(x.size * x.dtype.itemsize for x in data)
