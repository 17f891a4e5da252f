"""Rolling backups of the session records, and putting one back.

As Anki does with its collections: a copy made with SQLite's backup API
(consistent even while a session is being written) at most every few hours,
when the store opens and when a session ends; the last few are kept in
<data>/backups, private like the rest. A copy is checked before it is kept,
so a backup is never of a damaged database. A restore moves the current
database aside, never deletes it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import SimulatorError
from .faults import cannot_save
from .integrity import forget_check, quick_check
from .liveness import FolderLock
from .opening import companions
from .private import private_dir, private_target, why_unwritable
from .schema import LATEST

FOLDER = "backups"
ASIDE = "before-restore"
EVERY = 4 * 3600.0
KEEP = 8
MAX_AGE = 30 * 86400.0  # retention: a purged session must not live on in old copies for long
SPARE = 64 * 1024 * 1024  # a backup never takes the disk's last free space
_NAME = re.compile(r"^sessions-(\d{8}T\d{6}Z)(?:-\d+)?\.sqlite3$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: float

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Restored:
    backup: Path
    sessions: int
    set_aside: list[Path]


def backups(folder: Path) -> list[Backup]:
    """The backups of a data folder, newest first."""
    found = []
    with suppress(OSError):
        for path in (folder / FOLDER).iterdir():
            m = _NAME.match(path.name)
            if m:
                taken = dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
                found.append(Backup(path, taken.timestamp()))
    return sorted(found, key=lambda b: (b.taken_at, b.name), reverse=True)


def backup_if_due(conn: sqlite3.Connection, folder: Path, now: float | None = None) -> Path | None:
    """A new backup when the last is older than EVERY; never raises (a failed backup must not stop a session)."""
    now = time.time() if now is None else now
    existing = backups(folder)
    if existing and now - existing[0].taken_at < EVERY:
        return None
    try:
        if not conn.execute("SELECT EXISTS (SELECT 1 FROM sessions)").fetchone()[0]:
            return None
        size = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
        if shutil.disk_usage(folder).free < 2 * size + SPARE:
            return None
        made = make_backup(conn, folder, now)
    except (OSError, sqlite3.Error, SimulatorError):
        return None
    prune(folder, now)
    return made


def renew_backups(conn: sqlite3.Connection, folder: Path, now: float | None = None) -> Path | None:
    """After a purge: sessions deleted at the end of their retention must not live on in older copies, so every
    backup is replaced by one fresh copy (or none, if it cannot be made); never raises."""
    for b in backups(folder):
        with suppress(OSError):
            b.path.unlink(missing_ok=True)
    try:
        return make_backup(conn, folder, time.time() if now is None else now)
    except (OSError, sqlite3.Error, SimulatorError):
        return None


def make_backup(conn: sqlite3.Connection, folder: Path, now: float) -> Path:
    target = private_dir(folder / FOLDER) / _name(folder, now)
    with private_target(target) as tmp, closing(sqlite3.connect(tmp)) as copy:
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # read on its own later: no -wal or -shm beside it
        problems = quick_check(copy)
        if problems:
            raise SimulatorError(f"the session records are damaged ({'; '.join(problems)}); no backup made")
    return target


def _name(folder: Path, now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name, n = f"sessions-{stamp}.sqlite3", 1
    while (folder / FOLDER / name).exists():
        n += 1
        name = f"sessions-{stamp}-{n}.sqlite3"
    return name


def prune(folder: Path, now: float, keep: int = KEEP, max_age: float = MAX_AGE) -> None:
    """Keep the newest `keep`, none older than `max_age` but the newest."""
    for n, b in enumerate(backups(folder)):
        if n >= keep or (n > 0 and now - b.taken_at > max_age):
            with suppress(OSError):
                b.path.unlink(missing_ok=True)


def describe(path: Path) -> int:
    """The number of sessions in a backup; SimulatorError if it is not a whole session database."""
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
            problems = quick_check(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if problems or not 1 <= version <= LATEST:
                raise SimulatorError(f"{path} is not a usable backup ({'; '.join(problems) or f'schema {version}'})",
                                     "choose another one from `simulator sessions restore --list`")
            return conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    except sqlite3.Error as exc:
        raise SimulatorError(f"{path} is not a usable backup ({exc})",
                             "choose another one from `simulator sessions restore --list`") from None


def restore(folder: Path, db: Path, chosen: Path, now: float | None = None) -> Restored:
    """Put a backup in place of the database `db`; the database as it was is moved to <data>/before-restore."""
    sessions = describe(chosen)
    why = why_unwritable(folder, (db,))
    if why is not None:
        raise cannot_save(why)
    with FolderLock(folder / "locks").exclusive():
        try:
            with private_target(db) as tmp, closing(sqlite3.connect(tmp)) as copy, \
                    closing(sqlite3.connect(chosen.resolve().as_uri() + "?mode=ro", uri=True)) as source:
                source.backup(copy)
                copy.close()
                with open(tmp, "rb") as f:  # on the disk before the records are moved aside, not after: a
                    os.fsync(f.fileno())  # crash in between left a data folder with no database at all
                moved = _set_aside(folder, db, time.time() if now is None else now)
        except sqlite3.Error as exc:
            raise SimulatorError(f"could not copy {chosen} into place ({exc}); nothing was changed",
                                 "check there is free space for another copy of the records, then try again") from None
        forget_check(db)
    return Restored(chosen, sessions, moved)


def _set_aside(folder: Path, db: Path, now: float) -> list[Path]:
    """Move the database and its log files to <data>/before-restore, under one name so they still open together."""
    present = [p for p in (db, *companions(db)) if p.exists()]
    if not present:
        return []
    aside = private_dir(folder / ASIDE)
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base, n = f"sessions-{stamp}.sqlite3", 1
    while (aside / base).exists():
        n += 1
        base = f"sessions-{stamp}-{n}.sqlite3"
    moved = []
    for path in present:
        target = aside / (base + path.name[len(db.name):])
        os.replace(path, target)
        moved.append(target)
    return moved
