"""Parity of the core binary ops, broadcasting and reductions written with the Tensor class itself."""

import operator

import pytest
import torch
from parity import Case, check_parity

CASES = [
    Case("add broadcast", operator.add, operator.add, [(2, 3), (3,)]),
    Case("sub broadcast", operator.sub, operator.sub, [(4, 1), (1, 5)]),
    Case("mul", operator.mul, operator.mul, [(2, 3), (2, 3)]),
    Case("div", operator.truediv, operator.truediv, [(3, 2), (3, 2)], low=0.5, high=2.0),
    Case("sum axis", lambda x: x.sum(axis=1), lambda x: x.sum(dim=1), [(3, 4)]),
    Case("sum keepdim", lambda x: x.sum(axis=(0, 2), keepdim=True), lambda x: x.sum(dim=(0, 2), keepdim=True),
         [(2, 3, 4)]),
    Case("max all", lambda x: x.max(), lambda x: x.amax(), [(3, 4)]),
    Case("mean", lambda x: x.mean(axis=-1), lambda x: x.mean(dim=-1), [(2, 5)]),
    Case("relu", lambda x: x.relu(), torch.relu, [(10,)]),
    Case("int add float scalar", lambda x: x + 0.5, lambda x: x + 0.5, [(4,)], dtype="int64", low=-5, high=5),
    Case("int true div", lambda x: x / 2, lambda x: x / 2, [(4,)], dtype="int64", low=-5, high=5),
    Case("lt", operator.lt, operator.lt, [(3,), (3,)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
