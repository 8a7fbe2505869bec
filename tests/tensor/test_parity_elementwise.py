"""Parity of the elementwise math and activations with PyTorch: value, dtype and input gradients."""

from operator import methodcaller

import pytest
import torch
import torch.nn.functional as F
from parity import Case, check_parity

SHAPES = [[(3, 4)], [()]]


def unary(name, ours, theirs, low=-2.0, high=2.0, **options):
    """One case per shape in SHAPES (a matrix and a 0-d tensor)."""
    return [Case(f"{name} {shapes[0]}", ours, theirs, shapes, low=low, high=high, **options) for shapes in SHAPES]


CASES = [
    *unary("neg", lambda x: x.neg(), torch.neg),
    *unary("abs", lambda x: x.abs(), torch.abs),
    *unary("sign", lambda x: x.sign(), torch.sign),
    *unary("exp", lambda x: x.exp(), torch.exp),
    *unary("exp2", lambda x: x.exp2(), torch.exp2),
    *unary("log", lambda x: x.log(), torch.log, low=0.1),
    *unary("log2", lambda x: x.log2(), torch.log2, low=0.1),
    *unary("sqrt", lambda x: x.sqrt(), torch.sqrt, low=0.1),
    *unary("rsqrt", lambda x: x.rsqrt(), torch.rsqrt, low=0.2),
    *unary("square", lambda x: x.square(), torch.square),
    *unary("reciprocal", lambda x: x.reciprocal(), torch.reciprocal, low=0.3),
    *unary("sin", lambda x: x.sin(), torch.sin, low=-4, high=4),
    *unary("cos", lambda x: x.cos(), torch.cos, low=-4, high=4),
    *unary("tan", lambda x: x.tan(), torch.tan, low=-1.2, high=1.2),
    *unary("tanh", lambda x: x.tanh(), torch.tanh),
    *unary("sigmoid", lambda x: x.sigmoid(), torch.sigmoid, low=-30, high=30),
    *unary("erf", lambda x: x.erf(), torch.erf, low=-3, high=3, atol=3e-6),
    *unary("relu", lambda x: x.relu(), torch.relu),
    *unary("leaky_relu", lambda x: x.leaky_relu(), F.leaky_relu),
    *unary("leaky_relu 0.2", lambda x: x.leaky_relu(0.2), lambda x: F.leaky_relu(x, 0.2)),
    *unary("elu", lambda x: x.elu(), F.elu, low=-5, high=100),
    *unary("elu alpha", lambda x: x.elu(alpha=0.5), lambda x: F.elu(x, alpha=0.5)),
    *unary("gelu", lambda x: x.gelu(), F.gelu, low=-5, high=5, atol=3e-6),
    *unary("gelu tanh", lambda x: x.gelu(approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"), low=-5,
           high=5),
    *unary("silu", lambda x: x.silu(), F.silu, low=-20, high=20),
    *unary("swish", lambda x: x.swish(), F.silu),
    *unary("softplus", lambda x: x.softplus(), F.softplus, low=-30, high=30),
    *unary("softplus beta threshold", lambda x: x.softplus(beta=2, threshold=5),
           lambda x: F.softplus(x, beta=2, threshold=5), low=-5, high=5),
    *unary("softplus large", lambda x: x.softplus(), F.softplus, low=50, high=200),
    *unary("mish", lambda x: x.mish(), F.mish, low=-10, high=10),
    *unary("hardtanh", lambda x: x.hardtanh(), F.hardtanh),
    *unary("hardtanh limits", lambda x: x.hardtanh(-0.5, 1.5), lambda x: F.hardtanh(x, -0.5, 1.5)),
    *unary("clamp", lambda x: x.clamp(-0.5, 1.0), lambda x: x.clamp(-0.5, 1.0)),
    *unary("clamp min", lambda x: x.clamp(min=0.25), lambda x: x.clamp(min=0.25)),
    *unary("clip max", lambda x: x.clip(max=0.0), lambda x: x.clip(max=0.0)),
    *unary("trunc", lambda x: x.trunc(), torch.trunc, low=-5, high=5),
    *unary("floor", lambda x: x.floor(), torch.floor, low=-5, high=5),
    *unary("ceil", lambda x: x.ceil(), torch.ceil, low=-5, high=5),
    *unary("round", lambda x: x.round(), torch.round, low=-5, high=5),
    *unary("round decimals", lambda x: x.round(decimals=2), lambda x: torch.round(x, decimals=2), atol=1e-6),
    *unary("isnan", lambda x: x.isnan(), torch.isnan),
    *unary("isinf", lambda x: x.isinf(), torch.isinf),
    *unary("isfinite", lambda x: x.isfinite(), torch.isfinite),
    Case("clamp tensor bounds", lambda x, lo, hi: x.clamp(lo, hi), lambda x, lo, hi: x.clamp(lo, hi),
         [(3, 4), (4,), (3, 1)]),
    Case("clamp min above max", lambda x: x.clamp(1.0, -1.0), lambda x: x.clamp(1.0, -1.0), [(5,)]),
    Case("gelu float64", lambda x: x.gelu(), F.gelu, [(50,)], dtype="float64", low=-6, high=6, atol=1e-6),
    Case("erf float64", lambda x: x.erf(), torch.erf, [(50,)], dtype="float64", low=-6, high=6, atol=1e-6),
    Case("sigmoid float64", lambda x: x.sigmoid(), torch.sigmoid, [(20,)], dtype="float64", low=-40, high=40,
         rtol=1e-12, atol=0, grad=False),  # (the gradient is more accurate than torch's: see test_elementwise)
    Case("tanh float16", lambda x: x.tanh(), torch.tanh, [(8,)], dtype="float16", atol=2e-3, rtol=2e-3),
    # Integer inputs: float math promotes to float32; abs, sign, square and rounding keep the integer dtype.
    *[Case(f"{name} int64", methodcaller(name), fn, [(6,)], dtype="int64", low=1, high=9) for name, fn in [
        ("exp", torch.exp), ("log", torch.log), ("sqrt", torch.sqrt), ("sigmoid", torch.sigmoid),
        ("sin", torch.sin), ("tanh", torch.tanh), ("reciprocal", torch.reciprocal), ("rsqrt", torch.rsqrt),
        ("erf", torch.erf), ("log2", torch.log2), ("exp2", torch.exp2),
    ]],
    *[Case(f"{name} int32", methodcaller(name), fn, [(6,)], dtype="int32", low=-9, high=9) for name, fn in [
        ("abs", torch.abs), ("sign", torch.sign), ("square", torch.square), ("floor", torch.floor),
        ("round", torch.round), ("relu", torch.relu), ("neg", torch.neg), ("isnan", torch.isnan),
    ]],
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parity(case: Case) -> None:
    check_parity(case)
