"""Movement Functions: reshape, permute, pad, shrink, flip and cat.

Function layer (`edugrad.function`). These move values without computing on them, so each backward is the
inverse movement applied to the gradient: reshape back, permute back, shrink away what pad added, pad back
what shrink removed (a strided shrink first spreads the gradient out to every step-th place), flip again,
and cut out of the joined gradient the slice each input of cat became. (Expand, whose backward is a sum, is
in `broadcast`, with Sum.) Their backward reads only shapes, axes and
bounds, kept as plain attributes: nothing is saved, so changing an input in place afterwards is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence

from edugrad.data import TensorData
from edugrad.function.function import Function, Grads
from edugrad.function.node import Node


class Reshape(Function):
    def forward(self, x: TensorData, shape: Sequence[int]) -> TensorData:
        self.input_shape = x.shape
        return x.reshape(shape)

    def backward(self, g: Node) -> Grads:
        return Reshape.apply(g, shape=self.input_shape)


class Permute(Function):
    def forward(self, x: TensorData, order: Sequence[int]) -> TensorData:
        out = x.permute(order)
        self.order = tuple(o % x.ndim for o in order)
        return out

    def backward(self, g: Node) -> Grads:
        # Axis i of the output came from axis order[i]; the inverse permutation sends it back.
        inverse = sorted(range(len(self.order)), key=self.order.__getitem__)
        return Permute.apply(g, order=inverse)


class Pad(Function):
    def forward(self, x: TensorData, padding: Sequence[tuple[int, int]], value: float = 0.0) -> TensorData:
        out = x.pad(padding, value)
        self.bounds = tuple((before, before + n) for (before, _), n in zip(padding, x.shape))
        return out

    def backward(self, g: Node) -> Grads:
        return Shrink.apply(g, bounds=self.bounds)  # the padding is constant: it gets no gradient


class Shrink(Function):
    """The range [start, end) of each axis; with `steps`, every step-th element of it (`x[1:7:3]`)."""
    def forward(self, x: TensorData, bounds: Sequence[tuple[int, int]],
                steps: Sequence[int] | None = None) -> TensorData:
        out = x.shrink(bounds, steps)
        self.padding = tuple((start, n - end) for (start, end), n in zip(bounds, x.shape))
        self.steps = None
        if steps is not None and any(k > 1 for k in steps):
            self.steps, self.lengths = tuple(steps), tuple(end - start for start, end in bounds)
        return out

    def backward(self, g: Node) -> Grads:
        # The elements cut away had no effect: zero gradient. With steps, the kept elements were the first of
        # each block of `step` in the range, so their gradients go back there: each becomes a block of its
        # gradient and step - 1 zeros (reshape to (kept, 1), pad to (kept, step), reshape to kept * step), the
        # last block cut to the range's length. All movements, so the gradient of this gradient is a strided
        # Shrink again.
        if self.steps is not None:
            kept = g.shape
            blocks = Reshape.apply(g, shape=tuple(m for k in kept for m in (k, 1)))
            blocks = Pad.apply(blocks, padding=tuple(p for step in self.steps for p in ((0, 0), (0, step - 1))))
            spread = Reshape.apply(blocks, shape=tuple(k * step for k, step in zip(kept, self.steps)))
            g = Shrink.apply(spread, bounds=tuple((0, length) for length in self.lengths))
        return Pad.apply(g, padding=self.padding)


class Flip(Function):
    def forward(self, x: TensorData, axes: int | Sequence[int]) -> TensorData:
        self.axes = axes
        return x.flip(axes)

    def backward(self, g: Node) -> Grads:
        return Flip.apply(g, axes=self.axes)


class Cat(Function):
    """The inputs joined along `axis`: `Cat.apply(a, b, c, axis=1)`."""
    def forward(self, *xs: TensorData, axis: int) -> TensorData:
        out = xs[0].cat(xs[1:], axis)
        axis %= out.ndim
        # Each input fills [start, start + its size) of the joined axis, and the whole of every other axis.
        self.bounds: list[tuple[tuple[int, int], ...]] = []
        start = 0
        for x in xs:
            self.bounds.append(tuple((start, start + n) if d == axis else (0, n) for d, n in enumerate(x.shape)))
            start += x.shape[axis]
        return out

    def backward(self, g: Node) -> Grads:
        # Each output element is a copy of one input element, so each input's gradient is its slice of g.
        return tuple(Shrink.apply(g, bounds=bounds) if needed else None
                     for bounds, needed in zip(self.bounds, self.needs_input_grad))
