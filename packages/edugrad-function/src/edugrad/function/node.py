"""`Node`: a value in the computation graph, with everything autograd needs and nothing else.

Function layer (`edugrad.function`). A node holds its `TensorData` (in `_data`), whether it `requires_grad`, its
accumulated `grad`, and `_ctx`, the Function that produced it (None for a leaf). Following `_ctx.inputs`
from any node walks the whole graph backwards; that walk is the engine's `backward(node)`. The layer above
extends this class: `edugrad.tensor.Tensor` is a Node with the PyTorch-like API on top (its `backward()`
method calls the engine), so this layer never needs to know Tensor, and the engine sits above this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self, TypeVar

import numpy as np

from edugrad.data import DType, TensorData

if TYPE_CHECKING:
    from edugrad.function.function import Function

Hook = Callable[[Any], Any]


class Node:
    """A graph value: `_data` (its TensorData), `requires_grad`, `grad`, and `_ctx` (the Function that made it).
    The TensorData is kept under a private name because the Tensor layer gives `.data` PyTorch's meaning (a
    Tensor sharing the values, cut off from the graph)."""

    __slots__ = ("_data", "requires_grad", "_grad", "_ctx", "_retains_grad", "_hooks", "_post_accumulate_hooks",
                 "__weakref__")

    _data: TensorData
    requires_grad: bool
    _grad: Self | None
    _ctx: Function | None
    _retains_grad: bool
    _hooks: list[Hook] | None
    _post_accumulate_hooks: list[Callable[[Any], None]] | None

    def __init__(self, data: TensorData, requires_grad: bool = False) -> None:
        if requires_grad and not data.dtype.is_floating_point:
            raise TypeError(f"only floating-point tensors can require gradients, got dtype {data.dtype.name}")
        self._data = data
        self.requires_grad = requires_grad
        self._grad = None
        self._ctx = None
        self._retains_grad = False
        self._hooks = None
        self._post_accumulate_hooks = None

    @classmethod
    def _wrap(cls, data: TensorData, ctx: Function | None = None) -> Self:
        """A new node of this class around `data`, made by `ctx` (or a constant when ctx is None). Bypasses the
        subclass's `__init__`, whose job is converting user input, not wrapping results."""
        # Every op's result is made here, so the fields are set directly (a Function only records
        # floating-point results, so the check in __init__ has nothing to catch).
        node = cls.__new__(cls)
        node._data = data
        node.requires_grad = ctx is not None
        node._grad = None
        node._ctx = ctx
        node._retains_grad = False
        node._hooks = None
        node._post_accumulate_hooks = None
        return node

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each axis."""
        return self._data.shape

    @property
    def dtype(self) -> DType:
        """The element type (`dtypes.float32`, ...)."""
        return self._data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self._data.ndim

    def numpy(self) -> np.ndarray[Any, Any]:
        """The values as a NumPy array."""
        return self._data.numpy()

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user rather than by a recorded Function."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Function | None:
        """The Function that made this node (None for a leaf), as `torch.Tensor.grad_fn`."""
        return self._ctx

    @property
    def grad(self) -> Self | None:
        """The gradient that backward accumulated here (None before the first backward)."""
        return self._grad

    @grad.setter
    def grad(self, value: Node | None) -> None:
        # As torch: an assigned gradient must be a node of this one's shape and dtype, or None.
        if value is not None:
            check_gradient(self, value, "assigned grad")
        self._grad = value  # type: ignore[assignment]  # a node of this one's shape and dtype, checked above

    @property
    def _version(self) -> int:
        """How many in-place writes this node's TensorData has had (shared by every node that shares it), as
        torch's `Tensor._version`: backward compares it with the version a Function saw."""
        return self._data.version

    def detach(self) -> Self:
        """A new leaf sharing this node's TensorData, cut off from the graph: an in-place write to either is
        seen by both (as torch's detach(), which shares storage)."""
        return type(self)._wrap(self._data)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Set `requires_grad` on a leaf, in place; returns self."""
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_: you can only change requires_grad of a leaf; use detach() instead")
        if requires_grad and not self.dtype.is_floating_point:
            raise TypeError(f"only floating-point tensors can require gradients, got dtype {self.dtype.name}")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf node too after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: cannot retain the gradient of a node that does not require grad")
        self._retains_grad = True

    def register_hook(self, hook: Hook) -> Callable[[], None]:
        """Call `hook(grad)` when the gradient with respect to this node is computed; if it returns a value,
        that value (a node of the gradient's shape and dtype) replaces the gradient. Returns a function that
        removes the hook."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a node that does not require grad")
        if self._hooks is None:
            self._hooks = []
        hooks = self._hooks
        hooks.append(hook)

        def remove() -> None:  # removing twice is harmless, as with torch's handle.remove()
            if hook in hooks:
                hooks.remove(hook)

        return remove

    def register_post_accumulate_grad_hook(self, hook: Callable[[Any], None]) -> Callable[[], None]:
        """Call `hook(self)` after backward has added this leaf's gradient into `.grad`, as torch's hook of the
        same name (data-parallel training reads the finished `.grad` there). Returns a function that removes it."""
        if not self.requires_grad:
            raise RuntimeError("register_post_accumulate_grad_hook: cannot register a hook on a node that does not "
                               "require grad")
        if self._ctx is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad hooks cannot be registered "
                               "on non-leaf nodes (only a leaf accumulates into .grad)")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        hooks = self._post_accumulate_hooks
        hooks.append(hook)

        def remove() -> None:
            if hook in hooks:
                hooks.remove(hook)

        return remove


N = TypeVar("N", bound=Node)


def constant_like(node: N, value: bool | int | float, dtype: DType | None = None) -> N:
    """A constant node (no gradient) of `node`'s shape, class and backend filled with `value`; the backend
    makes it a broadcast view, so it costs no memory."""
    return type(node)._wrap(node._data.const(value, dtype))


def check_gradient(node: Node, value: object, what: str) -> None:
    """TypeError unless `value` is a node, RuntimeError unless it has `node`'s shape and dtype: the checks torch
    makes of a gradient assigned to `.grad` or returned by a hook (`what` says which, for the message)."""
    if not isinstance(value, Node):
        raise TypeError(f"{what}: expected a tensor or None, got {type(value).__name__}")
    if value._data.shape != node._data.shape:
        raise RuntimeError(f"{what}: a gradient of shape {value.shape} for a tensor of shape {node.shape}; the "
                           "gradient and the tensor must be the same size")
    if value._data.dtype is not node._data.dtype:
        raise RuntimeError(f"{what}: a gradient of dtype {value.dtype.name} for a tensor of dtype "
                           f"{node.dtype.name}; the gradient must match the tensor's dtype")


class ValuesGone:
    """Stands in for the TensorData of a graph value whose values are gone: after backward released them, or
    (in `check_function`) an input whose values backward may not read. It keeps `shape` and `dtype`, the
    graph's structure, and raises `error(message)` on any other use."""

    __slots__ = ("shape", "dtype", "message")
    error: type[Exception] = RuntimeError

    def __init__(self, shape: tuple[int, ...], dtype: DType, message: str) -> None:
        self.shape, self.dtype, self.message = shape, dtype, message

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getattr__(self, name: str) -> Any:
        raise self.error(f"{self.message} (it has no {name!r})")
