"""In-place updates under PyTorch's trailing-underscore names: `add_`, `sub_`, `mul_`, `div_`, `lerp_`,
`addcmul_`, `addcdiv_`, `clamp_`, `masked_fill_`, `uniform_`, `normal_`, `zero_`, `fill_` and `copy_`.

Tensor layer (`edugrad.tensor`). Each one replaces the tensor's values and bumps its version, as `assign`
does, and is allowed where `assign` is: on a tensor that does not require grad, or under `no_grad()`. That is
where optimizers, running statistics and gradient clipping do their work, and there nothing is recorded for
backward, so these methods compute on the tensors' `TensorData` (the ops of `edugrad.data`) directly instead
of through Functions. It matters for speed: an optimizer step is about a dozen elementwise ops per parameter,
and through Functions (promotion, broadcasting, `Function.apply`, a new Tensor per op) the Python work cost
as much as the arithmetic on a 784x128 weight.

"In place" means the tensor's memory, as in PyTorch: each method computes the new values with data ops,
then `TensorData.assign` copies them into the tensor's view of its storage and bumps the storage's version
(the arithmetic ones end with `TensorData.binary_`, whose last op writes its result there directly).
So every tensor sharing that storage sees the change: `detach()`, `.data`, and the views made by `view`,
`reshape`, `x[0]`, `x[:, 1]`, `x.T`, `expand`, `narrow`, `numpy()` and `from_numpy`; and backward notices a
saved value that was overwritten through any of them (see docs/storage.md).
"""

from __future__ import annotations

from edugrad.data import BinaryOps, TensorData, dtypes, promote_types, result_type
from edugrad.function import is_grad_enabled, no_grad
from edugrad.tensor import sampling
from edugrad.tensor import _tensor as _t
from edugrad.tensor.random import Generator
from edugrad.tensor.binary import Operand, as_tensor, broadcast_shape, check_scalar_fits, check_storable, div


def add_(self: _t.Tensor, other: Operand, *, alpha: _t.Scalar = 1) -> _t.Tensor:
    """self += alpha * other (torch.Tensor.add_)."""
    return _update(self, BinaryOps.ADD, _scaled(self, other, alpha, "add_"), "add_")


def sub_(self: _t.Tensor, other: Operand, *, alpha: _t.Scalar = 1) -> _t.Tensor:
    """self -= alpha * other (torch.Tensor.sub_)."""
    return _update(self, BinaryOps.SUB, _scaled(self, other, alpha, "sub_"), "sub_")


def mul_(self: _t.Tensor, other: Operand) -> _t.Tensor:
    """self *= other (torch.Tensor.mul_)."""
    return _update(self, BinaryOps.MUL, _operand(self, other, "mul_"), "mul_")


def div_(self: _t.Tensor, other: Operand, *, rounding_mode: str | None = None) -> _t.Tensor:
    """self /= other (torch.Tensor.div_): true division of a floating-point tensor, or with rounding_mode
    "floor" or "trunc" the rounded quotient (see `div`), which an integer tensor can hold too."""
    if rounding_mode is None:
        _expect_float(self, "div_")
        return _update(self, BinaryOps.DIV, _operand(self, other, "div_"), "div_")
    if isinstance(other, _t.Tensor):
        _data(other, "div_")  # refuses an operand that requires grad, as every in-place op does
    with no_grad():
        quotient = div(self.detach(), other, rounding_mode=rounding_mode)
    return _write(self, _operand(self, quotient, "div_"), "div_")


def lerp_(self: _t.Tensor, end: Operand, weight: Operand) -> _t.Tensor:
    """self += weight * (end - self): a step of `weight` from self toward `end` (torch.Tensor.lerp_). With a
    number as weight this is the exponential moving average (1 - weight) * self + weight * end."""
    _expect_float(self, "lerp_")
    step = _operand(self, end, "lerp_").binary(BinaryOps.SUB, self._data)
    return _update(self, BinaryOps.ADD, step.binary(BinaryOps.MUL, _operand(self, weight, "lerp_")), "lerp_")


def addcmul_(self: _t.Tensor, tensor1: Operand, tensor2: Operand, *, value: _t.Scalar = 1) -> _t.Tensor:
    """self += value * tensor1 * tensor2 (torch.Tensor.addcmul_)."""
    product = _scaled(self, tensor1, value, "addcmul_").binary(BinaryOps.MUL, _operand(self, tensor2, "addcmul_"))
    return _update(self, BinaryOps.ADD, product, "addcmul_")


def addcdiv_(self: _t.Tensor, tensor1: Operand, tensor2: Operand, *, value: _t.Scalar = 1) -> _t.Tensor:
    """self += value * tensor1 / tensor2 (torch.Tensor.addcdiv_), for a floating-point tensor."""
    _expect_float(self, "addcdiv_")
    quotient = _scaled(self, tensor1, value, "addcdiv_").binary(BinaryOps.DIV, _operand(self, tensor2, "addcdiv_"))
    return _update(self, BinaryOps.ADD, quotient, "addcdiv_")


def clamp_(self: _t.Tensor, min: Operand | None = None, max: Operand | None = None) -> _t.Tensor:
    """self limited to [min, max] (torch.Tensor.clamp_); NaN stays NaN. If min > max, every element
    becomes max, as in PyTorch."""
    if min is None and max is None:
        raise ValueError("clamp_: at least one of min and max must be given")
    data = self._data
    if min is not None:
        data = data.binary(BinaryOps.MAX, _operand(self, min, "clamp_"))
    if max is not None:
        # max where max < x: a NaN compares false and is kept (np.minimum would keep it too, but the data
        # layer has no MIN op).
        high = _operand(self, max, "clamp_")
        data = high.binary(BinaryOps.CMPLT, data).where(high, data)
    return _write(self, data, "clamp_")


def masked_fill_(self: _t.Tensor, mask: _t.Tensor, value: Operand) -> _t.Tensor:
    """`value` written wherever the bool `mask` (broadcast to self's shape) is True
    (torch.Tensor.masked_fill_)."""
    if not isinstance(mask, _t.Tensor) or mask.dtype is not dtypes.bool:
        what = f"a {mask.dtype.name} tensor" if isinstance(mask, _t.Tensor) else type(mask).__name__
        raise TypeError(f"masked_fill_: the mask must be a bool tensor, got {what}")
    condition = mask._data if mask.shape == self.shape else _broadcast(self, mask._data, "masked_fill_")
    if isinstance(value, (bool, int, float)):
        fill = self._data.const(value, self.dtype)  # cast to self's dtype, as torch (0.5 fills an int tensor with 0)
    else:
        fill = _data(value, "masked_fill_")
        if fill.shape != ():
            raise ValueError(f"masked_fill_: the value must be a number or a 0-d tensor, got shape {fill.shape}")
        fill = fill.cast(self.dtype).reshape((1,) * self.ndim).expand(self.shape)
    return _write(self, condition.where(fill, self._data), "masked_fill_")


def uniform_(self: _t.Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Generator | None = None) -> _t.Tensor:
    """Fill self with values drawn uniformly from [from_, to) (torch.Tensor.uniform_, whose first argument is
    named `from`, a Python keyword: pass it by position)."""
    _expect_float(self, "uniform_")
    if not from_ <= to:  # also false for a NaN bound, which torch refuses too
        raise RuntimeError(f"uniform_: expects a range [from_, to) with from_ <= to, got from_={from_} and to={to}")
    draws = sampling.rand(self.shape, generator=generator, dtype=self.dtype, backend=self.backend)
    return _write(self, (draws * (to - from_) + from_)._data, "uniform_")


def normal_(self: _t.Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None) -> _t.Tensor:
    """Fill self with values drawn from the normal distribution N(mean, std^2) (torch.Tensor.normal_)."""
    _expect_float(self, "normal_")
    if not std >= 0:  # also false for NaN, which torch refuses too
        raise RuntimeError(f"normal_: expects std >= 0.0, got {std}")
    draws = sampling.randn(self.shape, generator=generator, dtype=self.dtype, backend=self.backend)
    return _write(self, (draws * std + mean)._data, "normal_")


def zero_(self: _t.Tensor) -> _t.Tensor:
    """Set every element to zero (torch.Tensor.zero_)."""
    return fill_(self, 0)


def fill_(self: _t.Tensor, value: Operand) -> _t.Tensor:
    """Set every element to `value`, a number or a one-element tensor (torch.Tensor.fill_)."""
    if isinstance(value, _t.Tensor) and value._data.size != 1:
        raise ValueError(f"fill_: expected a number or a one-element tensor, got a tensor of shape {value.shape}")
    return _write(self, _operand(self, value, "fill_"), "fill_")


def copy_(self: _t.Tensor, src: Operand, non_blocking: bool = False) -> _t.Tensor:
    """Copy the values of `src` (broadcast to self's shape, cast to self's dtype, and moved from another
    backend, as torch copies across devices) into self (torch.Tensor.copy_; `non_blocking` changes nothing:
    edugrad's copies finish before they return)."""
    data = _data(src, "copy_")
    if data.backend is not self._data.backend:
        data = TensorData.from_numpy(data.numpy(), data.dtype, self._data.backend.name)
    return _write(self, _broadcast(self, data.cast(self.dtype), "copy_"), "copy_")


def _update(self: _t.Tensor, op: BinaryOps, operand: TensorData, name: str) -> _t.Tensor:
    """self = self <op> operand, written into self's memory by the data layer's in-place binary op."""
    self._check_writable(name)
    self._data.binary_(op, operand)
    return self


def _write(self: _t.Tensor, data: TensorData, op: str) -> _t.Tensor:
    self._check_writable(op)
    self._data.assign(data)
    return self


def _operand(self: _t.Tensor, other: Operand, op: str) -> TensorData:
    """`other` as TensorData of self's shape and dtype. Refused where PyTorch refuses: a value whose dtype
    self cannot hold (a float into an int tensor), a shape that does not broadcast to self's, and an operand
    that requires grad while gradients are recorded (this op would silently drop its gradient)."""
    if isinstance(other, (bool, int, float)):
        check_storable(result_type(self.dtype, other), self.dtype, op)
        check_scalar_fits(other, self.dtype, op)
        return self._data.const(other)
    data = _data(other, op)
    if data.dtype is not self._data.dtype:
        check_storable(promote_types(self.dtype, data.dtype), self.dtype, op)
        data = data.cast(self.dtype)
    return data if data.shape == self._data.shape else _broadcast(self, data, op)


def _data(other: Operand, op: str) -> TensorData:
    """The data of a Tensor (or array) operand, refused if it requires grad while gradients are recorded."""
    tensor = as_tensor(other, op)
    if tensor.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{op}: an operand requires grad, and in-place ops are not recorded for backward; "
                           "compute out of place (x = x + y) or wrap the update in `with no_grad():`")
    return tensor._data


def _scaled(self: _t.Tensor, other: Operand, alpha: _t.Scalar, op: str) -> TensorData:
    """alpha * other as an operand for self (no multiplication when alpha is 1)."""
    data = _operand(self, other, op)
    return data if alpha == 1 else data.binary(BinaryOps.MUL, _operand(self, alpha, op))


def _broadcast(self: _t.Tensor, data: TensorData, op: str) -> TensorData:
    if broadcast_shape(self.shape, data.shape, op) != self.shape:
        raise ValueError(f"{op}: an operand of shape {data.shape} does not broadcast to the shape {self.shape} of "
                         "the tensor changed in place (an in-place op keeps the tensor's shape)")
    return data.reshape((1,) * (self.ndim - data.ndim) + data.shape).expand(self.shape)


def _expect_float(self: _t.Tensor, op: str) -> None:
    if not self.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating-point tensor, got {self.dtype.name}")
