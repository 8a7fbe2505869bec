"""Devices as torch has them: the `device` class, `Tensor.device`, `to`/`cpu`/`cuda` and the new_* methods, and the
honest answers of torch.cuda, torch.backends and torch.accelerator; each compared with PyTorch 2.13 on this
machine (which decides whether CUDA is there)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import edugrad.tensor as et
import edugrad.torch as etorch

GPU = torch.cuda.is_available()


@pytest.mark.parametrize("args", [("cpu",), ("cuda", 0), ("cuda:1",), ("cuda",), ("cpu", 0), ("mps",), ("cpu:0",)],
                         ids=repr)
def test_device_objects_match_torch(args: tuple[Any, ...]) -> None:
    ours, theirs = et.device(*args), torch.device(*args)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert (str(ours), repr(ours)) == (str(theirs), repr(theirs))
    assert ours == et.device(*args) and hash(ours) == hash(et.device(*args)) and ours != str(ours)
    assert et.device(ours) == ours


@pytest.mark.parametrize(("args", "error"), [(("cuda:x",), RuntimeError), (("gpu",), RuntimeError),
                                             (("cuda", -1), RuntimeError), (("cuda:0", 0), RuntimeError),
                                             (("cuda", "0"), TypeError), ((1.0,), TypeError)], ids=repr)
def test_bad_devices_are_torchs_errors(args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        torch.device(*args)
    with pytest.raises(error):
        et.device(*args)


def test_tensor_device_and_to() -> None:
    x = et.tensor([1.0, 2.0], requires_grad=True)
    assert x.device == et.device("cpu") and not x.is_cuda and x.get_device() == -1
    assert x.to("cpu") is x and x.cpu() is x and x.to(et.float32) is x
    assert x.to("cpu", copy=True) is not x
    for converted in (x.to(et.float64), x.to("cpu", et.float64), x.to(device="cpu", dtype=et.float64),
                      x.to(et.zeros(1, dtype=et.float64)), x.to(dtype=et.float64, non_blocking=True)):
        assert converted.dtype is et.float64 and converted.requires_grad
    (x.to(et.float64) * 2).sum().backward()
    assert x.grad is not None and x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize(("args", "kwargs", "error"), [(("banana",), {}, RuntimeError), ((), {"memory": 1}, TypeError),
                                                       ((3.5,), {}, TypeError), ((), {"dtype": "float32"}, TypeError)],
                         ids=repr)
def test_to_refuses_what_it_cannot_read(args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        et.zeros(2).to(*args, **kwargs)


def test_new_methods_as_torch() -> None:
    ours, theirs = et.tensor([1, 2], dtype=et.int32), torch.tensor([1, 2], dtype=torch.int32)
    for name, args in [("new_zeros", ((2, 3),)), ("new_zeros", (2, 3)), ("new_ones", ((2,),)), ("new_ones", (2, 1)),
                       ("new_full", ((2,), 7)), ("new_tensor", ([4, 5],)), ("new_empty", ((1, 2),)),
                       ("new_empty", (1, 2))]:
        a, b = getattr(ours, name)(*args), getattr(theirs, name)(*args)
        assert a.shape == tuple(b.shape) and a.dtype.name == str(b.dtype).removeprefix("torch.")
        if name != "new_empty":
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert ours.new_zeros(2, dtype=et.float64).dtype is et.float64


def test_pinned_memory_is_an_honest_no() -> None:
    x = et.zeros(2)
    assert x.pin_memory() is x and not x.is_pinned()


def test_cuda_answers_match_this_machine() -> None:
    assert etorch.cuda.is_available() == GPU
    assert etorch.cuda.device_count() == (1 if GPU else 0)
    assert etorch.accelerator.is_available() == GPU
    assert etorch.accelerator.current_accelerator() == (et.device("cuda") if GPU else None)
    assert etorch.backends.mps.is_available() is False
    etorch.cuda.manual_seed(0)
    etorch.cuda.manual_seed_all(0)


@pytest.mark.skipif(GPU, reason="this machine has a GPU")
def test_without_a_gpu_cuda_says_what_is_missing() -> None:
    with pytest.raises(RuntimeError, match="device cuda: "):
        et.zeros(2).cuda()
    with pytest.raises(RuntimeError, match="device cuda: "):
        et.zeros(2, device="cuda")
    with pytest.raises(RuntimeError):
        etorch.cuda.synchronize()
    assert not etorch.cuda.is_bf16_supported()


@pytest.mark.skipif(not GPU, reason="needs a GPU that torch sees")
def test_with_a_gpu_tensors_move_there_and_back() -> None:
    x = et.tensor([1.0, 2.0], requires_grad=True)
    y = x.cuda()
    assert y.is_cuda and y.device == et.device("cuda", 0) and y.get_device() == 0
    (y * 3).sum().backward()
    assert x.grad is not None and x.grad.device.type == "cpu" and x.grad.tolist() == [3.0, 3.0]
    assert et.zeros(2, device="cuda").device.type == "cuda" and y.cpu().device.type == "cpu"


def test_backend_flags_are_assignable() -> None:
    for target, name in [(etorch.backends.cuda.matmul, "allow_tf32"), (etorch.backends.cudnn, "allow_tf32"),
                         (etorch.backends.cudnn, "benchmark"), (etorch.backends.cudnn, "deterministic")]:
        before = getattr(target, name)
        setattr(target, name, not before)
        assert getattr(target, name) is (not before)
        setattr(target, name, before)
