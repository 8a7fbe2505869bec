"""Parity of matmul (vector, matrix, batched and broadcast shapes), linear and einsum with PyTorch."""

import operator

import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import Tensor

MATMUL_SHAPES = [
    [(3,), (3,)], [(3,), (3, 4)], [(2, 3), (3,)], [(2, 3), (3, 4)], [(5, 2, 3), (3, 4)], [(3,), (5, 3, 4)],
    [(5, 2, 3), (3,)], [(5, 2, 3), (5, 3, 4)], [(2, 1, 2, 3), (4, 3, 5)], [(1, 2, 3), (4, 3, 2)],
    [(2, 3), (6, 3, 4)], [(4, 2, 3, 5), (5, 2)], [(2, 0), (0, 3)], [(0, 3), (3, 2)],
]

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("iij->j", [(3, 3, 2)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ba,b", [(3, 2), (3,)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]),
    ("ab,bc,ca->", [(2, 3), (3, 4), (4, 2)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij->...ji", [(2, 3, 4)]),
    ("i...->...", [(2, 3, 4)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("ij,kl->ijkl", [(2, 3), (4, 1)]),
]

CASES = [
    *[Case(f"matmul {shapes}", operator.matmul, operator.matmul, shapes) for shapes in MATMUL_SHAPES],
    Case("matmul method", lambda x, y: x.matmul(y), torch.matmul, [(3, 2), (2, 3)]),
    Case("dot vectors", lambda x, y: x.dot(y), torch.dot, [(6,), (6,)]),
    Case("matmul float64", operator.matmul, operator.matmul, [(3, 4), (4, 2)], dtype="float64"),
    Case("matmul int", operator.matmul, operator.matmul, [(3, 4), (4, 2)], dtype="int64", low=-5, high=5),
    Case("matmul mixed dtypes", lambda x, y: x @ y.double(), lambda x, y: x.double() @ y.double(),
         [(2, 3), (3, 2)]),
    Case("linear", lambda x, w, b: x.linear(w, b), lambda x, w, b: x @ w + b, [(4, 3), (3, 5), (5,)]),
    Case("linear no bias batched", lambda x, w: x.linear(w), lambda x, w: x @ w, [(2, 4, 3), (3, 5)]),
    *[Case(f"einsum {formula}", lambda *xs, f=formula: Tensor.einsum(f, *xs),
           lambda *xs, f=formula: torch.einsum(f, *xs), shapes) for formula, shapes in EINSUM],
    Case("einsum operand list", lambda x, y: Tensor.einsum("ij,jk->ik", [x, y]),
         lambda x, y: torch.einsum("ij,jk->ik", [x, y]), [(2, 3), (3, 2)]),
    Case("einsum as method", lambda x, y: x.einsum("ij,jk->ik", x, y),
         lambda x, y: torch.einsum("ij,jk->ik", x, y), [(2, 3), (3, 2)]),
    Case("einsum int", lambda x, y: Tensor.einsum("ij,jk->ik", x, y), lambda x, y: torch.einsum("ij,jk->ik", x, y),
         [(2, 3), (3, 2)], dtype="int64", low=-4, high=4),
    Case("mm", lambda x, y: x.mm(y), torch.mm, [(2, 3), (3, 4)]),
    Case("bmm", lambda x, y: x.bmm(y), torch.bmm, [(5, 2, 3), (5, 3, 4)]),
    Case("outer", lambda x, y: x.outer(y), torch.outer, [(3,), (4,)]),
    Case("outer int", lambda x, y: x.outer(y), torch.outer, [(3,), (2,)], dtype="int64", low=-5, high=5),
    *[Case(f"diagonal {args}", lambda x, a=args: x.diagonal(*a), lambda x, a=args: x.diagonal(*a), [shape])
      for args, shape in [((), (3, 4)), ((1,), (3, 4)), ((-2,), (4, 3)), ((5,), (3, 4)), ((0, 2, 0), (3, 2, 4)),
                          ((1, -1, 1), (2, 3, 3))]],
    *[Case(f"diag {k} of {shape}", lambda x, k=k: x.diag(k), lambda x, k=k: x.diag(k), [shape])
      for k, shape in [(0, (3, 4)), (2, (3, 4)), (-1, (3, 4)), (0, (3,)), (2, (3,)), (-1, (2,))]],
    Case("trace", lambda x: x.trace(), torch.trace, [(3, 4)]),
    Case("trace int", lambda x: x.trace(), torch.trace, [(3, 3)], dtype="int32", low=-9, high=9),
    *[Case(f"{op} {k}", lambda x, op=op, k=k: getattr(x, op)(k), lambda x, op=op, k=k: getattr(x, op)(k), [shape])
      for op in ("tril", "triu") for k, shape in [(0, (3, 4)), (1, (4, 3)), (-2, (3, 5)), (0, (2, 3, 3))]],
    Case("tril bool", lambda x: x.tril(), lambda x: x.tril(), [(3, 3)], dtype="bool"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
