"""sort, argsort, topk and multinomial beyond the parity tables: NaN and infinities, ties, large axes, what the
graph records, the statistics of the draws and every error path."""

import math

import numpy as np
import pytest
import torch

from edugrad.function import topological_order
from edugrad.tensor import Tensor, dtypes, tensor
from edugrad.tensor.random import Generator


def values(array: list[float] | np.ndarray) -> Tensor:
    return Tensor(np.asarray(array, dtype=np.float32))


def test_sort_puts_nan_last_and_first_descending_as_torch() -> None:
    data = [3.0, math.nan, -math.inf, 1.0, math.inf, math.nan, 1.0]
    for descending in (False, True):
        ours = values(data).sort(descending=descending)
        theirs = torch.tensor(data).sort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        assert ours.indices.tolist() == theirs.indices.tolist()


def test_sort_returns_a_named_tuple_of_int64_indices() -> None:
    result = values([2.0, 0.5, 1.0]).sort()
    assert type(result).__name__ == "sort" and result.indices.dtype is dtypes.int64
    sorted_values, indices = result
    assert sorted_values.tolist() == [0.5, 1.0, 2.0] and indices.tolist() == [1, 2, 0]
    assert type(values([1.0]).topk(1)).__name__ == "topk"


def test_topk_of_ties_returns_torchs_values_and_indices_of_equal_values() -> None:
    data = np.array([[2, 2, 1, 2, 0, 2], [5, 5, 5, 5, 5, 5]], dtype=np.int64)
    ours, theirs = tensor(data).long().topk(3), torch.tensor(data).topk(3)
    assert ours.values.tolist() == theirs.values.tolist()
    picked = np.take_along_axis(data, ours.indices.numpy(), axis=1)
    np.testing.assert_array_equal(picked, theirs.values.numpy())
    assert ours.indices.tolist() == [[0, 1, 3], [0, 1, 2]]  # the first ones among equals


def test_sort_of_a_long_axis_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 5000)).astype(np.float32)
    result = Tensor(data).sort(1, descending=True)
    np.testing.assert_array_equal(result.indices.numpy(), np.argsort(-data, axis=1, kind="stable"))
    top = Tensor(data).topk(200)
    np.testing.assert_array_equal(top.values.numpy(), -np.sort(-data, axis=1)[:, :200])


def test_topk_and_sort_of_a_vocabulary_wide_row_match_torch() -> None:
    # GPT-2's vocabulary: nanoGPT's generate takes topk(200) of such a row of logits for every token. Row 0 has
    # no ties; row 1 is on a grid of quarters (many ties, also at the 200th value) with some NaN.
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((2, 50257)).astype(np.float32)
    logits[1] = np.round(logits[1] * 4) / 4
    logits[1, rng.integers(0, 50257, 5)] = np.nan
    for flag in (True, False):
        ours, theirs = Tensor(logits).topk(200, largest=flag), torch.tensor(logits).topk(200, largest=flag)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        # torch leaves the order of equal values open in topk; edugrad's is its stable sort's
        stable = torch.tensor(logits).sort(descending=flag, stable=True)
        assert ours.indices.tolist() == stable.indices[:, :200].tolist()
        ours_sorted = Tensor(logits).sort(descending=flag)
        np.testing.assert_array_equal(ours_sorted.values.numpy(), stable.values.numpy())
        assert ours_sorted.indices.tolist() == stable.indices.tolist()


def test_topk_of_a_vocabulary_wide_row_sends_gradients_as_torch() -> None:
    rng = np.random.default_rng(2)
    logits, weights = rng.standard_normal((1, 50257)).astype(np.float32), rng.standard_normal((1, 200))
    ours, theirs = Tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    (ours.topk(200).values * Tensor(weights.astype(np.float32))).sum().backward()
    (theirs.topk(200).values * torch.tensor(weights.astype(np.float32))).sum().backward()
    assert ours.grad is not None and theirs.grad is not None
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_sort_records_only_the_gather_of_the_values() -> None:
    x = Tensor(np.arange(8.0, dtype=np.float32)[::-1].copy(), requires_grad=True)
    result = x.sort()
    names = {node._ctx.name for node in topological_order([result.values]) if node._ctx is not None}
    assert names == {"Gather"} and not result.indices.requires_grad
    result.values[0].backward()  # the smallest value came from the last element
    assert x.grad is not None and x.grad.tolist() == [0.0] * 7 + [1.0]


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda x: x.topk(5), ValueError, r"topk: k must be an int from 0 to 4, the size of dim 1"),
    (lambda x: x.topk(-1), ValueError, "topk: k must be an int"),
    (lambda x: x.sort(2), IndexError, "sort: axis 2 is out of range"),
    (lambda x: x.argsort(-3), IndexError, "argsort: axis -3 is out of range"),
    (lambda x: x.topk(1, dim=5), IndexError, "topk: axis 5 is out of range"),
])
def test_errors_name_the_op(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(Tensor.ones(3, 4))


def test_multinomial_with_replacement_follows_the_weights() -> None:
    weights = values([1.0, 0.0, 3.0, 6.0])
    draws = weights.multinomial(20000, replacement=True, generator=Generator().manual_seed(0))
    assert draws.shape == (20000,) and draws.dtype is dtypes.int64
    counts = np.bincount(draws.numpy(), minlength=4) / 20000
    np.testing.assert_allclose(counts, [0.1, 0.0, 0.3, 0.6], atol=0.015)  # about 4 standard deviations


def test_multinomial_without_replacement_draws_distinct_categories_by_weight() -> None:
    weights = values([[1.0, 2.0, 4.0, 8.0, 0.0]] * 4000)
    draws = weights.multinomial(2, generator=Generator().manual_seed(1)).numpy()
    assert draws.shape == (4000, 2) and np.all(draws[:, 0] != draws[:, 1]) and not np.any(draws == 4)
    # The first draw is category i with probability w_i / 15.
    np.testing.assert_allclose(np.bincount(draws[:, 0], minlength=5) / 4000, [1 / 15, 2 / 15, 4 / 15, 8 / 15, 0],
                               atol=0.03)
    # The second, after category j, is i != j with probability w_i / (15 - w_j): P(second = 0) = sum over j.
    second_zero = sum(w / 15 * 1 / (15 - w) for w in (2.0, 4.0, 8.0))
    assert abs(np.mean(draws[:, 1] == 0) - second_zero) < 0.03


def test_multinomial_without_replacement_takes_zero_weights_last_as_torch() -> None:
    draws = values([0.0, 1.0, 0.0, 1.0]).multinomial(4, generator=Generator().manual_seed(2)).tolist()
    assert sorted(draws[:2]) == [1, 3] and draws[2:] == [0, 2]


def test_multinomial_is_repeatable_with_a_generator() -> None:
    weights = values([0.2, 0.3, 0.5])
    first = weights.multinomial(10, True, generator=Generator().manual_seed(7)).tolist()
    again = weights.multinomial(10, True, generator=Generator().manual_seed(7)).tolist()
    assert first == again


def test_multinomial_of_one_hot_rows() -> None:
    probabilities = values([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert probabilities.multinomial(1).tolist() == [[1], [0]]
    assert probabilities.multinomial(3, replacement=True).tolist() == [[1, 1, 1], [0, 0, 0]]


@pytest.mark.parametrize(("weights", "kwargs", "error", "message"), [
    ([0.0, 0.0], {}, ValueError, "every distribution needs a positive sum"),
    ([-1.0, 2.0], {}, ValueError, "finite and non-negative"),
    ([math.nan, 1.0], {}, ValueError, "finite and non-negative"),
    ([math.inf, 1.0], {}, ValueError, "finite and non-negative"),
    ([1.0, 1.0], {"num_samples": 3}, ValueError, "cannot draw 3 samples without replacement from 2 categories"),
    ([1.0, 1.0], {"num_samples": 0}, ValueError, "num_samples must be a positive int"),
])
def test_multinomial_refuses_what_torch_refuses(weights, kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        values(weights).multinomial(**{"num_samples": 1, **kwargs})


def test_multinomial_needs_float_weights_of_one_or_two_dims() -> None:
    with pytest.raises(TypeError, match="multinomial: the weights must be a floating-point tensor, got int64"):
        Tensor.ones(3).long().multinomial(1)
    with pytest.raises(ValueError, match=r"multinomial: expects a 1-d or 2-d tensor of weights, got shape \(2, 2, 2\)"):
        Tensor.ones(2, 2, 2).multinomial(1)
