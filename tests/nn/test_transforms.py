"""Tests of the image transforms (`edugrad.nn.data.transforms`, re-exported as `edugrad.torchvision.transforms`)
against torchvision's documented behaviour.

torchvision is not installed, so the reference is the computation its documentation describes, written with
torch ops (`F.pad` and slicing for crops, `torch.flip` for flips, the normalization formula) or, for the
padding modes, the documentation's own examples. A random transform makes torchvision's draws from edugrad's
global stream (`randint(0, h - th + 1)` for the top, then one for the left; `rand(1) < p` for a flip), so a test
predicts them by drawing the same numbers after the same `manual_seed`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from edugrad.tensor import Tensor, dtypes, manual_seed, rand, randint, tensor
from edugrad.torchvision import transforms as T


def _pixels(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _floats(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _window(seed: int, height: int, width: int, size: tuple[int, int]) -> tuple[int, int]:
    """The (top, left) that RandomCrop draws after manual_seed(seed), for a padded image of height x width."""
    manual_seed(seed)
    top = int(randint(0, height - size[0] + 1, (1,)).item())
    left = int(randint(0, width - size[1] + 1, (1,)).item())
    manual_seed(seed)
    return top, left


# ToTensor

@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (4, 5, 7, 3)], ids=["HW", "HWC", "NHWC batch"])
def test_to_tensor_matches_torchvision(shape: tuple[int, ...]) -> None:
    pixels = _pixels(shape)
    expected = torch.from_numpy(pixels if len(shape) > 2 else pixels[:, :, None]).movedim(-1, -3).float() / 255
    out = T.ToTensor()(pixels)
    assert isinstance(out, Tensor) and out.dtype is dtypes.float32 and out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    assert out.numpy().max() <= 1.0


def test_to_tensor_keeps_other_dtypes_and_their_values() -> None:
    pixels = _floats((4, 5, 2)).astype(np.float64)
    out = T.ToTensor()(pixels)
    assert out.dtype is dtypes.float64 and out.shape == (2, 4, 5)
    np.testing.assert_array_equal(out.numpy(), pixels.transpose(2, 0, 1))
    assert T.ToTensor()(np.arange(6, dtype=np.int64).reshape(2, 3)).numpy().tolist() == [[[0, 1, 2], [3, 4, 5]]]


def test_to_tensor_rejects_what_is_not_a_numpy_image() -> None:
    with pytest.raises(ValueError, match=r"ToTensor: expected an image .* got shape \(5,\)"):
        T.ToTensor()(np.zeros(5, np.uint8))
    with pytest.raises(TypeError, match="ToTensor: expected a NumPy image .* got Tensor"):
        T.ToTensor()(tensor(np.zeros((2, 2), np.uint8)))


# Normalize

@pytest.mark.parametrize("shape", [(3, 4, 5), (6, 3, 4, 5)], ids=["CHW", "NCHW"])
def test_normalize_matches_torchvision(shape: tuple[int, ...]) -> None:
    images = _floats(shape)
    mean, std = [0.5, 0.25, 0.1], [0.2, 0.5, 2.0]
    expected = (torch.from_numpy(images) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    given = tensor(images)
    out = T.Normalize(mean, std)(given)
    assert isinstance(out, Tensor) and out.dtype is dtypes.float32 and out is not given
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(given.numpy(), images)  # not in place


def test_normalize_in_place_changes_the_tensor_itself() -> None:
    images = _floats((2, 4, 4))
    given = tensor(images)
    out = T.Normalize((0.5, 0.25), (2.0, 4.0), inplace=True)(given)
    assert out is given
    expected = (images - np.array([0.5, 0.25], np.float32)[:, None, None]) / np.array([2, 4], np.float32)[:, None, None]
    np.testing.assert_allclose(given.numpy(), expected, rtol=1e-6)


def test_normalize_keeps_the_graph_of_an_image_that_requires_grad() -> None:
    images = _floats((2, 3, 3))
    ours, theirs = tensor(images, requires_grad=True), torch.tensor(images, requires_grad=True)
    T.Normalize((0.5, 0.1), (2.0, 4.0))(ours).sum().backward()
    ((theirs - torch.tensor([0.5, 0.1])[:, None, None]) / torch.tensor([2.0, 4.0])[:, None, None]).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


def test_normalize_with_one_number_for_all_channels_and_the_mnist_numbers() -> None:
    images = _floats((2, 1, 3, 3))
    expected = (torch.from_numpy(images) - 0.1307) / 0.3081
    for mean, std in ((0.1307, 0.3081), ((0.1307,), (0.3081,))):
        np.testing.assert_allclose(T.Normalize(mean, std)(tensor(images)).numpy(), expected.numpy(), rtol=1e-6)
    assert repr(T.Normalize((0.1307,), (0.3081,))) == "Normalize(mean=(0.1307,), std=(0.3081,))"


@pytest.mark.parametrize(("images", "transform", "error", "message"), [
    (np.zeros((3, 2, 2), np.float32), T.Normalize(0.5, 0.5), TypeError, "expected a Tensor image .* got ndarray"),
    (tensor(np.zeros((3, 2, 2), np.uint8)), T.Normalize(0.5, 0.5), TypeError, "expected a float Tensor image, got "
                                                                              "dtype uint8"),
    (tensor(np.zeros((2, 2), np.float32)), T.Normalize(0.5, 0.5), ValueError, r"\(\.\.\., C, H, W\), got shape"),
    (tensor(np.zeros((2, 2, 2), np.float32)), T.Normalize([0.5] * 3, 0.5), ValueError, "mean must be one number or "
                                                                                       "one per channel"),
    (tensor(np.zeros((2, 2, 2), np.float32)), T.Normalize(0.5, [1.0, 0.0]), ValueError, "is zero in float32"),
    (tensor(np.zeros((1, 2, 2), np.float32)), T.Normalize(0.5, 1e-50), ValueError, "is zero in float32"),
])
def test_normalize_errors(images: Any, transform: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        transform(images)


# RandomCrop

@pytest.mark.parametrize(("padding", "torch_pad"), [
    (None, (0, 0, 0, 0)), (2, (2, 2, 2, 2)), ((1, 3), (1, 1, 3, 3)), ((1, 2, 3, 4), (1, 3, 2, 4)), ([2], (2,) * 4),
])
def test_random_crop_of_a_tensor_matches_torch_pad_and_slice(padding: Any, torch_pad: tuple[int, ...]) -> None:
    # torchvision's padding is (left, top, right, bottom), F.pad's is (left, right, top, bottom).
    images, size = _floats((2, 6, 7)), (5, 4)
    padded = F.pad(torch.from_numpy(images), torch_pad, value=0.5).numpy()
    top, left = _window(7, padded.shape[1], padded.shape[2], size)
    out = T.RandomCrop(size, padding=padding, fill=0.5)(tensor(images))
    assert isinstance(out, Tensor) and out.shape == (2, 5, 4)
    np.testing.assert_array_equal(out.numpy(), padded[:, top:top + 5, left:left + 4])


def test_random_crop_of_a_numpy_image_crops_rows_and_columns() -> None:
    for image in (_pixels((9, 8)), _pixels((9, 8, 3))):  # PIL-like: (H, W) or (H, W, C)
        top, left = _window(3, 9, 8, (4, 6))
        out = T.RandomCrop((4, 6))(image)
        assert isinstance(out, np.ndarray) and out.dtype == np.uint8
        np.testing.assert_array_equal(out, image[top:top + 4, left:left + 6])


def test_random_crop_crops_a_whole_batch_at_one_place() -> None:
    batch = _floats((5, 2, 8, 8))
    top, left = _window(11, 8, 8, (3, 3))
    out = T.RandomCrop(3)(tensor(batch))
    np.testing.assert_array_equal(out.numpy(), batch[..., top:top + 3, left:left + 3])


@pytest.mark.parametrize(("mode", "expected"), [
    # The examples of torchvision's documentation: [1, 2, 3, 4] padded with 2 elements on both sides.
    ("constant", [9, 9, 1, 2, 3, 4, 9, 9]), ("edge", [1, 1, 1, 2, 3, 4, 4, 4]),
    ("reflect", [3, 2, 1, 2, 3, 4, 3, 2]), ("symmetric", [2, 1, 1, 2, 3, 4, 4, 3]),
])
def test_random_crop_padding_modes_as_torchvision_documents_them(mode: str, expected: list[int]) -> None:
    row = np.array([[1, 2, 3, 4]], dtype=np.uint8)
    crop = T.RandomCrop((1, 8), padding=(2, 0), fill=9, padding_mode=mode)  # the whole padded row: no draw
    assert crop(row).tolist() == [expected]
    assert crop(tensor(row[None])).numpy().tolist() == [[expected]]


def test_random_crop_pad_if_needed_pads_both_sides_by_what_is_missing() -> None:
    image = _floats((1, 3, 2))
    padded = np.pad(image, ((0, 0), (2, 2), (3, 3)))  # 3 rows short of 5, 4 columns short of 6, on each side
    top, left = _window(2, 7, 8, (5, 6))
    out = T.RandomCrop((5, 6), pad_if_needed=True)(tensor(image))
    np.testing.assert_array_equal(out.numpy(), padded[:, top:top + 5, left:left + 6])


def test_random_crop_of_the_whole_image_draws_nothing() -> None:
    image = _floats((1, 4, 4))
    manual_seed(0)
    expected_next = rand(1).item()
    manual_seed(0)
    assert T.RandomCrop.get_params(tensor(image), (4, 4)) == (0, 0, 4, 4)
    np.testing.assert_array_equal(T.RandomCrop(4)(tensor(image)).numpy(), image)
    assert rand(1).item() == expected_next


def test_random_crop_get_params_stays_inside_the_image() -> None:
    for _ in range(50):
        top, left, height, width = T.RandomCrop.get_params(_pixels((10, 7)), (4, 3))
        assert (height, width) == (4, 3) and 0 <= top <= 6 and 0 <= left <= 4


def test_random_crop_errors() -> None:
    with pytest.raises(ValueError, match=r"crop size \(5, 5\) is larger than the image size \(4, 4\)"):
        T.RandomCrop(5)(tensor(np.zeros((1, 4, 4), np.float32)))
    with pytest.raises(ValueError, match="padding must be"):
        T.RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="size must be a positive int"):
        T.RandomCrop(0)
    with pytest.raises(ValueError, match="padding_mode must be one of constant, edge, reflect, symmetric"):
        T.RandomCrop(2, padding_mode="wrap")
    with pytest.raises(ValueError, match=r"expected a NumPy image \(H, W\) or \(H, W, C\), got shape \(5,\)"):
        T.RandomCrop(2)(np.zeros(5))
    assert repr(T.RandomCrop(28, padding=2)) == "RandomCrop(size=(28, 28), padding=2)"


# RandomHorizontalFlip

def test_random_horizontal_flip_mirrors_with_probability_p() -> None:
    image = _floats((2, 3, 4))
    flipped = torch.flip(torch.from_numpy(image), dims=[-1]).numpy()
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(tensor(image)).numpy(), flipped)
    given = tensor(image)
    assert T.RandomHorizontalFlip(p=0.0)(given) is given
    pil_like = _pixels((3, 4, 3))
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(pil_like), pil_like[:, ::-1])
    manual_seed(4)
    draws = [rand(1).item() < 0.5 for _ in range(200)]
    manual_seed(4)
    flip = T.RandomHorizontalFlip()
    results = [np.array_equal(flip(tensor(image)).numpy(), flipped) for _ in range(200)]
    assert results == draws and 70 < sum(results) < 130
    with pytest.raises(ValueError, match="p is a probability"):
        T.RandomHorizontalFlip(p=1.5)


# Compose

def test_compose_applies_the_pytorch_example_pipeline_in_order() -> None:
    pixels = _pixels((28, 28))
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    out = pipeline(pixels)
    expected = (torch.from_numpy(pixels)[None].float() / 255 - 0.1307) / 0.3081
    assert isinstance(out, Tensor) and out.shape == (1, 28, 28)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
    assert repr(pipeline) == "Compose(\n    ToTensor()\n    Normalize(mean=(0.1307,), std=(0.3081,))\n)"
