"""`Move`: the values of a node on another backend (torch's `x.to(device)`), with its gradient.

Function layer (`edugrad.function`). Backends share no memory, so a move is a copy through a NumPy array (the data
layer's conversion, `numpy()` then `TensorData.from_numpy`); the values do not change, so the gradient is the
incoming one moved back to where the input lives.
"""

from __future__ import annotations

from edugrad.data import Backend, TensorData
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node


class Move(Function):
    def forward(self, x: TensorData, backend: Backend) -> TensorData:
        self.source = x.backend
        return TensorData.from_numpy(x.numpy(), x.dtype, backend)

    def backward(self, g: Node) -> Grads:
        return Move.apply(g, backend=self.source)  # d(move x)/dx = 1, on x's backend
