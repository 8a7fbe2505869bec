"""Whether operations are recorded for backward: `no_grad`, `enable_grad` and `set_grad_enabled`.

Function layer (`edugrad.function`). `Function.apply` reads `is_grad_enabled()` to decide whether to link an
output to the Function that made it. Turning recording off saves memory in evaluation and lets optimizers
update parameters without building a graph. All three work as context managers and as decorators.
"""

from __future__ import annotations

from contextlib import ContextDecorator
from types import TracebackType

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _grad_enabled


class set_grad_enabled(ContextDecorator):
    """Turn recording on or off from here on; used as a context manager, restore the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        global _grad_enabled
        self.previous = _grad_enabled
        self.mode = mode
        _grad_enabled = mode

    def __enter__(self) -> None:
        global _grad_enabled
        _grad_enabled = self.mode

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        global _grad_enabled
        _grad_enabled = self.previous


class _GradMode(ContextDecorator):
    mode = True

    def __enter__(self) -> None:
        global _grad_enabled
        self.previous = _grad_enabled
        _grad_enabled = self.mode

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        global _grad_enabled
        _grad_enabled = self.previous


class no_grad(_GradMode):
    """Within this block (or decorated function), operations are not recorded: results have no grad_fn."""

    mode = False


class enable_grad(_GradMode):
    """Within this block (or decorated function), operations are recorded again, even inside `no_grad`."""

    mode = True
