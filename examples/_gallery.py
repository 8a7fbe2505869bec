"""What the gallery's examples share: random training windows of a token stream, shuffled batches of rows,
the warmup-then-cosine learning-rate factor, and the PNG of training curves.

Not a layer of edugrad: a helper of the scripts in examples/ (each runs as `python examples/<name>.py`, which
puts this folder on the import path). Everything here uses edugrad's public API, numpy and matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from edugrad.tensor import Tensor, tensor


def random_windows(ids: np.ndarray, block_size: int, batch_size: int,
                   rng: np.random.Generator) -> tuple[Tensor, Tensor]:
    """`batch_size` windows of `block_size` tokens from `ids` at random offsets, and the same windows shifted by
    one: the targets of next-token prediction, (batch, block) int64 each."""
    if len(ids) <= block_size:
        raise ValueError(f"random_windows: the text has {len(ids)} tokens, too few for windows of {block_size} "
                         "plus one")
    starts = rng.integers(0, len(ids) - block_size, batch_size)
    rows = starts[:, None] + np.arange(block_size)
    return tensor(ids[rows].astype(np.int64)), tensor(ids[rows + 1].astype(np.int64))


def steps_per_epoch(count: int, batch_size: int, max_steps: int | None) -> int:
    """How many full batches of `batch_size` rows an epoch over `count` rows has (at most `max_steps`)."""
    steps = count // batch_size
    return steps if max_steps is None else min(steps, max_steps)


def epoch_batches(count: int, batch_size: int, steps: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The row indices of each of `steps` batches of one epoch: a fresh permutation of the rows, cut in pieces."""
    order = rng.permutation(count)
    return [order[step * batch_size:(step + 1) * batch_size] for step in range(steps)]


def warmup_cosine(step: int, warmup: int, total: int, min_factor: float = 0.1) -> float:
    """The factor of the peak learning rate at `step`: a linear ramp from 0 over `warmup` steps, then half a
    cosine from 1 down to `min_factor` at `total` (and `min_factor` after it), as nanoGPT's schedule."""
    if step < warmup:
        return (step + 1) / warmup
    if step >= total:
        return min_factor
    progress = (step - warmup) / max(1, total - warmup)
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))


def plot_curves(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], path: Path, title: str,
                ylabel: str, xlabel: str = "step") -> None:
    """Draw each named curve, given as (x values, y values), on one set of axes and write it to a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4))
    for name, (xs, ys) in curves.items():
        axes.plot(xs, ys, label=name, linewidth=1.0)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"curves written to {path}")
