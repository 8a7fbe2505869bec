"""Tests of `edugrad.nn.datasets` (the IDX reader, where files are looked for, and downloading) and of the
torchvision datasets `MNIST` and `FashionMNIST` (`edugrad.nn.data.mnist`) built on it.

Every test builds its own small IDX files. None touches the network: an autouse fixture replaces the URL
opener with one that serves only file:// URLs, so a "mirror" here is a folder in tmp_path. A few tests read
the real MNIST (the `real_mnist` fixture of tests/conftest.py finds a copy) and Fashion-MNIST (from Debian's
package), and are skipped, saying how to get them, where those are absent.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import tracemalloc
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import URLError

import numpy as np
import pytest
from numpy.typing import NDArray

from edugrad.nn import _download, datasets
from edugrad.nn.data.mnist import MNIST, FashionMNIST
from edugrad.nn.data.transforms import Compose, Normalize, ToTensor
from edugrad.nn.datasets import FILES, DatasetError, DatasetSource, Splits
from edugrad.tensor import dtypes, tensor

REAL_SYSTEM_DATA_DIR = datasets.SYSTEM_DATA_DIR  # saved before the autouse fixture points it into tmp_path

# From shared/datasets/README.md: SHA-256 of the four MNIST files, uncompressed.
MNIST_CONTENT_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# Written independently of datasets.IDX_DTYPES, so a wrong entry there shows up as a failing round trip.
TYPE_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
              np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E}


def idx_bytes(array: NDArray[Any]) -> bytes:
    """`array` serialized as an IDX file: magic number, big-endian sizes, big-endian elements."""
    header = bytes([0, 0, TYPE_CODES[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_file(path: Path, content: bytes, compress: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def make_dataset(folder: Path, seed: int, compress: bool = True) -> Splits:
    """Write the four files of a tiny random dataset (5 train, 3 test) into `folder`; return what they hold.

    Different seeds give different contents, which is how the tests tell which folder a dataset came from.
    """
    rng = np.random.default_rng(seed)
    arrays = Splits(rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5, dtype=np.int64),
                    rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), rng.integers(0, 10, 3, dtype=np.int64))
    for stem, array in zip(FILES, arrays):
        name = f"{stem}.gz" if compress else stem
        write_file(folder / name, idx_bytes(array.astype(np.uint8)), compress)
    return arrays


def assert_splits_equal(actual: Splits, expected: Splits) -> None:
    for field in Splits._fields:
        np.testing.assert_array_equal(getattr(actual, field), getattr(expected, field), err_msg=field)


def offline_urlopen(url: str, *args: Any, **kwargs: Any) -> Any:
    if not url.startswith("file:"):
        raise URLError("network access is disabled in tests")
    return urllib.request.urlopen(url, *args, **kwargs)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No real folder and no network: home, cache and system folder live in tmp_path, EDUGRAD_DATA is unset."""
    monkeypatch.delenv("EDUGRAD_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(datasets, "SYSTEM_DATA_DIR", tmp_path / "system")
    monkeypatch.setattr(_download, "urlopen", offline_urlopen)
    yield


def user_cache(tmp_path: Path, name: str = "mnist") -> Path:
    return tmp_path / "home" / ".cache" / "edugrad" / name


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "raw"])
@pytest.mark.parametrize("dtype", list(TYPE_CODES), ids=str)
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4)], ids=["1d", "3d"])
def test_read_idx_round_trips_every_element_type(tmp_path: Path, compress: bool, dtype: np.dtype[Any],
                                                 shape: tuple[int, ...]) -> None:
    # Values above 255 and negative ones make a byte-order mistake visible for the multi-byte types.
    array = (np.arange(np.prod(shape)).reshape(shape) * (-3 if dtype.kind != "u" else 1) + 1000).astype(dtype)
    path = write_file(tmp_path / "data.idx", idx_bytes(array), compress)

    result = datasets.read_idx(path)

    assert result.dtype == dtype and result.dtype.isnative
    assert result.shape == shape
    np.testing.assert_array_equal(result, array)
    assert result.flags.writeable


def test_read_idx_detects_compression_by_content_not_by_name(tmp_path: Path) -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    compressed_without_gz = write_file(tmp_path / "images", idx_bytes(array), compress=True)
    plain_with_gz = write_file(tmp_path / "labels.gz", idx_bytes(array), compress=False)

    np.testing.assert_array_equal(datasets.read_idx(compressed_without_gz), array)
    np.testing.assert_array_equal(datasets.read_idx(plain_with_gz), array)


def test_read_idx_accepts_a_str_path(tmp_path: Path) -> None:
    path = write_file(tmp_path / "labels", idx_bytes(np.array([3, 1, 4], dtype=np.uint8)), compress=False)
    np.testing.assert_array_equal(datasets.read_idx(str(path)), [3, 1, 4])


GOOD = idx_bytes(np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8))
GOOD_GZ = gzip.compress(GOOD)

BAD_FILES = {
    # name: (bytes on disk, whether to gzip them, a phrase the error must contain)
    "empty": (b"", False, "too short"),
    "not IDX": (b"\x01\x02\x08\x01" + GOOD[4:], False, "does not start with an IDX magic number"),
    "unknown type code": (b"\x00\x00\x07\x03" + GOOD[4:], False, "does not start with an IDX magic number"),
    "HTML page saved as .gz": (b"<!DOCTYPE html>\n<html><body>404 Not Found</body></html>", False, "HTML"),
    "text": (b"version https://git-lfs.github.com/spec/v1\n", False, "looks like text"),
    "truncated header": (GOOD[:10], False, "announces 3 dimensions"),
    "truncated data": (GOOD[:-100], False, "the file is truncated"),
    "truncated data, gzipped": (GOOD[:-100], True, "the file is truncated"),
    "extra bytes": (GOOD + b"\x00" * 7, False, "7 bytes too many"),
    "cut-off gzip": (GOOD_GZ[: len(GOOD_GZ) // 2], False, "cannot be decompressed"),
    "gzip with bad CRC": (GOOD_GZ[:-8] + b"\xff\xff\xff\xff" + GOOD_GZ[-4:], False, "cannot be decompressed"),
    "gzip magic, then garbage": (b"\x1f\x8b" + b"garbage" * 10, False, "cannot be decompressed"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_read_idx_rejects_a_bad_file_and_names_it(tmp_path: Path, case: str) -> None:
    content, compress, phrase = BAD_FILES[case]
    path = write_file(tmp_path / "train-images-idx3-ubyte.gz", content, compress)

    with pytest.raises(DatasetError) as raised:
        datasets.read_idx(path)

    assert str(path) in str(raised.value)
    assert phrase in str(raised.value)


def gzip_bomb(path: Path, inflated_mib: int) -> Path:
    """A gzip file whose content, an IDX header announcing a (inflated_mib MiB,) byte array and that many
    zeros, is about a thousand times its size; compressed a MiB at a time, so writing it takes no memory."""
    body = inflated_mib << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    with path.open("wb") as file:
        file.write(compressor.compress(b"\0\0\x08\x01" + struct.pack(">I", body)))
        for _ in range(inflated_mib):
            file.write(compressor.compress(bytes(1 << 20)))
        file.write(compressor.flush())
    return path


def test_a_gzip_bomb_stops_at_the_size_limit_reading_in_chunks(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The probe was 1 MiB inflating to 1 GiB; the same at a sixteenth of the size, with the limit at
    # 4 MiB: reading stops there, and the memory used stays near the limit, far from the inflated size.
    monkeypatch.setattr(datasets, "MAX_IDX_BYTES", 4 << 20)
    path = gzip_bomb(tmp_path / "train-images-idx3-ubyte.gz", 64)
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match=f"{path} decompresses to more than 4194304 bytes"):
            datasets.read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # the inflated 64 MiB was never held


def test_a_plain_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "MAX_IDX_BYTES", len(GOOD) - 1)
    path = write_file(tmp_path / "t10k-images-idx3-ubyte", GOOD, False)
    with pytest.raises(DatasetError, match=f"{path} holds more than {len(GOOD) - 1} bytes"):
        datasets.read_idx(path)
    monkeypatch.setattr(datasets, "MAX_IDX_BYTES", len(GOOD))
    assert datasets.read_idx(path).shape == (3, 28, 28)


def test_read_idx_of_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        datasets.read_idx(tmp_path / "nothing-here")


def test_candidate_dirs_are_root_then_edugrad_data_then_cache_then_system(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGRAD_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    assert datasets.candidate_dirs("fashion-mnist", root=tmp_path / "mine") == [
        tmp_path / "mine",
        tmp_path / "data" / "fashion-mnist",
        tmp_path / "xdg" / "edugrad" / "fashion-mnist",
        tmp_path / "system" / "fashion-mnist",
    ]


def test_candidate_dirs_default_to_the_home_cache_and_the_system_folder(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert datasets.candidate_dirs("mnist") == [user_cache(tmp_path), tmp_path / "system" / "mnist"]
    # The XDG spec says a relative XDG_CACHE_HOME is invalid and is to be ignored, and so is an empty one.
    for ignored in ("relative/cache", ""):
        monkeypatch.setenv("XDG_CACHE_HOME", ignored)
        assert datasets.cache_dir("mnist") == user_cache(tmp_path)
    monkeypatch.setenv("EDUGRAD_DATA", "")
    assert len(datasets.candidate_dirs("mnist")) == 2


def test_the_first_folder_with_all_four_files_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGRAD_DATA", str(tmp_path / "data"))
    folders = [tmp_path / "mine", tmp_path / "data" / "mnist", user_cache(tmp_path), tmp_path / "system" / "mnist"]
    contents = [make_dataset(folder, seed) for seed, folder in enumerate(folders)]

    assert_splits_equal(datasets.mnist(root=tmp_path / "mine", download=False), contents[0])
    for folder, expected in zip(folders[1:], contents[1:]):
        assert_splits_equal(datasets.mnist(download=False), expected)
        shutil.rmtree(folder)  # the next folder in the order takes over


def test_a_folder_with_only_some_files_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGRAD_DATA", str(tmp_path / "data"))
    make_dataset(tmp_path / "data" / "mnist", seed=1)
    (tmp_path / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    expected = make_dataset(user_cache(tmp_path), seed=2)

    assert_splits_equal(datasets.mnist(download=False), expected)


def test_a_folder_may_mix_compressed_and_plain_files(tmp_path: Path) -> None:
    expected = make_dataset(tmp_path / "mine", seed=3, compress=False)
    for stem in FILES[:2]:  # these two compressed, under the .gz name
        plain = tmp_path / "mine" / stem
        write_file(plain.with_name(f"{stem}.gz"), plain.read_bytes(), compress=True)
        plain.unlink()

    assert_splits_equal(datasets.mnist(root=tmp_path / "mine", download=False), expected)


def test_not_found_names_every_folder_and_how_to_point_at_files(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDUGRAD_DATA", str(tmp_path / "data"))
    make_dataset(tmp_path / "data" / "mnist", seed=1)
    (tmp_path / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()

    with pytest.raises(DatasetError) as raised:
        datasets.mnist(root=tmp_path / "mine", download=False)

    message = str(raised.value)
    for folder in datasets.candidate_dirs("mnist", root=tmp_path / "mine"):
        assert str(folder) in message
    assert "lacks t10k-labels-idx1-ubyte" in message
    assert "download=False" in message
    assert "root=" in message and "EDUGRAD_DATA" in message
    assert not user_cache(tmp_path).exists()  # nothing was downloaded, not even a folder made


def test_fashion_mnist_not_found_suggests_the_debian_package() -> None:
    with pytest.raises(DatasetError, match="apt-get install dataset-fashion-mnist"):
        datasets.fashion_mnist(download=False)


def test_an_unknown_dataset_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="fashion-mnist"):
        datasets.load_dataset("cifar10")


def test_images_and_labels_of_different_lengths_are_rejected(tmp_path: Path) -> None:
    make_dataset(tmp_path / "mine", seed=1)
    labels = write_file(tmp_path / "mine" / "train-labels-idx1-ubyte.gz",
                        idx_bytes(np.zeros(4, dtype=np.uint8)), compress=True)

    with pytest.raises(DatasetError, match="do not belong together") as raised:
        datasets.mnist(root=tmp_path / "mine", download=False)
    assert str(labels) in str(raised.value)


def test_a_labels_file_in_place_of_an_images_file_is_rejected(tmp_path: Path) -> None:
    make_dataset(tmp_path / "mine", seed=1)
    shutil.copy(tmp_path / "mine" / "train-labels-idx1-ubyte.gz", tmp_path / "mine" / "train-images-idx3-ubyte.gz")

    with pytest.raises(DatasetError, match="should hold images"):
        datasets.mnist(root=tmp_path / "mine", download=False)


def test_labels_outside_0_to_9_are_rejected(tmp_path: Path) -> None:
    make_dataset(tmp_path / "mine", seed=1)
    write_file(tmp_path / "mine" / "t10k-labels-idx1-ubyte.gz", idx_bytes(np.array([1, 2, 200], dtype=np.uint8)),
               compress=True)

    with pytest.raises(DatasetError, match="label 200"):
        datasets.mnist(root=tmp_path / "mine", download=False)


def serve(folder: Path, seed: int) -> tuple[Splits, dict[str, str]]:
    """Put a tiny dataset into `folder`, the fake mirror; return its contents and the SHA-256 of each file."""
    expected = make_dataset(folder, seed)
    checksums = {f"{stem}.gz": hashlib.sha256((folder / f"{stem}.gz").read_bytes()).hexdigest() for stem in FILES}
    return expected, checksums


def use_mirrors(monkeypatch: pytest.MonkeyPatch, folders: list[Path], checksums: dict[str, str]) -> None:
    source = DatasetSource("MNIST", tuple(folder.as_uri() + "/" for folder in folders), checksums)
    monkeypatch.setitem(datasets.SOURCES, "mnist", source)


def test_download_writes_verified_files_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, checksums = serve(tmp_path / "mirror", seed=5)
    use_mirrors(monkeypatch, [tmp_path / "mirror"], checksums)

    assert_splits_equal(datasets.mnist(), expected)

    assert sorted(path.name for path in user_cache(tmp_path).iterdir()) == sorted(checksums)  # no .part left
    shutil.rmtree(tmp_path / "mirror")
    assert_splits_equal(datasets.mnist(download=False), expected)  # the second time, from the cache


def test_download_tries_the_next_mirror_when_one_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, checksums = serve(tmp_path / "mirror", seed=5)
    use_mirrors(monkeypatch, [tmp_path / "offline-mirror", tmp_path / "mirror"], checksums)

    assert_splits_equal(datasets.mnist(), expected)


def test_download_fetches_only_the_files_the_cache_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, checksums = serve(tmp_path / "mirror", seed=5)
    use_mirrors(monkeypatch, [tmp_path / "mirror"], checksums)
    for stem in FILES[:3]:  # an earlier run got these three, then was interrupted
        write_file(user_cache(tmp_path) / f"{stem}.gz", (tmp_path / "mirror" / f"{stem}.gz").read_bytes(), False)
    fetched = []

    def counting_urlopen(url: str, **kwargs: Any) -> Any:
        fetched.append(url)
        return offline_urlopen(url, **kwargs)

    monkeypatch.setattr(_download, "urlopen", counting_urlopen)

    assert_splits_equal(datasets.mnist(), expected)
    assert [url.rsplit("/", 1)[1] for url in fetched] == ["t10k-labels-idx1-ubyte.gz"]


def test_a_checksum_mismatch_deletes_the_partial_file_and_says_so(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, checksums = serve(tmp_path / "mirror", seed=5)
    checksums["train-images-idx3-ubyte.gz"] = "0" * 64
    use_mirrors(monkeypatch, [tmp_path / "mirror"], checksums)

    with pytest.raises(DatasetError) as raised:
        datasets.mnist()

    message = str(raised.value)
    assert "SHA-256" in message and "0" * 64 in message and "partial file was deleted" in message
    assert (tmp_path / "mirror").as_uri() + "/train-images-idx3-ubyte.gz" in message
    assert list(user_cache(tmp_path).iterdir()) == []


def test_a_download_is_invisible_until_it_is_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes go to a temporary file in the cache folder itself (so os.replace is atomic), never to the
    final name, and an interrupted download leaves nothing behind."""
    _, checksums = serve(tmp_path / "mirror", seed=5)
    use_mirrors(monkeypatch, [tmp_path / "mirror"], checksums)
    cache = user_cache(tmp_path)

    class InterruptedResponse:
        """Wraps a real response; looks at the cache folder mid-download, then stops like Ctrl-C would."""

        def __init__(self, response: Any) -> None:
            self.response, self.headers = response, response.headers
            self.seen: list[str] = []  # the cache folder's contents after the first chunk arrived

        def __enter__(self) -> InterruptedResponse:
            return self

        def __exit__(self, *exc: object) -> None:
            self.response.close()

        def read(self, size: int) -> bytes:
            if self.seen:
                raise KeyboardInterrupt
            self.seen.extend(sorted(path.name for path in cache.iterdir()))
            return bytes(self.response.read(size))

    responses = []

    def interrupted_urlopen(url: str, **kwargs: Any) -> InterruptedResponse:
        responses.append(InterruptedResponse(offline_urlopen(url)))
        return responses[-1]

    monkeypatch.setattr(_download, "urlopen", interrupted_urlopen)

    with pytest.raises(KeyboardInterrupt):
        datasets.mnist()

    [seen] = [response.seen for response in responses]
    assert len(seen) == 1 and seen[0].startswith(".train-images-idx3-ubyte.gz.") and seen[0].endswith(".part")
    assert list(cache.iterdir()) == []


def test_without_network_the_error_lists_each_mirror_that_failed(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as raised:
        datasets.mnist()

    message = str(raised.value)
    for mirror in datasets.SOURCES["mnist"].mirrors:
        assert f"{mirror}train-images-idx3-ubyte.gz: <urlopen error network access is disabled" in message
    assert f"Downloading into {user_cache(tmp_path)} failed" in message
    assert list(user_cache(tmp_path).iterdir()) == []


def test_real_mnist(real_mnist: Path) -> None:
    splits = datasets.mnist(root=real_mnist, download=False)

    assert splits.train_images.shape == (60000, 28, 28) and splits.test_images.shape == (10000, 28, 28)
    assert splits.train_labels.shape == (60000,) and splits.test_labels.shape == (10000,)
    assert splits.train_images.dtype == np.uint8 and splits.train_labels.dtype == np.int64
    assert set(np.unique(splits.train_labels)) == set(range(10)) == set(np.unique(splits.test_labels))
    # Written back as IDX, every array must reproduce its file byte for byte: nothing was lost or reordered.
    for stem, array in zip(FILES, splits):
        assert hashlib.sha256(idx_bytes(array.astype(np.uint8))).hexdigest() == MNIST_CONTENT_SHA256[stem], stem


@pytest.mark.skipif(not (REAL_SYSTEM_DATA_DIR / "fashion-mnist").is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_from_the_system_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "SYSTEM_DATA_DIR", REAL_SYSTEM_DATA_DIR)

    splits = datasets.fashion_mnist(download=False)

    assert splits.train_images.shape == (60000, 28, 28) and splits.test_images.shape == (10000, 28, 28)
    assert splits.train_images.dtype == np.uint8 and splits.test_labels.dtype == np.int64
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images of each of its 10 classes.
    assert np.bincount(splits.train_labels).tolist() == [6000] * len(datasets.FASHION_MNIST_CLASSES)
    assert np.bincount(splits.test_labels).tolist() == [1000] * 10


# MNIST and FashionMNIST as torchvision datasets (root/<Name>/raw/)

def test_mnist_reads_torchvision_s_layout(tmp_path: Path) -> None:
    expected = make_dataset(tmp_path / "data" / "MNIST" / "raw", seed=3)
    train, test = MNIST(tmp_path / "data"), MNIST(str(tmp_path / "data"), train=False)
    assert (len(train), len(test)) == (5, 3) and train.train and not test.train
    image, label = train[1]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert isinstance(label, int) and label == expected.train_labels[1]
    np.testing.assert_array_equal(image, expected.train_images[1])
    image[:] = 0  # a copy: changing it leaves the dataset as it was
    np.testing.assert_array_equal(train[1][0], expected.train_images[1])
    assert train.data.dtype is dtypes.uint8 and train.targets.dtype is dtypes.int64
    np.testing.assert_array_equal(test.data.numpy(), expected.test_images)
    np.testing.assert_array_equal(test.targets.numpy(), expected.test_labels)
    assert train.classes[3] == "3 - three" and train.class_to_idx["9 - nine"] == 9
    assert train.raw_folder == os.path.join(tmp_path / "data", "MNIST", "raw")


def test_mnist_applies_transform_and_target_transform(tmp_path: Path) -> None:
    expected = make_dataset(tmp_path / "MNIST" / "raw", seed=4, compress=False)
    dataset = MNIST(tmp_path, train=False, transform=lambda image: image.sum(), target_transform=lambda y: -y)
    assert dataset[2] == (expected.test_images[2].sum(), -expected.test_labels[2])
    assert repr(dataset).splitlines()[:4] == ["Dataset MNIST", "    Number of datapoints: 3",
                                              f"    Root location: {tmp_path}", "    Split: Test"]


def test_mnist_data_and_targets_can_be_replaced(tmp_path: Path) -> None:
    expected = make_dataset(tmp_path / "MNIST" / "raw", seed=5)
    dataset = MNIST(tmp_path)
    dataset.data, dataset.targets = dataset.data[1:3], tensor(np.array([7, 8]))
    assert len(dataset) == 2 and dataset[1][1] == 8
    np.testing.assert_array_equal(dataset[0][0], expected.train_images[1])


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path: Path) -> None:
    make_dataset(tmp_path / "FashionMNIST" / "raw", seed=6)
    dataset = FashionMNIST(tmp_path)
    assert len(dataset) == 5 and dataset.classes[9] == "Ankle boot"
    with pytest.raises(DatasetError, match="MNIST: dataset not found"):
        MNIST(tmp_path)


def test_mnist_not_found_says_where_and_how_to_get_it(tmp_path: Path) -> None:
    make_dataset(tmp_path / "MNIST" / "raw", seed=7)
    (tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz").unlink()
    MNIST(tmp_path)  # the train split is complete
    with pytest.raises(RuntimeError, match=r"does not hold the test split: has 1 of the 2 files, lacks "
                                           r"t10k-labels-idx1-ubyte .*Pass download=True"):
        MNIST(tmp_path, train=False)


def test_mnist_download_fetches_into_the_raw_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, checksums = serve(tmp_path / "mirror", seed=8)
    use_mirrors(monkeypatch, [tmp_path / "mirror"], checksums)
    dataset = MNIST(tmp_path / "data", train=False, download=True)
    np.testing.assert_array_equal(dataset.data.numpy(), expected.test_images)
    raw = tmp_path / "data" / "MNIST" / "raw"
    assert sorted(path.name for path in raw.iterdir()) == sorted(checksums)  # all four, as torchvision does
    shutil.rmtree(tmp_path / "mirror")
    assert len(MNIST(tmp_path / "data", download=True)) == 5  # nothing left to fetch
    assert list(user_cache(tmp_path).parent.glob("*")) == []  # nothing went to edugrad's own cache


def test_mnist_download_failure_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"MNIST: downloading into .*MNIST.raw failed"):
        MNIST(tmp_path, download=True)


def test_real_mnist_through_the_pytorch_example_s_transform(real_mnist: Path, tmp_path: Path) -> None:
    import torch

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for stem in FILES:
        (raw / f"{stem}.gz").symlink_to(real_mnist / f"{stem}.gz")
    transform = Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    dataset = MNIST(tmp_path, train=True, transform=transform)
    image, label = dataset[0]
    assert len(dataset) == 60000 and label == 5 and image.shape == (1, 28, 28) and image.dtype is dtypes.float32
    pixels = torch.from_numpy(dataset.data[0].numpy())
    expected = (pixels[None].float() / 255 - 0.1307) / 0.3081
    np.testing.assert_allclose(image.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
