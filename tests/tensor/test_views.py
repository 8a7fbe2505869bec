"""PyTorch's memory model at the Tensor level: views share their base's storage, an in-place write through
any of them is seen by all, NumPy arrays are shared both ways, one version counter per storage makes
backward refuse a saved value changed through any view, and the writes torch refuses are refused. Each case
runs the same code on edugrad and on torch and compares values (and gradients where there are any)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import edugrad.tensor as et
from edugrad.function import no_grad
from edugrad.tensor import Tensor

Write = Callable[[Any], object]


def base(lib: Any) -> Any:
    return lib.arange(6.0).reshape(2, 3)


def setitem(index: Any, value: Any) -> Write:
    def write(x: Any) -> None:
        x[index] = value
    return write


def row_then_column(x: Any) -> None:
    x[0][1] = 7  # the row is a view: the write reaches x


WRITES: dict[str, Write] = {
    "x[0].zero_()": lambda x: x[0].zero_(),
    "x[:, 1].fill_(9)": lambda x: x[:, 1].fill_(9),
    "x.view(6).add_(1)": lambda x: x.view(6).add_(1),
    "x.reshape(3, 2).sub_(1)": lambda x: x.reshape(3, 2).sub_(1),
    "x.T.mul_(2)": lambda x: x.T.mul_(2),
    "x.t().div_(2)": lambda x: x.t().div_(2),
    "x.permute(1, 0)[0].fill_(-1)": lambda x: x.permute(1, 0)[0].fill_(-1),
    "x.unsqueeze(0).squeeze(0)[1].clamp_(max=3)": lambda x: x.unsqueeze(0).squeeze(0)[1].clamp_(max=3),
    "x.narrow(1, 1, 2).mul_(10)": lambda x: x.narrow(1, 1, 2).mul_(10),
    "x.flatten()[2:4].copy_(...)": lambda x: x.flatten()[2:4].copy_(type(x)([8.0, 9.0])),
    "x[0][1] = 7": row_then_column,
    "x[1] = 5": setitem(1, 5.0),
    "x[:, 1:] = -1": setitem((slice(None), slice(1, None)), -1.0),
    "x[:, ::2] = 4 (a step)": setitem((slice(None), slice(None, None, 2)), 4.0),
    "x.numpy()[0, 0] = 100": lambda x: x.numpy().__setitem__((0, 0), 100),
    "x.detach().zero_()": lambda x: x.detach().zero_(),
    "x.data.add_(3)": lambda x: x.data.add_(3),
    "x.view_as(x).masked_fill_": lambda x: x.view_as(x).masked_fill_(x > 2, 0.5),
}


@pytest.mark.parametrize("name", WRITES)
def test_a_write_through_a_view_reaches_the_base_as_in_torch(name: str) -> None:
    ours, theirs = base(et), base(torch)
    WRITES[name](ours)
    WRITES[name](theirs)
    assert ours.tolist() == theirs.tolist()
    if name.startswith("x.data"):  # torch's .data counts writes apart; edugrad counts them (see README)
        assert ours._version == 1 and theirs._version == 0
    else:  # (a write through NumPy is counted by neither)
        assert ours._version == theirs._version


def test_a_write_to_the_base_reaches_every_view_made_before_it() -> None:
    for lib in (et, torch):
        x = base(lib)
        row, column, transposed, flat = x[1], x[:, 2], x.T, x.view(6)
        x.add_(10)
        assert row.tolist() == [13.0, 14.0, 15.0] and column.tolist() == [12.0, 15.0]
        assert transposed.tolist() == [[10.0, 13.0], [11.0, 14.0], [12.0, 15.0]] and flat[5].item() == 15
        assert row._version == column._version == x._version == 1


def test_strides_and_offsets_are_torchs() -> None:
    ours, theirs = base(et), base(torch)
    views: dict[str, Callable[[Any], Any]] = {
        "x": lambda x: x, "x[1]": lambda x: x[1], "x[:, 1]": lambda x: x[:, 1], "x.T": lambda x: x.T,
        "x[None]": lambda x: x[None], "x[0:1].expand(4, 3)": lambda x: x[0:1].expand(4, 3),
        "x.narrow(1, 1, 2)": lambda x: x.narrow(1, 1, 2), "x.view(3, 2)": lambda x: x.view(3, 2),
    }
    for name, make in views.items():
        mine, torchs = make(ours), make(theirs)
        assert mine.stride() == torchs.stride(), name
        assert mine.storage_offset() == torchs.storage_offset(), name
        assert mine.is_contiguous() == torchs.is_contiguous(), name
    assert ours.T.stride(0) == theirs.T.stride(0) == 1


def test_copies_do_not_share() -> None:
    copies: dict[str, Callable[[Any], Any]] = {
        "clone": lambda x: x.clone(), "flip": lambda x: x.flip(0), "x + 0": lambda x: x + 0,
        "T.contiguous": lambda x: x.T.contiguous(), "T.reshape": lambda x: x.T.reshape(6),
        "x[[0, 1]]": lambda x: x[[0, 1]],
    }
    for name, make in copies.items():
        for lib in (et, torch):
            x = base(lib)
            make(x).mul_(0)
            assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], (name, lib.__name__)


def test_view_of_a_transpose_is_refused_as_in_torch_and_reshape_copies() -> None:
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        base(torch).T.view(6)
    with pytest.raises(RuntimeError, match=r"view: view size \(6,\) is not compatible .* Use .reshape"):
        base(et).T.view(6)
    assert base(et).T.reshape(6).tolist() == base(torch).T.reshape(6).tolist()
    assert base(et).T.contiguous().view(6).tolist() == base(torch).T.contiguous().view(6).tolist()


def test_view_with_a_dtype_reads_the_same_bytes() -> None:
    ours, theirs = et.tensor([1.0, -2.0]), torch.tensor([1.0, -2.0])
    assert ours.view(et.int32).tolist() == theirs.view(torch.int32).tolist()


def test_numpy_and_from_numpy_share_memory_both_ways() -> None:
    array = np.zeros((2, 2), np.float32)
    ours, theirs = et.from_numpy(array), torch.from_numpy(array)
    array[0, 1] = 5
    assert ours.tolist() == theirs.tolist() == [[0.0, 5.0], [0.0, 0.0]]
    ours[1].fill_(2)
    assert array.tolist() == [[0.0, 5.0], [2.0, 2.0]] and theirs.tolist() == array.tolist()
    x = et.ones(3)
    x.numpy()[1] = 0
    assert x.tolist() == [1.0, 0.0, 1.0]


def test_numpy_of_a_tensor_that_requires_grad_is_read_only() -> None:
    w = et.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        torch.ones(2, requires_grad=True).numpy()
    values = w.numpy()
    assert values.tolist() == [1.0, 1.0] and not values.flags.writeable
    writable = w.detach().numpy()
    writable[0] = 3
    assert w.tolist() == [3.0, 1.0]
    forced = w.numpy(force=True)
    forced[1] = 7  # a copy
    assert w.tolist() == [3.0, 1.0]


def test_from_numpy_refuses_negative_strides_and_a_read_only_array_refuses_writes() -> None:
    with pytest.raises(ValueError, match="negative"):
        torch.from_numpy(np.arange(3.0)[::-1])
    with pytest.raises(ValueError, match="from_numpy: at least one stride in the given NumPy array is negative"):
        et.from_numpy(np.arange(3.0)[::-1])
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(RuntimeError, match="read-only"):
        et.from_numpy(frozen).add_(1)


def test_a_write_into_an_expanded_tensor_is_refused_as_in_torch() -> None:
    message = "more than one element of the written-to tensor refers to a single memory location"
    with pytest.raises(RuntimeError, match=message):
        torch.ones(2, 1).expand(2, 3).add_(1)
    with pytest.raises(RuntimeError, match=message):
        et.ones(2, 1).expand(2, 3).add_(1)
    ours = et.ones(2, 1).expand(2, 3).contiguous()
    ours.add_(1)  # a copy is writable
    assert ours.tolist() == torch.ones(2, 1).expand(2, 3).contiguous().add_(1).tolist()


def test_in_place_on_a_leaf_that_requires_grad_is_refused_with_torchs_words() -> None:
    message = "a leaf Variable that requires grad is being used in an in-place operation"
    with pytest.raises(RuntimeError, match=message):
        torch.ones(2, requires_grad=True).add_(1)
    w = et.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: " + message):
        w.add_(1)
    with pytest.raises(RuntimeError, match="setitem: " + message):
        w[0] = 3.0
    with no_grad():
        w[0] = 3.0
        w.add_(1)
    assert w.tolist() == [4.0, 2.0]


def saved_then_changed(lib: Any, change: Callable[[Any], object]) -> tuple[Any, Any]:
    """y = sum(x * b) with b saved by the product; then b is changed through a view before backward."""
    x = lib.ones(3, requires_grad=True)
    b = lib.arange(3.0)
    loss = (x * b).sum()
    change(b)
    return loss, x


CHANGES: dict[str, Callable[[Any], object]] = {
    "b[0:1].mul_(2)": lambda b: b[0:1].mul_(2),
    "b.view(3, 1).add_(1)": lambda b: b.view(3, 1).add_(1),
    "b[1] = 5": lambda b: b.__setitem__(1, 5.0),
    "b.detach().zero_()": lambda b: b.detach().zero_(),
    "b.data.fill_(1)": lambda b: b.data.fill_(1),
}


@pytest.mark.parametrize("name", CHANGES)
def test_backward_refuses_a_saved_value_changed_through_a_view(name: str) -> None:
    theirs, _ = saved_then_changed(torch, CHANGES[name])
    ours, _ = saved_then_changed(et, CHANGES[name])
    if name != "b.data.fill_(1)":  # torch's .data has a version counter of its own: torch misses this one
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            theirs.backward()
    with pytest.raises(RuntimeError, match="modified .*in place"):
        ours.backward()


def test_a_change_to_an_unsaved_value_through_a_view_leaves_backward_as_torchs() -> None:
    # x + b saves nothing, so changing b afterwards is harmless: the gradients are torch's.
    results = []
    for lib in (et, torch):
        x, b = lib.ones(3, requires_grad=True), lib.arange(3.0)
        loss = ((x + b) * 2).sum()
        b[0:2].mul_(10)
        loss.backward()
        results.append((x.grad.tolist(), b.tolist()))
    assert results[0] == results[1]


def test_a_view_made_in_the_graph_carries_gradients_as_torchs() -> None:
    grads = []
    for lib in (et, torch):
        w = lib.arange(6.0).reshape(2, 3).requires_grad_()
        out = (w.T[1:] * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum() + w.view(6)[4] * 5 + w[0][2]
        out.backward()
        grads.append(w.grad.tolist())
    assert grads[0] == grads[1]


def test_an_optimizer_step_writes_the_parameter_memory_that_views_share() -> None:
    results = []
    for lib in (et, torch):
        p = lib.ones(2, 2, requires_grad=True)
        row = p.detach()[0]
        (p * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        with (no_grad() if lib is et else torch.no_grad()):
            p.data.add_(p.grad, alpha=-0.5)  # pytorch/examples' regression step
        results.append((p.tolist(), row.tolist()))
    assert results[0] == results[1]


def test_setting_data_swaps_the_storage_and_refuses_a_non_tensor() -> None:
    for lib in (et, torch):
        w = lib.ones(2, requires_grad=True)
        w.data = lib.tensor([3.0, 4.0, 5.0])
        assert (w * 2).tolist() == [6.0, 8.0, 10.0] and w.requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got numpy.ndarray"):
        torch.ones(2, requires_grad=True).data = np.zeros(2)  # type: ignore[assignment]
    with pytest.raises(TypeError, match="data: the new data has to be a Tensor, but got ndarray"):
        et.ones(2, requires_grad=True).data = np.zeros(2)  # type: ignore[assignment]


def test_a_repeated_advanced_index_keeps_the_last_value_as_torch() -> None:
    ours, theirs = et.zeros(3), torch.zeros(3)
    ours[[0, 0]] = Tensor([1.0, 2.0])
    theirs[[0, 0]] = torch.tensor([1.0, 2.0])
    assert ours.tolist() == theirs.tolist() == [2.0, 0.0, 0.0]


def test_is_set_to_means_the_same_view_of_one_storage() -> None:
    for lib in (et, torch):
        x = base(lib)
        assert x.detach().is_set_to(x) and x.view(2, 3).is_set_to(x)
        assert not x[0].is_set_to(x) and not x.clone().is_set_to(x)


def test_contiguous_of_a_transpose_in_the_graph_is_contiguous_and_carries_gradients_as_torchs() -> None:
    results = []
    for lib in (et, torch):
        w = lib.arange(6.0).reshape(2, 3).requires_grad_()
        packed = w.T.contiguous()
        assert packed.is_contiguous() and packed.stride() == (2, 1)
        (packed.view(6) * lib.arange(6.0)).sum().backward()  # view needs the contiguous copy
        results.append(w.grad.tolist())
    assert results[0] == results[1]
