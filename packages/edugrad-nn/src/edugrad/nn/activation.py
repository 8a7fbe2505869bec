"""Activation functions as modules: `ReLU, GELU, Tanh, Sigmoid, SiLU, LeakyReLU, Softmax, LogSoftmax`.

Top layer (`edugrad.nn`). Each is a parameter-free module that calls the Tensor method of the same name, so
it can be placed in a `Sequential`; the math and its derivative live in the Tensor layer.
"""

from __future__ import annotations

from edugrad.nn._checks import check_input, choice
from edugrad.nn.module import Module
from edugrad.tensor import Tensor

__all__ = ["GELU", "LeakyReLU", "LogSoftmax", "ReLU", "SiLU", "Sigmoid", "Softmax", "Tanh"]


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        """relu(x)."""
        return check_input(self, x).relu()


class GELU(Module):
    """x * Phi(x), Phi the standard normal CDF; `approximate="tanh"` uses the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = choice("GELU", "approximate", approximate, ("none", "tanh"))

    def forward(self, x: Tensor) -> Tensor:
        """gelu(x)."""
        return check_input(self, x).gelu(approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        """tanh(x)."""
        return check_input(self, x).tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        """sigmoid(x)."""
        return check_input(self, x).sigmoid()


class SiLU(Module):
    """x * sigmoid(x) (also called swish), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        """silu(x)."""
        return check_input(self, x).silu()


class LeakyReLU(Module):
    """x for x >= 0, negative_slope * x below, elementwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        """leaky_relu(x)."""
        return check_input(self, x).leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class _AlongDim(Module):
    """An activation that normalizes along one dimension."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """exp(x) / sum(exp(x)) along `dim`. The default is the last dimension: PyTorch's implicit choice for
    dim=None is deprecated there and not copied here."""

    def forward(self, x: Tensor) -> Tensor:
        """softmax(x) along dim."""
        return check_input(self, x).softmax(self.dim)


class LogSoftmax(_AlongDim):
    """log(softmax(x)) along `dim` (default the last), computed stably as x - logsumexp(x)."""

    def forward(self, x: Tensor) -> Tensor:
        """log_softmax(x) along dim."""
        return check_input(self, x).log_softmax(self.dim)
