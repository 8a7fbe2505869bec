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

And one limit: a download has `DEADLINE_SECONDS` in all. A socket timeout only bounds each wait for the next
bytes, so a server that trickles a byte every few seconds would keep a download going for days. A timer shuts
the connection down at the deadline, which wakes the read blocked on it, and the download fails saying so.
(The timer starts once the response headers have arrived; until then each wait is bounded by the socket
timeout alone, as urllib gives no handle on the connection earlier.)
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO
from urllib.request import urlopen  # looked up at call time, so tests can replace it with a fake

from tqdm import tqdm

from edugrad.nn._atomic import atomic_write

CHUNK_BYTES = 1 << 20  # read 1 MiB at a time: the progress bar moves and memory use stays flat
TIMEOUT_SECONDS = 60  # per socket operation, not for the whole file
DEADLINE_SECONDS = 600  # for the whole file, from the request to the last byte
MAX_BYTES = 1 << 30  # no dataset file is near 1 GiB: a mirror sending more is refused before it fills the disk


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
    deadline = time.monotonic() + DEADLINE_SECONDS
    stopped = threading.Event()
    try:
        with urlopen(url, timeout=min(TIMEOUT_SECONDS, DEADLINE_SECONDS)) as response, \
                _stop_at(deadline, response, stopped):
            total = response.headers.get("Content-Length")
            with tqdm(total=int(total) if total else None, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=label) as progress:
                while chunk := response.read(CHUNK_BYTES):
                    out.write(chunk)
                    digest.update(chunk)
                    progress.update(len(chunk))
                    if progress.n > MAX_BYTES:
                        raise DownloadError(f"the server sent more than {MAX_BYTES} bytes (MAX_BYTES), more than "
                                            "any dataset file, so the download was stopped")
    except (OSError, http.client.HTTPException, ValueError) as error:
        # OSError covers urllib's URLError and HTTPError (unreachable host, 404), timeouts, resets and a
        # failed write to `out` (disk full); HTTPException a connection that closed mid-file; ValueError
        # a malformed URL.
        if not stopped.is_set():
            raise DownloadError(str(error) or type(error).__name__) from error
    if stopped.is_set():  # the connection was cut: a read may have ended as if the file were complete
        raise DownloadError(f"the download did not finish within {DEADLINE_SECONDS} s (DEADLINE_SECONDS), so "
                            "it was stopped; the server sends too slowly")
    return digest.hexdigest()


@contextmanager
def _stop_at(deadline: float, response: Any, stopped: threading.Event) -> Iterator[None]:
    """Within the block, cut the connection of `response` at `deadline` (monotonic time) and set `stopped`."""
    def cut() -> None:
        stopped.set()
        try:
            # A second socket object on a copy of the descriptor: shutting it down ends the connection for
            # both, and wakes the read waiting in the other thread (closing would not).
            with socket.fromfd(response.fileno(), socket.AF_INET, socket.SOCK_STREAM) as connection:
                connection.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError, AttributeError):  # closed already, or not a socket (a file:// URL)
            pass

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
