"""Reading a file a user named, safely.

A path can name a named pipe (reading it waits forever for a writer), a
device like /dev/zero (reading it never ends), a symlink loop or a folder.
Everything the product reads because a user pointed at it goes through
here: only regular files are read, never more than a stated size, and each
refusal says which file, why, and what to do.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import SimulatorError


class UnreadableFile(SimulatorError):
    """A user-given file the product will not or cannot read."""

    def __init__(self, path: str | Path, what: str, reason: str, hint: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot read the {what} {self.path}: {reason}", hint)


def open_regular_file(path: str | Path, what: str = "file") -> BinaryIO:
    """The file opened for reading in binary; anything but a regular file is refused first."""
    _refuse_unless_regular(path, os.stat, what)
    try:
        # O_NONBLOCK: if the path became a named pipe since the stat, opening it still returns at once.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    try:
        _refuse_unless_regular(fd, os.fstat, what, path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The whole file, if it is a regular file of at most `limit` bytes; UnreadableFile otherwise."""
    with open_regular_file(path, what) as f:
        size = os.fstat(f.fileno()).st_size
        try:
            # Read one byte past the limit: some files (under /proc, or growing) state a wrong size.
            data = f.read(limit + 1) if size <= limit else b""
        except OSError as exc:
            raise _unreadable(path, what, exc) from None
    if size > limit or len(data) > limit:
        found = f"{_size(size)}" if size > limit else f"more than {_size(limit)}"
        raise UnreadableFile(path, what, f"it is {found}, over the {_size(limit)} limit for a {what}",
                             "split it into smaller files, or check that this is the right file")
    return data


def read_text_file(path: str | Path, limit: int, what: str = "file") -> str:
    """The file as UTF-8 text (a leading byte-order mark dropped); refusals as read_regular_file."""
    data = read_regular_file(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(path, what, f"line {line} is not UTF-8 text", "save it as UTF-8 in your editor") from None


def explain(exc: OSError) -> tuple[str, str]:
    """An OSError on a user's path as (what happened, what to do), in plain words."""
    if exc.errno == errno.ENOENT:
        return "there is no such file or folder", "check the path"
    if exc.errno == errno.ELOOP:
        return "it is a symlink loop (the link leads back to itself)", "point the link at a real file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied", "check its permissions, or copy it to a folder you can read"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder", "check the path"
    return (exc.strerror or str(exc)).lower(), "check the path and its permissions"


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def _refuse_unless_regular(target, stat_fn, what: str, path=None) -> None:
    path = target if path is None else path
    try:
        mode = stat_fn(target).st_mode
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise UnreadableFile(path, what, f"it is {kind}, not a file saved on disk",
                             f"give the path of a {what} saved on disk")


def _unreadable(path, what: str, exc: OSError) -> UnreadableFile:
    reason, hint = explain(exc)
    return UnreadableFile(path, what, reason, hint)


def _size(n: int) -> str:
    mb = 1024 * 1024
    if n % mb == 0 or n >= 10 * mb:
        return f"{n / mb:.0f} MB" if n % mb == 0 else f"{n / mb:.1f} MB"
    return f"{-(-n // 1024):,} KB"
