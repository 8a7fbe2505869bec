"""Parity of cat, stack, split and chunk with PyTorch: values, dtypes and gradients."""

import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import cat, stack
from edugrad.tensor.combine import split

CASES = [
    Case("cat", lambda a, b: cat([a, b]), lambda a, b: torch.cat([a, b]), [(2, 3), (4, 3)]),
    Case("cat dim 1", lambda a, b, c: cat([a, b, c], 1), lambda a, b, c: torch.cat([a, b, c], 1),
         [(2, 1), (2, 3), (2, 2)]),
    Case("cat tuple dim -1", lambda a, b: cat((a, b), dim=-1), lambda a, b: torch.cat((a, b), dim=-1),
         [(2, 2, 1), (2, 2, 3)]),
    Case("cat many", lambda *xs: cat(xs, dim=0), lambda *xs: torch.cat(xs, dim=0),
         [(1, 2), (2, 2), (3, 2), (1, 2), (2, 2)]),
    Case("cat one", lambda a: cat([a], dim=1), lambda a: torch.cat([a], dim=1), [(2, 3)]),
    Case("cat makemore's embeddings", lambda *xs: cat(xs, -1), lambda *xs: torch.cat(xs, -1), [(2, 3, 4)] * 23),
    Case("cat empty along dim", lambda a, b, c: cat([a, b, c], 1), lambda a, b, c: torch.cat([a, b, c], 1),
         [(2, 0), (2, 3), (2, 0)]),
    Case("cat empty part", lambda a, b: cat([a, b]), lambda a, b: torch.cat([a, b]), [(0, 3), (2, 3)]),
    Case("cat int", lambda a, b: cat([a, b]), lambda a, b: torch.cat([a, b]), [(2,), (3,)], dtype="int64", low=-5,
         high=5),
    Case("stack", lambda a, b: stack([a, b]), lambda a, b: torch.stack([a, b]), [(2, 3), (2, 3)]),
    Case("stack last", lambda a, b, c: stack([a, b, c], -1), lambda a, b, c: torch.stack([a, b, c], -1),
         [(2, 3), (2, 3), (2, 3)]),
    Case("stack dim 1", lambda a, b: stack([a, b], dim=1), lambda a, b: torch.stack([a, b], dim=1),
         [(4,), (4,)]),
    Case("split size", lambda x: x.split(2), lambda x: x.split(2), [(5, 3)]),
    Case("split sections dim 1", lambda x: x.split([1, 3, 0], dim=1), lambda x: x.split([1, 3, 0], dim=1),
         [(2, 4)]),
    Case("split larger than axis", lambda x: x.split(9, dim=-1), lambda x: x.split(9, dim=-1), [(2, 4)]),
    Case("split function", lambda x: split(x, [3, 1], 1), lambda x: torch.split(x, [3, 1], 1), [(2, 4)]),
    Case("split keyword", lambda x: x.split(split_size=2), lambda x: x.split(split_size=2), [(5, 3)]),
    Case("chunk", lambda x: x.chunk(3), lambda x: x.chunk(3), [(7, 2)]),
    Case("chunk fewer", lambda x: x.chunk(4, dim=1), lambda x: x.chunk(4, dim=1), [(2, 6)]),
    Case("chunk more than size", lambda x: x.chunk(5), lambda x: x.chunk(5), [(3,)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
