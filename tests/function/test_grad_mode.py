"""no_grad, enable_grad and set_grad_enabled as context managers, decorators and plain calls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from function_helpers import randn

from edugrad.function import Mul, Node, enable_grad, is_grad_enabled, no_grad, set_grad_enabled


@pytest.fixture(autouse=True)
def recording_on() -> Iterator[None]:
    """Every test starts with recording on, and a failing one cannot leave it off for the next."""
    set_grad_enabled(True)
    yield
    set_grad_enabled(True)


def square() -> Node:
    x = randn(2)
    return Mul.apply(x, x)


def test_no_grad_block_records_nothing() -> None:
    with no_grad():
        assert not is_grad_enabled()
        y = square()
    assert is_grad_enabled() and y.grad_fn is None and not y.requires_grad


def test_enable_grad_inside_no_grad_and_nesting() -> None:
    with no_grad():
        with enable_grad():
            assert square().grad_fn is not None
            with no_grad():
                assert square().grad_fn is None
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_the_mode_is_restored_after_an_exception() -> None:
    with pytest.raises(ValueError), no_grad():
        raise ValueError
    assert is_grad_enabled()


def test_decorators() -> None:
    @no_grad()
    def evaluate() -> Node:
        return square()

    @enable_grad()
    def train() -> Node:
        return square()

    assert evaluate().grad_fn is None and is_grad_enabled()
    with no_grad():
        assert train().grad_fn is not None
        assert not is_grad_enabled()


def test_a_decorated_function_may_call_itself() -> None:
    @no_grad()
    def countdown(n: int) -> None:
        assert not is_grad_enabled()
        if n:
            countdown(n - 1)

    countdown(3)
    assert is_grad_enabled()


def test_set_grad_enabled_as_a_plain_call() -> None:
    set_grad_enabled(False)
    assert not is_grad_enabled() and square().grad_fn is None
    set_grad_enabled(True)
    assert square().grad_fn is not None


def test_set_grad_enabled_as_a_context_manager() -> None:
    with set_grad_enabled(False):
        assert not is_grad_enabled()
        with set_grad_enabled(True):
            assert square().grad_fn is not None
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_switches_only_during_calls() -> None:
    @set_grad_enabled(False)
    def evaluate() -> bool:
        return is_grad_enabled()

    assert is_grad_enabled()  # decorating did not switch recording off
    assert evaluate() is False
    assert is_grad_enabled()
