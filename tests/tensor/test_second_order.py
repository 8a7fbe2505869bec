"""Second derivatives of composed Tensor ops (reductions, activations, products) through create_graph=True,
against torch.autograd.grad: the compositions must be differentiable twice, not only once."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from edugrad.tensor import Tensor, grad, tensor

CASES = {
    "softmax": (lambda x: x.softmax(-1), lambda x: x.softmax(-1)),
    "log_softmax": (lambda x: x.log_softmax(0), lambda x: x.log_softmax(0)),
    "logsumexp": (lambda x: x.logsumexp(1, keepdim=True), lambda x: x.logsumexp(1, keepdim=True)),
    "tanh": (lambda x: x.tanh(), torch.tanh),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid),
    "gelu tanh": (lambda x: x.gelu(approximate="tanh"), lambda x: F.gelu(x, approximate="tanh")),
    "mish": (lambda x: x.mish(), F.mish),
    "softplus": (lambda x: x.softplus(), F.softplus),
    "silu": (lambda x: x.silu(), F.silu),
    "elu": (lambda x: x.elu(), F.elu),
    "var": (lambda x: x.var(1), lambda x: x.var(1)),
    "std": (lambda x: x.std(0), lambda x: x.std(0)),
    "prod": (lambda x: x.prod(1), lambda x: x.prod(1)),
    "cumprod": (lambda x: x.cumprod(1), lambda x: x.cumprod(1)),
    "x ** 3": (lambda x: x ** 3, lambda x: x ** 3),
    "x ** 2.5": (lambda x: (x * x + 1) ** 2.5, lambda x: (x * x + 1) ** 2.5),
    "x ** y": (lambda x: (x * x + 1) ** x, lambda x: (x * x + 1) ** x),
    "matmul with itself": (lambda x: x @ x.T, lambda x: x @ x.T),
    "einsum": (lambda x: Tensor.einsum("ij,kj->ik", x, x), lambda x: torch.einsum("ij,kj->ik", x, x)),
    "tan": (lambda x: x.tan(), torch.tan),
}


@pytest.mark.parametrize("name", CASES)
def test_second_derivative_matches_torch(name: str) -> None:
    ours, theirs = CASES[name]
    rng = np.random.default_rng(0)
    values, u = rng.uniform(-1.5, 1.5, (2, 3, 4))
    x, t = tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, expected = ours(x), theirs(t)
    w = rng.uniform(-1, 1, out.shape)  # random weights make every output element count differently

    (g,) = grad((out * tensor(w)).sum(), x, create_graph=True)
    (g * tensor(u)).sum().backward()
    (tg,) = torch.autograd.grad((expected * torch.tensor(w)).sum(), t, create_graph=True)
    (th,) = torch.autograd.grad((tg * torch.tensor(u)).sum(), t)

    np.testing.assert_allclose(g.numpy(), tg.detach().numpy(), rtol=1e-7, atol=1e-9)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), th.numpy(), rtol=1e-7, atol=1e-9)
