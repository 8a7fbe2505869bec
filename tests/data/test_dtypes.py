"""dtypes.py: the supported dtypes, their NumPy names, and PyTorch's promotion rules, checked against torch."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

from edugrad.data import DType, TensorData, dtypes, promote_types, result_type

ALL = dtypes.all()


def as_torch(dtype: DType) -> Any:
    """torch's dtype of the same name (the test is skipped where torch is not installed)."""
    return getattr(pytest.importorskip("torch"), dtype.name)


def test_the_supported_dtypes() -> None:
    assert [d.name for d in ALL] == ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                                     "float64"]
    assert dtypes.default_float is dtypes.float32 and dtypes.default_int is dtypes.int64
    for dtype in ALL:
        assert dtype.itemsize == dtype.np_dtype.itemsize
        assert dtype.is_floating_point == (dtype.np_dtype.kind == "f" or dtype is dtypes.bfloat16)
        assert dtype.is_integer == (dtype.np_dtype.kind in "iu")
        assert repr(dtype) == f"dtypes.{dtype.name}"


@pytest.mark.parametrize("dtype", ALL, ids=str)
def test_lookups_by_numpy_dtype_and_by_name(dtype: DType) -> None:
    assert dtypes.from_numpy(dtype.np_dtype) is dtype
    assert dtypes.from_numpy(dtype.np_dtype.type) is dtype
    assert dtypes.from_numpy(dtype.np_dtype.newbyteorder(">")) is dtype  # big-endian data from a file
    assert dtypes.from_name(dtype.name) is dtype


@pytest.mark.parametrize("unsupported", [np.uint16, np.uint32, np.complex64, np.complex128, np.str_, np.object_,
                                         np.datetime64])
def test_unsupported_numpy_dtypes_are_a_type_error_naming_the_supported_ones(unsupported: Any) -> None:
    with pytest.raises(TypeError, match=r"unsupported NumPy dtype .*edugrad supports bool, uint8, int8, int16, int32"):
        dtypes.from_numpy(np.dtype(unsupported))


@pytest.mark.parametrize("name", ["uint16", "complex64", "Float32", ""])
def test_unknown_dtype_names_are_a_type_error(name: str) -> None:
    with pytest.raises(TypeError, match=rf"unknown dtype '{name}'; edugrad supports bool, uint8"):
        dtypes.from_name(name)


@pytest.mark.parametrize("dtype", ALL, ids=str)
def test_dtypes_are_singletons_through_pickle_and_copy(dtype: DType) -> None:
    assert pickle.loads(pickle.dumps(dtype)) is dtype
    assert copy.copy(dtype) is dtype and copy.deepcopy(dtype) is dtype


@pytest.mark.parametrize("a", ALL, ids=str)
@pytest.mark.parametrize("b", ALL, ids=str)
def test_promote_types_matches_torch(a: DType, b: DType) -> None:
    torch = pytest.importorskip("torch")
    assert as_torch(promote_types(a, b)) == torch.promote_types(as_torch(a), as_torch(b))
    assert promote_types(a, b) is promote_types(b, a)


@pytest.mark.parametrize("dtype", ALL, ids=str)
@pytest.mark.parametrize("scalar", [True, False, 0, 3, -2, 0.5, 2.0, -1e3], ids=repr)
def test_result_type_of_a_weak_scalar_matches_torch(dtype: DType, scalar: bool | int | float) -> None:
    torch = pytest.importorskip("torch")
    tensor = torch.ones(2, dtype=as_torch(dtype))
    assert as_torch(result_type(dtype, scalar)) == (tensor + scalar).dtype == (tensor * scalar).dtype


def test_bfloat16_exists_and_without_ml_dtypes_says_what_to_install() -> None:
    # nanoGPT reads torch.bfloat16 at import time: the name must be there either way.
    assert dtypes.bfloat16.name == "bfloat16" and dtypes.bfloat16.itemsize == 2 and dtypes.bfloat16.is_floating_point
    if dtypes.bfloat16.unavailable is None:
        values = TensorData.full((2,), 1.5, dtypes.float32).cast(dtypes.bfloat16)
        assert values.dtype is dtypes.bfloat16 and values.numpy().astype(np.float32).tolist() == [1.5, 1.5]
        assert dtypes.from_name("bfloat16") is dtypes.bfloat16
        return
    with pytest.raises(ImportError, match=r"full: bfloat16 needs the ml_dtypes package: pip install "
                                          r"'edugrad-data\[bfloat16\]'"):
        TensorData.full((2,), 1.5, dtypes.bfloat16)
    with pytest.raises(ImportError, match="cast: bfloat16 needs the ml_dtypes package"):
        TensorData.full((2,), 1.5, dtypes.float32).cast(dtypes.bfloat16)
