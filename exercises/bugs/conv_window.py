"""Bug hunt: a 1-d convolution whose input gradient is off by one (exercises/bugs/, outside the layers).

Symptom: in a stack of two of these convolutions, the first kernel's gradient differs from the one
edugrad's conv1d gives, while the second's agrees. Find it with gradcheck on a float64 signal and kernel,
then read which gradient is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import add
from typing import cast

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
        g = cast(Tensor, g)  # applied to Tensors, backward is handed Tensors
        x, w = cast(tuple[Tensor, Tensor], self.saved_tensors)
        taps, length = w.shape[0], g.shape[1]
        grad_x = reduce(add, [F.pad(g * w[k], (k, taps - 1 - k)) for k in range(taps - 1)])
        grad_w = stack([(g * x[:, k:k + length]).sum() for k in range(taps)])
        return grad_x, grad_w


def conv1d(x: Tensor, w: Tensor) -> Tensor:
    """edugrad's own convolution, on the shapes Conv1d takes."""
    return F.conv1d(x.unsqueeze(1), w.view(1, 1, -1)).squeeze(1)


def _first_kernel_gradient(conv: Callable[[Tensor, Tensor], Tensor]) -> list[float]:
    """The gradient of the first kernel of two stacked convolutions: it reaches the first kernel through
    the second convolution's gradient with respect to its input."""
    manual_seed(0)
    x = Tensor.randn(2, 12)
    first, second = nn.Parameter(Tensor.randn(3)), nn.Parameter(Tensor.randn(3))
    conv(conv(x, first), second).square().sum().backward()
    assert first.grad is not None
    return [round(v, 3) for v in first.grad.tolist()]


def symptom() -> str:
    return (f"the first kernel's gradient in a stack of two: {_first_kernel_gradient(Conv1d.apply)} with this "
            f"Conv1d, {_first_kernel_gradient(conv1d)} with edugrad's conv1d")


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
