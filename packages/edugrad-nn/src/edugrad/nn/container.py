"""Containers of modules: `Sequential`, `ModuleList` and `ModuleDict`.

Top layer (`edugrad.nn`). A container holds submodules under the names PyTorch gives them: positions
"0", "1", ... for `Sequential` and `ModuleList`, the keys for `ModuleDict` (and for a `Sequential` built from
a dict). Those names become the prefixes of the state dict keys (`0.weight`, `blocks.2.bias`). Each container
overrides `Module._submodules`, the one place where `Module` discovers children.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, overload

from edugrad.nn.module import Module

__all__ = ["ModuleDict", "ModuleList", "Sequential"]


def _checked(owner: str, name: str, module: object) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{owner}: {name} must be a Module, got {type(module).__name__}")
    return module


def _checked_key(owner: str, key: object) -> str:
    if not isinstance(key, str) or not key or "." in key:
        raise KeyError(f"{owner}: a name must be a non-empty str without '.', got {key!r}")
    return key


def _position(owner: str, index: int, length: int) -> int:
    """`index` (negative counts from the end) as a position in 0 .. length-1, or an IndexError."""
    if not -length <= index < length:
        raise IndexError(f"{owner}: index {index} is out of range for {length} modules")
    return index % length


class ModuleList(Module):
    """A list of modules whose parameters belong to the owner; index, iterate, append as with a list."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        self._items: list[Module] = []
        self.extend(modules or ())

    def _submodules(self) -> Iterator[tuple[str, Module]]:
        return ((str(i), module) for i, module in enumerate(self._items))

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...
    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        """The module at `index` (negative counts from the end), or a ModuleList of a slice."""
        if isinstance(index, slice):
            return ModuleList(self._items[index])
        return self._items[_position("ModuleList", index, len(self._items))]

    def __setitem__(self, index: int, module: Module) -> None:
        """Replace the module at `index`."""
        self._items[_position("ModuleList", index, len(self._items))] = _checked("ModuleList", "item", module)

    def __delitem__(self, index: int | slice) -> None:
        """Remove the module(s) at `index`; later ones move up (and are renamed)."""
        del self._items[index if isinstance(index, slice) else _position("ModuleList", index, len(self._items))]

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._items)

    def __iter__(self) -> Iterator[Module]:
        """The modules in order."""
        return iter(self._items)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end; returns self."""
        self._items.append(_checked("ModuleList", "appended value", module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add modules at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position `index`."""
        self._items.insert(index, _checked("ModuleList", "inserted value", module))


class Sequential(Module):
    """Modules applied one after the other: `Sequential(Linear(4, 8), ReLU(), Linear(8, 2))(x)`. Built from
    modules (named "0", "1", ...) or from one dict of name -> module."""

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        self._items: dict[str, Module] = {}
        named = modules[0].items() if len(modules) == 1 and isinstance(modules[0], Mapping) else enumerate(modules)
        for name, module in named:
            self._items[_checked_key("Sequential", str(name))] = _checked("Sequential", "each layer", module)

    def _submodules(self) -> Iterator[tuple[str, Module]]:
        return iter(self._items.items())

    def forward(self, x: Any) -> Any:
        """Feed x through each module in turn."""
        for module in self._items.values():
            x = module(x)
        return x

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Module | Sequential:
        """The module at `index`, or a Sequential of a slice (keeping the names)."""
        items = list(self._items.items())
        if isinstance(index, slice):
            return Sequential(dict(items[index]))
        return items[_position("Sequential", index, len(items))][1]

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._items)

    def __iter__(self) -> Iterator[Module]:
        """The modules in order."""
        return iter(self._items.values())

    def append(self, module: Module) -> Sequential:
        """Add a module at the end, named by its position; returns self."""
        self._items[str(len(self._items))] = _checked("Sequential", "appended value", module)
        return self


class ModuleDict(Module):
    """A dict of name -> module whose parameters belong to the owner; keys keep their insertion order."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        self._items: dict[str, Module] = {}
        self.update(modules or {})

    def _submodules(self) -> Iterator[tuple[str, Module]]:
        return iter(self._items.items())

    def __getitem__(self, key: str) -> Module:
        """The module named `key`."""
        if key not in self._items:
            raise KeyError(f"ModuleDict: no module named {key!r}; the keys are {list(self._items)}")
        return self._items[key]

    def __setitem__(self, key: str, module: Module) -> None:
        """Add or replace the module named `key`."""
        self._items[_checked_key("ModuleDict", key)] = _checked("ModuleDict", f"the value for {key!r}", module)

    def __delitem__(self, key: str) -> None:
        """Remove the module named `key`."""
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        """Whether a module is named `key`."""
        return key in self._items

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        """The names, in insertion order."""
        return iter(self._items)

    def keys(self) -> Iterable[str]:
        """The names."""
        return self._items.keys()

    def values(self) -> Iterable[Module]:
        """The modules."""
        return self._items.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """(name, module) pairs."""
        return self._items.items()

    def update(self, modules: Mapping[str, Module]) -> None:
        """Add or replace the modules of `modules`."""
        for key, module in modules.items():
            self[key] = module
