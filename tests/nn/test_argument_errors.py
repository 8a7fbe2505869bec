"""Arguments of the wrong kind, which failed deep inside Python or NumPy (or were accepted) before issue 15: each
raises what torch 2.13 raises, with a message naming the op and the argument."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

import edugrad.torch as et


def _clip_norm(T: Any, max_norm: Any) -> Any:
    p = T.nn.Parameter(T.ones(2))
    p.grad = T.ones(2)
    return T.nn.utils.clip_grad_norm_([p], max_norm=max_norm)


def _clip_value(T: Any, clip_value: Any) -> Any:
    p = T.nn.Parameter(T.ones(2))
    p.grad = T.ones(2)
    return T.nn.utils.clip_grad_value_([p], clip_value=clip_value)


CASES: list[tuple[str, Callable[[Any], Any], type[Exception], str]] = [
    ("Dropout('a')", lambda T: T.nn.Dropout("a"), TypeError, "Dropout: p must be a number, got str"),
    ("Dropout2d(None)", lambda T: T.nn.Dropout2d(None), TypeError, "Dropout2d: p must be a number, got NoneType"),
    ("TensorDataset[1.0]", lambda T: T.utils.data.TensorDataset(T.zeros(3))[1.0], IndexError,
     "TensorDataset: an index must be an int, a slice, a list or a Tensor of ints, got float"),
    ("clip_grad_norm_('a')", lambda T: _clip_norm(T, "a"), ValueError, "clip_grad_norm_: max_norm must be a number"),
    ("clip_grad_norm_(None)", lambda T: _clip_norm(T, None), TypeError, "clip_grad_norm_: max_norm must be a number"),
    ("clip_grad_value_('a')", lambda T: _clip_value(T, "a"), ValueError,
     "clip_grad_value_: clip_value must be a number"),
    ("cross_entropy(ignore_index=1.5)",
     lambda T: T.nn.functional.cross_entropy(T.zeros(2, 3), T.tensor([0, 1]), ignore_index=1.5), TypeError,
     "cross_entropy: ignore_index must be an int, got float"),
    ("nll_loss(ignore_index=1.5)",
     lambda T: T.nn.functional.nll_loss(T.zeros(2, 3), T.tensor([0, 1]), ignore_index=1.5), TypeError,
     "nll_loss: ignore_index must be an int, got float"),
    ("CrossEntropyLoss(ignore_index=1.5)(...)",
     lambda T: T.nn.CrossEntropyLoss(ignore_index=1.5)(T.zeros(2, 3), T.tensor([0, 1])), TypeError,
     "cross_entropy: ignore_index must be an int, got float"),
]


@pytest.mark.parametrize(("call", "error", "message"), [(c, e, m) for _, c, e, m in CASES],
                         ids=[name for name, *_ in CASES])
def test_a_bad_argument_raises_torchs_exception_naming_the_op(call: Callable[[Any], Any], error: type[Exception],
                                                              message: str) -> None:
    with pytest.raises(error):
        call(torch)
    with pytest.raises(error, match=message):
        call(et)


def test_clip_grad_reads_its_bounds_as_torch_does() -> None:
    # float(value), as torch: a 0-d tensor and a numeric string are bounds too.
    for max_norm in ("0.5", 0.5):
        assert float(_clip_norm(et, max_norm)) == pytest.approx(float(_clip_norm(torch, max_norm)))
    p = et.nn.Parameter(et.ones(2))
    p.grad = et.full((2,), 3.0)
    et.nn.utils.clip_grad_value_([p], clip_value="1.5")
    assert p.grad.tolist() == [1.5, 1.5]


def test_an_integer_ignore_index_still_ignores() -> None:
    logits, target = [[0.0, 1.0, 2.0], [2.0, 0.0, 1.0]], [0, 1]
    for ignore_index in (1, -100):
        ours = et.nn.functional.cross_entropy(et.tensor(logits), et.tensor(target), ignore_index=ignore_index)
        theirs = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target),
                                                   ignore_index=ignore_index)
        assert ours.item() == pytest.approx(theirs.item())


def test_glu_of_an_empty_dimension_is_empty_as_torch() -> None:
    for shape, dim in (((0,), 0), ((2, 0), 1), ((0, 4), 1)):
        ours = et.nn.functional.glu(et.zeros(shape), dim)
        assert ours.shape == tuple(torch.nn.functional.glu(torch.zeros(shape), dim).shape)
