"""`atomic_write`: write a file so that it appears complete or not at all.

Private helper of `edugrad.nn`, used by `serialization` (state dicts, checkpoints) and `_download` (datasets).
The bytes go to a temporary file in the destination's own folder (`os.replace` is atomic only within one
file system), are flushed to disk (fsync), and only then does `os.replace` swap the new file in, which the
operating system does all at once. A crash at any moment leaves the old file or the new one, never half of
one; an exception inside the `with` block, also KeyboardInterrupt, deletes the temporary file instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write"]


@contextmanager
def atomic_write(path: Path, suffix: str = ".tmp") -> Iterator[BinaryIO]:
    """A binary file to write into: on a clean exit it replaces `path`, on an exception it is deleted. Until
    then it is a hidden file beside `path`, `.<name>.<random hex><suffix>`."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{suffix}")
    # O_EXCL: never write into a file someone else created; mode 0o666 minus the umask, like open(path, "wb").
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: on POSIX it is recorded in the folder, which has to be flushed too."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
