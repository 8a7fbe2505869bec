"""examples/resnet.py, the ResNet on Fashion-MNIST: the augmentation moves and mirrors each image by its own
draw, the blocks keep or halve the resolution as designed, a short run on the real data lowers the loss and
saves weights that load, and missing data is reported with the way to install it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from edugrad.nn import datasets, load
from edugrad.tensor import Tensor

HAS_FASHION = all((datasets.SYSTEM_DATA_DIR / "fashion-mnist" / f"{name}.gz").exists() for name in datasets.FILES)


def test_augment_shifts_by_at_most_the_limit_and_mirrors_about_half(example: Callable[[str], ModuleType]) -> None:
    images = np.zeros((400, 1, 16, 16), np.float32)
    images[:, 0, 8, 3] = 1.0  # one bright pixel, left of the centre: a mirror image puts it right of it
    moved = example("resnet").augment(images, 2, np.random.default_rng(0))
    assert moved.shape == images.shape and np.all(moved.sum(axis=(1, 2, 3)) == 1.0)  # moved, never cut off
    rows, cols = np.argwhere(moved[:, 0] == 1.0)[:, 1:].T
    assert set(rows) == {6, 7, 8, 9, 10}  # shifted up or down by 0, 1 or 2, each seen
    mirrored = cols > 7
    assert set(cols[~mirrored]) == {1, 2, 3, 4, 5} and set(cols[mirrored]) == {10, 11, 12, 13, 14}
    assert 150 < mirrored.sum() < 250


def test_the_stages_halve_the_resolution_and_double_the_channels(example: Callable[[str], ModuleType]) -> None:
    resnet = example("resnet")
    model = resnet.ResNet(width=4, depth=2)
    x = model.stem(Tensor.randn(2, 1, 28, 28))
    shapes = []
    for block in model.stages:
        x = block(x)
        shapes.append(x.shape)
    assert shapes == [(2, 4, 14, 14), (2, 4, 14, 14), (2, 8, 7, 7), (2, 8, 7, 7), (2, 16, 4, 4), (2, 16, 4, 4)]
    assert isinstance(model.stages[0].shortcut, resnet.nn.Identity)  # same shape: the input is added as it is
    assert model.stages[2].shortcut[0].stride == (2, 2)
    assert model(Tensor.randn(2, 1, 28, 28)).shape == (2, 10)


@pytest.mark.skipif(not HAS_FASHION, reason="needs Fashion-MNIST in /usr/share/datasets/fashion-mnist: "
                                            "`sudo apt install dataset-fashion-mnist`")
def test_a_short_run_on_fashion_mnist_learns_and_saves(run_example: Callable[..., str],
                                                       example: Callable[[str], ModuleType], tmp_path: Path,
                                                       png: Callable[[Path], bool]) -> None:
    weights, curves = tmp_path / "r.safetensors", tmp_path / "r.png"
    out = run_example("resnet.py", "--epochs", "1", "--max-steps", "12", "--batch-size", "32", "--width", "8",
                      "--train-subset", "384", "--test-subset", "500", "--save", weights, "--plot", curves)
    accuracy = float(re.search(r"test accuracy ([0-9.]+)%", out).group(1))  # type: ignore[union-attr]
    assert accuracy > 20.0, out  # twice chance
    model = example("resnet").ResNet(width=8)
    model.load_state_dict(load(weights))
    assert int(load(weights)["stem.1.num_batches_tracked"].item()) == 12
    assert png(curves)


def test_missing_data_says_how_to_install_it(example: Callable[[str], ModuleType], no_local_data: None) -> None:
    """No files anywhere and no network: the message names the Debian package."""
    with pytest.raises(SystemExit, match="apt install dataset-fashion-mnist"):
        example("resnet").load(None)
