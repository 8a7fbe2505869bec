"""Every error of TensorData: the exception type, and a message that names the op and the shapes or dtypes
involved, so that a user of the layers above can tell what went wrong. Checked on every backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from edugrad.data import (
    BinaryOps, ReduceOps, ScanOps, TensorData, UnaryOps, check_shape, dtypes, normalize_axes, normalize_axis,
)


class Inputs:
    """Data on the backend under test: `x` of shape (2, 3) and float32, `idx` of the same shape and int64, and an
    image of shape (1, 1, 2, 2); `make` builds any other."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.x, self.idx = self.make((2, 3)), self.make((2, 3), dtypes.int64)
        self.image = self.make((1, 1, 2, 2))

    def make(self, shape: tuple[int, ...], dtype: Any = dtypes.float32, fill: int = 0) -> TensorData:
        return TensorData.from_numpy(np.full(shape, fill), dtype, backend=self.backend)


# Each error: what raises it, the exception type, and fragments its message must contain.
ERRORS: dict[str, tuple[Callable[[Inputs], Any], type[Exception], list[str]]] = {
    "binary shapes": (lambda t: t.x.binary(BinaryOps.ADD, t.make((3, 2))), ValueError, ["add", "(2, 3)", "(3, 2)"]),
    "binary dtypes": (lambda t: t.x.binary(BinaryOps.MUL, t.idx), TypeError, ["mul", "float32", "int64"]),
    "div of ints": (lambda t: t.idx.binary(BinaryOps.DIV, t.idx), TypeError, ["div", "floating-point", "int64"]),
    "sub of bools": (lambda t: t.make((2,), dtypes.bool).binary(BinaryOps.SUB, t.make((2,), dtypes.bool)), TypeError,
                     ["sub", "bool"]),
    "neg of bools": (lambda t: t.make((2,), dtypes.bool).unary(UnaryOps.NEG), TypeError, ["neg", "bool"]),
    "exp of ints": (lambda t: t.idx.unary(UnaryOps.EXP), TypeError, ["exp", "int64"]),
    "where condition": (lambda t: t.x.where(t.x, t.x), TypeError, ["where", "bool", "float32"]),
    "where shapes": (lambda t: t.make((2, 3), dtypes.bool).where(t.x, t.make((3,))), ValueError,
                     ["where", "(2, 3)", "(3,)"]),
    "where dtypes": (lambda t: t.make((2, 3), dtypes.bool).where(t.x, t.idx), TypeError, ["where", "float32", "int64"]),
    "reduce axis": (lambda t: t.x.reduce(ReduceOps.SUM, 2), IndexError, ["sum", "axis 2", "2-d", "-2 to 1"]),
    "reduce axis twice": (lambda t: t.x.reduce(ReduceOps.PROD, (1, -1)), ValueError, ["prod", "(1, -1)", "twice"]),
    "reduce of bools": (lambda t: t.make((2,), dtypes.bool).reduce(ReduceOps.SUM), TypeError, ["sum", "bool"]),
    "max of nothing": (lambda t: t.make((2, 0)).reduce(ReduceOps.MAX, 1), ValueError, ["max", "(2, 0)", "size 0"]),
    "scan axis": (lambda t: t.x.scan(ScanOps.CUMSUM, -3), IndexError, ["cumsum", "axis -3", "2-d"]),
    "scan of bools": (lambda t: t.make((2,), dtypes.bool).scan(ScanOps.CUMPROD, 0), TypeError, ["cumprod", "bool"]),
    "reshape size": (lambda t: t.x.reshape((4, 2)), ValueError, ["reshape", "(2, 3)", "(4, 2)", "6", "8"]),
    "reshape negative": (lambda t: t.x.reshape((-1, 6)), ValueError, ["reshape", "(-1, 6)"]),
    "reshape not ints": (lambda t: t.x.reshape((2.0, 3)), TypeError, ["reshape", "(2.0, 3)"]),  # type: ignore
    "permute repeated": (lambda t: t.x.permute((0, 0)), ValueError, ["permute", "(0, 0)", "(2, 3)"]),
    "permute too short": (lambda t: t.x.permute((1,)), ValueError, ["permute", "(1,)", "(2, 3)"]),
    "permute axis": (lambda t: t.x.permute((0, 5)), IndexError, ["permute", "axis 5", "2-d"]),
    "expand": (lambda t: t.x.expand((4, 3)), ValueError, ["expand", "(2, 3)", "(4, 3)"]),
    "expand axes": (lambda t: t.x.expand((1, 2, 3)), ValueError, ["expand", "(2, 3)", "(1, 2, 3)"]),
    "negative pad": (lambda t: t.x.pad(((0, 0), (-1, 0))), ValueError, ["pad", "(2, 3)", "(-1, 0)", "shrink"]),
    "pad per axis": (lambda t: t.x.pad(((1, 1),)), ValueError, ["pad", "(2, 3)", "((1, 1),)"]),
    "shrink bounds": (lambda t: t.x.shrink(((0, 2), (0, 4))), ValueError, ["shrink", "(2, 3)", "(0, 4)"]),
    "shrink reversed": (lambda t: t.x.shrink(((1, 0), (0, 3))), ValueError, ["shrink", "(2, 3)", "(1, 0)"]),
    "flip axis": (lambda t: t.x.flip(3), IndexError, ["flip", "axis 3", "2-d"]),
    "cat sizes": (lambda t: t.x.cat([t.x, t.make((3, 3))], 1), ValueError,
                  ["cat", "(3, 3)", "array 2", "axis 1", "(2, 3)"]),
    "cat axes": (lambda t: t.x.cat([t.make((2, 3, 1))], 0), ValueError, ["cat", "(2, 3, 1)", "array 1", "(2, 3)"]),
    "cat dtypes": (lambda t: t.x.cat([t.idx], 0), TypeError, ["cat", "float32", "int64", "cast"]),
    "cat axis": (lambda t: t.x.cat([t.x], 2), IndexError, ["cat", "axis 2", "2-d", "-2 to 1"]),
    "cat of 0-d": (lambda t: t.make(()).cat([t.make(())], 0), ValueError, ["cat", "0-d", "(1,)"]),
    "cat of one array": (lambda t: t.x.cat(t.x, 0), TypeError, ["cat", "sequence", "[other]"]),  # type: ignore
    "gather index range": (lambda t: t.x.gather(t.make((2, 3), dtypes.int64, fill=3), 1), IndexError,
                           ["gather", "index 3", "axis 1", "size 3", "(2, 3)"]),
    "gather negative index": (lambda t: t.x.gather(t.make((2, 3), dtypes.int64, fill=-1), 0), IndexError,
                              ["gather", "index -1", "size 2"]),
    "gather index dtype": (lambda t: t.x.gather(t.x, 0), TypeError, ["gather", "integer", "float32"]),
    "gather index shape": (lambda t: t.x.gather(t.make((3, 3), dtypes.int64), 1), ValueError,
                           ["gather", "(3, 3)", "(2, 3)", "axis 1"]),
    "gather index axes": (lambda t: t.x.gather(t.make((6,), dtypes.int64), 0), ValueError,
                          ["gather", "(6,)", "(2, 3)"]),
    "scatter_add src shape": (lambda t: t.x.scatter_add(t.idx, t.make((2, 2)), 0), ValueError,
                              ["scatter_add", "(2, 2)", "(2, 3)"]),
    "scatter_add src dtype": (lambda t: t.x.scatter_add(t.idx, t.idx, 0), TypeError,
                              ["scatter_add", "float32", "int64"]),
    "scatter_add index range": (lambda t: t.x.scatter_add(t.make((2, 3), dtypes.int32, fill=2), t.x, 0), IndexError,
                                ["scatter_add", "index 2", "size 2"]),
    "argsort axis": (lambda t: t.x.argsort(2), IndexError, ["argsort", "axis 2", "2-d", "-2 to 1"]),
    "matmul shapes": (lambda t: t.x.matmul(t.x), ValueError, ["matmul", "(2, 3)", "(2, 3)"]),
    "matmul batch": (lambda t: t.make((2, 2, 3)).matmul(t.make((3, 3, 2))), ValueError,
                     ["matmul", "(2, 2, 3)", "(3, 3, 2)"]),
    "matmul vectors": (lambda t: t.make((3,)).matmul(t.make((3,))), ValueError, ["matmul", "(3,)"]),
    "matmul dtypes": (lambda t: t.x.matmul(t.make((3, 2), dtypes.float64)), TypeError,
                      ["matmul", "float32", "float64"]),
    "matmul bools": (lambda t: t.make((2, 2), dtypes.bool).matmul(t.make((2, 2), dtypes.bool)), TypeError,
                     ["matmul", "bool"]),
    "unfold kernel too big": (lambda t: t.image.unfold((3, 3), (1, 1), (1, 1)), ValueError,
                              ["unfold", "(3, 3)", "(2, 2)"]),
    "unfold dilated kernel": (lambda t: t.image.unfold((2, 2), (1, 1), (2, 2)), ValueError,
                              ["unfold", "(2, 2)", "dilation"]),
    "unfold without spatial axes": (lambda t: t.x.unfold((1,), (1,), (1,)), ValueError, ["unfold", "(2, 3)"]),
    "unfold stride": (lambda t: t.image.unfold((1, 1), (0, 1), (1, 1)), ValueError, ["unfold", "(0, 1)", "positive"]),
    "unfold arguments per axis": (lambda t: t.image.unfold((1,), (1,), (1,)), ValueError, ["unfold", "(1,)", "2"]),
    "fold windows": (lambda t: t.make((1, 1, 2, 2, 1, 1)).fold((3, 3), (1, 1), (1, 1)), ValueError,
                     ["fold", "(1, 1, 2, 2, 1, 1)", "(3, 3)"]),
    "fold kernel too big": (lambda t: t.make((1, 1, 0, 3)).fold((2,), (1,), (1,)), ValueError,
                            ["fold", "(3,)", "(2,)"]),
    "fold axes": (lambda t: t.make((1, 1, 2)).fold((2,), (1,), (1,)), ValueError, ["fold", "(1, 1, 2)"]),
    "cast to a non-dtype": (lambda t: t.x.cast("float64"), TypeError,  # type: ignore[arg-type]
                            ["cast", "dtypes.float32", "'float64'"]),
    "bitcast size": (lambda t: t.idx.bitcast(dtypes.int32), TypeError, ["bitcast", "int64", "int32", "8", "4"]),
    "full with a non-dtype": (lambda t: TensorData.full((2,), 0, np.float32), TypeError,  # type: ignore[arg-type]
                              ["full", "DType"]),
    "full negative shape": (lambda t: TensorData.full((-1, 2), 0, dtypes.float32), ValueError,
                            ["full", "(-1, 2)"]),
    "rand of ints": (lambda t: TensorData.rand((2,), dtypes.int64), TypeError, ["rand", "int64"]),
    "randn of bools": (lambda t: TensorData.randn((2,), dtypes.bool), TypeError, ["randn", "bool"]),
    "randperm of bools": (lambda t: TensorData.randperm(2, dtypes.bool), TypeError, ["randperm", "bool"]),
    "randperm negative": (lambda t: TensorData.randperm(-1), ValueError, ["randperm", "(-1,)"]),
    "randperm overflow": (lambda t: TensorData.randperm(257, dtypes.uint8), ValueError,
                          ["randperm", "0 .. 256", "uint8", "at most 256"]),
    "randperm float16": (lambda t: TensorData.randperm(2050, dtypes.float16), ValueError,
                         ["randperm", "float16", "at most 2049"]),
    "arange step": (lambda t: TensorData.arange(0, 3, 0, dtypes.int64), ValueError, ["arange", "step"]),
    "from_numpy uint16": (lambda t: TensorData.from_numpy(np.zeros(2, np.uint16)), TypeError,
                          ["uint16", "edugrad supports"]),
    "from_numpy complex": (lambda t: TensorData.from_numpy(np.zeros(2, np.complex64)), TypeError,
                           ["complex64", "edugrad supports"]),
    "from_numpy objects": (lambda t: TensorData.from_numpy([1, "a"]), TypeError, ["edugrad supports"]),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error(backend: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGRAD_BACKEND", backend)  # the load ops create data on the default backend
    raise_it, error, fragments = ERRORS[name]
    with pytest.raises(error) as caught:
        raise_it(Inputs(backend))
    message = str(caught.value)
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{message!r} does not mention {missing}"


def test_axis_helpers() -> None:
    assert normalize_axis(-1, 3, "op") == 2 and normalize_axis(0, 0, "op") == 0
    assert normalize_axes(None, 3, "op") == (0, 1, 2) and normalize_axes((2, -3), 3, "op") == (0, 2)
    assert normalize_axes(-1, 0, "op") == ()  # axis 0 (or -1) of a 0-d tensor reduces nothing
    with pytest.raises(TypeError, match="op: axis must be an int, got float"):
        normalize_axis(1.0, 2, "op")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="op: axis must be an int, got bool"):
        normalize_axis(True, 2, "op")
    assert check_shape((np.int64(2), 3), "op") == (2, 3)  # type: ignore[arg-type]  # NumPy ints are welcome
    with pytest.raises(TypeError, match=r"op: a shape must be a sequence of ints, got \(True,\)"):
        check_shape((True,), "op")
