"""Parity of indexing with PyTorch: x[...] in all its forms, gather, scatter, scatter_add and masked_fill,
comparing values, dtypes and gradients (an element read twice must get both gradients)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from parity import Case, check_parity

from edugrad.tensor import Tensor, tensor

def ints(values: list[int]) -> Tensor:
    """An int64 index tensor."""
    return tensor(np.asarray(values, dtype=np.int64)).long()


MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
ROWS, COLS = [[0, 2], [1, 1]], [[3, 0], [3, 1]]
# Indices that write some positions more than once (and leave others alone), for scatter.
REPEATED_COLS = [[2, 2, 0], [3, 1, 3], [1, 1, 1]]
REPEATED_ROWS = [[0, 2], [2, 2], [0, 1], [2, 1]]
REPEATED_3D = [[[0, 0, 2, 0], [1, 2, 1, 1]], [[2, 2, 2, 2], [0, 1, 0, 1]]]


def getitem(name: str, shape: tuple[int, ...], index: Callable[[Any], Any], dtype: str = "float32") -> Case:
    """x[index(T)] where T builds the index tensors: edugrad's Tensor for edugrad, torch.tensor for torch."""
    return Case(f"getitem {name}", lambda x: x[index(tensor)], lambda x: x[index(torch.tensor)], [shape],
                dtype=dtype, low=-9, high=9)


GETITEM = [
    getitem("x[1]", (4, 3), lambda T: 1),
    getitem("x[-1]", (4, 3), lambda T: -1),
    getitem("x[1, -2]", (4, 3), lambda T: (1, -2)),
    getitem("x[1:5:2]", (7, 2), lambda T: slice(1, 5, 2)),
    getitem("x[::3] padded", (8,), lambda T: slice(None, None, 3)),
    getitem("x[5:1] empty", (6, 2), lambda T: slice(5, 1)),
    getitem("x[None, ..., 0]", (2, 3, 4), lambda T: (None, Ellipsis, 0)),
    getitem("x[..., None, 1:]", (2, 3), lambda T: (Ellipsis, None, slice(1, None))),
    getitem("x[idx_tensor]", (4, 3), lambda T: T([0, 3, 1])),
    getitem("x[[0, 2, 2]] repeated", (3, 2), lambda T: [0, 2, 2]),
    getitem("x[[-1, 0]] negative", (3, 2), lambda T: [-1, 0]),
    getitem("x[2-d index]", (5, 2), lambda T: T([[0, 4], [4, 4]])),
    getitem("x[idx1, idx2]", (3, 4), lambda T: (T(ROWS), T(COLS))),
    getitem("x[idx1, idx2] broadcast", (3, 4), lambda T: (T([[0], [2]]), T([1, 3, 3]))),
    getitem("x[:, [1, 0]]", (3, 4, 2), lambda T: (slice(None), [1, 0])),
    getitem("x[[0, 1], :, [1, 0]] apart", (2, 3, 2), lambda T: ([0, 1], slice(None), [1, 0])),
    getitem("x[:, [0, 1], [1, 0]] adjacent", (2, 3, 4), lambda T: (slice(None), [0, 1], [1, 0])),
    getitem("x[0, :, [1, 2]] int first", (2, 3, 4), lambda T: (0, slice(None), [1, 2])),
    getitem("x[[0, 1], 1:3, 0]", (2, 4, 3), lambda T: ([0, 1], slice(1, 3), 0)),
    getitem("x[::2, [2, 0]]", (5, 3), lambda T: (slice(None, None, 2), [2, 0])),
    getitem("x[mask]", (3, 4), lambda T: T(MASK)),
    getitem("x[:, mask]", (2, 3, 4), lambda T: (slice(None), T(MASK))),
    getitem("x[mask, [0, 1]]", (3, 2, 2), lambda T: (T(MASK[:, :2]), [0, 1, 1])),
    getitem("x[row mask]", (3, 2), lambda T: T([True, False, True])),
    getitem("x[True]", (2, 3), lambda T: True),
    getitem("x[False]", (2, 3), lambda T: False),
    getitem("x[0-d int tensor]", (3, 2), lambda T: T(2)),
    getitem("x[[]]", (3, 2), lambda T: []),
    getitem("int x[1:, [0]]", (3, 2), lambda T: (slice(1, None), [0]), dtype="int64"),
]

# torch has no negative slice steps: compare with a flip, then the positive step.
NEGATIVE_STEPS = [
    Case("getitem x[::-1]", lambda x: x[::-1], lambda x: x.flip(0), [(5, 2)]),
    Case("getitem x[::-2, 1]", lambda x: x[::-2, 1], lambda x: x.flip(0)[::2, 1], [(5, 3)]),
    Case("getitem x[-2:0:-3]", lambda x: x[-2:0:-3], lambda x: x.flip(0)[1::3], [(9,)]),
    Case("getitem x[1, 4:0:-2]", lambda x: x[1, 4:0:-2], lambda x: x[1].flip(0)[1:5:2], [(2, 6)]),
    Case("getitem bool x[:, ::-1]", lambda x: x[:, ::-1], lambda x: x.flip(1), [(3, 2)], dtype="bool"),
]

CASES = GETITEM + NEGATIVE_STEPS + [
    Case("getitem x[x > 0]", lambda x: x[x > 0], lambda x: x[x > 0], [(4, 5)]),
    Case("getitem x[x > 0] empty", lambda x: x[x > 9], lambda x: x[x > 9], [(4, 5)]),
    Case("gather dim 0", lambda x: x.gather(0, tensor(ROWS)), lambda x: x.gather(0, torch.tensor(ROWS)), [(3, 4)]),
    Case("gather dim -1 smaller", lambda x: x.gather(-1, tensor(COLS)), lambda x: x.gather(-1, torch.tensor(COLS)),
         [(3, 4)]),
    Case("scatter", lambda x, s: x.scatter(1, tensor([[2, 0], [1, 3]]), s),
         lambda x, s: x.scatter(1, torch.tensor([[2, 0], [1, 3]]), s), [(2, 4), (2, 2)]),
    # torch's backward fails when src is larger than index, so only the values are compared there.
    Case("scatter larger src", lambda x, s: x.scatter(1, tensor([[2, 0], [1, 3]]), s),
         lambda x, s: x.scatter(1, torch.tensor([[2, 0], [1, 3]]), s), [(2, 4), (2, 3)], grad=False),
    Case("scatter value", lambda x: x.scatter(0, tensor([[1, 0, 2]]), 5.0),
         lambda x: x.scatter(0, torch.tensor([[1, 0, 2]]), 5.0), [(3, 3)]),
    # Repeated positions: the last write wins, x's gradient is 0 where anything was written, and every src
    # element gets the gradient of its position, also the writes that a later one covered (torch's formula).
    Case("scatter repeated dim 1", lambda x, s: x.scatter(1, tensor(REPEATED_COLS), s),
         lambda x, s: x.scatter(1, torch.tensor(REPEATED_COLS), s), [(3, 4), (3, 3)]),
    Case("scatter repeated dim 0", lambda x, s: x.scatter(0, tensor(REPEATED_ROWS), s),
         lambda x, s: x.scatter(0, torch.tensor(REPEATED_ROWS), s), [(3, 2), (4, 2)]),
    Case("scatter repeated 3-d dim -1", lambda x, s: x.scatter(-1, tensor(REPEATED_3D), s),
         lambda x, s: x.scatter(-1, torch.tensor(REPEATED_3D), s), [(2, 2, 3), (2, 2, 4)]),
    Case("scatter repeated 1-d", lambda x, s: x.scatter(0, tensor([4, 1, 4, 4, 0, 1]), s),
         lambda x, s: x.scatter(0, torch.tensor([4, 1, 4, 4, 0, 1]), s), [(5,), (6,)]),
    Case("scatter repeated value", lambda x: x.scatter(1, tensor(REPEATED_COLS), -1.5),
         lambda x: x.scatter(1, torch.tensor(REPEATED_COLS), -1.5), [(3, 4)]),
    Case("scatter 0-d", lambda x, s: x.scatter(0, tensor(0), s), lambda x, s: x.scatter(0, torch.tensor(0), s),
         [(), ()]),
    Case("scatter empty index", lambda x, s: x.scatter(1, tensor(np.zeros((2, 0), np.int64)), s),
         lambda x, s: x.scatter(1, torch.zeros(2, 0, dtype=torch.long), s), [(2, 3), (2, 0)]),
    Case("scatter repeated int", lambda x, s: x.scatter(1, tensor(REPEATED_COLS), s),
         lambda x, s: x.scatter(1, torch.tensor(REPEATED_COLS), s), [(3, 4), (3, 3)], dtype="int64", low=-9,
         high=9),
    Case("scatter repeated bool", lambda x, s: x.scatter(0, tensor(REPEATED_ROWS), s),
         lambda x, s: x.scatter(0, torch.tensor(REPEATED_ROWS), s), [(3, 2), (4, 2)], dtype="bool"),
    Case("scatter_add repeated", lambda x, s: x.scatter_add(0, tensor([[0, 1], [0, 0], [2, 1]]), s),
         lambda x, s: x.scatter_add(0, torch.tensor([[0, 1], [0, 0], [2, 1]]), s), [(3, 2), (3, 2)]),
    Case("scatter_add larger src", lambda x, s: x.scatter_add(1, tensor([[1], [0]]), s),
         lambda x, s: x.scatter_add(1, torch.tensor([[1], [0]]), s), [(2, 3), (2, 2)], grad=False),
    Case("masked_fill", lambda x: x.masked_fill(tensor(MASK), -1.5), lambda x: x.masked_fill(torch.tensor(MASK), -1.5),
         [(3, 4)]),
    Case("masked_fill broadcast", lambda x: x.masked_fill(tensor([True, False]), 0.0),
         lambda x: x.masked_fill(torch.tensor([True, False]), 0.0), [(3, 2)]),
    Case("masked_fill tensor value", lambda x, v: x.masked_fill(tensor(MASK), v.reshape(())),
         lambda x, v: x.masked_fill(torch.tensor(MASK), v.reshape(())), [(3, 4), (1,)]),
    Case("masked_fill int", lambda x: x.masked_fill(x > 0, 3), lambda x: x.masked_fill(x > 0, 3), [(2, 3)],
         dtype="int64", low=-5, high=5),
    Case("index_select repeated", lambda x: x.index_select(1, ints([3, 0, 3])),
         lambda x: x.index_select(1, torch.tensor([3, 0, 3])), [(2, 4)]),
    Case("index_select dim 0", lambda x: x.index_select(0, ints([2, 1])),
         lambda x: x.index_select(0, torch.tensor([2, 1])), [(3, 2, 2)]),
    Case("index_select empty", lambda x: x.index_select(-1, ints([])),
         lambda x: x.index_select(-1, torch.tensor([], dtype=torch.long)), [(2, 3)]),
    Case("repeat_interleave flat", lambda x: x.repeat_interleave(2), lambda x: x.repeat_interleave(2), [(2, 3)]),
    Case("repeat_interleave dim", lambda x: x.repeat_interleave(3, dim=1), lambda x: x.repeat_interleave(3, dim=1),
         [(2, 2)]),
    Case("repeat_interleave counts", lambda x: x.repeat_interleave(ints([1, 0, 3]), 0),
         lambda x: x.repeat_interleave(torch.tensor([1, 0, 3]), 0), [(3, 2)]),
    Case("repeat_interleave zero", lambda x: x.repeat_interleave(0, -1), lambda x: x.repeat_interleave(0, -1),
         [(2, 3)]),
    Case("repeat_interleave one count tensor", lambda x: x.repeat_interleave(ints([2]), 0),
         lambda x: x.repeat_interleave(torch.tensor([2]), 0), [(3,)], dtype="int64", low=-5, high=5),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
