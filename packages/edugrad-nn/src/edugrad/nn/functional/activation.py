"""Activation functions with torch.nn.functional's signatures: the relu family, the smooth ones (elu, selu,
celu, gelu, silu, mish, softplus), the hard and shrinking ones, glu, prelu, rrelu and the softmax family.

Top layer (`edugrad.nn`). Each is composed from Tensor methods (the common ones, `relu`, `sigmoid`, `gelu`,
`softplus`, `softmax`, ..., are Tensor methods already), so each derivative follows from theirs. `inplace=True`
writes the result into the input where nothing records the input for backward, and returns a new tensor
otherwise (see `_common.maybe_inplace`); the functions whose names end in `_` are in place always.
"""

from __future__ import annotations

import warnings

from edugrad.nn.functional._common import maybe_inplace, number_arg, tensor_arg, write_through
from edugrad.tensor import DType, Tensor

# SELU's constants (Klambauer et al. 2017): they make a standard normal input give an output of mean 0 and
# variance 1, so deep stacks of SELU layers keep their activations normalized.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), with gradient 0 at 0."""
    return maybe_inplace(input, tensor_arg("relu", "input", input).relu(), inplace)


def relu_(input: Tensor) -> Tensor:
    """relu, in place."""
    return write_through(input, tensor_arg("relu_", "input", input).relu(), "relu_")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh with the limits 0 and 6."""
    return maybe_inplace(input, tensor_arg("relu6", "input", input).hardtanh(0.0, 6.0), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (e^x - 1)."""
    return maybe_inplace(input, tensor_arg("elu", "input", input).elu(alpha), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """elu, in place."""
    return write_through(input, tensor_arg("elu_", "input", input).elu(alpha), "elu_")


def _selu(x: Tensor) -> Tensor:
    return x.elu(SELU_ALPHA) * SELU_SCALE


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed alpha and scale."""
    return maybe_inplace(input, _selu(tensor_arg("selu", "input", input)), inplace)


def selu_(input: Tensor) -> Tensor:
    """selu, in place."""
    return write_through(input, _selu(tensor_arg("selu_", "input", input)), "selu_")


def _celu(x: Tensor, alpha: float, op: str) -> Tensor:
    if number_arg(op, "alpha", alpha) == 0:
        raise ValueError(f"{op}: alpha cannot be 0 (the negative branch divides by it)")
    # max(0, x) + min(0, alpha (e^(x / alpha) - 1)) = alpha * elu(x / alpha): elu's two branches, rescaled.
    return (tensor_arg(op, "input", x) * (1 / alpha)).elu(1.0) * alpha


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (e^(x / alpha) - 1): elu with a derivative that is continuous at 0."""
    return maybe_inplace(input, _celu(input, alpha, "celu"), inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """celu, in place."""
    return write_through(input, _celu(input, alpha, "celu_"), "celu_")


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; approximate="tanh" uses the tanh approximation."""
    return tensor_arg("gelu", "input", input).gelu(approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return maybe_inplace(input, tensor_arg("silu", "input", input).silu(), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return maybe_inplace(input, tensor_arg("mish", "input", input).mish(), inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return maybe_inplace(input, tensor_arg("leaky_relu", "input", input).leaky_relu(negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """leaky_relu, in place."""
    return write_through(input, tensor_arg("leaky_relu_", "input", input).leaky_relu(negative_slope),
                         "leaky_relu_")


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x limited to [min_val, max_val]; the gradient is 1 strictly inside the limits, 0 elsewhere."""
    return maybe_inplace(input, tensor_arg("hardtanh", "input", input).hardtanh(min_val, max_val), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """hardtanh, in place."""
    return write_through(input, tensor_arg("hardtanh_", "input", input).hardtanh(min_val, max_val), "hardtanh_")


def _hardsigmoid(x: Tensor) -> Tensor:
    # A piecewise-linear sigmoid: the line x / 6 + 1/2 (sigmoid's value at 0), cut off at 0 and 1.
    return (x + 3).hardtanh(0.0, 6.0) * (1 / 6)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return maybe_inplace(input, _hardsigmoid(tensor_arg("hardsigmoid", "input", input)), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x) (MobileNetV3's cheap swish)."""
    x = tensor_arg("hardswish", "input", input)
    return maybe_inplace(input, x * _hardsigmoid(x), inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), computed stably (no exp of a large argument)."""
    return -(-tensor_arg("logsigmoid", "input", input)).softplus()


def softplus(input: Tensor, beta: float = 1, threshold: float = 20) -> Tensor:
    """log(1 + e^(beta x)) / beta, a smooth relu; x itself where beta * x > threshold."""
    return tensor_arg("softplus", "input", input).softplus(beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    x = tensor_arg("softsign", "input", input)
    return x / (x.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    x = tensor_arg("tanhshrink", "input", input)
    return x - x.tanh()


def _lambd(op: str, lambd: float) -> float:
    if number_arg(op, "lambd", lambd) < 0:
        raise ValueError(f"{op}: lambd must be >= 0, got {lambd}")
    return float(lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between: x minus its clamp to [-lambd, lambd]."""
    x, bound = tensor_arg("softshrink", "input", input), _lambd("softshrink", lambd)
    return x - x.hardtanh(-bound, bound)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    x, bound = tensor_arg("hardshrink", "input", input), _lambd("hardshrink", lambd)
    return x * (x.abs() > bound).cast(x.dtype)  # kept elements are outside [-lambd, lambd]: inf * 1 stays inf


def _threshold(x: Tensor, threshold: float, value: float, op: str) -> Tensor:
    number_arg(op, "threshold", threshold)
    number_arg(op, "value", value)
    return tensor_arg(op, "input", x).where(x > threshold, value)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return maybe_inplace(input, _threshold(input, threshold, value, "threshold"), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """threshold, in place."""
    return write_through(input, _threshold(input, threshold, value, "threshold_"), "threshold_")


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit a * sigmoid(b), where a and b are the two halves of the input along `dim`."""
    x = tensor_arg("glu", "input", input)
    if x.ndim == 0:
        raise ValueError("glu: expected an input with at least one dimension, got a 0-d tensor")
    size = x.shape[dim]
    if size % 2:
        raise ValueError(f"glu: the halved dimension must have an even size, but dimension {dim} of the input of "
                         f"shape {x.shape} has size {size}")
    a, b = x.narrow(dim, 0, size // 2), x.narrow(dim, size // 2, size // 2)  # (split(0) of a size 0 gives one part)
    return a * b.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x, with one learned slope (weight of 1 element) or one per channel
    (weight of input.shape[1] elements)."""
    x, w = tensor_arg("prelu", "input", input), tensor_arg("prelu", "weight", weight)
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.numel() not in (1, channels):
        raise ValueError(f"prelu: weight must have 1 element or one per channel ({channels}, dimension 1 of the "
                         f"input of shape {x.shape}), got a weight of shape {w.shape}")
    if w.numel() > 1:
        w = w.reshape(channels, *[1] * (x.ndim - 2))  # broadcasts along dimension 1
    elif w.ndim > x.ndim:
        w = w.reshape(())
    return x.where(x > 0, w * x)


def _rrelu(input: Tensor, lower: float, upper: float, training: bool, op: str) -> Tensor:
    x, low, high = tensor_arg(op, "input", input), number_arg(op, "lower", lower), number_arg(op, "upper", upper)
    if low > high:
        raise ValueError(f"{op}: lower ({lower}) must not be greater than upper ({upper})")
    if not training:
        return x.leaky_relu((low + high) / 2)  # the mean slope
    # Training: each negative element gets its own slope, drawn uniformly from [lower, upper].
    slopes = Tensor.rand(*x.shape, dtype=x.dtype, backend=x.backend) * (high - low) + low
    return x.where(x >= 0, x * slopes)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """The randomized leaky relu: in training a random slope from [lower, upper] per negative element, in
    evaluation (the default) leaky_relu with the mean slope (lower + upper) / 2."""
    return maybe_inplace(input, _rrelu(input, lower, upper, training, "rrelu"), inplace)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    """rrelu, in place."""
    return write_through(input, _rrelu(input, lower, upper, training, "rrelu_"), "rrelu_")


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return tensor_arg("sigmoid", "input", input).sigmoid()


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent."""
    return tensor_arg("tanh", "input", input).tanh()


def _softmax_input(op: str, input: Tensor, dim: int | None, dtype: DType | None) -> tuple[Tensor, int]:
    """The input (cast to `dtype` if given, before the exponentials, as in PyTorch) and the dimension. Without
    a dim PyTorch picks one by the number of dimensions, 0 for 0-, 1- and 3-d inputs (an unbatched image, its
    channels) and 1 otherwise, and warns that this is deprecated: so does this."""
    x = tensor_arg(op, "input", input)
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to include dim=X "
                      "as an argument.", UserWarning, stacklevel=3)
    return (x if dtype is None else x.cast(dtype)), dim


def softmax(input: Tensor, dim: int | None = None, dtype: DType | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, computed without overflow."""
    x, axis = _softmax_input("softmax", input, dim, dtype)
    return x.softmax(axis)


def softmin(input: Tensor, dim: int | None = None, dtype: DType | None = None) -> Tensor:
    """softmax(-x) along `dim`: the largest weight goes to the smallest element."""
    x, axis = _softmax_input("softmin", input, dim, dtype)
    return (-x).softmax(axis)


def log_softmax(input: Tensor, dim: int | None = None, dtype: DType | None = None) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably as x - logsumexp(x)."""
    x, axis = _softmax_input("log_softmax", input, dim, dtype)
    return x.log_softmax(axis)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A differentiable sample from the categorical distribution softmax(logits): softmax((logits + g) / tau)
    with g standard Gumbel noise. With `hard`, the sample is one-hot in the forward pass, and its gradient is
    that of the soft sample (the straight-through estimator). `eps` is unused, as in PyTorch."""
    x = tensor_arg("gumbel_softmax", "logits", logits)
    if number_arg("gumbel_softmax", "tau", tau) <= 0:
        raise ValueError(f"gumbel_softmax: tau must be positive, got {tau}")
    # g = -log(e), e ~ Exponential(1) = -log(u), u uniform on (0, 1). rand is uniform on [0, 1): moving 0 up to
    # float32's smallest normal number keeps both logs finite (g then lies in about [-4.5, 87]).
    u = Tensor.rand(*x.shape, backend=x.backend).maximum(2.0 ** -126)
    gumbels = -(-u.log()).log()
    if x.dtype.is_floating_point:
        gumbels = gumbels.cast(x.dtype)
    soft = ((x + gumbels) * (1 / tau)).softmax(dim)
    if not hard:
        return soft
    axis = dim % soft.ndim if soft.ndim else 0
    classes = Tensor.arange(soft.shape[axis], backend=soft.backend).reshape(-1, *[1] * (soft.ndim - axis - 1))
    one_hot = (classes == soft.argmax(axis, keepdim=True)).cast(soft.dtype)
    return one_hot - soft.detach() + soft  # the values of one_hot, the gradient of soft


__all__ = [
    "celu", "celu_", "elu", "elu_", "gelu", "glu", "gumbel_softmax", "hardshrink", "hardsigmoid", "hardswish",
    "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "log_softmax", "logsigmoid", "mish", "prelu", "relu",
    "relu6", "relu_", "rrelu", "rrelu_", "selu", "selu_", "sigmoid", "silu", "softmax", "softmin", "softplus",
    "softshrink", "softsign", "tanh", "tanhshrink", "threshold", "threshold_",
]
