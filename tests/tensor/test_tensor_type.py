"""Tensor.type: torch's legacy type names, and casts by dtype or by name."""

import numpy as np
import pytest
import torch

from edugrad.tensor import dtypes, tensor

CASES = [("float32", torch.float32), ("float64", torch.float64), ("float16", torch.float16), ("int64", torch.int64),
         ("int32", torch.int32), ("uint8", torch.uint8), ("bool", torch.bool)]


@pytest.mark.parametrize(("name", "torch_dtype"), CASES)
def test_type_names_the_type_as_torch(name: str, torch_dtype: torch.dtype) -> None:
    assert tensor([1, 0]).to(dtypes.from_name(name)).type() == torch.tensor([1, 0]).to(torch_dtype).type()


def test_type_casts_by_dtype_or_name() -> None:
    x = tensor(np.array([1.5, -2.5], dtype=np.float32), requires_grad=True)
    assert x.type(dtypes.float32) is x
    as_int = x.type("torch.IntTensor")
    assert as_int.dtype is dtypes.int32 and as_int.tolist() == torch.tensor([1.5, -2.5]).type("torch.IntTensor").tolist()
    doubled = x.type(dtype=dtypes.float64)
    (doubled * 2).sum().backward()
    assert doubled.dtype is dtypes.float64 and x.grad is not None and x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="type: invalid type 'torch.Foo'"):
        x.type("torch.Foo")
