"""`Module`: the base class of every layer and model, which registers its parameters, buffers and submodules.

Top layer (`edugrad.nn`), built on the public `Tensor` API only, with `torch.nn.Module`'s API and rules. A
module is an ordinary Python object whose attribute assignments are sorted into three registries:

- `_parameters`: every `nn.Parameter` assigned as an attribute (`self.weight = nn.Parameter(...)`) or given
  to `register_parameter`. A plain tensor is a plain attribute, even one with `requires_grad=True`;
- `_buffers`: state that is saved but not trained (BatchNorm's running statistics), given to
  `register_buffer(name, tensor, persistent=True)`; a non-persistent buffer is left out of the state dict;
- `_modules`: every Module assigned as an attribute or given to `add_module` (the containers of
  `container.py` name theirs "0", "1", ...). A plain list or dict of modules is not registered: use
  `ModuleList` / `ModuleDict`.

Reading `self.weight` finds the registered value through `__getattr__`, which Python calls only when the
ordinary lookup fails. Walking the registries recursively gives the PyTorch names: `layer1.weight`, `0.bias`,
`bn.running_mean`. That naming is what lets a `state_dict` move between edugrad and the `torch.nn` twin.

Training mode: every module has a `training` flag (True after construction), switched for a whole tree by
`train()` / `eval()`; layers pass it to the functions that behave differently in training (dropout, batch
norm). Calling a module also runs `forward` inside `Tensor.train(flag)`, for code that calls the Tensor
methods (`x.dropout(p)`) directly.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, Self

import numpy as np

from edugrad.nn.hooks import RemovableHandle
from edugrad.nn.parameter import Parameter
from edugrad.tensor import DType, Tensor, devices, dtypes, no_grad, tensor

__all__ = ["IncompatibleKeys", "Module"]


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict` returns: model keys the state dict lacks, and state dict keys the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


class _Hook(NamedTuple):
    fn: Callable[..., Any]
    with_kwargs: bool
    always_call: bool = False


class Module:
    """Base class of layers and models: subclasses set their parameters and submodules as attributes in
    `__init__` (after `super().__init__()`) and compute the output in `forward`."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers_set: set[str]
    _modules: dict[str, Module | None]
    _forward_pre_hooks: dict[int, _Hook]
    _forward_hooks: dict[int, _Hook]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} "
                            "were given")
        # Set directly: __setattr__ reads these registries.
        for name, value in (("training", True), ("_parameters", {}), ("_buffers", {}),
                            ("_non_persistent_buffers_set", set()), ("_modules", {}), ("_forward_pre_hooks", {}),
                            ("_forward_hooks", {})):
            object.__setattr__(self, name, value)

    def forward(self, *input: Any) -> Any:
        """The computation of the module; subclasses override it, and callers call the module itself."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward` (and the forward hooks, if any) inside `Tensor.train(self.training)`."""
        with Tensor.train(self.training):
            if self._forward_pre_hooks or self._forward_hooks:
                return self._call_with_hooks(args, kwargs)
            return self.forward(*args, **kwargs)

    # registration

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute, registering a Parameter as a parameter and a Module as a submodule; a tensor
        assigned to a registered buffer's name replaces the buffer."""
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=params)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' (nn.Parameter or None "
                                "expected)")
            params[name] = None
        elif isinstance(value, Module):
            if "_modules" not in self.__dict__:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' (nn.Module or None "
                                "expected)")
            self._modules[name] = None
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' (Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: dict[str, Any]) -> None:
        """Drop `name` from the plain attributes and from the registries other than `keep`, where it is about to
        be registered (and keeps its place, as in PyTorch)."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Tensor | Module:
        """A registered parameter, buffer or submodule (called only when the ordinary lookup fails)."""
        for registry in ("_parameters", "_buffers", "_modules"):
            values = self.__dict__.get(registry)
            if values is not None and name in values:
                found: Tensor | Module = values[name]
                return found
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        """Delete an attribute, a parameter, a buffer or a submodule."""
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        """The attributes with the registered names (names starting with a digit left out)."""
        keys = [*dir(type(self)), *self.__dict__, *self._parameters, *self._modules, *self._buffers]
        return sorted(key for key in keys if not key[0].isdigit())

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Make `name` a parameter holding `param` (an `nn.Parameter`, or None for an absent one)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_new_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' (nn.Parameter or None "
                            "required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Make `name` a buffer: state that is not trained but is saved in the state dict (unless
        `persistent=False`) and loaded from it. A None buffer is skipped until a tensor is assigned."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_new_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (Tensor or None "
                            "required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Make `module` a submodule named `name` (as assigning `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {_typename(module)} is not a Module subclass (given as {name!r} to "
                            f"{self._get_name()})")
        self._check_new_name("module", name, self._modules)
        self._modules[name] = module

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias for `add_module`."""
        self.add_module(name, module)

    def _check_new_name(self, kind: str, name: object, registry: Mapping[str, object]) -> None:
        op = {"parameter": "register_parameter", "buffer": "register_buffer", "module": "add_module"}[kind]
        if not isinstance(name, str):
            raise TypeError(f"{op}: {kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f"{op}: {kind} name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError(f'{op}: {kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"{op}: attribute '{name}' already exists in {self._get_name()}")

    # finding things by dotted name

    def _get_name(self) -> str:
        return type(self).__name__

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path `target` ("" is self): `model.get_submodule("blocks.0.attn")`."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            child = getattr(module, item)
            if not isinstance(child, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path `target`, e.g. "blocks.0.attn.weight"."""
        module, name = self._owner(target)
        value = getattr(module, name)
        if not isinstance(value, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return value

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path `target`, e.g. "bn.running_mean"."""
        module, name = self._owner(target)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        value: Tensor = getattr(module, name)
        return value

    def _owner(self, target: str) -> tuple[Module, str]:
        """The module that holds the last name of `target`, and that name (which it must have)."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return module, name

    # walking the tree

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their names (each module once)."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo: set[Module] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and all below it, parents before children, with dotted names ("" for self); a module
        reachable twice appears once unless `remove_duplicate=False`."""
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, _join(prefix, name), remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        """This module and all below it, each once (unless `remove_duplicate=False`)."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def _named_members(self, registry: Callable[[Module], Mapping[str, Tensor | None]], prefix: str,
                       recurse: bool, remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        """The tensors of one registry of every module (of self alone unless `recurse`), with dotted names; a
        tensor held under two names appears once unless `remove_duplicate=False`."""
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, tensor in registry(module).items():
                if tensor is None or id(tensor) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(tensor))
                yield _join(module_prefix, name), tensor

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """The parameters with their dotted names, in PyTorch's order; a shared parameter appears once."""
        return self._named_members(lambda module: module._parameters, prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters, for an optimizer: `SGD(model.parameters(), lr=0.1)`."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """The buffers (persistent or not) with their dotted names."""
        return self._named_members(lambda module: module._buffers, prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[[Module], None]) -> Self:
        """Call `fn` on every submodule (children first) and on self, e.g. for a custom initialisation."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # training mode and gradients

    def train(self, mode: bool = True) -> Self:
        """Set the training flag of this module and every module below it; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for child in self.children():
            child.train(mode)
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
        """Forget the gradients of all parameters: set `.grad` to None, or fill the existing ones with zeros."""
        for parameter in self.parameters():
            grad = parameter.grad
            if grad is None:
                continue
            if set_to_none:
                parameter.grad = None
                continue
            if grad.grad_fn is not None:  # a gradient built with create_graph=True: cut it off its graph first
                grad = parameter.grad = grad.detach()
            grad.requires_grad_(False).zero_()

    # moving and casting the parameters and buffers

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Self:
        """Replace every parameter's, gradient's and buffer's values by `fn` of them, in the whole tree. The
        Parameter objects stay the same (an optimizer holds them): their `.data` changes."""
        for child in self.children():
            child._apply(fn)
        with no_grad():
            for parameter in self._parameters.values():
                if parameter is None:
                    continue
                parameter.data = fn(parameter)
                if parameter.grad is not None:
                    parameter.grad.data = fn(parameter.grad)
            for name, buffer in self._buffers.items():
                if buffer is not None:
                    self._buffers[name] = fn(buffer)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Self:
        """Move and/or cast the parameters and buffers, in place: `to(device)`, `to(dtype)`, `to(device,
        dtype)` or `to(tensor)` (its device and dtype), as `torch.nn.Module.to`. A dtype must be a
        floating-point one, and only floating-point tensors are cast (an int64 step counter stays int64)."""
        device, dtype, non_blocking = _parse_to(args, kwargs)
        where = None if device is None else devices.as_device(device)  # a misspelt device fails even without tensors
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")
        return self._apply(lambda t: t.to(where, dtype if t.is_floating_point() else None, non_blocking))

    def cpu(self) -> Self:
        """Move the parameters and buffers to the CPU."""
        return self._apply(lambda t: t.cpu())

    def cuda(self, device: Any = None) -> Self:
        """Move the parameters and buffers to a CUDA device (an error where there is none)."""
        return self._apply(lambda t: t.cuda(device))

    def type(self, dst_type: DType) -> Self:
        """Cast every parameter and buffer (integer ones too) to `dst_type`."""
        return self._apply(lambda t: t.to(dst_type))

    def _cast_floating(self, dtype: DType) -> Self:
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self) -> Self:
        """Cast the floating-point parameters and buffers to float32."""
        return self._cast_floating(dtypes.float32)

    def double(self) -> Self:
        """Cast the floating-point parameters and buffers to float64."""
        return self._cast_floating(dtypes.float64)

    def half(self) -> Self:
        """Cast the floating-point parameters and buffers to float16."""
        return self._cast_floating(dtypes.float16)

    def bfloat16(self) -> Self:
        """Cast the floating-point parameters and buffers to bfloat16 (needs the ml_dtypes package)."""
        return self._cast_floating(dtypes.bfloat16)

    # state dict

    def _local_state(self) -> dict[str, Tensor]:
        """This module's own saved tensors by name: the parameters, then the persistent buffers."""
        state: dict[str, Tensor] = {name: p for name, p in self._parameters.items() if p is not None}
        state.update((name, b) for name, b in self._buffers.items()
                     if b is not None and name not in self._non_persistent_buffers_set)
        return state

    def state_dict(self, *, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Any]:
        """An OrderedDict (as torch's) of the parameters and persistent buffers by dotted name, in PyTorch's order: each module's own, then
        its submodules'. The values are `detach()`ed tensors that share the parameters' values (the tensors
        themselves with `keep_vars=True`); a shared tensor appears under each of its names."""
        destination = OrderedDict() if destination is None else destination  # torch's return type
        for name, tensor in self._local_state().items():
            destination[prefix + name] = tensor if keep_vars else tensor.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy the values of `state_dict` into the parameters and buffers (cast to their dtypes), keeping the
        tensor objects, so an optimizer built before the load keeps working; with `assign=True`, the
        state dict's tensors (as Parameters where the model has one) replace them instead.

        Values may be edugrad Tensors, NumPy arrays or torch tensors. Every entry is checked before anything
        is written, so a failed load changes nothing. A shape mismatch is always an error; missing and
        unexpected keys are errors when `strict`, and are returned in any case."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        loads: list[tuple[Module, str, Tensor, Tensor]] = []
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        self._check_state(dict(state_dict), "", loads, missing, unexpected, errors)
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        with no_grad():
            for module, name, target, value in loads:
                if not assign:
                    target.copy_(value)
                elif isinstance(target, Parameter):
                    setattr(module, name, value.requires_grad_(target.requires_grad) if isinstance(value, Parameter)
                            else Parameter(value, requires_grad=target.requires_grad))
                else:
                    setattr(module, name, value)
        return IncompatibleKeys(missing, unexpected)

    def _check_state(self, state_dict: dict[str, Any], prefix: str, loads: list[tuple[Module, str, Tensor, Tensor]],
                     missing: list[str], unexpected: list[str], errors: list[str]) -> None:
        """Match the keys under `prefix` with this module's tree, as PyTorch does, collecting what to load."""
        local = self._local_state()
        for name, target in local.items():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value, error = _state_tensor(key, state_dict[key], target)
            if error:
                errors.append(error)
            else:
                loads.append((self, name, target, value))
        for key in state_dict:
            first, dot, _ = key[len(prefix):].partition(".")
            if key.startswith(prefix) and (first not in self._modules if dot else first not in local):
                unexpected.append(key)
        for name, module in self._modules.items():
            if module is not None:
                child = f"{prefix}{name}."
                module._check_state({k: v for k, v in state_dict.items() if k.startswith(child)}, child, loads,
                                    missing, unexpected, errors)

    # forward hooks

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call `hook(module, args)` before each forward (`hook(module, args, kwargs)` with `with_kwargs`); a
        result that is not None replaces the arguments."""
        return _add_hook(self._forward_pre_hooks, _Hook(hook, with_kwargs), prepend)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward (`hook(module, args, kwargs, output)` with
        `with_kwargs`); a result that is not None replaces the output. With `always_call`, the hook also runs
        (with output None) when forward raises."""
        return _add_hook(self._forward_hooks, _Hook(hook, with_kwargs, always_call), prepend)

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """forward between its pre-hooks and hooks (the slow path of `__call__`)."""
        for pre_hook in list(self._forward_pre_hooks.values()):
            if pre_hook.with_kwargs:
                new = pre_hook.fn(self, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {new}.")
                    args, kwargs = new
            else:
                new = pre_hook.fn(self, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        called: set[int] = set()
        try:
            output = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                new = hook.fn(self, args, kwargs, output) if hook.with_kwargs else hook.fn(self, args, output)
                output = output if new is None else new
            return output
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook.always_call and hook_id not in called:
                    try:
                        hook.fn(self, args, kwargs, None) if hook.with_kwargs else hook.fn(self, args, None)
                    except Exception as error:  # the error of forward is the one to report
                        warnings.warn(f"module forward hook with ``always_call=True`` raised an exception that was "
                                      f"silenced as another error was raised in forward: {error}", stacklevel=2)
            raise

    # printing

    def extra_repr(self) -> str:
        """The constructor arguments shown in the repr, e.g. `in_features=4, out_features=3, bias=True`."""
        return ""

    def __repr__(self) -> str:
        """`Name(extra_repr)`, with one indented `(name): repr` line per submodule, as PyTorch prints."""
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): {_indent(repr(module))}" for name, module in self._modules.items()]
        if len(extra) == 1 and not children:
            return f"{self._get_name()}({extra[0]})"
        lines = extra + children
        body = "\n  " + "\n  ".join(lines) + "\n" if lines else ""
        return f"{self._get_name()}({body})"


def _typename(value: object) -> str:
    return type(value).__name__


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _quoted(keys: list[str]) -> str:
    return ", ".join(f'"{key}"' for key in keys)


def _indent(text: str) -> str:
    """Every line but the first indented by two spaces (blank lines left empty), for nested reprs."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(("  " + line) if line.strip() else "" for line in rest)])


def _add_hook(hooks: dict[int, _Hook], hook: _Hook, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    later = list(hooks.items()) if prepend else []
    if prepend:
        hooks.clear()
    hooks[handle.id] = hook
    hooks.update(later)
    return handle


def _parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, DType | None, bool]:
    """(device, dtype, non_blocking) of `Module.to`'s overloads: (device=None, dtype=None, non_blocking=False),
    (dtype, non_blocking=False) and (tensor, non_blocking=False), whose device and dtype are taken."""
    first = args[0] if args else None
    names = (("tensor", "non_blocking") if isinstance(first, Tensor) else ("dtype", "non_blocking")
             if isinstance(first, DType) else ("device", "dtype", "non_blocking"))
    found = dict(zip(names, args))
    for name, value in kwargs.items():
        if name in found or name not in ("device", "dtype", "non_blocking"):
            raise TypeError(f"to(): unexpected or repeated argument {name!r}; {_TO_USAGE}")
        found[name] = value
    tensor, dtype, non_blocking = found.pop("tensor", None), found.get("dtype"), found.get("non_blocking", False)
    if len(args) > len(names) or not isinstance(dtype, DType | None) or not isinstance(non_blocking, bool):
        raise TypeError(f"to(): got {args} and {kwargs}; {_TO_USAGE}")
    if isinstance(tensor, Tensor):
        return tensor.device, tensor.dtype, non_blocking
    return found.get("device"), dtype, non_blocking


_TO_USAGE = ("expected (device=None, dtype=None, non_blocking=False), (dtype, non_blocking=False) or (tensor, "
             "non_blocking=False)")


def _state_tensor(key: str, value: Any, target: Tensor) -> tuple[Tensor, str]:
    """`value` as a Tensor, and an error message if it cannot be loaded into `target` ("" if it can)."""
    if not isinstance(value, Tensor):
        if not hasattr(value, "__array__"):
            return target, (f'While copying the parameter named "{key}", expected a Tensor, a NumPy array or a torch '
                            f"tensor from the checkpoint but received {type(value)}")
        try:
            value = tensor(np.asarray(value), backend=target.backend)
        except (TypeError, ValueError, RuntimeError) as error:
            return target, f'While copying the parameter named "{key}", the value cannot be converted: {error}'
    if value.shape != target.shape:
        return target, (f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, the "
                        f"shape in current model is {target.shape}.")
    return value, ""
