"""Parity of the broadcasted binary ops and operators with PyTorch: value, dtype (promotion) and gradients."""

import operator

import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import where

BROADCASTS = [[(3, 4), (3, 4)], [(2, 3), (3,)], [(4, 1), (1, 5)], [(), (3,)], [(2, 1, 4), (3, 1)], [(2, 3), ()]]
ARITHMETIC = [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("maximum", torch.maximum),
              ("minimum", torch.minimum)]


def method(name):
    return lambda x, y: getattr(x, name)(y)


CASES = [
    *[Case(f"{name} {shapes}", fn if name not in ("maximum", "minimum") else method(name), fn, shapes)
      for name, fn in ARITHMETIC for shapes in BROADCASTS],
    *[Case(f"div {shapes}", operator.truediv, operator.truediv, shapes, low=0.5, high=3.0) for shapes in BROADCASTS],
    Case("rsub scalar", lambda x: 2 - x, lambda x: 2 - x, [(3,)]),
    Case("rdiv scalar", lambda x: 1.5 / x, lambda x: 1.5 / x, [(3,)], low=0.5),
    Case("radd", lambda x: 1 + x, lambda x: 1 + x, [(2, 2)]),
    Case("rmul float64", lambda x: 3 * x, lambda x: 3 * x, [(4,)], dtype="float64"),
    Case("maximum tie", lambda x: x.maximum(x.detach()), lambda x: torch.maximum(x, x.detach()), [(5,)]),
    Case("minimum tie", lambda x: x.minimum(x.detach()), lambda x: torch.minimum(x, x.detach()), [(5,)]),
    Case("maximum scalar", lambda x: x.maximum(0.5), lambda x: torch.clamp(x, min=0.5), [(6,)]),
    Case("minimum uint8", method("minimum"), torch.minimum, [(9,), (9,)], dtype="uint8", low=0, high=256),
    Case("minimum int64", method("minimum"), torch.minimum, [(3, 3), (3,)], dtype="int64", low=-5, high=5),
    Case("minimum bool", method("minimum"), torch.minimum, [(6,), (6,)], dtype="bool"),
    Case("maximum bool", method("maximum"), torch.maximum, [(6,), (6,)], dtype="bool"),
    Case("pow 2", lambda x: x ** 2, lambda x: x ** 2, [(3, 4)]),
    Case("pow 3", lambda x: x ** 3, lambda x: x ** 3, [()]),
    Case("pow 0", lambda x: x ** 0, lambda x: x ** 0, [(4,)]),
    Case("pow 1", lambda x: x ** 1, lambda x: x ** 1, [(4,)]),
    Case("pow -1", lambda x: x ** -1, lambda x: x ** -1, [(4,)], low=0.5),
    Case("pow 5", lambda x: x ** 5, lambda x: x ** 5, [(4,)]),
    Case("pow 0.5", lambda x: x ** 0.5, lambda x: x ** 0.5, [(4,)], low=0.1),
    Case("pow -2.5", lambda x: x ** -2.5, lambda x: x ** -2.5, [(4,)], low=0.5),
    Case("pow tensor", operator.pow, operator.pow, [(3, 4), (4,)], low=0.2, high=2.0),
    Case("pow method", lambda x, y: x.pow(y), torch.pow, [(3,), (3,)], low=0.5, high=2.0),
    Case("rpow", lambda x: 2.0 ** x, lambda x: 2.0 ** x, [(3, 2)]),
    Case("rpow int base", lambda x: 3 ** x, lambda x: 3 ** x, [(5,)]),
    Case("pow int", lambda x: x ** 2, lambda x: x ** 2, [(5,)], dtype="int64", low=-4, high=4),
    Case("pow int 0", lambda x: x ** 0, lambda x: x ** 0, [(5,)], dtype="int32", low=-4, high=4),
    Case("pow int float", lambda x: x ** 0.5, lambda x: x ** 0.5, [(5,)], dtype="int64", low=0, high=9),
    Case("pow int tensors", operator.pow, operator.pow, [(5,), (5,)], dtype="int64", low=0, high=4),
    Case("rpow int", lambda x: 2 ** x, lambda x: 2 ** x, [(5,)], dtype="int64", low=0, high=10),
    # // is piecewise constant and not recorded (torch records a zero gradient instead)
    Case("floordiv", operator.floordiv, operator.floordiv, [(3, 4), (4,)], low=-5, high=5, grad=False),
    Case("floordiv int", operator.floordiv, operator.floordiv, [(6,), (6,)], dtype="int64", low=1, high=9),
    Case("floordiv int negative", lambda x: x // -3, lambda x: x // -3, [(8,)], dtype="int64", low=-9, high=9),
    Case("rfloordiv", lambda x: 7 // x, lambda x: 7 // x, [(6,)], dtype="int32", low=1, high=9),
    Case("mod", operator.mod, operator.mod, [(3, 4), (4,)], low=0.5, high=5),
    Case("mod negative", operator.mod, operator.mod, [(3, 4), (3, 4)], low=-5, high=5),
    Case("mod int", lambda x: x % 3, lambda x: x % 3, [(8,)], dtype="int64", low=-9, high=9),
    Case("mod int negative divisor", lambda x: x % -4, lambda x: x % -4, [(8,)], dtype="int64", low=-9, high=9),
    Case("rmod", lambda x: 5.5 % x, lambda x: 5.5 % x, [(6,)], low=0.5, high=3, grad=False),  # torch: no grad
    *[Case(f"{name}", fn, fn, [(3, 4), (4,)], dtype="int64", low=0, high=3) for name, fn in [
        ("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge), ("eq", operator.eq),
        ("ne", operator.ne)]],
    Case("le float", operator.le, operator.le, [(5,), (5,)]),
    Case("gt scalar", lambda x: x > 0.5, lambda x: x > 0.5, [(5,)]),
    Case("eq scalar int", lambda x: x == 1, lambda x: x == 1, [(7,)], dtype="int64", low=0, high=3),
    Case("and", operator.and_, operator.and_, [(4, 3), (3,)], dtype="bool"),
    Case("or", operator.or_, operator.or_, [(4, 3), (4, 3)], dtype="bool"),
    Case("xor", operator.xor, operator.xor, [(2, 3), (1, 3)], dtype="bool"),
    Case("invert bool", operator.invert, operator.invert, [(5,)], dtype="bool"),
    Case("invert int", operator.invert, operator.invert, [(5,)], dtype="int64", low=-99, high=99),
    Case("invert uint8", operator.invert, operator.invert, [(5,)], dtype="uint8", low=0, high=256),
    # promotion: the wider dtype wins within a category, the higher category wins across them
    Case("int32 + int64", lambda x: x + x.long(), lambda x: x + x.long(), [(3,)], dtype="int32", low=-5, high=5),
    Case("int + float tensor", lambda x: x + x.float(), lambda x: x + x.float(), [(3,)], dtype="int64", low=-5,
         high=5),
    Case("bool + int scalar", lambda x: x + 1, lambda x: x + 1, [(3,)], dtype="bool"),
    Case("uint8 + int32", lambda x: x + x.int(), lambda x: x + x.int(), [(3,)], dtype="uint8", low=0, high=200),
    Case("float32 * float64", lambda x: x * x.double(), lambda x: x * x.double(), [(3,)]),
    Case("float16 * 2.5", lambda x: x * 2.5, lambda x: x * 2.5, [(3,)], dtype="float16", atol=1e-3),
    Case("int / int", operator.truediv, operator.truediv, [(4,), (4,)], dtype="int64", low=1, high=9),
    Case("int64 * 0.5", lambda x: x * 0.5, lambda x: x * 0.5, [(4,)], dtype="int64", low=-9, high=9),
    *[Case(f"{name} method", method(name), method(name), [(3, 4), (4,)], dtype="int64", low=0, high=3)
      for name in ("lt", "le", "gt", "ge", "eq", "ne")],
    Case("add alpha", lambda x, y: x.add(y, alpha=-2.5), lambda x, y: x.add(y, alpha=-2.5), [(3, 4), (4,)]),
    Case("sub alpha", lambda x, y: x.sub(y, alpha=3), lambda x, y: x.sub(y, alpha=3), [(3,), (2, 3)]),
    Case("add alpha scalar", lambda x: x.add(2, alpha=0.5), lambda x: x.add(2, alpha=0.5), [(3,)]),
    Case("add alpha int", lambda x, y: x.add(y, alpha=2), lambda x, y: x.add(y, alpha=2), [(4,), (4,)],
         dtype="int64", low=-9, high=9),
    Case("div floor", lambda x, y: x.div(y, rounding_mode="floor"), lambda x, y: x.div(y, rounding_mode="floor"),
         [(6,), (6,)]),
    Case("div trunc", lambda x, y: x.div(y, rounding_mode="trunc"), lambda x, y: x.div(y, rounding_mode="trunc"),
         [(6,), (6,)]),
    *[Case(f"div {mode} int", lambda x, m=mode: x.div(-3, rounding_mode=m),
           lambda x, m=mode: x.div(-3, rounding_mode=m), [(9,)], dtype="int64", low=-9, high=9)
      for mode in ("floor", "trunc")],
    Case("div trunc int tensor", lambda x, y: x.div(y.abs() + 1, rounding_mode="trunc"),
         lambda x, y: x.div(y.abs() + 1, rounding_mode="trunc"), [(9,), (9,)], dtype="int32", low=-9, high=9),
    Case("where method", lambda x, y: x.where(x > 0, y), lambda x, y: x.where(x > 0, y), [(3, 4), (4,)]),
    Case("where function", lambda c, x: where(c > 0, x, 2.5), lambda c, x: torch.where(c > 0, x, 2.5),
         [(3, 1), (1, 4)]),
    Case("where scalar first", lambda x: where(x > 0, 1.5, x), lambda x: torch.where(x > 0, 1.5, x), [(5,)]),
    Case("where two numbers", lambda x: where(x > 0, 1, 0.5), lambda x: torch.where(x > 0, 1, 0.5), [(5,)]),
    Case("where two ints", lambda x: where(x > 0, 1, -1), lambda x: torch.where(x > 0, 1, -1), [(5,)]),
    Case("isclose", lambda x, y: x.isclose(y + x * 1e-6), lambda x, y: x.isclose(y + x * 1e-6), [(20,), (20,)],
         low=-1e-5, high=1e-5),
    Case("isclose tolerances", lambda x, y: x.isclose(y, rtol=0.5, atol=0.1),
         lambda x, y: x.isclose(y, rtol=0.5, atol=0.1), [(30,), (30,)]),
    Case("isclose int", lambda x, y: x.isclose(y, atol=1), lambda x, y: x.isclose(y, atol=1), [(12,), (12,)],
         dtype="int64", low=-3, high=3),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
