"""Broadcasted binary ops: arithmetic, comparisons and logic between tensors, Python scalars and NumPy arrays.

Tensor layer (`edugrad.tensor`). The Functions below this layer only combine operands of one shape and one
dtype. This module makes any two operands fit first, the way PyTorch does: the dtype by promotion
(`promote_types`, with Python scalars "weak", so `float32 * 2.0` stays float32 and `int64 + 0.5` becomes
float32), then the shape by broadcasting (align the shapes at the right; each axis must match or be 1).
Broadcasting is `reshape` + `expand`, which cost nothing, and the Expand Function sums the gradient back.
"""

from __future__ import annotations

from typing import TypeAlias

from edugrad.data import DType, TensorData, dtypes, promote_types, result_type
from edugrad.function import Add, Div, Equal, FloorDiv, Less, Maximum, Mul, Neg, Pow, Sub, Where, is_grad_enabled
from edugrad.tensor import _tensor as _t
from edugrad.tensor.creation import tensor

Operand: TypeAlias = "_t.Tensor | bool | int | float"  # (NumPy arrays are accepted too, see as_tensor)


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...], op: str) -> tuple[int, ...]:
    """The shape two shapes broadcast to; ValueError naming the op, both shapes and the axis that clashes."""
    ndim = max(len(a), len(b))
    a_full, b_full = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    shape = []
    for axis, (m, n) in enumerate(zip(a_full, b_full)):
        if m != n and m != 1 and n != 1:
            raise ValueError(f"{op}: shapes {a} and {b} cannot be broadcast: axis {axis - ndim} has sizes {m} and "
                             f"{n} (aligned from the right, sizes must be equal or one of them 1)")
        shape.append(max(m, n) if m and n else 0)
    return tuple(shape)


def constant(like: _t.Tensor, value: bool | int | float, dtype: DType) -> _t.Tensor:
    """A tensor of `like`'s shape and backend filled with `value` (a broadcast view, no memory)."""
    return _t.Tensor._wrap(like._data.const(value, dtype))


def check_scalar_fits(value: bool | int | float, dtype: DType, op: str) -> None:
    """OverflowError naming the op unless the Python int `value` fits in the integer `dtype`. PyTorch wraps a
    scalar that does not fit around (`uint8_tensor == -1` compares with 255), which silently gives wrong
    answers, and NumPy raises an error that names no op: refusing with the range is the clearer of the two."""
    if dtype.is_integer and type(value) is int:
        low, high = integer_range(dtype)
        if not low <= value <= high:
            raise OverflowError(f"{op}: the scalar {value} does not fit in the tensor's dtype {dtype.name} ({low} "
                                f"to {high}); cast the tensor to a dtype that holds it first (x.long() or x.double())")


def storable(dtype: DType, target: DType) -> bool:
    """Whether a result of `dtype` may be written in place into a tensor of `target` (torch.can_cast): PyTorch
    stores a result of the same kind, even a wider one (float64 into float32), but not one of a higher kind (a
    float into an int tensor, an int into a bool one)."""
    return dtype.category == target.category or promote_types(dtype, target) is target


def check_storable(dtype: DType, target: DType, op: str) -> None:
    """TypeError naming `op` unless a result of `dtype` is `storable` in a tensor of `target`."""
    if not storable(dtype, target):
        raise TypeError(f"{op}: result type {dtype.name} can't be cast to the desired output type {target.name} "
                        "of the tensor changed in place")


def integer_range(dtype: DType) -> tuple[int, int]:
    """The smallest and the largest value of an integer dtype."""
    bits = 8 * dtype.itemsize
    return (0, 2**bits - 1) if dtype is dtypes.uint8 else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def zero_gradient(value: _t.Tensor, *sources: _t.Tensor) -> _t.Tensor:
    """`value` (of the sources' shape and dtype) recorded as a function of `sources` with gradient 0, as torch
    records a piecewise constant op (sign, a rounded quotient): an all-true `Where` passes value through and
    sends the sources a zero gradient (the rule 0 * x^-1 of x ** 0 would give NaN at x = 0)."""
    for source in sources:
        if source.requires_grad and is_grad_enabled():
            value = Where.apply(constant(value, True, dtypes.bool), value, source)
    return value


def as_tensor(value: Operand, op: str) -> _t.Tensor:
    """`value` as a Tensor (NumPy arrays keep their dtype); TypeError naming the op if it cannot be one."""
    if isinstance(value, _t.Tensor):
        return value
    try:
        return tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{op}: expected a Tensor, a Python number or an array as the other operand, got "
                        f"{type(value).__name__}") from error


def operands(x: _t.Tensor, y: Operand, op: str, reverse: bool = False) -> tuple[_t.Tensor, _t.Tensor]:
    """x and y promoted to one dtype and broadcast to one shape, swapped when `reverse` (for 2 - x)."""
    # Every binary op passes here, so it reads shape and dtype off `.data` (the Tensor properties cost a call
    # each) and does nothing more when the operands already fit.
    if isinstance(y, (bool, int, float)):
        dtype = result_type(x._data.dtype, y)
        if dtype is not x._data.dtype:
            x = x.cast(dtype)
        check_scalar_fits(y, dtype, op)
        other = constant(x, y, dtype)
    else:
        other = as_tensor(y, op)
        if other._data.dtype is not x._data.dtype:
            dtype = promote_types(x.dtype, other.dtype)
            x, other = x.cast(dtype), other.cast(dtype)
        if x._data.shape != other._data.shape:
            shape = broadcast_shape(x.shape, other.shape, op)
            x, other = x.expand(shape), other.expand(shape)
    return (other, x) if reverse else (x, other)


def _float_operands(x: _t.Tensor, y: Operand, op: str, reverse: bool = False) -> tuple[_t.Tensor, _t.Tensor]:
    """Operands for true division and pow with a float result: integers are promoted to the default float."""
    a, b = operands(x, y, op, reverse)
    if not a.dtype.is_floating_point:
        a, b = a.cast(dtypes.default_float), b.cast(dtypes.default_float)
    return a, b


def add(input: _t.Tensor, other: Operand, *, alpha: bool | int | float = 1) -> _t.Tensor:
    """input + alpha * other, broadcast."""
    return Add.apply(*operands(input, other if alpha == 1 else _scaled(input, other, alpha, "add"), "add"))


def radd(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """other + self."""
    return Add.apply(*operands(self, other, "add", reverse=True))


def sub(input: _t.Tensor, other: Operand, *, alpha: bool | int | float = 1) -> _t.Tensor:
    """input - alpha * other, broadcast."""
    return Sub.apply(*operands(input, other if alpha == 1 else _scaled(input, other, alpha, "sub"), "sub"))


def _scaled(x: _t.Tensor, other: Operand, alpha: bool | int | float, op: str) -> _t.Tensor:
    """alpha * other for add and sub; as in PyTorch, a float alpha needs a floating-point result."""
    other = as_tensor(other, op)
    if isinstance(alpha, float) and not promote_types(x.dtype, other.dtype).is_floating_point:
        raise TypeError(f"{op}: alpha must not be a float ({alpha}) for integer tensors")
    return mul(other, alpha)


def rsub(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """other - input."""
    return Sub.apply(*operands(input, other, "sub", reverse=True))


def mul(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input * other, broadcast."""
    return Mul.apply(*operands(input, other, "mul"))


def rmul(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """other * self."""
    return Mul.apply(*operands(self, other, "mul", reverse=True))


def div(input: _t.Tensor, other: Operand, *, rounding_mode: str | None = None) -> _t.Tensor:
    """input / other, as torch.div: true division by default (integer operands give a float result), or the
    quotient rounded toward minus infinity (rounding_mode="floor", the `//` operator) or toward zero
    ("trunc"), which keeps integer dtypes. A rounded quotient is piecewise constant: its gradient is 0."""
    if rounding_mode is None:
        return Div.apply(*_float_operands(input, other, "div"))
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    a, b = operands(input, other, "div")
    if rounding_mode == "floor":
        q = _floor_quotient(a, b, "div")
    elif a.dtype.is_floating_point:
        q = Div.apply(a.detach(), b.detach()).trunc()
    else:  # trunc and floor differ by one where the division is inexact and the signs of a and b differ
        q = _floor_quotient(a, b, "div")
        q = q + ((q * b != a) & ((a < 0) ^ (b < 0))).cast(q.dtype)
    return zero_gradient(q, a, b)


def rdiv(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """other / self."""
    return Div.apply(*_float_operands(self, other, "div", reverse=True))


def _floor_quotient(a: _t.Tensor, b: _t.Tensor, op: str) -> _t.Tensor:
    """a // b of operands that fit; RuntimeError naming the op where an integer divisor holds a 0, as torch
    raises it ("ZeroDivisionError"): an integer has no inf or NaN to answer with, and NumPy's 0 would be a
    silently wrong quotient."""
    if not b.dtype.is_floating_point and bool((b == 0).any().item()):
        raise RuntimeError(f"ZeroDivisionError: {op}: integer division by zero (the {b.dtype.name} divisor "
                           "holds a 0); cast to a float dtype for inf and NaN instead")
    return FloorDiv.apply(a, b)


def floordiv(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self // other: division rounded toward minus infinity (not differentiable)."""
    return _floor_quotient(*operands(self, other, "floordiv"), "floordiv")


def rfloordiv(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """other // self."""
    return _floor_quotient(*operands(self, other, "floordiv", reverse=True), "floordiv")


def mod(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self % other with the sign of the divisor, as Python and torch.remainder: a - (a // b) * b."""
    a, b = operands(self, other, "mod")
    return a - _floor_quotient(a, b, "mod") * b


def rmod(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """other % self."""
    a, b = operands(self, other, "mod", reverse=True)
    return mod(a, b)


def pow(input: _t.Tensor, exponent: Operand) -> _t.Tensor:
    """input ** exponent, as torch.pow: an int to an int power stays an int; x ** 0 is 1 (also for 0 and NaN)."""
    if isinstance(exponent, int) and not isinstance(exponent, bool):
        if exponent == 0:  # 1 everywhere (also for 0 and NaN), with gradient 0 as in torch
            return zero_gradient(constant(input, 1, input.dtype), input)
        if exponent < 0 and not input.dtype.is_floating_point:  # torch's error (a tensor exponent is computed)
            raise RuntimeError(f"pow: integers to negative integer powers are not allowed (got {input.dtype.name} "
                               f"** {exponent}); cast to float first")
        if input.dtype.is_floating_point and exponent in (2, 3):  # exact products, and cheap to differentiate
            square = Mul.apply(input, input)
            return square if exponent == 2 else Mul.apply(square, input)
    return Pow.apply(*operands(input, exponent, "pow"))


def rpow(self: _t.Tensor, base: Operand) -> _t.Tensor:
    """base ** self (an int base and an int tensor give an int)."""
    return Pow.apply(*operands(self, base, "pow", reverse=True))


def maximum(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """The elementwise maximum (on a tie the gradient is split in half, as in PyTorch)."""
    return Maximum.apply(*operands(input, other, "maximum"))


def minimum(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """The elementwise minimum: min(a, b) = -max(-a, -b) for floats (ties split the gradient), ~max(~a, ~b)
    for integers and bools (~ reverses their order without overflow)."""
    a, b = operands(input, other, "minimum")
    if a.dtype.is_floating_point:
        return Neg.apply(Maximum.apply(Neg.apply(a), Neg.apply(b)))
    return bitwise_not(Maximum.apply(bitwise_not(a), bitwise_not(b)))


def lt(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input < other as a bool tensor."""
    return Less.apply(*operands(input, other, "lt"))


def gt(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input > other as a bool tensor."""
    return Less.apply(*operands(input, other, "gt", reverse=True))


def eq(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input == other as a bool tensor."""
    return Equal.apply(*operands(input, other, "eq"))


def ne(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input != other as a bool tensor."""
    return logical_not(eq(input, other))


def le(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input <= other as a bool tensor (NaN compares false, as in PyTorch)."""
    a, b = operands(input, other, "le")
    return Maximum.apply(Less.apply(a, b), Equal.apply(a, b))  # max of two bools is their "or"


def ge(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input >= other as a bool tensor."""
    return le(*operands(input, other, "ge", reverse=True))


def isclose(input: _t.Tensor, other: Operand, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> _t.Tensor:
    """True where |input - other| <= atol + rtol * |other| (torch.isclose), and where the two are equal (so
    equal infinities are close); NaN is close to NaN only with equal_nan."""
    a, b = operands(input, other, "isclose")
    a, b = a.detach(), b.detach()
    close = eq(a, b)
    if not a.dtype.is_floating_point:
        a, b = a.cast(dtypes.float64), b.cast(dtypes.float64)
    if equal_nan:
        close = close | (ne(a, a) & ne(b, b))
    finite = a.isfinite() & b.isfinite()
    # Only finite pairs are subtracted (inf - inf would be NaN, with a warning); the others are close if equal.
    a, b = where(finite, a, 0.0), where(finite, b, 0.0)
    return close | (finite & le((a - b).abs(), (b.abs() * rtol) + atol))


def allclose(input: _t.Tensor, other: Operand, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element is close (see isclose), as a Python bool (torch.allclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def equal(input: _t.Tensor, other: _t.Tensor) -> bool:
    """Whether the two tensors have the same shape and the same values, as a Python bool (torch.equal)."""
    other = as_tensor(other, "equal")
    return input.shape == other.shape and bool(eq(input.detach(), other.detach()).all().item())


def _bool_operands(x: _t.Tensor, y: Operand, op: str) -> tuple[_t.Tensor, _t.Tensor]:
    a, b = operands(x, y, op)
    if a.dtype is not dtypes.bool:
        raise TypeError(f"{op}: edugrad supports {op} on bool tensors only, got {a.dtype.name}")
    return a, b


def logical_and(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input & other for bool tensors."""
    return Mul.apply(*_bool_operands(input, other, "and"))  # for booleans, a * b is "and"


def logical_or(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input | other for bool tensors."""
    return Maximum.apply(*_bool_operands(input, other, "or"))  # and max(a, b) is "or"


def logical_xor(input: _t.Tensor, other: Operand) -> _t.Tensor:
    """input ^ other for bool tensors."""
    return logical_not(Equal.apply(*_bool_operands(input, other, "xor")))


def bitwise_not(input: _t.Tensor) -> _t.Tensor:
    """~input: logical not for bools, -input - 1 for integers (flipping every bit of a two's complement int)."""
    if input.dtype is dtypes.bool:
        return logical_not(input)
    if not input.dtype.is_integer:
        raise TypeError(f"bitwise_not: expected a bool or integer tensor, got {input.dtype.name}")
    return Sub.apply(Neg.apply(input), constant(input, 1, input.dtype))  # wraps around like the hardware does


def logical_not(input: _t.Tensor) -> _t.Tensor:
    """~input for a bool tensor."""
    if input.dtype is not dtypes.bool:
        raise TypeError(f"logical_not: expected a bool tensor, got {input.dtype.name}")
    return Equal.apply(input, constant(input, False, dtypes.bool))


def where(condition: _t.Tensor, input: Operand, other: Operand) -> _t.Tensor:
    """input where condition is true, else other; all three broadcast together (torch.where). input and
    other may be Python numbers."""
    if not isinstance(condition, _t.Tensor) or condition.dtype is not dtypes.bool:
        raise TypeError(f"where: the condition must be a bool tensor, got {_describe(condition)}")
    if isinstance(input, _t.Tensor):
        a, b = operands(input, other, "where")
    elif isinstance(other, _t.Tensor):
        b, a = operands(other, input, "where")
    else:  # two numbers: they promote as two weak scalars would (1 and 0.5 give a float)
        a, b = operands(constant(condition, input, result_type(dtypes.bool, input)), other, "where")
    if condition.shape == a.shape:  # a and b already share a shape (operands broadcast them)
        return Where.apply(condition, a, b)
    shape = broadcast_shape(condition.shape, a.shape, "where")
    return Where.apply(condition.expand(shape), a.expand(shape), b.expand(shape))


def tensor_where(self: _t.Tensor, condition: _t.Tensor, other: Operand) -> _t.Tensor:
    """self where condition is true, else other: `x.where(condition, y)` is `where(condition, x, y)`, the
    order of torch.Tensor.where."""
    return where(condition, self, other)


def _describe(value: object) -> str:
    if isinstance(value, _t.Tensor):
        return f"a {value.dtype.name} tensor"
    return type(value).__name__


def inplace(self: _t.Tensor, result: _t.Tensor, op: str) -> _t.Tensor:
    """Write `result` into self (for `+=` and friends), cast to self's dtype (see `check_storable`)."""
    if result.dtype is not self.dtype:
        check_storable(result.dtype, self.dtype, op)
    return self.assign(result)


def iadd(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self += other, in place."""
    return inplace(self, add(self, other), "+=")


def isub(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self -= other, in place."""
    return inplace(self, sub(self, other), "-=")


def imul(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self *= other, in place."""
    return inplace(self, mul(self, other), "*=")


def idiv(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self /= other, in place."""
    return inplace(self, div(self, other), "/=")


def ifloordiv(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self //= other, in place."""
    return inplace(self, floordiv(self, other), "//=")


def imod(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self %= other, in place."""
    return inplace(self, mod(self, other), "%=")


def ipow(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self **= other, in place."""
    return inplace(self, pow(self, other), "**=")
