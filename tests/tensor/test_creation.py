"""Creation: constants, ranges, random values and initializers; their dtypes, shapes, bounds and seeding."""

from collections.abc import Callable
from math import sqrt
from typing import Any

import numpy as np
import pytest
import torch

from edugrad.tensor import Tensor, dtypes


@pytest.mark.parametrize("make", [Tensor.zeros, Tensor.ones, Tensor.empty, Tensor.rand, Tensor.randn, Tensor.normal,
                                  Tensor.uniform, Tensor.scaled_uniform, Tensor.glorot_uniform,
                                  Tensor.kaiming_uniform, Tensor.kaiming_normal])
def test_float_creation_takes_varargs_or_tuple_and_is_float32(make: Callable[..., Tensor]) -> None:
    for t in (make(2, 3), make((2, 3)), make([2, 3])):
        assert t.shape == (2, 3)
        assert t.dtype is dtypes.float32


def test_eye_is_float32_identity() -> None:
    assert Tensor.eye(3).dtype is dtypes.float32
    np.testing.assert_array_equal(Tensor.eye(3).numpy(), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(Tensor.eye(2, 4).numpy(), torch.eye(2, 4).numpy())
    assert Tensor.eye(2, dtype=dtypes.int64).tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize(("start", "end", "steps"), [(0, 1, 5), (-2.5, 7, 11), (3, -1, 4), (1, 1, 1), (0, 5, 0)])
def test_linspace_matches_torch(start: float, end: float, steps: int) -> None:
    ours = Tensor.linspace(start, end, steps)
    assert ours.dtype is dtypes.float32
    np.testing.assert_allclose(ours.numpy(), torch.linspace(start, end, steps).numpy(), rtol=1e-6, atol=1e-6)


def test_linspace_int_dtype_truncates_like_torch() -> None:
    ours = Tensor.linspace(0, 10, 4, dtype=dtypes.int64).tolist()
    assert ours == torch.linspace(0, 10, 4, dtype=torch.int64).tolist()


def test_randint_signatures_and_range() -> None:
    Tensor.manual_seed(0)
    draws = Tensor.randint(-3, 2, (2000,))
    assert draws.dtype is dtypes.int64
    assert set(draws.tolist()) == {-3, -2, -1, 0, 1}  # a negative low is drawn too, high never
    assert Tensor.randint(4, (3, 2)).shape == (3, 2)
    assert set(Tensor.randint(4, (500,)).tolist()) == {0, 1, 2, 3}
    reference_style = Tensor.randint(50, 40, low=5, high=7)  # the reference's randint(*shape, low=0, high=10)
    assert reference_style.shape == (50, 40) and set(np.unique(reference_style.numpy())) == {5, 6}
    assert set(np.unique(Tensor.randint((300,)).numpy())) == set(range(10))
    assert Tensor.randint(0, 3, (2,), dtype=dtypes.int32).dtype is dtypes.int32


def test_randint_errors() -> None:
    with pytest.raises(ValueError, match="low < high"):
        Tensor.randint(3, 3, (2,))
    with pytest.raises(TypeError, match="not both"):
        Tensor.randint(0, 3, (2,), high=5)
    with pytest.raises(TypeError, match="floating-point"):
        Tensor.randint(0, 3, (2,), requires_grad=True)


def test_normal_and_uniform_statistics() -> None:
    Tensor.manual_seed(1)
    normal = Tensor.normal(20000, mean=3.0, std=0.5).numpy()
    assert abs(normal.mean() - 3.0) < 0.02 and abs(normal.std() - 0.5) < 0.02
    uniform = Tensor.uniform(20000, low=-2.0, high=4.0).numpy()
    assert uniform.min() >= -2.0 and uniform.max() < 4.0 and abs(uniform.mean() - 1.0) < 0.05


@pytest.mark.parametrize(("make", "bound"), [
    (Tensor.scaled_uniform, 1 / sqrt(64 * 32)),
    (Tensor.glorot_uniform, sqrt(6 / (64 + 32))),
    (Tensor.kaiming_uniform, sqrt(3) * sqrt(2 / (1 + 0.01**2)) / sqrt(32)),
])
def test_uniform_initializers_fill_their_bound(make: Callable[..., Tensor], bound: float) -> None:
    values = make(64, 32).numpy()
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound  # 2048 draws reach close to the bound


def test_kaiming_normal_std_and_slope() -> None:
    Tensor.manual_seed(2)
    values = Tensor.kaiming_normal(100, 4, 5, 5, a=1.0).numpy()  # fan_in 100; gain sqrt(2/2) = 1
    assert abs(values.std() - 1 / sqrt(100)) < 0.005


def test_initializer_rejects_empty_shape() -> None:
    with pytest.raises(ValueError, match="glorot_uniform"):
        Tensor.glorot_uniform(0, 3)


@pytest.mark.parametrize("make", [
    lambda: Tensor.rand(4), lambda: Tensor.randn(2, 2), lambda: Tensor.randint(0, 100, (5,)),
    lambda: Tensor.normal(3), lambda: Tensor.uniform(3), lambda: Tensor.kaiming_uniform(3, 2),
    lambda: Tensor.ones(2, 2).rand_like(), lambda: Tensor.ones(3).randn_like(),
])
def test_manual_seed_makes_draws_reproducible(make: Callable[[], Tensor]) -> None:
    Tensor.manual_seed(42)
    first, second = make().numpy(), make().numpy()
    Tensor.manual_seed(42)
    again = make().numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_like_variants_follow_shape_and_dtype() -> None:
    x = Tensor.ones(2, 3, dtype=dtypes.float64)
    for like in (x.rand_like(), x.randn_like()):
        assert like.shape == (2, 3) and like.dtype is dtypes.float64
    assert x.rand_like(dtype=dtypes.float32).dtype is dtypes.float32


@pytest.mark.parametrize("make", [
    lambda **kw: Tensor.normal(2, **kw), lambda **kw: Tensor.uniform(2, **kw), lambda **kw: Tensor.eye(2, **kw),
    lambda **kw: Tensor.linspace(0, 1, 3, **kw), lambda **kw: Tensor.scaled_uniform(2, 2, **kw),
    lambda **kw: Tensor.glorot_uniform(2, 2, **kw), lambda **kw: Tensor.kaiming_normal(2, 2, **kw),
    lambda **kw: Tensor.zeros(2).randn_like(**kw),
])
def test_requires_grad_gives_a_leaf(make: Callable[..., Tensor]) -> None:
    t: Any = make(requires_grad=True)
    assert t.requires_grad and t.is_leaf
    t.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones(t.shape, np.float32))
