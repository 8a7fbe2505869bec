"""The optional second backend: every low-level op as a torch call, on the CPU or a GPU.

Bottom layer (`edugrad.data`). It mirrors `numpy_backend` method for method, with the same semantics, so that
the conformance suite in `tests/data` runs unchanged on both. Where torch's default differs from NumPy's (a
sum of int32 widens to int64, `dim=()` means "every axis", `prod` takes one axis, ...), the method says so and
how it is made to agree. Select it with `EDUGRAD_BACKEND=torch` or `backend="torch"`; the device comes from
`$EDUGRAD_TORCH_DEVICE`, else "cuda" where torch sees a GPU, else "cpu".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from math import prod
from typing import Any

import numpy as np
import torch

from edugrad.data.dtypes import DType, dtypes
from edugrad.data.ops import BinaryOps, LoadOps, ReduceOps, ScanOps, UnaryOps

NDArray = np.ndarray[Any, Any]
Shape = tuple[int, ...]

_TO_TORCH: dict[DType, torch.dtype] = {
    dtypes.bool: torch.bool,
    dtypes.uint8: torch.uint8,
    dtypes.int8: torch.int8,
    dtypes.int16: torch.int16,
    dtypes.bfloat16: torch.bfloat16,
    dtypes.int32: torch.int32,
    dtypes.int64: torch.int64,
    dtypes.float16: torch.float16,
    dtypes.float32: torch.float32,
    dtypes.float64: torch.float64,
}
_FROM_TORCH: dict[torch.dtype, DType] = {t: d for d, t in _TO_TORCH.items()}

_UNARY: dict[UnaryOps, Callable[[torch.Tensor], torch.Tensor]] = {
    UnaryOps.NEG: torch.neg,
    UnaryOps.EXP: torch.exp,
    UnaryOps.LOG: torch.log,
    UnaryOps.SIN: torch.sin,
    UnaryOps.COS: torch.cos,
    UnaryOps.TANH: torch.tanh,
    UnaryOps.SQRT: torch.sqrt,
    UnaryOps.RECIPROCAL: torch.reciprocal,
    UnaryOps.FLOOR: torch.floor,
    UnaryOps.CEIL: torch.ceil,
    UnaryOps.ROUND: torch.round,  # half to even, like np.rint
    UnaryOps.TRUNC: torch.trunc,
}

_BINARY: dict[BinaryOps, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    BinaryOps.ADD: torch.add,
    BinaryOps.SUB: torch.sub,
    BinaryOps.MUL: torch.mul,
    BinaryOps.DIV: torch.div,
    BinaryOps.IDIV: lambda x, y: torch.div(x, y, rounding_mode="floor"),  # plain torch.div is true division
    BinaryOps.MAX: torch.maximum,
    BinaryOps.POW: torch.pow,
    BinaryOps.CMPLT: torch.lt,
    BinaryOps.CMPEQ: torch.eq,
}


def default_device() -> torch.device:
    """`$EDUGRAD_TORCH_DEVICE` if set, else the GPU where torch has one, else the CPU."""
    return torch.device(os.environ.get("EDUGRAD_TORCH_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))


class TorchBackend:
    """Runs the low-level ops on `torch.Tensor`s of one device. Random numbers come from one seeded
    `torch.Generator` on that device."""

    name = "torch"

    def __init__(self) -> None:
        self.torch_device = default_device()
        # torch.device("cuda") has no index; the backend computes on the current GPU, which is cuda:0 unless the
        # program chose another.
        if self.torch_device.type == "cuda" and self.torch_device.index is None:
            self.torch_device = torch.device("cuda", torch.cuda.current_device())
        self.device = str(self.torch_device)
        self.generator = torch.Generator(device=self.torch_device)

    def from_numpy(self, array: NDArray, dtype: DType) -> torch.Tensor:
        # A C-contiguous copy first: torch.from_numpy shares memory and rejects the negative strides of a
        # flipped array.
        copy = np.array(array, dtype=dtype.np_dtype, copy=True, order="C")
        return torch.from_numpy(copy).to(self.torch_device)

    def to_numpy(self, x: torch.Tensor) -> NDArray:
        return x.detach().cpu().numpy()  # shares the memory of a tensor on the CPU

    def share_numpy(self, array: NDArray) -> torch.Tensor:
        # torch.from_numpy shares the array's memory; .to() keeps it on the CPU and copies it to a GPU.
        return torch.from_numpy(array).to(self.torch_device)

    def shape(self, x: torch.Tensor) -> Shape:
        return tuple(x.shape)

    def strides(self, x: torch.Tensor) -> Shape:
        return tuple(x.stride())

    def data_ptr(self, x: torch.Tensor) -> int:
        return int(x.data_ptr())

    def is_view(self, out: torch.Tensor, x: torch.Tensor) -> bool:
        return bool(out.untyped_storage().data_ptr() == x.untyped_storage().data_ptr())

    def writable(self, x: torch.Tensor) -> bool:
        # torch's memory is always writable; a broadcast view (stride 0 on an axis longer than 1) is not.
        return all(step != 0 or n == 1 for step, n in zip(x.stride(), x.shape))

    def assign(self, target: torch.Tensor, source: torch.Tensor) -> None:
        target.copy_(source)

    def binary_(self, op: BinaryOps, x: torch.Tensor, y: torch.Tensor) -> None:
        _BINARY[op](x, y, out=x)  # type: ignore[call-arg]  # (ADD, SUB, MUL, DIV, MAX: torch functions)

    def dtype(self, x: torch.Tensor) -> DType:
        found = _FROM_TORCH.get(x.dtype)
        if found is None:
            supported = ", ".join(d.name for d in _TO_TORCH)
            raise TypeError(f"unsupported torch dtype {x.dtype}; edugrad supports {supported}")
        return found

    def load(self, op: LoadOps, shape: Shape, dtype: DType, arg: Any) -> torch.Tensor:
        options: dict[str, Any] = {"dtype": _TO_TORCH[dtype], "device": self.torch_device}
        if op is LoadOps.EMPTY:
            return torch.empty(shape, **options)
        if op is LoadOps.FULL:
            # One element seen through stride-0 axes: a constant costs no memory, whatever its shape.
            return torch.full((), arg, **options).expand(shape)
        if op is LoadOps.RAND:
            return torch.rand(shape, generator=arg, **options)
        if op is LoadOps.RANDN:
            return torch.randn(shape, generator=arg, **options)
        if op is LoadOps.RANDPERM:
            return torch.randperm(shape[0], generator=arg, **options)
        if op is LoadOps.ARANGE:
            # start + i*step in float64 (int64 when all is integer), then cast, exactly as the NumPy backend does;
            # torch.arange(start, stop, step) would count the elements again and compute in the target dtype.
            start, step = arg
            exact = not dtype.is_floating_point and isinstance(start, int) and isinstance(step, int)
            positions = torch.arange(shape[0], dtype=torch.int64 if exact else torch.float64, device=self.torch_device)
            values: torch.Tensor = start + step * positions
            return values.to(options["dtype"])
        if op is LoadOps.FROM_NUMPY:
            return self.from_numpy(arg, dtype)
        raise NotImplementedError(op)

    def new_generator(self, seed: int) -> torch.Generator:
        return torch.Generator(device=self.torch_device).manual_seed(seed)

    def seed_generator(self, generator: torch.Generator, seed: int) -> None:
        generator.manual_seed(seed)

    def generator_state(self, generator: torch.Generator) -> NDArray:
        return generator.get_state().numpy()  # a uint8 tensor on the CPU, whatever the generator's device

    def set_generator_state(self, generator: torch.Generator, state: NDArray) -> None:
        generator.set_state(torch.from_numpy(np.array(state, copy=True)))  # torch checks the size and dtype

    def unary(self, op: UnaryOps, x: torch.Tensor) -> torch.Tensor:
        return _UNARY[op](x)

    def binary(self, op: BinaryOps, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return _BINARY[op](x, y)

    def where(self, cond: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.where(cond, x, y)

    def reduce(self, op: ReduceOps, x: torch.Tensor, axes: Shape, keepdim: bool) -> torch.Tensor:
        if not axes:  # torch reads dim=() as "every axis"; reducing over no axis copies the input
            return x.clone()
        if op is ReduceOps.MAX:
            return torch.amax(x, dim=axes, keepdim=keepdim)
        if op is ReduceOps.SUM:
            # dtype= keeps int32 sums int32 (torch would widen them to int64).
            return torch.sum(x, dim=axes, keepdim=keepdim, dtype=x.dtype)
        # torch.prod takes one axis at a time; going from the last axis to the first keeps the others' indices.
        for axis in sorted(axes, reverse=True):
            x = torch.prod(x, dim=axis, keepdim=keepdim, dtype=x.dtype)
        return x

    def scan(self, op: ScanOps, x: torch.Tensor, axis: int) -> torch.Tensor:
        scan = torch.cumsum if op is ScanOps.CUMSUM else torch.cumprod
        return scan(x, dim=axis, dtype=x.dtype)

    def reshape(self, x: torch.Tensor, shape: Shape) -> torch.Tensor:
        return x.reshape(shape)

    def permute(self, x: torch.Tensor, order: Shape) -> torch.Tensor:
        return x.permute(order)

    def expand(self, x: torch.Tensor, shape: Shape) -> torch.Tensor:
        return x.expand(shape)

    def pad(self, x: torch.Tensor, padding: tuple[tuple[int, int], ...], value: float) -> torch.Tensor:
        # torch.nn.functional.pad lists (before, after) pairs from the LAST axis to the first, flattened.
        flat = tuple(width for pair in reversed(padding) for width in pair)
        return torch.nn.functional.pad(x, flat, value=value)

    def shrink(self, x: torch.Tensor, bounds: tuple[tuple[int, int], ...],
               steps: Shape | None = None) -> torch.Tensor:
        if steps is None:
            return x[tuple(slice(start, end) for start, end in bounds)]
        return x[tuple(slice(start, end, step) for (start, end), step in zip(bounds, steps))]

    def flip(self, x: torch.Tensor, axes: Shape) -> torch.Tensor:
        return torch.flip(x, axes)  # a copy: torch has no negative strides

    def cat(self, xs: Sequence[torch.Tensor], axis: int) -> torch.Tensor:
        return torch.cat(list(xs), dim=axis)  # a new tensor, also of one input

    def gather(self, x: torch.Tensor, index: torch.Tensor, axis: int) -> torch.Tensor:
        return torch.gather(x, axis, index.long())  # torch indexes with int64 only

    def scatter_add(self, x: torch.Tensor, index: torch.Tensor, src: torch.Tensor, axis: int) -> torch.Tensor:
        return torch.scatter_add(x, axis, index.long(), src)  # out of place; repeated indices accumulate

    def argsort(self, x: torch.Tensor, axis: int) -> torch.Tensor:
        return torch.argsort(x, dim=axis, stable=True)  # int64; without stable=True, ties come in any order

    def matmul(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if x.is_cuda and not x.is_floating_point():
            # CUDA's matrix kernels are floating-point only: multiply with broadcasting and sum over k instead.
            return torch.sum(x.unsqueeze(-1) * y.unsqueeze(-3), dim=-2, dtype=x.dtype)
        return torch.matmul(x, y)

    def unfold(self, x: torch.Tensor, kernel: Shape, stride: Shape, dilation: Shape) -> torch.Tensor:
        # Tensor.unfold(axis, size, step) is a view that appends one window axis; a window dilated by d spans
        # d*(k-1) + 1 elements of which it reads every d-th. One call per spatial axis gives (N, C, *out, *kernel).
        for axis, (k, s, d) in enumerate(zip(kernel, stride, dilation), start=2):
            x = x.unfold(axis, d * (k - 1) + 1, s)[..., ::d]
        return x

    def fold(self, cols: torch.Tensor, spatial: Shape, stride: Shape, dilation: Shape) -> torch.Tensor:
        # The adjoint of unfold adds every window element back where unfold read it. Unfolding the flat positions
        # 0, 1, ... of the image says where that is; index_add_ then accumulates the overlapping windows.
        n, c = cols.shape[:2]
        positions = torch.arange(prod(spatial), device=cols.device).reshape((1, 1, *spatial))
        kernel = tuple(cols.shape[2 + len(spatial) :])
        targets = self.unfold(positions, kernel, stride, dilation).reshape(-1)
        image = torch.zeros((n, c, prod(spatial)), dtype=cols.dtype, device=cols.device)
        image.index_add_(2, targets, cols.reshape(n, c, targets.numel()))
        return image.reshape((n, c, *spatial))

    def cast(self, x: torch.Tensor, dtype: DType) -> torch.Tensor:
        return x.to(_TO_TORCH[dtype])

    def bitcast(self, x: torch.Tensor, dtype: DType) -> torch.Tensor:
        return x.view(_TO_TORCH[dtype])


BACKEND_CLASS = TorchBackend
