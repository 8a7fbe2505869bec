"""edugrad.tensor: the user-facing `Tensor` with a PyTorch-like API (the top computing layer of edugrad).

Every Tensor method is composed of the differentiable Functions of `edugrad.function`, which compute on the
`TensorData` of `edugrad.data`.
"""

from edugrad.data import DType, dtypes
from edugrad.function import enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from edugrad.tensor._tensor import Tensor  # first: it imports the topic modules in the order they need
# The ops: each function is also the Tensor method of its name, with the tensor as the first parameter, `input`.
from edugrad.tensor.binary import (
    add, allclose, bitwise_not, div, eq, equal, ge, gt, isclose, le, logical_and, logical_not, logical_or, logical_xor,
    lt, maximum, minimum, mul, ne, pow, rsub, sub, where,
)
from edugrad.tensor.categorical import multinomial
from edugrad.tensor.combine import cat, chunk, split, stack, unbind
from edugrad.tensor.elementwise import (
    abs, ceil, clamp, cos, erf, exp, exp2, floor, isfinite, isinf, isnan, log, log2, neg, reciprocal, relu, round,
    rsqrt, sigmoid, sign, sin, sqrt, square, tan, tanh, trunc,
)
from edugrad.tensor.elementwise import clamp as clip
from edugrad.tensor.indexing import gather, index_select, masked_fill, repeat_interleave, scatter, scatter_add
from edugrad.tensor.linalg import bmm, diag, diagonal, dot, einsum, matmul, mm, outer, trace, tril, triu
from edugrad.tensor.movement import (
    flatten, flip, movedim, narrow, permute, reshape, roll, squeeze, swapaxes, swapdims, t, transpose, unflatten,
    unsqueeze,
)
from edugrad.tensor.reduce import (
    all, amax, amin, any, argmax, argmin, cumprod, cumsum, log_softmax, logsumexp, max, mean, min, prod, softmax, std,
    sum, var,
)
from edugrad.tensor.sorting import argsort, sort, topk
from edugrad.tensor.modes import compile, inference_mode
from edugrad.tensor._tensor import is_floating_point, numel
from edugrad.tensor.devices import device
from edugrad.tensor.dtype_names import (
    bfloat16, bool, can_cast, double, dtype, finfo, float, float16, float32, float64, get_default_dtype, half, iinfo,
    int, int8, int16, int32, int64, long, promote_types, set_default_dtype, short, uint8,
)
from edugrad.tensor.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from edugrad.tensor.sampling import normal, rand, rand_like, randint, randint_like, randn, randn_like, randperm
# `tensor` is the function torch.tensor; the class lives in the module `_tensor` (as torch's does), so the
# function never hides a submodule of the same name.
from edugrad.tensor.creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, is_tensor, linspace, logspace, ones,
    ones_like, tensor, zeros, zeros_like,
)

__version__ = "0.1.0"

__all__ = ["DType", "Tensor", "cat", "dtypes", "enable_grad", "grad", "no_grad", "set_grad_enabled", "stack", "trace",
           "where"]

# grad modes and compile (the op tracer is `edugrad.tensor.tracing.trace`: `trace` here is torch's matrix trace)
__all__ += ["compile", "inference_mode", "is_grad_enabled"]

# dtypes by torch's names
__all__ += [
    "bfloat16", "bool", "can_cast", "double", "dtype", "finfo", "float", "float16", "float32", "float64",
    "get_default_dtype", "half", "iinfo", "int", "int8", "int16", "int32", "int64", "long", "promote_types",
    "set_default_dtype", "short", "uint8",
]

# creation, random streams and devices
__all__ += [
    "Generator", "arange", "as_tensor", "default_generator", "device", "empty", "empty_like", "eye", "from_numpy",
    "full", "full_like", "get_rng_state", "initial_seed", "is_floating_point", "is_tensor", "linspace", "logspace",
    "manual_seed", "normal", "numel", "ones", "ones_like", "rand", "rand_like", "randint", "randint_like", "randn",
    "randn_like", "randperm", "seed", "set_rng_state", "tensor", "zeros", "zeros_like",
]

# the ops (cat, stack, where and trace, torch's matrix trace, are in the first list)
__all__ += [
    "abs", "add", "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "argsort", "bitwise_not", "bmm", "ceil",
    "chunk", "clamp", "clip", "cos", "cumprod", "cumsum", "diag", "diagonal", "div", "dot", "einsum", "eq", "equal",
    "erf", "exp", "exp2", "flatten", "flip", "floor", "gather", "ge", "gt", "index_select", "isclose", "isfinite",
    "isinf", "isnan", "le", "log", "log2", "log_softmax", "logical_and", "logical_not", "logical_or", "logical_xor",
    "logsumexp", "lt", "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "movedim", "mul",
    "multinomial", "narrow", "ne", "neg", "outer", "permute", "pow", "prod", "reciprocal", "relu", "repeat_interleave",
    "reshape", "roll", "round", "rsqrt", "rsub", "scatter", "scatter_add", "sigmoid", "sign", "sin", "softmax", "sort",
    "split", "sqrt", "square", "squeeze", "std", "sub", "sum", "swapaxes", "swapdims", "t", "tan", "tanh", "topk",
    "transpose", "tril", "triu", "trunc", "unbind", "unflatten", "unsqueeze", "var",
]
