"""`Optimizer`: the base of every optimizer in `edugrad.nn.optim`, with parameter groups and per-parameter state.

Neural-network layer (`edugrad.nn`). An optimizer holds `param_groups`, a list of dicts that each give some
parameters ("params") and the hyperparameters for them (so a pretrained backbone can train with a smaller
`lr` than a new head), and `state`, a dict from parameter to what the algorithm remembers about it (moment
estimates, a step count). `step()` reads every parameter's `.grad` and writes the new value with the
in-place Tensor methods (`add_`, `lerp_`, `addcdiv_`, ... as PyTorch's optimizers do) under `no_grad()`: no
graph is recorded, and the parameter stays the same Tensor object, so the modules that hold it see the new
value. A subclass only says how to start the state of one parameter
(`_init_state`) and how to update one parameter (`_update`); it reads the hyperparameters from the group on
every step, so a learning-rate scheduler can change them between steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, TypeAlias, cast

from edugrad.tensor import Tensor, enable_grad, no_grad

Params: TypeAlias = "Iterable[Tensor] | Iterable[dict[str, Any]]"
State: TypeAlias = "dict[str, Any]"


class Optimizer:
    """Base class of the optimizers: `param_groups`, `state`, `step`, `zero_grad` and state dicts, as in
    `torch.optim.Optimizer`."""

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name}: params should be an iterable of Tensors or of dicts, but got a Tensor; "
                            "wrap it in a list")
        self.defaults = defaults
        self.state: dict[Tensor, State] = {}
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
        """Add a group of parameters with its own hyperparameters; options it leaves out take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}: a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise KeyError(f"{self._name}: a parameter group needs a 'params' entry, got keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError(f"{self._name}: parameters need to be in an ordered collection (a list), not a set: "
                            "the order of a set changes between runs, and state dicts refer to parameters by order")
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{self._name}: can't optimize a non-leaf Tensor (one computed from others); "
                                 "optimize the leaves it was made from, or detach() it")
        if len(set(params)) != len(params):
            raise ValueError(f"{self._name}: a parameter group contains the same parameter twice")
        if not {p for group in self.param_groups for p in group["params"]}.isdisjoint(params):
            raise ValueError(f"{self._name}: some parameters appear in more than one parameter group")
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for an invalid hyperparameter of `group` (each optimizer checks its own)."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (the default, which frees the memory), or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad = None if set_to_none else Tensor.zeros_like(p.grad)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; `closure`, if given, recomputes and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state.get(p)
                    if state is None:
                        state = self.state[p] = self._init_state(p, group)
                    self._update(p, state, group)
        return loss

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> State:
        """The state of parameter `p` before its first update."""
        raise NotImplementedError(f"{self._name} must implement _init_state")

    def _update(self, p: Tensor, state: State, group: dict[str, Any]) -> None:
        """Update parameter `p` in place from `p.grad`, its `state` and the hyperparameters of its `group`."""
        raise NotImplementedError(f"{self._name} must implement _update")

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: value}}, "param_groups": [{..., "params": [index, ...]}]}, as in PyTorch:
        parameters are numbered in the order of the groups. The state tensors share the optimizer's values, as
        in PyTorch: later steps change them too (copy.deepcopy or saving to a file takes a snapshot)."""
        index = {p: i for i, p in enumerate(chain.from_iterable(g["params"] for g in self.param_groups))}
        groups = [{**group, "params": [index[p] for p in group["params"]]} for group in self.param_groups]
        state = {index[p]: {key: value.detach() if isinstance(value, Tensor) else value for key, value in s.items()}
                 for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state and hyperparameters saved by `state_dict()`, so training continues exactly where it
        stopped. The optimizer must have been built with the same groups of the same parameters."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            found = f"keys {sorted(state_dict)}" if isinstance(state_dict, dict) else f"a {type(state_dict).__name__}"
            raise ValueError(f"{self._name}.load_state_dict: expected a dict with 'state' and 'param_groups', as "
                             f"state_dict() returns, got {found}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{self._name}.load_state_dict: the state dict has {len(saved_groups)} parameter "
                             f"groups, the optimizer has {len(self.param_groups)}")
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(f"{self._name}.load_state_dict: parameter group {i} of the state dict has "
                                 f"{len(saved['params'])} parameters, the optimizer's has {len(group['params'])}")
        params = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in self.param_groups)))
        state = {}
        for index, saved_state in state_dict["state"].items():
            if int(index) not in params:
                raise KeyError(f"{self._name}.load_state_dict: the state dict has state for parameter {index}, "
                               f"which is in none of its parameter groups")
            p = params[int(index)]
            state[p] = {key: _loaded_value(p, index, key, value) for key, value in saved_state.items()}
        # Saved hyperparameters win; an option the saved group lacks keeps its current value.
        self.param_groups = [{**group, **saved, "params": group["params"]}
                             for group, saved in zip(self.param_groups, saved_groups)]
        self.state = state

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def _loaded_value(p: Tensor, index: Any, key: str, value: Any) -> Any:
    """A saved state value ready for parameter `p`: tensors checked against p's shape and cast to its dtype, the
    step count as an int (PyTorch saves it as a tensor)."""
    if key == "step":
        return int(value.item()) if isinstance(value, Tensor) else int(value)
    if not isinstance(value, Tensor):
        return value
    if value.shape != p.shape:
        raise ValueError(f"load_state_dict: state {key!r} of parameter {index} has shape {value.shape}, but the "
                         f"parameter has shape {p.shape}")
    with no_grad():
        return value.detach().cast(p.dtype)


def check_option(optimizer: str, name: str, value: Any, low: float = 0.0, high: float | None = None) -> None:
    """TypeError unless `value` is a number, ValueError unless `low <= value` (and `value < high` when given),
    naming the optimizer and the option."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{optimizer}: {name} must be a number, got {type(value).__name__}")
    if not value >= low or (high is not None and not value < high):  # `not >=` also rejects NaN
        expected = f">= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{optimizer}: invalid {name} value {value}; expected {expected}")


def check_betas(optimizer: str, betas: Any) -> None:
    """ValueError unless `betas` is a pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{optimizer}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        check_option(optimizer, f"beta parameter at index {i}", beta, 0.0, 1.0)


def gradient(p: Tensor, maximize: bool, weight_decay: float) -> Tensor:
    """p's gradient, negated to maximize, plus the gradient `weight_decay * p` of the L2 penalty
    `weight_decay / 2 * ||p||^2` (PyTorch's `weight_decay` in every optimizer but AdamW)."""
    grad = cast(Tensor, p.grad)  # step() only updates parameters that have a gradient
    if maximize:
        grad = -grad
    if weight_decay:
        grad = grad + p * weight_decay
    return grad

