"""Elementwise math: exp and log, trigonometry, activations, rounding and the NaN/inf tests.

Tensor layer (`edugrad.tensor`). A handful of these are Functions of the layer below (neg, exp, log, sin,
cos, tanh, sqrt, reciprocal, the rounding ops, and relu and sigmoid, too common to pay for a composition);
everything else is composed from them and from the broadcasted binary ops, so it needs no derivative of its
own. Integer inputs to float math are promoted to float32 first, as in PyTorch. Where a textbook formula
would overflow (sigmoid, softplus, elu) it is arranged so that exp only ever sees arguments <= 0 (or below
a threshold).
"""

from __future__ import annotations

import math
from numbers import Real

from edugrad.data import UnaryOps, dtypes
from edugrad.function import Cos, Exp, Log, Maximum, Neg, Reciprocal, Relu, Rounding, Sigmoid, Sin, Sqrt, Tanh
from edugrad.tensor import _tensor as _t
from edugrad.tensor.binary import constant, where, zero_gradient

# Abramowitz and Stegun 7.1.26: erf(x) = 1 - t (a1 + a2 t + ... + a5 t^4) e^(-x^2), t = 1 / (1 + p x), for
# x >= 0, with an absolute error below 1.5e-7 (float32 resolves about 6e-8 near 1).
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_ERF_FLAT = 10.0  # erf(10) is 1 in float64 (1 - 2e-45): beyond it erf is constant, and so is the formula


def floating(x: _t.Tensor) -> _t.Tensor:
    """x itself if it is floating point, else x cast to the default float (float32), as float math needs."""
    return x if x.dtype.is_floating_point else x.cast(dtypes.default_float)


def check_numbers(op: str, *, tensors: bool = False, **arguments: object) -> None:
    """TypeError naming the op and the argument unless each argument is a real number (bool, int, float or a
    NumPy scalar), or with `tensors` a Tensor too: a string or None would otherwise fail deep inside the op,
    in an error naming `mul`."""
    kinds, what = ((Real, _t.Tensor), "a number or a Tensor") if tensors else ((Real,), "a number")
    for name, value in arguments.items():
        if not isinstance(value, kinds):
            raise TypeError(f"{op}: {name} must be {what}, got {type(value).__name__}")


def neg(input: _t.Tensor) -> _t.Tensor:
    """-input."""
    return Neg.apply(input)


def abs(input: _t.Tensor) -> _t.Tensor:
    """|input|, with gradient sign(x) (0 at 0, as in PyTorch)."""
    if input.dtype is dtypes.bool or input.dtype is dtypes.uint8:
        return input.clone()  # no negative values
    # max(x, -x): at x = 0 the tie splits the gradient between +1 and -1 in half, which gives 0.
    return Maximum.apply(input, Neg.apply(input))


def sign(input: _t.Tensor) -> _t.Tensor:
    """-1, 0 or 1 by the sign of each element (0 for NaN), in input's dtype. Piecewise constant: its gradient is
    0, as torch's."""
    if input.dtype is dtypes.bool:
        return input.clone()
    return zero_gradient((input > 0).cast(input.dtype) - (input < 0).cast(input.dtype), input)


def exp(input: _t.Tensor) -> _t.Tensor:
    """e ** input."""
    return Exp.apply(floating(input))


def exp2(input: _t.Tensor) -> _t.Tensor:
    """2 ** input, as e ** (input ln 2)."""
    return Exp.apply(floating(input) * math.log(2))


def log(input: _t.Tensor) -> _t.Tensor:
    """The natural logarithm."""
    return Log.apply(floating(input))


def log2(input: _t.Tensor) -> _t.Tensor:
    """The base-2 logarithm, as ln(input) / ln 2."""
    return Log.apply(floating(input)) * (1 / math.log(2))


def sqrt(input: _t.Tensor) -> _t.Tensor:
    """The square root."""
    return Sqrt.apply(floating(input))


def rsqrt(input: _t.Tensor) -> _t.Tensor:
    """1 / sqrt(input)."""
    return Reciprocal.apply(Sqrt.apply(floating(input)))


def square(input: _t.Tensor) -> _t.Tensor:
    """input * input (keeps integer dtypes)."""
    return input * input


def reciprocal(input: _t.Tensor) -> _t.Tensor:
    """1 / input."""
    return Reciprocal.apply(floating(input))


def sin(input: _t.Tensor) -> _t.Tensor:
    """The sine (of radians)."""
    return Sin.apply(floating(input))


def cos(input: _t.Tensor) -> _t.Tensor:
    """The cosine (of radians)."""
    return Cos.apply(floating(input))


def tan(input: _t.Tensor) -> _t.Tensor:
    """The tangent, sin / cos."""
    x = floating(input)
    return Sin.apply(x) / Cos.apply(x)


def tanh(input: _t.Tensor) -> _t.Tensor:
    """The hyperbolic tangent."""
    return Tanh.apply(floating(input))


def _magnitude(x: _t.Tensor) -> tuple[_t.Tensor, _t.Tensor]:
    """|x| and the sign s of x as a constant +1 or -1 (+1 at 0 and for NaN), with |x| = s x. Its derivative
    is s, +1 also at 0: the one of the x >= 0 branch, which erf takes at 0."""
    sign = (x < 0).cast(x.dtype) * -2 + 1
    return x * sign, sign


def sigmoid(input: _t.Tensor) -> _t.Tensor:
    """The logistic function 1 / (1 + e^-x), computed as e^min(x, 0) / (1 + e^-|x|): exp never sees a
    positive argument (no overflow), and tiny results for very negative x keep their precision."""
    return Sigmoid.apply(floating(input))


def erf(input: _t.Tensor) -> _t.Tensor:
    """The Gauss error function, to within 1.5e-7 (Abramowitz and Stegun 7.1.26); its gradient is that of the
    approximation, within about 1e-6 of 2/sqrt(pi) e^(-x^2)."""
    x = floating(input)
    a, sign = _magnitude(x)  # erf is odd: erf(x) = sign(x) erf(|x|)
    # |x| capped where erf is flat: at inf the formula's gradient would be 0 * inf = NaN (torch's is 0).
    a = a.minimum(_ERF_FLAT)
    t = Reciprocal.apply(a * _ERF_P + 1)
    poly = t * _ERF_A[-1]
    for coefficient in reversed(_ERF_A[:-1]):  # Horner's scheme
        poly = t * (poly + coefficient)
    return (1 - poly * Exp.apply(Neg.apply(a * a))) * sign


def relu(input: _t.Tensor) -> _t.Tensor:
    """max(input, 0), with gradient 0 at 0 (as torch.relu)."""
    return Relu.apply(input)


def leaky_relu(self: _t.Tensor, neg_slope: float = 0.01) -> _t.Tensor:
    """self where positive, else neg_slope * self (torch's negative_slope)."""
    check_numbers("leaky_relu", neg_slope=neg_slope)
    return self.where(self > 0, self * neg_slope)


def elu(self: _t.Tensor, alpha: float = 1.0) -> _t.Tensor:
    """self where positive, else alpha * (e^self - 1)."""
    check_numbers("elu", alpha=alpha)
    x = floating(self)
    # min(x, 1) is x, with derivative 1, wherever the exp branch is taken (x <= 0), and keeps exp from
    # overflowing where it is not.
    return x.where(x > 0, (Exp.apply(x.minimum(1.0)) - 1) * alpha)


def gelu(self: _t.Tensor, approximate: str = "none") -> _t.Tensor:
    """x * Phi(x), Phi the standard normal CDF, as torch.nn.functional.gelu: exact (through erf) by default,
    or with approximate="tanh" the tanh approximation (the one of the reference edugrad and tinygrad)."""
    x = floating(self)
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (Tanh.apply(inner) + 1)
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return x * 0.5 * (erf(x * math.sqrt(0.5)) + 1)


def silu(self: _t.Tensor) -> _t.Tensor:
    """self * sigmoid(self) (also called swish)."""
    return self * sigmoid(self)


def softplus(self: _t.Tensor, beta: float = 1.0, threshold: float = 20.0) -> _t.Tensor:
    """log(1 + e^(beta x)) / beta, a smooth relu; where beta * x > threshold it is x itself (as in PyTorch)."""
    check_numbers("softplus", beta=beta, threshold=threshold)
    x = floating(self)
    z = x * beta
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): exp never sees a positive argument, and where the result is
    # tiny (z very negative) log1p keeps its relative precision. Its derivative is sigmoid(z), at z = 0 too:
    # max's tie splits the gradient in half and |z|'s is 0 there.
    soft = (z.maximum(0) + _log1p(Exp.apply(-z.abs()))) / beta
    return x.where(z > threshold, soft)


def _log1p(t: _t.Tensor) -> _t.Tensor:
    """log(1 + t) for 0 <= t <= 1, to t's relative precision also where t is tiny (the data layer has no log1p)."""
    # log(u) of the rounded u = 1 + t misses the rounding error r = t - (u - 1), up to half an ulp of 1 (all
    # of log(1 + t) where t is that small). Both subtractions are exact (Sterbenz: u is in [1, 2], and u - 1
    # is 0 or within a factor 2 of t), so log(1 + t) = log(u + r) = log(u) + r / u, to within (r / u)^2 / 2.
    # Its gradient is right too: r's derivative is exactly 0, so autograd gives 1 / u - r / u^2.
    u = t + 1
    return Log.apply(u) + (t - (u - 1)) / u


def mish(self: _t.Tensor) -> _t.Tensor:
    """self * tanh(softplus(self))."""
    return self * Tanh.apply(softplus(self))


def hardtanh(self: _t.Tensor, min_val: float = -1.0, max_val: float = 1.0) -> _t.Tensor:
    """self limited to [min_val, max_val]; the gradient is 1 strictly inside, 0 at and beyond the limits."""
    check_numbers("hardtanh", min_val=min_val, max_val=max_val)
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} is greater than max_val {max_val}")
    return where(self <= min_val, min_val, where(self >= max_val, max_val, self))


def clamp(input: _t.Tensor, min: _t.Tensor | float | None = None,
          max: _t.Tensor | float | None = None) -> _t.Tensor:
    """input limited to [min, max] (either bound may be None or a tensor that broadcasts); the gradient is 1
    where min <= input <= max, as torch.clamp. If min > max, every element becomes max; where a bound is NaN,
    the result is NaN."""
    given = {name: bound for name, bound in (("min", min), ("max", max)) if bound is not None}
    if not given:
        raise ValueError("clamp: at least one of min and max must be given")
    check_numbers("clamp", tensors=True, **given)
    x = input
    if min is not None:
        x = _nan_where_nan(where(x < min, min, x), min)
    if max is not None:
        x = _nan_where_nan(where(x > max, max, x), max)
    return x


def _nan_where_nan(x: _t.Tensor, bound: _t.Tensor | float) -> _t.Tensor:
    """x, and NaN wherever the bound is NaN, as torch.clamp gives (x < NaN is false, so where alone keeps x),
    with gradient 0 there for x and for the bound."""
    if isinstance(bound, _t.Tensor):
        return where(bound != bound, math.nan, x) if bound.dtype.is_floating_point else x
    return where(constant(x, True, dtypes.bool), math.nan, x) if math.isnan(bound) else x


def _rounding(x: _t.Tensor, op: UnaryOps) -> _t.Tensor:
    if not x.dtype.is_floating_point:
        return x.clone()  # integers are already whole
    return Rounding.apply(x, op=op)


def trunc(input: _t.Tensor) -> _t.Tensor:
    """Rounded toward zero (gradient 0)."""
    return _rounding(input, UnaryOps.TRUNC)


def floor(input: _t.Tensor) -> _t.Tensor:
    """Rounded down (gradient 0)."""
    return _rounding(input, UnaryOps.FLOOR)


def ceil(input: _t.Tensor) -> _t.Tensor:
    """Rounded up (gradient 0)."""
    return _rounding(input, UnaryOps.CEIL)


def round(input: _t.Tensor, *, decimals: int = 0) -> _t.Tensor:
    """Rounded to `decimals` decimal places, halves to even (as torch.round); gradient 0."""
    if decimals == 0:
        return _rounding(input, UnaryOps.ROUND)
    scale = 10.0 ** decimals
    return _rounding(floating(input) * scale, UnaryOps.ROUND) / scale


def isnan(input: _t.Tensor) -> _t.Tensor:
    """True where the element is NaN (the only value not equal to itself)."""
    return input != input


def isinf(input: _t.Tensor) -> _t.Tensor:
    """True where the element is +inf or -inf."""
    return abs(input.detach()) == math.inf


def isfinite(input: _t.Tensor) -> _t.Tensor:
    """True where the element is neither inf nor NaN (NaN compares false with everything)."""
    return abs(input.detach()) < math.inf
