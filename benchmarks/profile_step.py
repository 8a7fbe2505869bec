"""Where the time of one MLP train step goes: NumPy's work against the Python of edugrad's layers.

    hatch run python benchmarks/profile_step.py            # 400 steps after 20 of warm-up
    hatch run python benchmarks/profile_step.py --steps 1000

The MLP of `run.py` (784-128-10, ReLU, log_softmax + NLL, Adam, batch 128) is timed per phase (forward,
backward, optimizer step) with a timer around every op method of the NumPy backend (the ones the low-level
ops call; not the shape and dtype lookups, which would mostly time the timer), so each phase splits into
"backend" (NumPy's own work plus the backend's thin wrapper) and "rest" (everything edugrad's Python does
above it). PyTorch's phases are timed in the same process for comparison. The timers add a little to every
backend call; the split, not the last microsecond, is the point. benchmarks/README.md shows a run.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before NumPy loads its BLAS, as in run.py
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

from edugrad.data.numpy_backend import NumpyBackend  # noqa: E402
from mlp import TrainStep, mlp_problem  # noqa: E402  (benchmarks/mlp.py, next to this script)

PHASES = ("forward", "backward", "step")
BACKEND_METHODS = ("unary", "binary", "where", "reduce", "scan", "reshape", "permute", "expand", "pad", "shrink",
                   "flip", "gather", "scatter_add", "matmul", "unfold", "fold", "cast", "bitcast", "load")
backend_seconds: Counter[str] = Counter()
current_phase = ["forward"]


def time_backend_calls() -> None:
    """Wrap every op method of NumpyBackend so that its time is added to the current phase."""
    for name in BACKEND_METHODS:
        method = getattr(NumpyBackend, name)

        def timed(self: NumpyBackend, *args: Any, _method: Callable[..., Any] = method) -> Any:
            start = time.perf_counter()
            result = _method(self, *args)
            backend_seconds[current_phase[0]] += time.perf_counter() - start
            return result

        setattr(NumpyBackend, name, timed)


def run_phases(train: TrainStep, steps: int) -> Counter[str]:
    """Seconds per phase, summed over `steps` train steps."""
    wall: Counter[str] = Counter()
    for _ in range(steps):
        start = time.perf_counter()
        current_phase[0] = "forward"
        loss = train.forward()
        mid = time.perf_counter()
        current_phase[0] = "backward"
        train.backward(loss)
        end = time.perf_counter()
        current_phase[0] = "step"
        train.step()
        wall["forward"] += mid - start
        wall["backward"] += end - mid
        wall["step"] += time.perf_counter() - end
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400, help="timed train steps (default 400)")
    steps = parser.parse_args().steps
    torch.set_num_threads(1)
    time_backend_calls()
    problem = mlp_problem(128)
    run_phases(problem.edugrad, 20)  # warm-up
    run_phases(problem.torch, 20)
    backend_seconds.clear()
    ours = run_phases(problem.edugrad, steps)
    theirs = run_phases(problem.torch, steps)

    def ms(seconds: float) -> str:
        return f"{seconds / steps * 1e3:.3f} ms"

    print(f"{'phase':10} {'edugrad':>10} {'backend':>10} {'rest':>10} {'PyTorch':>10}")
    for phase in (*PHASES, "total"):
        names = PHASES if phase == "total" else (phase,)
        wall, backend = sum(ours[n] for n in names), sum(backend_seconds[n] for n in names)
        print(f"{phase:10} {ms(wall):>10} {ms(backend):>10} {ms(wall - backend):>10} "
              f"{ms(sum(theirs[n] for n in names)):>10}")


if __name__ == "__main__":
    main()
