"""Activation functions as modules, with torch.nn's constructor signatures: `ReLU(inplace=False)`,
`LeakyReLU(negative_slope=0.01)`, `GELU(approximate="none")`, `Softmax(dim=None)`, `PReLU(num_parameters=1)`...

Top layer (`edugrad.nn`). Each module stores its options and calls the function of the same name in
`edugrad.nn.functional`, so it can be placed in a `Sequential`; PReLU also owns its learned slopes. The
reprs are PyTorch's. `inplace=True` writes the result into the input only where nothing records the input for
backward (see `edugrad.nn.functional.activation`); the module returns the result either way.
"""

from __future__ import annotations

from typing import Any

from edugrad.nn import functional as F
from edugrad.nn._checks import check_input, choice, describe, positive_int
from edugrad.nn.module import Module
from edugrad.nn.parameter import Parameter, empty_parameter
from edugrad.tensor import DType, Tensor, no_grad

__all__ = [
    "CELU", "ELU", "GELU", "GLU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSigmoid",
    "LogSoftmax", "Mish", "PReLU", "RReLU", "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmax2d",
    "Softmin", "Softplus", "Softshrink", "Softsign", "Tanh", "Tanhshrink", "Threshold",
]


class _Inplace(Module):
    """An activation with an `inplace` flag, shown in the repr only when set (as PyTorch does)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def _options(self, text: str = "") -> str:
        """`text` followed by the inplace flag, if set."""
        if not self.inplace:
            return text
        return f"{text}, inplace=True" if text else "inplace=True"

    def extra_repr(self) -> str:
        return self._options()


class ReLU(_Inplace):
    """max(x, 0), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """relu(input)."""
        return F.relu(input, self.inplace)


class ReLU6(_Inplace):
    """min(max(x, 0), 6), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """relu6(input)."""
        return F.relu6(input, self.inplace)


class SELU(_Inplace):
    """scale * elu(x, alpha) with SELU's constants, elementwise (self-normalizing networks)."""

    def forward(self, input: Tensor) -> Tensor:
        """selu(input)."""
        return F.selu(input, self.inplace)


class SiLU(_Inplace):
    """x * sigmoid(x) (also called swish), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """silu(input)."""
        return F.silu(input, self.inplace)


class Mish(_Inplace):
    """x * tanh(softplus(x)), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """mish(input)."""
        return F.mish(input, self.inplace)


class Hardswish(_Inplace):
    """x * relu6(x + 3) / 6, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """hardswish(input)."""
        return F.hardswish(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch does not show Hardswish's inplace flag


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """hardsigmoid(input)."""
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch does not show Hardsigmoid's inplace flag


class _WithAlpha(_Inplace):
    """An exponential-linear activation with its scale `alpha` for the negative side."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def extra_repr(self) -> str:
        return self._options(f"alpha={self.alpha}")


class ELU(_WithAlpha):
    """x where x > 0, else alpha * (e^x - 1), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """elu(input)."""
        return F.elu(input, self.alpha, self.inplace)


class CELU(_WithAlpha):
    """x where x > 0, else alpha * (e^(x / alpha) - 1), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """celu(input)."""
        return F.celu(input, self.alpha, self.inplace)


class LeakyReLU(_Inplace):
    """x where x > 0, else negative_slope * x, elementwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        """leaky_relu(input)."""
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"negative_slope={self.negative_slope}")


class Hardtanh(_Inplace):
    """x limited to [min_val, max_val], elementwise."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__(inplace)
        # min_value and max_value are PyTorch's deprecated spellings of min_val and max_val.
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        if self.min_val >= self.max_val:
            raise ValueError(f"Hardtanh: min_val ({self.min_val}) must be smaller than max_val ({self.max_val})")

    def forward(self, input: Tensor) -> Tensor:
        """hardtanh(input)."""
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"min_val={self.min_val}, max_val={self.max_val}")


class Threshold(_Inplace):
    """x where x > threshold, else value, elementwise."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.threshold, self.value = threshold, value

    def forward(self, input: Tensor) -> Tensor:
        """threshold(input)."""
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"threshold={self.threshold}, value={self.value}")


class RReLU(_Inplace):
    """The randomized leaky relu: a random slope from [lower, upper] per negative element in training, the mean
    slope in evaluation."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.lower, self.upper = lower, upper

    def forward(self, input: Tensor) -> Tensor:
        """rrelu(input), random in training mode."""
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"lower={self.lower}, upper={self.upper}")


class GELU(Module):
    """x * Phi(x), Phi the standard normal CDF; `approximate="tanh"` uses the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = choice("GELU", "approximate", approximate, ("none", "tanh"))

    def forward(self, input: Tensor) -> Tensor:
        """gelu(input)."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, elementwise (x itself where beta x > threshold)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        """softplus(input)."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class _Shrink(Module):
    """A shrinking activation with its threshold `lambd`."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """x where |x| > lambd, else 0, elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """hardshrink(input)."""
        return F.hardshrink(input, self.lambd)


class Softshrink(_Shrink):
    """x shrunk toward 0 by lambd (0 within [-lambd, lambd]), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """softshrink(input)."""
        return F.softshrink(input, self.lambd)


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """sigmoid(input)."""
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """tanh(input)."""
        return F.tanh(input)


class LogSigmoid(Module):
    """log(sigmoid(x)), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """logsigmoid(input)."""
        return F.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """softsign(input)."""
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """tanhshrink(input)."""
        return F.tanhshrink(input)


class GLU(Module):
    """The gated linear unit a * sigmoid(b) of the two halves a, b of the input along `dim`."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """glu(input)."""
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """x where x > 0, else a * x, with a learned slope a: one shared by all channels (num_parameters=1) or one
    per channel (num_parameters = the number of channels, dim 1 of the input), starting at `init`."""

    weight: Parameter

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: DType | None = None) -> None:
        super().__init__()
        self.num_parameters = positive_int("PReLU", "num_parameters", num_parameters)
        self.init = init
        self.weight = empty_parameter((num_parameters,), device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope back to `init`."""
        with no_grad():
            self.weight.fill_(self.init)

    def forward(self, input: Tensor) -> Tensor:
        """prelu(input, weight)."""
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _AlongDim(Module):
    """An activation that normalizes along one dimension. With dim=None (the default) it picks one by the
    input's number of dimensions and warns, as PyTorch does (see `F.softmax`)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """exp(x) / sum(exp(x)) along `dim`."""

    def forward(self, input: Tensor) -> Tensor:
        """softmax(input) along dim."""
        return F.softmax(input, self.dim)


class Softmin(_AlongDim):
    """softmax(-x) along `dim`."""

    def forward(self, input: Tensor) -> Tensor:
        """softmin(input) along dim."""
        return F.softmin(input, self.dim)


class LogSoftmax(_AlongDim):
    """log(softmax(x)) along `dim`, computed stably as x - logsumexp(x)."""

    def forward(self, input: Tensor) -> Tensor:
        """log_softmax(input) along dim."""
        return F.log_softmax(input, self.dim)


class Softmax2d(Module):
    """softmax over the channels (dim -3) at each position of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        """softmax(input) over the channels."""
        if check_input(self, input).ndim not in (3, 4):
            raise ValueError(f"{describe(self)}: expected an input of shape (N, C, H, W) or (C, H, W), got shape "
                             f"{input.shape}")
        return F.softmax(input, -3)
