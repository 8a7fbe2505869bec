"""Whether operations are recorded for backward: `no_grad`, `enable_grad` and `set_grad_enabled`.

Function layer (`edugrad.function`). `Function.apply` reads `is_grad_enabled()` to decide whether to link an
output to the Function that made it. Turning recording off saves memory in evaluation and lets optimizers
update parameters without building a graph. All three work as context managers and as decorators.

The mode belongs to a thread, as in torch: a thread evaluating under `no_grad()` leaves a training thread
beside it recording, and a new thread starts with recording on, whatever the thread that started it does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ContextDecorator
from types import TracebackType
from typing import Any, Self, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _Mode(threading.local):
    """Each thread's own grad mode: `threading.local` gives every thread its own `enabled`, and a thread that
    has not set it yet reads the class attribute, True. `Function.apply` reads `_mode.enabled` on every op, a
    plain attribute read."""

    enabled = True


_mode = _Mode()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (in the calling thread)."""
    return _mode.enabled


class _GradMode(ContextDecorator):
    """Switch recording to `mode` on entering a block and back to the previous mode on leaving it."""

    mode = True

    def __init__(self) -> None:
        """No arguments, as torch.no_grad() and torch.enable_grad(); the mode to return to is read on entering."""

    def __enter__(self) -> None:
        self.previous = _mode.enabled
        _mode.enabled = self.mode

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        _mode.enabled = self.previous

    def _recreate_cm(self) -> Self:
        # ContextDecorator enters the same object on every call of a decorated function; a fresh one per call
        # keeps each call's `previous` apart, so a decorated function may call itself.
        return type(self)()


class no_grad(_GradMode):
    """Within this block (or decorated function), operations are not recorded: results have no grad_fn."""

    mode = False


class enable_grad(_GradMode):
    """Within this block (or decorated function), operations are recorded again, even inside `no_grad`."""

    mode = True


class set_grad_enabled(_GradMode):
    """Turn recording on or off. As a plain call it takes effect at once and stays; as a context manager or
    decorator it holds only inside the block or the function (as `torch.set_grad_enabled`)."""

    def __init__(self, mode: bool) -> None:
        self.previous = _mode.enabled
        self.mode = mode
        _mode.enabled = mode

    def __enter__(self) -> None:
        pass  # __init__ has already switched

    def __call__(self, func: F) -> F:
        # Used as a decorator, __init__ ran at definition time: undo that switch; each call switches instead.
        _mode.enabled = self.previous
        return super().__call__(func)

    def _recreate_cm(self) -> Self:
        return type(self)(self.mode)
