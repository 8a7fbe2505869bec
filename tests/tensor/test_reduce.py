"""Reductions beyond the parity tables: exact values at zeros, NaN and infinities, integer extremes, empty
axes, the cost of prod and cumprod, and every error path."""

import math

import numpy as np
import pytest
import torch

from edugrad.function import topological_order
from edugrad.tensor import Tensor, dtypes, tensor

AXIS_OPS = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp",
            "softmax", "log_softmax", "cumsum", "cumprod", "any", "all"]
ALIAS_OPS = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "any", "all"]


@pytest.mark.parametrize("op", AXIS_OPS)
def test_axis_out_of_range_names_the_op(op: str) -> None:
    x = Tensor.ones(2, 3)
    with pytest.raises(IndexError, match=rf"{op}: axis 2 is out of range for a 2-d tensor"):
        getattr(x, op)(2)
    with pytest.raises(IndexError, match=rf"{op}: axis -3 is out of range"):
        getattr(x, op)(dim=-3)


@pytest.mark.parametrize("op", ALIAS_OPS)
def test_axis_and_dim_together_are_refused(op: str) -> None:
    with pytest.raises(TypeError, match=f"{op}: pass either dim or axis, not both"):
        getattr(Tensor.ones(2, 3), op)(0, axis=1)


@pytest.mark.parametrize("op", ALIAS_OPS)
def test_axis_is_an_alias_of_dim(op: str) -> None:
    x = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    ours, alias = getattr(x, op)(dim=-1), getattr(x, op)(axis=1)
    for a, b in zip(ours if isinstance(ours, tuple) else (ours,), alias if isinstance(alias, tuple) else (alias,)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_and_min_with_a_dim_return_a_named_tuple_as_torch(op: str) -> None:
    x = Tensor([[1.0, 7.0, 7.0], [4.0, -2.0, 0.0]], requires_grad=True)
    result = getattr(x, op)(1)
    theirs = getattr(torch.tensor(x.numpy()), op)(1)
    assert type(result).__name__ == type(theirs).__name__ == op and isinstance(result, tuple)
    values, indices = result
    assert values is result.values and indices is result.indices and result[0] is values
    assert values.tolist() == theirs.values.tolist() and indices.tolist() == theirs.indices.tolist()
    assert indices.dtype is dtypes.int64 and not indices.requires_grad
    assert repr(result).startswith(f"{op}(values=tensor(")


def test_max_of_a_0d_tensor_along_dim_0() -> None:
    values, indices = tensor(2.5).max(-1)
    assert values.shape == indices.shape == () and values.item() == 2.5 and indices.item() == 0


def test_reduce_dtype_casts_the_input_first_as_torch() -> None:
    big = tensor([2**40, 2**40])
    assert big.sum(dtype=dtypes.int32).item() == torch.tensor([2**40, 2**40]).sum(dtype=torch.int32).item()
    with pytest.raises(TypeError, match="mean: dtype must be a floating-point dtype, got int64"):
        Tensor([1.0]).mean(dtype=dtypes.int64)


def test_var_refuses_correction_and_unbiased_together() -> None:
    with pytest.raises(TypeError, match="var: pass either correction or unbiased, not both"):
        Tensor([1.0, 2.0]).var(correction=0, unbiased=False)


def test_logsumexp_softmax_and_cumsum_need_a_dim_as_torch() -> None:
    for op in ["logsumexp", "softmax", "log_softmax", "cumsum", "cumprod"]:
        with pytest.raises(TypeError, match="dim"):
            getattr(Tensor.ones(2, 3), op)()
        with pytest.raises(TypeError):
            getattr(torch.ones(2, 3), op)()


def test_prod_gradient_is_exact_with_zeros() -> None:
    x = Tensor([[0.0, 2.0, 3.0], [0.0, 2.0, 0.0], [1.0, 2.0, 3.0]], requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad is not None
    # d/dx_i prod(x) = product of the others: one zero leaves only its own slot nonzero, two zeros none.
    np.testing.assert_array_equal(x.grad.numpy(), [[6, 0, 0], [0, 0, 0], [6, 3, 2]])


def test_cumprod_gradient_is_exact_with_zeros() -> None:
    x = Tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    x.cumprod(0).sum().backward()  # out = [2, 0, 0, 0]
    assert x.grad is not None
    # d out_j / dx_1 = prod_{i<=j, i!=1} x_i: 2 + 2*3 + 2*3*4 = 32; the other slots only reach zero products.
    np.testing.assert_array_equal(x.grad.numpy(), [1, 32, 0, 0])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1000])
def test_prod_and_cumprod_build_logarithmic_graphs(n: int) -> None:
    x = Tensor(np.linspace(0.95, 1.05, n, dtype=np.float32), requires_grad=True)
    for result, expected in [(x.prod(), np.prod(x.numpy())), (x.cumprod(0), np.cumprod(x.numpy()))]:
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-5)
        multiplications = sum(node._ctx is not None and node._ctx.name == "Mul" for node in topological_order([result]))
        assert multiplications <= math.ceil(math.log2(n)) + 1


def test_prod_and_sum_of_nothing() -> None:
    empty = Tensor.zeros(2, 0)
    np.testing.assert_array_equal(empty.prod(1).numpy(), [1, 1])
    np.testing.assert_array_equal(empty.sum(1).numpy(), [0, 0])
    assert empty.prod().item() == 1
    assert bool(empty.all()) and not bool(empty.any())
    assert math.isnan(empty.mean().item())


def test_min_of_integer_extremes_does_not_overflow() -> None:
    low, high = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    assert tensor(np.array([low, 0, high])).min().item() == low
    assert tensor(np.array([low, 0, high])).max().item() == high
    assert tensor(np.array([0, 1, 255], dtype=np.uint8)).min().item() == 0
    assert tensor(np.array([3, -128, 127], dtype=np.int32)).min().dtype is dtypes.int32


def test_argmax_picks_the_first_nan_and_the_first_tie() -> None:
    x = Tensor([1.0, math.nan, 3.0, math.nan])
    assert x.argmax().item() == 1 and x.argmin().item() == 1
    ties = tensor([[1, 5, 5], [7, 7, 0]])
    np.testing.assert_array_equal(ties.argmax(1).numpy(), [1, 0])
    np.testing.assert_array_equal(ties.argmin(0).numpy(), [0, 0, 1])
    assert ties.argmax().dtype is dtypes.int64


def test_argmax_of_an_empty_axis_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"argmin: dim 1 of the tensor of shape \(2, 0\) has size 0"):
        Tensor.zeros(2, 0).argmin(1)


def test_argmax_records_no_graph() -> None:
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    index = x.argmax(1)
    assert not index.requires_grad and index.grad_fn is None


def test_logsumexp_and_softmax_at_infinities() -> None:
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer; whether NumPy warns is the backend's choice
        x = Tensor([[-math.inf, -math.inf], [math.inf, 0.0], [1000.0, 1000.0]])
        np.testing.assert_allclose(x.logsumexp(1).numpy(), [-math.inf, math.inf, 1000 + math.log(2)], rtol=1e-7)
    np.testing.assert_allclose(Tensor([1000.0, 0.0, -1000.0]).softmax(0).numpy(), [1, 0, 0])
    np.testing.assert_allclose(Tensor([-1000.0, 0.0]).log_softmax(-1).numpy(), [-1000, 0])


def test_softmax_of_integers_is_float32() -> None:
    probabilities = tensor([1, 2, 3]).softmax(0)
    assert probabilities.dtype is dtypes.float32
    assert probabilities.sum().item() == pytest.approx(1.0)


def test_var_of_integers_and_default_correction() -> None:
    x = tensor([1, 2, 3, 4])
    assert x.var().dtype is dtypes.float32
    assert x.var().item() == pytest.approx(np.var([1, 2, 3, 4], ddof=1))
    assert x.std(correction=0).item() == pytest.approx(np.std([1, 2, 3, 4]))


def test_reductions_of_a_0d_tensor() -> None:
    x = tensor(2.5)
    for op in ["sum", "prod", "mean", "amax", "amin", "logsumexp", "cumsum", "cumprod"]:
        assert getattr(x, op)(0).shape == ()
    assert x.argmax(0).item() == 0 and x.softmax(0).item() == 1.0


def test_any_and_all_accept_numbers() -> None:
    x = Tensor([[0.0, math.nan], [0.0, 0.0]])
    np.testing.assert_array_equal(x.any(1).numpy(), [True, False])
    np.testing.assert_array_equal(tensor([1, 2, 0]).all().numpy(), False)


def test_cumsum_and_cumprod_return_new_tensors() -> None:
    x = Tensor([[3.0]])
    assert x.cumprod(0) is not x and x.cumsum(1) is not x


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "var", "std", "any", "all"])
def test_an_empty_dim_tuple_reads_as_torch_does(op: str) -> None:
    # torch's sum(()) reduces every dim, its any(()) and all(()) none: edugrad gave the input back for all
    values = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    if op in ("any", "all"):
        values = values > 2
    expected = getattr(torch.from_numpy(values), op)(())
    got = getattr(Tensor(values) if values.dtype != bool else tensor(values), op)(())
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
