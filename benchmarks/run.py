"""Benchmark suite: edugrad against PyTorch (CPU), measured side by side in one run.

    hatch run bench                  # all workloads, 1 thread, table of medians and edugrad/PyTorch ratios
    hatch run bench --quick          # a few rounds of small sizes: checks that the suite works (CI)
    hatch run bench --json out.json --threads 2
    hatch run bench --mnist --mnist-data ../shared/datasets/mnist   # also time `hatch run mnist` end to end

Each workload has an edugrad and a PyTorch version (and, where it is interesting, hand-written NumPy: the
floor a NumPy framework cannot beat). They run interleaved (A B A B ...) for several rounds so that noise
from this shared machine hits both alike; the table shows medians. Peak memory is what NumPy allocates during
one call (tracemalloc), shown for edugrad and the NumPy floor. The small-model rows (char GPT, makemore MLP)
come from small_models.py, which times each library in a worker process of its own (no peak memory there).
Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="edugrad vs PyTorch benchmarks")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (default 1)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per workload (default 7)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and 2 rounds: only checks the suite runs")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--only", default=None, help="run only workloads whose name contains this")
    parser.add_argument("--mnist", action="store_true", help="also time the README's MNIST command end to end")
    parser.add_argument("--mnist-data", type=Path, default=None,
                        help="folder with the four MNIST IDX files, passed to the MNIST command as --data-dir")
    return parser.parse_args()


ARGS = parse_args()
# Thread counts must be fixed before NumPy loads its BLAS.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from edugrad.nn import functional, optim  # noqa: E402
from edugrad.tensor import Tensor, dtypes, tensor  # noqa: E402
import small_models  # noqa: E402  (benchmarks/small_models.py: the small-model rows, one process per library)
from mlp import mlp_problem  # noqa: E402  (benchmarks/mlp.py, next to this script)

torch.set_num_threads(ARGS.threads)
Step = Callable[[], object]


@dataclass
class Workload:
    name: str
    edugrad: Step
    torch: Step
    numpy: Step | None = None
    repeat: int = 1  # calls per timing (for very short ops), results are per call
    separate: small_models.Model | None = None  # timed by small_models.py, each library in its own process
    results: dict[str, float] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)


def timed(step: Step, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        step()
    return (time.perf_counter() - start) / repeat


def peak_bytes(step: Step) -> float:
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(workload: Workload, rounds: int) -> None:
    if workload.separate is not None:
        workload.results = small_models.measure(workload.separate, rounds, ARGS.threads, ARGS.quick)
        return
    contenders = {"edugrad": workload.edugrad, "torch": workload.torch}
    if workload.numpy is not None:
        contenders["numpy"] = workload.numpy
    for step in contenders.values():  # warm up: first calls allocate and import
        step()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, step in contenders.items():
            times[name].append(timed(step, workload.repeat))
    workload.results = {name: median(values) for name, values in times.items()}
    workload.peaks = {name: peak_bytes(contenders[name]) for name in ("edugrad", "numpy") if name in contenders}


def elementwise_dispatch(size: int) -> Workload:
    a, b = Tensor.rand(size, size), Tensor.rand(size, size)
    ta, tb = torch.rand(size, size), torch.rand(size, size)
    na, nb = a.numpy(), b.numpy()
    return Workload(f"c = a + b on {size}x{size}, no grad (per op)", lambda: a + b, lambda: ta + tb,
                    lambda: na + nb, repeat=2000)


def chain_with_backward(size: int, length: int = 100) -> Workload:
    a, ta = Tensor.rand(size, size, requires_grad=True), torch.rand(size, size, requires_grad=True)

    def ours() -> None:
        x = a
        for _ in range(length):
            x = x * 1.0001
        x.sum().backward()

    def theirs() -> None:
        x = ta
        for _ in range(length):
            x = x * 1.0001
        x.sum().backward()

    return Workload(f"{length}-op chain on {size}x{size} with grad + backward (per chain)", ours, theirs, repeat=20)


def mlp_step(batch: int) -> Workload:
    problem = mlp_problem(batch)
    return Workload(f"MLP 784-128-10 train step (Adam), batch {batch}", problem.edugrad, problem.torch,
                    numpy=numpy_mlp_step(problem.x, problem.y, problem.w1, problem.w2))


def numpy_mlp_step(x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> Step:
    """The same step by hand: forward, backward and Adam with NumPy calls only (the floor)."""
    params, moments = [w1.copy(), w2.copy()], [[np.zeros_like(w1), np.zeros_like(w1)], [np.zeros_like(w2), np.zeros_like(w2)]]
    onehot = np.eye(10, dtype=np.float32)[y]
    t = [0]

    def step() -> None:
        h = x @ params[0]
        r = np.maximum(h, 0)
        z = r @ params[1]
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        dz = (p - onehot) / len(y)
        grads = [x.T @ ((dz @ params[1].T) * (h > 0)), r.T @ dz]
        t[0] += 1
        for param, grad, (m, v) in zip(params, grads, moments):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= 1e-3 * (m / (1 - 0.9 ** t[0])) / (np.sqrt(v / (1 - 0.999 ** t[0])) + 1e-8)

    return step


def cnn_parts(batch: int, image: int) -> tuple[Step, Step]:
    """One train step of the reference learn_mnist net in both libraries: conv 8 3x3, relu, maxpool 2,
    conv 16 3x3, relu, maxpool 2, linear -> 10, Adam."""
    rng = np.random.default_rng(0)
    flat = 16 * (((image - 2) // 2 - 2) // 2) ** 2
    shapes = [(8, 1, 3, 3), (16, 8, 3, 3), (flat, 10)]
    weights = [(rng.uniform(-1, 1, s) * np.prod(s) ** -0.5).astype(np.float32) for s in shapes]
    x = rng.standard_normal((batch, 1, image, image)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    ours_params = [Tensor(w, requires_grad=True) for w in weights]
    ours_opt = optim.Adam(ours_params, lr=1e-3)
    xe, ye = Tensor(x), tensor(y)  # the labels stay int64 (the legacy Tensor() makes float32)
    theirs_params = [torch.tensor(w, requires_grad=True) for w in weights]
    theirs_opt = torch.optim.Adam(theirs_params, lr=1e-3)
    xt, yt = torch.tensor(x), torch.tensor(y)
    F = torch.nn.functional

    def ours() -> None:
        c1, c2, l1 = ours_params
        h = xe.conv2d(c1).relu().max_pool2d(2).conv2d(c2).relu().max_pool2d(2)
        loss = h.flatten(1).matmul(l1).cross_entropy(ye)
        ours_opt.zero_grad()
        loss.backward()
        ours_opt.step()

    def theirs() -> None:
        c1, c2, l1 = theirs_params
        h = F.max_pool2d(F.conv2d(xt, c1).relu(), 2)
        h = F.max_pool2d(F.conv2d(h, c2).relu(), 2)
        loss = F.cross_entropy(h.flatten(1) @ l1, yt)
        theirs_opt.zero_grad()
        loss.backward()
        theirs_opt.step()

    return ours, theirs


def cnn_step(batch: int, image: int = 28) -> Workload:
    ours, theirs = cnn_parts(batch, image)
    return Workload(f"CNN train step (learn_mnist net), batch {batch}, {image}x{image}", ours, theirs)


def cnn_run(steps: int, batch: int) -> Workload:
    ours, theirs = cnn_parts(batch, 28)

    def run(step: Step) -> Step:
        return lambda: [step() for _ in range(steps)]

    return Workload(f"CNN training run, {steps} steps of batch {batch}", run(ours), run(theirs))


def matmul(m: int, k: int, n: int) -> Workload:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    ea, eb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    upstream = np.ones((m, n), np.float32)

    def ours() -> None:
        ea.grad = eb.grad = None
        (ea @ eb).sum().backward()

    def theirs() -> None:
        ta.grad = tb.grad = None
        (ta @ tb).sum().backward()

    def floor() -> None:
        a @ b, upstream @ b.T, a.T @ upstream

    return Workload(f"{m}x{k} @ {k}x{n} forward + backward", ours, theirs, floor)


def setitem_row(length: int = 23) -> Workload:
    """makemore's dataset, per word: the letters written into a row of zeros after the start token, and the
    targets past the word set to -1 (two basic-index writes on a small int64 tensor)."""
    word = [3, 1, 4, 1, 5, 9, 2]
    end = len(word) + 1
    x, y, ours_word = Tensor.zeros(length, dtype=dtypes.int64), Tensor.zeros(length, dtype=dtypes.int64), tensor(word)
    tx, ty, their_word = torch.zeros(length, dtype=torch.long), torch.zeros(length, dtype=torch.long), torch.tensor(word)

    def ours() -> None:
        x[1:end] = ours_word
        y[end:] = -1

    def theirs() -> None:
        tx[1:end] = their_word
        ty[end:] = -1

    return Workload(f"x[1:8] = word; y[8:] = -1 on ({length},) int64 (per pair)", ours, theirs, repeat=500)


def embedding_backward(batch: int, block: int, vocab: int, dim: int) -> Workload:
    """The backward of one embedding lookup of makemore's MLP: the (batch * block, dim) gradient summed into
    the rows of the (vocab, dim) table it read (a scatter-add with an index expanded over the features)."""
    rng = np.random.default_rng(0)
    rows = rng.integers(0, vocab, (batch, block))
    weight, upstream = rng.standard_normal((vocab, dim)).astype(np.float32), \
        rng.standard_normal((batch, block, dim)).astype(np.float32)
    ours_w, ours_rows, ours_g = Tensor(weight, requires_grad=True), tensor(rows), Tensor(upstream)
    theirs_w, their_rows, their_g = torch.tensor(weight, requires_grad=True), torch.tensor(rows), torch.tensor(upstream)
    ours_out = functional.embedding(ours_rows, ours_w)
    theirs_out = torch.nn.functional.embedding(their_rows, theirs_w)

    def ours() -> None:
        ours_w.grad = None
        ours_out.backward(ours_g, retain_graph=True)

    def theirs() -> None:
        theirs_w.grad = None
        theirs_out.backward(their_g, retain_graph=True)

    return Workload(f"embedding backward, ({batch}, {block}) tokens into ({vocab}, {dim})", ours, theirs, repeat=50)


def cat_embeddings(batch: int, block: int, dim: int) -> Workload:
    """makemore's MLP joining its `block` embeddings, (batch, block, dim) each, on the last axis
    (`torch.cat(embs, -1)`), forward and backward; the floor is np.concatenate (the backward's slices of the
    gradient are views in NumPy)."""
    rng = np.random.default_rng(0)
    parts = [rng.standard_normal((batch, block, dim)).astype(np.float32) for _ in range(block)]
    upstream = rng.standard_normal((batch, block, block * dim)).astype(np.float32)
    ours_parts, ours_g = [Tensor(p, requires_grad=True) for p in parts], Tensor(upstream)
    their_parts, their_g = [torch.tensor(p, requires_grad=True) for p in parts], torch.tensor(upstream)

    def ours() -> None:
        for part in ours_parts:
            part.grad = None
        Tensor.cat(ours_parts, -1).backward(ours_g)

    def theirs() -> None:
        for part in their_parts:
            part.grad = None
        torch.cat(their_parts, -1).backward(their_g)

    return Workload(f"cat of {block} ({batch}, {block}, {dim}) on the last axis, forward + backward", ours, theirs,
                    lambda: np.concatenate(parts, -1))


def small_model(model: small_models.Model) -> Workload:
    """A row of small_models.py: its steps are never called here (each library runs in its own process)."""

    def elsewhere() -> None:
        raise RuntimeError(f"{model.name} is timed in worker processes")

    return Workload(model.name, elsewhere, elsewhere, separate=model)


def workloads(quick: bool) -> list[Workload]:
    rows = [small_model(model) for model in small_models.MODELS]
    if quick:
        return [elementwise_dispatch(2), chain_with_backward(2, 10), mlp_step(16), cnn_step(8), matmul(32, 64, 32),
                cnn_run(2, 8), setitem_row(), embedding_backward(4, 8, 27, 16), cat_embeddings(4, 8, 16), *rows]
    suite = [elementwise_dispatch(2), chain_with_backward(2), mlp_step(128), cnn_step(128), cnn_run(200, 128),
             matmul(512, 1024, 512), setitem_row(), embedding_backward(32, 23, 28, 64),
             cat_embeddings(32, 23, 64), *rows]
    suite += [cnn_step(batch) for batch in (8, 32, 512)]  # scaling with batch size (128 is above)
    suite += [cnn_step(32, image) for image in (56, 112)]  # scaling with image size
    return suite


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.2f} s "


def report(suite: list[Workload], rounds: int) -> None:
    print(f"\nmedians of {rounds} interleaved rounds, {ARGS.threads} thread(s), numpy {np.__version__}, "
          f"torch {torch.__version__}")
    header = f"{'workload':<62} {'edugrad':>11} {'PyTorch':>11} {'NumPy':>11} {'ratio':>6} {'peak MB eg/np':>14}"
    print(header + "\n" + "-" * len(header))
    for w in suite:
        r = w.results
        numpy_time = format_time(r["numpy"]) if "numpy" in r else f"{'-':>11}"
        peak = "/".join(f"{w.peaks[k] / 2**20:.1f}" for k in ("edugrad", "numpy") if k in w.peaks)
        print(f"{w.name:<62} {format_time(r['edugrad'])} {format_time(r['torch'])} {numpy_time} "
              f"{r['edugrad'] / r['torch']:5.2f}x {peak:>14}")


def time_mnist_command() -> float:
    """The README's main command, end to end (environment already created); the weights go to a temporary
    folder, so the run leaves the checkout as it was."""
    command = ["hatch", "run", "mnist"]
    if ARGS.mnist_data is not None:
        command += ["--data-dir", str(ARGS.mnist_data.resolve())]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([*command, "--save", str(Path(folder) / "mnist-cnn.safetensors")], check=True,
                       cwd=Path(__file__).resolve().parents[1])
        return time.perf_counter() - start


def main() -> None:
    rounds = 2 if ARGS.quick else ARGS.rounds
    suite = [w for w in workloads(ARGS.quick) if ARGS.only is None or ARGS.only in w.name]
    for w in suite:
        print(f"running: {w.name}", file=sys.stderr)
        measure(w, rounds)
    report(suite, rounds)
    results = [{"name": w.name, "seconds": w.results, "ratio": w.results["edugrad"] / w.results["torch"],
                "peak_bytes": w.peaks} for w in suite]
    if ARGS.mnist:
        seconds = time_mnist_command()
        print(f"\nREADME main command (hatch run mnist): {seconds:.1f} s end to end")
        results.append({"name": "hatch run mnist", "seconds": {"edugrad": seconds}})
    if ARGS.json is not None:
        ARGS.json.write_text(json.dumps({"threads": ARGS.threads, "rounds": rounds, "results": results}, indent=2))


if __name__ == "__main__":
    main()
