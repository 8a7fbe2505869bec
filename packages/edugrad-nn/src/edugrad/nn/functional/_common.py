"""What the functions of `edugrad.nn.functional` share: argument checks, `inplace=` and the loss reductions.

Private helper of `edugrad.nn.functional` (top layer, `edugrad.nn`).
"""

from __future__ import annotations

import warnings
from numbers import Real

from edugrad.function import is_grad_enabled
from edugrad.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def tensor_arg(op: str, name: str, value: object) -> Tensor:
    """`value` if it is a Tensor, else a TypeError naming the function and the argument."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    return value


def number_arg(op: str, name: str, value: object) -> float:
    """`value` as a float if it is a real number (bool excepted), else a TypeError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__}")
    return float(value)


def int_arg(op: str, name: str, value: object, low: int = 0) -> int:
    """`value` if it is an int >= low (bool excepted), else a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{op}: {name} must be an int >= {low}, got {value!r}")
    return value


def recorded(x: Tensor) -> bool:
    """Whether an op on x is recorded for backward (x requires grad and grad mode is on)."""
    return x.requires_grad and is_grad_enabled()


def maybe_inplace(input: Tensor, result: Tensor, inplace: bool) -> Tensor:
    """`result`, written into `input` when `inplace` asks for it and nothing records `input` for backward.

    edugrad records no in-place op, so while `input` is recorded the result comes back as a new tensor and
    `input` keeps its values. Programs write `x = F.relu(x, inplace=True)` (and `nn.ReLU(inplace=True)` returns
    its result), so they get the same values either way; in-place is only a saving of memory in PyTorch."""
    if inplace and result is not input and not recorded(input):
        return input.copy_(result)
    return result


def write_through(input: Tensor, result: Tensor, op: str) -> Tensor:
    """`result` written into `input` for the functions that are in-place by name (`relu_`, `elu_`, ...):
    refused while `input` is recorded, because edugrad records no in-place op and returning a new tensor
    would leave `input` unchanged behind the caller's back."""
    if recorded(input):
        raise RuntimeError(f"{op}: cannot change a tensor that requires grad in place while gradients are "
                           f"recorded (edugrad records no in-place op); call {op.rstrip('_')} instead")
    return input.copy_(result)


def reduction_arg(op: str, size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction a loss uses. The legacy `size_average` and `reduce` (either given) decide it as in
    PyTorch: reduce=False gives 'none', else size_average=False gives 'sum', else 'mean' (None counts as True);
    `reduction` is then ignored. PyTorch warns that they are deprecated, and so does this."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"{op}: size_average and reduce are deprecated, please use reduction={reduction!r} instead",
                      UserWarning, stacklevel=3)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """The per-element losses averaged, summed or left as they are."""
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss
