"""`atomic_write`: write a file so that it appears complete or not at all.

Private helper of `edugrad.nn`, used by `serialization` (state dicts, checkpoints) and `_download` (datasets).
The bytes go to a temporary file in the destination's own folder (`os.replace` is atomic only within one
file system), are flushed to disk (fsync), and only then does `os.replace` swap the new file in, which the
operating system does all at once. A crash at any moment leaves the old file or the new one, never half of
one; an exception inside the `with` block, also KeyboardInterrupt, deletes the temporary file instead.

Three more rules:

- A process killed in the middle (SIGKILL, a power cut) cannot delete its temporary file. The writer holds
  a lock on it (`flock`, which the operating system drops when the process dies), so the next write of the
  same target deletes every temporary file of that target whose lock is free: one no running write owns.
  Where there is no flock (Windows), such a file stays until it is deleted by hand.
- A read-only target is refused with PermissionError, as `open(path, "wb")` refuses it; a rename would
  otherwise replace it whatever its mode. A writable target keeps its mode (a 0600 file stays 0600).
- An error names the target, never the hidden temporary file.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "remove_stale_temporaries"]

LOCKS = sys.platform != "win32"  # flock exists everywhere but on Windows
if sys.platform != "win32":
    import fcntl


@contextmanager
def atomic_write(path: Path, suffix: str = ".tmp") -> Iterator[BinaryIO]:
    """A binary file to write into: on a clean exit it replaces `path`, on an exception it is deleted. Until
    then it is a hidden file beside `path`, `.<name>.<8 hex digits><suffix>`."""
    mode = _writable_mode(path)
    remove_stale_temporaries(path, suffix)
    temporary, file = _create_temporary(path, suffix)
    try:
        with file:
            yield file
            try:
                file.flush()
                os.fsync(file.fileno())
                if mode is not None:
                    os.chmod(temporary, mode)
                if LOCKS:  # POSIX renames an open file: rename while the lock still says "in use"
                    os.replace(temporary, path)
            except OSError as error:
                raise _about(path, error) from error
        if not LOCKS:  # Windows renames only a closed file
            os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def remove_stale_temporaries(path: Path, suffix: str = ".tmp") -> list[Path]:
    """Delete the temporary files that writes of `path` left behind when their process was killed, and return
    them. A temporary file whose lock is held belongs to a write still running, and stays."""
    if not LOCKS or not path.parent.is_dir():
        return []
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}{re.escape(suffix)}")
    removed = []
    for candidate in path.parent.iterdir():
        if pattern.fullmatch(candidate.name) and _remove_if_unlocked(candidate):
            removed.append(candidate)
    return removed


def _remove_if_unlocked(candidate: Path) -> bool:
    try:
        descriptor = os.open(candidate, os.O_RDONLY)
    except OSError:  # gone already, or not ours to open
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # locked: a write in progress
        os.close(descriptor)
        return False
    try:
        candidate.unlink(missing_ok=True)
    finally:
        os.close(descriptor)  # closing drops the lock
    return True


def _writable_mode(path: Path) -> int | None:
    """The permission bits of the existing target (None if there is none); PermissionError if it is read-only."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(status.st_mode):  # a folder, say: os.replace will refuse it and say so
        return None
    mode = stat.S_IMODE(status.st_mode)
    # os.access alone says yes to root for a 0444 file; no write bit at all is read-only for everyone.
    if not os.access(path, os.W_OK) or not mode & 0o222:
        raise PermissionError(errno.EACCES, f"cannot write {path}: the file is read-only (mode {mode:o}), and "
                              "edugrad does not replace a read-only file; make it writable or write elsewhere",
                              str(path))
    return mode


def _create_temporary(path: Path, suffix: str) -> tuple[Path, BinaryIO]:
    """A new temporary file beside `path`, open and (where there is flock) locked."""
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{suffix}")
        try:
            # O_EXCL: never write into a file someone else created; mode 0o666 minus the umask, like open().
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                                 0o666)
        except OSError as error:
            raise _about(path, error) from error
        file = os.fdopen(descriptor, "wb")
        if not LOCKS:
            return temporary, file
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network mounts): no cleanup can lock it either
            return temporary, file
        if os.fstat(descriptor).st_nlink:
            return temporary, file
        file.close()  # a cleanup took it between creating and locking it: make another


def _about(path: Path, error: OSError) -> OSError:
    """`error` (about the temporary file, or about no file) as an error about `path`; with its errno, OSError
    makes the same subclass (PermissionError, FileNotFoundError, ...)."""
    if error.errno is None:
        return OSError(f"cannot write {path}: {error}")
    return OSError(error.errno, f"cannot write {path}: {error.strerror}", str(path))


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: on POSIX it is recorded in the folder, which has to be flushed too."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
