"""torch's dtype names and dtype questions at the top of edugrad.tensor, each compared with PyTorch 2.13: the names
and their aliases, the default dtype, promote_types, can_cast, finfo and iinfo, and the casting methods."""

from __future__ import annotations

from typing import Any

import pytest
import torch

import edugrad.tensor as et
from edugrad.tensor import dtypes

NAMES = ["float32", "float", "float64", "double", "float16", "half", "bfloat16", "uint8", "int8", "int16", "short",
         "int32", "int", "int64", "long", "bool"]
USABLE = [d for d in dtypes.all()]


def theirs(dtype: Any) -> torch.dtype:
    return getattr(torch, dtype.name)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_the_dtype_torch_gives_it(name: str) -> None:
    ours = getattr(et, name)
    assert theirs(ours) is getattr(torch, name)
    assert ours is getattr(dtypes, getattr(torch, name).__str__().removeprefix("torch."))


def test_dtype_comparisons_as_torch() -> None:
    assert et.tensor([1, 2]).dtype == et.long and et.tensor([1.0]).dtype == et.float
    assert et.tensor([1.0]).dtype != et.double
    assert isinstance(et.float32, et.dtype)


def test_the_default_dtype_is_what_python_floats_become() -> None:
    assert et.get_default_dtype() is et.float32 and torch.get_default_dtype() is torch.float32
    try:
        et.set_default_dtype(et.float64)
        torch.set_default_dtype(torch.float64)
        for ours, expected in [(et.tensor(1.5), torch.tensor(1.5)), (et.zeros(2), torch.zeros(2)),
                               (et.arange(0.5), torch.arange(0.5)), (et.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2),
                               (et.rand(2), torch.rand(2)), (et.Tensor([1]), torch.Tensor([1]))]:
            assert theirs(ours.dtype) is expected.dtype
        assert et.get_default_dtype() is et.float64
    finally:
        et.set_default_dtype(et.float32)
        torch.set_default_dtype(torch.float32)
    assert et.tensor(1.5).dtype is et.float32


def test_set_default_dtype_takes_floats_only() -> None:
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int32)
    with pytest.raises(TypeError, match="set_default_dtype: only floating-point types"):
        et.set_default_dtype(et.int32)


@pytest.mark.parametrize("a", USABLE, ids=str)
@pytest.mark.parametrize("b", USABLE, ids=str)
def test_promote_types_and_can_cast_match_torch(a: Any, b: Any) -> None:
    assert theirs(et.promote_types(a, b)) is torch.promote_types(theirs(a), theirs(b))
    assert et.can_cast(a, b) == torch.can_cast(theirs(a), theirs(b))


@pytest.mark.parametrize("dtype", [et.float16, et.bfloat16, et.float32, et.float64, None], ids=str)
def test_finfo_matches_torch(dtype: Any) -> None:
    ours, expected = et.finfo(dtype), (torch.finfo() if dtype is None else torch.finfo(theirs(dtype)))
    for attribute in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attribute) == getattr(expected, attribute), attribute
    assert repr(ours) == repr(expected)


@pytest.mark.parametrize("dtype", [et.uint8, et.int8, et.int16, et.int32, et.int64], ids=str)
def test_iinfo_matches_torch(dtype: Any) -> None:
    ours, expected = et.iinfo(dtype), torch.iinfo(theirs(dtype))
    assert (ours.bits, ours.min, ours.max, ours.dtype) == (expected.bits, expected.min, expected.max, expected.dtype)
    assert repr(ours) == repr(expected)


def test_finfo_and_iinfo_refuse_the_other_kind() -> None:
    with pytest.raises(TypeError):
        torch.finfo(torch.int32)
    with pytest.raises(TypeError, match="finfo: requires a floating point dtype"):
        et.finfo(et.int32)
    with pytest.raises(TypeError, match="iinfo: requires an integer dtype"):
        et.iinfo(et.float32)


@pytest.mark.parametrize("method", ["float", "double", "half", "int", "long", "bool", "short", "char", "byte"])
def test_casting_methods_as_torch(method: str) -> None:
    values = [-1.5, 0.0, 2.7]
    ours, expected = getattr(et.tensor(values), method)(), getattr(torch.tensor(values), method)()
    assert theirs(ours.dtype) is expected.dtype
    assert ours.tolist() == expected.tolist()


@pytest.mark.parametrize("dtype", [et.int8, et.int16], ids=str)
def test_the_new_integer_dtypes_compute_as_torch(dtype: Any) -> None:
    ours, expected = et.tensor([3, -4, 5], dtype=dtype), torch.tensor([3, -4, 5], dtype=theirs(dtype))
    for result, reference in [(ours + ours, expected + expected), (ours * 2, expected * 2), (ours.sum(), expected.sum()),
                              (ours.max(), expected.max()), (ours // 2, expected // 2), (ours.float(), expected.float())]:
        assert theirs(result.dtype) is reference.dtype and result.tolist() == reference.tolist()
