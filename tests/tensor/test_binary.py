"""Binary ops beyond the parity tables: pow's special cases, NumPy operands, in-place operators, integer
edge cases and the error messages."""

import math
from typing import Any

import numpy as np
import pytest
import torch

from edugrad.tensor import Tensor, dtypes, tensor


def test_broadcast_error_shows_both_shapes_and_the_axis() -> None:
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast: axis -1 has sizes "
                                         r"3 and 4"):
        Tensor.ones(2, 3) + Tensor.ones(4)
    with pytest.raises(ValueError, match=r"mul: shapes \(5, 2, 1\) and \(3, 1, 1\) .* axis -3 has sizes 5 and 3"):
        Tensor.ones(5, 2, 1) * Tensor.ones(3, 1, 1)


def test_pow_zero_is_one_with_zero_gradient() -> None:
    x = Tensor([0.0, math.nan, math.inf, -2.0], requires_grad=True)
    y = x ** 0
    np.testing.assert_array_equal(y.numpy(), [1, 1, 1, 1])
    y.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 0, 0])


def test_pow_with_a_zero_base_and_a_tensor_exponent_matches_torch() -> None:
    base, exponent = [0.0, 0.0, 2.0], [2.0, 1.5, 0.5]
    x, y = Tensor(base, requires_grad=True), Tensor(exponent, requires_grad=True)
    tx, ty = torch.tensor(base, requires_grad=True), torch.tensor(exponent, requires_grad=True)
    (x ** y).sum().backward()
    (tx ** ty).sum().backward()
    assert x.grad is not None and y.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy())


def test_pow_dtypes() -> None:
    x = tensor([1, 2, 3])
    assert (x ** 2).dtype is dtypes.int64 and (x ** 2.0).dtype is dtypes.float32
    assert (2 ** x).dtype is dtypes.int64 and (2.0 ** x).dtype is dtypes.float32
    assert (x ** tensor([2, 0, 1])).tolist() == [1, 1, 3]
    with pytest.raises(RuntimeError, match="pow: integers to negative integer powers are not allowed"):
        x ** -1


def test_small_integer_powers_are_exact_products() -> None:
    x = Tensor([3.0], requires_grad=True)
    y = x ** 3
    assert y.grad_fn is not None and y.grad_fn.name == "Mul"
    y.backward()
    assert x.grad is not None and x.grad.item() == 27.0


def test_numpy_operands_on_either_side() -> None:
    array = np.array([1.0, 2.0])  # float64, so the result is float64 (an array is not a weak scalar)
    for result in (tensor([1.0, 1.0]) + array, array + tensor([1.0, 1.0]), array * tensor([2.0, 2.0])):
        assert isinstance(result, Tensor) and result.dtype is dtypes.float64
    np.testing.assert_array_equal((array - tensor([1.0, 1.0])).numpy(), [0, 1])
    assert (np.float32(2.0) * tensor([1.0])).dtype is dtypes.float32


def test_other_types_are_refused_naming_the_op() -> None:
    with pytest.raises(TypeError, match="add: expected a Tensor, a Python number or an array as the other "
                                        "operand, got str"):
        tensor([1.0]) + "a"
    with pytest.raises(TypeError, match="lt: .* got dict"):
        tensor([1.0]) < {}


def test_in_place_operators_write_into_the_same_tensor() -> None:
    x = Tensor([5.0, 7.0])
    original = x
    x += 1
    x -= 0.5
    x *= 2
    x /= 4
    x **= 2
    x //= 2
    x %= 2
    assert x is original
    np.testing.assert_array_equal(x.numpy(), [1, 1])  # ((5 + 1 - 0.5) * 2 / 4) ** 2 = 7.5625, // 2 = 3, % 2 = 1
    n = tensor([7, 9])
    n //= 2
    n %= 3
    assert n.dtype is dtypes.int64 and n.tolist() == [0, 1]
    with pytest.raises(TypeError, match=r"\+=: result type float32 can't be cast to the desired output type int64"):
        n += 0.5


@pytest.mark.parametrize(("kept", "other"), [("float32", "float64"), ("float16", "float32"), ("int32", "int64"),
                                             ("uint8", "int8"), ("int64", "float32"), ("bool", "int64")])
def test_in_place_operators_store_a_wider_result_of_the_same_kind_as_torch(kept: str, other: str) -> None:
    # The result is cast to the tensor's dtype, even a wider one (float64 into float32); one of a higher kind (a
    # float into an integer tensor) is refused. As add_ does.
    ours, theirs = Tensor.zeros(2, dtype=getattr(dtypes, kept)), torch.zeros(2, dtype=getattr(torch, kept))
    ours_other, their_other = Tensor.ones(2, dtype=getattr(dtypes, other)), torch.ones(2, dtype=getattr(torch, other))
    try:
        theirs += their_other
    except RuntimeError:
        with pytest.raises(TypeError, match=f"result type .* can't be cast to the desired output type {kept}"):
            ours += ours_other
        return
    original = ours
    ours += ours_other
    assert ours is original and ours.dtype.name == kept
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), strict=True)


def test_minimum_and_maximum_at_integer_extremes() -> None:
    low, high = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    a, b = tensor(np.array([low, high, 0])), tensor(np.array([0, 0, low]))
    assert a.minimum(b).tolist() == [low, 0, low]
    assert a.maximum(b).tolist() == [0, high, 0]


def test_comparisons_with_nan_are_false() -> None:
    x, nan = Tensor([1.0, math.nan]), Tensor([math.nan, math.nan])
    for result in (x < nan, x <= nan, x > nan, x >= nan, x == nan):
        assert not result.any().item()
    assert (x != nan).all().item()


def test_bitwise_and_logical_ops_need_the_right_dtypes() -> None:
    assert (~tensor([0, -1, 5])).tolist() == [-1, 0, -6]
    with pytest.raises(TypeError, match="bitwise_not: expected a bool or integer tensor, got float32"):
        ~Tensor([1.0])
    with pytest.raises(TypeError, match="and: edugrad supports and on bool tensors only, got int64"):
        tensor([1]) & tensor([0])
    with pytest.raises(TypeError, match="logical_not: expected a bool tensor"):
        Tensor([1.0]).logical_not()


@pytest.mark.parametrize(("dtype", "value", "op"), [(dtypes.uint8, -1, "eq"), (dtypes.uint8, 256, "add"),
                                                     (dtypes.int32, 2**31, "lt"), (dtypes.int64, -(2**63) - 1, "mul")])
def test_an_integer_scalar_that_does_not_fit_the_dtype_is_refused_by_name(dtype: Any, value: int, op: str) -> None:
    # PyTorch would wrap the scalar around (uint8 == -1 compares with 255); NumPy's error names no op.
    x = Tensor([0, 1], dtype=dtype)
    call = {"eq": lambda: x == value, "add": lambda: x + value, "lt": lambda: x < value, "mul": lambda: x * value}
    with pytest.raises(OverflowError, match=rf"{op}: the scalar {value} does not fit in the tensor's dtype "
                                            rf"{dtype.name}"):
        call[op]()


def test_integer_scalars_at_the_ends_of_the_range_still_work() -> None:
    x = Tensor([0, 255], dtype=dtypes.uint8)
    assert (x == 255).tolist() == [False, True] and (x == 0).tolist() == [True, False]
    assert (Tensor([0], dtype=dtypes.int32) + (2**31 - 1)).tolist() == [2**31 - 1]
    assert (x + 0.5).dtype is dtypes.float32  # a float scalar promotes instead


def test_isclose_allclose_and_equal_match_torch_at_nan_and_infinities() -> None:
    a = np.array([1.0, math.nan, math.inf, -math.inf, math.inf, 1e-9, 100.0], dtype=np.float32)
    b = np.array([1.0, math.nan, math.inf, math.inf, 1e30, 0.0, 100.001], dtype=np.float32)
    for kwargs in ({}, {"equal_nan": True}, {"rtol": 0.0, "atol": 0.0}):
        ours = Tensor(a).isclose(Tensor(b), **kwargs)
        assert ours.tolist() == torch.tensor(a).isclose(torch.tensor(b), **kwargs).tolist()
    assert Tensor(a[:1]).allclose(Tensor(b[:1])) is True and Tensor(a).allclose(Tensor(b)) is False
    assert Tensor(a).allclose(Tensor(a), equal_nan=True) is torch.tensor(a).allclose(torch.tensor(a), equal_nan=True)
    assert Tensor(b).equal(Tensor(b[::-1].copy())) is False and Tensor(a[:2]).equal(Tensor(a[:1])) is False
    assert tensor([1, 2]).long().equal(tensor([1.0, 2.0])) is torch.tensor([1, 2]).equal(torch.tensor([1.0, 2.0]))


def test_add_alpha_div_rounding_mode_and_where_errors() -> None:
    with pytest.raises(TypeError, match=r"add: alpha must not be a float \(0.5\) for integer tensors"):
        tensor([1, 2]).long().add(tensor([1, 1]).long(), alpha=0.5)
    with pytest.raises(ValueError, match="div: rounding_mode must be None, 'floor' or 'trunc', got 'round'"):
        Tensor([1.0]).div(2, rounding_mode="round")
    with pytest.raises(TypeError, match="where: the condition must be a bool tensor, got a float32 tensor"):
        Tensor([1.0]).where(Tensor([1.0]), 0.0)
