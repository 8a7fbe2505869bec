"""makemore-style: learn to spell English words from Debian's word list, then invent new ones.

    hatch run names                       # all four models in turn, then the table of test losses
    hatch run names --model gru --steps 3000

Each word is a sequence of letters between two "." tokens (".cat." : from "." predict "c", from "c" predict
"a", ...), so every model is a next-character predictor trained with cross-entropy, as in Karpathy's
makemore. The four models see more and more of what came before:

- bigram: a table of logits for the next letter given the current one (27 x 27 numbers);
- mlp: the embeddings of the previous `--context` letters, concatenated, through a tanh hidden layer
  (Bengio et al. 2003);
- gru: a gated recurrent network that carries a state along the word;
- transformer: the char-level GPT of examples/gpt.py, with the whole word as its context.

The words are /usr/share/dict/words (Debian's `wamerican`), lower-cased, letters a-z only, each once; 5% are
held out for the test loss. Every model is trained with AdamW, its weights saved in the safetensors format;
the training curves of all models go to one PNG.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tqdm import tqdm

from _gallery import plot_curves
from edugrad import nn
from edugrad.nn import functional as F
from edugrad.nn import optim
from edugrad.tensor import Generator, Tensor, manual_seed, no_grad, tensor
from gpt import GPT

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
END = 0  # the "." token, which starts and ends every word; letters are 1..26
MODELS = ("bigram", "mlp", "gru", "transformer")


class Bigram(nn.Module):
    """The logits of the next token are a row of a table, looked up by the current token."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.logits = nn.Embedding(vocab_size, vocab_size)
        nn.init.zeros_(self.logits.weight)  # start from the uniform guess, as makemore's bigram does

    def forward(self, idx: Tensor) -> Tensor:
        return self.logits(idx)


class MLP(nn.Module):
    """Bengio's MLP language model: the previous `context` tokens' embeddings, side by side, through tanh."""

    def __init__(self, vocab_size: int, context: int, n_embd: int = 32, n_hidden: int = 256) -> None:
        super().__init__()
        self.context = context
        self.wte = nn.Embedding(vocab_size + 1, n_embd)  # one more row: "before the word began"
        self.mlp = nn.Sequential(nn.Linear(context * n_embd, n_hidden), nn.Tanh(), nn.Linear(n_hidden, vocab_size))

    def forward(self, idx: Tensor) -> Tensor:
        batch, time = idx.shape
        blank = Tensor.full((batch, self.context - 1), self.wte.num_embeddings - 1, dtype=idx.dtype)
        padded = Tensor.cat([blank, idx], dim=1)
        # position t sees tokens t-context+1 .. t: `context` shifted views of the padded sequence
        windows = [self.wte(padded[:, k:k + time]) for k in range(self.context)]
        return self.mlp(Tensor.cat(windows, dim=-1))


class GRUModel(nn.Module):
    """Embeddings into a GRU; each step's hidden state gives the logits of the next token."""

    def __init__(self, vocab_size: int, n_embd: int = 32, n_hidden: int = 128) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.gru = nn.GRU(n_embd, n_hidden, batch_first=True)
        self.lm_head = nn.Linear(n_hidden, vocab_size)

    def forward(self, idx: Tensor) -> Tensor:
        states, _ = self.gru(self.wte(idx))
        return self.lm_head(states)


def build(name: str, vocab_size: int, block_size: int, context: int) -> nn.Module:
    """The model called `name`, for words of up to `block_size` tokens including the starting "."."""
    if name == "bigram":
        return Bigram(vocab_size)
    if name == "mlp":
        return MLP(vocab_size, context)
    if name == "gru":
        return GRUModel(vocab_size)
    return GPT(vocab_size, block_size, n_layer=2, n_head=4, n_embd=64)


def read_words(path: Path) -> list[str]:
    """The distinct lower-cased words of the file made of the letters a-z only ("naïve", "can't" are left out)."""
    if not path.exists():
        raise SystemExit(f"error: no word list at {path}; on Debian or Ubuntu `sudo apt install wamerican`, "
                         "or give a file of one word per line with --words PATH")
    words = {line.strip().lower() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    return sorted(w for w in words if w and set(w) <= set(ALPHABET))


def encode(words: list[str], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ".word" and targets "word." as token rows of max_len + 1, the targets padded with -1 (ignored by
    the loss) after the final "."."""
    inputs = np.zeros((len(words), max_len + 1), np.int64)
    targets = np.full((len(words), max_len + 1), -1, np.int64)
    for row, word in enumerate(words):
        letters = [ALPHABET.index(c) + 1 for c in word]
        inputs[row, 1:len(letters) + 1] = letters
        targets[row, :len(letters) + 1] = letters + [END]
    return inputs, targets


def word_loss(model: nn.Module, inputs: np.ndarray, targets: np.ndarray) -> Tensor:
    """The mean cross-entropy per predicted character (padding excluded) of the words in the arrays, read only
    as far as the longest of them: the columns after it are padding alone."""
    width = int((targets >= 0).sum(axis=1).max())
    logits = model(tensor(inputs[:, :width]))
    return F.cross_entropy(logits.flatten(0, 1), tensor(targets[:, :width]).flatten(), ignore_index=-1)


def test_loss(model: nn.Module, inputs: np.ndarray, targets: np.ndarray, batch_size: int = 500) -> float:
    """word_loss over the held-out words, weighted by each batch's number of characters."""
    model.eval()
    total, count = 0.0, 0
    with no_grad():
        for start in range(0, len(inputs), batch_size):
            x, y = inputs[start:start + batch_size], targets[start:start + batch_size]
            characters = int((y >= 0).sum())
            total += word_loss(model, x, y).item() * characters
            count += characters
    model.train()
    return total / count


@no_grad()
def sample(model: nn.Module, count: int, max_len: int, generator: Generator) -> list[str]:
    """`count` new words: start from ".", draw each next letter from the model until it draws "."."""
    model.eval()
    idx = tensor(np.zeros((count, 1), np.int64))
    for _ in range(max_len):
        probs = model(idx)[:, -1, :].softmax(-1)
        idx = Tensor.cat([idx, probs.multinomial(1, generator=generator)], dim=1)
    model.train()
    words = []
    for row in idx[:, 1:].tolist():
        letters = row[:row.index(END)] if END in row else row
        words.append("".join(ALPHABET[i - 1] for i in letters))
    return words


def train(name: str, data: dict[str, np.ndarray], args: argparse.Namespace) -> tuple[nn.Module, list[float]]:
    """Train model `name` for `args.steps` steps of random batches of training words; return it and its
    per-step losses."""
    manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = build(name, len(ALPHABET) + 1, data["train_x"].shape[1], args.context)
    optimizer = optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.01)
    losses = []
    progress = tqdm(range(args.steps), desc=name, unit="step")
    for _ in progress:
        rows = rng.integers(0, len(data["train_x"]), args.batch_size)
        loss = word_loss(model, data["train_x"][rows], data["train_y"][rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        progress.set_postfix(loss=f"{np.mean(losses[-100:]):.3f}")
    return model, losses


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=(*MODELS, "all"), default="all", help="which model (default all)")
    parser.add_argument("--words", type=Path, default=Path("/usr/share/dict/words"), help="one word per line")
    parser.add_argument("--steps", type=int, default=600, help="optimizer steps per model (default 600)")
    parser.add_argument("--batch-size", type=int, default=32, help="words per step (default 32)")
    parser.add_argument("--lr", type=float, default=3e-3, help="AdamW learning rate (default 3e-3)")
    parser.add_argument("--context", type=int, default=3, help="letters the MLP sees (default 3)")
    parser.add_argument("--samples", type=int, default=10, help="words to sample per model (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, initialisation and batches")
    parser.add_argument("--out", type=Path, default=Path("runs"), help="folder for the weights and the PNG")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train the chosen models, print their samples and the table of test losses; return the table."""
    args = parse_args(argv)
    words = read_words(args.words)
    order = np.random.default_rng(args.seed).permutation(len(words))
    held_out = max(1, len(words) // 20)
    max_len = max(len(w) for w in words)
    test_words = [words[i] for i in order[:held_out]]
    train_words = [words[i] for i in order[held_out:]]
    train_x, train_y = encode(train_words, max_len)
    test_x, test_y = encode(test_words, max_len)
    data = {"train_x": train_x, "train_y": train_y, "test_x": test_x, "test_y": test_y}
    print(f"{len(words):,} words of up to {max_len} letters: {len(train_words):,} to train, {held_out:,} to test")
    known = set(train_words)
    results: dict[str, float] = {}
    sizes: dict[str, int] = {}
    curves: dict[str, tuple[list[float], list[float]]] = {}
    for name in MODELS if args.model == "all" else (args.model,):
        model, losses = train(name, data, args)
        results[name] = test_loss(model, test_x, test_y)
        sizes[name] = sum(p.numel() for p in model.parameters())
        curves[name] = (list(range(1, len(losses) + 1)), _smoothed(losses))
        args.out.mkdir(parents=True, exist_ok=True)
        nn.save(model.state_dict(), args.out / f"names-{name}.safetensors")
        drawn = sample(model, args.samples, max_len + 1, Generator().manual_seed(args.seed))
        print(f"{name}: test loss {results[name]:.4f}; samples (* = not a training word): "
              + ", ".join(w if w in known else f"{w}*" for w in drawn))
    plot_curves(curves, args.out / "names.png", "next-letter loss, smoothed over 100 steps", "cross-entropy")
    print("\n| model | parameters | test loss |\n|---|---|---|")
    for name, loss in results.items():
        print(f"| {name} | {sizes[name]:,} | {loss:.4f} |")
    return results


def _smoothed(values: list[float], window: int = 100) -> list[float]:
    """The running mean of the last `window` values at each point."""
    sums = np.cumsum(np.asarray(values))
    starts = np.maximum(np.arange(len(values)) - window + 1, 0)
    counts = np.arange(len(values)) - starts + 1
    return list((sums - np.concatenate([[0.0], sums])[starts]) / counts)


if __name__ == "__main__":
    main()
