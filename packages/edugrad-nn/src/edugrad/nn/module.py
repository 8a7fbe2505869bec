"""`Module`: the base class of every layer and model, which finds its parameters, buffers and submodules.

Top layer (`edugrad.nn`), built on the public `Tensor` API only. A module is an ordinary Python object; what
makes it a module is how its attributes are read:

- a *parameter* is a leaf tensor with `requires_grad=True` assigned as an attribute (`self.weight = ...`), or
  any tensor registered with `register_parameter`; once registered, the name stays a parameter even if the
  tensor is later frozen with `requires_grad_(False)`, so it is still saved and loaded;
- a *buffer* is state that is saved but not trained (BatchNorm's running statistics), registered with
  `register_buffer(name, tensor)`;
- a *submodule* is a Module held by an attribute, directly or inside a plain list, tuple or dict (the
  containers `Sequential`, `ModuleList` and `ModuleDict` in `container.py` name theirs `0`, `1`, ...).

Walking these recursively gives the PyTorch names: `layer1.weight`, `0.bias`, `bn.running_mean`. That naming
is what lets a `state_dict` move between edugrad and the equivalent `torch.nn` model.

Training mode: every module has a `training` flag (True after construction, as in PyTorch), switched for a
whole tree by `train()` / `eval()`. Calling a module runs `forward` inside `Tensor.train(self.training)`, so
the Tensor ops that behave differently in training (dropout) follow the flag of the module that calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, NamedTuple, Self

from edugrad.tensor import Tensor, no_grad

__all__ = ["IncompatibleKeys", "Module"]


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` could not match: model keys the state dict lacks, and state dict
    keys the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers and models: subclasses set their parameters and submodules as attributes in
    `__init__` (after `super().__init__()`) and compute the output in `forward`."""

    training: bool
    _parameter_names: set[str]
    _buffer_names: dict[str, bool]  # name -> persistent (saved in the state dict)

    def __init__(self) -> None:
        object.__setattr__(self, "_parameter_names", set())
        object.__setattr__(self, "_buffer_names", {})
        self.training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; subclasses override it, and callers call the module itself."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward` with `Tensor.training` set to this module's `training` flag."""
        with Tensor.train(self.training):
            return self.forward(*args, **kwargs)

    # registration

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute, registering a leaf tensor that requires grad as a parameter."""
        if "_parameter_names" not in vars(self):
            raise AttributeError(f"cannot assign {name!r} on {type(self).__name__} before Module.__init__() is "
                                 "called; call super().__init__() first")
        if name in self._buffer_names:
            _check_slot(self, name, value, "buffer")
        elif name in self._parameter_names:
            if value is not None and not _is_parameter(value):
                raise TypeError(f"cannot assign {_describe(value)} as parameter {name!r} of {type(self).__name__}: "
                                "expected a leaf tensor with requires_grad=True or None (use register_parameter "
                                "to store a frozen tensor)")
        elif _is_parameter(value):
            self._parameter_names.add(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """Delete an attribute and forget it as a parameter or buffer."""
        self._parameter_names.discard(name)
        self._buffer_names.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, tensor: Tensor | None) -> None:
        """Make `name` a parameter holding `tensor` (trained if it requires grad, saved in any case)."""
        _check_new_name(self, name, "register_parameter")
        _check_slot(self, name, tensor, "parameter")
        if tensor is not None and not tensor.is_leaf:
            raise ValueError(f"register_parameter: {name!r} must be a leaf tensor (made by the user, not computed "
                             "from other tensors that require grad); use detach() to make one")
        self._parameter_names.add(name)
        object.__setattr__(self, name, tensor)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Make `name` a buffer: state that is not trained but is saved in the state dict (unless
        `persistent=False`) and loaded from it. A None buffer is skipped until a tensor is assigned."""
        _check_new_name(self, name, "register_buffer")
        _check_slot(self, name, tensor, "buffer")
        self._buffer_names[name] = persistent
        object.__setattr__(self, name, tensor)

    # discovery

    def _submodules(self) -> Iterator[tuple[str, Module]]:
        """This module's direct submodules with their names, shared ones repeated; containers override it."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                yield from ((f"{name}.{i}", item) for i, item in enumerate(value) if isinstance(item, Module))
            elif isinstance(value, dict):
                yield from ((f"{name}.{key}", item) for key, item in value.items() if isinstance(item, Module))

    def _own_tensors(self, names: Collection[str]) -> Iterator[tuple[str, Tensor]]:
        return ((name, value) for name, value in vars(self).items() if name in names and value is not None)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their attribute names (each module once)."""
        seen: set[int] = set()
        for name, module in self._submodules():
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        return (module for _, module in self.named_children())

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all below it, parents before children, each once, with dotted names ("" for self)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(_join(name, child_name), child) for child_name, child in module._submodules()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and all below it."""
        return (module for _, module in self.named_modules())

    def _named_tensors(self, names_of: Callable[[Module], Collection[str]], prefix: str,
                       recurse: bool) -> Iterator[tuple[str, Tensor]]:
        """The tensors each module lists in `names_of(module)`, with dotted names; a shared tensor appears once."""
        modules = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        return _unique((_join(module_name, name), tensor)
                       for module_name, module in modules
                       for name, tensor in module._own_tensors(names_of(module)))

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """The parameters with their dotted names, in PyTorch's order; a shared parameter appears once."""
        return self._named_tensors(lambda module: module._parameter_names, prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        """The parameters, for an optimizer: `SGD(model.parameters(), lr=0.1)`."""
        return (tensor for _, tensor in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """The buffers (persistent or not) with their dotted names."""
        return self._named_tensors(lambda module: module._buffer_names, prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers."""
        return (tensor for _, tensor in self.named_buffers(recurse=recurse))

    # training mode and gradients

    def train(self, mode: bool = True) -> Self:
        """Set the training flag of this module and every module below it; returns self."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Self:
        """Switch to evaluation mode (dropout off, BatchNorm uses its running statistics); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Freeze (False) or unfreeze every parameter; returns self."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters: set `.grad` to None, or to zeros where one exists."""
        for parameter in self.parameters():
            if set_to_none or parameter.grad is None:
                parameter.grad = None
            else:
                parameter.grad = parameter.grad.zeros_like()

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call `fn` on every submodule (children first) and on self, e.g. for a custom initialisation."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # state dict

    def _named_state(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every saved tensor under its state dict key: own parameters, own persistent buffers, then each
        submodule's, recursively (PyTorch's order). Shared tensors appear under each of their names."""
        persistent = {name for name, keep in self._buffer_names.items() if keep}
        yield from ((prefix + name, tensor) for name, tensor in self._own_tensors(self._parameter_names))
        yield from ((prefix + name, tensor) for name, tensor in self._own_tensors(persistent))
        for name, module in self._submodules():
            yield from module._named_state(f"{prefix}{name}.")

    def state_dict(self) -> dict[str, Tensor]:
        """The parameters and persistent buffers by dotted name, as detached tensors (a snapshot: training
        on afterwards does not change it)."""
        return {key: tensor.detach() for key, tensor in self._named_state()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy the values of `state_dict` (tensors, NumPy arrays or anything `Tensor()` accepts) into the
        parameters and buffers, keeping the tensor objects (so an optimizer's references stay valid).

        Every entry is checked before anything is written, so a failed load changes nothing. A shape or dtype
        mismatch is always an error; missing and unexpected keys are errors when `strict`, else returned."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a state dict (a mapping of names to tensors) for "
                            f"{type(self).__name__}, got {type(state_dict).__name__}")
        targets = dict(self._named_state())
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        errors = [f"{kind} key(s): {', '.join(keys)}" for kind, keys in (("unexpected", unexpected),
                                                                        ("missing", missing)) if strict and keys]
        values: dict[str, Tensor] = {}
        for key, target in targets.items():
            if key in state_dict:
                value, error = _as_state_tensor(key, state_dict[key], target)
                if error:
                    errors.append(error)
                else:
                    values[key] = value
        if errors:
            raise RuntimeError(f"load_state_dict: error(s) in loading the state dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for key, value in values.items():
                targets[key].assign(value)
        return IncompatibleKeys(missing, unexpected)

    # printing

    def extra_repr(self) -> str:
        """The constructor arguments shown in the repr, e.g. `in_features=4, out_features=3, bias=True`."""
        return ""

    def __repr__(self) -> str:
        """`Name(extra_repr)`, with one indented `(name): repr` line per submodule, as PyTorch prints."""
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): " + repr(module).replace("\n", "\n  ") for name, module in self._submodules()]
        if len(extra) == 1 and not children:
            return f"{type(self).__name__}({extra[0]})"
        lines = extra + children
        body = "\n  " + "\n  ".join(lines) + "\n" if lines else ""
        return f"{type(self).__name__}({body})"


def _is_parameter(value: object) -> bool:
    return isinstance(value, Tensor) and value.requires_grad and value.is_leaf


def _describe(value: object) -> str:
    if isinstance(value, Tensor):
        kind = "a tensor without requires_grad" if not value.requires_grad else "a non-leaf tensor"
        return f"{kind} (shape {value.shape})"
    return f"a {type(value).__name__}"


def _check_slot(module: Module, name: str, value: object, kind: str) -> None:
    if value is not None and not isinstance(value, Tensor):
        raise TypeError(f"cannot assign {_describe(value)} as {kind} {name!r} of {type(module).__name__}: "
                        "expected a Tensor or None")


def _check_new_name(module: Module, name: str, op: str) -> None:
    if not name or "." in name:
        raise KeyError(f"{op}: invalid name {name!r}; a name must be non-empty and contain no '.'")
    if name in vars(module) and name not in module._parameter_names and name not in module._buffer_names:
        raise KeyError(f"{op}: {type(module).__name__} already has an attribute {name!r}")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _unique(items: Iterator[tuple[str, Tensor]]) -> Iterator[tuple[str, Tensor]]:
    seen: set[int] = set()
    for name, tensor in items:
        if id(tensor) not in seen:
            seen.add(id(tensor))
            yield name, tensor


def _as_state_tensor(key: str, value: Any, target: Tensor) -> tuple[Tensor, str]:
    """`value` as a Tensor, and an error message if it cannot be loaded into `target` ("" if it can)."""
    try:
        tensor = value if isinstance(value, Tensor) else Tensor(value)
    except (TypeError, ValueError) as error:
        return target, f"{key}: cannot convert the value to a tensor ({error})"
    if tensor.shape != target.shape or tensor.dtype != target.dtype:
        return tensor, (f"mismatch for {key}: the state dict has shape {tensor.shape} and dtype "
                        f"{tensor.dtype.name}, the model expects shape {target.shape} and dtype {target.dtype.name}")
    return tensor, ""
