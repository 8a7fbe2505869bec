"""The in-place methods (`add_`, `lerp_`, `addcdiv_`, ...): the values PyTorch's methods of the same name
give, dtype and shape rules, the version counter, and refusals where an in-place op would lose a gradient."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from edugrad.tensor import Tensor, dtypes, no_grad, tensor

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
C = RNG.uniform(0.5, 2.0, (3, 4)).astype(np.float32)
ROW = RNG.standard_normal(4).astype(np.float32)

# (name, call): the call gets the receiver and the Tensor class of its library (edugrad's or torch's).
CASES: list[tuple[str, Callable[[Any, Callable[[Any], Any]], Any]]] = [
    ("add_", lambda x, t: x.add_(t(B))),
    ("add_ alpha", lambda x, t: x.add_(t(B), alpha=-0.5)),
    ("add_ scalar", lambda x, t: x.add_(2.5)),
    ("add_ broadcast row", lambda x, t: x.add_(t(ROW))),
    ("sub_ alpha", lambda x, t: x.sub_(t(B), alpha=3)),
    ("mul_", lambda x, t: x.mul_(t(B))),
    ("mul_ scalar", lambda x, t: x.mul_(0.9)),
    ("div_", lambda x, t: x.div_(t(C))),
    ("lerp_ scalar weight", lambda x, t: x.lerp_(t(B), 0.1)),
    ("lerp_ tensor weight", lambda x, t: x.lerp_(t(B), t(C / 4))),
    ("addcmul_", lambda x, t: x.addcmul_(t(B), t(C), value=0.001)),
    ("addcdiv_", lambda x, t: x.addcdiv_(t(B), t(C), value=-0.01)),
    ("clamp_ both", lambda x, t: x.clamp_(-0.5, 0.5)),
    ("clamp_ tensor min", lambda x, t: x.clamp_(t(B))),
    ("clamp_ max only", lambda x, t: x.clamp_(None, 0.2)),
    ("clamp_ min above max", lambda x, t: x.clamp_(1.0, -1.0)),
    ("zero_", lambda x, t: x.zero_()),
    ("fill_", lambda x, t: x.fill_(7.5)),
    ("copy_ broadcast", lambda x, t: x.copy_(t(ROW))),
    ("chained", lambda x, t: x.mul_(0.999).addcmul_(t(B), t(B), value=0.001)),
    ("div_ floor", lambda x, t: x.div_(t(C), rounding_mode="floor")),
    ("div_ trunc scalar", lambda x, t: x.div_(-0.3, rounding_mode="trunc")),
    ("masked_fill_", lambda x, t: x.masked_fill_(t(B) > 0, -2.5)),
    ("masked_fill_ broadcast row", lambda x, t: x.masked_fill_(t(ROW) > 0, 1e9)),
    ("masked_fill_ 0-d tensor", lambda x, t: x.masked_fill_(t(B) < 0, t(C[0, 0]))),
]


@pytest.mark.parametrize(("name", "call"), CASES, ids=[name for name, _ in CASES])
def test_matches_torch_and_changes_the_receiver(name: str, call: Callable[[Any, Any], Any]) -> None:
    ours, theirs = Tensor(A), torch.tensor(A)
    returned = call(ours, tensor)
    call(theirs, torch.tensor)
    assert returned is ours
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
    assert ours.shape == (3, 4) and ours.dtype is dtypes.float32


def test_clamp_keeps_nan_as_torch_does() -> None:
    values = [float("nan"), -3.0, 0.5, 3.0]
    x = Tensor(values).clamp_(-1.0, 1.0)
    np.testing.assert_array_equal(x.numpy(), torch.tensor(values).clamp_(-1.0, 1.0).numpy())


def test_each_update_bumps_the_version_once() -> None:
    x = Tensor(A)
    x.add_(1.0)
    x.addcdiv_(Tensor(B), Tensor(C), value=0.5)
    assert x._version == 2


def test_an_integer_tensor_keeps_its_dtype_and_refuses_a_float() -> None:
    n = tensor([1, 2, 3])
    n.add_(Tensor([1, 1, 1], dtype=dtypes.int32), alpha=2)
    assert n.dtype is dtypes.int64 and n.tolist() == [3, 4, 5]
    with pytest.raises(TypeError, match="add_: result type float32 can't be cast to the desired output type int64"):
        n.add_(0.5)
    with pytest.raises(TypeError, match="mul_: result type float32 can't be cast"):
        n.mul_(Tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="div_: expected a floating-point tensor, got int64"):
        n.div_(2)
    assert n.tolist() == [3, 4, 5]  # a refused update changes nothing


def test_a_wider_float_operand_is_stored_in_the_receivers_dtype() -> None:
    x = Tensor([1.0, 2.0])
    x.add_(Tensor([0.25, 0.5], dtype=dtypes.float64))
    assert x.dtype is dtypes.float32 and x.tolist() == [1.25, 2.5]


def test_an_operand_must_broadcast_to_the_receivers_shape() -> None:
    with pytest.raises(ValueError, match=r"add_: an operand of shape \(2, 4\) does not broadcast to the shape "
                                         r"\(4,\)"):
        Tensor(ROW).add_(Tensor.ones(2, 4))
    with pytest.raises(ValueError, match=r"lerp_: shapes \(3, 4\) and \(5,\) cannot be broadcast"):
        Tensor(A).lerp_(Tensor.ones(5), 0.5)


def test_fill_takes_a_one_element_tensor_only() -> None:
    assert Tensor.zeros(2).fill_(Tensor([3.0])).tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match=r"fill_: expected a number or a one-element tensor, got a tensor of shape"):
        Tensor.zeros(2).fill_(Tensor([1.0, 2.0]))


def test_copy_casts_like_torch() -> None:
    x = Tensor.zeros(3, dtype=dtypes.int32)
    x.copy_(Tensor([1.7, -1.7, 2.2]))
    assert x.dtype is dtypes.int32
    assert x.tolist() == torch.zeros(3, dtype=torch.int32).copy_(torch.tensor([1.7, -1.7, 2.2])).tolist()


def test_a_parameter_is_updated_only_under_no_grad() -> None:
    w = Tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a leaf Variable that requires grad is being used in an in-place "
                                           "operation"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        torch.tensor(A, requires_grad=True).add_(1.0)
    with no_grad():
        w.add_(1.0)
    np.testing.assert_allclose(w.numpy(), A + 1)
    assert w.requires_grad and w.is_leaf


def test_an_operand_that_requires_grad_is_refused_while_recording() -> None:
    # PyTorch would record `buffer.add_(w)` in the graph; edugrad records no in-place op, so it refuses rather
    # than silently dropping w's gradient.
    w = Tensor(B, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: an operand requires grad, and in-place ops are not recorded"):
        Tensor(A).add_(w)
    with pytest.raises(RuntimeError, match="copy_: an operand requires grad"):
        Tensor(A).copy_(w)
    with no_grad():
        np.testing.assert_allclose(Tensor(A).add_(w).numpy(), A + B)


def test_backward_sees_that_a_saved_input_was_changed() -> None:
    w = Tensor(A, requires_grad=True)
    x = Tensor(B)
    y = (w * x).sum()
    x.mul_(2.0)
    with pytest.raises(RuntimeError, match="was modified in place after it was used"):
        y.backward()


def test_detach_and_data_share_the_values_and_clone_copies_them() -> None:
    # As in PyTorch: a write through detach() or .data reaches the tensor, and one to the tensor reaches them;
    # clone() takes a copy that keeps the values it had.
    results = []
    for w, no_recording in ((Tensor(A, requires_grad=True), no_grad), (torch.tensor(A, requires_grad=True),
                                                                         torch.no_grad)):
        detached, data, copy = w.detach(), w.data, w.detach().clone()
        with no_recording():
            w.add_(1.0)
        detached.mul_(2.0)
        data.sub_(3.0)
        results.append([t.numpy() for t in (w.detach(), detached, data, copy)])
        assert not data.requires_grad and data.grad_fn is None and data.is_leaf
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose(results[0][0], (A + 1) * 2 - 3, rtol=1e-6)
    np.testing.assert_array_equal(results[0][3], A)


def test_a_write_through_data_is_seen_by_backward() -> None:
    # p.data.add_() after p was used: edugrad refuses the stale gradient (torch's .data would silently skip
    # the version check; detach() would raise as here).
    w = Tensor(A, requires_grad=True)
    y = (w * w).sum()
    w.data.add_(1.0)
    with pytest.raises(RuntimeError, match="was modified in place after it was used"):
        y.backward()


def test_an_integer_scalar_that_does_not_fit_is_refused() -> None:
    with pytest.raises(OverflowError, match=r"add_: the scalar 256 does not fit in the tensor's dtype uint8 "
                                            r"\(0 to 255\)"):
        Tensor([1, 2], dtype=dtypes.uint8).add_(256)


def test_masked_fill_casts_the_value_as_torch_and_checks_its_arguments() -> None:
    mask = np.array([True, False, True])
    ours = tensor([0, 5, 0]).long().masked_fill_(tensor(mask).bool(), 2.7)
    theirs = torch.tensor([0, 5, 0]).masked_fill_(torch.tensor(mask), 2.7)
    assert ours.dtype is dtypes.int64 and ours.tolist() == theirs.tolist()
    with pytest.raises(TypeError, match="masked_fill_: the mask must be a bool tensor, got a float32 tensor"):
        Tensor(A).masked_fill_(Tensor(A), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill_: the value must be a number or a 0-d tensor, got shape \(4,\)"):
        Tensor(A).masked_fill_(Tensor(ROW) > 0, Tensor(ROW))
    with pytest.raises(RuntimeError, match="masked_fill_: a leaf Variable that requires grad is being used"):
        Tensor(A, requires_grad=True).masked_fill_(Tensor(ROW) > 0, 0.0)


def test_div_with_a_rounding_mode_keeps_an_integer_tensor_as_torch() -> None:
    ours = tensor([7, -7, 9]).long().div_(2, rounding_mode="trunc")
    theirs = torch.tensor([7, -7, 9]).div_(2, rounding_mode="trunc")
    assert ours.dtype is dtypes.int64 and ours.tolist() == theirs.tolist()
    with pytest.raises(RuntimeError, match="div_: an operand requires grad"):
        Tensor(A).div_(Tensor(C, requires_grad=True), rounding_mode="floor")


def test_is_set_to_tells_which_tensors_share_the_values_as_torchs() -> None:
    for make in (lambda: Tensor(A), lambda: torch.tensor(A)):
        x = make()
        assert (x.is_set_to(x.detach()), x.is_set_to(x.data), x.is_set_to(x.clone()), x.is_set_to(make())) == (
            True, True, False, False)


def test_uniform_and_normal_fill_in_place_with_torchs_distributions() -> None:
    from edugrad.tensor import Generator

    for make in (lambda: Tensor.zeros(200_000), lambda: torch.zeros(200_000)):
        x = make()
        same = x.uniform_(-2.0, 3.0)
        assert same is x and -2.0 <= float(x.min()) and float(x.max()) < 3.0
        assert abs(float(x.mean()) - 0.5) < 0.02 and abs(float(x.var()) - 25 / 12) < 0.03
        x.normal_(1.0, 2.0)
        assert abs(float(x.mean()) - 1.0) < 0.02 and abs(float(x.std()) - 2.0) < 0.02
    first = Tensor.zeros(5).uniform_(generator=Generator().manual_seed(3))
    again = Tensor.zeros(5).normal_(generator=Generator().manual_seed(3))
    assert first.tolist() == Tensor.zeros(5).uniform_(generator=Generator().manual_seed(3)).tolist()
    assert again.tolist() == Tensor.zeros(5).normal_(generator=Generator().manual_seed(3)).tolist()
    with pytest.raises(TypeError, match="uniform_: expected a floating-point tensor"):
        Tensor.zeros(3, dtype=dtypes.int64).uniform_()
    w = Tensor.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="normal_: a leaf Variable that requires grad"):
        w.normal_()


@pytest.mark.parametrize(("call", "message"), [
    (lambda x: x.uniform_(3.0, 2.0), r"uniform_: expects a range \[from_, to\) with from_ <= to, got from_=3.0"),
    (lambda x: x.uniform_(float("nan"), 1.0), "uniform_: expects a range"),
    (lambda x: x.normal_(0.0, -1.0), r"normal_: expects std >= 0.0, got -1.0"),
    (lambda x: x.normal_(0.0, float("nan")), r"normal_: expects std >= 0.0, got nan"),
])
def test_uniform_and_normal_refuse_what_torch_refuses(call: Callable[[Any], Any], message: str) -> None:
    # torch refuses these ranges (they would fill the tensor with nonsense) and leaves the tensor as it was.
    ours, theirs = Tensor.zeros(3), torch.zeros(3)
    with pytest.raises(RuntimeError):
        call(theirs)
    with pytest.raises(RuntimeError, match=message):
        call(ours)
    assert ours.tolist() == theirs.tolist() == [0.0, 0.0, 0.0]
    assert Tensor.zeros(2).uniform_(1.0, 1.0).tolist() == torch.zeros(2).uniform_(1.0, 1.0).tolist()
