"""Gradient checking: compare what backward computes with finite differences of forward.

Function layer (`edugrad.function`). A backward is hand-written calculus, and a wrong sign or a missing factor
still gives numbers of the right shape. `gradcheck` catches that: for every element x_j of every input that
requires grad it compares the analytic derivative (from the engine, so from backward) with the numeric one

    (f(x + eps e_j) - f(x - eps e_j)) / (2 eps),    a central difference, whose error shrinks like eps^2.

Both are taken of the scalar f = sum(v * output) for a fixed random v, so outputs of any shape are covered:
v plays the part of the gradient that flows into the output. The inputs must be float64, because the
rounding error of f(x +- eps) divided by eps (about 1e-7 / eps in float32) would swamp the comparison.
`gradgradcheck` runs the same test on the first derivative, and `check_function` adds the rules a
hand-written Function most often breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from edugrad.data import DType, TensorData, dtypes
from edugrad.function.elementwise import Cast
from edugrad.function.engine import grad
from edugrad.function.function import Function, call_backward
from edugrad.function.grad_mode import enable_grad, no_grad
from edugrad.function.node import Node, ValuesGone

Outputs = Node | Sequence[Node]
NDArray = np.ndarray[Any, Any]

# The defaults: a step of 1e-6 in float64 leaves a truncation error near 1e-12 and a rounding error near 1e-10.
EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3


class GradcheckError(RuntimeError):
    """A backward that disagrees with finite differences, or a Function that breaks the rules of the engine."""


def gradcheck(fn: Callable[..., Outputs], inputs: Sequence[Node], eps: float = EPS, atol: float = ATOL,
              rtol: float = RTOL, raise_exception: bool = True) -> bool:
    """True if the gradients of `fn(*inputs)` (a node or a tuple of nodes) match central differences with
    respect to every input that requires grad: |analytic - numeric| <= atol + rtol * |numeric| everywhere.
    Otherwise raise a GradcheckError naming the input and element that disagree, or return False when
    `raise_exception` is False."""
    inputs = list(inputs)
    return _check(fn, inputs, _labels(inputs), _describe(fn), eps, atol, rtol, raise_exception)


def gradgradcheck(fn: Callable[..., Outputs], inputs: Sequence[Node], eps: float = EPS, atol: float = ATOL,
                  rtol: float = RTOL, raise_exception: bool = True) -> bool:
    """gradcheck of the first derivative, i.e. of the backward pass itself recorded with create_graph=True.
    The first derivative is a function of the inputs and of the gradient v flowing into each output,
    (x, v) -> d sum(v * fn(x)) / dx; both are checked, so a backward whose own backward is wrong is caught."""
    inputs = list(inputs)
    name = _describe(fn)
    _expect_float64_leaves(name, inputs, _labels(inputs))
    with enable_grad():
        outputs = _as_tuple(fn(*inputs), name)
    rng = np.random.default_rng(1)
    seeds = [_leaf_like(x, rng.standard_normal(x.shape), dtypes.float64) for x in outputs if x.requires_grad]
    count = len(inputs)

    def first_derivative(*args: Node) -> tuple[Node, ...]:
        xs, vs = args[:count], args[count:]
        ys = [y for y in _as_tuple(fn(*xs), name) if y.requires_grad]
        if not ys:
            return ()
        vs = tuple(v if v.dtype is y.dtype else Cast.apply(v, dtype=y.dtype) for v, y in zip(vs, ys))
        wrt = [x for x in xs if x.requires_grad]
        grads = grad(ys, wrt, grad_outputs=list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)  # None: that input does not affect the outputs

    labels = _labels(inputs) + [f"grad_output {k}" for k in range(len(seeds))]
    return _check(first_derivative, inputs + seeds, labels, f"the derivative of {name}", eps, atol, rtol,
                  raise_exception)


def check_function(function: type[Function], *inputs: Node, **kwargs: Any) -> bool:
    """Check a hand-written Function on `inputs` (float64 nodes; `kwargs` go to forward): forward returns
    TensorData; it hands backward tensors only through `save_for_backward` (no TensorData or node in another
    attribute); backward reads the values of no input it did not save (it runs with those inputs' values made
    unavailable) and returns one gradient per input (a single one for a single input) with that input's shape
    and dtype (None only for an input that needs no gradient); neither changes its inputs; and the gradients
    pass gradcheck. Returns True or raises a GradcheckError that says what to fix."""
    name = function.__name__
    before = [x._data.numpy() for x in inputs]
    with enable_grad():
        out_data = function().forward(*[x._data for x in inputs], **kwargs)
        if not isinstance(out_data, TensorData):
            raise GradcheckError(f"{name}.forward returned {type(out_data).__name__}; it must return a TensorData, "
                                 "computed with the ops of edugrad.data (x.unary, x.binary, x.reduce, ...)")
        _expect_unchanged(name, "forward", inputs, before)
        out = function.apply(*inputs, **kwargs)
        if out._ctx is None:
            return True  # not recorded (nothing requires grad, or the Function is not differentiable)
        _expect_tensors_saved(out._ctx, name)
        _check_backward_result(out._ctx, inputs, name)
        _expect_unchanged(name, "backward", inputs, before)
    return _check(partial(function.apply, **kwargs), list(inputs), _labels(inputs), name, EPS, ATOL, RTOL, True)


def _check(fn: Callable[..., Outputs], inputs: list[Node], labels: list[str], name: str, eps: float,
           atol: float, rtol: float, raise_exception: bool) -> bool:
    _expect_float64_leaves(name, inputs, labels)
    with enable_grad():
        outputs = _as_tuple(fn(*inputs), name)
        probes = _probe_vectors(outputs)
        analytic = _analytic_gradients(outputs, probes, inputs)
        for i, x in enumerate(inputs):
            if not x.requires_grad:
                continue
            numeric = _numeric_gradient(fn, inputs, i, probes, eps, name)
            failure = _worst_mismatch(analytic[i], numeric, atol, rtol)
            if failure is None:
                continue
            if raise_exception:
                raise GradcheckError(_explain(name, labels[i], failure, eps, atol, rtol))
            return False
    return True


def _labels(inputs: Sequence[Node]) -> list[str]:
    return [f"input {i}" for i in range(len(inputs))]


def _expect_float64_leaves(name: str, inputs: list[Node], labels: list[str]) -> None:
    for x, label in zip(inputs, labels):
        if not isinstance(x, Node):
            raise TypeError(f"gradcheck of {name}: {label} is a {type(x).__name__}; pass nodes (Tensors)")
        if x.requires_grad and x.dtype is not dtypes.float64:
            raise TypeError(
                f"gradcheck of {name}: {label} requires grad but has dtype {x.dtype.name}; finite differences "
                "need float64 (in float32 the rounding error, about 1e-7 / eps, is larger than the tolerance), "
                "so build it from a float64 array"
            )
    if not any(x.requires_grad for x in inputs):
        raise ValueError(f"gradcheck of {name}: no input requires grad, so there is nothing to check")


def _as_tuple(result: Outputs, name: str) -> tuple[Node, ...]:
    if isinstance(result, Node):
        return (result,)
    if isinstance(result, (tuple, list)) and all(isinstance(y, Node) for y in result):
        return tuple(result)
    raise TypeError(f"gradcheck of {name}: the function must return a node or a tuple of nodes, "
                    f"got {type(result).__name__}")


def _probe_vectors(outputs: tuple[Node, ...]) -> list[NDArray | None]:
    """The fixed random v for each floating-point output (None for bool and integer ones, which have no
    derivative). A fixed seed makes every evaluation of f, and every failure message, reproducible."""
    rng = np.random.default_rng(0)
    return [np.asarray(rng.standard_normal(y.shape)) if y.dtype.is_floating_point else None for y in outputs]


def _scalar(outputs: tuple[Node, ...], probes: list[NDArray | None]) -> float:
    """f = sum(v * output) over the outputs, in float64."""
    return sum(float(np.sum(y._data.numpy().astype(np.float64) * v)) for y, v in zip(outputs, probes)
               if v is not None)


def _analytic_gradients(outputs: tuple[Node, ...], probes: list[NDArray | None],
                        inputs: list[Node]) -> dict[int, NDArray]:
    """df/dx for each input that requires grad (by position), from the engine: the v are fed in as
    grad_outputs. An output that does not require grad contributes zero, which the numeric side must confirm."""
    recorded = [(y, v) for y, v in zip(outputs, probes) if v is not None and y.requires_grad]
    wrt = [i for i, x in enumerate(inputs) if x.requires_grad]
    found: list[Node | None] = [None] * len(wrt)
    if recorded:
        seeds = [_leaf_like(y, v, y.dtype, requires_grad=False) for y, v in recorded]
        found = list(grad([y for y, _ in recorded], [inputs[i] for i in wrt], grad_outputs=seeds,
                          allow_unused=True))
    return {i: np.zeros(inputs[i].shape) if g is None else g._data.numpy().astype(np.float64)
            for i, g in zip(wrt, found)}


def _numeric_gradient(fn: Callable[..., Outputs], inputs: list[Node], i: int, probes: list[NDArray | None],
                      eps: float, name: str) -> NDArray:
    """df/dx_j for every element j of input i, by central differences."""
    x = inputs[i]
    base = x._data.numpy()
    numeric = np.zeros(x.shape)

    def f(shift: float, j: tuple[int, ...]) -> float:
        moved = base.copy()
        moved[j] += shift
        args = list(inputs)
        args[i] = _leaf_like(x, moved, x.dtype)
        return _scalar(_as_tuple(fn(*args), name), probes)

    for j in np.ndindex(x.shape):
        numeric[j] = (f(eps, j) - f(-eps, j)) / (2 * eps)
    return numeric


def _worst_mismatch(analytic: NDArray, numeric: NDArray, atol: float,
                    rtol: float) -> tuple[tuple[int, ...], float, float, int, int] | None:
    """The element that exceeds atol + rtol * |numeric| by most (NaN counts as the worst), with its analytic
    and numeric values, how many elements fail and of how many; None if all pass."""
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(excess), np.inf, excess)
    failing = int(np.count_nonzero(excess > 0))
    if failing == 0:
        return None
    j = tuple(int(k) for k in np.unravel_index(np.argmax(excess), excess.shape))
    return j, float(analytic[j]), float(numeric[j]), failing, excess.size


def _explain(name: str, label: str, failure: tuple[tuple[int, ...], float, float, int, int], eps: float,
             atol: float, rtol: float) -> str:
    j, analytic, numeric, failing, size = failure
    return (
        f"gradcheck failed for {name}: {label}, element {j}\n"
        f"    analytic derivative (from backward): {analytic!r}\n"
        f"    numeric derivative (central difference, eps={eps:g}): {numeric!r}\n"
        f"    error {abs(analytic - numeric):.6g} > atol + rtol * |numeric| = {atol + rtol * abs(numeric):.6g}\n"
        f"({failing} of {size} elements of this input disagree; the derivatives are of sum(v * output) for a "
        "fixed random v, i.e. backward was given v as the gradient of the output)"
    )


# What a recorded Function holds for the engine; any other attribute is forward's own, for backward.
_ENGINE_FIELDS = {"inputs", "needs_input_grad", "_saved", "_saved_versions", "_freed", "_output", "_output_version"}


def _expect_tensors_saved(ctx: Function, name: str) -> None:
    """A tensor kept in a plain attribute escapes the version check and is never freed: refuse it."""
    for attribute, value in vars(ctx).items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if attribute not in _ENGINE_FIELDS and any(isinstance(v, (TensorData, Node)) for v in values):
            raise GradcheckError(
                f"{name}.forward keeps a tensor in the attribute {attribute!r}; pass the TensorData backward "
                "needs to self.save_for_backward(...) and read it back as self.saved_tensors (only saved tensors "
                "are checked for in-place changes and freed after backward); plain attributes are for "
                "non-tensor values such as shapes and axes"
            )


def _check_backward_result(ctx: Function, inputs: Sequence[Node], name: str) -> None:
    """Call backward once, as the engine does, with the values of every input forward did not save made
    unavailable, and check the form of what it returns."""
    out = ctx.output
    v = _leaf_like(out, np.random.default_rng(0).standard_normal(out.shape), out.dtype, requires_grad=False)
    recorded = ctx.inputs
    ctx.inputs = tuple([_unsaved(ctx, x, i, name) for i, x in enumerate(recorded)])
    try:
        with no_grad():
            grads = call_backward(ctx, v)
    finally:
        ctx.inputs = recorded
    if len(grads) != len(inputs):
        raise GradcheckError(f"{name}.backward returned {len(grads)} gradient(s) for {len(inputs)} input(s); "
                             "return one per input of forward, in order (None for an input that needs none), or "
                             "a single gradient when forward takes a single input")
    for i, (x, dx) in enumerate(zip(inputs, grads)):
        if dx is None:
            if x.requires_grad:
                raise GradcheckError(f"{name}.backward returned None for input {i}, which requires grad; return "
                                     "its gradient (constant_like(x, 0.0) if the derivative is zero)")
            continue
        if not isinstance(dx, Node):
            raise GradcheckError(f"{name}.backward returned {type(dx).__name__} for input {i}; a gradient must be "
                                 "a node, built from other Functions' apply (e.g. Mul.apply(g, ...))")
        if dx.shape != x.shape or dx.dtype is not x.dtype:
            raise GradcheckError(f"{name}.backward returned a gradient of shape {dx.shape} and dtype "
                                 f"{dx.dtype.name} for input {i}, which has shape {x.shape} and dtype "
                                 f"{x.dtype.name}; a gradient must match its input")


class _Unsaved(ValuesGone):
    error = GradcheckError


def _unsaved(ctx: Function, x: Node, i: int, name: str) -> Node:
    """x itself if forward saved its TensorData, else a stand-in with its shape and dtype but no values."""
    if any(x._data is data for data in ctx._saved):
        return x
    gone = _Unsaved(x._data.shape, x._data.dtype, f"{name}.backward read the values of input {i}, which forward "
                    "did not save: pass it to self.save_for_backward in forward and read it from "
                    "self.saved_tensors in backward")
    stand_in = type(x)._wrap(gone, x._ctx)  # type: ignore[arg-type]
    stand_in.requires_grad = x.requires_grad
    return stand_in


def _expect_unchanged(name: str, phase: str, inputs: Sequence[Node], before: list[NDArray]) -> None:
    for i, (x, old) in enumerate(zip(inputs, before)):
        now = x._data.numpy()
        if now.shape != old.shape or not np.array_equal(now, old, equal_nan=old.dtype.kind == "f"):
            raise GradcheckError(f"{name}.{phase} changed input {i} in place; Functions must not modify their "
                                 "inputs (the TensorData ops return new values: use those, never write into "
                                 ".array)")


def _leaf_like(like: Node, values: NDArray, dtype: DType, requires_grad: bool = True) -> Node:
    """A new leaf of `like`'s class and backend holding `values`."""
    data = TensorData.from_numpy(values, dtype=dtype, backend=like._data.backend.name)
    return type(like)._wrap(data).requires_grad_(requires_grad and dtype.is_floating_point)


def _describe(fn: Callable[..., Any]) -> str:
    """A readable name for fn: `Mul.apply` for a Function's apply, `Sum.apply(axes=1)` for a partial of one,
    else its qualified name."""
    if isinstance(fn, partial):
        arguments = [repr(a) for a in fn.args] + [f"{k}={v!r}" for k, v in fn.keywords.items()]
        return f"{_describe(fn.func)}({', '.join(arguments)})"
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type):
        return f"{owner.__name__}.{getattr(fn, '__name__', 'apply')}"
    return str(getattr(fn, "__qualname__", repr(fn)))
