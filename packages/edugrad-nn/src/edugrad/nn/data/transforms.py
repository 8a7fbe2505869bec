"""Image transforms with the names, arguments and behaviour of `torchvision.transforms`.

Top layer (`edugrad.nn.data`). torchvision takes a PIL image or a Tensor; edugrad has no PIL, and a NumPy
array stands in for a PIL image: (H, W) for a grayscale image, (H, W, C) for a colour one, channels last, as
`np.asarray(pil_image)` gives it (`torchvision.datasets.MNIST` items are PIL images, edugrad's `MNIST` items
are (28, 28) uint8 arrays). A Tensor image is channels-first, (..., C, H, W), as in torchvision. So the usual
pipeline reads as it does there:

    transform = transforms.Compose([transforms.RandomCrop(28, padding=2), transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])

`RandomCrop` and `RandomHorizontalFlip` take either kind of image and return the same kind; `ToTensor` turns
an array into a Tensor; `Normalize` takes Tensors only. A random transform makes one draw per call, from
edugrad's global random stream (as torchvision draws from torch's), so `edugrad.tensor.manual_seed(s)` fixes
the draws, and each DataLoader worker process draws differently, because each is seeded with its own seed.
Given a batch (N, C, H, W), a random transform crops or flips the whole batch the same way, as in torchvision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from edugrad.tensor import Tensor, from_numpy, rand, randint, tensor

__all__ = ["Compose", "Normalize", "RandomCrop", "RandomHorizontalFlip", "ToTensor"]

Image = TypeVar("Image", Tensor, NDArray[Any])
PADDING_MODES = ("constant", "edge", "reflect", "symmetric")  # torchvision's names, which are NumPy's too


class Compose:
    """Apply `transforms` one after the other, as `torchvision.transforms.Compose`."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        """`img` passed through every transform."""
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self) -> str:
        return "Compose(" + "".join(f"\n    {transform!r}" for transform in self.transforms) + "\n)"


class ToTensor:
    """A NumPy image as a channels-first Tensor, as `torchvision.transforms.ToTensor`: (H, W) becomes (1, H, W)
    and (H, W, C) becomes (C, H, W); uint8 values 0..255 become float32 in [0, 1], other dtypes keep their
    values. edugrad also takes a batch (N, H, W, C), which becomes (N, C, H, W)."""

    def __call__(self, pic: NDArray[Any]) -> Tensor:
        """The image as a channels-first Tensor."""
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"ToTensor: expected a NumPy image (H, W) or (H, W, C) (edugrad's stand-in for a PIL "
                            f"image), got {type(pic).__name__}")
        if pic.ndim not in (2, 3, 4):
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), or a batch (N, H, W, C), got shape "
                             f"{pic.shape}")
        channels_last = pic[:, :, None] if pic.ndim == 2 else pic
        channels_first = channels_last.transpose((2, 0, 1) if channels_last.ndim == 3 else (0, 3, 1, 2))
        if pic.dtype == np.uint8:
            return tensor(channels_first.astype(np.float32) / np.float32(255))
        return tensor(np.ascontiguousarray(channels_first))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """`(image - mean[c]) / std[c]` for each channel c of a float Tensor image (..., C, H, W), as
    `torchvision.transforms.Normalize`; `mean` and `std` hold one number per channel, or one for all. The
    result is a new Tensor, or `tensor` itself, changed in place, when `inplace`."""

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float], inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        """The normalized image."""
        if not isinstance(tensor, Tensor):
            raise TypeError(f"Normalize: expected a Tensor image (..., C, H, W), got {type(tensor).__name__}; turn "
                            "a NumPy image into one with ToTensor first")
        if not tensor.dtype.is_floating_point:
            raise TypeError(f"Normalize: expected a float Tensor image, got dtype {tensor.dtype.name}; ToTensor "
                            "turns uint8 pixels into floats in [0, 1]")
        if tensor.ndim < 3:
            raise ValueError(f"Normalize: expected a Tensor image of shape (..., C, H, W), got shape {tensor.shape}")
        mean, std = (self._per_channel(name, values, tensor) for name, values in
                     (("mean", self.mean), ("std", self.std)))
        if np.any(std == 0):
            raise ValueError(f"Normalize: std {self.std!r} is zero in {tensor.dtype.name}, which would divide by "
                             "zero")
        if self.inplace:
            return tensor.sub_(from_numpy(mean)).div_(from_numpy(std))
        if tensor.requires_grad:  # keep the graph, as torchvision's Tensor ops do
            return tensor.sub(from_numpy(mean)).div(from_numpy(std))
        # Nothing to record: the same arithmetic in NumPy, a few calls instead of the graph machinery of two
        # Tensor ops (this runs once per sample of a dataset).
        return from_numpy((tensor.numpy() - mean) / std)

    @staticmethod
    def _per_channel(name: str, values: float | Sequence[float], image: Tensor) -> NDArray[Any]:
        """`values` in the image's dtype, shaped (C, 1, 1) to broadcast over each channel's pixels."""
        array = np.asarray(values, dtype=image.dtype.np_dtype)
        channels = image.shape[-3]
        if array.ndim > 1 or array.size not in (1, channels):
            raise ValueError(f"Normalize: {name} must be one number or one per channel, but has shape "
                             f"{array.shape} for an image with {channels} channels (shape {image.shape})")
        return array.reshape(-1, 1, 1)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop:
    """A window of `size` at a random position, as `torchvision.transforms.RandomCrop`: `size` is an int
    (square) or (height, width). The image is first padded by `padding` (an int for every border,
    (left/right, top/bottom) or (left, top, right, bottom)), then, if `pad_if_needed`, by as much as it is
    still smaller than `size` on both sides of that axis. `padding_mode` is "constant" (with `fill`), "edge",
    "reflect" or "symmetric"."""

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = _size_pair(size)
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode
        if padding is not None:
            _padding_ltrb(padding)
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {', '.join(PADDING_MODES)}, got "
                             f"{padding_mode!r}")
        if not isinstance(fill, (int, float)):
            raise TypeError(f"RandomCrop: fill must be a number, got {fill!r}")

    @staticmethod
    def get_params(img: Tensor | NDArray[Any], output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """A random crop `(top, left, height, width)` of size `output_size` within `img`, as torchvision's."""
        return _random_window(*_height_width(img), output_size)

    def __call__(self, img: Image) -> Image:
        """The cropped image, of the same kind (NumPy or Tensor) as `img`."""
        array, (rows, columns) = _pixels(img)
        if self.padding is not None:
            array = self._pad(array, _padding_ltrb(self.padding), rows, columns)
        height, width = array.shape[rows], array.shape[columns]
        out_height, out_width = self.size
        if self.pad_if_needed and width < out_width:
            array = self._pad(array, (out_width - width, 0) * 2, rows, columns)
        if self.pad_if_needed and height < out_height:
            array = self._pad(array, (0, out_height - height) * 2, rows, columns)
        top, left, out_height, out_width = _random_window(array.shape[rows], array.shape[columns], self.size)
        window = [slice(None)] * array.ndim
        window[rows], window[columns] = slice(top, top + out_height), slice(left, left + out_width)
        return _like(img, array[tuple(window)])

    def _pad(self, array: NDArray[Any], ltrb: tuple[int, int, int, int], rows: int, columns: int) -> NDArray[Any]:
        left, top, right, bottom = ltrb
        widths = [(0, 0)] * array.ndim
        widths[rows], widths[columns] = (top, bottom), (left, right)
        if self.padding_mode == "constant":
            return np.pad(array, widths, mode="constant", constant_values=self.fill)
        return np.pad(array, widths, mode=self.padding_mode)  # type: ignore[call-overload, no-any-return]

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left-right with probability `p`, as `torchvision.transforms.RandomHorizontalFlip`."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p is a probability, between 0 and 1, got {p!r}")
        self.p = p

    def __call__(self, img: Image) -> Image:
        """The image, mirrored or not, of the same kind (NumPy or Tensor) as `img`."""
        array, (_, columns) = _pixels(img)
        if rand(1).item() < self.p:
            return _like(img, np.flip(array, axis=columns))
        return img

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


def _pixels(img: Tensor | NDArray[Any]) -> tuple[NDArray[Any], tuple[int, int]]:
    """The image's values and its (rows, columns) axes: 0 and 1 for a NumPy (PIL-like) image, the last two for
    a Tensor."""
    if isinstance(img, Tensor):
        if img.ndim < 2:
            raise ValueError(f"expected a Tensor image (..., H, W), got shape {img.shape}")
        return img.numpy(), (img.ndim - 2, img.ndim - 1)
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise ValueError(f"expected a NumPy image (H, W) or (H, W, C), got shape {img.shape}")
        return img, (0, 1)
    raise TypeError(f"expected a NumPy image (H, W) or (H, W, C) or a Tensor image (..., H, W), got "
                    f"{type(img).__name__}")


def _height_width(img: Tensor | NDArray[Any]) -> tuple[int, int]:
    array, (rows, columns) = _pixels(img)
    return array.shape[rows], array.shape[columns]


def _random_window(height: int, width: int, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """`(top, left, height, width)` of a window of `size` placed uniformly at random in a height x width image,
    drawn from edugrad's global random stream (nothing is drawn when the window is the whole image)."""
    out_height, out_width = size
    if height < out_height or width < out_width:
        raise ValueError(f"RandomCrop: the crop size {size} is larger than the image size {(height, width)}; pad the "
                         "image (padding=, pad_if_needed=True) or crop less")
    if (height, width) == size:
        return 0, 0, height, width
    top = int(randint(0, height - out_height + 1, (1,)).item())
    left = int(randint(0, width - out_width + 1, (1,)).item())
    return top, left, out_height, out_width


def _like(img: Image, array: NDArray[Any]) -> Image:
    """`array` as the kind of image `img` is: a NumPy array, or a Tensor on `img`'s backend."""
    if isinstance(img, Tensor):
        return tensor(np.ascontiguousarray(array), backend=img.backend)
    return np.ascontiguousarray(array)


def _size_pair(size: int | Sequence[int]) -> tuple[int, int]:
    """torchvision's sizes: an int for a square, or (height, width); a sequence of one int is a square too."""
    values = (size, size) if isinstance(size, int) else tuple(size)
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        raise ValueError(f"RandomCrop: size must be a positive int or (height, width), got {size!r}")
    return values[0], values[1]


def _padding_ltrb(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """torchvision's ways to give padding as (left, top, right, bottom): one int, or 1, 2 or 4 of them."""
    values = (padding,) if isinstance(padding, int) else tuple(padding)
    if len(values) not in (1, 2, 4) or not all(isinstance(v, int) and v >= 0 for v in values):
        raise ValueError(f"RandomCrop: padding must be a non-negative int, (left/right, top/bottom) or (left, top, "
                         f"right, bottom), got {padding!r}")
    left, top, right, bottom = values * (4 // len(values))
    return left, top, right, bottom
