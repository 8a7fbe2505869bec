"""Download one file from a list of mirrors, check its SHA-256, and only then let it appear on disk.

Private helper of `edugrad.nn.datasets` (standard library, tqdm and `_atomic`). The two rules it exists for:

- A file in the cache is always complete and verified. The bytes go to a temporary file in the destination
  folder and are renamed into place with `os.replace` once their checksum matches (`atomic_write`). A rename
  within one folder is atomic, so an interrupted download (Ctrl-C, a full disk, a dropped connection) leaves
  either nothing or a stray `.part` file, never a half-written `train-images-idx3-ubyte.gz` that a later
  run would trust.
- A wrong file never survives. A mirror can answer with an HTML error page, a captive-portal login page or a
  changed file; the SHA-256 check catches all of them, the temporary file is deleted, and the next mirror
  gets its turn. The checksum is also what makes a plain-HTTP mirror safe to use.
"""

from __future__ import annotations

import hashlib
import http.client
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO
from urllib.request import urlopen  # looked up at call time, so tests can replace it with a fake

from tqdm import tqdm

from edugrad.nn._atomic import atomic_write

CHUNK_BYTES = 1 << 20  # read 1 MiB at a time: the progress bar moves and memory use stays flat
TIMEOUT_SECONDS = 60  # per socket operation, not for the whole file


class DownloadError(Exception):
    """A file could not be downloaded from any mirror; the message lists what each mirror did wrong."""


def download(urls: Sequence[str], destination: Path, sha256: str) -> None:
    """Fetch the file from the first of `urls` that delivers the right bytes and store it as `destination`.

    Mirrors are tried in order. A mirror that fails (unreachable, HTTP error, wrong checksum) is reported and
    the next one is tried; `DownloadError` is raised only when all of them have failed. `destination` never
    exists in a partial or unverified state.
    """
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create the folder {destination.parent}: {error}") from error
    failures = []
    for url in urls:
        try:
            _download_one(url, destination, sha256)
            return
        except DownloadError as error:
            failures.append(f"{url}: {error}")
    raise DownloadError("\n".join(failures))


def _download_one(url: str, destination: Path, sha256: str) -> None:
    try:
        with atomic_write(destination, suffix=".part") as out:
            actual = _fetch(url, out, label=destination.name)
            if actual != sha256:  # raised inside the block, so the partial file is deleted
                raise DownloadError(f"the downloaded file has SHA-256 {actual}, but {destination.name} should "
                                    f"have {sha256}; the mirror sent something else (an error page?), so the "
                                    f"partial file was deleted")
    except OSError as error:  # creating, flushing or renaming the file; network errors are DownloadErrors already
        raise DownloadError(f"cannot write to {destination.parent}: {error}") from error


def _fetch(url: str, out: BinaryIO, label: str) -> str:
    """Stream `url` into `out` behind a progress bar; return the SHA-256 of the bytes, computed on the way."""
    digest = hashlib.sha256()
    try:
        with urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            total = response.headers.get("Content-Length")
            with tqdm(total=int(total) if total else None, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=label) as progress:
                while chunk := response.read(CHUNK_BYTES):
                    out.write(chunk)
                    digest.update(chunk)
                    progress.update(len(chunk))
    except (OSError, http.client.HTTPException, ValueError) as error:
        # OSError covers urllib's URLError and HTTPError (unreachable host, 404), timeouts, resets and a
        # failed write to `out` (disk full); HTTPException a connection that closed mid-file; ValueError
        # a malformed URL.
        raise DownloadError(str(error) or type(error).__name__) from error
    return digest.hexdigest()
