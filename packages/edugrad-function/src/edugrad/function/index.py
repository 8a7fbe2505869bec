"""Indexing Functions: `Gather` (read values at integer positions), its adjoint `ScatterAdd`, and `Scatter`
(write values at integer positions).

Function layer (`edugrad.function`). Embedding lookups, cross-entropy's pick of the target class and
advanced indexing (`x[idx]`) are gathers; their gradients are scatter-adds, which accumulate when the same
position is read more than once. A scatter overwrites instead, and where it writes one position more than once
the last write wins, as in PyTorch on the CPU; the data layer has no such op, so its forward finds the winning
write of each position with a stable sort.
"""

from __future__ import annotations

from edugrad.data import BinaryOps, TensorData, dtypes
from edugrad.function.elementwise import Where
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node, constant_like


class Gather(Function):
    def forward(self, x: TensorData, index: TensorData, axis: int) -> TensorData:
        self.save_for_backward(index)
        self.input_shape, self.axis = x.shape, axis  # backward needs x's shape, not its values
        return x.gather(index, axis)

    def backward(self, g: Node) -> Grads:
        # out[i] = x[index[i]]: each read sends its gradient back to the position it read from.
        index, = self.saved_tensors
        zeros = type(g)._wrap(TensorData.full(self.input_shape, 0.0, g.dtype, g._data.backend))
        return ScatterAdd.apply(zeros, index, g, axis=self.axis), None


class ScatterAdd(Function):
    def forward(self, x: TensorData, index: TensorData, src: TensorData, axis: int) -> TensorData:
        self.save_for_backward(index)
        self.axis = axis
        return x.scatter_add(index, src, axis)

    def backward(self, g: Node) -> Grads:
        # out = x + (src added at index): x passes g through; src[i] went to index[i], so it reads g there.
        index, = self.saved_tensors
        return (g if self.needs_input_grad[0] else None, None,
                Gather.apply(g, index, axis=self.axis) if self.needs_input_grad[2] else None)


class Scatter(Function):
    """x with src written at index along axis: `out[index[i][j]][j] = src[i][j]` for axis 0 (torch.scatter). src
    has index's shape; at a position written more than once, the last write (in index's row-major order) wins."""

    def forward(self, x: TensorData, index: TensorData, src: TensorData, axis: int) -> TensorData:
        # Each write goes to one element of x. Its position in x flattened is what the index reads from the
        # positions 0, 1, ... laid out in x's shape (for a 1-d x, the index itself).
        if x.ndim == 1:
            positions = index
        else:
            grid = TensorData.arange(0, x.size, 1, dtypes.int64, x.backend).reshape(x.shape)
            positions = grid.gather(index, axis)
        count = index.size
        flat, written = _last_writes(x.reshape((x.size,)), positions.reshape((count,)), src.reshape((count,)))
        self.save_for_backward(index, written.reshape(x.shape))  # the mask is computed here: a constant
        self.axis = axis
        return flat.reshape(x.shape)

    def backward(self, g: Node) -> Grads:
        # The elements of x that were written over had no effect on the output: they get 0, the others g. Each
        # src element gets g at the position it was written to, also one that a later write covered (torch's
        # derivative of scatter, grad.gather(dim, index); the true derivative for such a write is 0).
        index, written = self.saved_tensors
        return (Where.apply(written, constant_like(g, 0.0), g) if self.needs_input_grad[0] else None, None,
                Gather.apply(g, index, axis=self.axis) if self.needs_input_grad[2] else None)


def _last_writes(flat: TensorData, positions: TensorData, values: TensorData) -> tuple[TensorData, TensorData]:
    """`flat` (1-d) with values[i] written at positions[i], in order, so that the last write to a position wins
    (as PyTorch's CPU kernel does), and the bool mask of the positions written. Each position receives 1 + the
    number of the write that wins it (0 if none) from one scatter-add without collisions, and the values are
    then gathered by those numbers."""
    count = positions.size
    if count == 0:
        return flat, flat.const(False, dtypes.bool)
    order = positions.argsort(0)  # stable: the writes to one position stay in order, the last one last
    ordered = positions.gather(order, 0)
    # In sorted order, a write is overwritten when the next one goes to the same position.
    overwritten = ordered.shrink(((0, count - 1),)).binary(BinaryOps.CMPEQ, ordered.shrink(((1, count),)))
    overwritten = overwritten.pad(((0, 1),), False)
    number = overwritten.where(order.const(0), order.binary(BinaryOps.ADD, order.const(1)))
    winner = flat.const(0, dtypes.int64).scatter_add(ordered, number, 0)
    written = winner.const(0).binary(BinaryOps.CMPLT, winner)
    source = winner.binary(BinaryOps.SUB, winner.const(1)).binary(BinaryOps.MAX, winner.const(0))
    return written.where(values.gather(source, 0), flat), written
