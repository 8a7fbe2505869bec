"""The MLP train step that both benchmark scripts time: 784-128-10, ReLU, log_softmax + NLL loss, Adam, in
edugrad and in PyTorch on the same data. (Import it after fixing the BLAS thread count: it imports NumPy.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from edugrad.nn import optim
from edugrad.tensor import Tensor, tensor


@dataclass
class TrainStep:
    """One library's train step in its three phases: `forward` returns the loss, `backward(loss)` zeroes the
    gradients and backpropagates, `step` updates the weights with Adam. Calling it runs all three."""

    forward: Callable[[], Any]
    backward: Callable[[Any], None]
    step: Callable[[], None]

    def __call__(self) -> None:
        self.backward(self.forward())
        self.step()


@dataclass
class MLPProblem:
    """The data and initial weights (NumPy arrays), and the train step of each library built from them."""

    x: np.ndarray[Any, Any]
    y: np.ndarray[Any, Any]
    w1: np.ndarray[Any, Any]
    w2: np.ndarray[Any, Any]
    edugrad: TrainStep
    torch: TrainStep


def mlp_problem(batch: int) -> MLPProblem:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((batch, 784)).astype(np.float32), rng.integers(0, 10, batch)
    w1 = rng.standard_normal((784, 128)).astype(np.float32) * 0.05
    w2 = rng.standard_normal((128, 10)).astype(np.float32) * 0.1
    params = [Tensor(w1, requires_grad=True), Tensor(w2, requires_grad=True)]
    adam = optim.Adam(params, lr=1e-3)
    xe, ye = Tensor(x), tensor(y)  # the labels stay int64 (the legacy Tensor() makes float32)
    torch_params = [torch.tensor(w1, requires_grad=True), torch.tensor(w2, requires_grad=True)]
    torch_adam = torch.optim.Adam(torch_params, lr=1e-3)
    xt, yt = torch.tensor(x), torch.tensor(y)

    def ours() -> Tensor:
        return (xe @ params[0]).relu().matmul(params[1]).log_softmax(1).nll_loss(ye)

    def theirs() -> torch.Tensor:
        return torch.nn.functional.nll_loss((xt @ torch_params[0]).relu().matmul(torch_params[1]).log_softmax(1), yt)

    return MLPProblem(x, y, w1, w2, TrainStep(ours, _backward(adam), adam.step),
                      TrainStep(theirs, _backward(torch_adam), torch_adam.step))


def _backward(optimizer: Any) -> Callable[[Any], None]:
    def backward(loss: Any) -> None:
        optimizer.zero_grad()
        loss.backward()

    return backward
