"""Python's operators on TensorData: there are none (they are the Tensor layer's), and each says which op to
call instead of Python's bare "unsupported operand type(s)" (a Function's forward computes on TensorData)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

import numpy as np
import pytest

from edugrad.data import BinaryOps, TensorData, UnaryOps

X = TensorData.from_numpy(np.array([1.0, 2.0], dtype=np.float32))


@pytest.mark.parametrize("apply, symbol, call", [
    (lambda x: x + x, "+", "x.binary(BinaryOps.ADD, y)"),
    (lambda x: 1.0 - x, "-", "x.binary(BinaryOps.SUB, y)"),
    (lambda x: x * x, "*", "x.binary(BinaryOps.MUL, y)"),
    (lambda x: 2 * x, "*", "x.binary(BinaryOps.MUL, y)"),
    (lambda x: x / 2.0, "/", "x.binary(BinaryOps.DIV, y)"),
    (lambda x: x ** 2, "**", "x.binary(BinaryOps.POW, y)"),
    (lambda x: x @ x, "@", "x.matmul(y)"),
    (operator.neg, "-", "x.unary(UnaryOps.NEG)"),
])
def test_an_operator_names_the_op_to_call(apply: Callable[[TensorData], object], symbol: str, call: str) -> None:
    expected = re.escape(f"TensorData has no {symbol} operator: ") + ".*" + re.escape(f"; write {call} ")
    with pytest.raises(TypeError, match=expected):
        apply(X)


def test_the_ops_it_names_compute_what_the_operators_would() -> None:
    np.testing.assert_array_equal(X.binary(BinaryOps.MUL, X).numpy(), [1.0, 4.0])
    np.testing.assert_array_equal(X.binary(BinaryOps.ADD, X.const(2.0)).numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(X.unary(UnaryOps.NEG).numpy(), [-1.0, -2.0])
    row = X.reshape((1, 2))
    np.testing.assert_array_equal(row.matmul(row.permute((1, 0))).numpy(), [[5.0]])
