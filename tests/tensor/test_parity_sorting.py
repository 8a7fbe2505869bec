"""Parity of sort, argsort and topk with PyTorch: values, indices, dtypes and gradients (each gradient goes to
the element a value came from). Random floats have no ties; the integer cases have many, and torch's stable
sort orders them as edugrad's network does."""

import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import sorting

SHAPES = [(7,), (3, 5), (2, 3, 4), (1,), (0,), (4, 0), (2, 64), (1, 33)]

CASES = [
    *[Case(f"sort {shape}", lambda x: x.sort(), lambda x: x.sort(), [shape]) for shape in SHAPES],
    Case("sort descending", lambda x: x.sort(descending=True), lambda x: x.sort(descending=True), [(4, 9)]),
    Case("sort dim 0", lambda x: x.sort(0), lambda x: x.sort(0), [(5, 3)]),
    Case("sort dim 1 of 3", lambda x: x.sort(1, True), lambda x: x.sort(1, True), [(2, 6, 3)]),
    Case("sort 0-d", lambda x: x.sort(), lambda x: x.sort(), [()]),
    Case("sort function", lambda x: sorting.sort(x, dim=-1, stable=True), lambda x: torch.sort(x, dim=-1, stable=True),
         [(3, 6)]),
    Case("sort int ties stable", lambda x: x.sort(stable=True), lambda x: x.sort(stable=True), [(3, 20)],
         dtype="int64", low=-3, high=3),
    Case("sort int ties descending", lambda x: x.sort(descending=True, stable=True),
         lambda x: x.sort(descending=True, stable=True), [(3, 20)], dtype="int32", low=0, high=4),
    Case("sort float ties", lambda x: x.round().sort(dim=1, stable=True),
         lambda x: x.round().sort(dim=1, stable=True), [(4, 12)]),
    Case("sort uint8 extremes", lambda x: x.sort(descending=True, stable=True),
         lambda x: x.sort(descending=True, stable=True), [(11,)], dtype="uint8", low=0, high=256),
    Case("sort bool", lambda x: x.sort(stable=True), lambda x: x.sort(stable=True), [(2, 7)], dtype="bool"),
    Case("argsort", lambda x: x.argsort(), lambda x: x.argsort(), [(3, 5)]),
    Case("argsort descending dim 0", lambda x: x.argsort(0, descending=True),
         lambda x: x.argsort(0, descending=True), [(6, 2)]),
    Case("topk", lambda x: x.topk(3), lambda x: x.topk(3), [(4, 10)]),
    Case("topk smallest", lambda x: x.topk(2, largest=False), lambda x: x.topk(2, largest=False), [(5,)]),
    Case("topk dim 0", lambda x: x.topk(2, 0), lambda x: x.topk(2, 0), [(5, 3)]),
    Case("topk all", lambda x: x.topk(6, dim=-1), lambda x: x.topk(6, dim=-1), [(2, 6)]),
    Case("topk none", lambda x: x.topk(0), lambda x: x.topk(0), [(2, 6)]),
    Case("topk one of many", lambda x: x.topk(1), lambda x: x.topk(1), [(3, 100)]),
    Case("topk int", lambda x: x.topk(4), lambda x: x.topk(4), [(3, 9)], dtype="int64", low=-1000, high=1000),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
