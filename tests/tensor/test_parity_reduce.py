"""Parity of the reductions with PyTorch: value, dtype and input gradients, over several shapes and axes."""

import numpy as np
import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import Tensor

# A fixed mask with zeros (whole rows and single elements), so products meet exact zeros.
ZEROS = np.array([[1, 0, 1, 1], [1, 1, 1, 1], [0, 1, 0, 1]], dtype=np.float32)


def with_zeros(x, library):
    return x * (Tensor(ZEROS) if library == "edugrad" else torch.tensor(ZEROS))


CASES = [
    Case("sum 0-d", lambda x: x.sum(), torch.sum, [()]),
    Case("sum int64 dtype", lambda x: x.sum(1), lambda x: x.sum(1), [(3, 4)], dtype="int32", low=-9, high=9),
    Case("sum bool", lambda x: x.sum(), torch.sum, [(5,)], dtype="bool"),
    Case("prod all", lambda x: x.prod(), torch.prod, [(3, 4)], low=0.5, high=1.5),
    Case("prod axis", lambda x: x.prod(1), lambda x: x.prod(1), [(3, 5)]),
    Case("prod dim keepdim", lambda x: x.prod(dim=0, keepdim=True), lambda x: x.prod(0, keepdim=True), [(7, 2)]),
    Case("prod tuple axes", lambda x: x.prod((0, 2)), lambda x: x.prod(2).prod(0), [(2, 3, 3)], low=0.5),
    Case("prod 0-d", lambda x: x.prod(), torch.prod, [()]),
    Case("prod with zeros", lambda x: with_zeros(x, "edugrad").prod(1), lambda x: with_zeros(x, "torch").prod(1),
         [(3, 4)]),
    Case("prod with zeros all", lambda x: with_zeros(x, "edugrad")[1:].prod(),
         lambda x: with_zeros(x, "torch")[1:].prod(), [(3, 4)]),
    Case("prod int", lambda x: x.prod(0), lambda x: x.prod(0), [(4, 3)], dtype="int64", low=-3, high=4),
    Case("prod bool", lambda x: x.prod(), torch.prod, [(4,)], dtype="bool"),
    Case("mean int", lambda x: x.mean(), lambda x: x.float().mean(), [(3, 4)], dtype="int64", low=-5, high=5),
    Case("var", lambda x: x.var(), torch.var, [(4, 5)]),
    Case("var axis keepdim", lambda x: x.var(1, keepdim=True), lambda x: x.var(1, keepdim=True), [(3, 6)]),
    Case("var correction 0", lambda x: x.var(0, correction=0), lambda x: x.var(0, correction=0), [(5, 2)]),
    Case("var tuple dim", lambda x: x.var(dim=(0, 2)), lambda x: x.var(dim=(0, 2)), [(2, 3, 4)]),
    Case("std", lambda x: x.std(-1), lambda x: x.std(-1), [(3, 5)]),
    Case("std correction 2", lambda x: x.std(correction=2), lambda x: x.std(correction=2), [(6,)]),
    Case("max axis", lambda x: x.max(0), lambda x: x.amax(0), [(4, 3)]),
    Case("max keepdim tuple", lambda x: x.max((0, 1), keepdim=True), lambda x: x.amax((0, 1), keepdim=True),
         [(2, 3, 2)]),
    Case("min axis", lambda x: x.min(1), lambda x: x.amin(1), [(4, 3)]),
    Case("min ties", lambda x: x.round().min(), lambda x: x.round().amin(), [(3, 3)], grad=False),
    Case("max int ties", lambda x: x.max(1), lambda x: x.amax(1), [(4, 6)], dtype="int64", low=-2, high=2),
    Case("min int", lambda x: x.min(0), lambda x: x.amin(0), [(5, 3)], dtype="int32", low=-100, high=100),
    Case("min uint8", lambda x: x.min(0), lambda x: x.amin(0), [(5, 3)], dtype="uint8", low=0, high=256),
    Case("min bool", lambda x: x.min(1), lambda x: x.amin(1), [(3, 4)], dtype="bool"),
    Case("argmax all", lambda x: x.argmax(), torch.argmax, [(3, 4)]),
    Case("argmax axis", lambda x: x.argmax(1), lambda x: x.argmax(1), [(3, 4)]),
    Case("argmax keepdim", lambda x: x.argmax(dim=0, keepdim=True), lambda x: x.argmax(0, keepdim=True),
         [(3, 4, 2)]),
    Case("argmax all keepdim", lambda x: x.argmax(keepdim=True), lambda x: x.argmax(keepdim=True), [(3, 4)]),
    Case("argmax ties first", lambda x: x.argmax(1), lambda x: x.argmax(1), [(6, 8)], dtype="int64", low=0,
         high=3),
    Case("argmin ties first", lambda x: x.argmin(0), lambda x: x.argmin(0), [(8, 6)], dtype="int64", low=0,
         high=3),
    Case("argmin all", lambda x: x.argmin(), torch.argmin, [(5,)]),
    Case("argmax 0-d", lambda x: x.argmax(), torch.argmax, [()]),
    Case("logsumexp", lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), [(3, 5)]),
    Case("logsumexp all", lambda x: x.logsumexp(), lambda x: x.logsumexp((0, 1)), [(3, 5)]),
    Case("logsumexp large", lambda x: x.logsumexp(0, keepdim=True), lambda x: x.logsumexp(0, keepdim=True),
         [(4, 3)], low=80, high=120, rtol=1e-5),
    Case("softmax", lambda x: x.softmax(), lambda x: x.softmax(-1), [(3, 5)]),
    Case("softmax dim 0", lambda x: x.softmax(dim=0), lambda x: x.softmax(0), [(4, 2, 3)]),
    Case("softmax large", lambda x: x.softmax(), lambda x: x.softmax(-1), [(2, 6)], low=-500, high=500),
    Case("softmax 0-d", lambda x: x.softmax(), lambda x: x.softmax(0), [()]),
    Case("log_softmax", lambda x: x.log_softmax(), lambda x: x.log_softmax(-1), [(3, 5)]),
    Case("log_softmax large", lambda x: x.log_softmax(0), lambda x: x.log_softmax(0), [(6, 2)], low=-300,
         high=300, rtol=1e-5),
    Case("cumsum", lambda x: x.cumsum(), lambda x: x.cumsum(0), [(5, 3)]),
    Case("cumsum dim", lambda x: x.cumsum(dim=-1), lambda x: x.cumsum(-1), [(2, 7)]),
    Case("cumsum bool", lambda x: x.cumsum(), lambda x: x.cumsum(0), [(6,)], dtype="bool"),
    Case("cumprod", lambda x: x.cumprod(1), lambda x: x.cumprod(1), [(2, 9)]),
    Case("cumprod with zeros", lambda x: with_zeros(x, "edugrad").cumprod(1),
         lambda x: with_zeros(x, "torch").cumprod(1), [(3, 4)]),
    Case("cumprod int", lambda x: x.cumprod(0), lambda x: x.cumprod(0), [(5, 2)], dtype="int32", low=-3, high=4),
    Case("cumprod 0-d", lambda x: x.cumprod(), lambda x: x.cumprod(0), [()]),
    Case("any bool", lambda x: x.any(1), lambda x: x.any(1), [(4, 3)], dtype="bool"),
    Case("all bool", lambda x: x.all(0), lambda x: x.all(0), [(2, 5)], dtype="bool"),
    Case("any float", lambda x: x.round().any(), lambda x: x.round().any(), [(3,)], low=-0.6, high=0.6),
    Case("all keepdim", lambda x: x.all(1, keepdim=True), lambda x: x.all(1, keepdim=True), [(3, 2)],
         dtype="bool"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
