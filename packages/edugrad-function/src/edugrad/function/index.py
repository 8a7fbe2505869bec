"""Indexing Functions: `Gather` (read values at integer positions) and its adjoint `ScatterAdd`.

Function layer (`edugrad.function`). Embedding lookups, cross-entropy's pick of the target class and
advanced indexing (`x[idx]`) are gathers; their gradients are scatter-adds, which accumulate when the same
position is read more than once.
"""

from __future__ import annotations

from edugrad.data import TensorData
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node, constant_like


class Gather(Function):
    saves_inputs = False

    def forward(self, x: TensorData, index: TensorData, axis: int) -> TensorData:
        # The index is kept as a clone of its TensorData (sharing the array), so changing the index node in
        # place later is harmless.
        self.index, self.axis = index.clone(), axis
        return x.gather(index, axis)

    def backward(self, g: Node) -> Grads:
        # out[i] = x[index[i]]: each read sends its gradient back to the position it read from.
        zeros = constant_like(self.inputs[0], 0.0)
        return ScatterAdd.apply(zeros, type(g)._wrap(self.index), g, axis=self.axis), None


class ScatterAdd(Function):
    saves_inputs = False

    def forward(self, x: TensorData, index: TensorData, src: TensorData, axis: int) -> TensorData:
        self.index, self.axis = index.clone(), axis  # a clone, as in Gather
        return x.scatter_add(index, src, axis)

    def backward(self, g: Node) -> Grads:
        # out = x + (src added at index): x passes g through; src[i] went to index[i], so it reads g there.
        index = type(g)._wrap(self.index)
        return (g if self.needs_input_grad[0] else None, None,
                Gather.apply(g, index, axis=self.axis) if self.needs_input_grad[2] else None)
