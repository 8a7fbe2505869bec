"""What a backend must implement, and how one is found by name.

Bottom layer (`edugrad.data`). A backend owns arrays of its own kind (NumPy arrays, torch tensors, ...) and
runs the low-level ops of `edugrad.data.ops` on them. `TensorData` checks every argument before it calls a
backend, so a backend can assume well-formed input: same shapes and dtypes for binary ops, axes in range,
valid permutations, pads and bounds, arrays to join that fit together. Every op returns either new memory
or, for the view ops, a view of its input's memory; only `assign` writes into an array that exists.
Backends are found through the `edugrad.backends` entry-point group (or `register_backend`), and the
default one is chosen by the environment variable `EDUGRAD_BACKEND`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any, Protocol

import numpy as np

from edugrad.data.dtypes import DType
from edugrad.data.ops import BinaryOps, LoadOps, ReduceOps, ScanOps, UnaryOps

Array = Any  # the backend's own array type; only the backend looks inside it
Shape = tuple[int, ...]


class Backend(Protocol):
    """The low-level op set (`edugrad.data.ops`), one method per op or per family, plus two conversions."""

    name: str
    #: Where its arrays live, in torch's notation: "cpu", "cuda:0", ...
    device: str
    #: The backend's own random stream (np.random.Generator, torch.Generator, ...): what the random load ops
    #: draw from when they are given no other.
    generator: Any

    # conversion (`FROM_NUMPY` is the load op; `to_numpy` the way back) and metadata
    def from_numpy(self, array: np.ndarray[Any, Any], dtype: DType) -> Array: ...
    def to_numpy(self, x: Array) -> np.ndarray[Any, Any]: ...  # sharing x's memory where it is on the CPU
    def share_numpy(self, array: np.ndarray[Any, Any]) -> Array: ...  # the array's memory, shared on the CPU
    def shape(self, x: Array) -> Shape: ...
    def dtype(self, x: Array) -> DType: ...

    # the memory behind an array: strides in elements (0 on a broadcast axis), the address of its first
    # element, whether an op's result `out` is a view of its input x's memory (else it is new memory), and
    # whether x may be written (not a constant or a broadcast view)
    def strides(self, x: Array) -> Shape: ...
    def data_ptr(self, x: Array) -> int: ...
    def is_view(self, out: Array, x: Array) -> bool: ...
    def writable(self, x: Array) -> bool: ...

    # WriteOps: copy source's values into target's memory (the one op that changes an existing array), and
    # ASSIGN fused with a binary op: x <op> y written into x (ADD, SUB, MUL, DIV and MAX only)
    def assign(self, target: Array, source: Array) -> None: ...
    def binary_(self, op: BinaryOps, x: Array, y: Array) -> None: ...

    # LoadOps (RAND, RANDN and RANDPERM get the random stream to draw from as `arg`) and random streams; a
    # stream's state travels as bytes (a uint8 array), so it can be saved and restored
    def load(self, op: LoadOps, shape: Shape, dtype: DType, arg: Any) -> Array: ...
    def new_generator(self, seed: int) -> Any: ...
    def seed_generator(self, generator: Any, seed: int) -> None: ...
    def generator_state(self, generator: Any) -> np.ndarray[Any, Any]: ...
    def set_generator_state(self, generator: Any, state: np.ndarray[Any, Any]) -> None: ...

    # elementwise, reduce and scan families
    def unary(self, op: UnaryOps, x: Array) -> Array: ...
    def binary(self, op: BinaryOps, x: Array, y: Array) -> Array: ...
    def where(self, cond: Array, x: Array, y: Array) -> Array: ...
    def reduce(self, op: ReduceOps, x: Array, axes: Shape, keepdim: bool) -> Array: ...
    def scan(self, op: ScanOps, x: Array, axis: int) -> Array: ...

    # MovementOps: reshape (where the strides allow it), permute, expand and shrink return views of x; pad,
    # flip and cat new memory
    def reshape(self, x: Array, shape: Shape) -> Array: ...
    def permute(self, x: Array, order: Shape) -> Array: ...
    def expand(self, x: Array, shape: Shape) -> Array: ...
    def pad(self, x: Array, padding: tuple[tuple[int, int], ...], value: float) -> Array: ...
    def shrink(self, x: Array, bounds: tuple[tuple[int, int], ...], steps: Shape | None = None) -> Array: ...
    def flip(self, x: Array, axes: Shape) -> Array: ...
    def cat(self, xs: Sequence[Array], axis: int) -> Array: ...  # always a new array, even of one input

    # IndexOps, SortOps, ContractionOps, WindowOps, CastOps
    def gather(self, x: Array, index: Array, axis: int) -> Array: ...
    def scatter_add(self, x: Array, index: Array, src: Array, axis: int) -> Array: ...
    def argsort(self, x: Array, axis: int) -> Array: ...
    def matmul(self, x: Array, y: Array) -> Array: ...
    def unfold(self, x: Array, kernel: Shape, stride: Shape, dilation: Shape) -> Array: ...
    def fold(self, cols: Array, spatial: Shape, stride: Shape, dilation: Shape) -> Array: ...
    def cast(self, x: Array, dtype: DType) -> Array: ...
    def bitcast(self, x: Array, dtype: DType) -> Array: ...


# The two backends that ship with edugrad-data, imported only when first asked for (torch is optional).
_BUILTIN = {"numpy": "edugrad.data.numpy_backend", "torch": "edugrad.data.torch_backend"}
_factories: dict[str, Callable[[], Backend]] = {}
_instances: dict[str, Backend] = {}


def register_backend(name: str, factory: Callable[[], Backend]) -> None:
    """Make a backend available as `get_backend(name)` (installed packages use the `edugrad.backends`
    entry-point group instead)."""
    _factories[name] = factory
    _instances.pop(name, None)


def available_backends() -> list[str]:
    """Names of all backends that are registered or installed (importable or not)."""
    names = set(_BUILTIN) | set(_factories) | {ep.name for ep in entry_points(group="edugrad.backends")}
    return sorted(names)


def get_backend(name: str | None = None) -> Backend:
    """The backend called `name`, or the default one (`$EDUGRAD_BACKEND`, else "numpy"). Each backend is
    created once and shared."""
    if name is None:
        name = os.environ.get("EDUGRAD_BACKEND") or "numpy"  # set but empty also means the default
    backend = _instances.get(name)
    if backend is None:
        backend = _instances[name] = _create(name)
    return backend


def _create(name: str) -> Backend:
    try:
        factory = _find_factory(name)
    except ImportError as error:
        raise ImportError(
            f"backend {name!r} cannot be imported ({error}); for the torch backend, install `edugrad-data[torch]`"
        ) from error
    return factory()


def _find_factory(name: str) -> Callable[[], Backend]:
    if name in _factories:
        return _factories[name]
    if name in _BUILTIN:
        module: Any = importlib.import_module(_BUILTIN[name])
        factory: Callable[[], Backend] = module.BACKEND_CLASS
        return factory
    found = [ep for ep in entry_points(group="edugrad.backends") if ep.name == name]
    if not found:
        raise ValueError(f"unknown backend {name!r}; available backends: {', '.join(available_backends())}")
    loaded: Callable[[], Backend] = found[0].load()
    return loaded
