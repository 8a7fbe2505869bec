"""Tests of `edugrad.nn.data`: Dataset, TensorDataset, DataLoader, default_collate and the image transforms.

Collation is compared with `torch.utils.data.default_collate`, and the transforms with the same computation
done by torch (torchvision is not installed, so the reference is written with torch ops: `F.pad` and slicing
for crops, `torch.flip` for flips). Random transforms are checked by drawing the same numbers from a
generator seeded like theirs, and by properties that hold for any draw.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import default_collate as torch_default_collate

from edugrad.nn.data import DataLoader, Dataset, TensorDataset, default_collate
from edugrad.nn.data import transforms as T
from edugrad.tensor import Tensor, dtypes, tensor


def _numpy(value: Any) -> Any:
    """Tensors (also inside tuples, lists and dicts) as NumPy arrays, for comparisons."""
    if isinstance(value, (Tensor, torch.Tensor)):
        return value.numpy()
    if isinstance(value, dict):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_numpy(item) for item in value]
    return value


def _assert_same(actual: Any, expected: Any) -> None:
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            _assert_same(actual[key], expected[key])
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_same(a, e)
    elif isinstance(expected, np.ndarray):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        np.testing.assert_array_equal(actual, expected)
    else:
        assert actual == expected


class Squares(Dataset[tuple[Tensor, int]]):
    """A Dataset subclass with no get_batch of its own: sample i is (a vector of i, i ** 2)."""

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        return Tensor(np.full(3, index, dtype=np.float32)), index**2

    def __len__(self) -> int:
        return 10


# TensorDataset

def test_tensor_dataset_indexes_rows_and_keeps_dtypes() -> None:
    images = np.arange(5 * 2 * 3, dtype=np.uint8).reshape(5, 2, 3)
    labels = tensor(np.arange(5) * 10)
    dataset = TensorDataset(images, labels)
    assert len(dataset) == 5
    x, y = dataset[1]
    assert x.dtype is dtypes.uint8 and x.shape == (2, 3) and y.dtype is dtypes.int64 and y.shape == ()
    np.testing.assert_array_equal(x.numpy(), images[1])
    assert y.item() == 10
    assert dataset[-1][1].item() == 40


def test_tensor_dataset_keeps_a_copy() -> None:
    images = np.zeros((3, 2), dtype=np.float32)
    dataset = TensorDataset(images)
    images[0] = 7
    assert dataset[0][0].numpy().tolist() == [0, 0]


def test_tensor_dataset_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"same size in dimension 0, got sizes \[4, 3\]"):
        TensorDataset(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="tensor 1 is 0-d"):
        TensorDataset(np.zeros(3), tensor(1.0))
    with pytest.raises(TypeError, match="unsupported NumPy dtype int16"):
        TensorDataset(np.zeros(3, dtype=np.int16))
    with pytest.raises(IndexError, match="index 3 is out of range for a dataset of 3 samples"):
        TensorDataset(np.zeros(3))[3]


# DataLoader

def test_loader_batches_in_order_with_a_smaller_last_batch() -> None:
    x = np.arange(10 * 2, dtype=np.float32).reshape(10, 2)
    loader = DataLoader(TensorDataset(x, np.arange(10)), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
    np.testing.assert_array_equal(batches[2][1].numpy(), [8, 9])


@pytest.mark.parametrize(("count", "batch_size", "drop_last", "expected"),
                         [(10, 3, False, 4), (10, 3, True, 3), (9, 3, True, 3), (2, 3, True, 0), (0, 3, False, 0),
                          (10, 1, False, 10), (10, 10, True, 1)])
def test_loader_len_matches_torch_and_the_batches(count: int, batch_size: int, drop_last: bool, expected: int) -> None:
    loader = DataLoader(TensorDataset(np.zeros((count, 1))), batch_size=batch_size, drop_last=drop_last)
    torch_loader = torch.utils.data.DataLoader(torch.zeros(count), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(torch_loader) == expected == len(list(loader))
    if drop_last:
        assert all(len(batch[0]) == batch_size for batch in loader)


def test_shuffle_visits_every_sample_once_in_a_new_order_each_epoch() -> None:
    loader = DataLoader(TensorDataset(np.arange(50)), batch_size=8, shuffle=True, seed=3)
    epochs = [np.concatenate([batch[0].numpy() for batch in loader]) for _ in range(3)]
    for order in epochs:
        assert sorted(order.tolist()) == list(range(50))
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], np.arange(50))
    assert loader.epoch == 3


def test_shuffle_is_reproducible_from_the_seed_and_resumable_by_epoch() -> None:
    def orders(loader: DataLoader, epochs: int) -> list[list[int]]:
        return [[int(v) for batch in loader for v in batch[0].numpy()] for _ in range(epochs)]

    dataset = TensorDataset(np.arange(20))
    first = orders(DataLoader(dataset, batch_size=5, shuffle=True, seed=11), 3)
    assert orders(DataLoader(dataset, batch_size=5, shuffle=True, seed=11), 3) == first
    assert orders(DataLoader(dataset, batch_size=5, shuffle=True, seed=12), 3) != first
    resumed = DataLoader(dataset, batch_size=5, shuffle=True, seed=11)
    resumed.epoch = 2
    assert orders(resumed, 1) == first[2:]
    assert [int(i) for i in resumed.order(1)] == first[1]


def test_shuffle_without_a_seed_draws_one() -> None:
    a, b = (DataLoader(TensorDataset(np.arange(100)), shuffle=True) for _ in range(2))
    assert a.seed != b.seed
    assert sorted(int(batch[0].item()) for batch in a) == list(range(100))


def test_drop_last_with_shuffle_drops_the_remainder_of_the_permutation() -> None:
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=4, shuffle=True, drop_last=True, seed=0)
    seen = [int(v) for batch in loader for v in batch[0].numpy()]
    assert len(seen) == 8 and len(set(seen)) == 8
    assert seen == [int(i) for i in loader.order(0)[:8]]


def test_tensor_dataset_fast_path_equals_collating_samples() -> None:
    rng = np.random.default_rng(0)
    dataset = TensorDataset(rng.random((13, 2, 3), dtype=np.float32), rng.integers(0, 9, 13), np.arange(13) < 5)
    fast = list(DataLoader(dataset, batch_size=4, shuffle=True, seed=1))
    slow = list(DataLoader(dataset, batch_size=4, shuffle=True, seed=1, collate_fn=default_collate))
    for a, b in zip(fast, slow, strict=True):
        _assert_same(_numpy(a), _numpy(b))


def test_loader_over_a_dataset_subclass_and_a_list() -> None:
    x, y = next(iter(DataLoader(Squares(), batch_size=4, shuffle=True, seed=0)))
    order = DataLoader(Squares(), shuffle=True, seed=0).order(0)[:4]
    np.testing.assert_array_equal(x.numpy()[:, 0], order)
    np.testing.assert_array_equal(y.numpy(), order**2)
    assert x.dtype is dtypes.float32 and y.dtype is dtypes.int64
    samples = [{"value": float(i), "name": f"s{i}"} for i in range(5)]
    batch = list(DataLoader(samples, batch_size=3))[1]
    assert batch["name"] == ["s3", "s4"] and batch["value"].dtype is dtypes.float64


def test_custom_collate_fn_gets_the_list_of_samples() -> None:
    received = []
    loader = DataLoader(TensorDataset(np.arange(5)), batch_size=2, collate_fn=lambda s: received.append(s) or len(s))
    assert list(loader) == [2, 2, 1]
    assert isinstance(received[0], list) and isinstance(received[0][0], tuple)
    assert int(received[2][0][0].item()) == 4


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True, None])
def test_loader_rejects_a_bad_batch_size(batch_size: Any) -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        DataLoader(TensorDataset(np.arange(5)), batch_size=batch_size)


def test_loader_rejects_a_bad_seed() -> None:
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        DataLoader(TensorDataset(np.arange(5)), shuffle=True, seed=-1)


def test_tensor_dataset_batches_come_from_one_gather_not_per_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path MNIST training relies on: a whole batch is read at once, never sample by sample (its
    speed is measured by the benchmarks, not here)."""
    images = np.random.default_rng(0).random((1000, 1, 28, 28), dtype=np.float32)
    labels = np.arange(1000) % 10
    loader = DataLoader(TensorDataset(images, labels), batch_size=128, shuffle=True, seed=0)

    def per_sample(self: TensorDataset, index: int) -> Any:
        raise AssertionError("the loader read one sample at a time")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    x, y = next(iter(loader))
    order = loader.order(0)[:128]
    np.testing.assert_array_equal(x.numpy(), images[order])
    np.testing.assert_array_equal(y.numpy(), labels[order])


# default_collate

Point = namedtuple("Point", ["x", "y"])

COLLATE_CASES = {
    "tuples of arrays and ints": [(np.ones((2, 2), np.float32) * i, i) for i in range(3)],
    "floats": [0.5, 1.5, -2.0],
    "bools": [True, False],
    "numpy scalars": [np.float32(1.5), np.float32(2.5)],
    "numpy int arrays": [np.arange(3, dtype=np.int32) + i for i in range(2)],
    "uint8 arrays": [np.full((2,), i, np.uint8) for i in range(3)],
    "dicts": [{"a": np.zeros(2, np.float64) + i, "b": {"c": i}} for i in range(2)],
    "strings": [("hello", 1), ("world", 2)],
    "namedtuples": [Point(np.float32(i), i) for i in range(2)],
    "0-d arrays": [np.array(i, dtype=np.int64) for i in range(4)],
}


@pytest.mark.parametrize("batch", COLLATE_CASES.values(), ids=COLLATE_CASES.keys())
def test_default_collate_matches_torch(batch: list[Any]) -> None:
    expected = torch_default_collate(batch)
    actual = default_collate(batch)
    _assert_same(_numpy(actual), _numpy(expected))


def test_default_collate_keeps_container_types() -> None:
    assert isinstance(default_collate([(1, 2), (3, 4)]), tuple)
    assert isinstance(default_collate([[1, 2], [3, 4]]), list)
    point = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(point, Point) and point.x.dtype is dtypes.int64 and point.y.dtype is dtypes.float64


def test_default_collate_stacks_tensors_without_history() -> None:
    samples = [Tensor(np.ones((2, 3), np.float32) * i, requires_grad=True) for i in range(4)]
    batch = default_collate(samples)
    assert batch.shape == (4, 2, 3) and batch.dtype is dtypes.float32 and not batch.requires_grad
    np.testing.assert_array_equal(batch.numpy()[:, 0, 0], [0, 1, 2, 3])


@pytest.mark.parametrize(("batch", "error", "message"), [
    ([], ValueError, "cannot collate an empty batch"),
    ([np.zeros(2), np.zeros(3)], ValueError, r"sample 0 has shape \(2,\) and sample 1 has shape \(3,\)"),
    ([(1, 2), (1, 2, 3)], ValueError, "sample 0 has 2 elements and sample 1 has 3"),
    ([{"a": 1}, {"b": 1}], ValueError, "same keys"),
    ([1, "a"], TypeError, "sample 1 is a str"),
    ([np.zeros(2), 1.0], TypeError, "sample 1 is a float"),
    ([object()], TypeError, "cannot collate samples of type object"),
])
def test_default_collate_errors(batch: list[Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        default_collate(batch)


# transforms

def _images(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (4, 5, 7, 3)])
def test_to_tensor_matches_torch(shape: tuple[int, ...]) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    expected = torch.from_numpy(pixels if len(shape) > 2 else pixels[:, :, None])
    expected = expected.movedim(-1, -3).float() / 255
    for given in (pixels, tensor(pixels)):
        out = T.ToTensor()(given)
        assert isinstance(out, Tensor) and out.dtype is dtypes.float32
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-7)
    assert T.ToTensor()(pixels).numpy().max() <= 1.0


def test_to_tensor_keeps_float_values_and_rejects_bad_shapes() -> None:
    pixels = _images((4, 5, 2)).astype(np.float64)
    out = T.ToTensor()(pixels)
    assert out.dtype is dtypes.float64 and out.shape == (2, 4, 5)
    np.testing.assert_array_equal(out.numpy(), pixels.transpose(2, 0, 1))
    with pytest.raises(ValueError, match=r"ToTensor: expected an image .* got shape \(5,\)"):
        T.ToTensor()(np.zeros(5, np.uint8))


@pytest.mark.parametrize("shape", [(3, 4, 5), (6, 3, 4, 5)])
def test_normalize_matches_torch(shape: tuple[int, ...]) -> None:
    images = _images(shape)
    mean, std = [0.5, 0.25, 0.1], [0.2, 0.5, 2.0]
    expected = (torch.from_numpy(images) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    out = T.Normalize(mean, std)(images)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-6, atol=1e-7)
    out_tensor = T.Normalize(mean, std)(Tensor(images))
    assert isinstance(out_tensor, Tensor) and out_tensor.dtype is dtypes.float32
    np.testing.assert_array_equal(out_tensor.numpy(), out)


def test_normalize_with_one_number_for_all_channels() -> None:
    images = _images((2, 1, 3, 3))
    np.testing.assert_allclose(T.Normalize(0.1307, 0.3081)(images), (images - 0.1307) / 0.3081, rtol=1e-6)


@pytest.mark.parametrize(("images", "transform", "error", "message"), [
    (np.zeros((3, 2, 2), np.uint8), T.Normalize(0.5, 0.5), TypeError, "expected float images, got dtype uint8"),
    (np.zeros((2, 2, 2), np.float32), T.Normalize([0.5] * 3, 0.5), ValueError, "mean has 3 values, but the images "
                                                                               "have 2 channels"),
    (np.zeros((2, 2), np.float32), T.Normalize(0.5, 0.5), ValueError, r"expected an image \(C, H, W\)"),
    (np.zeros((1, 4, 4)), T.RandomCrop(5), ValueError, r"crop size \(5, 5\) is larger than the padded image size"),
])
def test_transform_errors(images: np.ndarray, transform: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        transform(images)


def test_transform_constructor_errors() -> None:
    with pytest.raises(ValueError, match="std must not be zero"):
        T.Normalize(0.5, [1.0, 0.0])
    with pytest.raises(ValueError, match="padding must be"):
        T.RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="size must be a positive int"):
        T.RandomCrop(0)
    with pytest.raises(ValueError, match="p is a probability"):
        T.RandomHorizontalFlip(p=1.5)


@pytest.mark.parametrize(("padding", "torch_pad"), [
    (None, (0, 0, 0, 0)), (2, (2, 2, 2, 2)), ((1, 3), (1, 1, 3, 3)), ((1, 2, 3, 4), (1, 3, 2, 4)),
])
def test_random_crop_matches_torch_pad_and_slice(padding: Any, torch_pad: tuple[int, int, int, int]) -> None:
    # torchvision's padding (left, top, right, bottom) against F.pad's (left, right, top, bottom).
    images, size = _images((16, 2, 6, 7)), (5, 4)
    out = T.RandomCrop(size, padding=padding, fill=0.5, seed=7)(images)
    padded = F.pad(torch.from_numpy(images), torch_pad, value=0.5).numpy()
    rng = np.random.default_rng(7)  # the draws RandomCrop makes: every top, then every left
    tops = rng.integers(0, padded.shape[2] - size[0] + 1, 16)
    lefts = rng.integers(0, padded.shape[3] - size[1] + 1, 16)
    expected = np.stack([padded[n, :, t:t + size[0], l:l + size[1]] for n, (t, l) in enumerate(zip(tops, lefts))])
    assert out.shape == (16, 2, 5, 4)
    np.testing.assert_array_equal(out, expected)


def test_random_crop_picks_each_position_for_each_image_independently() -> None:
    images = np.arange(6 * 6, dtype=np.float32).reshape(1, 1, 6, 6).repeat(400, axis=0)
    out = T.RandomCrop(4, padding=1, seed=0)(images)
    padded = np.pad(images[0, 0], 1)
    windows = {(t, l): padded[t:t + 4, l:l + 4] for t in range(5) for l in range(5)}
    positions = [next(p for p, w in windows.items() if np.array_equal(crop[0], w)) for crop in out]
    assert set(positions) == set(windows)  # all 25 offsets occur among 400 independent draws


def test_random_crop_of_one_tensor_image_is_reproducible() -> None:
    image = Tensor(_images((3, 8, 8)))
    a, b = T.RandomCrop(6, padding=2, seed=5)(image), T.RandomCrop(6, padding=2, seed=5)(image)
    assert isinstance(a, Tensor) and a.shape == (3, 6, 6)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_random_horizontal_flip_matches_torch_flip() -> None:
    images = _images((300, 2, 3, 4))
    flipped = torch.flip(torch.from_numpy(images), dims=[-1]).numpy()
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(images), flipped)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(images), images)
    out = T.RandomHorizontalFlip(seed=2)(images)
    mask = np.random.default_rng(2).random(300) < 0.5
    np.testing.assert_array_equal(out, np.where(mask[:, None, None, None], flipped, images))
    assert 0.4 < mask.mean() < 0.6


def test_random_horizontal_flip_of_one_image_and_a_shared_generator() -> None:
    generator = np.random.default_rng(0)
    flip = T.RandomHorizontalFlip(seed=generator)
    assert flip.generator is generator
    image = Tensor(_images((1, 2, 3)))
    results = {tuple(flip(image).numpy().ravel()) for _ in range(20)}
    assert results == {tuple(image.numpy().ravel()), tuple(image.numpy()[..., ::-1].ravel())}


def test_compose_applies_in_order() -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (4, 4, 3), dtype=np.uint8)
    pipeline = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.25), T.RandomHorizontalFlip(p=1.0)])
    out = pipeline(pixels)
    expected = ((pixels.transpose(2, 0, 1).astype(np.float32) / 255 - 0.5) / 0.25)[..., ::-1]
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    assert repr(pipeline) == ("Compose(\n    ToTensor(),\n    Normalize(mean=[0.5], std=[0.25]),\n"
                              "    RandomHorizontalFlip(p=1.0),\n)")
