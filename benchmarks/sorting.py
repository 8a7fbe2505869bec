"""Sorting workloads: edugrad's topk and sort against PyTorch and plain NumPy, on one thread.

    hatch run python benchmarks/sorting.py            # 15 interleaved rounds, medians
    hatch run python benchmarks/sorting.py --rounds 5

topk(200) over a row of 50,257 logits is what nanoGPT's `generate` runs per token with GPT-2's vocabulary, topk(65)
over 65 logits the same with its Shakespeare characters; a sort of (64, 1000) is a batch of medium rows. The
NumPy column is the floor: `np.argsort(kind="stable")` and the gather of the values. Like `run.py`, nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from statistics import median

os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy loads its BLAS

import numpy as np  # noqa: E402
import torch  # noqa: E402

from edugrad.tensor import Tensor  # noqa: E402

torch.set_num_threads(1)
Step = Callable[[], object]


def workloads() -> dict[str, dict[str, Step]]:
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((1, 50257)).astype(np.float32)
    characters = rng.standard_normal((1, 65)).astype(np.float32)
    rows = rng.standard_normal((64, 1000)).astype(np.float32)
    ours = Tensor(logits), Tensor(characters), Tensor(rows)
    theirs = torch.tensor(logits), torch.tensor(characters), torch.tensor(rows)

    def numpy_topk(x: np.ndarray, k: int) -> object:
        order = np.argsort(-x, axis=-1, kind="stable")[:, :k]
        return np.take_along_axis(x, order, -1), order

    def numpy_sort() -> object:
        order = np.argsort(rows, axis=-1, kind="stable")
        return np.take_along_axis(rows, order, -1), order

    return {
        "topk(200) of (1, 50257)": {"edugrad": lambda: ours[0].topk(200), "PyTorch": lambda: theirs[0].topk(200),
                                    "NumPy": lambda: numpy_topk(logits, 200)},
        "topk(65) of (1, 65)": {"edugrad": lambda: ours[1].topk(65), "PyTorch": lambda: theirs[1].topk(65),
                                "NumPy": lambda: numpy_topk(characters, 65)},
        "sort of (64, 1000)": {"edugrad": lambda: ours[2].sort(), "PyTorch": lambda: theirs[2].sort(),
                               "NumPy": numpy_sort},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    rounds = parser.parse_args().rounds
    for name, steps in workloads().items():
        times: dict[str, list[float]] = {who: [] for who in steps}
        for _ in range(rounds):  # interleaved, so that the load of the machine hits every column alike
            for who, step in steps.items():
                start = time.perf_counter()
                step()
                times[who].append(time.perf_counter() - start)
        print(f"{name:<26}" + "  ".join(f"{who} {median(t) * 1e3:8.3f} ms" for who, t in times.items()))


if __name__ == "__main__":
    main()
