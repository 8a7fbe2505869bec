"""Small-model train steps (issue 17): a 2-layer char GPT and makemore's MLP, each library in its own process.

    hatch run python benchmarks/small_models.py              # both rows, 1 thread, 7 interleaved rounds
    hatch run python benchmarks/small_models.py --quick      # 2 rounds of a few steps (CI)

On models this small the time goes into Python per op, and two libraries timed in one process disturb each
other (caches, allocator, threads), so each library runs in a worker process of its own. The parent starts one
worker per library, then asks them in turn (A B A B ...) to time a batch of steps, and reports the medians.
The workers talk over stdin/stdout in lines of text. The model code is written once against torch's API and
run with `torch` and with `edugrad.torch` (edugrad's torch facade), so both libraries run the same model.
`run.py` includes these rows in its table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from types import ModuleType
from typing import Any

LIBRARIES = ("edugrad", "torch")


@dataclass(frozen=True)
class Model:
    name: str  # the row of the table
    key: str  # the worker's --model
    steps: int  # train steps per timing
    quick_steps: int


MODELS = (
    # (the names fit run.py's table; the model docstrings below say the rest: vocabulary 65, 2 layers, ...)
    Model("char GPT step: 2x4 heads, width 64, block 32, batch 16, AdamW", "gpt", 10, 2),
    Model("makemore MLP step: context 3, emb 10, 200 tanh, batch 32, SGD", "mlp", 100, 5),
)


def gpt_step(torch: ModuleType) -> Any:
    """A train step of a nanoGPT-style char model: token and position embeddings, 2 pre-norm blocks of causal
    self-attention (4 heads) and a 4x GELU MLP, a final LayerNorm and the vocabulary head; AdamW."""
    nn, F = torch.nn, torch.nn.functional
    vocab, block, batch, layers, heads, width = 65, 32, 16, 2, 4, 64

    class Block(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
            self.up, self.down = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)
            self.register_buffer("causal", torch.tril(torch.ones(block, block)).view(1, 1, block, block))

        def forward(self, x: Any) -> Any:
            b, t, c = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(width, dim=2)
            q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))
            scores = (q @ k.transpose(-2, -1)) * (c // heads) ** -0.5
            scores = scores.masked_fill(self.causal[:, :, :t, :t] == 0, float("-inf"))
            attended = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).contiguous().view(b, t, c)
            x = x + self.proj(attended)
            return x + self.down(F.gelu(self.up(self.ln2(x))))

    class GPT(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.tokens, self.positions = nn.Embedding(vocab, width), nn.Embedding(block, width)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(width), nn.Linear(width, vocab)

        def forward(self, idx: Any) -> Any:
            x = self.tokens(idx) + self.positions(torch.arange(idx.shape[1]))
            for layer in self.blocks:
                x = layer(x)
            return self.head(self.ln(x))

    torch.manual_seed(0)
    model = GPT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randint(0, vocab, (batch, block)), torch.randint(0, vocab, (batch, block))

    def step() -> float:
        loss = F.cross_entropy(model(x).view(-1, vocab), y.view(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return float(loss.item())

    return step


def mlp_step(torch: ModuleType) -> Any:
    """A train step of makemore's MLP (Bengio et al. 2003): 3 previous characters embedded in 10 dimensions,
    concatenated, a 200-unit tanh layer and the 27-way head; plain SGD."""
    nn, F = torch.nn, torch.nn.functional
    vocab, context, embedding, hidden, batch = 27, 3, 10, 200, 32
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(vocab, embedding), nn.Flatten(), nn.Linear(context * embedding, hidden),
                          nn.Tanh(), nn.Linear(hidden, vocab))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randint(0, vocab, (batch, context)), torch.randint(0, vocab, (batch,))

    def step() -> float:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return float(loss.item())

    return step


def worker(library: str, key: str, threads: int) -> None:
    """Build the model in `library`, then for each line "N" on stdin time N steps and print the seconds."""
    import time

    if library == "torch":
        import torch as module
        module.set_num_threads(threads)
    else:
        import edugrad.torch as module
    step = {"gpt": gpt_step, "mlp": mlp_step}[key](module)
    step()  # warm up: the first step allocates the optimizer's state
    for line in sys.stdin:
        steps = int(line)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        print((time.perf_counter() - start) / steps, flush=True)


def measure(model: Model, rounds: int, threads: int, quick: bool) -> dict[str, float]:
    """Median seconds per step of each library, its worker asked in turn, round after round."""
    environment = dict(os.environ)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[variable] = str(threads)  # fixed before NumPy (or torch) loads its BLAS
    workers = {library: subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker", library, "--model", model.key,
         "--threads", str(threads)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment)
        for library in LIBRARIES}
    times: dict[str, list[float]] = {library: [] for library in LIBRARIES}
    try:
        for _ in range(rounds):
            for library, process in workers.items():
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(f"{model.quick_steps if quick else model.steps}\n")
                process.stdin.flush()
                answer = process.stdout.readline()
                if not answer:
                    raise RuntimeError(f"the {library} worker for {model.key} stopped (see its error above)")
                times[library].append(float(answer))
    finally:
        for process in workers.values():
            assert process.stdin is not None
            process.stdin.close()
            process.wait()
    return {library: median(values) for library, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description="small-model train steps, one process per library")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 rounds of a few steps: checks the rows run")
    parser.add_argument("--worker", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=[m.key for m in MODELS], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker, args.model, args.threads)
        return
    rounds = 2 if args.quick else args.rounds
    for model in MODELS:
        result = measure(model, rounds, args.threads, args.quick)
        print(json.dumps({"name": model.name, "seconds": result}))


if __name__ == "__main__":
    main()
