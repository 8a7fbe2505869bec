"""Random streams as torch has them: `Generator`, the module-level seeding functions and `generator=` on the random
functions; each compared with PyTorch's behaviour (seeds, states, errors). The streams differ (NumPy's PCG64 is
not torch's Mersenne Twister), so the values are compared between edugrad's own runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import edugrad.tensor as et
from edugrad.tensor import Generator, Tensor, dtypes

# Every random function that takes generator=, drawing a few values.
DRAWS: dict[str, Callable[[Any], Tensor]] = {
    "rand": lambda g: Tensor.rand(5, generator=g),
    "randn": lambda g: Tensor.randn(2, 3, generator=g),
    "randint": lambda g: Tensor.randint(0, 100, (6,), generator=g),
    "randperm": lambda g: et.randperm(8, generator=g),
    "normal": lambda g: Tensor.normal(4, mean=2.0, std=3.0, generator=g),
    "uniform": lambda g: Tensor.uniform(4, generator=g),
    "rand_like": lambda g: Tensor.zeros(3).rand_like(generator=g),
    "randn_like": lambda g: Tensor.zeros(3).randn_like(generator=g),
}


def test_a_new_generator_starts_from_torchs_default_seed() -> None:
    assert Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert Generator().device == et.device("cpu") and Generator("cpu").device.type == "cpu"


@pytest.mark.parametrize("seed", [0, 7, 2**64 - 1, -1, -(2**63)])
def test_manual_seed_returns_the_generator_and_maps_seeds_as_torch(seed: int) -> None:
    g = Generator()
    assert g.manual_seed(seed) is g
    assert g.initial_seed() == torch.Generator().manual_seed(seed).initial_seed()


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1, 1.5, "3", True])
def test_manual_seed_refuses_what_torch_refuses(seed: Any) -> None:
    with pytest.raises(Exception) as theirs:
        torch.Generator().manual_seed(seed)
    with pytest.raises(theirs.type, match="manual_seed"):
        Generator().manual_seed(seed)


def test_seed_draws_a_new_seed_and_reports_it() -> None:
    g = Generator()
    first = g.seed()
    assert g.initial_seed() == first and 0 <= first < 2**64
    assert g.seed() != first  # 64 random bits: equal with probability 2**-64


@pytest.mark.parametrize("draw", DRAWS.values(), ids=DRAWS.keys())
def test_one_seed_draws_the_same_values(draw: Callable[[Any], Tensor]) -> None:
    first = draw(Generator().manual_seed(11)).numpy()
    np.testing.assert_array_equal(draw(Generator().manual_seed(11)).numpy(), first)
    g = Generator().manual_seed(11)
    draw(g)
    assert not np.array_equal(draw(g).numpy(), first)  # the stream moves on


@pytest.mark.parametrize("draw", DRAWS.values(), ids=DRAWS.keys())
def test_a_generator_leaves_the_default_stream_alone(draw: Callable[[Any], Tensor]) -> None:
    et.manual_seed(5)
    expected = draw(None).numpy()
    et.manual_seed(5)
    draw(Generator())
    np.testing.assert_array_equal(draw(None).numpy(), expected)


@pytest.mark.parametrize("draw", DRAWS.values(), ids=DRAWS.keys())
def test_get_state_and_set_state_replay_a_stream(draw: Callable[[Any], Tensor]) -> None:
    g = Generator().manual_seed(3)
    draw(g)
    state = g.get_state()
    expected = [draw(g).numpy() for _ in range(2)]
    other = Generator().manual_seed(99)
    assert other.set_state(state) is other
    np.testing.assert_array_equal([draw(other).numpy() for _ in range(2)], expected)


def test_the_state_is_a_cpu_uint8_tensor_that_restores_the_initial_seed_too() -> None:
    state = Generator().manual_seed(5).get_state()
    assert isinstance(state, Tensor) and state.dtype is dtypes.uint8 and state.ndim == 1
    assert state.device == et.device("cpu")
    assert Generator().set_state(state).initial_seed() == 5
    assert torch.Generator().set_state(torch.Generator().manual_seed(5).get_state()).initial_seed() == 5


@pytest.mark.parametrize(("state", "error"), [
    (lambda: Tensor.zeros(3, dtype=dtypes.uint8), RuntimeError),  # a state of the wrong size
    (lambda: Tensor.zeros(45), TypeError),  # not uint8
    (lambda: [1, 2], TypeError),  # not a tensor
])
def test_set_state_refuses_a_wrong_state_as_torch(state: Callable[[], Any], error: type[Exception]) -> None:
    theirs = {"RuntimeError": torch.zeros(3, dtype=torch.uint8), "TypeError": torch.zeros(5056)}[error.__name__]
    with pytest.raises(error):
        torch.Generator().set_state(theirs)
    with pytest.raises(error, match="set_state"):
        Generator().set_state(state())


def test_module_level_seeding_is_torchs() -> None:
    assert et.manual_seed(21) is et.default_generator
    assert isinstance(torch.manual_seed(21), torch.Generator)
    assert et.initial_seed() == 21
    first = Tensor.rand(4).numpy()
    et.manual_seed(21)
    np.testing.assert_array_equal(Tensor.rand(4).numpy(), first)
    state = et.get_rng_state()
    expected = Tensor.randn(3).numpy()
    assert et.set_rng_state(state) is None
    np.testing.assert_array_equal(Tensor.randn(3).numpy(), expected)
    chosen = et.seed()
    assert et.initial_seed() == chosen
    assert Tensor.manual_seed(4) is et.default_generator  # the Tensor staticmethod is the same function


def test_generator_must_be_a_generator() -> None:
    with pytest.raises(TypeError):
        torch.rand(2, generator=3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="rand: generator must be an edugrad Generator, got int"):
        Tensor.rand(2, generator=3)  # type: ignore[arg-type]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_a_cuda_generator_without_a_gpu_says_what_is_missing() -> None:
    with pytest.raises(RuntimeError):
        torch.Generator("cuda")
    with pytest.raises(RuntimeError, match="device cuda: .*torch"):
        Generator("cuda")


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1000])
def test_randperm_is_a_permutation_of_range_n(n: int) -> None:
    ours = et.randperm(n)
    assert ours.shape == torch.randperm(n).shape == (n,)
    assert ours.dtype is dtypes.int64
    assert sorted(ours.tolist()) == list(range(n))


def test_randperm_shuffles_uniformly() -> None:
    g = Generator().manual_seed(0)
    firsts = [int(et.randperm(4, generator=g)[0].item()) for _ in range(4000)]
    counts = np.bincount(firsts, minlength=4)
    assert np.all(np.abs(counts - 1000) < 120), counts  # each value first about a quarter of the time


@pytest.mark.parametrize(("dtype", "theirs"), [(dtypes.int32, torch.int32), (dtypes.uint8, torch.uint8),
                                               (dtypes.float32, torch.float32), (dtypes.float16, torch.float16)])
def test_randperm_dtypes_and_requires_grad_as_torch(dtype: Any, theirs: torch.dtype) -> None:
    ours = et.randperm(6, dtype=dtype)
    assert ours.dtype is dtype and torch.randperm(6, dtype=theirs).dtype is theirs
    assert sorted(ours.tolist()) == list(range(6))
    if dtype.is_floating_point:
        assert et.randperm(3, dtype=dtype, requires_grad=True).requires_grad
    else:
        with pytest.raises(RuntimeError):
            torch.randperm(3, dtype=theirs, requires_grad=True)
        with pytest.raises(TypeError, match="floating-point"):
            et.randperm(3, dtype=dtype, requires_grad=True)


@pytest.mark.parametrize(("n", "dtype", "error"), [
    (-1, dtypes.int64, ValueError), (2.0, dtypes.int64, TypeError), (True, dtypes.int64, TypeError),
    (257, dtypes.uint8, ValueError), (3, dtypes.bool, TypeError),
])
def test_randperm_errors(n: Any, dtype: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="randperm"):
        et.randperm(n, dtype=dtype)


def test_randperm_takes_a_device() -> None:
    assert et.randperm(3, device="cpu").device == et.device("cpu")
    with pytest.raises(TypeError, match="randperm: give device= or backend=, not both"):
        et.randperm(3, device="cpu", backend="numpy")
