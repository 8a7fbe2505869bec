"""Grad mode, inference mode and the training flag belong to a thread, as in torch: each case runs the same
threads in edugrad and in torch and compares what every thread saw; then a training thread runs beside a
thread evaluating under no_grad and ends with exactly the weights of the training run alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from edugrad import nn
from edugrad.nn import functional as F
from edugrad.nn import optim
from edugrad.tensor import Tensor, dtypes, get_default_dtype, inference_mode, is_grad_enabled, manual_seed, no_grad
from edugrad.tensor import set_default_dtype, set_grad_enabled


def in_thread(work: Callable[[], Any]) -> Any:
    """Run `work` in a new thread and return what it returned (or raise what it raised)."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def test_a_new_thread_starts_with_grad_enabled_whatever_its_parent_does() -> None:
    def seen(grad_enabled: Callable[[], bool], block: Callable[[], Any]) -> tuple[bool, bool]:
        with block():
            return grad_enabled(), in_thread(grad_enabled)

    for block in (no_grad, inference_mode):
        torch_block = {no_grad: torch.no_grad, inference_mode: torch.inference_mode}[block]
        assert seen(is_grad_enabled, block) == seen(torch.is_grad_enabled, torch_block) == (False, True)


def test_switching_grad_mode_in_a_thread_leaves_the_others_alone() -> None:
    def switch_off(set_enabled: Callable[[bool], Any], grad_enabled: Callable[[], bool]) -> bool:
        set_enabled(False)  # a plain call: it stays switched in that thread
        return grad_enabled()

    for set_enabled, grad_enabled in ((set_grad_enabled, is_grad_enabled),
                                      (torch.set_grad_enabled, torch.is_grad_enabled)):
        assert in_thread(lambda: switch_off(set_enabled, grad_enabled)) is False
        assert grad_enabled() is True


def test_the_training_flag_is_per_thread() -> None:
    with Tensor.train():
        assert Tensor.is_training() is True
        assert in_thread(Tensor.is_training) is False
        in_thread(lambda: Tensor.train().__enter__())  # entered in a thread that then ends: no effect here
        assert Tensor.is_training() is True
        with Tensor.train(False):
            assert Tensor.is_training() is False
        assert Tensor.is_training() is True
    assert Tensor.is_training() is False


def test_the_default_dtype_is_one_setting_for_the_process_as_in_torch() -> None:
    try:
        in_thread(lambda: set_default_dtype(dtypes.float64))
        in_thread(lambda: torch.set_default_dtype(torch.float64))
        assert get_default_dtype() == dtypes.float64 and torch.get_default_dtype() == torch.float64
    finally:
        set_default_dtype(dtypes.float32)
        torch.set_default_dtype(torch.float32)


def make_problem() -> tuple[nn.Module, Tensor, Tensor]:
    manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.25), nn.Linear(16, 1))
    generator = np.random.default_rng(0)
    x = Tensor(generator.standard_normal((32, 4)).astype(np.float32))
    y = Tensor(generator.standard_normal((32, 1)).astype(np.float32))
    return model, x, y


def train(steps: int) -> list[np.ndarray]:
    """`steps` of SGD with dropout in training mode; the final weights."""
    model, x, y = make_problem()
    optimizer = optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_a_thread_evaluating_under_no_grad_does_not_disturb_a_training_thread() -> None:
    alone = train(150)
    model, x, _ = make_problem()  # made here: the evaluating thread draws no random numbers
    model.eval()
    evaluated, done = [0], threading.Event()

    def evaluate() -> None:
        # Another model, evaluated again and again: each call enters no_grad and turns training off (the model
        # is in eval mode), the two switches that once were one for the whole process.
        while not done.is_set():
            with no_grad():
                model(x)
            evaluated[0] += 1

    evaluator = threading.Thread(target=evaluate)
    evaluator.start()
    try:
        beside = in_thread(lambda: train(150))
    finally:
        done.set()
        evaluator.join()
    assert evaluated[0] > 0
    for ours, reference in zip(beside, alone, strict=True):
        np.testing.assert_array_equal(ours, reference)
