"""Tests of `edugrad.nn.amp`: GradScaler in lock-step with `torch.amp.GradScaler("cpu")`, and autocast's
arguments, checks and warnings against `torch.autocast`.

The GradScaler runs train the same small float32 model in both libraries; inf and NaN gradients come from a
scale too large for float32 (the scaled gradients overflow, as they would in float16) and from inputs with
an inf or a NaN, so the scaler skips steps, backs off and grows exactly when PyTorch's does.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import edugrad.torch as etorch
from edugrad.nn import amp, optim
from edugrad.nn.amp import cuda as amp_cuda
from edugrad.nn.utils import clip_grad_norm_
from edugrad.tensor import Tensor, dtypes, tensor

RNG = np.random.default_rng(0)
W = RNG.uniform(-1, 1, (4, 3)).astype(np.float32)
B = RNG.uniform(-1, 1, (3,)).astype(np.float32)
X = (RNG.standard_normal((8, 4)) * 10).astype(np.float32)  # large inputs: gradients of about 10 to 100
POISONED = {3: math.inf, 7: math.nan}  # the iterations whose input holds an inf or a NaN


class Side:
    """One library's model (x @ w + b, squared), optimizer and scaler."""

    def __init__(self, lib: str, opt: str, scaler_kwargs: dict[str, Any]) -> None:
        self.lib = lib
        make: Any = Tensor if lib == "edugrad" else torch.tensor
        self.make = make
        self.params = [make(W, requires_grad=True), make(B, requires_grad=True)]
        module: Any = optim if lib == "edugrad" else torch.optim
        self.opt = getattr(module, opt)(self.params, lr=1e-3, **({"momentum": 0.9} if opt == "SGD" else {}))
        scaler: Any = amp.GradScaler if lib == "edugrad" else torch.amp.GradScaler
        self.scaler = scaler("cpu", **scaler_kwargs)

    def loss(self, iteration: int) -> Any:
        x = X.copy()
        if iteration in POISONED:
            x[2, 1] = POISONED[iteration]
        w, b = self.params
        y = self.make(x) @ w + b
        return (y * y).mean()

    def values(self) -> list[np.ndarray[Any, Any]]:
        return [p.detach().numpy() for p in self.params]

    def grads(self) -> list[np.ndarray[Any, Any]]:
        return [p.grad.detach().numpy() for p in self.params]


def iterate(side: Side, iteration: int, between: Callable[[Side], None] | None = None) -> Any:
    side.opt.zero_grad()
    scaled = side.scaler.scale(side.loss(iteration))
    scaled.backward()
    if between is not None:
        between(side)
    result = side.scaler.step(side.opt)
    side.scaler.update()
    return float(scaled.detach()), result


def assert_lock_step(ours: Side, theirs: Side, iteration: int, our_loss: float, their_loss: float) -> None:
    what = f"after iteration {iteration}"
    assert ours.scaler.get_scale() == theirs.scaler.get_scale(), what
    assert ours.scaler._get_growth_tracker() == theirs.scaler._get_growth_tracker(), what
    assert ours.scaler.state_dict() == theirs.scaler.state_dict(), what
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-5, err_msg=what)
    for i, (a, b) in enumerate(zip(ours.values(), theirs.values())):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"parameter {i} {what}")


# Inf and NaN gradients are the point of these tests; whether NumPy warns about them is the backend's choice.
OVERFLOW = (pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),
            pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"))


@OVERFLOW[0]
@OVERFLOW[1]
@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize("scaler_kwargs", [
    {"init_scale": 2.0**127, "growth_interval": 3},  # overflows until backed off to about 2^120, then grows
    {"init_scale": 1024.0, "growth_factor": 4.0, "backoff_factor": 0.25, "growth_interval": 2},
    {},  # PyTorch's defaults: 65536, x2 after 2000 clean steps
], ids=str)
def test_scaler_runs_in_lock_step_with_torchs(opt: str, scaler_kwargs: dict[str, Any]) -> None:
    ours, theirs = Side("edugrad", opt, scaler_kwargs), Side("torch", opt, scaler_kwargs)
    skipped = []
    for iteration in range(16):
        our_loss, _ = iterate(ours, iteration)
        their_loss, _ = iterate(theirs, iteration)
        assert_lock_step(ours, theirs, iteration, our_loss, their_loss)
        skipped.append(not np.isfinite(ours.grads()[0]).all())
    assert skipped[3] and skipped[7], "the poisoned inputs must make the scaler skip their steps"


@OVERFLOW[0]
@OVERFLOW[1]
def test_scaler_with_unscale_and_clipping_in_between_matches_torch() -> None:
    def clip(side: Side) -> None:
        side.scaler.unscale_(side.opt)
        if side.lib == "edugrad":
            clip_grad_norm_(side.params, max_norm=1.0)
        else:
            torch.nn.utils.clip_grad_norm_(side.params, max_norm=1.0)

    kwargs = {"init_scale": 2.0**125, "growth_interval": 2}
    ours, theirs = Side("edugrad", "SGD", kwargs), Side("torch", "SGD", kwargs)
    for iteration in range(10):
        our_loss, _ = iterate(ours, iteration, clip)
        their_loss, _ = iterate(theirs, iteration, clip)
        assert_lock_step(ours, theirs, iteration, our_loss, their_loss)
        if np.isfinite(ours.grads()[0]).all():  # unscaled and clipped, as torch's
            for a, b in zip(ours.grads(), theirs.grads()):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@OVERFLOW[0]
@OVERFLOW[1]
def test_two_optimizers_skip_separately_and_back_off_together_as_torchs() -> None:
    runs = []
    for lib, make, module, scaler_class in (("edugrad", Tensor, optim, amp.GradScaler),
                                            ("torch", torch.tensor, torch.optim, torch.amp.GradScaler)):
        a, b = make(W, requires_grad=True), make(B, requires_grad=True)
        first, second = module.SGD([a], lr=0.01), module.SGD([b], lr=0.01)
        scaler = scaler_class("cpu", init_scale=8.0, growth_interval=2)
        history = []
        for iteration in range(6):
            first.zero_grad()
            second.zero_grad()
            x = make(X)
            loss = (x @ a).sum() + (b * (math.inf if iteration == 2 else 1.0)).sum()  # b's gradient: inf once
            scaler.scale(loss).backward()
            scaler.step(first)
            scaler.step(second)
            scaler.update()
            history.append((scaler.get_scale(), a.detach().numpy().copy(), b.detach().numpy().copy()))
        runs.append(history)
    for (our_scale, our_a, our_b), (their_scale, their_a, their_b) in zip(*runs):
        assert our_scale == their_scale
        np.testing.assert_allclose(our_a, their_a, rtol=1e-5, atol=1e-7)
        np.testing.assert_array_equal(our_b, their_b)


@OVERFLOW[1]
def test_step_returns_the_optimizer_steps_result_or_none_when_skipped() -> None:
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    scaler = amp.GradScaler("cpu", init_scale=4.0)
    scaler.scale((p * p).sum()).backward()
    with pytest.raises(RuntimeError, match="Closure use is not currently supported if GradScaler is enabled."):
        scaler.step(opt, closure=lambda: 0.0)
    assert scaler.step(opt) is None  # SGD.step() returns None
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6])  # unscaled: the gradient is 2p, not 8p
    scaler.update()
    opt.zero_grad()
    scaler.scale((p * math.inf).sum()).backward()
    assert scaler.step(opt) is None
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6])  # skipped
    scaler.update()
    assert scaler.get_scale() == 2.0


def test_scale_keeps_the_structure_of_the_outputs_as_torchs() -> None:
    ours, theirs = amp.GradScaler("cpu", init_scale=3.0), torch.amp.GradScaler("cpu", init_scale=3.0)
    a, b = tensor([1.0, 2.0]), tensor(5.0)
    scaled = ours.scale([a, (b, [a])])
    expected = theirs.scale([torch.tensor([1.0, 2.0]), (torch.tensor(5.0), [torch.tensor([1.0, 2.0])])])
    assert isinstance(scaled, list) and isinstance(scaled[1], tuple) and isinstance(scaled[1][1], list)
    np.testing.assert_array_equal(scaled[0].numpy(), expected[0].numpy())
    np.testing.assert_array_equal(scaled[1][0].numpy(), expected[1][0].numpy())
    assert [x.numpy().tolist() for x in ours.scale(iter([a, a]))] == [[3.0, 6.0], [3.0, 6.0]]
    half = ours.scale(Tensor([1.0], dtype=dtypes.float16))
    assert half.dtype is dtypes.float16 and half.numpy().tolist() == [3.0]
    for scaler in (ours, theirs):
        with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
            scaler.scale(3.0)


def test_scaler_misuse_raises_torchs_errors() -> None:
    for scaler_class, make, module in ((amp.GradScaler, Tensor, optim), (torch.amp.GradScaler, torch.tensor,
                                                                         torch.optim)):
        p = make([1.0], requires_grad=True)
        opt = module.SGD([p], lr=0.1)
        scaler = scaler_class("cpu")
        with pytest.raises(AssertionError, match="Attempted unscale_ but _scale is None"):
            scaler.unscale_(opt)
        scaler.scale((p * 2).sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called on this optimizer"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the last update\(\)"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step\(\)"):
            scaler.unscale_(opt)
        scaler.update()
        with pytest.raises(AssertionError, match="No inf checks were recorded prior to update."):
            scaler.update()
        with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer."):
            scaler.step(module.SGD([make([1.0], requires_grad=True)], lr=0.1))  # no gradients at all
        for bad in ({"growth_factor": 1.0}, {"backoff_factor": 1.0}):
            with pytest.raises(AssertionError, match="factor must be"):
                scaler_class("cpu", **bad)


def test_float16_gradients_are_refused_as_torch_refuses_them() -> None:
    p = tensor(np.ones(2, np.float16), requires_grad=True)
    scaler = amp.GradScaler("cpu", init_scale=4.0)  # 65536 * 2 would overflow float16
    scaler.scale((p * p).sum()).backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
        scaler.unscale_(optim.SGD([p], lr=0.1))


def test_update_with_a_new_scale() -> None:
    p = Tensor([1.0], requires_grad=True)
    scaler = amp.GradScaler("cpu")
    scaler.scale(p.sum())
    scaler.update(1024.0)
    assert scaler.get_scale() == 1024.0
    scaler.update(Tensor([0.1]))
    assert scaler.get_scale() == float(np.float32(0.1))  # the scale is float32, as torch's
    with pytest.raises(AssertionError, match="new_scale should be a float or a 1-element tensor"):
        scaler.update(Tensor([1.0, 2.0]))


def test_disabled_scaler_does_nothing_but_step() -> None:
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    scaler = amp.GradScaler("cpu", enabled=False)
    loss = (p * p).sum()
    assert scaler.scale(loss) is loss and not scaler.is_enabled()
    loss.backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_allclose(p.numpy(), [0.0])
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and scaler._get_growth_tracker() == 0
    scaler.load_state_dict({"anything": 1})  # a no-op, as in torch


def test_cuda_scaler_without_cuda_warns_and_disables_itself_as_torchs() -> None:
    assert not torch.cuda.is_available()  # the test environment's torch is CPU-only
    for scaler_class in (amp.GradScaler, torch.amp.GradScaler):
        with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available.  Disabling."):
            assert not scaler_class().is_enabled()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert not scaler_class("cuda", enabled=False).is_enabled()  # disabled anyway: no warning
    for scaler_class in (amp_cuda.GradScaler, torch.cuda.amp.GradScaler):
        with pytest.warns(FutureWarning, match=r"Please use `torch.amp.GradScaler\('cuda', args...\)` instead."), \
                pytest.warns(UserWarning, match="CUDA is not available"):
            assert not scaler_class(init_scale=8.0).is_enabled()


@OVERFLOW[0]
@OVERFLOW[1]
def test_state_dict_round_trip_and_errors() -> None:
    ours, theirs = Side("edugrad", "SGD", {"growth_interval": 3}), Side("torch", "SGD", {"growth_interval": 3})
    for iteration in range(5):
        iterate(ours, iteration)
        iterate(theirs, iteration)
    saved = ours.scaler.state_dict()
    assert saved == theirs.scaler.state_dict()
    resumed = amp.GradScaler("cpu")
    resumed.load_state_dict(saved)
    assert resumed.state_dict() == saved
    torch_resumed = torch.amp.GradScaler("cpu")
    torch_resumed.load_state_dict(saved)  # the same dict loads into torch's scaler
    assert torch_resumed.state_dict() == saved
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        resumed.load_state_dict({})
    with pytest.raises(KeyError, match="expected the keys"):
        resumed.load_state_dict({**saved, "extra": 1})
    with pytest.raises(ValueError, match="scale must be a number >= 0, got 'big'"):
        resumed.load_state_dict({**saved, "scale": "big"})
    assert resumed.state_dict() == saved, "a refused state dict must change nothing"


def test_getters_and_setters() -> None:
    scaler = amp.GradScaler("cpu", init_scale=8.0, growth_factor=3.0, backoff_factor=0.25, growth_interval=7)
    assert (scaler.get_scale(), scaler.get_growth_factor(), scaler.get_backoff_factor(),
            scaler.get_growth_interval()) == (8.0, 3.0, 0.25, 7)
    scaler.set_growth_factor(4.0)
    scaler.set_backoff_factor(0.5)
    scaler.set_growth_interval(2)
    assert (scaler.get_growth_factor(), scaler.get_backoff_factor(), scaler.get_growth_interval()) == (4.0, 0.5, 2)


def test_facade_names() -> None:
    assert etorch.amp.GradScaler is amp.GradScaler and etorch.autocast is etorch.amp.autocast is amp.autocast
    assert etorch.cuda.amp.GradScaler is amp_cuda.GradScaler and etorch.cuda.amp.autocast is amp_cuda.autocast


# autocast

def test_autocast_changes_no_result_as_a_context_manager_and_as_a_decorator() -> None:
    a = Tensor(RNG.standard_normal((5, 7)).astype(np.float32))
    b = Tensor(RNG.standard_normal((7, 3)).astype(np.float32))
    outside = (a @ b).softmax(-1)

    @amp.autocast("cpu", dtype=dtypes.float16)
    def compute(x: Tensor, y: Tensor) -> Tensor:
        """A docstring the decorator keeps."""
        assert amp.is_autocast_enabled("cpu") and amp.get_autocast_dtype("cpu") is dtypes.float16
        return (x @ y).softmax(-1)

    with amp.autocast("cpu", dtype=dtypes.float16) as region:
        assert isinstance(region, amp.autocast) and amp.is_autocast_enabled("cpu")
        inside = (a @ b).softmax(-1)
    assert not amp.is_autocast_enabled("cpu")
    decorated = compute(a, b)
    assert compute.__name__ == "compute" and compute.__doc__ == "A docstring the decorator keeps."
    for result in (inside, decorated):
        assert result.dtype is dtypes.float32
        np.testing.assert_array_equal(result.numpy(), outside.numpy())


def test_autocast_regions_nest_and_restore() -> None:
    with amp.autocast("cpu", dtype=dtypes.float16):
        with amp.autocast("cpu", dtype=dtypes.float16, enabled=False):
            assert not amp.is_autocast_enabled("cpu")
        assert amp.is_autocast_enabled("cpu")
        assert not amp.is_autocast_enabled("xpu")
    assert not amp.is_autocast_enabled("cpu")


DEVICE_TYPES = ["cpu", "cuda", "ipu", "xpu", "opengl", "hip", "maia", "xla", "lazy", "mps", "meta", "hpu", "mtia",
                "cuda:1"]


@pytest.mark.parametrize("device_type", DEVICE_TYPES)
def test_is_autocast_available_as_torch(device_type: str) -> None:
    assert amp.is_autocast_available(device_type) == torch.amp.is_autocast_available(device_type)


def test_autocast_checks_its_arguments_as_torch() -> None:
    for autocast, float32 in ((amp.autocast, dtypes.float32), (torch.autocast, torch.float32)):
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            autocast(3)
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda, ipu, .* device string: xyz"):
            autocast("xyz")
        with pytest.raises(RuntimeError, match="User specified an unsupported autocast device_type 'hip'"):
            autocast("hip")
        with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported. Disabling"):
            assert not autocast("cpu", dtype=float32)._enabled
        with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. Disabling autocast."):
            assert not autocast("cuda")._enabled
        assert autocast("xpu")._enabled  # another device type: accepted (and here it changes nothing)
        with pytest.raises(TypeError, match=r"autocast\(\)\(func\) requires a callable, but got int"):
            autocast("cpu", dtype=float32, enabled=False)(3)
    for autocast in (amp_cuda.autocast, torch.cuda.amp.autocast):
        with pytest.warns(FutureWarning, match=r"Please use `torch.amp.autocast\('cuda', args...\)` instead."), \
                pytest.warns(UserWarning, match="CUDA is not available"):
            assert not autocast()._enabled


def test_autocast_default_dtypes_are_torchs() -> None:
    for device_type in ("cpu", "cuda", "xpu", "hpu", "mps"):
        ours, theirs = amp.get_autocast_dtype(device_type), torch.get_autocast_dtype(device_type)
        assert ours.name == str(theirs).removeprefix("torch."), device_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert amp.autocast("cpu").fast_dtype.name == "bfloat16"
