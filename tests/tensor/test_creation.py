"""Creation with torch's signatures: tensor(), the legacy Tensor(...) constructor, constants, ranges, random values,
the *_like variants and the reference's initializers; their dtypes, shapes, values, devices and errors, each
compared with PyTorch 2.13."""

from collections.abc import Callable
from math import nan, sqrt
from typing import Any

import numpy as np
import pytest
import torch

import edugrad.tensor as et
from edugrad.tensor import Tensor, dtypes

TORCH_DTYPES = {dtypes.bool: torch.bool, dtypes.uint8: torch.uint8, dtypes.int32: torch.int32,
                dtypes.int64: torch.int64, dtypes.float16: torch.float16, dtypes.float32: torch.float32,
                dtypes.float64: torch.float64}


def same(ours: Tensor, theirs: torch.Tensor) -> None:
    """Same shape, dtype and values (and requires_grad)."""
    assert ours.shape == tuple(theirs.shape)
    assert TORCH_DTYPES[ours.dtype] is theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-6)


# tensor(): torch.tensor's inference, a copy

DATA: list[Any] = [
    1, 2.5, True, [1, 2], [1, 2.5], [True, False], [True, 2], [], [[1, 2], [3, 4]], (1, 2), range(3),
    np.array([1.0, 2.0]), np.array([1, 2], np.int32), np.array([1, 2], np.uint8), np.float64(2.5), np.float32(1.5),
    np.int64(3), np.array(True), [np.float32(1), np.float32(2)],
]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_dtypes_as_torch(data: Any) -> None:
    same(et.tensor(data), torch.tensor(data))


@pytest.mark.parametrize(("dtype", "theirs"), [(dtypes.int64, torch.int64), (dtypes.float64, torch.float64),
                                                (dtypes.bool, torch.bool), (dtypes.uint8, torch.uint8)])
def test_tensor_converts_to_a_given_dtype(dtype: Any, theirs: torch.dtype) -> None:
    same(et.tensor([1.7, -0.0, 2.2] if dtype is not dtypes.uint8 else [1.7, 2.2], dtype=dtype),
         torch.tensor([1.7, -0.0, 2.2] if dtype is not dtypes.uint8 else [1.7, 2.2], dtype=theirs))


def test_tensor_copies_its_data() -> None:
    array = np.array([1.0, 2.0])
    ours = et.tensor(array)
    array[0] = 5
    assert ours.tolist() == [1.0, 2.0]
    source = et.tensor([1.0, 2.0], requires_grad=True)
    copy = et.tensor(source)  # torch: source.detach().clone()
    assert copy.is_leaf and not copy.requires_grad and copy is not source and copy.tolist() == [1.0, 2.0]
    copy.add_(1)
    assert source.tolist() == [1.0, 2.0]


def test_tensor_requires_grad_and_lists_of_tensors() -> None:
    same(et.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True))
    same(et.tensor([et.tensor(1.0), et.tensor(2.0)]), torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]))


@pytest.mark.parametrize(("data", "kwargs", "error"), [
    ("a", {}, TypeError), (None, {}, TypeError), ([[1], [1, 2]], {}, ValueError), (2**63, {}, OverflowError),
    ([1], {"requires_grad": True}, TypeError),
])
def test_tensor_errors(data: Any, kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(Exception):  # noqa: B017  (torch's types differ: RuntimeError where edugrad has TypeError)
        torch.tensor(data, **kwargs)
    with pytest.raises(error):
        et.tensor(data, **kwargs)


def test_as_tensor_and_from_numpy() -> None:
    t, their_t = et.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    assert et.as_tensor(t) is t and torch.as_tensor(their_t) is their_t
    same(et.as_tensor(t, dtype=dtypes.float64), torch.as_tensor(torch.tensor([1.0, 2.0]), dtype=torch.float64))
    same(et.as_tensor([1, 2]), torch.as_tensor([1, 2]))
    same(et.as_tensor(np.array([1.0, 2.0])), torch.as_tensor(np.array([1.0, 2.0])))
    x = et.tensor([1.0, 2.0], requires_grad=True)
    converted = et.as_tensor(x, dtype=dtypes.float64)  # stays in the graph, as torch's
    converted.sum().backward()
    assert x.grad is not None and x.grad.tolist() == [1.0, 1.0]
    array = np.array([1, 2], np.int32)
    ours = et.from_numpy(array)
    same(ours, torch.from_numpy(array.copy()))
    theirs = torch.from_numpy(array)
    array[0] = 9  # both share the array's memory
    assert ours.tolist() == theirs.tolist() == [9, 2]
    with pytest.raises(TypeError, match="from_numpy: expected np.ndarray"):
        et.from_numpy([1, 2])  # type: ignore[arg-type]


def test_is_tensor_numel_and_is_floating_point() -> None:
    assert et.is_tensor(et.zeros(1)) and not et.is_tensor([1]) and not et.is_tensor(np.zeros(1))
    assert et.numel(et.zeros(2, 3)) == torch.numel(torch.zeros(2, 3)) == 6
    assert et.numel is Tensor.numel and et.is_floating_point is Tensor.is_floating_point
    assert et.is_floating_point(et.zeros(1)) and not et.is_floating_point(et.zeros(1, dtype=dtypes.int64))


# the legacy constructor Tensor(...)

@pytest.mark.parametrize("args", [([1, 2],), ([True, False],), ((2, 3),), (np.array([1, 2]),),
                                  (np.array([1.0, 2.0]),), ([[1.5], [2.5]],), ()], ids=repr)
def test_legacy_constructor_makes_the_default_dtype(args: tuple[Any, ...]) -> None:
    same(Tensor(*args), torch.Tensor(*args))


@pytest.mark.parametrize("sizes", [(2, 3), (3,), (0, 4)])
def test_legacy_constructor_with_sizes_is_uninitialised(sizes: tuple[int, ...]) -> None:
    ours, theirs = Tensor(*sizes), torch.Tensor(*sizes)
    assert ours.shape == tuple(theirs.shape) and ours.dtype is dtypes.float32


def test_legacy_constructor_keeps_a_tensors_dtype_and_shares_its_values() -> None:
    source = et.tensor([1, 2])
    same(Tensor(source), torch.Tensor(torch.tensor([1, 2])))
    alias = Tensor(source)
    alias.add_(1)
    assert source.tolist() == [2, 3]  # torch.Tensor(t) shares t's memory


def test_legacy_constructor_keyword_extras() -> None:
    assert Tensor([1, 2], dtype=dtypes.int64).dtype is dtypes.int64
    assert Tensor([1.0], requires_grad=True).requires_grad
    assert Tensor([1.0], device="cpu").device == et.device("cpu")
    assert torch.Tensor([1.0], device="cpu").device.type == "cpu"
    assert Tensor([1.0], backend="numpy").backend == "numpy"


@pytest.mark.parametrize("args", [(2.5,), (np.float64(3),), ([1], dtypes.float64)], ids=repr)
def test_legacy_constructor_errors(args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError):
        torch.Tensor(*[torch.float64 if a is dtypes.float64 else a for a in args])
    with pytest.raises(TypeError, match="Tensor"):
        Tensor(*args)


# constants

@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,)], ids=repr)
def test_constants_take_varargs_or_one_sequence(name: str, size: tuple[Any, ...]) -> None:
    ours, theirs = getattr(et, name)(*size), getattr(torch, name)(*size)
    assert ours.shape == tuple(theirs.shape) and ours.dtype is dtypes.float32
    if name != "empty":
        same(ours, theirs)


@pytest.mark.parametrize(("dtype", "theirs"), TORCH_DTYPES.items(), ids=lambda d: str(d))
def test_constants_take_a_dtype(dtype: Any, theirs: torch.dtype) -> None:
    same(et.zeros(2, dtype=dtype), torch.zeros(2, dtype=theirs))
    same(et.ones(2, dtype=dtype), torch.ones(2, dtype=theirs))
    assert et.empty(2, dtype=dtype).dtype is dtype


@pytest.mark.parametrize("value", [3, 3.5, True, -2], ids=repr)
def test_full_infers_its_dtype_from_the_value(value: Any) -> None:
    same(et.full((2, 1), value), torch.full((2, 1), value))
    same(et.full([3], value, dtype=dtypes.float64), torch.full([3], value, dtype=torch.float64))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "full_like", "rand_like",
                                  "randn_like"])
def test_like_functions_follow_input_unless_told(name: str) -> None:
    args = (2.7,) if name == "full_like" else ()
    for ours_in, theirs_in in [(et.zeros(2, 3, dtype=dtypes.float64), torch.zeros(2, 3, dtype=torch.float64)),
                               (et.ones(3), torch.ones(3))]:
        ours, theirs = getattr(et, name)(ours_in, *args), getattr(torch, name)(theirs_in, *args)
        assert ours.shape == tuple(theirs.shape) and TORCH_DTYPES[ours.dtype] is theirs.dtype
        ours = getattr(et, name)(ours_in, *args, dtype=dtypes.float16, requires_grad=True)
        assert ours.dtype is dtypes.float16 and ours.requires_grad and ours.is_leaf
    assert getattr(Tensor, name) is getattr(et, name)  # x.zeros_like() is the same function


def test_like_functions_on_integers_as_torch() -> None:
    same(et.zeros_like(et.tensor([1, 2], dtype=dtypes.int32)), torch.zeros_like(torch.tensor([1, 2],
                                                                                             dtype=torch.int32)))
    same(et.full_like(et.tensor([1, 2], dtype=dtypes.int32), 2.7), torch.full_like(torch.tensor([1, 2],
                                                                                                dtype=torch.int32), 2.7))
    same(et.full_like(et.zeros(2), True), torch.full_like(torch.zeros(2), True))
    with pytest.raises(NotImplementedError):
        torch.rand_like(torch.zeros(2, dtype=torch.int32))
    with pytest.raises(TypeError, match="rand"):
        et.rand_like(et.zeros(2, dtype=dtypes.int32))


def test_like_requires_grad_is_not_inherited() -> None:
    same(et.zeros_like(et.zeros(2, requires_grad=True)), torch.zeros_like(torch.zeros(2, requires_grad=True)))


# ranges

@pytest.mark.parametrize("args", [(5,), (1, 4), (1, 2.5, 0.5), (2.5,), (0, -3, -1), (3, 3), (0, 1, 0.1),
                                  (-2, 5, 3)], ids=repr)
def test_arange_matches_torch(args: tuple[Any, ...]) -> None:
    same(et.arange(*args), torch.arange(*args))


def test_arange_keywords_dtypes_and_tensor_bounds() -> None:
    same(et.arange(end=5), torch.arange(end=5))
    same(et.arange(1, 4, dtype=dtypes.float64), torch.arange(1, 4, dtype=torch.float64))
    same(et.arange(et.tensor(3)), torch.arange(torch.tensor(3)))
    same(et.arange(np.int64(4)), torch.arange(np.int64(4)))


@pytest.mark.parametrize(("args", "error"), [((0, 5, -1), RuntimeError), ((0, 5, 0), RuntimeError),
                                             ((float("nan"),), RuntimeError), ((float("inf"),), RuntimeError),
                                             (("3",), TypeError)], ids=repr)
def test_arange_errors(args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises((RuntimeError, TypeError)):
        torch.arange(*args)
    with pytest.raises(error, match="arange"):
        et.arange(*args)


@pytest.mark.parametrize(("start", "end", "steps"), [(0, 1, 5), (-2.5, 7, 11), (3, -1, 4), (1, 1, 1), (0, 5, 0)])
def test_linspace_and_logspace_match_torch(start: float, end: float, steps: int) -> None:
    same(et.linspace(start, end, steps), torch.linspace(start, end, steps))
    np.testing.assert_allclose(et.logspace(start, end, steps).numpy(), torch.logspace(start, end, steps).numpy(),
                               rtol=1e-6)
    same(et.logspace(start, end, steps, base=2, dtype=dtypes.float64),
         torch.logspace(start, end, steps, base=2, dtype=torch.float64))


def test_linspace_and_logspace_int_dtypes_truncate_like_torch() -> None:
    same(et.linspace(0, 10, 4, dtype=dtypes.int64), torch.linspace(0, 10, 4, dtype=torch.int64))
    same(et.logspace(0, 3, 4, dtype=dtypes.int64), torch.logspace(0, 3, 4, dtype=torch.int64))


@pytest.mark.parametrize(("steps", "error"), [(-1, RuntimeError), (2.0, TypeError)])
def test_linspace_steps_errors(steps: Any, error: type[Exception]) -> None:
    with pytest.raises((RuntimeError, TypeError)):
        torch.linspace(0, 1, steps)
    with pytest.raises(error, match="linspace: .*steps"):
        et.linspace(0, 1, steps)


@pytest.mark.parametrize("args", [(3,), (2, 4), (0,), (3, 0)])
def test_eye_matches_torch(args: tuple[int, ...]) -> None:
    same(et.eye(*args), torch.eye(*args))
    same(et.eye(*args, dtype=dtypes.bool), torch.eye(*args, dtype=torch.bool))


def test_eye_rejects_negative_sizes() -> None:
    with pytest.raises(RuntimeError):
        torch.eye(-1)
    with pytest.raises(RuntimeError, match="eye: n must be greater or equal to 0, got -1"):
        et.eye(-1)
    with pytest.raises(RuntimeError, match="eye: m must be greater or equal to 0, got -1"):
        et.eye(2, -1)
    with pytest.raises(TypeError):
        torch.eye(2.5)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="eye: n must be an int, got float"):
        et.eye(2.5)  # type: ignore[arg-type]


# random values

@pytest.mark.parametrize("name", ["rand", "randn"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), ((),)], ids=repr)
def test_random_values_take_torchs_sizes_and_dtypes(name: str, size: tuple[Any, ...]) -> None:
    ours, theirs = getattr(et, name)(*size), getattr(torch, name)(*size)
    assert ours.shape == tuple(theirs.shape) and ours.dtype is dtypes.float32
    assert getattr(et, name)(*size, dtype=dtypes.float64).dtype is dtypes.float64
    assert getattr(et, name)(*size, requires_grad=True).requires_grad


def test_rand_is_uniform_on_the_unit_interval_and_randn_is_standard_normal() -> None:
    et.manual_seed(0)
    uniform, normal = et.rand(20000).numpy(), et.randn(20000).numpy()
    assert uniform.min() >= 0 and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.01
    assert abs(normal.mean()) < 0.03 and abs(normal.std() - 1) < 0.03


@pytest.mark.parametrize(("args", "kwargs"), [((10, (3,)), {}), ((2, 10, (3,)), {}), ((10,), {"size": (2, 2)}),
                                              ((), {"high": 10, "size": (3,)}), ((-3, 2, (2000,)), {})], ids=repr)
def test_randint_takes_torchs_forms(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    ours, theirs = et.randint(*args, **kwargs), torch.randint(*args, **kwargs)
    assert ours.shape == tuple(theirs.shape) and ours.dtype is dtypes.int64
    values = set(ours.tolist() if ours.ndim == 1 else ours.reshape(-1).tolist())
    low, high = (0, args[0] if args else kwargs["high"]) if len(args) < 3 else args[:2]
    assert values <= set(range(low, high))


def test_randint_draws_every_value_and_takes_a_dtype() -> None:
    et.manual_seed(0)
    assert set(et.randint(-3, 2, (2000,)).tolist()) == {-3, -2, -1, 0, 1}  # a negative low too, high never
    same(et.randint(0, 1, (3,), dtype=dtypes.float32), torch.randint(0, 1, (3,), dtype=torch.float32))
    assert et.randint(0, 2, (4,), dtype=dtypes.bool).dtype is dtypes.bool


@pytest.mark.parametrize(("args", "kwargs", "error"), [
    ((3, 3, (2,)), {}, RuntimeError), ((10,), {}, TypeError), ((0, 3, (2,)), {"requires_grad": True}, TypeError),
], ids=repr)
def test_randint_errors(args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises((RuntimeError, TypeError)):
        torch.randint(*args, **kwargs)
    with pytest.raises(error):
        et.randint(*args, **kwargs)


def test_randint_like_as_torch() -> None:
    for args in [(5,), (3, 5)]:
        for ours_in, theirs_in in [(et.zeros(2, 2), torch.zeros(2, 2)),
                                   (et.zeros(2, dtype=dtypes.int32), torch.zeros(2, dtype=torch.int32))]:
            ours, theirs = et.randint_like(ours_in, *args), torch.randint_like(theirs_in, *args)
            assert ours.shape == tuple(theirs.shape) and TORCH_DTYPES[ours.dtype] is theirs.dtype
            low, high = (0, args[0]) if len(args) == 1 else args
            assert set(ours.reshape(-1).tolist()) <= set(range(low, high))


@pytest.mark.parametrize(("mean", "std", "size"), [
    (lambda T: T.zeros(3), lambda T: T.ones(3), None), (lambda T: T.zeros(3), lambda T: 1.0, None),
    (lambda T: 0.0, lambda T: T.ones(3), None), (lambda T: 2, lambda T: 3, (1, 4)),
    (lambda T: T.zeros(2, 1), lambda T: T.ones(3), None),
    (lambda T: T.zeros(3, dtype=T.float64 if T is torch else dtypes.float64), lambda T: 1.0, None),
])
def test_normal_takes_torchs_overloads(mean: Callable[[Any], Any], std: Callable[[Any], Any], size: Any) -> None:
    extra = () if size is None else (size,)
    ours, theirs = et.normal(mean(et), std(et), *extra), torch.normal(mean(torch), std(torch), *extra)
    assert ours.shape == tuple(theirs.shape) and TORCH_DTYPES[ours.dtype] is theirs.dtype


def test_normal_has_its_mean_and_std() -> None:
    et.manual_seed(1)
    values = et.normal(et.full((20000,), 3.0), 0.5).numpy()
    assert abs(values.mean() - 3.0) < 0.02 and abs(values.std() - 0.5) < 0.02
    values = et.normal(-1.0, 2.0, (20000,), dtype=dtypes.float64)
    assert values.dtype is dtypes.float64 and abs(values.numpy().mean() + 1) < 0.05


@pytest.mark.parametrize(("mean", "std", "size", "error"), [
    (0.0, -1.0, (2,), RuntimeError), (2, 3, None, TypeError), (lambda: et.zeros(2, dtype=dtypes.int64), 1.0, None,
                                                             TypeError),
])
def test_normal_errors(mean: Any, std: Any, size: Any, error: type[Exception]) -> None:
    mean = mean() if callable(mean) else mean
    with pytest.raises(error, match="normal"):
        et.normal(mean, std, size)


@pytest.mark.parametrize("std", [-1.0, nan])
def test_normal_refuses_a_negative_or_nan_std_as_torch(std: float) -> None:
    # As a number or as an element of a tensor (where it would draw nonsense); -0.0 is not negative.
    for theirs in (lambda: torch.normal(0.0, std, (2,)),
                   lambda: torch.normal(torch.zeros(2), torch.tensor([std, 1.0]))):
        with pytest.raises(RuntimeError, match="normal expects"):
            theirs()
    with pytest.raises(RuntimeError, match=r"normal: expects std >= 0.0, got (-1.0|nan)"):
        et.normal(0.0, std, (2,))
    with pytest.raises(RuntimeError, match=r"normal: expects all elements of std >= 0.0"):
        et.normal(et.zeros(2), et.tensor([std, 1.0]))
    same(et.normal(et.zeros(2), et.tensor([-0.0, 0.0])), torch.normal(torch.zeros(2), torch.tensor([-0.0, 0.0])))


# devices

@pytest.mark.parametrize("make", [
    lambda **kw: et.zeros(2, **kw), lambda **kw: et.ones(2, **kw), lambda **kw: et.empty(2, **kw),
    lambda **kw: et.full((2,), 1.0, **kw), lambda **kw: et.arange(3, **kw), lambda **kw: et.linspace(0, 1, 3, **kw),
    lambda **kw: et.logspace(0, 1, 3, **kw), lambda **kw: et.eye(2, **kw), lambda **kw: et.rand(2, **kw),
    lambda **kw: et.randn(2, **kw), lambda **kw: et.randint(3, (2,), **kw), lambda **kw: et.randperm(3, **kw),
    lambda **kw: et.normal(0.0, 1.0, (2,), **kw), lambda **kw: et.tensor([1.0], **kw),
    lambda **kw: et.zeros_like(et.ones(2), **kw), lambda **kw: et.rand_like(et.ones(2), **kw),
])
def test_every_creation_function_takes_a_device(make: Callable[..., Tensor]) -> None:
    assert make(device="cpu").device == et.device("cpu")
    assert make(device=et.device("cpu")).device.type == "cpu"
    with pytest.raises(RuntimeError, match="mps"):
        make(device="mps")
    with pytest.raises(TypeError, match="device= or backend="):
        make(device="cpu", backend="numpy")


# the reference's samplers and initializers (Tensor staticmethods)

@pytest.mark.parametrize("make", [Tensor.normal, Tensor.uniform, Tensor.scaled_uniform, Tensor.glorot_uniform,
                                  Tensor.kaiming_uniform, Tensor.kaiming_normal])
def test_reference_samplers_take_varargs_or_tuple_and_are_float32(make: Callable[..., Tensor]) -> None:
    for t in (make(2, 3), make((2, 3)), make([2, 3])):
        assert t.shape == (2, 3)
        assert t.dtype is dtypes.float32


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
    lambda: et.rand(4), lambda: et.randn(2, 2), lambda: et.randint(0, 100, (5,)), lambda: et.randperm(6),
    lambda: et.normal(0.0, 1.0, (3,)), lambda: Tensor.normal(3), lambda: Tensor.uniform(3),
    lambda: Tensor.kaiming_uniform(3, 2), lambda: et.ones(2, 2).rand_like(), lambda: et.ones(3).randn_like(),
    lambda: et.randint_like(et.ones(5), 100),
])
def test_manual_seed_makes_draws_reproducible(make: Callable[[], Tensor]) -> None:
    et.manual_seed(42)
    first, second = make().numpy(), make().numpy()
    et.manual_seed(42)
    again = make().numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("make", [
    lambda **kw: Tensor.normal(2, **kw), lambda **kw: Tensor.uniform(2, **kw), lambda **kw: et.eye(2, **kw),
    lambda **kw: et.linspace(0, 1, 3, **kw), lambda **kw: Tensor.scaled_uniform(2, 2, **kw),
    lambda **kw: Tensor.glorot_uniform(2, 2, **kw), lambda **kw: Tensor.kaiming_normal(2, 2, **kw),
    lambda **kw: et.zeros(2).randn_like(**kw), lambda **kw: et.arange(3.0, **kw), lambda **kw: et.full((2,), 1.0, **kw),
    lambda **kw: et.normal(0.0, 1.0, (2,), **kw), lambda **kw: et.tensor([1.0, 2.0], **kw),
])
def test_requires_grad_gives_a_leaf(make: Callable[..., Tensor]) -> None:
    t: Any = make(requires_grad=True)
    assert t.requires_grad and t.is_leaf
    t.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones(t.shape, np.float32))
