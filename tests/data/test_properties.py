"""Properties of the data layer beyond single results: adjoint pairs, views, random streams, observers, round
trips. Each runs on every backend."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edugrad.data import (
    LoadOps, MovementOps, ReduceOps, TensorData, UnaryOps, add_observer, dtypes, get_backend, remove_observer,
)

NDArray = np.ndarray[Any, Any]


def shares_memory(a: TensorData, b: TensorData) -> bool:
    """Whether two TensorData read the same memory (a view), on either backend."""
    if isinstance(a.array, np.ndarray):
        return bool(np.shares_memory(a.array, b.array))
    return bool(a.array.untyped_storage().data_ptr() == b.array.untyped_storage().data_ptr())


def grid(rng: np.random.Generator, shape: tuple[int, ...]) -> NDArray:
    """float64 values on a grid of quarters: every sum of products below is exact."""
    return rng.integers(-8, 9, shape) / 4


@settings(max_examples=25, deadline=None)
@given(
    spatial=st.lists(st.integers(1, 3), min_size=1, max_size=2).flatmap(
        lambda kernel: st.tuples(st.just(tuple(kernel)), st.tuples(*[st.integers(1, 2) for _ in kernel]),
                                 st.tuples(*[st.integers(1, 3) for _ in kernel]),
                                 st.tuples(*[st.integers(0, 3) for _ in kernel]))),
    seed=st.integers(0, 2**16),
)
def test_fold_is_the_adjoint_of_unfold(backend: str, spatial: Any, seed: int) -> None:
    # <unfold(x), y> == <x, fold(y)> for all x, y: fold sends every window element back to where unfold read it.
    kernel, dilation, stride, extra = spatial
    size = tuple(d * (k - 1) + 1 + e for k, d, e in zip(kernel, dilation, extra))
    rng = np.random.default_rng(seed)
    x = TensorData.from_numpy(grid(rng, (2, 1, *size)), backend=backend)
    windows = x.unfold(kernel, stride, dilation)
    y = TensorData.from_numpy(grid(rng, windows.shape), backend=backend)
    assert np.sum(windows.numpy() * y.numpy()) == np.sum(x.numpy() * y.fold(size, stride, dilation).numpy())


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_scatter_add_is_the_adjoint_of_gather(backend: str, shape: list[int], data: st.DataObject) -> None:
    # <gather(x, i), y> == <x, scatter_add(0, i, y)>: repeated indices must accumulate for this to hold.
    axis = data.draw(st.integers(0, len(shape) - 1))
    index_shape = [data.draw(st.integers(0, 4)) if a == axis else n for a, n in enumerate(shape)]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = TensorData.from_numpy(grid(rng, tuple(shape)), backend=backend)
    index = TensorData.from_numpy(rng.integers(0, shape[axis], index_shape), backend=backend)
    y = TensorData.from_numpy(grid(rng, tuple(index_shape)), backend=backend)
    zeros = TensorData.full(shape, 0.0, dtypes.float64, backend=backend)
    scattered = zeros.scatter_add(index, y, axis)
    assert np.sum(x.gather(index, axis).numpy() * y.numpy()) == np.sum(x.numpy() * scattered.numpy())


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_an_expanded_index_gathers_and_scatters_as_a_contiguous_one(backend: str, shape: list[int],
                                                                     data: st.DataObject) -> None:
    # The embedding's index is one row number per token expanded over the features: stride 0 off the axis,
    # which the NumPy backend treats apart (np.take for gather, positions from the distinct values for
    # scatter_add). Same values as the index stored in full.
    axis = data.draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(data.draw(st.integers(0, 6)) if a == axis else data.draw(st.integers(1, n))
                        for a, n in enumerate(shape))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    line_shape = tuple(n if a == axis else 1 for a, n in enumerate(index_shape))
    line = TensorData.from_numpy(rng.integers(0, shape[axis], line_shape), backend=backend)
    expanded, stored = line.expand(index_shape), TensorData.from_numpy(np.broadcast_to(line.numpy(), index_shape),
                                                                       backend=backend)
    x = TensorData.from_numpy(grid(rng, tuple(shape)).astype(np.float32), backend=backend)
    src = TensorData.from_numpy(grid(rng, index_shape).astype(np.float32), backend=backend)
    np.testing.assert_array_equal(x.gather(expanded, axis).numpy(), x.gather(stored, axis).numpy())
    np.testing.assert_array_equal(x.scatter_add(expanded, src, axis).numpy(), x.scatter_add(stored, src, axis).numpy())


def test_scatter_add_accumulates_repeated_indices(backend: str) -> None:
    zeros = TensorData.full((3,), 0, dtypes.int32, backend=backend)
    index = TensorData.from_numpy(np.array([0, 2, 0, 0]), backend=backend)
    src = TensorData.from_numpy(np.array([1, 2, 3, 4], np.int32), backend=backend)
    np.testing.assert_array_equal(zeros.scatter_add(index, src, 0).numpy(), [8, 0, 2])


# Values that sort in every way torch's stable sort distinguishes: ties, the extremes of the dtype, and for
# floats NaN (the largest), infinities and 0.0 next to -0.0 (equal, so they keep their order).
SORT_VALUES: dict[str, list[Any]] = {
    "float": [0.0, -0.0, 1.0, math.nan, -0.0, -math.inf, 0.0, math.nan, 1.0, math.inf, -1.0, 0.0],
    "int": [3, -128, 127, 3, 0, -128, 127, 0, -1, 3],
    "uint": [255, 0, 7, 255, 7, 0, 1],
    "bool": [True, False, True, True, False],
}


def sort_values(dtype: Any) -> list[Any]:
    kind = "bool" if dtype is dtypes.bool else "uint" if dtype is dtypes.uint8 else \
        "int" if dtype.is_integer else "float"
    return SORT_VALUES[kind]


@pytest.mark.parametrize("dtype", dtypes.all(), ids=str)
def test_argsort_orders_ties_nan_and_signed_zeros_as_torchs_stable_sort(backend: str, dtype: Any) -> None:
    torch = pytest.importorskip("torch")
    values = sort_values(dtype)
    rows = np.array([values, values[::-1], values[1:] + values[:1]], dtype.np_dtype)
    for axis in (0, 1, -1):
        order = TensorData.from_numpy(rows, backend=backend).argsort(axis)
        expected = torch.sort(torch.from_numpy(rows), dim=axis, stable=True).indices.numpy()
        assert order.dtype is dtypes.int64 and order.shape == rows.shape
        np.testing.assert_array_equal(order.numpy(), expected, strict=True)


@pytest.mark.parametrize(("shape", "axis"), [((), 0), ((), -1), ((0,), 0), ((2, 0), 1), ((0, 3), 0), ((0, 3), 1)])
def test_argsort_of_empty_and_0d_arrays_is_torchs(backend: str, shape: tuple[int, ...], axis: int) -> None:
    torch = pytest.importorskip("torch")
    x = np.ones(shape, np.float32)
    expected = torch.sort(torch.from_numpy(x), dim=axis, stable=True).indices.numpy()
    np.testing.assert_array_equal(TensorData.from_numpy(x, backend=backend).argsort(axis).numpy(), expected,
                                  strict=True)


@pytest.mark.parametrize("make_view", [
    pytest.param(lambda x: x.unfold((2, 2), (1, 1), (1, 1)), id="unfold"),
    pytest.param(lambda x: x.reshape((2, 3, 4)), id="reshape"),
    pytest.param(lambda x: x.permute((3, 2, 1, 0)), id="permute"),
    pytest.param(lambda x: x.shrink(((0, 1), (1, 3), (0, 2), (1, 2))), id="shrink"),
    pytest.param(lambda x: x.shrink(((0, 1), (0, 1), (0, 1), (0, 1))).expand((5, 1, 1, 1)), id="expand"),
])
def test_movement_and_window_ops_return_views(backend: str, make_view: Any) -> None:
    x = TensorData.from_numpy(np.arange(24.0).reshape(2, 3, 2, 2), backend=backend)
    assert shares_memory(make_view(x), x)


def test_full_may_be_a_view_but_numpy_gives_a_private_writable_copy(backend: str) -> None:
    ones = TensorData.full((2, 3), 1.0, dtypes.float32, backend=backend)
    copy = ones.numpy()
    copy[0, 0] = 5.0
    np.testing.assert_array_equal(ones.numpy(), np.ones((2, 3), np.float32))


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.float32, np.int32, np.uint8, np.bool_, np.float16])
def test_from_numpy_keeps_the_dtype_through_numpy(backend: str, dtype: Any) -> None:
    array = np.arange(6).reshape(2, 3).astype(dtype)
    data = TensorData.from_numpy(array, backend=backend)
    assert data.dtype.np_dtype == np.dtype(dtype)
    back = data.numpy()
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, array, strict=True)


def test_python_numbers_become_float64_and_int64(backend: str) -> None:
    # np.asarray's choice, kept as is: the Tensor layer, not this one, applies torch's default float32.
    assert TensorData.from_numpy([1.5, 2.0], backend=backend).dtype is dtypes.float64
    assert TensorData.from_numpy([1, 2], backend=backend).dtype is dtypes.int64
    assert TensorData.from_numpy(True, backend=backend).dtype is dtypes.bool


RANDOM_DRAWS: dict[str, Any] = {
    "rand": lambda backend, generator=None: TensorData.rand((3, 4), dtypes.float32, backend, generator),
    "randn": lambda backend, generator=None: TensorData.randn((3, 4), dtypes.float32, backend, generator),
    "randperm": lambda backend, generator=None: TensorData.randperm(12, dtypes.int64, backend, generator),
}


@pytest.mark.parametrize("draw", RANDOM_DRAWS.values(), ids=RANDOM_DRAWS.keys())
def test_manual_seed_makes_random_streams_repeat(backend: str, draw: Any) -> None:
    TensorData.manual_seed(1234, backend=backend)
    first = [draw(backend).numpy() for _ in range(2)]
    TensorData.manual_seed(1234, backend=backend)
    again = [draw(backend).numpy() for _ in range(2)]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[0], first[1])  # the stream moves on between draws


@pytest.mark.parametrize("draw", RANDOM_DRAWS.values(), ids=RANDOM_DRAWS.keys())
def test_a_generator_is_a_stream_of_its_own(backend: str, draw: Any) -> None:
    chosen = get_backend(backend)
    a, b = chosen.new_generator(7), chosen.new_generator(7)
    np.testing.assert_array_equal(draw(backend, a).numpy(), draw(backend, b).numpy())
    TensorData.manual_seed(0, backend=backend)
    own = draw(backend).numpy()
    TensorData.manual_seed(0, backend=backend)
    draw(backend, a)  # drawing from a generator leaves the backend's own stream where it was
    np.testing.assert_array_equal(draw(backend).numpy(), own)
    chosen.seed_generator(a, 7)
    np.testing.assert_array_equal(draw(backend, a).numpy(), draw(backend, chosen.new_generator(7)).numpy())


@pytest.mark.parametrize("draw", RANDOM_DRAWS.values(), ids=RANDOM_DRAWS.keys())
def test_a_generator_state_restores_the_stream(backend: str, draw: Any) -> None:
    chosen = get_backend(backend)
    generator = chosen.new_generator(3)
    chosen.generator_state(generator)  # reading the state does not move the stream
    draw(backend, generator)
    state = chosen.generator_state(generator)
    assert state.dtype == np.uint8 and state.ndim == 1
    expected = [draw(backend, generator).numpy() for _ in range(2)]
    other = chosen.new_generator(99)
    chosen.set_generator_state(other, state)
    np.testing.assert_array_equal([draw(backend, other).numpy() for _ in range(2)], expected)
    with pytest.raises(RuntimeError):
        chosen.set_generator_state(other, state[:-1])


@pytest.mark.parametrize("dtype", [dtypes.float16, dtypes.float32, dtypes.float64])
def test_random_samples_have_the_right_distribution(backend: str, dtype: Any) -> None:
    TensorData.manual_seed(0, backend=backend)
    uniform = TensorData.rand((100_000,), dtype, backend=backend).numpy().astype(np.float64)
    normal = TensorData.randn((100_000,), dtype, backend=backend).numpy().astype(np.float64)
    # rand must stay below 1.0 even in float16, where rounding a finer sample up to 1.0 is easy.
    assert 0 <= uniform.min() and uniform.max() < 1
    assert abs(uniform.mean() - 0.5) < 0.01 and abs(uniform.std() - 12**-0.5) < 0.01
    assert abs(normal.mean()) < 0.02 and abs(normal.std() - 1) < 0.02


@settings(max_examples=50, deadline=None)
@given(start=st.integers(-50, 50), stop=st.integers(-50, 50), step=st.integers(-20, 20).filter(bool))
def test_arange_counts_like_numpy_for_decimal_steps(backend: str, start: int, stop: int, step: int) -> None:
    # Tenths are not exact in binary: the count must be NumPy's (and torch's) ceil((stop - start) / step).
    start_f, stop_f, step_f = start / 10, stop / 10, step / 10
    expected = np.arange(start_f, stop_f, step_f)
    out = TensorData.arange(start_f, stop_f, step_f, dtypes.float64, backend=backend).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_observers_see_every_op_with_its_inputs_and_arguments(backend: str) -> None:
    calls: list[tuple[Any, ...]] = []

    def observe(op: Any, inputs: Any, out: Any, args: Any) -> None:
        calls.append((op, inputs, out, args))

    add_observer(observe)
    try:
        x = TensorData.full((2, 3), 1.0, dtypes.float32, backend=backend)
        y = x.unary(UnaryOps.EXP).reduce(ReduceOps.SUM, -1, keepdim=True).permute((1, 0))
    finally:
        remove_observer(observe)
    x.unary(UnaryOps.NEG)  # not seen any more
    assert [call[0] for call in calls] == [LoadOps.FULL, UnaryOps.EXP, ReduceOps.SUM, MovementOps.PERMUTE]
    assert calls[0][3] == {"shape": (2, 3), "dtype": dtypes.float32}
    assert calls[1][1] == (x,)
    assert calls[2][3] == {"axes": (1,), "keepdim": True}
    assert calls[3][2] is y and calls[3][3] == {"order": (1, 0)}


def test_cat_of_many_arrays_is_one_op_that_observers_see_with_every_input(backend: str) -> None:
    # makemore joins 23 embeddings at once; 300 arrays of all sizes along the axis (0 included), one CAT.
    rng = np.random.default_rng(0)
    parts = [grid(rng, (2, int(n), 3)) for n in rng.integers(0, 4, 300)]
    arrays = [TensorData.from_numpy(p, backend=backend) for p in parts]
    calls: list[tuple[Any, ...]] = []

    def observe(op: Any, inputs: Any, out: Any, args: Any) -> None:
        calls.append((op, inputs, out, args))

    add_observer(observe)
    try:
        out = arrays[0].cat(arrays[1:], -2)
    finally:
        remove_observer(observe)
    assert [call[0] for call in calls] == [MovementOps.CAT]
    assert calls[0][1] == tuple(arrays) and calls[0][2] is out and calls[0][3] == {"axis": 1}
    np.testing.assert_array_equal(out.numpy(), np.concatenate(parts, 1), strict=True)


def test_cat_copies_even_a_single_array(backend: str) -> None:
    # Unlike a reshape to the same shape, a join of one array is a new array, as torch.cat([x]) is: writing one
    # (through assign, or in a backend that writes in place) must not change the other.
    x = TensorData.from_numpy(np.arange(6.0).reshape(2, 3), backend=backend)
    for axis in (0, 1):
        out = x.cat([], axis)
        assert out is not x and not shares_memory(out, x)
        np.testing.assert_array_equal(out.numpy(), x.numpy(), strict=True)


@pytest.mark.parametrize(("shapes", "axis"), [
    ([(0,), (0,)], 0), ([(2, 0), (2, 0), (2, 0)], 1), ([(0, 3), (2, 3), (0, 3)], 0), ([(0, 2), (0, 5)], 1),
    ([(3, 0, 2), (1, 0, 2)], -3),
])
def test_cat_of_empty_arrays_is_torchs(backend: str, shapes: list[tuple[int, ...]], axis: int) -> None:
    torch = pytest.importorskip("torch")
    parts = [np.ones(shape, np.float32) for shape in shapes]
    first, *others = [TensorData.from_numpy(p, backend=backend) for p in parts]
    expected = torch.cat([torch.from_numpy(p) for p in parts], dim=axis).numpy()
    np.testing.assert_array_equal(first.cat(others, axis).numpy(), expected, strict=True)
