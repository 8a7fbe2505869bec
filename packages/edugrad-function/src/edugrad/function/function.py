"""`Function`: the base of every differentiable operation, and `apply`, which records it in the graph.

Function layer (`edugrad.function`). A Function subclass has a `forward` on `TensorData` (the low-level ops
of `edugrad.data`) and a `backward` that maps the gradient of the output to gradients of the inputs by the
chain rule. `backward` is written with other Functions' `apply`, so it can itself be recorded: that is what
makes `create_graph=True` (second derivatives) work. The subclasses live in the modules named after the
op families: `elementwise`, `reduce`, `movement`, `matmul`, `window`, `index`, `loss`.

Every step of a Function, forward here and backward in the engine, can be watched by a tracer (`add_tracer`);
`edugrad.tensor.tracing.trace` uses this to show which Functions a block of Tensor code ran.
"""

from __future__ import annotations

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


class Function:
    """One differentiable op. Subclasses implement `forward(*data, **args) -> TensorData` and
    `backward(grad) -> one gradient per input (None where an input needs none)`."""

    #: False for ops whose output carries no gradient (comparisons, floor division): never recorded.
    differentiable: ClassVar[bool] = True
    #: False for ops whose backward does not read their inputs' values (add, reshape, ...): changing such an
    #: input in place after the op is then harmless, and backward does not complain about it.
    saves_inputs: ClassVar[bool] = True

    inputs: tuple[Node, ...]
    needs_input_grad: tuple[bool, ...]
    _output: weakref.ref[Node]
    _output_version: int
    _versions: tuple[int, ...]
    _freed: bool

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
        fn._versions = tuple([x._data.version for x in inputs]) if cls.saves_inputs else ()
        fn._freed = False
        return out

    @property
    def output(self) -> Node:
        """The node this Function produced (for backward formulas written in terms of the result, like exp's).
        RuntimeError if it was changed in place since."""
        out = self._output()
        if out is None:
            raise RuntimeError(f"{type(self).__name__}: its output no longer exists, so backward cannot use it")
        if out._data.version != self._output_version:
            raise _modified_in_place(self.name, "its output", out, self._output_version)
        return out

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def check_saved_versions(self) -> None:
        """RuntimeError if an input this Function's backward reads was changed in place after forward."""
        for i, (x, version) in enumerate(zip(self.inputs, self._versions)):
            if x._data.version != version:
                raise _modified_in_place(self.name, f"input {i}", x, version)


def _check_forward_result(cls: type[Function], out_data: object) -> None:
    if not isinstance(out_data, TensorData):
        raise TypeError(f"{cls.__name__}.forward returned {type(out_data).__name__}; it must return a "
                        "TensorData, computed with the ops of edugrad.data (x.unary, x.binary, ...)")


def _modified_in_place(fn: str, which: str, node: Node, version: int) -> RuntimeError:
    return RuntimeError(
        f"{fn}: {which} (shape {node.shape}) was modified in place after it was used (it is at version "
        f"{node._version}, backward needs version {version}); clone it before changing it"
    )
