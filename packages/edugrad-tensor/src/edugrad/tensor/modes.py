"""torch's switches around a block of code that edugrad can express: `inference_mode` and `compile`, next to
the function layer's `no_grad`, `enable_grad`, `set_grad_enabled` and `is_grad_enabled`; and the training flag
(`with Tensor.train():` sets it, `Tensor.is_training()` reads it), which is per thread as grad mode is.

Tensor layer (`edugrad.tensor`). torch's inference mode is a faster no_grad that also forbids using its
results in autograd later; edugrad has one graph mode, so `inference_mode()` is `no_grad()` (its results can be
used in autograd later, where torch would refuse). `compile` returns the model unchanged: edugrad has no
compiler, and every call runs eagerly, exactly as without it.

The training flag is not a class attribute of Tensor: that would be one flag for the whole process, and a
thread evaluating a model would switch off dropout in a thread training one. Each thread has its own (a new
thread starts outside training). The default dtype stays one setting for the process, as in torch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from edugrad.function import is_grad_enabled, no_grad


class _Training(threading.local):
    """Each thread's own training flag; a thread that has not set it reads the class attribute, False."""

    on = False


_training = _Training()


def is_training() -> bool:
    """`Tensor.is_training()`: True inside `with Tensor.train():` in the calling thread; dropout reads it."""
    return _training.on


class train:  # noqa: N801  (Tensor.train, a context manager as no_grad)
    """`with Tensor.train():` turns on training behaviour (dropout, batch statistics) for the block, in the
    calling thread; `Tensor.train(False)` turns it off. A `Module` call runs its forward inside
    `Tensor.train(module.training)`."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.previous = _training.on
        _training.on = self.mode

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        _training.on = self.previous


class inference_mode(no_grad):  # noqa: N801  (torch's name)
    """`with inference_mode():` or `@inference_mode()`: no operation is recorded in the block, as `no_grad`;
    `inference_mode(False)` leaves recording as it is."""

    def __init__(self, mode: bool = True) -> None:
        self.inference = mode

    def __enter__(self) -> None:
        self.mode = False if self.inference else is_grad_enabled()
        super().__enter__()

    def _recreate_cm(self) -> Self:
        return type(self)(self.inference)


def compile(model: Callable[..., Any] | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: str | Callable[..., Any] | None = None, mode: str | None = None,
            options: dict[str, Any] | None = None, name: str | None = None, disable: bool = False,
            recompile_limit: int | None = None, isolate_recompiles: bool = False,
            shapes_spec: Any = None) -> Any:
    """torch.compile's signature; returns `model` itself (or, called without one, a decorator that does): edugrad
    has no compiler, so the arguments change nothing and the model runs eagerly."""
    if model is None:
        return lambda function: function
    return model
