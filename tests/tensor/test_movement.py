"""Movement: the error paths (bad axes, wrong sizes, over-cropping) and a few properties beyond the parity table."""

from collections.abc import Callable

import numpy as np
import pytest

from edugrad.tensor import Tensor, tensor


def test_reshape_to_wrong_size_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4,\)"):
        Tensor.ones(2, 3).reshape(4)
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4, -1\)"):
        Tensor.ones(2, 3).reshape(4, -1)
    with pytest.raises(ValueError, match="only one size can be -1"):
        Tensor.ones(2, 3).reshape(-1, -1)


@pytest.mark.parametrize(("op", "call"), [
    ("flip", lambda x: x.flip(2)),
    ("flip", lambda x: x.flip((0, -3))),
    ("squeeze", lambda x: x.squeeze(2)),
    ("unsqueeze", lambda x: x.unsqueeze(4)),
    ("unsqueeze", lambda x: x.unsqueeze(-4)),
    ("permute", lambda x: x.permute(0, 2)),
    ("transpose", lambda x: x.transpose(0, 5)),
    ("flatten", lambda x: x.flatten(0, 2)),
    ("unflatten", lambda x: x.unflatten(-3, (1, 2))),
])
def test_axis_out_of_range_is_an_index_error_naming_the_op(op: str, call: Callable[[Tensor], Tensor]) -> None:
    with pytest.raises(IndexError, match=op):
        call(Tensor.ones(2, 3))


def test_flip_same_axis_twice() -> None:
    with pytest.raises(ValueError, match="flip"):
        Tensor.ones(2, 3).flip((0, -2))


def test_squeeze_keeps_axes_that_are_not_size_one() -> None:
    assert Tensor.ones(1, 3, 1).squeeze((0, 1)).shape == (3, 1)
    assert Tensor.ones(1, 1).squeeze().shape == ()


def test_pad_errors() -> None:
    x = Tensor.ones(2, 3)
    with pytest.raises(ValueError, match=r"pad: cannot crop 4 elements from axis 1 of size 3"):
        x.pad((None, (-2, -2)))
    with pytest.raises(ValueError, match="one pair of ints"):
        x.pad(((1, 1),))
    with pytest.raises(ValueError, match="one pair of ints"):
        x.pad(((1, 1), (1, 2, 3)))
    with pytest.raises(ValueError, match="pad2d"):
        x.pad2d((1, 1, 1))
    with pytest.raises(ValueError, match="pad2d"):
        x.pad2d((1, 1, 1, 1, 1, 1))


def test_pad_crop_to_nothing_and_keep_everything() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.pad(((-1, -1), None)).shape == (0, 2)
    assert x.pad((None, None)) is x
    assert x.pad(((1, 0), None), value=9).tolist() == [[9, 9], [1, 2], [3, 4]]


def test_shrink_errors_name_the_axis() -> None:
    with pytest.raises(ValueError, match=r"shrink: range \(1, 4\) does not fit axis 1 of size 3"):
        Tensor.ones(2, 3).shrink((None, (1, 4)))
    with pytest.raises(ValueError, match="shrink"):
        Tensor.ones(2, 3).shrink(((1, 0), None))
    with pytest.raises(ValueError, match="shrink"):
        Tensor.ones(2, 3).shrink(((0, 1),))


def test_repeat_errors() -> None:
    with pytest.raises(ValueError, match=r"repeat: expected at least 2"):
        Tensor.ones(2, 3).repeat(2)
    with pytest.raises(ValueError, match="repeat"):
        Tensor.ones(2).repeat(-1)


def test_repeat_matches_numpy_tile() -> None:
    a = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(tensor(a).repeat(2, 1, 3).numpy(), np.tile(a, (2, 1, 3)))


def test_unflatten_errors() -> None:
    with pytest.raises(ValueError, match=r"unflatten: sizes \(4, 2\) do not split axis 1 of size 6"):
        Tensor.ones(2, 6).unflatten(1, (4, 2))
    with pytest.raises(ValueError, match="unflatten"):
        Tensor.ones(2, 6).unflatten(1, (-1, -1))
    with pytest.raises(ValueError, match="unflatten"):
        Tensor.ones(2, 6).unflatten(1, (4, -1))


def test_view_is_reshape_and_keeps_gradient() -> None:
    x = Tensor.ones(2, 3, requires_grad=True)
    (x.view(3, 2) * Tensor([[1.0, 2.0]])).sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 2, 1], [2, 1, 2]])


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda x: x.t(), ValueError, r"t: expects a tensor of at most 2 dims, got shape \(2, 3, 4\)"),
    (lambda x: x[0, 0].mT, ValueError, r"mT: expects a matrix or a batch of matrices, got shape \(4,\)"),
    (lambda x: x.narrow(2, 3, 2), IndexError, r"narrow: start 3 and length 2 do not fit dim 2 of size 4"),
    (lambda x: x.narrow(0, -3, 1), IndexError, "narrow: start -3"),
    (lambda x: x.roll((1, 2), 0), ValueError, "roll: shifts .* and dims 0 must have the same length"),
    (lambda x: x.roll((1, 2)), ValueError, "roll: without dims, shifts must be one int"),
    (lambda x: x.movedim((0, 0), (1, 2)), ValueError, "movedim: repeated dims"),
    (lambda x: x.movedim(0, (1, 2)), ValueError, "movedim: source 0 and destination .* the same length"),
    (lambda x: x.transpose(0), TypeError, "dim1"),
])
def test_new_movement_errors_name_the_op(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(Tensor.ones(2, 3, 4))


def test_roll_by_nothing_is_a_new_tensor() -> None:
    x = Tensor.ones(2, 3)
    assert x.roll(0, 1) is not x and x.roll(3, 1).tolist() == x.tolist()
