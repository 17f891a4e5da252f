"""Files only their owner can read: recordings of employees are personal data.

Folders are made 0700 and files 0600 whatever the umask, because the
simulator runs on shared machines where the default (0755 / 0644) lets every
other account read the transcripts. Files are written whole or not at all:
a same-folder temporary file, flushed to disk, then renamed over the target,
so a full disk or a crash never leaves a half-written export behind.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import SimulatorError

DIR_MODE = 0o700
FILE_MODE = 0o600
POSIX = os.name == "posix"
FULL_BELOW = 1024 * 1024  # bytes free under which a disk counts as full


def private_dir(path: str | os.PathLike) -> Path:
    """Make the folder (and missing parents) if needed; an existing one of ours is made private again."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path, DIR_MODE)
    return path


def tighten(path: Path, mode: int) -> None:
    """Set the mode of a file or folder the user owns; someone else's, or on read-only storage, is left alone."""
    if not POSIX:
        return  # Windows: the user profile's ACLs already keep other accounts out
    with suppress(OSError):
        st = path.stat()
        if st.st_uid == os.geteuid() and st.st_mode & 0o777 != mode:
            path.chmod(mode)


def create_private(path: Path) -> None:
    """Create an empty 0600 file if there is none (before SQLite or Qt would create it with the umask's mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    _fchmod(fd)
    os.close(fd)


def write_private(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically, mode 0600; on failure nothing is left behind and SimulatorError says why."""
    path = Path(path)
    with private_target(path, size=len(data)) as tmp, open(tmp, "r+b") as f:
        f.write(data)
    return path


@contextmanager
def private_target(path: str | os.PathLike, size: int | None = None) -> Iterator[Path]:
    """A 0600 temporary file beside `path` to write (for writers that need a file name, such as Qt's PDF
    printer); when the block ends it is flushed to disk and renamed to `path`, or removed if the block failed.

    A writer that reports no errors (Qt's printer) may still stop short on a full disk: the file must then hold
    `size` bytes, or, with no size given, at least one.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        _fchmod(fd)
        os.close(fd)
        yield tmp
        written = tmp.stat().st_size
        if (written == 0) if size is None else (written != size):
            raise SimulatorError(f"{path} could not be written whole", "check there is free space and try again")
        _fsync(tmp)
        tighten(tmp, FILE_MODE)  # the writer may have replaced the file rather than written into it
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_error(path: Path, exc: OSError) -> SimulatorError:
    """What went wrong writing a file, in words, and what to do."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return SimulatorError(f"cannot write {path}: the disk is full",
                              "free some space (or choose another place) and try again; nothing was written")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return SimulatorError(f"cannot write {path}: {reason}", "choose a folder you can write in")
    return SimulatorError(f"cannot write {path}: {reason}", "check the folder exists and you can write in it")


@dataclass(frozen=True)
class Unwritable:
    """Why nothing can be saved in a folder."""

    reason: str
    full: bool = False  # the disk is full (rather than read-only)

    def __str__(self) -> str:
        return self.reason


def why_unwritable(folder: Path, files: tuple[Path, ...] = ()) -> Unwritable | None:
    """Why nothing can be saved in the folder (read-only storage, no permission, disk full), found without
    writing anything; None when it looks writable."""
    probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), None)
    if probe is None:
        return None
    if POSIX and os.statvfs(probe).f_flag & os.ST_RDONLY:
        return Unwritable(f"{folder} is on read-only storage")
    if not os.access(probe, os.W_OK):
        return Unwritable(f"{folder} is read-only")
    for file in files:
        if file.exists() and not os.access(file, os.W_OK):
            return Unwritable(f"{file} is read-only")
    if shutil.disk_usage(probe).free < FULL_BELOW:
        return Unwritable(f"the disk holding {folder} is full", full=True)
    return None


def _fchmod(fd: int) -> None:
    if POSIX:
        os.fchmod(fd, FILE_MODE)  # the umask only takes bits away: set the mode itself


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    if not POSIX:
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
