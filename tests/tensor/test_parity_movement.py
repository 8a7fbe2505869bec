"""Parity of the movement ops with PyTorch: values, dtypes and gradients."""

import pytest
import torch
import torch.nn.functional as F
from parity import Case, check_parity

from edugrad.tensor import movement

CASES = [
    Case("reshape -1", lambda x: x.reshape(3, -1), lambda x: x.reshape(3, -1), [(2, 3, 2)]),
    Case("reshape tuple", lambda x: x.reshape((4, 3)), lambda x: x.reshape((4, 3)), [(2, 6)]),
    Case("reshape to 0-d", lambda x: x.reshape(()), lambda x: x.reshape(()), [(1, 1)]),
    Case("view", lambda x: x.view(6, 2), lambda x: x.view(6, 2), [(3, 4)]),
    Case("expand leading", lambda x: x.expand(2, 3, -1), lambda x: x.expand(2, 3, -1), [(3, 1)]),
    Case("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), [(2, 3, 4)]),
    Case("transpose negative", lambda x: x.transpose(-1, 0), lambda x: x.transpose(-1, 0), [(2, 3, 4)]),
    Case("T", lambda x: x.T, lambda x: x.T, [(2, 5)]),
    Case("flatten middle", lambda x: x.flatten(1, 2), lambda x: x.flatten(1, 2), [(2, 3, 4, 2)]),
    Case("unflatten", lambda x: x.unflatten(1, (2, -1)), lambda x: x.unflatten(1, (2, -1)), [(3, 6)]),
    Case("squeeze all", lambda x: x.squeeze(), lambda x: x.squeeze(), [(1, 3, 1)]),
    Case("squeeze dim", lambda x: x.squeeze(-1), lambda x: x.squeeze(-1), [(1, 3, 1)]),
    Case("unsqueeze end", lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), [(2, 3)]),
    Case("flip one", lambda x: x.flip(0), lambda x: x.flip(0), [(3, 4)]),
    Case("flip list", lambda x: x.flip([0, -1]), lambda x: x.flip([0, -1]), [(3, 2, 4)]),
    Case("flip tuple", lambda x: x.flip((1, 2)), lambda x: x.flip((1, 2)), [(3, 2, 4)]),
    Case("torch.flip", lambda x: movement.flip(x, (-1,)), lambda x: torch.flip(x, (-1,)), [(3, 2)]),
    Case("flip dims keyword", lambda x: x.flip(dims=[0]), lambda x: x.flip(dims=[0]), [(3, 2)]),
    Case("pad", lambda x: x.pad(((1, 2), None)), lambda x: F.pad(x, (0, 0, 1, 2)), [(2, 3)]),
    Case("pad value", lambda x: x.pad(((0, 1), (2, 0)), value=-3.5), lambda x: F.pad(x, (2, 0, 0, 1), value=-3.5),
         [(2, 3)]),
    Case("pad crops", lambda x: x.pad(((-1, 2), (1, -2))), lambda x: F.pad(x, (1, -2, -1, 2)), [(3, 4)]),
    Case("pad2d", lambda x: x.pad2d((1, 2, 0, 1)), lambda x: F.pad(x, (1, 2, 0, 1)), [(2, 3, 4)]),
    Case("pad2d crops", lambda x: x.pad2d((-1, 1, 2, -2), value=1.0), lambda x: F.pad(x, (-1, 1, 2, -2), value=1.0),
         [(1, 4, 5)]),
    Case("shrink", lambda x: x.shrink(((1, 3), None, (0, 2))), lambda x: x[1:3, :, 0:2], [(4, 3, 5)]),
    Case("repeat", lambda x: x.repeat(2, 3), lambda x: x.repeat(2, 3), [(2, 3)]),
    Case("repeat new axes", lambda x: x.repeat((2, 1, 2)), lambda x: x.repeat((2, 1, 2)), [(3, 2)]),
    Case("repeat zero", lambda x: x.repeat(0, 2), lambda x: x.repeat(0, 2), [(2, 3)]),
    Case("flip int", lambda x: x.flip(1), lambda x: x.flip(1), [(2, 3)], dtype="int64", low=-9, high=9),
    Case("repeat bool", lambda x: x.repeat(2, 1), lambda x: x.repeat(2, 1), [(2, 3)], dtype="bool"),
    Case("pad int", lambda x: x.pad(((1, 1),), value=7), lambda x: F.pad(x, (1, 1), value=7), [(3,)],
         dtype="int64", low=-9, high=9),
    Case("t", lambda x: x.t(), lambda x: x.t(), [(2, 5)]),
    Case("t of a vector", lambda x: x.t(), lambda x: x.t(), [(4,)]),
    Case("mT", lambda x: x.mT, lambda x: x.mT, [(3, 2, 5)]),
    Case("swapaxes", lambda x: x.swapaxes(0, -1), lambda x: x.swapaxes(0, -1), [(2, 3, 4)]),
    Case("swapdims", lambda x: x.swapdims(1, 2), lambda x: x.swapdims(1, 2), [(2, 3, 4)]),
    Case("movedim one", lambda x: x.movedim(0, -1), lambda x: x.movedim(0, -1), [(2, 3, 4)]),
    Case("movedim several", lambda x: x.movedim((0, 1), (2, 0)), lambda x: x.movedim((0, 1), (2, 0)),
         [(2, 3, 4, 5)]),
    Case("narrow", lambda x: x.narrow(1, 1, 2), lambda x: x.narrow(1, 1, 2), [(3, 4)]),
    Case("narrow negative start", lambda x: x.narrow(-1, -3, 2), lambda x: x.narrow(-1, -3, 2), [(2, 5)]),
    Case("narrow empty", lambda x: x.narrow(0, 3, 0), lambda x: x.narrow(0, 3, 0), [(3, 2)]),
    Case("roll flat", lambda x: x.roll(2), lambda x: x.roll(2), [(3, 4)]),
    Case("roll dim", lambda x: x.roll(-1, 1), lambda x: x.roll(-1, 1), [(3, 4)]),
    Case("roll several", lambda x: x.roll((1, 5), (0, 1)), lambda x: x.roll((1, 5), (0, 1)), [(3, 4)]),
    Case("roll by the size", lambda x: x.roll(3, 0), lambda x: x.roll(3, 0), [(3, 2)]),
    Case("roll int", lambda x: x.roll(1, -1), lambda x: x.roll(1, -1), [(2, 5)], dtype="int64", low=-9, high=9),
    Case("view_as", lambda x, y: x.view_as(y), lambda x, y: x.view_as(y), [(2, 6), (3, 4)]),
    Case("reshape_as", lambda x, y: x.reshape_as(y), lambda x, y: x.reshape_as(y), [(2, 6), (4, 3)]),
    Case("expand_as", lambda x, y: x.expand_as(y), lambda x, y: x.expand_as(y), [(3, 1), (2, 3, 4)]),
    Case("unbind", lambda x: x.unbind(1), lambda x: x.unbind(1), [(2, 3, 2)]),
    Case("unbind first", lambda x: x.unbind(), lambda x: x.unbind(), [(3, 2)]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
