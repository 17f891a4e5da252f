"""Is the process that started a session still running it?

A live session holds an exclusive OS lock on a small file. The OS drops the
lock when the process dies, however it dies (a crash, SIGKILL, a power cut
on restart), so the next start can tell an abandoned session from one that
another open window is still playing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import SimulatorError
from .private import FILE_MODE, private_dir

try:
    import fcntl

    def _try_lock(f: IO, shared: bool = False) -> bool:
        try:
            fcntl.flock(f.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            return True
        except OSError:
            return False
except ImportError:  # Windows
    import msvcrt

    def _try_lock(f: IO, shared: bool = False) -> bool:
        if shared:
            return True  # msvcrt has no shared locks: the whole-folder lock does not guard Windows
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False


def _open_lock(path: Path) -> IO:
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE), "r+")


class SessionLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._held: dict[str, IO] = {}

    def _path(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.lock"

    def hold(self, session_id: str) -> None:
        private_dir(self.folder)
        f = _open_lock(self._path(session_id))  # kept open while the session runs
        if not _try_lock(f):
            f.close()
            raise RuntimeError(f"session {session_id} is already locked")
        self._held[session_id] = f

    def release(self, session_id: str) -> None:
        f = self._held.pop(session_id, None)
        if f is not None:
            f.close()
            self._path(session_id).unlink(missing_ok=True)

    def abandoned(self, session_id: str) -> bool:
        """True when no live process holds the session (its lock is free or gone)."""
        if session_id in self._held:
            return False
        path = self._path(session_id)
        try:
            f = open(path, "rb")  # noqa: SIM115 - reading is enough to lock, and works on read-only storage
        except FileNotFoundError:
            return True
        with f:
            free = _try_lock(f)
        if free:
            path.unlink(missing_ok=True)
        return free

    def release_all(self) -> None:
        for session_id in list(self._held):
            self.release(session_id)


class FolderLock:
    """Held shared by every open store of a data folder, so that replacing its database (a restore) can make
    sure nothing has it open."""

    NAME = "store.lock"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME
        self._file: IO | None = None

    def share(self, create: bool = True, wait: float = 10.0) -> None:
        """Best effort: where the lock file cannot be made (read-only storage, a full disk) the store opens
        without it. A restore under way is waited for, so nobody opens the database it is replacing."""
        try:
            if create:
                private_dir(self.path.parent)
                self._file = _open_lock(self.path)
            else:
                self._file = open(self.path, "rb")  # noqa: SIM115 - held while the store is open
        except OSError:
            return
        deadline = time.monotonic() + wait
        while not _try_lock(self._file, shared=True) and time.monotonic() < deadline:
            time.sleep(0.05)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        private_dir(self.path.parent)
        with _open_lock(self.path) as f:
            if not _try_lock(f):
                raise SimulatorError("the session records are open in another window or command",
                                     "close the simulator everywhere it is open, then try again")
            yield


def current_pid() -> int:
    return os.getpid()
