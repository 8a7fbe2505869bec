"""`Parameter`: the Tensor subclass that marks a tensor as a trainable weight of a `Module`.

Top layer (`edugrad.nn`), as `torch.nn.Parameter`. Assigning a Parameter as a module attribute
(`self.weight = nn.Parameter(torch.randn(3, 4))`) registers it: `parameters()` finds it, an optimizer trains
it, `state_dict()` saves it. A plain tensor assigned as an attribute is just an attribute, even with
`requires_grad=True`; that is how a module tells its weights from the tensors it merely keeps.

A Parameter is a leaf that shares the values of the tensor it was made from (as `detach()` does), and
`requires_grad` defaults to True. The results of operations on a Parameter are plain Tensors: `weight * 2`
is a value computed from a weight, not a weight.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from edugrad.nn import init
from edugrad.tensor import DType, Tensor, devices

if TYPE_CHECKING:  # the types of the ops' results that Parameter hands back as plain Tensors
    from edugrad.data import TensorData
    from edugrad.function import Function

__all__ = ["Parameter"]  # and edugrad's two helpers for the layers, `empty_parameter` and `default_init_`


class Parameter(Tensor):
    """A tensor that is a module's parameter: `Parameter(data=None, requires_grad=True)`. Without data it is
    an empty float32 tensor of shape (0,)."""

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = Tensor.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: expected a Tensor as data, got {type(data).__name__}")
        super().__init__(data.detach(), requires_grad=requires_grad, backend=data.backend)

    @classmethod
    def _wrap(cls, data: TensorData, ctx: Function | None = None) -> Tensor:  # type: ignore[override]
        """Results of ops on a Parameter (and its `detach()`) are plain Tensors, as in PyTorch: every op wraps
        its result in the class of its first input, so a Parameter passes Tensor's on."""
        return Tensor._wrap(data, ctx)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def empty_parameter(shape: tuple[int, ...], device: devices.DeviceLike | None = None,
                    dtype: DType | None = None) -> Parameter:
    """An uninitialised Parameter of `shape` in `dtype` (the default dtype if None) on `device`, as the layers
    make their weights from their `device=` and `dtype=` arguments before `reset_parameters()` fills them."""
    return Parameter(Tensor.empty(*shape, dtype=dtype, device=device))


def default_init_(weight: Parameter | None, bias: Parameter | None, fan_in: int) -> None:
    """PyTorch's default initialisation of a layer's weight and bias: `kaiming_uniform_(weight, a=sqrt(5))`,
    whose bound gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)) works out to 1 / sqrt(fan_in), and the
    bias uniform within the same bound (0 for a layer without inputs)."""
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    if weight is not None:
        init.uniform_(weight, -bound, bound)
    if bias is not None:
        init.uniform_(bias, -bound, bound)
