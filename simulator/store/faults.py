"""Problems with the database file itself (damaged, read-only, disk full), in words a person can act on.

Anything SQLite raises about the file becomes one SimulatorError naming the
file and what to do; errors in our own SQL are bugs and stay tracebacks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import SimulatorError
from .private import Unwritable, why_unwritable

_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_STORAGE = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN)
READING_STILL_WORKS = "sessions can still be listed, shown, reported and exported"


def damaged(db: Path, detail: str) -> SimulatorError:
    return SimulatorError(f"the session records in {db} are damaged ({detail})",
                          "run `simulator sessions restore` to put back the latest backup "
                          "(the damaged file is moved aside, not deleted)")


def cannot_save(why: Unwritable) -> SimulatorError:
    if why.full:
        return SimulatorError(f"sessions cannot be saved: {why}",
                              "free some space and try again; nothing already saved is lost, "
                              f"and {READING_STILL_WORKS}")
    return SimulatorError(f"sessions cannot be saved: {why}",
                          "ask IT to make it writable, or choose another data folder (in the settings, or with "
                          "--data-dir); `simulator play --practice` plays without keeping anything; "
                          f"{READING_STILL_WORKS}")


def primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_damage(exc: sqlite3.Error) -> bool:
    return primary_code(exc) in _DAMAGED


def is_storage(exc: sqlite3.Error) -> bool:
    """True when the error is about the file or the disk, not about our SQL."""
    return primary_code(exc) in _DAMAGED + _STORAGE


def storage_error(exc: sqlite3.Error, db: Path) -> SimulatorError | None:
    """The SimulatorError for an SQLite error about the file; None for any other error."""
    code = primary_code(exc)
    if code in _DAMAGED:
        return damaged(db, str(exc))
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):  # another process held the records past the wait
        return SimulatorError(f"the session records in {db} are busy: another window or command is writing them",
                              "wait a moment and try again (a long `simulator sessions purge` can hold them)")
    if code not in _STORAGE:
        return None
    why = why_unwritable(db.parent, (db,))
    if why is None and code == sqlite3.SQLITE_FULL:
        why = Unwritable(f"the disk holding {db.parent} is full", full=True)
    if why is not None:
        return cannot_save(why)
    return SimulatorError(f"cannot read or write the session records in {db}: {exc}",
                          "check the disk; if the problem stays, `simulator sessions restore` puts back a backup")
