"""The backend registry: finding backends by name, the `EDUGRAD_BACKEND` default, registration, and what the
torch backend needs (an importable torch, a device)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pytest

import edugrad.data.backend as registry
from edugrad.data import BinaryOps, TensorData, UnaryOps, available_backends, dtypes, get_backend, register_backend
from edugrad.data.numpy_backend import NumpyBackend


class RenamedNumpy(NumpyBackend):
    """A stand-in third backend: NumPy under another name."""

    name = "renamed"


@pytest.fixture(autouse=True)
def private_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Each test gets its own copies of the registry's tables, so registrations and cached instances made here
    # cannot leak into other tests.
    monkeypatch.setattr(registry, "_factories", dict(registry._factories))
    monkeypatch.setattr(registry, "_instances", dict(registry._instances))
    monkeypatch.delenv("EDUGRAD_BACKEND", raising=False)
    yield


def test_an_unknown_backend_is_a_value_error_listing_the_available_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown backend 'nope'; available backends: numpy, torch"):
        get_backend("nope")
    with pytest.raises(ValueError, match="unknown backend 'nope'"):
        TensorData.full((2,), 0, dtypes.float32, backend="nope")


def test_backends_are_created_once_and_shared() -> None:
    assert get_backend("numpy") is get_backend("numpy")
    assert get_backend().name == "numpy"
    assert {"numpy", "torch"} <= set(available_backends())


@pytest.mark.parametrize("value", ["numpy", ""])
def test_numpy_is_the_default_backend(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("EDUGRAD_BACKEND", value)
    assert get_backend().name == "numpy"
    assert TensorData.full((2,), 0, dtypes.int32).backend.name == "numpy"


def test_the_environment_variable_selects_the_default_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    register_backend("renamed", RenamedNumpy)
    monkeypatch.setenv("EDUGRAD_BACKEND", "renamed")
    assert isinstance(get_backend(), RenamedNumpy)
    assert TensorData.from_numpy(np.ones(3)).backend is get_backend("renamed")
    monkeypatch.setenv("EDUGRAD_BACKEND", "nope")
    with pytest.raises(ValueError, match="unknown backend 'nope'"):
        get_backend()


def test_the_environment_variable_selects_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    monkeypatch.setenv("EDUGRAD_BACKEND", "torch")
    assert get_backend().name == "torch"
    assert TensorData.rand((2,)).backend.name == "torch"


def test_registering_a_name_again_replaces_the_shared_instance() -> None:
    register_backend("renamed", RenamedNumpy)
    first = get_backend("renamed")
    assert get_backend("renamed") is first and "renamed" in available_backends()
    register_backend("renamed", RenamedNumpy)
    assert get_backend("renamed") is not first


def test_operands_on_different_backends_are_an_error() -> None:
    register_backend("renamed", RenamedNumpy)
    x = TensorData.from_numpy(np.ones(3), backend="numpy")
    y = TensorData.from_numpy(np.ones(3), backend="renamed")
    with pytest.raises(ValueError, match=r"add: operands live on different backends \(numpy and renamed\)"):
        x.binary(BinaryOps.ADD, y)


def test_a_missing_torch_is_an_import_error_that_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    registry._instances.pop("torch", None)
    monkeypatch.delitem(sys.modules, "edugrad.data.torch_backend", raising=False)
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail, as if it were not installed
    with pytest.raises(ImportError, match=r"backend 'torch' cannot be imported .*install `edugrad-data\[torch\]`"):
        get_backend("torch")


def test_the_torch_device_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    from edugrad.data.torch_backend import TorchBackend

    monkeypatch.setenv("EDUGRAD_TORCH_DEVICE", "cpu")
    assert TorchBackend().device == "cpu"
    monkeypatch.delenv("EDUGRAD_TORCH_DEVICE")
    assert TorchBackend().device == ("cuda:0" if torch.cuda.is_available() else "cpu")
    register_backend("torch-cpu", TorchBackend)
    monkeypatch.setenv("EDUGRAD_TORCH_DEVICE", "cpu")
    assert TensorData.full((2,), 1.0, dtypes.float32, backend="torch-cpu").array.device == torch.device("cpu")


def test_kernels_are_silent_and_leave_numpy_s_error_state_as_it_was() -> None:
    # log(0), 0/0 and an overflow give IEEE's -inf, nan and inf without a RuntimeWarning (pytest makes one an
    # error), and the user's own NumPy code warns as before.
    before = np.geterr()
    zero = TensorData.from_numpy(np.zeros(2, np.float32))
    big = TensorData.from_numpy(np.full(2, 3e38, np.float32))
    assert np.isneginf(zero.unary(UnaryOps.LOG).numpy()).all()
    assert np.isnan(zero.binary(BinaryOps.DIV, zero).numpy()).all()
    assert np.isposinf(big.binary(BinaryOps.ADD, big).numpy()).all()
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning):
        np.log(np.zeros(1, np.float32))
