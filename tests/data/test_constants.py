"""`TensorData.const`: constants are kept and shared (read-only values), without mixing up values that compare
equal but are not the same constant, and every use still shows as a FULL op to observers."""

from typing import Any

import numpy as np
import pytest

from edugrad.data import LoadOps, TensorData, add_observer, dtypes, remove_observer


def test_the_same_constant_is_built_once(backend: str) -> None:
    x = TensorData.from_numpy(np.ones((2, 3), np.float32), backend=backend)
    assert x.const(0.9).array is x.const(0.9).array
    assert x.const(0.9).array is not x.const(0.9, dtypes.float64).array
    assert x.const(0.9).shape == (2, 3) and x.const(0.9, dtypes.float64).dtype is dtypes.float64
    np.testing.assert_array_equal(x.const(0.9).numpy(), np.full((2, 3), 0.9, np.float32))


def test_a_kept_constant_cannot_be_written(backend: str) -> None:
    # The array is shared, so a write into it would change every later constant: assign refuses it (a broadcast
    # view, as torch refuses a write into an expanded tensor), and a clone is writable memory of its own.
    x = TensorData.from_numpy(np.ones((2, 3), np.float32), backend=backend)
    first = x.const(0.9)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        first.assign(x)
    assert first.version == 0
    copy = first.clone()
    copy.assign(x)
    np.testing.assert_array_equal(x.const(0.9).numpy(), np.full((2, 3), 0.9, np.float32))
    np.testing.assert_array_equal(copy.numpy(), np.ones((2, 3), np.float32))


def test_a_one_element_constant_cannot_be_changed_by_a_write(backend: str) -> None:
    # torch's one-element constant is writable memory; it is then not kept, so writing it changes no other.
    x = TensorData.from_numpy(np.ones((), np.float32), backend=backend)
    first = x.const(0.5)
    if backend == "numpy":
        with pytest.raises(RuntimeError, match="read-only"):
            first.assign(x)
    else:
        first.assign(x)
        assert first.numpy() == 1
    assert x.const(0.5).numpy() == 0.5


def test_zero_and_negative_zero_stay_apart(backend: str) -> None:
    x = TensorData.from_numpy(np.ones(2, np.float32), backend=backend)
    assert not np.signbit(x.const(0.0).numpy()).any()
    assert np.signbit(x.const(-0.0).numpy()).all()
    assert not np.signbit(x.const(0.0).numpy()).any()  # asked again after -0.0


def test_nan_constants_work_and_are_not_kept() -> None:
    x = TensorData.from_numpy(np.ones(2, np.float32))
    first, second = x.const(float("nan")), x.const(float("nan"))
    assert np.isnan(first.numpy()).all() and np.isnan(second.numpy()).all()
    assert first is not second


def test_observers_see_a_kept_constant_too() -> None:
    x = TensorData.from_numpy(np.ones(2, np.float32))
    x.const(0.25)
    seen: list[Any] = []

    def observer(op: Any, inputs: Any, out: Any, args: Any) -> None:
        seen.append((op, out.shape))

    add_observer(observer)
    try:
        x.const(0.25)
    finally:
        remove_observer(observer)
    assert seen == [(LoadOps.FULL, (2,))]
