"""`RemovableHandle`: what `Module.register_forward_hook` and `register_forward_pre_hook` return.

Top layer (`edugrad.nn`), as `torch.utils.hooks.RemovableHandle`. A module keeps its hooks in a dict from a
handle id to the hook, in calling order; the handle remembers that dict and its id, so `handle.remove()`
takes exactly that hook out again, and `with module.register_forward_hook(fn):` removes it at the end of
the block.
"""

from __future__ import annotations

from itertools import count
from types import TracebackType
from typing import Any, ClassVar

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """A registered hook's handle: `remove()` unregisters it (removing twice is harmless)."""

    _ids: ClassVar[count[int]] = count()

    def __init__(self, hooks: dict[int, Any]) -> None:
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        """Take the hook out of its module."""
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.remove()
