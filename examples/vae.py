"""A variational autoencoder (Kingma & Welling 2014) on MNIST: reconstructions and new digits, as a PNG grid.

    hatch run vae                        # MNIST from --data-dir, $EDUGRAD_DATA, ~/.cache/edugrad or a download
    hatch run vae --epochs 10 --latent 2

The encoder maps an image x to a Gaussian q(z|x) = N(mu, sigma^2) over a small latent space; a z is drawn
with the reparameterisation trick, z = mu + sigma * eps with eps ~ N(0, 1), so that the draw is a
differentiable function of mu and sigma; the decoder maps z to the logits of 784 Bernoulli pixels. Training
maximises the evidence lower bound, i.e. minimises, per image,

    loss = BCE(decoder(z), x) + KL(N(mu, sigma^2) || N(0, 1)),
    KL = -1/2 * sum(1 + log sigma^2 - mu^2 - sigma^2),

a reconstruction term plus a term that keeps q(z|x) close to the prior, so that decoding z ~ N(0, 1) gives
digit-like images. The PNG shows test digits above their reconstructions, and digits decoded from the prior.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tqdm import tqdm

from _gallery import epoch_batches, plot_curves, steps_per_epoch
from edugrad import nn
from edugrad.nn import datasets, optim
from edugrad.nn import functional as F
from edugrad.tensor import Tensor, manual_seed, no_grad, tensor


class VAE(nn.Module):
    """784 -> hidden -> (mu, log sigma^2) of `latent` Gaussians; latent -> hidden -> 784 pixel logits."""

    def __init__(self, latent: int = 16, hidden: int = 400) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.log_var = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The pixel logits of a reconstruction of x (N, 784), and q(z|x)'s mu and log sigma^2."""
        h = self.encoder(x)
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + (0.5 * log_var).exp() * Tensor.randn(*mu.shape)  # reparameterised: eps carries the noise
        return self.decoder(z), mu, log_var


def elbo_loss(logits: Tensor, x: Tensor, mu: Tensor, log_var: Tensor) -> Tensor:
    """The negative evidence lower bound per image: reconstruction cross-entropy plus the KL divergence."""
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * (1 + log_var - mu * mu - log_var.exp()).sum()
    return (reconstruction + kl) / x.shape[0]


def loss_of(model: VAE, x: Tensor) -> Tensor:
    """elbo_loss of the model on the images x (one draw of z per image)."""
    logits, mu, log_var = model(x)
    return elbo_loss(logits, x, mu, log_var)


def test_loss(model: VAE, images: np.ndarray, batch_size: int = 1000) -> float:
    """The mean loss per test image, in evaluation mode and without a graph."""
    model.eval()
    with no_grad():
        total = sum(loss_of(model, tensor(images[i:i + batch_size])).item() * len(images[i:i + batch_size])
                    for i in range(0, len(images), batch_size))
    model.train()
    return total / len(images)


def draw_grid(model: VAE, images: np.ndarray, path: Path, latent: int) -> None:
    """Write a PNG: 32 test digits with their reconstructions below them, and 64 digits decoded from z ~ N(0, 1)."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    model.eval()
    with no_grad():
        originals = images[:32]
        reconstructions = model(tensor(originals))[0].sigmoid().numpy()
        samples = model.decoder(Tensor.randn(64, latent)).sigmoid().numpy()
    model.train()
    pairs = np.stack([originals.reshape(4, 8, 784), reconstructions.reshape(4, 8, 784)], axis=1)  # row pairs
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 5.4))
    left.imshow(_tile(pairs.reshape(64, 784)), cmap="gray")
    left.set_title("test digits (odd rows) and reconstructions")
    right.imshow(_tile(samples), cmap="gray")
    right.set_title("decoded from z ~ N(0, 1)")
    for axes in (left, right):
        axes.axis("off")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"grid written to {path}")


def _tile(flat: np.ndarray, per_row: int = 8) -> np.ndarray:
    """(N, 784) images as one (rows * 28, per_row * 28) picture."""
    rows = len(flat) // per_row
    return flat.reshape(rows, per_row, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, per_row * 28)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="folder holding the four MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training set (default 5)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    parser.add_argument("--latent", type=int, default=16, help="size of the latent space (default 16)")
    parser.add_argument("--max-steps", type=int, default=None, help="stop each epoch after this many steps")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation, batches and noise")
    parser.add_argument("--save", type=Path, default=Path("runs/vae.safetensors"), help="weights file")
    parser.add_argument("--plot", type=Path, default=Path("runs/vae.png"), help="PNG of the grid")
    parser.add_argument("--curves", type=Path, default=Path("runs/vae-loss.png"), help="PNG of the loss curves")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Train, test after each epoch, save the weights, the grid and the curves; return the losses."""
    args = parse_args(argv)
    try:
        splits = datasets.mnist(root=args.data_dir)
    except datasets.DatasetError as error:
        raise SystemExit(f"error: MNIST is not available.\n{error}") from None
    train_x = splits.train_images.reshape(-1, 784).astype(np.float32) / 255.0  # pixels as probabilities
    test_x = splits.test_images.reshape(-1, 784).astype(np.float32) / 255.0
    manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = VAE(args.latent)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    steps = steps_per_epoch(len(train_x), args.batch_size, args.max_steps)
    losses: list[float] = []
    test_losses: list[float] = []
    for epoch in range(1, args.epochs + 1):
        progress = tqdm(epoch_batches(len(train_x), args.batch_size, steps, rng),
                        desc=f"epoch {epoch}/{args.epochs}", unit="batch")
        for rows in progress:
            x = tensor(train_x[rows])
            loss = loss_of(model, x)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            progress.set_postfix(loss=f"{np.mean(losses[-50:]):.1f}")
        test_losses.append(test_loss(model, test_x))
        print(f"epoch {epoch}: test loss {test_losses[-1]:.2f} nats per image")
    args.save.parent.mkdir(parents=True, exist_ok=True)
    nn.save(model.state_dict(), args.save)
    print(f"weights saved to {args.save}")
    draw_grid(model, test_x, args.plot, args.latent)
    plot_curves({"train (per step)": (list(range(1, len(losses) + 1)), losses),
                 "test (per epoch)": ([steps * e for e in range(1, args.epochs + 1)], test_losses)},
                args.curves, "VAE on MNIST", "negative ELBO (nats per image)")
    return {"losses": losses, "test_losses": test_losses}


if __name__ == "__main__":
    main()
