"""Image transforms: `ToTensor`, `Normalize`, `RandomCrop`, `RandomHorizontalFlip` and `Compose`.

Top layer (`edugrad.nn.data`), with the names and arguments of `torchvision.transforms`. Images are
channels-first: one image is (C, H, W), a batch is (N, C, H, W). Every transform but `ToTensor` takes
either, as a NumPy array or a Tensor, and returns the same kind. The work is done on the NumPy values:
preprocessing needs no gradients, so it has no reason to build a graph.

Random transforms draw one independent choice per image, also within a batch. So augmenting whole batches
after the DataLoader gives the same distribution as augmenting each sample in the dataset, at the cost of
one NumPy call per batch instead of one per image:

    augment = transforms.Compose([transforms.RandomCrop(28, padding=2, seed=0), transforms.Normalize(0.1307, 0.3081)])
    for x, y in loader:
        x = augment(x)

Each random transform has its own generator, `np.random.default_rng(seed)`; `seed` may be an int, a NumPy
`Generator` (shared between transforms, if you like) or None for a random one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from edugrad.tensor import Tensor, tensor

__all__ = ["Compose", "ImageTransform", "Normalize", "RandomCrop", "RandomHorizontalFlip", "ToTensor"]

Image = TypeVar("Image", Tensor, NDArray[Any])
Seed = int | np.random.Generator | None


class Compose:
    """Apply `transforms` one after the other, as `torchvision.transforms.Compose`."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, images: Any) -> Any:
        """`images` passed through every transform."""
        for transform in self.transforms:
            images = transform(images)
        return images

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {transform!r},\n" for transform in self.transforms) + ")"


class ToTensor:
    """Pixels as a channels-first float Tensor, as `torchvision.transforms.ToTensor`: uint8 values 0..255
    become float32 in [0, 1]; other dtypes keep their values. (H, W) becomes (1, H, W), (H, W, C) becomes
    (C, H, W) and a batch (N, H, W, C) becomes (N, C, H, W); give a batch of grayscale images as (N, H, W, 1),
    since (N, H, W) reads as one (H, W, C) image."""

    def __call__(self, pictures: Tensor | NDArray[Any]) -> Tensor:
        """The pictures as a channels-first Tensor."""
        array = pictures.numpy() if isinstance(pictures, Tensor) else np.asarray(pictures)
        if array.ndim not in (2, 3, 4):
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), or a batch (N, H, W, C), got shape "
                             f"{array.shape}")
        if array.ndim == 2:
            array = array[:, :, None]
        channels_first = np.moveaxis(array, -1, -3)
        if array.dtype == np.uint8:
            return tensor(channels_first.astype(np.float32) / np.float32(255))
        return tensor(channels_first)

    def __repr__(self) -> str:
        return "ToTensor()"


class ImageTransform(ABC):
    """A transform of channels-first images, one (C, H, W) or a batch (N, C, H, W), NumPy or Tensor in and
    the same out; subclasses define `forward` on a NumPy batch."""

    def __call__(self, images: Image) -> Image:
        """The transformed image or batch, of the same kind (NumPy or Tensor) as `images`."""
        array = images.numpy() if isinstance(images, Tensor) else np.asarray(images)
        if array.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__}: expected an image (C, H, W) or a batch of images (N, C, H, W), "
                             f"got shape {array.shape}")
        batch = self.forward(array if array.ndim == 4 else array[None])
        out = batch if array.ndim == 4 else batch[0]
        if isinstance(images, Tensor):
            return tensor(out, backend=images.backend)
        return out

    @abstractmethod
    def forward(self, batch: NDArray[Any]) -> NDArray[Any]:
        """The transform of a batch (N, C, H, W)."""


class Normalize(ImageTransform):
    """`(image - mean[c]) / std[c]` for each channel c, as `torchvision.transforms.Normalize`; `mean` and `std`
    are one number per channel, or one number for all. Expects float images (apply ToTensor first)."""

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"Normalize: mean and std must be numbers or sequences of numbers, got {mean!r} and "
                             f"{std!r}")
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must not be zero (it divides), got {std!r}")

    def forward(self, batch: NDArray[Any]) -> NDArray[Any]:
        if batch.dtype.kind != "f":
            raise TypeError(f"Normalize: expected float images, got dtype {batch.dtype}; convert them with ToTensor "
                            "(uint8 pixels become floats in [0, 1]) first")
        channels = batch.shape[1]
        for name, values in (("mean", self.mean), ("std", self.std)):
            if len(values) not in (1, channels):
                raise ValueError(f"Normalize: {name} has {len(values)} values, but the images have {channels} "
                                 f"channels (shape {batch.shape[1:]})")
        # Computed in the images' dtype, as torchvision does, so float32 stays float32.
        mean, std = (values.astype(batch.dtype).reshape(-1, 1, 1) for values in (self.mean, self.std))
        normalized: NDArray[Any] = (batch - mean) / std
        return normalized

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class RandomCrop(ImageTransform):
    """A random `size` window of each image, after padding the borders with `fill`, as
    `torchvision.transforms.RandomCrop`. `size` is an int (square) or (height, width); `padding` is an int
    (all borders), (left/right, top/bottom) or (left, top, right, bottom)."""

    def __init__(self, size: int | tuple[int, int], padding: int | Sequence[int] | None = None, fill: float = 0,
                 seed: Seed = None) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        if len(self.size) != 2 or min(self.size) < 1:
            raise ValueError(f"RandomCrop: size must be a positive int or (height, width), got {size!r}")
        self.padding = _padding_ltrb(padding)
        self.fill = fill
        self.generator = np.random.default_rng(seed)

    def forward(self, batch: NDArray[Any]) -> NDArray[Any]:
        left, top, right, bottom = self.padding
        padded = np.pad(batch, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=self.fill)
        (height, width), (out_height, out_width) = padded.shape[2:], self.size
        if out_height > height or out_width > width:
            raise ValueError(f"RandomCrop: the crop size {self.size} is larger than the padded image size "
                             f"{(height, width)} (image {batch.shape[2:]}, padding {self.padding})")
        count = len(batch)
        tops = self.generator.integers(0, height - out_height + 1, size=count)
        lefts = self.generator.integers(0, width - out_width + 1, size=count)
        # windows[n, c, i, j] is the (out_height, out_width) window whose top-left corner is (i, j): a view, no
        # copy. Indexing axes 0, 2 and 3 with arrays picks window (tops[n], lefts[n]) of image n; NumPy puts
        # that broadcast axis first, so the result is (N, C, out_height, out_width).
        windows = sliding_window_view(padded, self.size, axis=(2, 3))
        crops: NDArray[Any] = windows[np.arange(count), :, tops, lefts]
        return crops

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(ImageTransform):
    """Mirror each image left-right with probability `p`, as `torchvision.transforms.RandomHorizontalFlip`."""

    def __init__(self, p: float = 0.5, seed: Seed = None) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p is a probability, between 0 and 1, got {p!r}")
        self.p = p
        self.generator = np.random.default_rng(seed)

    def forward(self, batch: NDArray[Any]) -> NDArray[Any]:
        flip = self.generator.random(len(batch)) < self.p
        return np.where(flip[:, None, None, None], batch[..., ::-1], batch)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


def _padding_ltrb(padding: int | Sequence[int] | None) -> tuple[int, int, int, int]:
    """torchvision's three ways to give padding as (left, top, right, bottom)."""
    values = (0,) if padding is None else (padding,) if isinstance(padding, int) else tuple(padding)
    if len(values) not in (1, 2, 4) or not all(isinstance(v, int) and v >= 0 for v in values):
        raise ValueError(f"RandomCrop: padding must be a non-negative int, (left/right, top/bottom) or (left, top, "
                         f"right, bottom), got {padding!r}")
    left, top, right, bottom = values * (4 // len(values))
    return left, top, right, bottom
