"""The reference edugrad's learn_mnist, written with the Tensor API alone (no edugrad.nn).

    hatch run python examples/learn_mnist_tensor.py --data-dir ../shared/datasets/mnist

Everything a framework's nn layer usually provides is spelled out here in a few lines: the weights are plain
tensors, the model is a function, the loss is `sparse_categorical_crossentropy` and the optimizer is Adam
written out with its update rule. Only the IDX files are read with NumPy, so this runs with `edugrad-tensor`
installed alone.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

import numpy as np

from edugrad.tensor import Tensor, no_grad, tensor


def read_idx(path: Path) -> np.ndarray:
    """A minimal IDX reader (edugrad.nn.datasets has the checked, complete one)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(data_dir: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 (N, 1, 28, 28) with pixel values 0..255 and int64 labels of the split `prefix` ("train" or "t10k")."""
    # Raw 0..255 pixels, as the reference does: its scaled_uniform weights are tiny (the linear layer's are
    # about 0.016), and large inputs give them usable activations from the first step. Normalised inputs
    # (examples/mnist.py) suit PyTorch-style initialisation; with this one they learn more slowly.
    images = read_idx(data_dir / f"{prefix}-images-idx3-ubyte.gz").astype(np.float32)[:, None]
    labels = read_idx(data_dir / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return images, labels


class ConvNet:
    """conv(1->8, 3x3) relu maxpool 2, conv(8->16, 3x3) relu maxpool 2, flatten (400), matmul (400x10)."""

    def __init__(self) -> None:
        self.c1 = Tensor.scaled_uniform(8, 1, 3, 3, requires_grad=True)
        self.c2 = Tensor.scaled_uniform(16, 8, 3, 3, requires_grad=True)
        self.l1 = Tensor.scaled_uniform(400, 10, requires_grad=True)

    def parameters(self) -> list[Tensor]:
        """The weights to train."""
        return [self.c1, self.c2, self.l1]

    def __call__(self, x: Tensor) -> Tensor:
        """Logits (N, 10) of images (N, 1, 28, 28)."""
        x = x.conv2d(self.c1).relu().max_pool2d(2)
        x = x.conv2d(self.c2).relu().max_pool2d(2)
        return x.flatten(1) @ self.l1


class Adam:
    """m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params: list[Tensor], lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.params, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, b1, b2, eps, 0
        self.m = [Tensor.zeros_like(p) for p in params]
        self.v = [Tensor.zeros_like(p) for p in params]

    def step(self) -> None:
        """Update every parameter in place from its gradient, then clear the gradient."""
        self.t += 1
        with no_grad():  # the update itself is not part of any graph
            for p, m, v in zip(self.params, self.m, self.v):
                assert p.grad is not None
                m.assign(self.b1 * m + (1 - self.b1) * p.grad)
                v.assign(self.b2 * v + (1 - self.b2) * p.grad * p.grad)
                m_hat = m / (1 - self.b1 ** self.t)
                v_hat = v / (1 - self.b2 ** self.t)
                p.assign(p - self.lr * m_hat / (v_hat.sqrt() + self.eps))
                p.grad = None


def main() -> None:
    """Train for --steps random batches, then report the accuracy on the test set."""
    parser = argparse.ArgumentParser(description="learn_mnist with the Tensor API alone")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/datasets/mnist"))
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    train_x, train_y = load(args.data_dir, "train")
    test_x, test_y = load(args.data_dir, "t10k")
    Tensor.manual_seed(0)
    rng = np.random.default_rng(0)
    model = ConvNet()
    optimizer = Adam(model.parameters())
    start = time.perf_counter()
    with Tensor.train():
        for step in range(args.steps):
            batch = rng.integers(0, len(train_y), args.batch_size)
            loss = model(Tensor(train_x[batch])).sparse_categorical_crossentropy(tensor(train_y[batch]))
            loss.backward()
            optimizer.step()
            if step % 20 == 0:
                print(f"step {step:4d}  loss {loss.item():.4f}")
    with no_grad():
        predictions = np.concatenate([model(Tensor(test_x[i:i + 1000])).argmax(axis=1).numpy()
                                      for i in range(0, len(test_y), 1000)])
    print(f"test accuracy {np.mean(predictions == test_y):.2%} after {args.steps} steps "
          f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
