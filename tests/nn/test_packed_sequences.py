"""nn.utils.rnn (padding and packing sequences of different lengths) and the recurrent layers on packed
input, against torch 2.13: the packed fields, values, gradients through packing, and RNN/LSTM/GRU outputs,
final states and parameter gradients with a torch state dict loaded; bad input names the op."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as TR

from edugrad import nn
from edugrad.nn.utils import rnn as R
from edugrad.tensor import Tensor, tensor


def _sequences(lengths: list[int], features: int = 3, seed: int = 0) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, features)).astype(np.float32) for n in lengths]


def _both(arrays: list[np.ndarray[Any, Any]]) -> tuple[list[Tensor], list[torch.Tensor]]:
    return ([tensor(a, requires_grad=True) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays])


def _assert_packed_equal(ours: R.PackedSequence, theirs: TR.PackedSequence) -> None:
    np.testing.assert_allclose(ours.data.numpy(), theirs.data.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours.batch_sizes.numpy(), theirs.batch_sizes.numpy())
    for mine, torchs in ((ours.sorted_indices, theirs.sorted_indices),
                         (ours.unsorted_indices, theirs.unsorted_indices)):
        assert (mine is None) == (torchs is None)
        if mine is not None and torchs is not None:
            np.testing.assert_array_equal(mine.numpy(), torchs.numpy())


def _backward_both(out: Tensor, expected: torch.Tensor, seed: int = 1) -> None:
    weights = np.random.default_rng(seed).normal(size=expected.shape).astype(np.float32)
    (out * tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()


def _assert_grads_equal(ours: list[Tensor], theirs: list[torch.Tensor]) -> None:
    for x, t in zip(ours, theirs):
        assert x.grad is not None and t.grad is not None
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first: bool, side: str) -> None:
    ours, theirs = _both(_sequences([3, 5, 1]))
    out = R.pad_sequence(ours, batch_first, -1.5, side)
    expected = TR.pad_sequence(theirs, batch_first, -1.5, side)
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    _backward_both(out, expected)
    _assert_grads_equal(ours, theirs)


@pytest.mark.parametrize("enforce_sorted, lengths", [(True, [5, 3, 3, 1]), (False, [2, 5, 1, 4])])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_padded_sequence_matches_torch(enforce_sorted: bool, lengths: list[int], batch_first: bool) -> None:
    padded = np.random.default_rng(2).normal(size=(4, 6, 3) if batch_first else (6, 4, 3)).astype(np.float32)
    ours, theirs = tensor(padded, requires_grad=True), torch.tensor(padded, requires_grad=True)
    packed = R.pack_padded_sequence(ours, lengths, batch_first, enforce_sorted)
    t_packed = TR.pack_padded_sequence(theirs, torch.tensor(lengths), batch_first, enforce_sorted)
    _assert_packed_equal(packed, t_packed)
    _backward_both(packed.data, t_packed.data)
    _assert_grads_equal([ours], [theirs])
    unpacked, out_lengths = R.pad_packed_sequence(packed, batch_first, 9.0, total_length=7)
    t_unpacked, t_lengths = TR.pad_packed_sequence(t_packed, batch_first, 9.0, total_length=7)
    np.testing.assert_array_equal(unpacked.numpy(), t_unpacked.detach().numpy())
    np.testing.assert_array_equal(out_lengths.numpy(), t_lengths.numpy())
    assert out_lengths.dtype.name == "int64"


def test_pack_sequence_unpack_and_unpad_round_trip_like_torch() -> None:
    arrays = _sequences([2, 4, 3])
    packed = R.pack_sequence([tensor(a) for a in arrays], enforce_sorted=False)
    _assert_packed_equal(packed, TR.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False))
    for out, a in zip(R.unpack_sequence(packed), arrays):
        np.testing.assert_array_equal(out.numpy(), a)
    padded = R.pad_sequence([tensor(a) for a in arrays], batch_first=True)
    for out, a in zip(R.unpad_sequence(padded, tensor([2, 4, 3]), batch_first=True), arrays):
        np.testing.assert_array_equal(out.numpy(), a)
    np.testing.assert_array_equal(R.invert_permutation(tensor([2, 0, 3, 1])).numpy(),
                                  TR.invert_permutation(torch.tensor([2, 0, 3, 1])).numpy())
    assert R.invert_permutation(None) is None


RECURRENT: list[tuple[Callable[[], Any], Callable[[], Any]]] = [
    (lambda: nn.RNN(3, 4, num_layers=2), lambda: torch.nn.RNN(3, 4, num_layers=2)),
    (lambda: nn.RNN(3, 4, nonlinearity="relu", bidirectional=True),
     lambda: torch.nn.RNN(3, 4, nonlinearity="relu", bidirectional=True)),
    (lambda: nn.LSTM(3, 5, num_layers=2, bidirectional=True), lambda: torch.nn.LSTM(3, 5, num_layers=2,
                                                                                     bidirectional=True)),
    (lambda: nn.LSTM(3, 5, proj_size=2, bidirectional=True), lambda: torch.nn.LSTM(3, 5, proj_size=2,
                                                                                    bidirectional=True)),
    (lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True), lambda: torch.nn.GRU(3, 4, num_layers=2,
                                                                                   bidirectional=True)),
]


def _loaded(make: Callable[[], Any], make_torch: Callable[[], Any]) -> tuple[Any, Any]:
    theirs = make_torch()
    ours = make()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _state_parts(state: Any) -> list[Any]:
    return list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("make, make_torch", RECURRENT)
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_recurrent_layers_on_packed_input_match_torch(make: Callable[[], Any], make_torch: Callable[[], Any],
                                                      enforce_sorted: bool) -> None:
    ours, theirs = _loaded(make, make_torch)
    lengths = [5, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4]
    arrays = _sequences(lengths, seed=3)
    x, t_x = _both(arrays)
    out, state = ours(R.pack_sequence(x, enforce_sorted))
    t_out, t_state = theirs(TR.pack_sequence(t_x, enforce_sorted))
    assert isinstance(out, R.PackedSequence)
    _assert_packed_equal(out, t_out)
    for part, t_part in zip(_state_parts(state), _state_parts(t_state)):
        np.testing.assert_allclose(part.numpy(), t_part.detach().numpy(), rtol=1e-5, atol=1e-6)
    rng = np.random.default_rng(4)
    loss = (out.data * tensor(rng.normal(size=t_out.data.shape).astype(np.float32))).sum()
    rng = np.random.default_rng(4)
    t_loss = (t_out.data * torch.tensor(rng.normal(size=t_out.data.shape).astype(np.float32))).sum()
    for part, t_part in zip(_state_parts(state), _state_parts(t_state)):
        loss = loss + part.sum()
        t_loss = t_loss + t_part.sum()
    loss.backward()
    t_loss.backward()
    _assert_grads_equal(x, t_x)
    for (name, p), (t_name, t_p) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name and p.grad is not None and t_p.grad is not None
        np.testing.assert_allclose(p.grad.numpy(), t_p.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_packed_input_with_an_initial_state_in_the_callers_order_matches_torch() -> None:
    ours, theirs = _loaded(lambda: nn.GRU(3, 4, bidirectional=True), lambda: torch.nn.GRU(3, 4, bidirectional=True))
    arrays = _sequences([2, 5, 3], seed=5)
    h0 = np.random.default_rng(6).normal(size=(2, 3, 4)).astype(np.float32)
    out, h = ours(R.pack_sequence([tensor(a) for a in arrays], enforce_sorted=False), tensor(h0))
    t_out, t_h = theirs(TR.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False), torch.tensor(h0))
    _assert_packed_equal(out, t_out)
    np.testing.assert_allclose(h.numpy(), t_h.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_packed_output_unpacks_to_the_padded_output_of_each_sequence_alone() -> None:
    """Each sequence runs for its own length only: its packed output is what it gives on its own."""
    layer = nn.LSTM(3, 4, batch_first=True)
    arrays = _sequences([4, 2, 3], seed=7)
    out, _ = layer(R.pack_sequence([tensor(a) for a in arrays], enforce_sorted=False))
    for alone, a in zip(R.unpack_sequence(out), arrays):
        np.testing.assert_allclose(alone.numpy(), layer(tensor(a[None]))[0][0].numpy(), rtol=1e-5, atol=1e-6)


BAD = [
    (lambda: R.pack_padded_sequence(Tensor.zeros(4, 3, 2), [2, 3, 1]), ValueError,
     r"pack_padded_sequence: the lengths \[2, 3, 1\] must be sorted in decreasing order"),
    (lambda: R.pack_padded_sequence(Tensor.zeros(4, 3, 2), [3, 2, 0]), ValueError,
     r"pack_padded_sequence: every length must be at least 1, got \[3, 2, 0\]"),
    (lambda: R.pack_padded_sequence(Tensor.zeros(4, 3, 2), [5, 2, 1]), ValueError,
     r"pack_padded_sequence: a length of 5 is longer than the padded batch's 4 steps"),
    (lambda: R.pack_padded_sequence(Tensor.zeros(4, 3, 2), [3, 2]), ValueError,
     r"pack_padded_sequence: expected 3 lengths, one per sequence of the batch, got 2"),
    (lambda: R.pad_sequence([Tensor.zeros(2, 3), Tensor.zeros(2, 4)]), ValueError,
     r"pad_sequence: every sequence must have the same trailing shape"),
    (lambda: R.pad_sequence([]), ValueError, r"pad_sequence: expected a non-empty list of tensors"),
    (lambda: R.pad_sequence([Tensor.zeros(2)], padding_side="middle"), ValueError,
     r"pad_sequence: padding_side must be 'left' or 'right'"),
    (lambda: R.pad_packed_sequence(R.pack_sequence([Tensor.zeros(3, 1)]), total_length=2), ValueError,
     r"pad_packed_sequence: total_length \(2\) must be at least the longest length \(3\)"),
    (lambda: nn.GRU(2, 3)(R.pack_sequence([Tensor.zeros(3, 4)])), RuntimeError,
     r"GRU: input.size\(-1\) must be equal to input_size. Expected 2, got 4"),
    (lambda: nn.GRUCell(3, 4)(Tensor.zeros(2, 3), Tensor.zeros(3, 4)), RuntimeError,
     r"GRUCell: expected hx as h of shape \(2, 4\) for an input of \(2, 3\), got \(3, 4\)"),
    (lambda: nn.LSTMCell(3, 4)(Tensor.zeros(3), (Tensor.zeros(4),)), RuntimeError,
     r"LSTMCell: expected hx as \(h, c\), each of shape \(4,\) for an input of \(3,\), got \[\(4,\)\]"),
    (lambda: nn.RNNCell(3, 4)(Tensor.zeros(3), Tensor.zeros(1, 4)), RuntimeError,
     r"RNNCell: expected hx as h of shape \(4,\) for an input of \(3,\), got \(1, 4\)"),
    (lambda: nn.LSTM(2, 3)(R.pack_sequence([Tensor.zeros(3, 2), Tensor.zeros(2, 2)]),
                           (Tensor.zeros(1, 3, 3), Tensor.zeros(1, 2, 3))), RuntimeError,
     r"LSTM: Expected hidden size \(1, 2, 3\), got \(1, 3, 3\)"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_names_the_op(call: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name", R.__all__)
def test_the_facade_has_torchs_names_and_parameters(name: str) -> None:
    import inspect

    import edugrad.torch.nn.utils.rnn as facade
    ours, theirs = getattr(facade, name), getattr(TR, name)
    assert ours is getattr(R, name)
    if name == "PackedSequence":
        assert R.PackedSequence._fields == TR.PackedSequence._fields
        ours, theirs = ours.__new__, theirs.__new__
    mine = [(p.name, p.kind, p.default) for p in inspect.signature(ours).parameters.values()]
    torchs = [(p.name, p.kind, p.default) for p in inspect.signature(theirs).parameters.values()]
    assert mine == torchs
