"""Categorical draws: multinomial, category indices drawn with probabilities proportional to given weights.

Tensor layer (`edugrad.tensor`). Two classic constructions from uniform random numbers u (from `rand`, so
a `Generator` makes the draws repeatable):

- with replacement, inverse transform sampling: the categories cover consecutive pieces of [0, total) as
  long as their weights (the running sum marks where each ends), and u * total falls into category i with
  probability weight_i / total;
- without replacement, an exponential race: category i gets the time E_i / weight_i with E_i = -log(u_i)
  exponentially distributed, and the first k to finish are a draw of k without replacement (the first is
  category i with probability weight_i / total, the next among the others likewise, and so on).

Draws are indices: nothing is recorded for backward.
"""

from __future__ import annotations

import math

from edugrad.data import dtypes
from edugrad.function import no_grad
from edugrad.tensor import _tensor as _t
from edugrad.tensor.binary import where
from edugrad.tensor.random import Generator


def multinomial(input: _t.Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> _t.Tensor:
    """`num_samples` category indices (int64) drawn with probabilities proportional to the non-negative
    weights of `input` along its last dim (a vector, or one row per distribution), as torch.multinomial.
    Without replacement, categories of weight 0 come only after all the others, as in torch."""
    weights = _checked_weights(input, num_samples, replacement)
    with no_grad():
        if replacement:
            drawn = _with_replacement(weights, num_samples, generator)
        else:
            drawn = _without_replacement(weights, num_samples, generator)
    return drawn.reshape(input.shape[:-1] + (num_samples,))


def _checked_weights(x: _t.Tensor, num_samples: int, replacement: bool) -> _t.Tensor:
    """x as float64 rows of weights, after torch's checks; an error naming what is wrong otherwise."""
    if x.ndim not in (1, 2):
        raise ValueError(f"multinomial: expects a 1-d or 2-d tensor of weights, got shape {x.shape}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"multinomial: the weights must be a floating-point tensor, got {x.dtype.name}")
    n = x.shape[-1]
    if not isinstance(num_samples, int) or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    if not replacement and num_samples > n:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from {n} categories")
    weights = x.detach().cast(dtypes.float64).reshape(-1, n)
    if not bool(((weights >= 0) & weights.isfinite()).all()):
        raise ValueError("multinomial: the weights must be finite and non-negative (no inf, NaN or negative value)")
    if not bool((weights.sum(1) > 0).all()):
        raise ValueError("multinomial: every distribution needs a positive sum of weights")
    return weights


def _with_replacement(weights: _t.Tensor, num_samples: int, generator: Generator | None) -> _t.Tensor:
    rows, n = weights.shape
    ends = weights.cumsum(1)  # category i covers [ends[i - 1], ends[i])
    u = _t.Tensor.rand(rows, num_samples, generator=generator, dtype=dtypes.float64, backend=weights.backend)
    points = u * ends[:, n - 1:]
    # The category a point falls into is the number of categories that end at or before it.
    drawn = (ends.unsqueeze(1) <= points.unsqueeze(2)).sum(2)
    # Rounding can put a point at the very end, past the last category; it belongs to the last one of weight > 0.
    last = (n - 1) - (weights > 0).flip(1).long().argmax(1, keepdim=True)
    return drawn.minimum(last)


def _without_replacement(weights: _t.Tensor, num_samples: int, generator: Generator | None) -> _t.Tensor:
    rows, n = weights.shape
    u = _t.Tensor.rand(rows, n, generator=generator, dtype=dtypes.float64, backend=weights.backend)
    arrival = -(1 - u).log()  # exponential with rate 1; 1 - u lies in (0, 1], so the log is finite
    positive = weights > 0
    # A category of weight 0 never arrives: it sorts after every other (by position among those, as torch).
    times = where(positive, arrival / where(positive, weights, 1.0), math.inf)
    if num_samples == 1:
        return times.argmin(1, keepdim=True)  # one draw is the first arrival: no sort needed
    return times.argsort(1)[:, :num_samples]
