"""Helpers of the edugrad.function suite: a minimal node class and float64 leaves to differentiate.

The tests use only edugrad.function and edugrad.data, never the Tensor class, so they build graphs from
`Function.apply` on `Value`, the smallest useful subclass of `Node`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from edugrad.data import DType, TensorData
from edugrad.function import Node, backward

NDArray = np.ndarray[Any, Any]


class Value(Node):
    """A Node with `numpy()` and `backward()` (the engine run from it, as Tensor's). Being a subclass, it also
    checks that Functions keep the inputs' class."""

    __slots__ = ()

    def numpy(self) -> NDArray:
        return self._data.numpy()

    def backward(self, gradient: Value | None = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Value | Sequence[Value] | None = None) -> None:
        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)


def leaf(values: Any, requires_grad: bool = True, dtype: DType | None = None) -> Value:
    """A leaf holding `values` as float64 (or `dtype`), requiring grad unless told otherwise."""
    array = np.asarray(values, dtype=None if dtype is not None else np.float64)
    return Value(TensorData.from_numpy(array, dtype=dtype), requires_grad=requires_grad)


def const(values: Any, dtype: DType | None = None) -> Value:
    """A leaf that needs no gradient, keeping the NumPy dtype of `values` (bool masks, int64 indices)."""
    return Value(TensorData.from_numpy(np.asarray(values), dtype=dtype))


def randn(*shape: int, seed: int = 0, low: float | None = None, high: float | None = None) -> Value:
    """A float64 leaf requiring grad: standard normal values, or uniform in [low, high) when both are given."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) if low is None or high is None else rng.uniform(low, high, shape)
    return leaf(values)


def on_backend(nodes: list[Node], backend: str) -> list[Node]:
    """The same leaves (values, class, requires_grad) moved to another backend of edugrad.data."""
    moved = [type(x)._wrap(TensorData.from_numpy(x._data.numpy(), backend=backend)) for x in nodes]
    return [y.requires_grad_(x.requires_grad) for x, y in zip(nodes, moved)]


def numpy_of(node: Node | None) -> NDArray:
    assert node is not None, "expected a gradient, got None"
    return node._data.numpy()


def torch_leaf(node: Node, requires_grad: bool = True) -> torch.Tensor:
    """The same values as a torch leaf (float64 stays float64), to compare against torch.autograd."""
    return torch.tensor(node._data.numpy(), requires_grad=requires_grad)


def close(actual: Node | NDArray | None, expected: torch.Tensor | NDArray | float | Sequence[float],
          atol: float = 1e-10, rtol: float = 1e-8) -> None:
    """Assert that an edugrad value (node or array) equals a torch or NumPy one."""
    got = numpy_of(actual) if isinstance(actual, Node) or actual is None else actual
    want = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    np.testing.assert_allclose(got, want, atol=atol, rtol=rtol)
