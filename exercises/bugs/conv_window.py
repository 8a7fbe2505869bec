"""Bug hunt: a 1-d convolution whose input gradient is off by one (exercises/bugs/, outside the layers).

Symptom: a layer that stacks two of these convolutions learns its first kernel worse than with edugrad's
conv1d. Find it with gradcheck on a float64 signal and kernel, then read which gradient is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import add

import numpy as np

from edugrad import nn
from edugrad.data import TensorData
from edugrad.function import Function, Grads, Node, gradcheck
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, dtypes, manual_seed, stack
from exercises.bugs.hunt import Bug


class Conv1d(Function):
    """out[n, t] = sum_k x[n, t + k] w[k]: a signal x of shape (N, T) correlated with a kernel w of shape
    (K,), no padding, stride 1, so out has shape (N, T - K + 1)."""

    def forward(self, x: TensorData, w: TensorData) -> TensorData:
        self.save_for_backward(x, w)
        xs, ws = x.numpy(), w.numpy()
        length = xs.shape[1] - len(ws) + 1
        out = sum(ws[k] * xs[:, k:k + length] for k in range(len(ws)))
        return TensorData.from_numpy(np.asarray(out), dtype=x.dtype, backend=x.backend.name)

    def backward(self, g: Node) -> Grads:
        # d out[n, t] / d x[n, t + k] = w[k]: tap k sends g, scaled by w[k], back to the window shifted by k;
        # d out[n, t] / d w[k] = x[n, t + k]: the gradient of tap k is g against that window of x.
        x, w = self.saved_tensors
        taps, length = w.shape[0], g.shape[1]
        grad_x = reduce(add, [F.pad(g * w[k], (k, taps - 1 - k)) for k in range(taps - 1)])
        grad_w = stack([(g * x[:, k:k + length]).sum() for k in range(taps)])
        return grad_x, grad_w


def conv1d(x: Tensor, w: Tensor) -> Tensor:
    """edugrad's own convolution, on the shapes Conv1d takes."""
    return F.conv1d(x.unsqueeze(1), w.view(1, 1, -1)).squeeze(1)


def _fit(conv: Callable[[Tensor, Tensor], Tensor]) -> float:
    """Learn two kernels whose composition turns a random signal into its moving average."""
    manual_seed(0)
    x = Tensor.randn(8, 24)
    target = conv1d(conv1d(x, Tensor.ones(3) / 3), Tensor.ones(3) / 3)
    first, second = nn.Parameter(Tensor.randn(3) * 0.1), nn.Parameter(Tensor.randn(3) * 0.1)
    optimizer = nn.optim.SGD([first, second], lr=0.1)
    for _ in range(150):
        loss = ((conv(conv(x, first), second) - target) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def symptom() -> str:
    return f"loss after 150 steps: {_fit(Conv1d.apply):.5f} with this Conv1d, {_fit(conv1d):.5f} with conv1d"


def check(candidate: Callable[[Tensor, Tensor], Tensor]) -> None:
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal((2, 7)), dtype=dtypes.float64, requires_grad=True)
    w = Tensor(rng.standard_normal(3), dtype=dtypes.float64, requires_grad=True)
    gradcheck(candidate, [x, w])


BUG = Bug(
    key="conv_window", title="a convolution off by one in the window", planted=Conv1d.apply, correct=conv1d,
    check=check, symptom=symptom, tool="gradcheck",
    choices={
        "forward": "forward's output has the wrong length",
        "grad_x": "the gradient of x leaves out one tap of the kernel",
        "grad_w": "the gradient of w takes each window of x one step too far",
        "flip": "the gradient of x needs the kernel flipped",
    },
    answer="7c1d2e09b3e7f665b82bc2621a977db8fdf54319072966be99e955b04bc898cb",
)

if __name__ == "__main__":
    print(symptom())
