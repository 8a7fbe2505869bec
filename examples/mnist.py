"""Train a small CNN on MNIST (or Fashion-MNIST) with edugrad: the project's main job.

    hatch run mnist                          # defaults: 98%+ MNIST test accuracy in a few minutes on a CPU
    hatch run mnist --dataset fashion-mnist --epochs 3 --plot curves.png

The model (conv-relu-pool twice, then a linear layer) is written with `edugrad.nn`, trained with Adam and a
DataLoader, evaluated on the test set after every epoch, and its weights are saved in the safetensors format.
`--data-dir` names the folder that holds the four IDX files, and then only that folder is read. Without it the
files are looked for in `$EDUGRAD_DATA/<dataset>`, `~/.cache/edugrad/<dataset>` and
`/usr/share/datasets/<dataset>`, and downloaded with checksums into the cache when missing. With no MNIST and
no network, a run that asked for nothing in particular (neither `--dataset` nor `--data-dir`) says so and
trains on scikit-learn's bundled 8x8 digits instead; a run that asked for something stops with the reason.

    torchrun --nproc_per_node 2 examples/mnist.py   # data-parallel: each process trains on half of each epoch

Under torchrun (which sets RANK), the processes join a gloo process group, the model is wrapped in
DistributedDataParallel and each one reads its share of the data through a DistributedSampler; `--batch-size`
is then per process, and rank 0 alone evaluates, prints and saves.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from edugrad import nn
from edugrad.nn import datasets, distributed, optim
from edugrad.nn.data import DataLoader, DistributedSampler, TensorDataset
from edugrad.nn.parallel import DistributedDataParallel
from edugrad.tensor import Generator, Tensor, no_grad, tensor


@dataclass
class Data:
    """A dataset as uint8 images (N, H, W) and int64 labels (N,), split into train and test."""

    name: str
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


class SmallCNN(nn.Module):
    """conv(1->16, 3x3) relu maxpool(2), conv(16->32, 3x3) relu maxpool(2),
    linear(-> classes)."""

    def __init__(self, image_size: int = 28, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * (image_size // 4) ** 2, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1(x).relu().max_pool2d(2)
        x = self.conv2(x).relu().max_pool2d(2)
        return self.fc(x.flatten(1))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options (of `argv`, or of the command line when None)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the training set (default 2; 15 on the small offline fallback)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per step (default 64)")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default 2e-3)")
    parser.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default=None,
                        help="which dataset (default mnist; if neither --dataset nor --data-dir is given and "
                             "MNIST can be neither found nor downloaded, scikit-learn's 8x8 digits instead)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the folder holding the dataset's four IDX files, the only one read (default: "
                             "$EDUGRAD_DATA/<dataset>, ~/.cache/edugrad/<dataset>, then a download)")
    parser.add_argument("--seed", type=int, default=0, help="seed for initialisation and shuffling")
    parser.add_argument("--save", type=Path, default=Path("runs/mnist-cnn.safetensors"),
                        help="where to save the trained weights (default runs/mnist-cnn.safetensors)")
    parser.add_argument("--plot", type=Path, default=None, help="write loss and accuracy curves to this PNG")
    parser.add_argument("--max-steps", type=int, default=None, help="stop each epoch after this many steps")
    return parser.parse_args(argv)


def load_data(args: argparse.Namespace) -> Data:
    """The dataset the options ask for; scikit-learn's digits if MNIST is unavailable and nothing was asked for."""
    name = args.dataset or "mnist"
    if args.data_dir is not None:
        return Data(name, *read_folder(args.data_dir))
    try:
        splits = datasets.load_dataset(name)
    except datasets.DatasetError as error:
        if args.dataset is not None:
            raise SystemExit(f"error: {error}") from None
        print(f"\n{error}\n", file=sys.stderr)
        print("=" * 78 + "\nMNIST is not available, so this run trains on scikit-learn's bundled 8x8 handwritten "
              "digits\ninstead (1797 images). For the real run, pass --data-dir with the folder of MNIST's four "
              "files,\nor run once with the network, which downloads them.\n" + "=" * 78, file=sys.stderr)
        return digits_fallback()
    return Data(name, *splits)


def read_folder(folder: Path) -> datasets.Splits:
    """The dataset in the IDX files of `folder` itself (the one --data-dir names); exits saying what is wrong."""
    if not folder.is_dir():
        raise SystemExit(f"error: --data-dir {folder}: no such folder. It should hold the four IDX files "
                         f"{', '.join(datasets.FILES)} (each may end in .gz).")
    try:
        train_images, train_labels = datasets.read_split(folder, train=True)
        test_images, test_labels = datasets.read_split(folder, train=False)
    except (FileNotFoundError, datasets.DatasetError) as error:
        raise SystemExit(f"error: --data-dir {folder}: {error}") from None
    return datasets.Splits(train_images, train_labels, test_images, test_labels)


def digits_fallback() -> Data:
    """scikit-learn's 8x8 digits (values 0..16), rescaled to 0..255 and split 80/20."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images * (255 / 16)).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(labels))
    cut = int(0.8 * len(labels))
    train, test = order[:cut], order[cut:]
    return Data("sklearn-digits", images[train], labels[train], images[test], labels[test])


def to_inputs(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W) -> float32 (N, 1, H, W), normalised to zero mean and unit variance (MNIST's statistics)."""
    return ((images.astype(np.float32) / 255.0 - 0.1307) / 0.3081)[:, None]


def evaluate(model: SmallCNN, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> float:
    """The fraction of `images` the model classifies as `labels`, in evaluation mode and without a graph."""
    model.eval()
    correct = 0
    with no_grad():
        for start in range(0, len(labels), batch_size):
            logits = model(Tensor(images[start:start + batch_size]))
            correct += int((logits.argmax(axis=1).numpy() == labels[start:start + batch_size]).sum())
    model.train()
    return correct / len(labels)


def train(args: argparse.Namespace) -> float:
    """Train and evaluate as the options say, save the weights (and the curves); return the test accuracy."""
    data = load_data(args)
    if args.epochs is None:
        args.epochs = 15 if data.name == "sklearn-digits" else 2
    Tensor.manual_seed(args.seed)
    train_x, test_x = to_inputs(data.train_images), to_inputs(data.test_images)
    model = SmallCNN(image_size=train_x.shape[-1], classes=int(data.train_labels.max()) + 1)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    train_set = TensorDataset(tensor(train_x), tensor(data.train_labels))
    parallel = "RANK" in os.environ  # started by torchrun
    if parallel:
        distributed.init_process_group("gloo")
    sampler = DistributedSampler(train_set, seed=args.seed) if parallel else None
    trained = DistributedDataParallel(model) if parallel else model
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        generator=Generator().manual_seed(args.seed))
    main_process = not parallel or distributed.get_rank() == 0
    print(f"training on {data.name}: {len(train_x)} train / {len(test_x)} test images of "
          f"{train_x.shape[-2]}x{train_x.shape[-1]}, {sum(p.numel() for p in model.parameters())} parameters")
    losses: list[float] = []
    accuracies: list[float] = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)  # a new order each epoch, the same on every process
        progress = tqdm(loader, desc=f"epoch {epoch}/{args.epochs}", unit="batch", total=_steps(loader, args),
                        disable=not main_process)
        seen, epoch_start = 0, time.perf_counter()
        for step, (images, labels) in enumerate(progress):
            if args.max_steps is not None and step >= args.max_steps:
                break
            loss = trained(images).cross_entropy(labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            seen += len(labels)
            rate = seen / (time.perf_counter() - epoch_start)
            progress.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}", img_per_s=f"{rate:.0f}")
        progress.close()
        if main_process:
            accuracies.append(evaluate(model, test_x, data.test_labels))
            print(f"epoch {epoch}: test accuracy {accuracies[-1]:.2%} ({time.perf_counter() - start:.1f} s so far)")
    elapsed = time.perf_counter() - start
    if parallel:
        distributed.destroy_process_group()
    if not main_process:
        return 0.0
    print(f"final test accuracy on {data.name}: {accuracies[-1]:.2%}, trained in {elapsed:.1f} s")
    args.save.parent.mkdir(parents=True, exist_ok=True)
    nn.save(model.state_dict(), args.save)
    print(f"weights saved to {args.save}")
    if args.plot is not None:
        plot(losses, accuracies, data.name, args.plot)
    return accuracies[-1]


def _steps(loader: DataLoader, args: argparse.Namespace) -> int:
    return len(loader) if args.max_steps is None else min(len(loader), args.max_steps)


def plot(losses: list[float], accuracies: list[float], dataset: str, path: Path) -> None:
    """Write the training loss per step and the test accuracy per epoch side by side to a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    figure.suptitle(f"SmallCNN on {dataset}")
    left.plot(range(1, len(losses) + 1), losses, linewidth=0.8)
    left.set(title="training loss", xlabel="step", ylabel="cross-entropy", ylim=(0, None))
    epochs = range(1, len(accuracies) + 1)
    right.plot(epochs, accuracies, marker="o")
    # Accuracies close together would be zoomed into a band a fraction of a percent high: show at least
    # 90% to 100%, so the curve reads against the scale.
    right.set(title="test accuracy", xlabel="epoch", ylabel="accuracy",
              ylim=(max(0.0, min(min(accuracies) - 0.02, 0.9)), 1.0), xlim=(0.5, len(accuracies) + 0.5))
    right.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    print(f"curves written to {path}")


if __name__ == "__main__":
    train(parse_args())
