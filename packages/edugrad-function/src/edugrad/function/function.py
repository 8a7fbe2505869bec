"""`Function`: the base of every differentiable operation, and `apply`, which records it in the graph.

Function layer (`edugrad.function`). A Function subclass has a `forward` on `TensorData` (the low-level ops
of `edugrad.data`) and a `backward` that maps the gradient of the output to gradients of the inputs by the
chain rule; forward hands backward its tensors with `save_for_backward` (read back as `saved_tensors`).
`backward` is written with other Functions' `apply`, so it can itself be recorded: that is what makes
`create_graph=True` (second derivatives) work. The subclasses live in the modules named after the op
families: `elementwise`, `broadcast` (expand and sum), `reduce`, `movement`, `matmul`, `window`, `index`,
`loss`, `transfer`.

Every step of a Function, forward here and backward in the engine, can be watched by a tracer (`add_tracer`);
`edugrad.tensor.tracing.trace` uses this to show which Functions a block of Tensor code ran.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar, Protocol, TypeVar

from edugrad.data import TensorData
from edugrad.function import grad_mode
from edugrad.function.node import Node

N = TypeVar("N", bound=Node)
R = TypeVar("R")
Grads = Node | None | tuple[Node | None, ...]


class Tracer(Protocol):
    """Wraps one step of a Function: gets its name, the phase ("forward" or "backward"), the step's inputs
    (a backward step's input is the gradient of the output) and `run`, which performs the step; returns
    what `run` returns."""

    def __call__(self, name: str, phase: str, inputs: tuple[Node, ...], run: Callable[[], R]) -> R: ...


# Empty unless a trace is running, so outside one every Function step pays a single truth test.
_tracers: list[Tracer] = []


def add_tracer(tracer: Tracer) -> None:
    """Run every Function step, forward and backward, through `tracer` until `remove_tracer`."""
    _tracers.append(tracer)


def remove_tracer(tracer: Tracer) -> None:
    _tracers.remove(tracer)


def traced(name: str, phase: str, inputs: tuple[Node, ...], run: Callable[[], R]) -> R:
    """`run()` seen by every tracer, the first one outermost. Callers test `_tracers` first (the hot path)."""
    for tracer in reversed(_tracers):
        run = partial(tracer, name, phase, inputs, run)
    return run()


class FreedGraphError(RuntimeError):
    """Raised when backward reads what a Function saved after an earlier backward (without `retain_graph`) freed
    it: torch's "Trying to backward through the graph a second time"."""

    def __init__(self, function: str) -> None:
        super().__init__(
            f"Trying to backward through the graph a second time (or directly access saved tensors after they "
            f"have already been freed), through {function}. Saved intermediate values of the graph are freed when "
            "you call backward() or grad(). Specify retain_graph=True if you need to backward through the graph a "
            "second time or if you need to access saved tensors after calling backward."
        )
        self.function = function


class Function:
    """One differentiable op, which `apply` runs and records in the graph. A subclass implements

    - `forward(self, *data, **args) -> TensorData`: the result, computed on the inputs' TensorData with the
      ops of `edugrad.data`; the keyword arguments are the op's non-tensor parameters (an axis, a shape);
    - `backward(self, g) -> one gradient per input` (a single one for a single input; None for an input that
      needs none, see `needs_input_grad`): the chain rule, g times the derivative, written with other
      Functions' `apply` on nodes, so that it can itself be recorded (`create_graph=True`).

    Forward hands backward what it needs in two ways, and only these: tensors with
    `self.save_for_backward(*data)`, read back in backward as `self.saved_tensors`; anything else (shapes,
    axes, a dtype) as plain attributes, `self.axis = axis`. `inputs` are the graph's edges: backward does not
    read their values (`check_function` checks it), and after backward they keep only shapes and dtypes.

    A backward in the seed's style, on TensorData (`def backward(self, g: TensorData)`, returning TensorData),
    works too: the engine hands it the gradient's TensorData and wraps what it returns into nodes. Such a
    backward cannot be recorded, so `create_graph=True` through it raises."""

    #: False for ops whose output carries no gradient (comparisons, floor division): never recorded.
    differentiable: ClassVar[bool] = True
    #: True for a backward in the seed's style, read from its annotation (`g: TensorData`) at class creation.
    backward_on_data: ClassVar[bool] = False

    inputs: tuple[Node, ...]
    needs_input_grad: tuple[bool, ...]
    _saved: tuple[TensorData, ...] = ()  # class defaults: a Function that saves nothing pays nothing
    _freed: bool = False  # what it saved was freed by a backward
    _released: bool = False  # a backward without retain_graph has walked it
    _saved_versions: tuple[int, ...]
    _output: weakref.ref[Node]
    _output_version: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.backward_on_data = _takes_data(cls.backward)

    def forward(self, *args: Any, **kwargs: Any) -> TensorData:
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def backward(self, grad: Any) -> Grads:
        raise NotImplementedError(f"{type(self).__name__} must implement backward")

    @classmethod
    def apply(cls, *inputs: N, **kwargs: Any) -> N:
        """Run forward on the inputs' data and wrap the result in a node of the inputs' class. When recording
        is on and an input requires grad, link the result to this Function so backward can find its inputs."""
        if _tracers:
            return traced(cls.__name__, "forward", inputs, partial(cls._record, inputs, kwargs))
        return cls._record(inputs, kwargs)

    @classmethod
    def _record(cls, inputs: tuple[N, ...], kwargs: dict[str, Any]) -> N:
        """The work of `apply`, which a tracer may wrap."""
        # Every op of every model runs through here, so the common cases return early: nothing is recorded
        # (and no tuple of flags built) when grad mode is off or the op is not differentiable.
        fn = cls()
        out_data = fn.forward(*[x._data for x in inputs], **kwargs)
        if type(out_data) is not TensorData:
            _check_forward_result(cls, out_data)
        wrap = type(inputs[0])._wrap
        if not (cls.differentiable and grad_mode._mode.enabled and out_data.dtype.is_floating_point):
            return wrap(out_data)
        for x in inputs:  # a plain loop, no comprehension: this runs for every op
            if x.requires_grad:
                break
        else:
            return wrap(out_data)
        out = wrap(out_data, fn)
        fn.inputs = inputs
        fn.needs_input_grad = tuple([x.requires_grad for x in inputs])
        # A weak reference: the output owns its Function, so a strong one back would make a cycle.
        fn._output = weakref.ref(out)
        fn._output_version = out_data.version
        if fn._saved:  # the versions backward will expect of what forward saved
            fn._saved_versions = tuple([data.version for data in fn._saved])
        return out

    def save_for_backward(self, *data: TensorData) -> None:
        """Keep `data` for backward: forward's TensorData arguments, its result, or values it computed (as
        torch's `ctx.save_for_backward`). Backward reads them as `saved_tensors`; they are checked for in-place
        changes then, and freed after backward."""
        self._saved = data

    @property
    def saved_tensors(self) -> tuple[Node, ...]:
        """What forward saved, in order, as nodes: an input's TensorData as that input and the result as the
        output, so that a recorded backward reaches the graph through them; any other value as a constant.
        RuntimeError if one was changed in place since forward (through any tensor sharing it), FreedGraphError
        once a backward freed them."""
        if self._freed:
            raise FreedGraphError(self.name)
        nodes: list[Node] = []
        for data, version in zip(self._saved, self._saved_versions):  # (one loop: backward runs it for every op)
            if data.version != version:
                raise _modified_in_place(self.name, self._which(data), data, version)
            for x in self.inputs:
                if x._data is data:
                    nodes.append(x)
                    break
            else:
                out = self._output()
                nodes.append(out if out is not None and out._data is data else type(self.inputs[0])._wrap(data))
        return tuple(nodes)

    def _which(self, data: TensorData) -> str:
        """How an error names a saved tensor: as an input, the output, or by its place among the saved."""
        for i, x in enumerate(self.inputs):
            if x._data is data:
                return f"input {i}"
        out = self._output()
        if out is not None and out._data is data:
            return "its output"
        return f"saved tensor {[k for k, saved in enumerate(self._saved) if saved is data][0]}"

    @property
    def output(self) -> Node:
        """The node this Function produced. RuntimeError if it was changed in place since, or no longer exists.
        (A backward in terms of the result saves it instead: `self.save_for_backward(result)`.)"""
        out = self._output()
        if out is None:
            raise RuntimeError(f"{type(self).__name__}: its output no longer exists")
        if out._data.version != self._output_version:
            raise _modified_in_place(self.name, "its output", out._data, self._output_version)
        return out

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"


def call_backward(fn: Function, g: Node) -> tuple[object, ...]:
    """`fn.backward(g)` as a tuple, one entry per input. A backward in the seed's style gets g's TensorData and
    its TensorData results come back as nodes of g's class; it is not recorded, so under create_graph (grad
    mode on during backward) it is refused."""
    if not fn.backward_on_data:
        result = fn.backward(g)
        return result if type(result) is tuple else (result,)
    if grad_mode.is_grad_enabled():
        raise RuntimeError(
            f"{fn.name}.backward computes on TensorData, so the engine cannot record it: create_graph=True (a "
            "derivative of the gradient) needs a backward written with Functions' apply on nodes, as the "
            "built-in Functions' are"
        )
    result = fn.backward(g._data)
    grads = result if isinstance(result, tuple) else (result,)
    return tuple([type(g)._wrap(dx) if isinstance(dx, TensorData) else dx for dx in grads])


def _takes_data(backward: Callable[..., Any]) -> bool:
    """True when backward's gradient parameter is annotated TensorData (the seed's style); the annotation is a
    string under `from __future__ import annotations`."""
    parameters = list(inspect.signature(backward).parameters.values())
    return len(parameters) > 1 and parameters[1].annotation in (TensorData, "TensorData")


def _check_forward_result(cls: type[Function], out_data: object) -> None:
    if not isinstance(out_data, TensorData):
        raise TypeError(f"{cls.__name__}.forward returned {type(out_data).__name__}; it must return a "
                        "TensorData, computed with the ops of edugrad.data (x.unary, x.binary, ...)")


def _modified_in_place(fn: str, which: str, data: TensorData, version: int) -> RuntimeError:
    """torch's message for a value backward needs that changed in place, with the Function and the value named."""
    return RuntimeError(
        f"{fn}: one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"{which} ({data.dtype.name}, shape {data.shape}) was modified in place after it was used; it is at "
        f"version {data.version}, expected version {version} instead. Clone it before changing it in place."
    )
