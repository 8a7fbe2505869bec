"""examples/vae.py, the variational autoencoder on MNIST: its loss is the negative ELBO (checked against the
same formula in torch, forward and backward), and a short run on the real MNIST lowers the test loss, saves
weights that load and draws its grid."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import torch

from edugrad.nn import load
from edugrad.tensor import tensor


def test_elbo_loss_matches_torch(example: Callable[[str], ModuleType]) -> None:
    rng = np.random.default_rng(0)
    logits, mu, log_var = (rng.standard_normal((3, n)) for n in (6, 2, 2))
    x = rng.random((3, 6))
    ours = [tensor(a, requires_grad=True) for a in (logits, mu, log_var)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (logits, mu, log_var)]
    loss = example("vae").elbo_loss(ours[0], tensor(x), ours[1], ours[2])
    kl = -0.5 * (1 + theirs[2] - theirs[1] ** 2 - theirs[2].exp()).sum()
    reference = (torch.nn.functional.binary_cross_entropy_with_logits(theirs[0], torch.tensor(x), reduction="sum")
                 + kl) / 3
    loss.backward()
    reference.backward()
    np.testing.assert_allclose(loss.item(), reference.item(), rtol=1e-12)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_short_run_on_mnist_learns_and_draws(run_example: Callable[..., str],
                                                example: Callable[[str], ModuleType], real_mnist: Path,
                                                tmp_path: Path, png: Callable[[Path], bool]) -> None:
    paths = {name: tmp_path / f"{name}.{kind}" for name, kind in
             (("weights", "safetensors"), ("grid", "png"), ("curves", "png"))}
    out = run_example("vae.py", "--data-dir", real_mnist, "--epochs", "2", "--max-steps", "15", "--latent", "4",
                      "--save", paths["weights"], "--plot", paths["grid"], "--curves", paths["curves"])
    losses = [float(v) for v in re.findall(r"test loss ([0-9.]+) nats", out)]
    assert len(losses) == 2 and losses[1] < losses[0] < 784 * np.log(2), out  # below a coin flip per pixel
    model = example("vae").VAE(latent=4)
    model.load_state_dict(load(paths["weights"]))
    assert png(paths["grid"]) and png(paths["curves"])
