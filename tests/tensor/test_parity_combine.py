"""Parity of cat, stack, split and chunk with PyTorch: values, dtypes and gradients."""

import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import Tensor

CASES = [
    Case("cat static", lambda a, b: Tensor.cat([a, b]), lambda a, b: torch.cat([a, b]), [(2, 3), (4, 3)]),
    Case("cat method dim 1", lambda a, b, c: a.cat(b, c, dim=1), lambda a, b, c: torch.cat([a, b, c], dim=1),
         [(2, 1), (2, 3), (2, 2)]),
    Case("cat tuple dim -1", lambda a, b: Tensor.cat((a, b), dim=-1), lambda a, b: torch.cat((a, b), dim=-1),
         [(2, 2, 1), (2, 2, 3)]),
    Case("cat many", lambda *xs: Tensor.cat(xs, dim=0), lambda *xs: torch.cat(xs, dim=0),
         [(1, 2), (2, 2), (3, 2), (1, 2), (2, 2)]),
    Case("cat one", lambda a: Tensor.cat([a], dim=1), lambda a: torch.cat([a], dim=1), [(2, 3)]),
    Case("cat empty part", lambda a, b: a.cat(b), lambda a, b: torch.cat([a, b]), [(0, 3), (2, 3)]),
    Case("cat int", lambda a, b: a.cat(b), lambda a, b: torch.cat([a, b]), [(2,), (3,)], dtype="int64", low=-5,
         high=5),
    Case("stack static", lambda a, b: Tensor.stack([a, b]), lambda a, b: torch.stack([a, b]), [(2, 3), (2, 3)]),
    Case("stack method last", lambda a, b, c: a.stack(b, c, dim=-1), lambda a, b, c: torch.stack([a, b, c], dim=-1),
         [(2, 3), (2, 3), (2, 3)]),
    Case("stack dim 1", lambda a, b: Tensor.stack([a, b], dim=1), lambda a, b: torch.stack([a, b], dim=1),
         [(4,), (4,)]),
    Case("split size", lambda x: x.split(2), lambda x: x.split(2), [(5, 3)]),
    Case("split sections dim 1", lambda x: x.split([1, 3, 0], dim=1), lambda x: x.split([1, 3, 0], dim=1),
         [(2, 4)]),
    Case("split larger than axis", lambda x: x.split(9, dim=-1), lambda x: x.split(9, dim=-1), [(2, 4)]),
    Case("chunk", lambda x: x.chunk(3), lambda x: x.chunk(3), [(7, 2)]),
    Case("chunk fewer", lambda x: x.chunk(4, dim=1), lambda x: x.chunk(4, dim=1), [(2, 6)]),
    Case("chunk more than size", lambda x: x.chunk(5), lambda x: x.chunk(5), [(3,)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
