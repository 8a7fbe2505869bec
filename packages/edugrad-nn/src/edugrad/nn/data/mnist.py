"""`MNIST` and `FashionMNIST` as Datasets, in torchvision's folder layout (`torchvision.datasets.MNIST`).

Top layer (`edugrad.nn.data`), over the IDX readers and the checksummed downloader of `edugrad.nn.datasets`.
The files live in `root/MNIST/raw/` (`root/FashionMNIST/raw/`), named as the mirrors name them, each
compressed (`train-images-idx3-ubyte.gz`) or not, which is torchvision's layout: a folder torchvision has
downloaded into is read as it is. `download=True` fetches the missing files into that folder first.

An item is `(image, label)`. torchvision gives a PIL image; edugrad has no PIL, so the image is what a PIL
image of MNIST holds, a (28, 28) uint8 NumPy array (a fresh copy: a transform may change it), and
`transforms.ToTensor()` turns it into a (1, 28, 28) float32 Tensor in [0, 1] as it does a PIL image.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from edugrad.nn import datasets
from edugrad.nn._download import DownloadError
from edugrad.nn.data.dataset import Dataset
from edugrad.tensor import Tensor, tensor

__all__ = ["FashionMNIST", "MNIST"]

Transform = Callable[[Any], Any] | None


class MNIST(Dataset[tuple[Any, Any]]):
    """The MNIST digits, as `torchvision.datasets.MNIST`: the 60,000 training images (`train=True`) or the
    10,000 test images from `root/MNIST/raw/`. `dataset[i]` is `(transform(image), target_transform(label))`
    with `image` a (28, 28) uint8 NumPy array (torchvision's PIL image) and `label` an int. `data` and
    `targets` are all images and labels as Tensors (uint8 (N, 28, 28) and int64 (N,)); assigning to them
    (`dataset.targets = ...`) changes the dataset."""

    #: What the labels 0 to 9 stand for, as torchvision names them.
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    #: The key of this dataset in `edugrad.nn.datasets.SOURCES` (mirrors and checksums).
    source = "mnist"

    def __init__(self, root: str | os.PathLike[str], train: bool = True, transform: Transform = None,
                 target_transform: Transform = None, download: bool = False) -> None:
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        try:
            self._images, self._labels = datasets.read_split(self.raw_folder, train)
        except FileNotFoundError as error:
            raise datasets.DatasetError(f"{type(self).__name__}: dataset not found: {error}. Pass download=True to "
                                        "download it into that folder, or copy the files there.") from error

    @property
    def raw_folder(self) -> str:
        """`root/<class name>/raw`, where the files are read from and downloaded to."""
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Each class name with its label."""
        return {name: label for label, name in enumerate(self.classes)}

    @property
    def data(self) -> Tensor:
        """The images, a uint8 Tensor (N, 28, 28) (a copy: change them by assigning to `data`)."""
        return tensor(self._images)

    @data.setter
    def data(self, images: Tensor | NDArray[Any]) -> None:
        self._images = _as_array(images)

    @property
    def targets(self) -> Tensor:
        """The labels, an int64 Tensor (N,) (a copy: change them by assigning to `targets`)."""
        return tensor(self._labels)

    @targets.setter
    def targets(self, labels: Tensor | NDArray[Any]) -> None:
        self._labels = _as_array(labels)

    def __len__(self) -> int:
        """The number of images."""
        return len(self._images)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """`(image, label)` number `index`, through `transform` and `target_transform` when given."""
        image: Any = self._images[index].copy()
        label: Any = int(self._labels[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def download(self) -> None:
        """Download into `raw_folder` whichever of the four files it lacks, checking each one's SHA-256."""
        try:
            datasets.download_missing(self.source, self.raw_folder)
        except DownloadError as error:
            raise datasets.DatasetError(f"{type(self).__name__}: downloading into {self.raw_folder} failed:\n"
                                        f"{error}") from error

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {'Train' if self.train else 'Test'}"]
        for name, transform in (("Transform", self.transform), ("Target transform", self.target_transform)):
            if transform is not None:
                lines.append(f"    {name}: {transform!r}".replace("\n", "\n    "))
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Fashion-MNIST, as `torchvision.datasets.FashionMNIST`: MNIST's format and interface, photos of
    clothing, files in `root/FashionMNIST/raw/`."""

    classes = list(datasets.FASHION_MNIST_CLASSES)
    source = "fashion-mnist"


def _as_array(values: Tensor | NDArray[Any]) -> NDArray[Any]:
    return values.numpy() if isinstance(values, Tensor) else np.asarray(values)
