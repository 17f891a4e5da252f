"""Session records in SQLite: written turn by turn, never lost.

One connection writes, behind a lock (one writer at a time, whichever
thread asks). WAL mode lets readers work while a session is being written,
and each turn is committed as it happens, so a crash loses at most the turn
in flight. The database is checked when opened and backed up every few
hours; on read-only storage or a full disk it opens for reading only.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import SimulatorError
from ..scoring.review import reviewed_score
from .backup import ASIDE, FOLDER, backup_if_due, renew_backups
from .faults import cannot_save, storage_error
from .integrity import check_integrity
from .liveness import FolderLock, SessionLocks, current_pid
from .opening import open_database
from .private import DIR_MODE, Unwritable, tighten
from .schema import migrate

DB_NAME = "sessions.sqlite3"
IN_PROGRESS, COMPLETED, ENDED_BY_TRAINEE, INTERRUPTED = "in_progress", "completed", "ended_by_trainee", "interrupted"


class Store:
    """The session records of one data folder.

    `read_only` is None when sessions can be saved, else why not (read-only storage, a full disk): reading
    works either way, and every write raises a SimulatorError giving that reason.
    """

    read_only: Unwritable | None

    def __init__(self, folder: str | Path, *, read_only: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / DB_NAME
        self._lock = threading.RLock()
        self.locks = SessionLocks(self.folder / "locks")
        self.audio_dir = self.folder / "audio"
        self._folder_lock = FolderLock(self.folder / "locks")
        self._folder_lock.share(create=not read_only)
        try:
            self.conn, self.read_only = open_database(self.path, read_only)
        except BaseException:
            self._folder_lock.release()
            raise
        try:
            with self._lock, self._storage_errors():
                check_integrity(self.conn, self.path, remember=self.read_only is None)
                migrate(self.conn)
            if self.read_only is None:
                for name in ("locks", "audio", FOLDER, ASIDE):  # made by an older version, open to everyone
                    tighten(self.folder / name, DIR_MODE)
            self.recovered = [] if self.read_only else self.recover_interrupted()
        except BaseException:
            self._close()
            raise
        self.backup_if_due()

    def close(self) -> None:
        self.backup_if_due()
        self._close()

    def _close(self) -> None:
        # Under the lock: closing while another thread reads would free the connection under it (a crash, not an error).
        with self._lock:
            self.locks.release_all()
            self.conn.close()
            self._folder_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """SQLite's errors about the file (damaged, read-only, full) as one SimulatorError naming it."""
        try:
            yield
        except sqlite3.Error as exc:
            error = storage_error(exc, self.path)
            if error is None:
                raise
            raise error from exc

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction through the one writer."""
        if self.read_only is not None:
            raise cannot_save(self.read_only)
        with self._lock, self._storage_errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full) may already have rolled back: what was committed before stays.
                if self.conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                raise

    def read(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock, self._storage_errors():
            return self.conn.execute(sql, params).fetchall()

    def backup_if_due(self) -> None:
        """A rolling backup when the last is a few hours old, at open, after a score and at close (see
        backup.py); never raises."""
        if self.read_only is None:
            with self._lock:
                backup_if_due(self.conn, self.folder)

    def renew_backups(self) -> None:
        """Replace every backup by a fresh one: after a purge, deleted sessions must not live on in copies."""
        if self.read_only is None:
            with self._lock:
                renew_backups(self.conn, self.folder)

    # -- trainees ------------------------------------------------------------
    def trainee_id(self, name: str) -> int:
        name = name.strip() or "trainee"
        with self.write() as db:
            db.execute("INSERT OR IGNORE INTO trainees (name, created_at) VALUES (?, ?)", (name, time.time()))
            return db.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()[0]

    # -- a session as it is played ---------------------------------------------
    def begin_session(self, *, trainee: str, scenario_id: str, scenario_title: str, scenario_sha256: str,
                      scenario_file: str | None, intensity: str | None, seed: int | None,
                      started_at: float | None = None, keep_audio: bool = False) -> str:
        session_id = uuid.uuid4().hex
        trainee_id = self.trainee_id(trainee)
        self.locks.hold(session_id)
        with self.write() as db:
            db.execute(
                "INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256, scenario_file,"
                " intensity, seed, started_at, status, keep_audio, owner_pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (session_id, trainee_id, scenario_id, scenario_title, scenario_sha256, scenario_file, intensity, seed,
                 started_at if started_at is not None else time.time(), IN_PROGRESS, int(keep_audio), current_pid()))
        return session_id

    def add_turn(self, session_id: str, turn: Any, audio: str | None = None) -> None:
        """Commit one turn (anything shaped like engine.Turn) the moment it is final."""
        with self.write() as db:
            db.execute(
                "INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action, confidence,"
                " word_confidences, matches, started_at, ended_at, audio) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                turn_row(session_id, turn, audio))

    def finish_session(self, session_id: str, status: str, *, ending_node: str | None = None,
                       ending_outcome: str | None = None, path: list[str] | None = None,
                       ended_at: float | None = None, result: Any = None) -> None:
        """`result`: the score, written in the same transaction, so no crash or full disk between the two leaves
        a completed session that is never scored (nothing scores it again, and attempts skip it)."""
        with self.write() as db:
            db.execute("UPDATE sessions SET status = ?, ending_node = ?, ending_outcome = ?,"
                       " path = COALESCE(?, path), ended_at = ? WHERE id = ?",
                       (status, ending_node, ending_outcome, json.dumps(path) if path is not None else None,
                        ended_at if ended_at is not None else time.time(), session_id))
            if result is not None:
                save_result(db, session_id, result.to_dict())
        self.locks.release(session_id)
        if result is not None:
            self.backup_if_due()

    def save_result(self, session_id: str, result: Any) -> None:
        """The score of a session (a scoring.Result), its dimensions and verdicts."""
        with self.write() as db:
            save_result(db, session_id, result.to_dict())
        self.backup_if_due()  # a session is whole once scored

    def add_override(self, session_id: str, dimension: str, item: str, status: str, comment: str,
                     reviewer: str, *, review: bool = True) -> None:
        """A manager's change to one verdict. The automatic verdict stays as it was; this is added beside it.
        With review=False the session is not marked reviewed: marking it says the reviewer agrees with every
        verdict left unchanged, which review mode asks about rather than assumes."""
        with self.write() as db:
            at = time.time()
            made = add_override(db, session_id, dimension, item, status, comment, reviewer, at, review=review)
            # A verdict the trainee disputed, changed from what they disputed, answers the dispute: it stayed "open"
            # in the Disputes tab, whose Overturn then offered a change already made and added it a second time.
            db.execute("UPDATE disputes SET outcome = 'overturned', resolved_status = ?, response = ?, resolver = ?,"
                       " resolved_at = ?, override_id = ? WHERE session_id = ? AND dimension = ? AND item = ?"
                       " AND outcome = 'open' AND disputed_status != ?",
                       (status, comment.strip(), reviewer.strip(), at, made, session_id, dimension, item, status))

    def mark_reviewed(self, session_id: str, reviewer: str) -> None:
        """A manager has read the session: the verdicts they did not change, they agree with."""
        if not reviewer.strip():
            raise SimulatorError("a review needs the reviewer's name", "enter your name as reviewer")
        with self.write() as db:
            mark_reviewed(db, session_id, reviewer.strip(), time.time())

    # -- crash safety -------------------------------------------------------------
    def recover_interrupted(self) -> list[str]:
        """Sessions left in progress by a process that is gone: mark them interrupted, keep their turns."""
        stale = [r["id"] for r in self.read("SELECT id FROM sessions WHERE status = ?", (IN_PROGRESS,))
                 if self.locks.abandoned(r["id"])]
        recovered = []
        for session_id in stale:
            with self.write() as db:
                if mark_interrupted(db, session_id):
                    recovered.append(session_id)
        return recovered


def mark_interrupted(db: sqlite3.Connection, session_id: str) -> bool:
    """Interrupted, with the path its turns show; only if still in progress, since its process may have
    finished it between our look at its lock and this write (a finished session keeps its status and path)."""
    last = db.execute("SELECT MAX(ended_at) FROM turns WHERE session_id = ?", (session_id,)).fetchone()[0]
    nodes = [r[0] for r in db.execute(
        "SELECT node FROM turns WHERE session_id = ? AND speaker = 'customer' ORDER BY idx", (session_id,))]
    return db.execute("UPDATE sessions SET status = ?, ended_at = COALESCE(?, started_at), path = ?"
                      " WHERE id = ? AND status = ?",
                      (INTERRUPTED, last, json.dumps(nodes), session_id, IN_PROGRESS)).rowcount == 1


def turn_row(session_id: str, turn: Any, audio: str | None) -> tuple:
    matches = [asdict(m) if not isinstance(m, dict) else m for m in turn.matches]
    confidences = list(turn.word_confidences) if turn.word_confidences else None
    return (session_id, turn.index, turn.speaker, turn.kind, turn.node, turn.text or "", turn.line_id, turn.source,
            turn.action, turn.confidence, json.dumps(confidences) if confidences else None, json.dumps(matches),
            turn.started_at, turn.ended_at, audio)


def save_result(db: sqlite3.Connection, session_id: str, result: dict) -> None:
    db.execute("UPDATE sessions SET overall = ?, result = ? WHERE id = ?",
               (result["overall"], json.dumps({k: v for k, v in result.items() if k != "dimensions"}), session_id))
    db.execute("DELETE FROM scores WHERE session_id = ?", (session_id,))
    db.execute("DELETE FROM verdicts WHERE session_id = ?", (session_id,))
    for dimension, dim in result["dimensions"].items():
        db.execute("INSERT INTO scores (session_id, dimension, score, weight) VALUES (?,?,?,?)",
                   (session_id, dimension, dim["score"], dim["weight"]))
        for v in dim["verdicts"]:
            db.execute("INSERT INTO verdicts (session_id, dimension, item, status, uncertain, evidence, feedback)"
                       " VALUES (?,?,?,?,?,?,?)",
                       (session_id, dimension, v["item"], v["status"], int(v.get("uncertain", False)),
                        json.dumps(v.get("evidence", [])), v.get("feedback", "")))


def add_override(db: sqlite3.Connection, session_id: str, dimension: str, item: str, status: str, comment: str,
                 reviewer: str, at: float, *, review: bool = True) -> int:
    """The one way a reviewed verdict changes (Store.add_override, and a dispute overturned); returns its id.
    Inside the caller's transaction, so a dispute and the override answering it are written together."""
    if status not in ("met", "missed", "violated"):
        raise SimulatorError(f"'{status}' is not a verdict", "use met, missed or violated")
    if not comment.strip() or not reviewer.strip():
        raise SimulatorError("an override needs a comment and the reviewer's name",
                             "say why the verdict is changed, so the trainee and other reviewers can see it")
    if not db.execute("SELECT 1 FROM verdicts WHERE session_id = ? AND dimension = ? AND item = ?",
                      (session_id, dimension, item)).fetchone():
        raise SimulatorError(f"session {session_id[:8]} has no verdict '{item}' in {dimension}",
                             "see `simulator sessions show`")
    cursor = db.execute("INSERT INTO overrides (session_id, dimension, item, status, comment, reviewer, created_at)"
                        " VALUES (?,?,?,?,?,?,?)", (session_id, dimension, item, status, comment.strip(),
                                                   reviewer.strip(), at))
    if review:
        mark_reviewed(db, session_id, reviewer.strip(), at)
    refresh_review(db, session_id)
    return cursor.lastrowid


def mark_reviewed(db: sqlite3.Connection, session_id: str, reviewer: str, at: float) -> None:
    db.execute("INSERT INTO reviews (session_id, reviewer, reviewed_at) VALUES (?,?,?)"
               " ON CONFLICT (session_id, reviewer) DO UPDATE SET reviewed_at = excluded.reviewed_at",
               (session_id, reviewer, at))


def refresh_review(db: sqlite3.Connection, session_id: str) -> None:
    """Work the session's scores out again with its overrides; with none, the reviewed columns are empty."""
    overrides = [dict(r) for r in db.execute(
        "SELECT dimension, item, status FROM overrides WHERE session_id = ? ORDER BY created_at, id", (session_id,))]
    if not overrides:
        db.execute("UPDATE scores SET reviewed = NULL WHERE session_id = ?", (session_id,))
        db.execute("UPDATE sessions SET reviewed_overall = NULL WHERE id = ?", (session_id,))
        return
    scores = [dict(r) for r in db.execute("SELECT dimension, score, weight FROM scores WHERE session_id = ?",
                                          (session_id,))]
    verdicts = [dict(r) for r in db.execute("SELECT dimension, item, status, uncertain FROM verdicts"
                                            " WHERE session_id = ?", (session_id,))]
    reviewed = reviewed_score(scores, verdicts, overrides)
    for dimension, score in reviewed.dimensions.items():
        db.execute("UPDATE scores SET reviewed = ? WHERE session_id = ? AND dimension = ?",
                   (score, session_id, dimension))
    db.execute("UPDATE sessions SET reviewed_overall = ? WHERE id = ?", (reviewed.overall, session_id))
