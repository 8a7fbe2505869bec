"""Basic indexing with a step is a view, as in torch: `x[::2]` has torch's strides and offset, shares x's
storage and version counter, a write through it reaches x (and a write to x reaches it), and its gradient is
torch's (the gradient at every step-th position, zeros elsewhere). Each case runs the same code on edugrad
and on torch and compares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import edugrad.tensor as et
from edugrad.function import grad
from edugrad.tensor import Tensor

Read = Callable[[Any], Any]

READS: dict[str, Read] = {
    "x[::2]": lambda x: x[::2],
    "x[1::3, ::2]": lambda x: x[1::3, ::2],
    "x[:, 1:4:2, 0]": lambda x: x[:, 1:4:2, 0],
    "x[1, None, ::3]": lambda x: x[1, None, ::3],
    "x[..., ::2]": lambda x: x[..., ::2],
    "x[::2][1:, ::2] (a view of a view)": lambda x: x[::2][1:, ::2],
    "x.T[::2] (steps over a transpose)": lambda x: x.permute(2, 1, 0)[::2],
    "x[5::2] (empty)": lambda x: x[5::2],
    "x[::7, ::10] (one element each)": lambda x: x[::7, ::10],
}


def base(lib: Any) -> Any:
    return lib.arange(60.0).reshape(5, 4, 3)


@pytest.mark.parametrize("name", READS)
def test_a_strided_read_is_a_view_with_torchs_strides(name: str) -> None:
    ours, theirs = base(et), base(torch)
    mine, torchs = READS[name](ours), READS[name](theirs)
    assert mine.shape == tuple(torchs.shape) and mine.tolist() == torchs.tolist()
    if mine.numel():  # (the strides of an empty tensor read nothing: NumPy and torch set them apart)
        assert mine.stride() == torchs.stride() and mine.storage_offset() == torchs.storage_offset()
        assert mine.is_contiguous() == torchs.is_contiguous()
    assert mine._data.storage is ours._data.storage


@pytest.mark.parametrize("name", READS)
def test_a_write_through_a_strided_view_reaches_the_base_as_in_torch(name: str) -> None:
    results = []
    for lib in (et, torch):
        x = base(lib)
        view = READS[name](x)
        view.mul_(-1)
        results.append((x.tolist(), x._version, view._version))
    assert results[0] == results[1]


def test_a_write_to_the_base_reaches_a_strided_view_made_before_it() -> None:
    results = []
    for lib in (et, torch):
        x = lib.arange(10.0)
        evens = x[::2]
        x.add_(100)
        x[4:].zero_()
        results.append((evens.tolist(), evens._version))
    assert results[0] == results[1] == ([100.0, 102.0, 0.0, 0.0, 0.0], 2)


def test_zero_of_every_other_element_as_in_torch() -> None:
    # The case that was silently different: a step read was a copy, so the write was lost.
    ours, theirs = et.ones(3, 6), torch.ones(3, 6)
    ours[:, ::2].zero_()
    theirs[:, ::2].zero_()
    assert ours.tolist() == theirs.tolist() and ours.sum().item() == 9


@pytest.mark.parametrize("name", [n for n in READS if "empty" not in n])
def test_the_gradient_of_a_strided_read_is_torchs(name: str) -> None:
    values = np.random.default_rng(0).standard_normal((5, 4, 3)).astype(np.float32)
    ours, theirs = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    for x, lib in ((ours, et), (theirs, torch)):
        read = READS[name](x)
        weights = lib.arange(float(read.numel())).reshape(read.shape)
        (read * read * weights).sum().backward()
    assert ours.grad is not None and theirs.grad is not None
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


def test_second_order_gradient_through_a_strided_read_is_torchs() -> None:
    values = np.linspace(-1.0, 2.0, 9, dtype=np.float32)
    ours, theirs = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    (first,) = grad((ours[1::3] ** 3).sum(), ours, create_graph=True)
    (first * first).sum().backward()
    (torchs_first,) = torch.autograd.grad((theirs[1::3] ** 3).sum(), theirs, create_graph=True)
    (torchs_first * torchs_first).sum().backward()
    assert ours.grad is not None and theirs.grad is not None
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5)


def test_setitem_with_a_step_writes_only_the_strided_positions_as_in_torch() -> None:
    results = []
    for lib in (et, torch):
        x = lib.zeros(4, 5)
        x[1::2, ::2] = lib.tensor([1.0, 2.0, 3.0])
        x[::3, 1::3] = -1.0
        results.append((x.tolist(), x._version))
    assert results[0] == results[1]


def test_backward_refuses_a_value_changed_through_a_strided_view_as_torch() -> None:
    for lib in (et, torch):
        x = lib.arange(6.0)
        w = lib.ones(3, requires_grad=True)
        loss = (w * x[::2]).sum()  # the product saves the strided view for w's gradient
        x[1::2].add_(1)  # another view of the same storage: the version counter is shared
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_a_negative_step_which_torch_refuses_reads_a_copy_as_numpy() -> None:
    with pytest.raises(ValueError, match="step must be greater than zero"):
        torch.arange(4.0)[::-1]
    x = et.arange(6.0)
    backwards = x[4::-2]
    assert backwards.tolist() == np.arange(6.0)[4::-2].tolist()
    assert backwards._data.storage is not x._data.storage
    x[::-2] = et.tensor([10.0, 20.0, 30.0])  # a write is placed where the read took the values from
    expected = np.arange(6.0)
    expected[::-2] = [10.0, 20.0, 30.0]
    assert x.tolist() == expected.tolist()
