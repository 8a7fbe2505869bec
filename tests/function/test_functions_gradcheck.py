"""Every differentiable Function against finite differences: gradcheck on several shapes (0-d included), and
gradgradcheck wherever the Function is twice differentiable at the test point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pytest
from function_helpers import const, leaf, numpy_of, on_backend, randn
from hypothesis import given, settings
from hypothesis import strategies as st

import edugrad.function as F
from edugrad.data import UnaryOps, dtypes, get_backend
from edugrad.function import Function, Node, check_function, gradcheck, gradgradcheck


@dataclass
class Case:
    name: str
    function: type[Function]
    fn: Callable[..., Node]
    inputs: Callable[[], list[Node]]
    twice: bool = True  # False where the test point sits on a kink (ties of max), where f'' does not exist
    tolerances: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def apply(function: type[Function], **kwargs: Any) -> Callable[..., Node]:
    return partial(function.apply, **kwargs)  # a partial, so gradcheck's messages read `Sum.apply(axes=1)`


SHAPES = [(), (3,), (2, 3)]

# Each unary Function with a domain where it is smooth and well conditioned.
UNARY: list[tuple[type[Function], float, float]] = [
    (F.Neg, -2, 2), (F.Exp, -2, 2), (F.Log, 0.5, 3), (F.Sin, -3, 3), (F.Cos, -3, 3), (F.Tanh, -2, 2),
    (F.Sqrt, 0.5, 3), (F.Reciprocal, 0.5, 2), (F.Relu, -2, 2),
    (F.Sigmoid, -4, 4),
]
BINARY: list[tuple[type[Function], tuple[float, float], tuple[float, float]]] = [
    (F.Add, (-2, 2), (-2, 2)), (F.Sub, (-2, 2), (-2, 2)), (F.Mul, (-2, 2), (-2, 2)), (F.Div, (-2, 2), (0.5, 2)),
    (F.Maximum, (-2, 2), (-2, 2)), (F.Pow, (0.5, 2), (-1.5, 1.5)),  # Pow: positive bases, both need grad
]
ROUNDING = [UnaryOps.FLOOR, UnaryOps.CEIL, UnaryOps.ROUND, UnaryOps.TRUNC]


def elementwise_cases() -> list[Case]:
    cases = []
    for shape in SHAPES:
        for function, low, high in UNARY:
            cases.append(Case(f"{function.__name__}{shape}", function, function.apply,
                              lambda s=shape, lo=low, hi=high: [randn(*s, low=lo, high=hi)]))
        for function, (xlo, xhi), (ylo, yhi) in BINARY:
            cases.append(Case(f"{function.__name__}{shape}", function, function.apply,
                              lambda s=shape, a=(xlo, xhi), b=(ylo, yhi): [randn(*s, low=a[0], high=a[1]),
                                                                            randn(*s, seed=1, low=b[0], high=b[1])]))
        for op in ROUNDING:
            cases.append(Case(f"Rounding.{op.name}{shape}", F.Rounding, apply(F.Rounding, op=op),
                              lambda s=shape: [randn(*s, low=-3, high=3)]))
        cases.append(Case(f"Where{shape}", F.Where, F.Where.apply,
                          lambda s=shape: [const(np.arange(int(np.prod(s))).reshape(s) % 2 == 0), randn(*s),
                                           randn(*s, seed=1)]))
    return cases + [
        Case("Mul with a constant", F.Mul, F.Mul.apply, lambda: [randn(2, 3), const(np.full((2, 3), 3.0))]),
        Case("Pow negative base, integer exponent", F.Pow, F.Pow.apply,
             lambda: [randn(4, low=-2, high=-0.5), const([2.0, 3.0, -1.0, 4.0])]),
        Case("Maximum ties", F.Maximum, F.Maximum.apply, lambda: [leaf([1.0, 2.0, 3.0]), leaf([1.0, 0.0, 3.0])],
             twice=False),
        # float32 keeps about 7 digits, so the round trip needs a larger step (its error is ~1e-7 / eps).
        Case("Cast float64 -> float32 -> float64", F.Cast,
             lambda x: F.Cast.apply(F.Cast.apply(x, dtype=dtypes.float32), dtype=dtypes.float64),
             lambda: [randn(2, 3)], tolerances={"eps": 1e-3, "atol": 1e-4}),
        Case("Cast float64 -> float32", F.Cast, apply(F.Cast, dtype=dtypes.float32), lambda: [randn(4)],
             tolerances={"eps": 1e-3, "atol": 1e-4}),
        Case("Move to the NumPy backend and back", F.Move,
             lambda x: F.Move.apply(F.Move.apply(x, backend=get_backend("numpy")), backend=x._data.backend),
             lambda: [randn(2, 3)]),
    ]


def reduce_cases() -> list[Case]:
    sums = [((), None, False), ((4,), 0, False), ((2, 3, 4), None, False), ((2, 3, 4), (0, 2), False),
            ((2, 3, 4), -1, True)]
    maxes = [((), None, False), ((5,), None, False), ((2, 3, 4), 1, False), ((2, 3, 4), (0, 2), True)]
    scans = [((), 0), ((5,), 0), ((2, 3), 1), ((2, 3, 2), -3)]
    return (
        [Case(f"Sum{s} axes={a} keepdim={k}", F.Sum, apply(F.Sum, axes=a, keepdim=k), lambda s=s: [randn(*s)])
         for s, a, k in sums]
        + [Case(f"Max{s} axes={a} keepdim={k}", F.Max, apply(F.Max, axes=a, keepdim=k), lambda s=s: [randn(*s)])
           for s, a, k in maxes]
        + [Case(f"CumSum{s} axis={a}", F.CumSum, apply(F.CumSum, axis=a), lambda s=s: [randn(*s)])
           for s, a in scans]
        + [Case(f"LogSoftmax{s} axis={a}", F.LogSoftmax, apply(F.LogSoftmax, axis=a), lambda s=s: [randn(*s)])
           for s, a in [((), 0), ((5,), 0), ((2, 3, 4), 1), ((3, 4), -1)]]
        # Two-way ties only: a central difference of max over k tied elements gives 1/2, torch's share is 1/k.
        + [Case("Max ties", F.Max, apply(F.Max, axes=1),
                lambda: [leaf([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])], twice=False)]
    )


def movement_cases() -> list[Case]:
    return [
        Case("Reshape (2, 3) -> (3, 2)", F.Reshape, apply(F.Reshape, shape=(3, 2)), lambda: [randn(2, 3)]),
        Case("Reshape (6,) -> (1, 2, 3)", F.Reshape, apply(F.Reshape, shape=(1, 2, 3)), lambda: [randn(6)]),
        Case("Reshape () -> (1, 1)", F.Reshape, apply(F.Reshape, shape=(1, 1)), lambda: [randn()]),
        Case("Permute (2, 0, 1)", F.Permute, apply(F.Permute, order=(2, 0, 1)), lambda: [randn(2, 3, 4)]),
        Case("Permute (-1, 0)", F.Permute, apply(F.Permute, order=(-1, 0)), lambda: [randn(2, 3)]),
        Case("Permute 0-d", F.Permute, apply(F.Permute, order=()), lambda: [randn()]),
        Case("Expand (1, 3) -> (4, 3)", F.Expand, apply(F.Expand, shape=(4, 3)), lambda: [randn(1, 3)]),
        Case("Expand (2, 1, 1) -> (2, 3, 4)", F.Expand, apply(F.Expand, shape=(2, 3, 4)), lambda: [randn(2, 1, 1)]),
        Case("Expand (1,) -> (5,)", F.Expand, apply(F.Expand, shape=(5,)), lambda: [randn(1)]),
        Case("Pad (1, 2)", F.Pad, apply(F.Pad, padding=((1, 2),)), lambda: [randn(3)]),
        Case("Pad 2-d with value", F.Pad, apply(F.Pad, padding=((0, 1), (2, 0)), value=1.5), lambda: [randn(2, 3)]),
        Case("Pad 0-d", F.Pad, apply(F.Pad, padding=()), lambda: [randn()]),
        Case("Shrink (1, 4)", F.Shrink, apply(F.Shrink, bounds=((1, 4),)), lambda: [randn(5)]),
        Case("Shrink 2-d", F.Shrink, apply(F.Shrink, bounds=((0, 2), (1, 3))), lambda: [randn(3, 4)]),
        Case("Shrink step 3 of [1, 7)", F.Shrink, apply(F.Shrink, bounds=((1, 7),), steps=(3,)), lambda: [randn(8)]),
        Case("Shrink 2-d steps (2, 1)", F.Shrink, apply(F.Shrink, bounds=((0, 3), (1, 4)), steps=(2, 1)),
             lambda: [randn(3, 4)]),
        Case("Shrink steps (1, 4, 2) to an empty axis", F.Shrink,
             apply(F.Shrink, bounds=((1, 2), (2, 5), (0, 0)), steps=(1, 4, 2)), lambda: [randn(2, 5, 3)]),
        Case("Flip 0", F.Flip, apply(F.Flip, axes=0), lambda: [randn(4)]),
        Case("Flip (0, 1)", F.Flip, apply(F.Flip, axes=(0, 1)), lambda: [randn(2, 3)]),
        Case("Flip -1 of 3-d", F.Flip, apply(F.Flip, axes=-1), lambda: [randn(2, 3, 2)]),
        Case("Cat three along axis 1, one empty", F.Cat, apply(F.Cat, axis=1),
             lambda: [randn(2, 1), randn(2, 3, seed=1), randn(2, 0, seed=2)]),
        Case("Cat axis -3 of 3-d", F.Cat, apply(F.Cat, axis=-3), lambda: [randn(2, 3, 2), randn(1, 3, 2, seed=1)]),
        Case("Cat of one", F.Cat, apply(F.Cat, axis=0), lambda: [randn(4)]),
        Case("Cat with a constant between", F.Cat, apply(F.Cat, axis=0),
             lambda: [randn(2, 2), const(np.ones((3, 2))), randn(1, 2, seed=1)]),
    ]


def matmul_window_index_cases() -> list[Case]:
    # Fold's windows for an image of spatial size (5, 6), kernel (2, 2), stride (1, 2), dilation (2, 1):
    # (5 - 2*1 - 1) // 1 + 1 = 3 and (6 - 1*1 - 1) // 2 + 1 = 3 windows per axis.
    fold_args = {"spatial": (5, 6), "stride": (1, 2), "dilation": (2, 1)}
    repeated = [[0, 0, 1, 3], [2, 2, 2, 2], [3, 1, 0, 0]]
    return [
        Case("MatMul (3, 4) @ (4, 2)", F.MatMul, F.MatMul.apply, lambda: [randn(3, 4), randn(4, 2, seed=1)]),
        Case("MatMul batched (2, 3, 4) @ (2, 4, 5)", F.MatMul, F.MatMul.apply,
             lambda: [randn(2, 3, 4), randn(2, 4, 5, seed=1)]),
        Case("MatMul constant right", F.MatMul, F.MatMul.apply,
             lambda: [randn(2, 3), const(np.arange(12.0).reshape(3, 4))]),
        Case("Unfold 1-d stride 2", F.Unfold, apply(F.Unfold, kernel=(2,), stride=(2,), dilation=(1,)),
             lambda: [randn(1, 2, 5)]),
        Case("Unfold 2-d stride and dilation", F.Unfold,
             apply(F.Unfold, kernel=(2, 2), stride=(1, 2), dilation=(2, 1)), lambda: [randn(2, 1, 5, 6)]),
        Case("Unfold 3x3 stride 2", F.Unfold, apply(F.Unfold, kernel=(3, 3), stride=(2, 2), dilation=(1, 1)),
             lambda: [randn(1, 1, 6, 6)]),
        Case("Fold 2-d stride and dilation", F.Fold, apply(F.Fold, **fold_args), lambda: [randn(2, 1, 3, 3, 2, 2)]),
        Case("Gather axis 1, repeated indices", F.Gather, apply(F.Gather, axis=1),
             lambda: [randn(3, 4), const(repeated)]),
        Case("Gather axis 0, smaller index", F.Gather, apply(F.Gather, axis=0),
             lambda: [randn(3, 4), const([[2, 2, 0, 1], [2, 0, 0, 1]])]),
        Case("ScatterAdd axis 1, repeated indices", F.ScatterAdd, apply(F.ScatterAdd, axis=1),
             lambda: [randn(3, 4), const([[0, 0], [1, 1], [3, 3]]), randn(3, 2, seed=1)]),
        Case("ScatterAdd axis 0, src only", F.ScatterAdd, apply(F.ScatterAdd, axis=0),
             lambda: [leaf(np.zeros((3, 2)), requires_grad=False), const([[1, 1], [1, 0], [2, 1]]), randn(3, 2)]),
        # Distinct positions only: where two writes meet, torch's gradient (which Scatter gives) sends g to the
        # covered write too, which is not the derivative (see test_scatter_gradients_at_repeated_positions).
        Case("Scatter axis 1, smaller index", F.Scatter, apply(F.Scatter, axis=1),
             lambda: [randn(3, 4), const([[3, 0], [1, 2], [0, 3]]), randn(3, 2, seed=1)]),
        Case("Scatter axis 0, 3-d", F.Scatter, apply(F.Scatter, axis=0),
             lambda: [randn(3, 2, 2), const([[[2, 0], [1, 1]], [[0, 2], [0, 2]]]), randn(2, 2, 2, seed=1)]),
        Case("Scatter 1-d, src only", F.Scatter, apply(F.Scatter, axis=0),
             lambda: [leaf(np.zeros(5), requires_grad=False), const([4, 0, 2]), randn(3)]),
        Case("Scatter 0-d", F.Scatter, apply(F.Scatter, axis=0), lambda: [randn(), const(0), randn(seed=1)]),
    ]


def loss_cases() -> list[Case]:
    spatial = [[[0, 2], [1, 1]], [[2, -100], [0, 1]]]  # targets of (2, 3, 2, 2) log-probabilities
    return [
        Case("NLLLoss mean, one ignored", F.NLLLoss, apply(F.NLLLoss, axis=1),
             lambda: [randn(4, 3), const([2, 0, -100, 2])]),
        Case("NLLLoss sum, ignore_index a class", F.NLLLoss, apply(F.NLLLoss, axis=1, ignore_index=1, reduction="sum"),
             lambda: [randn(4, 3), const([2, 1, 0, 1])]),
        Case("NLLLoss none (N, C, H, W)", F.NLLLoss, apply(F.NLLLoss, axis=1, reduction="none"),
             lambda: [randn(2, 3, 2, 2), const(spatial)]),
        Case("NLLLoss mean (C,), 0-d target", F.NLLLoss, apply(F.NLLLoss, axis=0), lambda: [randn(5), const(3)]),
        Case("BinaryCrossEntropy, both need grad", F.BinaryCrossEntropy, F.BinaryCrossEntropy.apply,
             lambda: [randn(2, 3, low=0.05, high=0.95), randn(2, 3, seed=1, low=0.0, high=1.0)]),
    ]


CASES = elementwise_cases() + reduce_cases() + movement_cases() + matmul_window_index_cases() + loss_cases()
NOT_DIFFERENTIABLE = {F.Less, F.Equal, F.FloorDiv}  # never recorded; see test_engine.py


BACKENDS = ["numpy", "torch"]  # the Functions only use TensorData ops, so they must work on every backend


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_gradcheck(case: Case, backend: str) -> None:
    assert gradcheck(case.fn, on_backend(case.inputs(), backend), **case.tolerances)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", [c for c in CASES if c.twice], ids=str)
def test_gradgradcheck(case: Case, backend: str) -> None:
    assert gradgradcheck(case.fn, on_backend(case.inputs(), backend), **case.tolerances)


def applies_directly(case: Case) -> bool:
    return not case.tolerances and (isinstance(case.fn, partial) or case.fn == case.function.apply)


@pytest.mark.parametrize("case", [c for c in CASES if applies_directly(c)], ids=str)
def test_every_function_keeps_the_contract(case: Case) -> None:
    # check_function runs backward with the values of every input forward did not save made unavailable, and
    # refuses a tensor kept in a plain attribute: each Function's backward reads only what it saved.
    kwargs = case.fn.keywords if isinstance(case.fn, partial) else {}
    assert check_function(case.function, *case.inputs(), **kwargs)


def test_every_function_has_a_case() -> None:
    exported = {getattr(F, name) for name in F.__all__}
    functions = {f for f in exported if isinstance(f, type) and issubclass(f, Function) and f is not Function}
    assert functions - NOT_DIFFERENTIABLE - {case.function for case in CASES} == set()


@pytest.mark.parametrize("op", ROUNDING, ids=lambda op: op.name)
def test_rounding_gives_zero_gradients(op: UnaryOps) -> None:
    x = randn(2, 3, low=-3, high=3)
    F.Sum.apply(F.Rounding.apply(x, op=op)).backward()
    assert np.array_equal(numpy_of(x.grad), np.zeros((2, 3)))


def test_max_ties_share_the_gradient_equally() -> None:
    # Three tied maxima get a third each, as torch.amax; the others get nothing.
    x = leaf([[5.0, 1.0, 5.0, 5.0], [0.0, 2.0, 1.0, 2.0]])
    F.Sum.apply(F.Max.apply(x, axes=1)).backward()
    np.testing.assert_allclose(numpy_of(x.grad), [[1 / 3, 0, 1 / 3, 1 / 3], [0, 0.5, 0, 0.5]])


def test_gather_sends_repeated_reads_back_summed() -> None:
    x = leaf([10.0, 20.0, 30.0])
    F.Sum.apply(F.Gather.apply(x, const([0, 0, 0, 2]), axis=0)).backward()
    assert numpy_of(x.grad).tolist() == [3.0, 0.0, 1.0]


def test_scatter_gradients_at_repeated_positions_are_torchs() -> None:
    # Position 1 is written three times (the last, 40, wins), position 3 once. x's gradient is g where nothing
    # was written; every src element gets g at its position, also the two covered writes of position 1.
    x, src = randn(5), leaf([10.0, 20.0, 30.0, 40.0])
    out = F.Scatter.apply(x, const([1, 3, 1, 1]), src, axis=0)
    assert numpy_of(out).tolist()[1::2] == [40.0, 20.0]
    out.backward(leaf([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=False))
    assert numpy_of(x.grad).tolist() == [1.0, 0.0, 3.0, 0.0, 5.0]
    assert numpy_of(src.grad).tolist() == [2.0, 4.0, 2.0, 2.0]


def test_cast_gradient_comes_back_in_the_input_dtype() -> None:
    x = randn(3)
    y = F.Cast.apply(x, dtype=dtypes.float32)
    F.Sum.apply(y).backward()
    assert y.dtype is dtypes.float32 and x.grad is not None and x.grad.dtype is dtypes.float64


def test_pow_exponent_gradient_at_a_zero_base_is_zero() -> None:
    # d/dy x^y = x^y ln x is 0 * -inf at x = 0; its limit (and torch's value) for y > 0 is 0.
    x, y = leaf([0.0, 2.0]), leaf([2.0, 3.0])
    F.Sum.apply(F.Pow.apply(x, y)).backward()
    np.testing.assert_allclose(numpy_of(y.grad), [0.0, 8 * np.log(2)])
    np.testing.assert_allclose(numpy_of(x.grad), [0.0, 12.0])


AXES = st.integers(0, 2).flatmap(lambda n: st.lists(st.integers(0, 2), min_size=n, max_size=n, unique=True))


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=3, max_size=3), axes=AXES, keepdim=st.booleans(),
       reduction=st.sampled_from([F.Sum, F.Max]))
def test_reductions_over_random_axes(shape: list[int], axes: list[int], keepdim: bool,
                                     reduction: type[Function]) -> None:
    x = randn(*shape, seed=sum(shape))  # continuous values: no ties, so max is differentiable
    assert gradcheck(apply(reduction, axes=tuple(axes), keepdim=keepdim), [x])


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_pad_and_shrink_with_random_widths(shape: list[int], data: st.DataObject) -> None:
    padding = [data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2))) for _ in shape]
    bounds = [data.draw(st.integers(0, n).flatmap(lambda s, n=n: st.tuples(st.just(s), st.integers(s, n))))
              for n in shape]
    x = randn(*shape)
    assert gradcheck(apply(F.Pad, padding=padding, value=-1.0), [x])
    assert gradcheck(apply(F.Shrink, bounds=bounds), [x])
    steps = [data.draw(st.integers(1, 3)) for _ in shape]
    assert gradcheck(apply(F.Shrink, bounds=bounds, steps=steps), [x])
    assert gradgradcheck(apply(F.Shrink, bounds=bounds, steps=steps), [x])
