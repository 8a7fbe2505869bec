"""A small ResNet with BatchNorm, trained with data augmentation on Fashion-MNIST.

    hatch run resnet                     # the files of Debian's dataset-fashion-mnist, or a download
    hatch run resnet --epochs 2 --data-dir path/to/fashion-mnist

The network is He et al.'s residual design at a size a laptop trains in minutes: a 3x3 stem and a 2x2 max
pool, then three stages of basic blocks (conv-BN-ReLU-conv-BN plus the block's input, then ReLU), the second
and third halving the resolution and doubling the channels (a 1x1 convolution brings the input to the new
shape), global average pooling and a linear classifier. Every training batch is augmented: each image is shifted by up to
`--shift` pixels (a random crop of the zero-padded image) and mirrored left-right with probability 1/2. The
learning rate follows a one-cycle schedule (SGD with Nesterov momentum). Test accuracy is measured after
every epoch, in evaluation mode (BatchNorm's running statistics).

Data: `sudo apt install dataset-fashion-mnist` installs the four IDX files in /usr/share/datasets/
fashion-mnist/, where this example finds them; `--data-dir` or `$EDUGRAD_DATA` point elsewhere, and without
local files edugrad downloads them (checksums verified) into ~/.cache/edugrad.
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

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST's training pixels, scaled to [0, 1]


class BasicBlock(nn.Module):
    """relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)): the block learns a correction to its input."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:  # the input must take the output's shape to be added
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x: Tensor) -> Tensor:
        y = self.bn1(self.conv1(x)).relu()
        return (self.bn2(self.conv2(y)) + self.shortcut(x)).relu()


class ResNet(nn.Module):
    """Stem, three stages of `depth` blocks each (width, 2 x width, 4 x width channels at 14x14, 7x7, 4x4),
    global average pooling, classifier."""

    def __init__(self, width: int = 16, depth: int = 1, classes: int = 10) -> None:
        super().__init__()
        # the stem halves the resolution at once (28 -> 14): the blocks then cost a quarter as much
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.MaxPool2d(2))
        stages: list[nn.Module] = []
        channels = width
        for stage in range(3):
            out = width * 2 ** stage
            for block in range(depth):
                stages.append(BasicBlock(channels, out, stride=2 if stage > 0 and block == 0 else 1))
                channels = out
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.stages(self.stem(x))
        return self.fc(x.mean(dim=(2, 3)))  # global average pooling: one number per channel


def augment(images: np.ndarray, shift: int, rng: np.random.Generator) -> np.ndarray:
    """Each image (N, 1, H, W) moved by its own random offset of up to `shift` pixels (zeros come in), and
    mirrored left-right with probability 1/2."""
    n, _, height, width = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (shift, shift), (shift, shift)))
    dy, dx = rng.integers(0, 2 * shift + 1, (2, n))
    rows = dy[:, None] + np.arange(height)  # (N, H): the rows of each crop
    cols = dx[:, None] + np.arange(width)
    crops = padded[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]]
    flip = rng.random(n) < 0.5
    crops[flip] = crops[flip, :, ::-1]
    return crops[:, None]


def to_inputs(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28), normalised with the training set's mean and deviation."""
    return ((images.astype(np.float32) / 255.0 - MEAN) / STD)[:, None]


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> float:
    """The fraction of images classified as their labels, in evaluation mode and without a graph."""
    model.eval()
    correct = 0
    with no_grad():
        for start in range(0, len(labels), batch_size):
            logits = model(tensor(images[start:start + batch_size]))
            correct += int((logits.argmax(1).numpy() == labels[start:start + batch_size]).sum())
    model.train()
    return correct / len(labels)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="folder holding the four IDX files")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training set (default 5)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    parser.add_argument("--lr", type=float, default=0.2, help="peak learning rate (default 0.2)")
    parser.add_argument("--width", type=int, default=16, help="channels of the first stage (default 16)")
    parser.add_argument("--depth", type=int, default=1, help="blocks per stage (default 1)")
    parser.add_argument("--shift", type=int, default=1, help="largest shift of the augmentation (default 1)")
    parser.add_argument("--max-steps", type=int, default=None, help="stop each epoch after this many steps")
    parser.add_argument("--train-subset", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--test-subset", type=int, default=None, help="test on the first N images only")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialisation and the batches")
    parser.add_argument("--save", type=Path, default=Path("runs/resnet.safetensors"), help="weights file")
    parser.add_argument("--plot", type=Path, default=Path("runs/resnet.png"), help="PNG of the curves")
    return parser.parse_args(argv)


def load(data_dir: Path | None) -> datasets.Splits:
    """Fashion-MNIST from disk or the network; a clear message, with the way to install it, otherwise."""
    try:
        return datasets.fashion_mnist(root=data_dir)
    except datasets.DatasetError as error:
        raise SystemExit(f"error: Fashion-MNIST is not available.\n{error}\nOn Debian or Ubuntu, "
                         "`sudo apt install dataset-fashion-mnist` installs it in /usr/share/datasets/, or give "
                         "the folder of the four IDX files with --data-dir.") from None


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Train with augmentation, test after each epoch, save the weights and curves; return the accuracies."""
    args = parse_args(argv)
    splits = load(args.data_dir)
    train_x = to_inputs(splits.train_images[:args.train_subset])
    train_y = splits.train_labels[:args.train_subset]
    test_x, test_y = to_inputs(splits.test_images[:args.test_subset]), splits.test_labels[:args.test_subset]
    manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = ResNet(args.width, args.depth)
    print(f"{len(train_x):,} training and {len(test_x):,} test images; "
          f"{sum(p.numel() for p in model.parameters()):,} parameters")
    steps = steps_per_epoch(len(train_x), args.batch_size, args.max_steps)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    schedule = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps)
    losses: list[float] = []
    accuracies: list[float] = []
    for epoch in range(1, args.epochs + 1):
        progress = tqdm(epoch_batches(len(train_x), args.batch_size, steps, rng),
                        desc=f"epoch {epoch}/{args.epochs}", unit="batch")
        for rows in progress:
            images = tensor(augment(train_x[rows], args.shift, rng))
            loss = F.cross_entropy(model(images), tensor(train_y[rows]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            progress.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        accuracies.append(accuracy(model, test_x, test_y))
        print(f"epoch {epoch}: test accuracy {accuracies[-1]:.2%}")
    args.save.parent.mkdir(parents=True, exist_ok=True)
    nn.save(model.state_dict(), args.save)
    print(f"weights saved to {args.save}")
    plot_curves({"training loss": (list(range(1, len(losses) + 1)), losses),
                 "test error": ([steps * e for e in range(1, args.epochs + 1)], [1 - a for a in accuracies])},
                args.plot, "ResNet on Fashion-MNIST", "cross-entropy / error rate")
    return {"losses": losses, "accuracies": accuracies}


if __name__ == "__main__":
    main()
