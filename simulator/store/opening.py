"""Opening the database: for writing when the storage allows it, else for reading only.

A read-only folder, a read-only file or a full disk must not stop anyone
reading what is already saved, so the store then opens read-only (SQLite
`mode=ro`, or `immutable=1` when even SQLite's shared-memory file cannot be
made) and every write is refused with the reason. Opening writes nothing
when nothing needs migrating.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import SimulatorError
from .faults import damaged, is_damage, is_storage, storage_error
from .private import FILE_MODE, Unwritable, create_private, private_dir, tighten, why_unwritable
from .schema import LATEST, migrate


def connect(target: str | Path, *, uri: bool = False, wal: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(str(target), uri=uri, isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        if wal:
            conn.execute("PRAGMA journal_mode=WAL")  # persistent: a database already in WAL mode is not written
        # FULL: each commit (a turn) is on the disk when it returns. WAL + NORMAL synced only at checkpoints
        # (every ~4 MB, several sessions): a dead battery could undo finished turns and whole scored sessions.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA secure_delete=ON")  # a purged session's words are overwritten, not left in free pages
        conn.execute("PRAGMA cache_size=-32000")  # 32 MB: the review table's sorts and searches stay in memory
        conn.execute("PRAGMA mmap_size=268435456")
        conn.execute("PRAGMA user_version").fetchone()  # reads the file: a damaged or unreadable one fails here
    except BaseException:
        conn.close()
        raise
    return conn


def companions(db: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory index beside the database."""
    return db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")


def open_database(db: Path, read_only: bool = False) -> tuple[sqlite3.Connection, Unwritable | None]:
    """The connection, and why it is read-only (None when it can write)."""
    why = Unwritable("opened for reading only") if read_only else why_unwritable(db.parent, (db,))
    if why is None:
        try:
            return _open_writable(db), None
        except OSError as exc:
            why = why_unwritable(db.parent, (db,))
            if why is None:
                raise SimulatorError(f"cannot open the session records in {db.parent}: {exc.strerror or exc}",
                                     "check the folder exists and is writable, or pass --data-dir") from None
        except sqlite3.Error as exc:
            why = why_unwritable(db.parent, (db,)) if is_storage(exc) and not is_damage(exc) else None
            if why is None:
                raise storage_error(exc, db) or exc from None
    return _open_read_only(db, why)


def _open_writable(db: Path) -> sqlite3.Connection:
    private_dir(db.parent)
    create_private(db)  # SQLite would create it 0644; its -wal and -shm then take the database's mode
    for path in (db, *companions(db)):
        tighten(path, FILE_MODE)
    return connect(db)


def _open_read_only(db: Path, why: Unwritable) -> tuple[sqlite3.Connection, Unwritable]:
    if not db.exists():
        # Nothing saved yet: an empty database in memory lets every reading command say so.
        conn = connect(":memory:", wal=False)
        migrate(conn)
        return conn, why
    uri = db.resolve().as_uri() + "?mode=ro"
    last: sqlite3.Error | None = None
    # `mode=ro` still needs SQLite's shared-memory file; where that cannot be made (read-only storage, full disk),
    # `immutable=1` reads the database file alone, without changes still waiting in its write-ahead log.
    for suffix in ("", "&immutable=1"):
        try:
            conn = connect(uri + suffix, uri=True, wal=False)
            if conn.execute("PRAGMA user_version").fetchone()[0] < LATEST:
                conn = _upgraded_copy(conn)
        except sqlite3.Error as exc:
            if is_damage(exc):
                raise damaged(db, str(exc)) from None
            last = exc
            continue
        wal = companions(db)[0]
        if suffix and wal.exists() and wal.stat().st_size:
            why = Unwritable(f"{why}; the latest changes show once it can be written again", why.full)
        return conn, why
    raise SimulatorError(f"cannot read the session records in {db}: {last}",
                         "check the disk and that you can read the folder")


def _upgraded_copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    """An older database that cannot be written: read it through an upgraded copy in memory."""
    memory = connect(":memory:", wal=False)
    try:
        conn.backup(memory)
    finally:
        conn.close()
    migrate(memory)
    return memory
