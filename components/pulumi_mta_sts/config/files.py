"""Reading and writing a file the user named, safely: a path may be a named pipe (reading waits
forever), ``/dev/zero``, huge or a symbolic link; a file written is renamed into place whole.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from pulumi_mta_sts.core.errors import InputError, Problem

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class FileRefused(Exception):
    """``reason`` completes "PATH ...": ``is a named pipe, not a regular file``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    def input_error(self, path: Path) -> InputError:
        return InputError([Problem(str(path), None, self.reason)])


class UnreadableFile(FileRefused):
    pass


class UnwritableFile(FileRefused):
    pass


def file_kind(mode: int) -> str:
    """What a file of ``mode`` (``st_mode``) is, in words: ``a named pipe`` ..."""
    found = (name for test, name in _KINDS if test(mode))
    return next(found, "a regular file" if stat.S_ISREG(mode) else "not a regular file")


_OPEN_ERRORS: dict[type[OSError], str] = {
    FileNotFoundError: "does not exist",
    PermissionError: "is not a readable file (permission denied)",
    IsADirectoryError: "is a directory, not a regular file",
}


def _open(path: Path) -> int:
    """A descriptor for reading ``path``; never blocks (O_NONBLOCK: a FIFO opens at once)."""
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        reason = _OPEN_ERRORS.get(type(exc), f"is not a readable file ({exc.strerror or exc})")
        raise UnreadableFile(reason) from None
    except ValueError:  # an embedded NUL byte
        raise UnreadableFile("is not a valid file name (it contains a NUL character)") from None


def read_regular_file(path: Path, limit: int) -> bytes:
    try:  # stat first: a socket cannot be opened at all, and a kind is clearer than an errno
        before = os.stat(path).st_mode
    except (OSError, ValueError):
        before = stat.S_IFREG  # _open says why
    if not stat.S_ISREG(before):
        raise UnreadableFile(f"is {file_kind(before)}, not a regular file")
    fd = _open(path)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"is {file_kind(mode)}, not a regular file")
        handle = os.fdopen(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    with handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UnreadableFile(f"is not a readable file ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UnreadableFile(f"is larger than {limit} bytes, the most read from such a file")
    return data


def _writable_target(path: Path) -> Path:
    """The folder the new file goes into; a target that is not a regular file (``lstat``) is refused."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, ValueError) as exc:
        raise UnwritableFile(f"cannot be written ({getattr(exc, 'strerror', None) or exc})") from None
    if mode is not None and stat.S_ISLNK(mode):
        raise UnwritableFile("is a symbolic link; name the file itself")
    if mode is not None and not stat.S_ISREG(mode):
        raise UnwritableFile(f"is {file_kind(mode)}, not a regular file")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UnwritableFile(f"cannot be written: {directory} is not a directory")
    return directory


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a new file beside it, renamed into place."""
    directory = _writable_target(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UnwritableFile(f"cannot be written ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        mask = os.umask(0)  # mkstemp makes it 0600; a report or stack file gets what open(path, "w") would
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UnwritableFile(f"cannot be written ({exc.strerror or exc})") from None
        raise
