"""Is the process that started a session still running it?

A live session holds an exclusive OS lock on a small file. The OS drops the
lock when the process dies, however it dies (a crash, SIGKILL, a power cut
on restart), so the next start can tell an abandoned session from one that
another open window is still playing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

try:
    import fcntl

    def _try_lock(f: IO) -> bool:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False
except ImportError:  # Windows
    import msvcrt

    def _try_lock(f: IO) -> bool:
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False


class SessionLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._held: dict[str, IO] = {}

    def _path(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.lock"

    def hold(self, session_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        f = open(self._path(session_id), "a+")  # noqa: SIM115 - kept open while the session runs
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
        if not path.exists():
            return True
        with open(path, "a+") as f:
            free = _try_lock(f)
        if free:
            path.unlink(missing_ok=True)
        return free

    def release_all(self) -> None:
        for session_id in list(self._held):
            self.release(session_id)


def current_pid() -> int:
    return os.getpid()
