"""`Function`: the base of every differentiable operation, and `apply`, which records it in the graph.

Function layer (`edugrad.function`). A Function subclass has a `forward` on `TensorData` (the low-level ops
of `edugrad.data`) and a `backward` that maps the gradient of the output to gradients of the inputs by the
chain rule. `backward` is written with other Functions' `apply`, so it can itself be recorded: that is what
makes `create_graph=True` (second derivatives) work. The subclasses live in the modules named after the
op families: `elementwise`, `reduce`, `movement`, `matmul`, `window`, `index`.
"""

from __future__ import annotations

import weakref
from typing import Any, ClassVar, TypeVar

from edugrad.data import TensorData
from edugrad.function import grad_mode
from edugrad.function.node import Node

N = TypeVar("N", bound=Node)
Grads = Node | None | tuple[Node | None, ...]


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
        fn = cls()
        out_data = fn.forward(*[x.data for x in inputs], **kwargs)
        if not isinstance(out_data, TensorData):
            raise TypeError(f"{cls.__name__}.forward returned {type(out_data).__name__}; it must return a "
                            "TensorData, computed with the ops of edugrad.data (x.unary, x.binary, ...)")
        record = (
            cls.differentiable
            and grad_mode._grad_enabled
            and out_data.dtype.is_floating_point
            and any(x.requires_grad for x in inputs)
        )
        out = type(inputs[0])._wrap(out_data, fn if record else None)
        if record:
            fn.inputs = inputs
            fn.needs_input_grad = tuple(x.requires_grad for x in inputs)
            # A weak reference: the output owns its Function, so a strong one back would make a cycle.
            fn._output = weakref.ref(out)
            fn._versions = tuple(x._version for x in inputs) if cls.saves_inputs else ()
            fn._freed = False
        return out

    @property
    def output(self) -> Node:
        """The node this Function produced (for backward formulas written in terms of the result, like exp's).
        RuntimeError if it was changed in place since: a new node starts at version 0."""
        out = self._output()
        if out is None:
            raise RuntimeError(f"{type(self).__name__}: its output no longer exists, so backward cannot use it")
        if out._version != 0:
            raise _modified_in_place(self.name, "its output", out, 0)
        return out

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def check_saved_versions(self) -> None:
        """RuntimeError if an input this Function's backward reads was changed in place after forward."""
        for i, (x, version) in enumerate(zip(self.inputs, self._versions)):
            if x._version != version:
                raise _modified_in_place(self.name, f"input {i}", x, version)


def _modified_in_place(fn: str, which: str, node: Node, version: int) -> RuntimeError:
    return RuntimeError(
        f"{fn}: {which} (shape {node.shape}) was modified in place after it was used (it is at version "
        f"{node._version}, backward needs version {version}); clone it before changing it"
    )
