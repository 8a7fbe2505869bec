"""`compare_with_torch`: run an edugrad Module and its PyTorch twin side by side, and say where they part.

Top layer (`edugrad.nn`). `compare_with_torch(module, torch_module, *inputs)` copies the edugrad module's
state dict into the torch module (the two are interchangeable), runs both on the same inputs with a forward
hook on every submodule, then runs backward in both from the same random weighting of the outputs (so a
gradient summed away by `.sum()` still counts) and compares, within float32 noise:

- forward, each layer's output, in the order the layers finished;
- backward, the gradient of each layer's output, from the last layer back, each followed by the gradients
  of that layer's own parameters.

The first difference names the layer (its name in `named_modules()` and its class), the element that is
furthest off and both values. When the forward agrees, the first gradient that differs points at the layer
whose backward is wrong: it received a right gradient and passed a wrong one on. PyTorch is imported only
when the function is called; it is not a dependency of edugrad-nn.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["Comparison", "Difference", "compare_with_torch"]

Step = Literal["forward", "backward"]


@dataclass(frozen=True)
class Difference:
    """One tensor that differs: where (`step`, `what`, `name`, `layer`), the element furthest off (`index`)
    and its value in each framework, or the two shapes when they differ."""

    step: Step
    what: str  # "output of layer", "gradient of layer output" or "gradient of parameter"
    name: str  # the layer's name in named_modules() ("" is the whole model), or the parameter's
    layer: str  # the class of the edugrad module ("Linear")
    index: tuple[int, ...] | None  # None when the shapes (or a missing gradient) differ
    ours: float | None
    theirs: float | None
    error: float  # the largest absolute difference (inf when the shapes differ)
    note: str = ""  # why there are no values to compare: "shape (2, 3) against (3, 2)", ...

    def __str__(self) -> str:
        name = self.name or "(the whole model)"
        where = f"{self.step}, {self.what} {name} ({self.layer})"
        if self.index is None:
            return f"{where}: {self.note}"
        return (f"{where} at index {self.index}: edugrad {self.ours:.6g}, PyTorch {self.theirs:.6g} "
                f"(largest difference {self.error:.3g})")


@dataclass
class Comparison:
    """What `compare_with_torch` found: every `Difference`, forward ones first, each pass in the order it
    ran; `ok` when there is none; `first`, the one to look at; `checked`, how many tensors were compared."""

    differences: list[Difference] = field(default_factory=list)
    checked: int = 0
    rtol: float = 1e-4
    atol: float = 1e-5

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def first(self) -> Difference | None:
        return self.differences[0] if self.differences else None

    def __str__(self) -> str:
        tolerance = f"rtol={self.rtol:g}, atol={self.atol:g}"
        if self.first is None:
            return f"edugrad and PyTorch agree: {self.checked} outputs and gradients, within {tolerance}"
        lines = [f"first difference ({tolerance}): {self.first}"]
        lines += _hint(self.first)
        rest = self.differences[1:]
        if rest:
            names = ", ".join(f"{d.what} {d.name or '(model)'}" for d in rest[:5])
            more = f", and {len(rest) - 5} more" if len(rest) > 5 else ""
            lines.append(f"{len(rest)} more differ after it: {names}{more}")
        return "\n".join(lines)


def _hint(first: Difference) -> list[str]:
    """Where to look, after a first difference in the backward pass (the forward agrees up to there)."""
    if first.what == "gradient of parameter":
        return [f"the gradient arriving at the output of {first.name.rpartition('.')[0] or 'the model'} agrees: "
                "this layer's own backward computes it wrong"]
    if first.what == "gradient of layer output":
        return [f"the gradients of the layers after it agree: look at the backward of the layer that reads the "
                f"output of {first.name or 'the model'}"]
    return []


def compare_with_torch(module: Module, torch_module: Any, *inputs: Any, rtol: float = 1e-4,
                       atol: float = 1e-5) -> Comparison:
    """Load `module`'s weights into `torch_module`, run both on `inputs` (NumPy arrays, edugrad tensors or
    numbers) forward and backward, and compare each layer's output, each layer output's gradient and each
    parameter's gradient: `print(compare_with_torch(model, torch_model, x))`. Values agree when
    |ours - theirs| <= atol + rtol |theirs|. The parameters' `.grad` of both modules are overwritten; put
    both in `eval()` first if they use dropout (the two draw different masks)."""
    torch = _import_torch()
    if not isinstance(module, Module) or not isinstance(torch_module, torch.nn.Module):
        raise TypeError(f"compare_with_torch: expects an edugrad.nn.Module and a torch.nn.Module, got "
                        f"{type(module).__name__} and {type(torch_module).__name__}")
    _copy_weights(torch, module, torch_module)
    ours_in = [_as_tensor(x) for x in inputs]
    theirs_in = [torch.from_numpy(x.numpy().copy()) for x in ours_in]
    ours, theirs = _Run(module, ours_in), _Run(torch_module, theirs_in)
    _backward(torch, ours.result, theirs.result)
    result = Comparison(rtol=rtol, atol=atol)
    for pair in _pairs(module, torch_module, ours, theirs):
        result.checked += 1
        difference = _compare(*pair, rtol, atol)
        if difference is not None:
            result.differences.append(difference)
    return result


def _import_torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise ImportError("compare_with_torch needs PyTorch, which edugrad does not depend on: install it with "
                          "`pip install torch` (the CPU build: `pip install torch --index-url "
                          "https://download.pytorch.org/whl/cpu`)") from None


def _copy_weights(torch: Any, module: Module, torch_module: Any) -> None:
    """torch_module.load_state_dict(module's state dict), after checking that the names and shapes match."""
    ours = module.state_dict()
    theirs = torch_module.state_dict()
    if ours.keys() != theirs.keys():
        missing, extra = sorted(theirs.keys() - ours.keys()), sorted(ours.keys() - theirs.keys())
        raise ValueError(f"compare_with_torch: the two modules' state dicts must have the same names; only the "
                         f"torch module has {missing}, only the edugrad module has {extra}")
    for name, value in ours.items():
        if tuple(value.shape) != tuple(theirs[name].shape):
            raise ValueError(f"compare_with_torch: {name} has shape {tuple(value.shape)} in the edugrad module "
                             f"and {tuple(theirs[name].shape)} in the torch module")
    torch_module.load_state_dict({name: torch.from_numpy(value.numpy().copy()) for name, value in ours.items()})


def _as_tensor(x: Any) -> Tensor:
    """An input as an edugrad tensor; a torch tensor is read through NumPy."""
    if isinstance(x, Tensor):
        return x.detach()
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        x = x.detach().numpy()
    return Tensor(np.asarray(x))


class _Run:
    """One framework's forward pass, with each submodule's outputs recorded as it finishes: `calls`, the
    (name, class, output tensors) of every call in order, and `result`, the model's output tensors."""

    def __init__(self, model: Any, inputs: list[Any]) -> None:
        self.calls: list[tuple[str, str, list[Any]]] = []
        handles = [sub.register_forward_hook(self._hook(name)) for name, sub in model.named_modules()]
        try:
            self.result = _tensors(model(*inputs))
        finally:
            for handle in handles:
                handle.remove()

    def _hook(self, name: str) -> Any:
        def record(sub: Any, args: Any, output: Any) -> None:
            outputs = _tensors(output)
            for out in outputs:
                if out.requires_grad:  # keep the gradient of this intermediate value after backward
                    out.retain_grad()
            self.calls.append((name, type(sub).__name__, outputs))
        return record


def _tensors(value: Any) -> list[Any]:
    """The tensors of a layer's output: itself, or those inside (nested) tuples and lists."""
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors(item)]
    return [value] if hasattr(value, "shape") and hasattr(value, "requires_grad") else []


def _backward(torch: Any, ours: list[Tensor], theirs: list[Any]) -> None:
    """Backward in both from sum(output * weights), the same fixed random weights for both: every element of
    every output gets its own gradient, so a mistake that a plain .sum() would cancel shows."""
    rng = np.random.default_rng(0)
    our_loss: Tensor | None = None
    their_loss: Any = None
    for out, twin in zip(ours, theirs):
        if not out.requires_grad:
            continue
        weights = rng.standard_normal(out.shape).astype(out.numpy().dtype)
        ours_term = (out * Tensor(weights, dtype=out.dtype)).sum()
        theirs_term = (twin * torch.from_numpy(weights)).sum()
        our_loss = ours_term if our_loss is None else our_loss + ours_term
        their_loss = theirs_term if their_loss is None else their_loss + theirs_term
    if our_loss is not None and their_loss is not None and their_loss.requires_grad:
        our_loss.backward()
        their_loss.backward()


_Pair = tuple[Step, str, str, str, Any, Any]  # (step, what, name, layer class, ours, theirs)


def _pairs(module: Module, torch_module: Any, ours: _Run, theirs: _Run) -> Iterator[_Pair]:
    """The tensors to compare, in the order of the passes: each layer's outputs forward; backward, from the
    last layer that finished to the first, its outputs' gradients and then its own parameters' gradients.
    Calls are matched by layer name and by how many times the layer had been called."""
    twins = _by_call(theirs.calls)
    matched = []
    for key, (name, layer, outputs) in zip(_call_keys(ours.calls), ours.calls):
        if key in twins:
            matched.append((name, layer, outputs, twins[key]))
    for name, layer, outputs, twin in matched:
        for i, (out, other) in enumerate(zip(outputs, twin)):
            yield "forward", "output of layer", _numbered(name, i, outputs), layer, _values(out), _values(other)
    ours_parameters = dict(module.named_parameters())
    theirs_parameters = dict(torch_module.named_parameters())
    done: set[str] = set()
    for name, layer, outputs, twin in reversed(matched):
        for i, (out, other) in enumerate(zip(outputs, twin)):
            if out.requires_grad and other.requires_grad:
                what = "gradient of layer output"
                yield "backward", what, _numbered(name, i, outputs), layer, _values(out.grad), _values(other.grad)
        for local, _ in module.get_submodule(name).named_parameters(recurse=False):
            full = f"{name}.{local}" if name else local
            if full not in done and full in theirs_parameters:
                done.add(full)
                ours_grad, theirs_grad = ours_parameters[full].grad, theirs_parameters[full].grad
                yield "backward", "gradient of parameter", full, layer, _values(ours_grad), _values(theirs_grad)


def _call_keys(calls: list[tuple[str, str, list[Any]]]) -> list[tuple[str, int]]:
    """(layer name, how many calls of it came before) for each call: a layer used twice is matched twice."""
    seen: dict[str, int] = {}
    keys = []
    for name, _, _ in calls:
        keys.append((name, seen.get(name, 0)))
        seen[name] = seen.get(name, 0) + 1
    return keys


def _by_call(calls: list[tuple[str, str, list[Any]]]) -> dict[tuple[str, int], list[Any]]:
    return {key: outputs for key, (_, _, outputs) in zip(_call_keys(calls), calls)}


def _numbered(name: str, i: int, outputs: list[Any]) -> str:
    """A layer's name, with the output's position when the layer returns several (an LSTM's)."""
    return f"{name}[{i}]" if len(outputs) > 1 else name


def _values(x: Any) -> np.ndarray[Any, Any] | None:
    """A tensor of either framework (or a missing gradient, None) as a NumPy array."""
    if x is None:
        return None
    return np.asarray(x.detach().numpy())


def _compare(step: Step, what: str, name: str, layer: str, ours: np.ndarray[Any, Any] | None,
             theirs: np.ndarray[Any, Any] | None, rtol: float, atol: float) -> Difference | None:
    """A Difference if the two differ beyond atol + rtol |theirs| anywhere (NaN where both are NaN agrees)."""
    if ours is None or theirs is None:
        if ours is None and theirs is None:
            return None
        which = "edugrad" if ours is None else "PyTorch"
        return Difference(step, what, name, layer, None, None, None, float("inf"), f"{which} computed no gradient")
    if ours.shape != theirs.shape:
        note = f"shape {ours.shape} in edugrad, {theirs.shape} in PyTorch"
        return Difference(step, what, name, layer, None, None, None, float("inf"), note)
    a, b = ours.astype(np.float64), theirs.astype(np.float64)
    close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    with np.errstate(invalid="ignore"):  # inf - inf where both are infinite: close, and masked out here
        error = np.where(close, 0.0, np.abs(a - b))
    error = np.where(np.isnan(error), np.inf, error)  # a NaN on one side only is as far off as it gets
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(error)), error.shape))
    return Difference(step, what, name, layer, index, float(a[index]), float(b[index]), float(error[index]))
