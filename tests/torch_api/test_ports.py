"""Small PyTorch programs, written once against a `torch` module and run twice: on PyTorch and on edugrad
through `edugrad.torch`, with the same initial weights and the same batches. Their losses must agree step for
step to float32 rounding, which is what "a port changes only its imports" promises.

The programs are our own, in the style of the real ones that were tried (pytorch/examples' MNIST network,
makemore's MLP language model, nanoGPT's transformer): each uses the parts of the API its model uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np
import torch as real_torch

import edugrad.torch as edugrad_torch

LIBRARIES = {"torch": real_torch, "edugrad": edugrad_torch}


def lockstep(build: Callable[[ModuleType], Any], steps: Callable[[ModuleType, Any], Iterator[float]],
             count: int) -> tuple[list[float], list[float]]:
    """Build the program in both libraries, copy edugrad's initial weights into torch's, then run `count` steps
    of each and return the two lists of losses."""
    ours, theirs = build(edugrad_torch), build(real_torch)
    state = {name: real_torch.from_numpy(value.numpy().copy()) for name, value in ours.state_dict().items()}
    theirs.load_state_dict(state)
    losses = []
    for lib, model in ((edugrad_torch, ours), (real_torch, theirs)):
        run = steps(lib, model)
        losses.append([next(run) for _ in range(count)])
    return losses[0], losses[1]


# pytorch/examples' MNIST: a CNN, log_softmax + nll_loss, Adadelta and a StepLR schedule


def build_cnn(torch: ModuleType) -> Any:
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.fc1 = nn.Linear(8 * 5 * 5, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x: Any) -> Any:
            x = F.relu(self.conv1(x))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            x = F.dropout(F.relu(self.fc1(x)), p=0.5, training=False)
            return F.log_softmax(self.fc2(x), dim=1)

    return Net()


def cnn_steps(torch: ModuleType, model: Any) -> Iterator[float]:
    rng = np.random.default_rng(0)
    images = torch.tensor(rng.random((64, 1, 14, 14), dtype=np.float32))
    labels = torch.tensor(rng.integers(0, 10, 64))
    dataset = torch.utils.data.TensorDataset(images, labels)
    loader = torch.utils.data.DataLoader(dataset, batch_size=16)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    model.train()
    while True:
        for data, target in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            yield loss.item()
        scheduler.step()


def test_an_mnist_style_cnn_trains_in_lockstep_with_torch() -> None:
    ours, theirs = lockstep(build_cnn, cnn_steps, 12)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


# makemore's MLP: an embedding of the last few characters, tanh, AdamW, cross entropy with ignore_index


def build_mlp(torch: ModuleType) -> Any:
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self, vocab: int = 12, context: int = 3, width: int = 8, hidden: int = 32) -> None:
            super().__init__()
            self.context = context
            self.wte = nn.Embedding(vocab + 1, width)  # the extra token stands for "before the start"
            self.mlp = nn.Sequential(nn.Linear(context * width, hidden), nn.Tanh(), nn.Linear(hidden, vocab))

        def forward(self, idx: Any, targets: Any = None) -> Any:
            embs = []
            for _ in range(self.context):
                embs.append(self.wte(idx))
                idx = torch.roll(idx, 1, 1)
                idx[:, 0] = self.wte.num_embeddings - 1
            logits = self.mlp(torch.cat(embs, -1))
            loss = None
            if targets is not None:
                loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                                         ignore_index=-1)
            return logits, loss

    return MLP()


def mlp_steps(torch: ModuleType, model: Any) -> Iterator[float]:
    rng = np.random.default_rng(1)
    words = [rng.integers(1, 12, rng.integers(2, 7)).tolist() for _ in range(40)]

    class Words(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(words)

        def __getitem__(self, i: int) -> tuple[Any, Any]:
            word = torch.tensor(words[i], dtype=torch.long)
            x = torch.zeros(8, dtype=torch.long)
            y = torch.zeros(8, dtype=torch.long)
            x[1:1 + len(word)] = word
            y[:len(word)] = word
            y[len(word) + 1:] = -1  # no loss past the end of the word
            return x, y

    loader = torch.utils.data.DataLoader(Words(), batch_size=8)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    while True:
        for x, y in loader:
            _, loss = model(x, y)
            model.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            yield loss.item()


def test_a_makemore_style_mlp_trains_in_lockstep_with_torch() -> None:
    ours, theirs = lockstep(build_mlp, mlp_steps, 15)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


# nanoGPT: causal self-attention through scaled_dot_product_attention, weight tying, GELU, layer_norm with
# its own LayerNorm module, normal_ initialisation, AdamW with weight-decay groups, clip_grad_norm_, a cosine
# learning-rate schedule set by hand and a (disabled) GradScaler


def build_gpt(torch: ModuleType) -> Any:
    nn, F = torch.nn, torch.nn.functional
    vocab, block, width, heads, layers = 11, 8, 16, 2, 2

    class LayerNorm(nn.Module):
        def __init__(self, ndim: int) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim))

        def forward(self, x: Any) -> Any:
            return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c_attn = nn.Linear(width, 3 * width)
            self.c_proj = nn.Linear(width, width)

        def forward(self, x: Any) -> Any:
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(width, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1, self.attn, self.ln_2 = LayerNorm(width), Attention(), LayerNorm(width)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab, width), wpe=nn.Embedding(block, width),
                h=nn.ModuleList([Block() for _ in range(layers)]), ln_f=LayerNorm(width)))
            self.lm_head = nn.Linear(width, vocab, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying
            self.apply(self._init_weights)
            for name, p in self.named_parameters():
                if name.endswith("c_proj.weight"):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * layers))

        def _init_weights(self, module: Any) -> None:
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx: Any, targets: Any) -> Any:
            pos = torch.arange(0, idx.size(1), dtype=torch.long, device=idx.device)
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for layer in self.transformer.h:
                x = layer(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    return GPT()


def gpt_steps(torch: ModuleType, model: Any) -> Iterator[float]:
    data = np.random.default_rng(2).integers(0, 11, 400)
    batch_rng = np.random.default_rng(3)
    params = {name: p for name, p in model.named_parameters() if p.requires_grad}
    groups = [{"params": [p for p in params.values() if p.dim() >= 2], "weight_decay": 0.1},
              {"params": [p for p in params.values() if p.dim() < 2], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=1e-2, betas=(0.9, 0.99))
    scaler = torch.amp.GradScaler("cpu", enabled=False)
    for it in range(10**6):
        for group in optimizer.param_groups:
            group["lr"] = 1e-3 + 0.5 * (1e-2 - 1e-3) * (1 + math.cos(math.pi * min(it, 20) / 20))
        starts = batch_rng.integers(0, len(data) - 9, 4)
        x = torch.stack([torch.from_numpy(data[i:i + 8].astype(np.int64)) for i in starts])
        y = torch.stack([torch.from_numpy(data[i + 1:i + 9].astype(np.int64)) for i in starts])
        loss = model(x, y)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        yield loss.item()


def test_a_nanogpt_style_transformer_trains_in_lockstep_with_torch() -> None:
    ours, theirs = lockstep(build_gpt, gpt_steps, 12)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


def test_the_tied_weights_stay_one_parameter_named_as_torch_names_it() -> None:
    names = []
    for lib in LIBRARIES.values():
        model = build_gpt(lib)
        assert model.transformer.wte.weight is model.lm_head.weight
        assert len(list(model.parameters())) == len({id(p) for p in model.parameters()})
        names.append([name for name, _ in model.named_parameters()])
    assert names[0] == names[1]
