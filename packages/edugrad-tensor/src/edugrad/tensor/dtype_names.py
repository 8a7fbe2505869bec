"""torch's names for the dtypes (`float32`/`float`, `int64`/`long`, ...), the default dtype, and the questions torch
answers about dtypes: `promote_types`, `can_cast`, `finfo`, `iinfo`.

Tensor layer (`edugrad.tensor`). The dtypes themselves are the data layer's (`edugrad.data.dtypes`), one object
each, so `x.dtype == long` and `x.dtype is dtypes.int64` agree. The default dtype is what a Python float becomes
(`tensor(1.5)`, `zeros(2)`, `int_tensor / 2`): float32 unless `set_default_dtype` changes it.
"""

from __future__ import annotations

import builtins
import math

from edugrad.data import DType, dtypes
from edugrad.data import promote_types as _promote_types
from edugrad.tensor.binary import integer_range, storable

dtype = DType  # torch.dtype: the class of the dtypes

float32 = float = dtypes.float32  # noqa: A001  (torch's names shadow the builtins inside this module only)
float64 = double = dtypes.float64
float16 = half = dtypes.float16
bfloat16 = dtypes.bfloat16
uint8 = dtypes.uint8
int8 = dtypes.int8
int16 = short = dtypes.int16
int32 = int = dtypes.int32  # noqa: A001
int64 = long = dtypes.int64
bool = dtypes.bool  # noqa: A001

# (mantissa bits, exponent bits) of each floating-point format: IEEE half, single and double, and bfloat16,
# float32's exponent with 7 mantissa bits.
_FLOAT_BITS = {dtypes.float16: (10, 5), dtypes.bfloat16: (7, 8), dtypes.float32: (23, 8), dtypes.float64: (52, 11)}


def get_default_dtype() -> DType:
    """The dtype Python floats become: float32 unless `set_default_dtype` changed it."""
    return dtypes.default_float


def set_default_dtype(d: DType) -> None:
    """Make `d` (a floating-point dtype) what Python floats become, as torch.set_default_dtype."""
    if not isinstance(d, DType) or not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type, got {d!r}")
    dtypes.default_float = d


def promote_types(type1: DType, type2: DType) -> DType:
    """The dtype of an op on tensors of these two dtypes (bool < int < float, then the wider type)."""
    return _promote_types(type1, type2)


def can_cast(from_: DType, to: DType) -> builtins.bool:
    """Whether torch's type promotion lets a value of `from_` be written into `to` (as an in-place op does): not
    to a lower category (a float into an int, an int into a bool); within one, any width is allowed."""
    return storable(from_, to)


class finfo:  # noqa: N801  (torch's name)
    """The limits of a floating-point dtype, as torch.finfo: `bits`, `eps` (the gap above 1), `max`, `min`,
    `tiny` and `smallest_normal` (the smallest positive normal number), `resolution` (10 to the minus the
    number of decimal digits that are exact) and `dtype` (its name). Each follows from the format's mantissa and
    exponent bits."""

    def __init__(self, type: DType | None = None) -> None:  # noqa: A002  (torch's name)
        chosen = dtypes.default_float if type is None else type
        if chosen not in _FLOAT_BITS:
            raise TypeError(f"finfo: requires a floating point dtype, got {chosen!r}; use iinfo for integers")
        mantissa, exponent = _FLOAT_BITS[chosen]
        bias = 2 ** (exponent - 1) - 1
        self.bits = 8 * chosen.itemsize
        self.eps = 2.0**-mantissa
        self.max = (2 - 2.0**-mantissa) * 2.0**bias  # the largest significand times the largest exponent
        self.min = -self.max
        self.tiny = self.smallest_normal = 2.0 ** (1 - bias)
        self.resolution = 10.0 ** -math.floor(-math.log10(self.eps))
        self.dtype = chosen.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801  (torch's name)
    """The limits of an integer dtype, as torch.iinfo: `bits`, `min`, `max` and `dtype` (its name)."""

    def __init__(self, type: DType) -> None:  # noqa: A002  (torch's name)
        if not isinstance(type, DType) or not type.is_integer:
            raise TypeError(f"iinfo: requires an integer dtype, got {type!r}; use finfo for floating point")
        self.bits = 8 * type.itemsize
        self.min, self.max = integer_range(type)
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"  # torch's %g, even for ints
