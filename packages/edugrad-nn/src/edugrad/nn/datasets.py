"""MNIST and Fashion-MNIST as NumPy arrays: read from IDX files found on disk, or downloaded once and cached.

Top layer (`edugrad.nn`), yet it imports nothing from edugrad: a dataset is four plain NumPy arrays, and the
caller decides how to turn them into `Tensor`s (usually floats in [0, 1]). Keeping it NumPy-only means the
data can be inspected, plotted or fed to another library without touching the autograd machinery.

    from edugrad.nn import datasets
    train_images, train_labels, test_images, test_labels = datasets.mnist()
    x = train_images.reshape(len(train_images), -1).astype(np.float32) / 255  # (60000, 784), then Tensor(x)

Where the four files of a dataset `<name>` ("mnist" or "fashion-mnist") are looked for, in order (this is
`candidate_dirs`):

1. the folder given as `root=`;
2. `$EDUGRAD_DATA/<name>/`;
3. the user cache, `$XDG_CACHE_HOME/edugrad/<name>/`, by default `~/.cache/edugrad/<name>/`;
4. the system folder `/usr/share/datasets/<name>/` (Debian's `dataset-fashion-mnist` installs there).

The first folder that holds all four files is used; each file may be called `x.gz` or `x` and be compressed
or not. If no folder has them and `download=True`, the missing files are downloaded into the user cache and
checked against their published SHA-256 (see `_download.py`). Files found on disk are not checked against
that table, because a re-compressed copy is just as good (Debian re-compresses Fashion-MNIST): `read_idx`
checks instead that every file is a well-formed IDX file, and `load_dataset` that the four fit together.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from math import prod
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from edugrad.nn._download import DownloadError, download

__all__ = [
    "DatasetError", "DatasetSource", "FASHION_MNIST_CLASSES", "FILES", "IDX_DTYPES", "SOURCES", "SYSTEM_DATA_DIR",
    "Splits", "cache_dir", "candidate_dirs", "download_missing", "fashion_mnist", "load_dataset", "mnist", "read_idx",
    "read_split",
]


class DatasetError(RuntimeError):
    """A dataset cannot be loaded: a file is missing, damaged or not what its name says; the message says
    which file, what is wrong with it and what to do about it. A RuntimeError, as torchvision's "Dataset not
    found" error is."""


class Splits(NamedTuple):
    """The train and test splits of an image-classification dataset, as NumPy arrays.

    Images are `uint8` of shape (N, 28, 28), one byte per pixel (0 to 255), exactly as stored in the files.
    Labels are `int64` of shape (N,), class indices 0 to 9: the files store bytes, but `int64` is the dtype
    class indices have in PyTorch, and it keeps arithmetic on labels safe (`np.uint8(0) - 1` is 255).
    Unpacks in this order: `train_images, train_labels, test_images, test_labels = mnist()`.
    """

    train_images: NDArray[np.uint8]
    train_labels: NDArray[np.int64]
    test_images: NDArray[np.uint8]
    test_labels: NDArray[np.int64]


@dataclass(frozen=True)
class DatasetSource:
    """What `load_dataset` knows about one dataset: its title, download mirrors and file checksums."""

    title: str
    mirrors: tuple[str, ...]  # base URLs ending in "/", tried in order
    sha256: Mapping[str, str]  # "<file>.gz" -> SHA-256 of the compressed file as the mirrors serve it
    install_hint: str = ""  # one more sentence for the "not found" error, if there is another way to get it


#: The four files of an MNIST-style dataset, in the order of the fields of `Splits`.
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

#: Where a system package installs datasets, as `<SYSTEM_DATA_DIR>/<name>/` (a module constant so tests can
#: point it elsewhere).
SYSTEM_DATA_DIR = Path("/usr/share/datasets")

SOURCES: dict[str, DatasetSource] = {
    # LeCun's original site no longer serves the files reliably; these mirrors serve the same bytes.
    "mnist": DatasetSource(
        title="MNIST",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        sha256={
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
    ),
    # Zalando Research publishes only MD5 sums; these SHA-256 sums of the same files are the ones other
    # dataset loaders pin (two independent public sources agree). They cannot be computed from Debian's
    # package: it re-compressed the files, so its .gz bytes differ although the content is the same.
    "fashion-mnist": DatasetSource(
        title="Fashion-MNIST",
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),  # plain HTTP: SHA-256 guards it
        sha256={
            "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        },
        install_hint=" On Debian or Ubuntu, 'apt-get install dataset-fashion-mnist' installs it into "
                     "/usr/share/datasets/fashion-mnist/, where it is found without downloading.",
    ),
}

#: What the labels 0 to 9 of Fashion-MNIST stand for.
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                         "Bag", "Ankle boot")

#: The third byte of an IDX file's magic number says how each element is stored. Multi-byte types are
#: big-endian (">"), the byte order of the machines of 1998, whatever the machine reading them today.
IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}

GZIP_MAGIC = b"\x1f\x8b"  # every gzip stream starts with these two bytes; an IDX file starts with two zeros

#: The most bytes an IDX file may hold, decompressed: well above the largest file of these datasets (MNIST's
#: training images, 60,000 of 28 x 28 bytes). Files are read (and decompressed) in chunks of READ_CHUNK_BYTES and
#: counted on the way, so a damaged or hostile gzip file, which can inflate a thousandfold, stops at this limit,
#: not when memory runs out.
MAX_IDX_BYTES = 256 << 20
READ_CHUNK_BYTES = 1 << 20


def read_idx(path: str | os.PathLike[str]) -> NDArray[Any]:
    """Read one IDX file (the format of MNIST and its relatives) into a NumPy array.

    The file may be gzip-compressed or not. Whether it is, is read from its first two bytes, not from its
    name, so a file that was decompressed but kept its `.gz` name still loads. The layout, once
    decompressed:

        bytes 0-1   0x00 0x00
        byte  2     element type, a key of `IDX_DTYPES` (0x08: unsigned byte, as in MNIST)
        byte  3     number of dimensions, d
        4 * d bytes the size of each dimension, big-endian unsigned 32-bit integers
        the rest    the elements, row-major, big-endian: exactly as many as the sizes multiply to

    Returns a writable array with that shape, in the file's element type but the machine's byte order.
    Raises `DatasetError`, naming the file, if it is not a complete IDX file (too short, wrong magic number,
    a truncated header or body, bytes beyond the body, damaged gzip data, more than `MAX_IDX_BYTES` once
    decompressed), and FileNotFoundError if there is no file at all.
    """
    path = Path(path)
    return _parse_idx(_decompressed(path), path)


def _decompressed(path: Path) -> bytes:
    with path.open("rb") as file:
        compressed = file.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        file.seek(0)
        if not compressed:
            return _read_at_most(file.read, path, "holds")
        try:
            with gzip.GzipFile(fileobj=file) as stream:
                return _read_at_most(stream.read, path, "decompresses to")
        except (OSError, EOFError, zlib.error) as error:  # bad header, cut-off stream, bad CRC, corrupt block
            raise DatasetError(f"{path} starts like a gzip file but cannot be decompressed ({error}). It is "
                               f"probably a download that was cut off or damaged; delete it, or replace it with "
                               f"a good copy.") from error


def _read_at_most(read: Callable[[int], bytes], path: Path, verb: str) -> bytes:
    """All the bytes `read` (a file's or a gzip stream's) gives, a chunk at a time; DatasetError as soon as they
    pass MAX_IDX_BYTES."""
    chunks, size = [], 0
    while chunk := read(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_IDX_BYTES:
            raise DatasetError(f"{path} {verb} more than {MAX_IDX_BYTES} bytes (MAX_IDX_BYTES), more than any "
                               f"file of these datasets: it is damaged or not an IDX file. Delete it, or replace "
                               f"it with a good copy.")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_idx(content: bytes, path: Path) -> NDArray[Any]:
    if len(content) < 4:
        raise _invalid_idx(path, f"it is only {len(content)} bytes long, too short for the 4-byte magic number")
    code, ndim = content[2], content[3]
    if content[:2] != b"\0\0" or code not in IDX_DTYPES:
        codes = ", ".join(f"0x{known:02X}" for known in IDX_DTYPES)
        raise _invalid_idx(path, f"it does not start with an IDX magic number (0x00 0x00, a type code out of "
                                 f"{codes}, the number of dimensions) but with {content[:16]!r}"
                                 f"{_guess_what(content)}")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise _invalid_idx(path, f"its magic number announces {ndim} dimensions, {4 * ndim} bytes of sizes, "
                                 f"but the file ends after {len(content) - 4} of them")
    shape = struct.unpack(f">{ndim}I", content[4:header_size])
    dtype = IDX_DTYPES[code]
    expected, actual = prod(shape) * dtype.itemsize, len(content) - header_size
    if actual != expected:
        problem = "the file is truncated" if actual < expected else f"{actual - expected} bytes too many"
        raise _invalid_idx(path, f"its header announces an array of shape {shape} and type {dtype.name}, "
                                 f"{expected} bytes, but {actual} bytes follow the header: {problem}")
    array = np.frombuffer(content, dtype=dtype, offset=header_size).reshape(shape)
    # astype copies: the result is writable (frombuffer over bytes is read-only) and in native byte order.
    return array.astype(dtype.newbyteorder("="))


def _guess_what(content: bytes) -> str:
    """A hint for the error message when a file is not IDX at all: say what it looks like instead."""
    start = content[:64]
    if start.lstrip().startswith(b"<"):
        return ", which looks like an HTML or XML page (an error page saved under the data file's name?)"
    if all(32 <= byte < 127 or byte in b"\t\r\n" for byte in start):
        return ", which looks like text"
    return ""


def _invalid_idx(path: Path, reason: str) -> DatasetError:
    return DatasetError(f"{path} is not a valid IDX file: {reason}. Delete it, or replace it with a good copy.")


def cache_dir(name: str) -> Path:
    """The user cache folder of dataset `name`, where downloads go.

    That is `$XDG_CACHE_HOME/edugrad/<name>`, or `~/.cache/edugrad/<name>` when XDG_CACHE_HOME is unset.
    """
    xdg_cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG Base Directory spec says a relative path in XDG_CACHE_HOME is invalid and must be ignored.
    base = Path(xdg_cache) if os.path.isabs(xdg_cache) else Path.home() / ".cache"
    return base / "edugrad" / name


def candidate_dirs(name: str, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders searched for the files of dataset `name`, in the order they are searched.

    `root` itself (it holds the files, not a `<name>` subfolder), `$EDUGRAD_DATA/<name>`, `cache_dir(name)`,
    then `SYSTEM_DATA_DIR/<name>`. A folder that is not given (no `root`, EDUGRAD_DATA unset) is left out;
    the others are listed whether or not they exist.
    """
    return [folder for folder, _ in _labelled_candidate_dirs(name, root)]


def _labelled_candidate_dirs(name: str, root: str | os.PathLike[str] | None) -> list[tuple[Path, str]]:
    """`candidate_dirs`, each with where it came from, for the "not found" error message."""
    folders = []
    if root is not None:
        folders.append((Path(root).expanduser(), "root="))
    if data_home := os.environ.get("EDUGRAD_DATA"):
        folders.append((Path(data_home).expanduser() / name, "$EDUGRAD_DATA"))
    folders.append((cache_dir(name), "user cache"))
    folders.append((SYSTEM_DATA_DIR / name, "system folder"))
    return folders


def load_dataset(name: str, root: str | os.PathLike[str] | None = None, download: bool = True) -> Splits:
    """Load the MNIST-style dataset `name` (a key of `SOURCES`: "mnist" or "fashion-mnist").

    Searches `candidate_dirs(name, root)` for a folder that holds all four `FILES`; if there is none and
    `download` is true, downloads the missing files into `cache_dir(name)`, verifying their SHA-256. Raises
    `DatasetError` if the files can be neither found nor downloaded (the message lists every folder searched
    and every download that failed), or if a file is damaged or does not fit the others.
    """
    if name not in SOURCES:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(SOURCES))}")
    source = SOURCES[name]
    searched = []
    for folder, origin in _labelled_candidate_dirs(name, root):
        found, missing = _find_files(folder)
        if not missing:
            return _read_splits(found)
        searched.append(f"{folder} ({origin}): {_describe_missing(folder, FILES, missing)}")
    if not download:
        raise _not_found(name, source, searched, "Downloading is switched off (download=False).")
    try:
        return _read_splits(download_missing(name, cache_dir(name)))
    except DownloadError as error:
        failures = str(error).replace("\n", "\n  ")
        reason = f"Downloading into {cache_dir(name)} failed:\n  {failures}"
        raise _not_found(name, source, searched, reason) from error


def mnist(root: str | os.PathLike[str] | None = None, download: bool = True) -> Splits:
    """MNIST: 70,000 handwritten digits (60,000 to train on, 10,000 to test), 28 x 28 pixels, labels 0-9.

    The images are white digits on black (0 = background), centred by their centre of mass. See
    `load_dataset` for where the files are looked for, and `Splits` for the arrays returned.
    """
    return load_dataset("mnist", root, download)


def fashion_mnist(root: str | os.PathLike[str] | None = None, download: bool = True) -> Splits:
    """Fashion-MNIST: 70,000 photos of clothing from Zalando (60,000 / 10,000), in the format of MNIST.

    A drop-in replacement for MNIST that is harder to fit; the labels 0-9 name the classes in
    `FASHION_MNIST_CLASSES`. Found without downloading where Debian's package `dataset-fashion-mnist` is
    installed. See `load_dataset` for where the files are looked for, and `Splits` for the arrays returned.
    """
    return load_dataset("fashion-mnist", root, download)


def _locate(folder: Path, stem: str) -> Path | None:
    """The file `stem` in `folder`, as `stem.gz` or plain `stem` (whether it is compressed is read later)."""
    for path in (folder / f"{stem}.gz", folder / stem):
        if path.is_file():
            return path
    return None


def _find_files(folder: Path, stems: Sequence[str] = FILES) -> tuple[list[Path], list[str]]:
    """The paths of those of the files `stems` that `folder` holds, and the names of those it lacks."""
    found, missing = [], []
    for stem in stems:
        path = _locate(folder, stem)
        if path is None:
            missing.append(stem)
        else:
            found.append(path)
    return found, missing


def _describe_missing(folder: Path, stems: Sequence[str], missing: Sequence[str]) -> str:
    if not folder.is_dir():
        return "no such folder"
    return f"has {len(stems) - len(missing)} of the {len(stems)} files, lacks {', '.join(missing)}"


def download_missing(name: str, folder: str | os.PathLike[str]) -> list[Path]:
    """Download into `folder` whichever of the four files of dataset `name` it lacks (an earlier run may have
    fetched some), verifying each SHA-256, and return the paths of all four. Every file already there is
    complete, because downloads are written atomically. Raises `DownloadError` when a file cannot be fetched
    from any mirror."""
    if name not in SOURCES:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(SOURCES))}")
    source, folder = SOURCES[name], Path(folder)
    paths = []
    for stem in FILES:
        path = _locate(folder, stem)
        if path is None:
            path = folder / f"{stem}.gz"
            download([mirror + path.name for mirror in source.mirrors], path, source.sha256[path.name])
        paths.append(path)
    return paths


def read_split(folder: str | os.PathLike[str], train: bool) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """The images (uint8, (N, rows, columns)) and labels (int64, (N,)) of the train split (`train=True`,
    the `train-*` files) or the test split (the `t10k-*` files) in `folder`, each file `x` or `x.gz`.
    Raises FileNotFoundError naming the folder and the files it lacks, and `DatasetError` for a damaged file."""
    folder = Path(folder)
    stems = FILES[:2] if train else FILES[2:]
    found, missing = _find_files(folder, stems)
    if missing:
        raise FileNotFoundError(f"{folder} does not hold the {'train' if train else 'test'} split: "
                                f"{_describe_missing(folder, stems, missing)} (each may end in .gz)")
    return _read_pair(*found)


def _read_splits(paths: Sequence[Path]) -> Splits:
    train_images_path, train_labels_path, test_images_path, test_labels_path = paths
    train_images, train_labels = _read_pair(train_images_path, train_labels_path)
    test_images, test_labels = _read_pair(test_images_path, test_labels_path)
    return Splits(train_images, train_labels, test_images, test_labels)


def _read_pair(images_path: Path, labels_path: Path) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """Read an images file and its labels file, and check that they are what their names say and match."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise DatasetError(f"{images_path} should hold images, a uint8 array of shape (N, rows, columns), but "
                           f"holds a {images.dtype} array of shape {images.shape}. Is it the right file?")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DatasetError(f"{labels_path} should hold labels, a uint8 array of shape (N,), but holds a "
                           f"{labels.dtype} array of shape {labels.shape}. Is it the right file?")
    if len(images) != len(labels):
        raise DatasetError(f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} "
                           f"labels: the two files do not belong together.")
    if len(labels) and labels.max() > 9:
        raise DatasetError(f"{labels_path} holds the label {labels.max()}, but labels must be class indices "
                           f"0 to 9. Is it the right file?")
    return images.astype(np.uint8, copy=False), labels.astype(np.int64)


def _not_found(name: str, source: DatasetSource, searched: Sequence[str], reason: str) -> DatasetError:
    folders = "\n".join(f"  {number}. {line}" for number, line in enumerate(searched, start=1))
    return DatasetError(
        f"Cannot load {source.title}: no folder holds all four of its files ({', '.join(FILES)}, each "
        f"optionally ending in .gz). Searched, in this order:\n{folders}\n"
        f"{reason}\n"
        f"To use files you already have, name their folder (root='folder/with/the/files' in Python, "
        f"--data-dir folder/with/the/files for examples/mnist.py), or set the environment variable "
        f"EDUGRAD_DATA to the folder that holds a '{name}' subfolder with them.{source.install_hint}"
    )
