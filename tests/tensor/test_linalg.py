"""matmul, linear and einsum beyond the parity tables: the graphs they build (one GEMM, no broadcast
temporaries), NumPy left operands, and every error path."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from edugrad.data import DType
from edugrad.function import topological_order
from edugrad.tensor import Tensor, dtypes, tensor


def functions(out: Tensor) -> list[str]:
    return [node._ctx.name for node in topological_order([out]) if node._ctx is not None]


def test_nd_times_a_matrix_is_one_2d_gemm() -> None:
    x, w = Tensor.randn(4, 5, 3, requires_grad=True), Tensor.randn(3, 2, requires_grad=True)
    out = x @ w
    assert out.shape == (4, 5, 2)
    matmuls = [node._ctx for node in topological_order([out]) if node._ctx is not None and node._ctx.name == "MatMul"]
    assert len(matmuls) == 1 and [i.shape for i in matmuls[0].inputs] == [(20, 3), (3, 2)]
    out.sum().backward()
    assert w.grad is not None and w.grad.shape == (3, 2)


def test_einsum_contracts_with_matmul_not_a_broadcast_product() -> None:
    a, b = Tensor.randn(64, 32, requires_grad=True), Tensor.randn(32, 16, requires_grad=True)
    out = Tensor.einsum("ij,jk->ik", a, b)
    assert "MatMul" in functions(out) and "Mul" not in functions(out)
    np.testing.assert_allclose(out.numpy(), a.numpy() @ b.numpy(), rtol=1e-5, atol=1e-4)


def test_numpy_array_on_the_left_of_matmul() -> None:
    out = np.eye(2) @ tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(out, Tensor) and out.dtype is dtypes.float64
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [3, 4]])


def test_linear_uses_the_in_out_weight_layout() -> None:
    weight = np.arange(12, dtype=np.float32).reshape(3, 4)
    x, w, b = Tensor.ones(2, 3), Tensor(weight), Tensor([1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(x.linear(w, b).numpy(), np.ones((2, 3)) @ weight + b.numpy())


@pytest.mark.parametrize("x, y, message", [
    ((2, 3), (4, 5), r"matmul: cannot multiply shapes \(2, 3\) and \(4, 5\): the last axis of the first \(3\) must "
                     r"have the size of the second-to-last axis of the second \(4\)"),
    ((3,), (4,), r"matmul: cannot multiply shapes \(3,\) and \(4,\): .* the only axis of the second \(4\)"),
    ((), (3,), r"matmul: both operands need at least one axis, got shapes \(\) and \(3,\)"),
    ((2, 2, 3), (3, 3, 4), r"matmul: shapes \(2,\) and \(3,\) cannot be broadcast: axis -1 has sizes 2 and 3"),
])
def test_matmul_shape_errors(x: tuple[int, ...], y: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Tensor.ones(*x) @ Tensor.ones(*y)


@pytest.mark.parametrize("x_dtype, w_dtype", [(dtypes.int64, dtypes.float32), (dtypes.uint8, dtypes.float32),
                                              (dtypes.float64, dtypes.float32), (dtypes.float32, dtypes.float64),
                                              (dtypes.float16, dtypes.float32)])
def test_linear_does_not_promote_the_input_to_the_weight_dtype(x_dtype: DType, w_dtype: DType) -> None:
    # PyTorch raises here too ("mat1 and mat2 must have the same dtype").
    with pytest.raises(TypeError, match=rf"linear: input, weight and bias must have one dtype, got input "
                                        rf"{x_dtype.name}, weight {w_dtype.name}; cast the input with "
                                        rf"\.to\(dtypes\.{w_dtype.name}\)$"):
        Tensor.ones(2, 3, dtype=x_dtype).linear(Tensor.ones(3, 4, dtype=w_dtype))


def test_linear_does_not_promote_the_bias() -> None:
    with pytest.raises(TypeError, match=r"linear: .* got input float32, weight float32 and bias float64; cast the "
                                        r"bias with \.to\(dtypes\.float32\)$"):
        Tensor.ones(2, 3).linear(Tensor.ones(3, 4), Tensor.zeros(4, dtype=dtypes.float64))


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_linear_of_one_dtype_matches_torch(dtype: type) -> None:
    rng = np.random.default_rng(0)
    x, w, b = (rng.integers(-5, 5, shape).astype(dtype) for shape in [(2, 3), (3, 4), (4,)])
    out = tensor(x).linear(tensor(w), tensor(b))
    expected = F.linear(torch.tensor(x), torch.tensor(w).T, torch.tensor(b))
    assert out.dtype.name == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_linear_and_matmul_type_errors() -> None:
    with pytest.raises(ValueError, match=r"linear: cannot multiply shapes \(2, 3\) and \(2, 3\)"):
        Tensor.ones(2, 3).linear(Tensor.ones(2, 3))
    with pytest.raises(TypeError, match="matmul: not defined for bool tensors"):
        tensor([[True]]) @ tensor([[True]])
    with pytest.raises(TypeError, match="matmul: expected a Tensor, a Python number or an array"):
        Tensor.ones(2, 2) @ "x"


@pytest.mark.parametrize("formula, shapes, message", [
    ("ij,jk->ik", [(2, 3)], r"names 2 operand\(s\), but 1 tensor\(s\) were given"),
    ("ijk->i", [(2, 3)], "'ijk' in 'ijk->i' labels 3 axes, but its operand has 2"),
    ("i->i", [(2, 3)], "'i' in 'i->i' labels 1 axes, but its operand has 2"),
    ("i1->i", [(2, 3)], "may only contain letters and one '...'"),
    ("ij->k", [(2, 3)], "the output label 'k' of 'ij->k' names no axis"),
    ("ij->ii", [(2, 3)], "the output label 'i' occurs more than once"),
    ("ij,jk->ik", [(2, 3), (4, 5)], "label 'j' of 'ij,jk->ik' has sizes 3 and 4"),
    ("ii->i", [(2, 3)], "label 'i' of 'ii->i' has sizes 2 and 3"),
    ("ii->i", [(1, 3)], "the repeated label 'i' of 'ii->i' has sizes 1 and 3"),
])
def test_einsum_errors(formula: str, shapes: list[tuple[int, ...]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Tensor.einsum(formula, *[Tensor.ones(*s) for s in shapes])


def test_einsum_needs_an_operand() -> None:
    with pytest.raises(ValueError, match="einsum: expected at least one operand"):
        Tensor.einsum("->")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: Tensor.ones(2, 3).dot(Tensor.ones(3)), r"dot: expects two 1-d tensors, got shapes \(2, 3\) and \(3,\)"),
    (lambda: Tensor.ones(3).mm(Tensor.ones(3, 2)), r"mm: expects two matrices"),
    (lambda: Tensor.ones(2, 2, 3).bmm(Tensor.ones(3, 3, 2)), r"bmm: expects two 3-d tensors with the same first"),
    (lambda: Tensor.ones(2, 2).outer(Tensor.ones(2)), "outer: expects two 1-d tensors"),
    (lambda: Tensor.ones(2, 2).diagonal(0, 1, -1), "diagonal: dim1 and dim2 must be different dims"),
    (lambda: Tensor.ones(2, 2, 2).diag(), r"diag: expects a vector or a matrix, got shape \(2, 2, 2\)"),
    (lambda: Tensor.ones(3).trace(), r"trace: expects a matrix, got shape \(3,\)"),
    (lambda: Tensor.ones(3).tril(), r"tril: expects a matrix or a batch of matrices, got shape \(3,\)"),
    (lambda: Tensor.ones(3).triu(1), "triu: expects a matrix"),
])
def test_matrix_op_errors_name_the_op(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_dot_is_the_1d_dot_product_as_torch() -> None:
    a, b = np.array([1.0, -2.0, 3.0], dtype=np.float32), np.array([0.5, 0.25, 2.0], dtype=np.float32)
    out = Tensor(a).dot(Tensor(b))
    assert out.shape == () and out.item() == torch.tensor(a).dot(torch.tensor(b)).item()
