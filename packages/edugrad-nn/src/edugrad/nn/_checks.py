"""Argument and input checks shared by `edugrad.nn`, so every bad value gets one clear message.

Private helper of `edugrad.nn` (the layers, the schedulers, the DataLoader). A layer checks its constructor
arguments once and the shape of its input on every call, and names itself the way its repr does
(`Linear(in_features=4, out_features=3, bias=True)`), so the message points at the layer of the model that got
the wrong input, not at a Tensor op deep inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from edugrad.tensor import Tensor

if TYPE_CHECKING:
    from edugrad.nn.module import Module

IntTuple = int | tuple[int, ...]


def describe(module: Module) -> str:
    """The module as its one-line repr names it."""
    return f"{type(module).__name__}({module.extra_repr()})"


def positive_int(owner: str, name: str, value: object, allow_zero: bool = False) -> int:
    """`value` if it is an int > 0 (>= 0 with allow_zero), else a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        expected = "a non-negative int" if allow_zero else "a positive int"
        raise ValueError(f"{owner}: {name} must be {expected}, got {value!r}")
    return value


def int_tuple(owner: str, name: str, value: IntTuple, n: int, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or a tuple of `n` ints as a tuple of `n` (one per spatial dimension), each checked with
    `positive_int`."""
    values = (value,) * n if isinstance(value, int) else tuple(value)
    if len(values) != n:
        expected = "an int or a tuple of one int" if n == 1 else f"an int or a tuple of {n} ints"
        raise ValueError(f"{owner}: {name} must be {expected}, got {value!r}")
    return tuple(positive_int(owner, name, v, allow_zero) for v in values)


def divisible(owner: str, name: str, value: int, divisor_name: str, divisor: int) -> None:
    """A ValueError unless `divisor` divides `value` (channels into groups, features into heads)."""
    if value % divisor:
        raise ValueError(f"{owner}: {name} ({value}) must be divisible by {divisor_name} ({divisor})")


def probability(owner: str, name: str, value: float) -> float:
    """`value` if it lies in [0, 1] (a dropout probability of 1 drops everything, as PyTorch allows)."""
    if not 0 <= value <= 1:
        raise ValueError(f"{owner}: {name} must be a probability in [0, 1], got {value!r}")
    return float(value)


def choice(owner: str, name: str, value: str, options: Sequence[str]) -> str:
    """`value` if it is one of `options`."""
    if value not in options:
        raise ValueError(f"{owner}: {name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def check_input(module: Module, x: object, ndims: Sequence[int] | None = None, what: str = "",
                floating: bool = False) -> Tensor:
    """`x` if it is a Tensor with one of `ndims` dimensions (any if None), of a floating-point dtype if
    `floating`; `what` says what the dimensions mean."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{describe(module)}: expected a Tensor input, got {type(x).__name__}")
    if ndims is not None and x.ndim not in ndims:
        raise ValueError(f"{describe(module)}: expected a {what} input, got shape {x.shape}")
    if floating and not x.dtype.is_floating_point:
        raise TypeError(f"{describe(module)}: expected a floating-point input, got dtype {x.dtype.name}; cast it "
                        "with .float()")
    return x


def check_size(module: Module, x: Tensor, dim: int, size: int, what: str) -> None:
    """A ValueError unless axis `dim` of `x` has `size` elements."""
    if not -x.ndim <= dim < x.ndim or x.shape[dim] != size:
        raise ValueError(f"{describe(module)}: expected {size} {what} in dimension {dim} of the input, got shape "
                         f"{x.shape}")
