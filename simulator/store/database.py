"""Session records in SQLite: written turn by turn, never lost.

One connection writes, behind a lock (one writer at a time, whichever
thread asks). WAL mode lets readers work while a session is being written,
and each turn is committed as it happens, so a crash loses at most the turn
in flight.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import SimulatorError
from ..scoring.review import reviewed_score
from .liveness import SessionLocks, current_pid
from .schema import migrate

DB_NAME = "sessions.sqlite3"
IN_PROGRESS, COMPLETED, ENDED_BY_TRAINEE, INTERRUPTED = "in_progress", "completed", "ended_by_trainee", "interrupted"


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at each commit's checkpoint, fast
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-32000")  # 32 MB: the review table's sorts and searches stay in memory
    conn.execute("PRAGMA mmap_size=268435456")
    return conn


class Store:
    """The session records of one data folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.conn = connect(self.folder / DB_NAME)
        except (OSError, sqlite3.Error) as exc:
            raise SimulatorError(f"cannot open the session records in {self.folder}: {exc}",
                                 "check the folder exists and is writable, or pass --data-dir") from None
        self._lock = threading.RLock()
        self.locks = SessionLocks(self.folder / "locks")
        self.audio_dir = self.folder / "audio"
        with self._lock:
            migrate(self.conn)
        self.recovered = self.recover_interrupted()

    def close(self) -> None:
        # Under the lock: closing while another thread reads would free the connection under it (a crash, not an error).
        with self._lock:
            self.locks.release_all()
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction through the one writer."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def read(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

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
                       ended_at: float | None = None) -> None:
        with self.write() as db:
            db.execute("UPDATE sessions SET status = ?, ending_node = ?, ending_outcome = ?,"
                       " path = COALESCE(?, path), ended_at = ? WHERE id = ?",
                       (status, ending_node, ending_outcome, json.dumps(path) if path is not None else None,
                        ended_at if ended_at is not None else time.time(), session_id))
        self.locks.release(session_id)

    def save_result(self, session_id: str, result: Any) -> None:
        """The score of a session (a scoring.Result), its dimensions and verdicts."""
        with self.write() as db:
            save_result(db, session_id, result.to_dict())

    def add_override(self, session_id: str, dimension: str, item: str, status: str, comment: str,
                     reviewer: str) -> None:
        """A manager's change to one verdict. The automatic verdict stays as it was; this is added beside it."""
        if status not in ("met", "missed", "violated"):
            raise SimulatorError(f"'{status}' is not a verdict", "use met, missed or violated")
        if not comment.strip() or not reviewer.strip():
            raise SimulatorError("an override needs a comment and the reviewer's name",
                                 "say why the verdict is changed, so the trainee and other reviewers can see it")
        with self.write() as db:
            if not db.execute("SELECT 1 FROM verdicts WHERE session_id = ? AND dimension = ? AND item = ?",
                              (session_id, dimension, item)).fetchone():
                raise SimulatorError(f"session {session_id[:8]} has no verdict '{item}' in {dimension}",
                                     "see `simulator sessions show`")
            now = time.time()
            db.execute("INSERT INTO overrides (session_id, dimension, item, status, comment, reviewer, created_at)"
                       " VALUES (?,?,?,?,?,?,?)", (session_id, dimension, item, status, comment.strip(),
                                                  reviewer.strip(), now))
            mark_reviewed(db, session_id, reviewer.strip(), now)
            refresh_review(db, session_id)

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
        for session_id in stale:
            with self.write() as db:
                last = db.execute("SELECT MAX(ended_at) FROM turns WHERE session_id = ?", (session_id,)).fetchone()[0]
                nodes = [r[0] for r in db.execute(
                    "SELECT node FROM turns WHERE session_id = ? AND speaker = 'customer' ORDER BY idx", (session_id,))]
                db.execute("UPDATE sessions SET status = ?, ended_at = COALESCE(?, started_at), path = ? WHERE id = ?",
                           (INTERRUPTED, last, json.dumps(nodes), session_id))
        return stale


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
