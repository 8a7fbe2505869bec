"""The checking tools themselves: gradcheck's verdicts and messages, gradgradcheck, and check_function on
hand-written Functions that break each rule."""

from __future__ import annotations

import re

import numpy as np
import pytest
from function_helpers import const, leaf, randn

from edugrad.data import BinaryOps, TensorData, dtypes
from edugrad.function import (
    Exp, Function, GradcheckError, Grads, Less, Mul, Node, Sin, Sum, check_function, constant_like, gradcheck,
    gradgradcheck,
)


class Square(Function):
    def forward(self, x: TensorData) -> TensorData:
        self.save_for_backward(x)
        return x.binary(BinaryOps.MUL, x)

    def backward(self, g: Node) -> Grads:
        x, = self.saved_tensors
        return Mul.apply(g, Mul.apply(constant_like(x, 2.0), x))  # d/dx x^2 = 2x


class HalfSquare(Square):
    def backward(self, g: Node) -> Grads:
        return Mul.apply(g, self.saved_tensors[0])  # forgot the factor 2


class FrozenSquare(Square):
    def backward(self, g: Node) -> Grads:
        # Right first derivative, but 2x is taken as a constant: the backward cannot itself be differentiated.
        x = self.saved_tensors[0]._data
        return Mul.apply(g, type(g)._wrap(x.binary(BinaryOps.ADD, x)))


def test_gradcheck_passes_and_leaves_no_gradients_behind() -> None:
    x = randn(3)
    assert gradcheck(Square.apply, [x])
    assert x.grad is None


def value_after(label: str, message: str) -> float:
    found = re.search(re.escape(label) + r"(\S+)", message)
    assert found, f"{label!r} not in the message"
    return float(found.group(1))


def test_the_failure_message_names_function_input_element_and_values() -> None:
    with pytest.raises(GradcheckError) as failure:
        gradcheck(HalfSquare.apply, [randn(2, 3)])
    message = str(failure.value)
    assert re.search(r"gradcheck failed for HalfSquare\.apply: input 0, element \(\d, \d\)", message)
    analytic = value_after("analytic derivative (from backward): ", message)
    numeric = value_after("numeric derivative (central difference, eps=1e-06): ", message)
    assert analytic == pytest.approx(numeric / 2, rel=1e-6)  # exactly the missing factor 2
    assert f"error {abs(analytic - numeric):.6g}" in message and "6 of 6 elements of this input disagree" in message


def test_raise_exception_false_returns_false() -> None:
    assert gradcheck(HalfSquare.apply, [randn(3)], raise_exception=False) is False


def test_the_failing_input_is_named_among_several() -> None:
    def f(x: Node, y: Node) -> Node:
        return Mul.apply(x, HalfSquare.apply(y))

    with pytest.raises(GradcheckError, match="f: input 1"):
        gradcheck(f, [randn(2), randn(2, seed=1)])


def test_tuples_of_outputs_and_outputs_without_gradient() -> None:
    def f(x: Node) -> tuple[Node, ...]:
        return Exp.apply(x), Sin.apply(x), Less.apply(x, const(np.zeros(3)))  # the bool output is skipped

    assert gradcheck(f, [randn(3)])
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: (Exp.apply(x), HalfSquare.apply(x)), [randn(3)])


def test_inputs_that_need_no_gradient_may_have_any_dtype() -> None:
    assert gradcheck(lambda x, k: Mul.apply(x, k), [randn(2), const(np.array([2.0, 3.0], np.float32), dtypes.float64)])


def test_float32_inputs_requiring_grad_are_rejected() -> None:
    x = leaf([1.0, 2.0], dtype=dtypes.float32)
    with pytest.raises(TypeError, match=r"input 0 requires grad but has dtype float32.*float64"):
        gradcheck(Square.apply, [x])


def test_misuse_is_explained() -> None:
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(Square.apply, [const([1.0])])
    with pytest.raises(TypeError, match="must return a node or a tuple of nodes, got ndarray"):
        gradcheck(lambda x: x._data.numpy(), [randn(2)])


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable() -> None:
    x = randn(3)
    assert gradcheck(FrozenSquare.apply, [x])  # the first derivative is right...
    with pytest.raises(GradcheckError, match="the derivative of FrozenSquare.apply: input 0"):
        gradgradcheck(FrozenSquare.apply, [x])  # ...but its derivative is 0 instead of 2
    assert gradgradcheck(Square.apply, [x])


# check_function


class Scale(Function):
    """x * k for a constant k: None is a fine gradient for k, which needs none."""

    def forward(self, x: TensorData, k: TensorData) -> TensorData:
        self.save_for_backward(k)  # backward reads k only: x's values may change afterwards, harmlessly
        return x.binary(BinaryOps.MUL, k)

    def backward(self, g: Node) -> Grads:
        k, = self.saved_tensors
        return Mul.apply(g, k), None


class NoGradientForX(Scale):
    def backward(self, g: Node) -> Grads:
        return None, None


class OneGradientForTwo(Scale):
    def backward(self, g: Node) -> Grads:
        return Mul.apply(g, self.saved_tensors[0])


class ReadsUnsavedInput(Scale):
    """Saves only k, as Scale does, but its backward also reads x: the contract check must catch it."""

    def backward(self, g: Node) -> Grads:
        x, k = self.inputs  # the graph's edges: x's values were not saved
        return Mul.apply(g, k), Mul.apply(g, x)  # (k needs no gradient: the engine drops the second)


class KeepsTensorInAttribute(Scale):
    def forward(self, x: TensorData, k: TensorData) -> TensorData:
        self.k = k  # not saved: no version check, never freed
        return x.binary(BinaryOps.MUL, k)

    def backward(self, g: Node) -> Grads:
        return Mul.apply(g, type(g)._wrap(self.k)), None


class SummedGradient(Square):
    def backward(self, g: Node) -> Grads:
        return Sum.apply(Mul.apply(g, self.saved_tensors[0]))


class NumpyForward(Square):
    def forward(self, x: TensorData) -> TensorData:
        return x.numpy() ** 2  # type: ignore[no-any-return]


class DoublesInPlace(Square):
    def forward(self, x: TensorData) -> TensorData:
        x.array *= 2  # writes into the caller's data
        return x.binary(BinaryOps.MUL, x)


class ZeroesInputInBackward(Square):
    def backward(self, g: Node) -> Grads:
        grad = super().backward(g)
        self.saved_tensors[0]._data.array[...] = 0
        return grad


def test_check_function_accepts_correct_functions() -> None:
    assert check_function(Square, randn(2, 3))
    assert check_function(Scale, randn(3), const([1.0, 2.0, 3.0]))


@pytest.mark.parametrize(("function", "message"), [
    (HalfSquare, r"gradcheck failed for HalfSquare: input 0"),
    (SummedGradient, r"SummedGradient.backward returned a gradient of shape \(\) .* for input 0, which has "
                     r"shape \(3,\)"),
    (NumpyForward, r"NumpyForward.forward returned ndarray; it must return a TensorData"),
    (DoublesInPlace, r"DoublesInPlace.forward changed input 0 in place"),
    (ZeroesInputInBackward, r"ZeroesInputInBackward.backward changed input 0 in place"),
], ids=lambda p: p.__name__ if isinstance(p, type) else "")
def test_check_function_catches_broken_functions(function: type[Function], message: str) -> None:
    with pytest.raises(GradcheckError, match=message):
        check_function(function, randn(3, low=0.5, high=2.0))


def test_check_function_wants_one_gradient_per_input() -> None:
    with pytest.raises(GradcheckError, match=r"OneGradientForTwo.backward returned 1 gradient\(s\) for 2 input"):
        check_function(OneGradientForTwo, randn(3), const([1.0, 2.0, 3.0]))


def test_check_function_refuses_none_for_an_input_that_needs_a_gradient() -> None:
    with pytest.raises(GradcheckError, match=r"NoGradientForX.backward returned None for input 0, which requires"):
        check_function(NoGradientForX, randn(3), const([1.0, 2.0, 3.0]))


def test_check_function_catches_a_backward_reading_an_input_it_did_not_save() -> None:
    x, k = randn(3), const([1.0, 2.0, 3.0])
    assert gradcheck(ReadsUnsavedInput.apply, [x, k])  # the values are right: only the contract is broken
    with pytest.raises(GradcheckError, match=r"ReadsUnsavedInput.backward read the values of input 0, which "
                                             r"forward did not save: pass it to self.save_for_backward"):
        check_function(ReadsUnsavedInput, x, k)


def test_check_function_catches_a_tensor_kept_in_a_plain_attribute() -> None:
    with pytest.raises(GradcheckError, match=r"KeepsTensorInAttribute.forward keeps a tensor in the attribute "
                                             r"'k'; pass the TensorData backward needs to self.save_for_backward"):
        check_function(KeepsTensorInAttribute, randn(3), const([1.0, 2.0, 3.0]))
