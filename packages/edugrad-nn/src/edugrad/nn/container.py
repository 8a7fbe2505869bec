"""Containers: `Sequential`, `ModuleList` and `ModuleDict` of modules, `ParameterList` and `ParameterDict` of
parameters, as in `torch.nn`.

Top layer (`edugrad.nn`). A container registers what it holds under the names PyTorch gives it: positions
"0", "1", ... for `Sequential`, `ModuleList` and `ParameterList`, the keys for `ModuleDict`, `ParameterDict`
and a `Sequential` built from an OrderedDict. Those names become the prefixes of the state dict keys
(`0.weight`, `blocks.2.bias`), and, because they are ordinary registered names, `ModuleDict(dict(wte=...)).wte`
works too. The modules live in `Module._modules` itself; a list container renumbers them after a deletion or
an insertion, so the names always run 0, 1, 2, ...
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from itertools import chain
from typing import Any, Self, overload

from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter
from edugrad.tensor import Tensor

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]


def _index(owner: Module, idx: int, length: int, op: str = "index") -> int:
    """`idx` (negative counts from the end) as a position in 0 .. length-1, or an IndexError."""
    idx = operator.index(idx)
    if not -length <= idx < length:
        raise IndexError(f"{type(owner).__name__}: {op} {idx} is out of range for {length} entries")
    return idx % length


def _renumber(module: Module, values: Iterable[Module | None]) -> None:
    """Hold `values` under the names "0", "1", ..., in order."""
    module._modules.clear()
    module._modules.update((str(i), value) for i, value in enumerate(values))


def _list_repr(container: Module, entries: list[str]) -> str:
    """The repr of a list container, with runs of equal entries folded as PyTorch folds them:
    `(0-2): 3 x Linear(...)`."""
    lines, start = [], 0
    for end in range(1, len(entries) + 1):
        if end == len(entries) or entries[end] != entries[start]:
            names = str(start) if end - start == 1 else f"{start}-{end - 1}"
            count = "" if end - start == 1 else f"{end - start} x "
            indented = entries[start].replace("\n", "\n  ")
            lines.append(f"  ({names}): {count}{indented}")
            start = end
    body = "\n" + "\n".join(lines) + "\n" if lines else ""
    return f"{container._get_name()}({body})"


class Sequential(Module):
    """Modules applied one after the other: `Sequential(Linear(4, 8), ReLU(), Linear(8, 2))(x)`. Built from
    modules (named "0", "1", ...) or from one OrderedDict of name -> module."""

    def __init__(self, *args: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for i, layer in enumerate(args):
                self.add_module(str(i), layer)  # type: ignore[arg-type]

    def forward(self, input: Any) -> Any:
        """Feed the input through each module in turn."""
        for module in self._modules.values():
            input = module(input)  # type: ignore[misc]
        return input

    @overload
    def __getitem__(self, idx: slice) -> Sequential: ...
    @overload
    def __getitem__(self, idx: int) -> Module: ...
    def __getitem__(self, idx: int | slice) -> Module | Sequential:
        """The module at `idx`, or a Sequential of a slice (keeping the names)."""
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return type(self)(OrderedDict(items[idx]))  # type: ignore[arg-type]
        module = items[_index(self, idx, len(items))][1]
        assert module is not None
        return module

    def __setitem__(self, idx: int, module: Module) -> None:
        """Replace the module at `idx`."""
        key = list(self._modules)[_index(self, idx, len(self))]
        setattr(self, key, module)

    def __delitem__(self, idx: int | slice) -> None:
        """Remove the module(s) at `idx`; the remaining ones are renumbered 0, 1, ..."""
        values = list(self._modules.values())
        del values[idx if isinstance(idx, slice) else _index(self, idx, len(values))]
        _renumber(self, values)

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        """The modules in order."""
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]

    def __add__(self, other: Sequential) -> Sequential:
        """A new Sequential of this one's modules followed by `other`'s (the same module objects)."""
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Self:
        """Append `other`'s modules."""
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        return self.extend(list(other))

    def __mul__(self, other: int) -> Sequential:
        """A new Sequential holding this one's modules `other` times over (the same module objects)."""
        return Sequential(*(list(self) * _repeats(other)))

    def __rmul__(self, other: int) -> Sequential:
        return self * other

    def __imul__(self, other: int) -> Self:
        return self.extend(list(self) * (_repeats(other) - 1))

    def pop(self, key: int | slice) -> Module:
        """Remove the module at `key` and return it."""
        module = self[key]
        del self[key]
        return module

    def append(self, module: Module) -> Self:
        """Add a module at the end, named by its position; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index: int, module: Module) -> Self:
        """Insert a module before position `index` (which may be len(self)); returns self."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        values = list(self._modules.values())
        if not -len(values) <= index <= len(values):
            raise IndexError(f"Index out of range: {index}")
        values.insert(index, module)
        _renumber(self, values)
        return self

    def extend(self, sequential: Iterable[Module]) -> Self:
        """Append each module of `sequential`; returns self."""
        for module in sequential:
            self.append(module)
        return self


def _repeats(other: object) -> int:
    if not isinstance(other, int) or isinstance(other, bool):
        raise TypeError(f"unsupported operand type(s) for *: {type(other)} and Sequential")
    if other <= 0:
        raise ValueError(f"Non-positive multiplication factor {other} for Sequential")
    return other


class ModuleList(Module):
    """A list of modules whose parameters belong to the owner; index, iterate, append as with a list."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self, idx: slice) -> ModuleList: ...
    @overload
    def __getitem__(self, idx: int) -> Module: ...
    def __getitem__(self, idx: int | slice) -> Module | ModuleList:
        """The module at `idx` (negative counts from the end), or a ModuleList of a slice."""
        if isinstance(idx, slice):
            return type(self)(list(self)[idx])
        module = self._modules[str(_index(self, idx, len(self)))]
        assert module is not None
        return module

    def __setitem__(self, idx: int, module: Module) -> None:
        """Replace the module at `idx`."""
        setattr(self, str(_index(self, idx, len(self))), module)

    def __delitem__(self, idx: int | slice) -> None:
        """Remove the module(s) at `idx`; later ones move up (and are renamed)."""
        values = list(self._modules.values())
        del values[idx if isinstance(idx, slice) else _index(self, idx, len(values))]
        _renumber(self, values)

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        """The modules in order."""
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __iadd__(self, modules: Iterable[Module]) -> Self:
        """Append `modules`."""
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        """A new ModuleList of this one's modules followed by `other`'s."""
        return ModuleList(chain(self, other))

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]

    def __repr__(self) -> str:
        """As PyTorch prints it: runs of equal modules folded, `(0-2): 3 x Linear(...)`."""
        return _list_repr(self, [repr(module) for module in self])

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position `index`."""
        if not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        values = list(self._modules.values())
        values.insert(index, module)
        _renumber(self, values)

    def append(self, module: Module) -> Self:
        """Add a module at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key: int | slice) -> Module:
        """Remove the module at `key` and return it."""
        module = self[key]
        del self[key]
        return module

    def extend(self, modules: Iterable[Module]) -> Self:
        """Add modules at the end; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got {_typename(modules)}")
        for module in modules:
            self.append(module)
        return self


class ModuleDict(Module):
    """A dict of name -> module whose parameters belong to the owner; keys keep their insertion order, and
    each module is also an attribute (`blocks.attn`)."""

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        """The module named `key`."""
        module = self._modules[key]
        assert module is not None
        return module

    def __setitem__(self, key: str, module: Module) -> None:
        """Add or replace the module named `key`."""
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        """Remove the module named `key`."""
        del self._modules[key]

    def __len__(self) -> int:
        """The number of modules."""
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        """The names, in insertion order."""
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        """Whether a module is named `key`."""
        return key in self._modules

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove the module named `key` and return it."""
        module = self[key]
        del self[key]
        return module

    def keys(self) -> KeysView[str]:
        """The names."""
        return self._modules.keys()

    def items(self) -> ItemsView[str, Module]:
        """(name, module) pairs."""
        return self._modules.items()  # type: ignore[return-value]

    def values(self) -> ValuesView[Module]:
        """The modules."""
        return self._modules.values()  # type: ignore[return-value]

    def update(self, modules: Mapping[str, Module] | ModuleDict | Iterable[tuple[str, Module]]) -> None:
        """Add or replace the modules of a mapping, a ModuleDict or an iterable of (name, module) pairs."""
        _update(self, modules, "ModuleDict")


def _update(container: ModuleDict | ParameterDict, entries: Any, owner: str) -> None:
    """`container[key] = value` for each entry of a mapping (or dict container) or of an iterable of (key, value)
    pairs."""
    if isinstance(entries, Mapping | ModuleDict | ParameterDict):
        pairs = list(entries.items())
    elif isinstance(entries, Iterable):
        pairs = []
        for i, pair in enumerate(entries):
            if not isinstance(pair, Iterable) or isinstance(pair, str) or len(list(pair)) != 2:
                raise ValueError(f"{owner} update sequence element #{i} should be a (key, value) pair, got {pair!r}")
            pairs.append(tuple(pair))
    else:
        raise TypeError(f"{owner}.update should be called with an iterable of key/value pairs, but got "
                        f"{_typename(entries)}")
    for key, value in pairs:
        container[key] = value


def _typename(value: object) -> str:
    return type(value).__name__


def _as_parameter(value: Any) -> Any:
    """A tensor as a Parameter (a Parameter as it is); other values are kept as plain attributes."""
    return Parameter(value) if isinstance(value, Tensor) and not isinstance(value, Parameter) else value


class ParameterList(Module):
    """A list of parameters that belong to the owner: a tensor put in becomes a `Parameter`, registered as
    "0", "1", ... (other values are kept as plain entries)."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def __getitem__(self, idx: int | slice) -> Any:
        """The entry at `idx`, or a ParameterList of a slice."""
        if isinstance(idx, slice):
            return ParameterList(self[i] for i in range(len(self))[idx])
        return getattr(self, str(_index(self, idx, len(self))))

    def __setitem__(self, idx: int, param: Any) -> None:
        """Replace the entry at `idx`."""
        setattr(self, str(_index(self, idx, len(self))), _as_parameter(param))

    def __len__(self) -> int:
        """The number of entries."""
        return self._size

    def __iter__(self) -> Iterator[Any]:
        """The entries in order."""
        return (self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable[Any]) -> Self:
        """Append `parameters`."""
        return self.extend(parameters)

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]

    def append(self, value: Any) -> Self:
        """Add an entry at the end; returns self."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable[Any]) -> Self:
        """Add entries at the end; returns self."""
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got {_typename(values)}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        """One line per entry, as PyTorch prints it: `(0): Parameter containing: [torch.float32 of size 2x3]`
        (indented once more than a submodule, as in PyTorch)."""
        return "\n".join(f"  ({i}): {_describe_entry(value)}" for i, value in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of name -> parameter that belong to the owner: a tensor put in becomes a `Parameter`
    (other values are kept as plain entries); keys keep their insertion order."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        """The entry named `key`."""
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        """Add or replace the entry named `key`."""
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: the key must be a str, got {_typename(key)}")
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        """Remove the entry named `key`."""
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        """The number of entries."""
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        """The names, in insertion order."""
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: str) -> bool:
        """Whether an entry is named `key`."""
        return key in self._keys

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same entries (the same Parameter objects)."""
        return ParameterDict(OrderedDict(self.items()))

    def setdefault(self, key: str, default: Any | None = None) -> Any:
        """The entry named `key`, first set to `default` if there is none."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key: str) -> Any:
        """Remove the entry named `key` and return it."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        """Remove the last entry and return (name, value)."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        key = list(self._keys)[-1]
        return key, self.pop(key)

    def get(self, key: str, default: Any | None = None) -> Any:
        """The entry named `key`, or `default`."""
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any | None = None) -> ParameterDict:
        """A new ParameterDict with each of `keys` set to `default`."""
        return ParameterDict((key, default) for key in keys)

    def keys(self) -> KeysView[str]:
        """The names."""
        return self._keys.keys()

    def items(self) -> Iterable[tuple[str, Any]]:
        """(name, value) pairs."""
        return [(key, self[key]) for key in self._keys]

    def values(self) -> Iterable[Any]:
        """The values."""
        return [self[key] for key in self._keys]

    def update(self, parameters: Mapping[str, Any] | ParameterDict | Iterable[tuple[str, Any]]) -> None:
        """Add or replace the entries of a mapping, a ParameterDict or an iterable of (name, value) pairs."""
        _update(self, parameters, "ParameterDict")

    def __or__(self, other: ParameterDict) -> ParameterDict:
        """A new ParameterDict of this one's entries updated with `other`'s."""
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other: ParameterDict) -> Self:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        """One line per entry, as PyTorch prints it: `(name): Parameter containing: [torch.float32 of size 3]`."""
        return "\n".join(f"  ({key}): {_describe_entry(value)}" for key, value in self.items())

    def __call__(self, input: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")


def _describe_entry(value: Any) -> str:
    if not isinstance(value, Tensor):
        return f"Object of type: {_typename(value)}"
    kind = "Parameter containing" if isinstance(value, Parameter) else "Tensor"
    size = "x".join(map(str, value.shape))
    return f"{kind}: [torch.{value.dtype.name} of size {size}]"
