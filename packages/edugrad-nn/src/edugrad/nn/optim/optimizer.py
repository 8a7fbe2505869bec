"""`Optimizer`: the base of every optimizer in `edugrad.nn.optim`, with parameter groups and per-parameter state.

Neural-network layer (`edugrad.nn`). An optimizer holds `param_groups`, a list of dicts that each give some
parameters ("params") and the hyperparameters for them (so a pretrained backbone can train with a smaller
`lr` than a new head), and `state`, a dict from parameter to what the algorithm remembers about it (moment
estimates, a step count). `step()` reads every parameter's `.grad` and writes the new value with the
in-place Tensor methods (`add_`, `lerp_`, `addcdiv_`, ... as PyTorch's optimizers do) under `no_grad()`: no
graph is recorded, and the parameter stays the same Tensor object, so the modules that hold it see the new
value. A subclass only says how to start the state of one parameter (`_init_state`) and how to update one
parameter (`_update`); it reads the hyperparameters from the group on every step, so a learning-rate
scheduler can change them between steps.

`state_dict()` has PyTorch's layout, so a checkpoint moves between the two libraries: parameters are numbered
in the order of the groups, and the scalars PyTorch keeps as 0-d float32 tensors (the step count, ...) are
such tensors there. Inside `state` they are Python numbers, which keeps the per-step work off the tensors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, ClassVar, TypeAlias, cast

import numpy as np

from edugrad.nn.hooks import RemovableHandle
from edugrad.tensor import Tensor, dtypes, enable_grad, no_grad

Params: TypeAlias = "Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]"
State: TypeAlias = "dict[str, Any]"


class Optimizer:
    """Base class of the optimizers: `param_groups`, `state`, `step`, `zero_grad` and state dicts, as in
    `torch.optim.Optimizer`."""

    #: The scalar state entries that PyTorch stores as 0-d float32 tensors (Python numbers in `state`).
    _scalar_state: ClassVar[tuple[str, ...]] = ("step",)

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name}: params should be an iterable of Tensors or of dicts, but got a Tensor; "
                            "wrap it in a list")
        self.defaults = defaults
        self._step_pre_hooks: dict[int, Callable[..., Any]] = {}
        self._step_post_hooks: dict[int, Callable[..., Any]] = {}
        self.state: defaultdict[Tensor, State] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(f"{self._name}: optimizer got an empty parameter list")
        for group in groups if isinstance(groups[0], dict) else [{"params": groups}]:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters; options it leaves out take the defaults. The
        dict itself joins `param_groups` (as in PyTorch), completed with the defaults. Parameters given as
        (name, tensor) pairs, as `named_parameters()` yields them, keep their names in "param_names"."""
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}: a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise KeyError(f"{self._name}: a parameter group needs a 'params' entry, got keys {sorted(param_group)}")
        group = {**param_group, **self._named_params(param_group["params"])}
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        params = group["params"]
        if len(set(params)) != len(params):
            raise ValueError(f"{self._name}: a parameter group contains the same parameter twice")
        if not {p for other in self.param_groups for p in other["params"]}.isdisjoint(params):
            raise ValueError(f"{self._name}: some parameters appear in more than one parameter group")
        if self.param_groups and ("param_names" in group) != ("param_names" in self.param_groups[0]):
            raise ValueError(f"{self._name}: all parameter groups must give their parameters with names, or all "
                             "without (as named_parameters() does or parameters() does)")
        self._check_options(group)
        param_group.update(group)
        self.param_groups.append(param_group)

    def _named_params(self, params: Any) -> dict[str, Any]:
        """{"params": [tensors]}, plus {"param_names": [names]} when the parameters came as (name, tensor)."""
        if isinstance(params, set):
            raise TypeError(f"{self._name}: parameters need to be in an ordered collection (a list), not a set: "
                            "the order of a set changes between runs, and state dicts refer to parameters by order")
        items = [params] if isinstance(params, Tensor) else list(params)
        named = [isinstance(item, tuple) for item in items]
        if any(named) and not all(named):
            raise ValueError(f"{self._name}: give all parameters of a group with names, as (name, tensor), or none")
        tensors = [item[1] if is_named else item for item, is_named in zip(items, named)]
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{self._name}: can't optimize a non-leaf Tensor (one computed from others); "
                                 "optimize the leaves it was made from, or detach() it")
        result: dict[str, Any] = {"params": tensors}
        if items and all(named):
            result["param_names"] = [item[0] for item in items]
        return result

    def _check_options(self, group: dict[str, Any]) -> None:
        """Raise for an invalid hyperparameter of `group`: the implementation flags every optimizer shares, then
        the optimizer's own options (`_check_group`)."""
        if group.get("differentiable"):
            raise ValueError(f"{self._name}: differentiable=True is not supported: edugrad's optimizers update the "
                             "parameters in place, outside the graph, so the step cannot be differentiated")
        if group.get("capturable"):
            raise ValueError(f"{self._name}: capturable=True is for capturing the step in a CUDA graph, which "
                             "edugrad does not have; leave it False")
        if group.get("fused") and group.get("foreach"):
            raise RuntimeError(f"{self._name}: `fused` and `foreach` cannot be `True` together.")
        self._check_group(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for an invalid hyperparameter of `group` (each optimizer checks its own)."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (the default, which frees the memory), or to zeros in
        place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None:  # a gradient built with create_graph=True: leave its graph
                    p.grad = p.grad.detach()
                with no_grad():
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; `closure`, if given, recomputes and returns the loss. The
        hooks registered with `register_step_pre_hook` / `register_step_post_hook` run before and after."""
        if not (self._step_pre_hooks or self._step_post_hooks):
            return self._step(closure)
        # As in PyTorch, a hook sees the arguments of the call, the optimizer itself first.
        args: tuple[Any, ...] = (self,) if closure is None else (self, closure)
        kwargs: dict[str, Any] = {}
        for pre_hook in list(self._step_pre_hooks.values()):
            replaced = pre_hook(self, args, kwargs)
            if replaced is not None:
                if not (isinstance(replaced, tuple) and len(replaced) == 2):
                    raise RuntimeError(f"{self._name}.step: a step pre-hook must return None or a tuple (new_args, "
                                       f"new_kwargs), but got {replaced!r}.")
                args, kwargs = replaced
        loss = self._step(*args[1:], **kwargs)
        for post_hook in list(self._step_post_hooks.values()):
            post_hook(self, args, kwargs)
        return loss

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(optimizer, args, kwargs)` before every step, with the step's arguments (args is (optimizer,)
        or (optimizer, closure), as in PyTorch); it may return (new_args, new_kwargs) to change them.
        `handle.remove()` unregisters it."""
        handle = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call `hook(optimizer, args, kwargs)` after every step. `handle.remove()` unregisters it."""
        handle = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    def _step(self, closure: Callable[[], Any] | None = None) -> Any:
        """The step itself: the closure, then `_update` for every parameter with a gradient."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if not state:
                        state.update(self._init_state(p, group))
                    self._update(p, state, group)
        return loss

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        """The state of parameter `p` before its first update ({}: `_update` makes it; an optimizer written as
        in PyTorch, with its own `step`, keeps its state as it likes)."""
        return {}

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        """Update parameter `p` in place from `p.grad`, its `state` and the hyperparameters of its `group`."""
        raise NotImplementedError(f"{self._name} must implement _update")

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: value}}, "param_groups": [{..., "params": [index, ...]}]}, as in PyTorch:
        parameters are numbered in the order of the groups, and the scalar state (the step count, ...) is a 0-d
        float32 tensor. The state tensors share the optimizer's values, as in PyTorch: later steps change them
        too (copy.deepcopy or saving to a file takes a snapshot)."""
        index = {p: i for i, p in enumerate(chain.from_iterable(g["params"] for g in self.param_groups))}
        groups = [{**{key: value for key, value in group.items() if key != "params"},
                   "params": [index[p] for p in group["params"]]} for group in self.param_groups]
        state = {index[p]: {key: self._saved_value(key, value) for key, value in s.items()}
                 for p, s in self.state.items() if s}
        return {"state": state, "param_groups": groups}

    def _saved_value(self, key: str, value: Any) -> Any:
        if isinstance(value, Tensor):
            return value.detach()
        if key in self._scalar_state:
            return Tensor(np.array(value, np.float32))  # a 0-d float32 tensor, as PyTorch stores it
        if isinstance(value, list):
            return [self._saved_value(key, item) for item in value]
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state and hyperparameters saved by `state_dict()` (edugrad's, or PyTorch's with its tensors
        as edugrad Tensors, NumPy arrays or torch tensors), so training continues exactly where it stopped. The
        optimizer must have been built with the same groups of the same parameters. Everything is checked before
        anything changes, and the state tensors are copied in (so two optimizers loaded from one dict do not
        share their state)."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            found = f"keys {sorted(state_dict)}" if isinstance(state_dict, dict) else f"a {type(state_dict).__name__}"
            raise ValueError(f"{self._name}.load_state_dict: expected a dict with 'state' and 'param_groups', as "
                             f"state_dict() returns, got {found}")
        groups = self._loaded_groups(state_dict["param_groups"])
        state = self._loaded_states(state_dict["state"], state_dict["param_groups"], groups)
        for group, loaded in zip(self.param_groups, groups):
            group.update(loaded)  # the same dicts stay in param_groups, now with the saved hyperparameters
        self.state = defaultdict(dict, state)

    def _loaded_groups(self, saved_groups: Any) -> list[dict[str, Any]]:
        """The parameter groups after loading `saved_groups`: the saved hyperparameters win, an option a saved
        group lacks keeps its current value; each group checked as the constructor checks it."""
        if not isinstance(saved_groups, list) or not all(isinstance(g, dict) and isinstance(g.get("params"), list)
                                                         for g in saved_groups):
            raise ValueError(f"{self._name}.load_state_dict: 'param_groups' must be a list of dicts, each with a list "
                             "of parameter indices under 'params'")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{self._name}.load_state_dict: the state dict has {len(saved_groups)} parameter "
                             f"groups, the optimizer has {len(self.param_groups)}")
        groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(f"{self._name}.load_state_dict: parameter group {i} of the state dict has "
                                 f"{len(saved['params'])} parameters, the optimizer's has {len(group['params'])}")
            loaded = {**group, **saved, "params": group["params"]}
            self._check_options(loaded)
            groups.append(loaded)
        return groups

    def _loaded_states(self, saved_state: Any, saved_groups: list[dict[str, Any]],
                       groups: list[dict[str, Any]]) -> dict[Tensor, State]:
        """The per-parameter state in `saved_state`, keyed by the parameters the saved indices stand for."""
        indices = [int(i) for i in chain.from_iterable(g["params"] for g in saved_groups)]
        if len(set(indices)) != len(indices):
            raise ValueError(f"{self._name}.load_state_dict: a parameter index appears twice in 'param_groups'")
        params = dict(zip(indices, chain.from_iterable(g["params"] for g in self.param_groups)))
        group_of = {p: group for group in groups for p in group["params"]}
        if not isinstance(saved_state, dict):
            raise ValueError(f"{self._name}.load_state_dict: 'state' must be a dict from parameter index to that "
                             f"parameter's state, got a {type(saved_state).__name__}")
        state = {}
        for index, saved in saved_state.items():
            p = params.get(int(index))
            if p is None:
                raise KeyError(f"{self._name}.load_state_dict: the state dict has state for parameter {index}, "
                               f"which is in none of its parameter groups")
            if not isinstance(saved, dict):
                raise ValueError(f"{self._name}.load_state_dict: the state of parameter {index} must be a dict, got "
                                 f"a {type(saved).__name__}")
            state[p] = self._loaded_state(p, index, saved, group_of[p])
        return state

    def _loaded_state(self, p: Tensor, index: Any, saved: State, group: dict[str, Any]) -> State:
        """One parameter's saved state, checked against the state this optimizer starts it with: no entry may be
        missing, its tensors must have the shape they start with (the parameter's for one made later, such as
        SGD's momentum buffer; all are cast to the parameter's dtype), and its scalars must be numbers (or
        one-element tensors, as PyTorch saves them). Entries the optimizer does not know are kept as PyTorch
        keeps them (tensors cast)."""
        start = self._init_state(p, group)
        missing = sorted(start.keys() - saved.keys()) if saved else []
        if missing:
            raise KeyError(f"{self._name}.load_state_dict: the state of parameter {index} lacks {missing}; was it "
                           "saved with other options (amsgrad, momentum, centered, ...)?")
        where = f"{self._name}.load_state_dict: state {{!r}} of parameter {index}"
        loaded: State = {}
        for key, value in saved.items():
            if key in self._scalar_state and key in start:
                loaded[key] = scalar_state(where.format(key), value, integer=key == "step")
            elif isinstance(value, Tensor) or hasattr(value, "__array__"):
                loaded[key] = state_tensor(where.format(key), value, p, _expected_shape(start, key, p))
            else:
                loaded[key] = value
        return loaded

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def _expected_shape(start: State, key: str, p: Tensor) -> tuple[int, ...] | None:
    """The shape a loaded state tensor must have: the one it starts with, p's for an entry that starts as None
    (made on the first update), none for an entry the optimizer does not start."""
    if isinstance(start.get(key), Tensor):
        shape: tuple[int, ...] = start[key].shape
        return shape
    return p.shape if key in start else None


def scalar_state(where: str, value: Any, integer: bool = False) -> Any:
    """A saved scalar (a number, or a one-element tensor as PyTorch saves it) as a Python float, or an int for a
    count; `where` names it in the error."""
    if isinstance(value, Tensor) or hasattr(value, "__array__"):
        array = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
        if array.size != 1:
            raise ValueError(f"{where} must be a number or a one-element tensor, got shape {array.shape}")
        value = array.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number, got {value!r}")
    if integer and (value < 0 or value != int(value)):
        raise ValueError(f"{where} is a count of steps and must be a whole number >= 0, got {value!r}")
    return int(value) if integer else float(value)


def state_tensor(where: str, value: Any, p: Tensor, shape: tuple[int, ...] | None) -> Tensor:
    """A saved state tensor (an edugrad Tensor, a NumPy array or a torch tensor) as a new Tensor of `shape` (any
    if None) on parameter `p`'s backend, in `p`'s dtype when that is a floating-point dtype (PyTorch moves and
    casts it so too)."""
    if not isinstance(value, Tensor) or value.backend != p.backend:
        array = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
        value = Tensor(array, dtype=p.dtype if p.dtype.is_floating_point else dtypes.from_numpy(array.dtype),
                       backend=p.backend)
    if shape is not None and value.shape != shape:
        raise ValueError(f"{where} has shape {value.shape}, but the parameter needs shape {shape}")
    with no_grad():
        loaded: Tensor = value.detach().cast(p.dtype) if p.dtype.is_floating_point else value.detach()
        return loaded.clone()


def check_option(optimizer: str, name: str, value: Any, low: float = 0.0, below: float | None = None,
                 at_most: float | None = None) -> None:
    """TypeError unless `value` is a number, ValueError unless `low <= value` (and `value < below`, `value <=
    at_most` when given), naming the optimizer and the option."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{optimizer}: {name} must be a number, got {type(value).__name__}")
    # `not >=` also rejects NaN
    if not value >= low or (below is not None and not value < below) or (at_most is not None and not value <= at_most):
        expected = (f">= {low}" if below is None and at_most is None else
                    f"in [{low}, {below})" if below is not None else f"in [{low}, {at_most}]")
        raise ValueError(f"{optimizer}: invalid {name} value {value}; expected {expected}")


def check_betas(optimizer: str, betas: Any) -> None:
    """ValueError unless `betas` is a pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{optimizer}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        check_option(optimizer, f"beta parameter at index {i}", beta, 0.0, below=1.0)


def gradient(p: Tensor, maximize: bool, weight_decay: float) -> Tensor:
    """p's gradient, negated to maximize, plus the gradient `weight_decay * p` of the L2 penalty
    `weight_decay / 2 * ||p||^2` (PyTorch's `weight_decay` in every optimizer but AdamW)."""
    grad = cast(Tensor, p.grad)  # step() only updates parameters that have a gradient
    if maximize:
        grad = -grad
    if weight_decay:
        grad = grad + p * weight_decay
    return grad


def decayed_gradient(p: Tensor, group: dict[str, Any]) -> Tensor:
    """p's gradient (negated to maximize) with the group's weight decay: as the L2 gradient added to it, or,
    with `decoupled_weight_decay` (AdamW's), by shrinking the weights directly, p = p * (1 - lr * weight_decay),
    which happens here."""
    weight_decay = group["weight_decay"]
    if group["decoupled_weight_decay"]:
        if weight_decay:
            p.mul_(1 - group["lr"] * weight_decay)
        weight_decay = 0
    return gradient(p, group["maximize"], weight_decay)
