"""A trainee's dispute of one verdict, and the manager's answer.

The trainee says which verdict they think is wrong and why; the manager
either overturns it (through the same override, with its reviewer and
reason, that any change to a reviewed verdict goes through) or upholds it
with a reason. The automatic verdict is never changed. A dispute keeps the
same id in every store it travels to, so an answer coming back in a bundle
finds the dispute it answers; the first answer is final.
"""

from __future__ import annotations

import sqlite3
import time
import uuid

from ..errors import SimulatorError
from .bundleschema import MAX_REASON, reason_problem
from .database import Store, add_override, refresh_review
from .records import OPEN, OVERTURNED, UPHELD, Dispute

OUTCOMES = (OPEN, UPHELD, OVERTURNED)
OUTCOME_WORDS = {OPEN: "waiting for an answer", UPHELD: "verdict upheld", OVERTURNED: "verdict changed"}

_SELECT = ("SELECT d.*, t.name AS trainee, s.scenario_title FROM disputes d JOIN sessions s ON s.id = d.session_id"
           " JOIN trainees t ON t.id = s.trainee_id")


def _dispute(row: sqlite3.Row) -> Dispute:
    return Dispute(row["id"], row["session_id"], row["dimension"], row["item"], row["disputed_status"],
                   row["reason"], row["created_at"], row["outcome"], row["resolved_status"], row["response"],
                   row["resolver"], row["resolved_at"], row["trainee"], row["scenario_title"])


def _checked(text: str, what: str) -> str:
    text = (text or "").strip()
    problem = reason_problem(text)
    if problem:
        raise SimulatorError(f"the {what} {problem}", f"write it in plain words, up to {MAX_REASON:,} characters")
    return text


def open_dispute(store: Store, session_id: str, dimension: str, item: str, reason: str) -> Dispute:
    """The trainee disputes one verdict of a scored session; the reason is required."""
    reason = _checked(reason, "reason")
    with store.write() as db:
        verdict = db.execute("SELECT status FROM verdicts WHERE session_id = ? AND dimension = ? AND item = ?",
                             (session_id, dimension, item)).fetchone()
        if verdict is None:
            raise SimulatorError(f"session {session_id[:8]} has no verdict '{item}' in {dimension}",
                                 "dispute one of the verdicts the results show")
        if db.execute("SELECT 1 FROM disputes WHERE session_id = ? AND dimension = ? AND item = ? AND outcome = ?",
                      (session_id, dimension, item, OPEN)).fetchone():
            raise SimulatorError("this verdict is already disputed and waiting for an answer",
                                 "you can add to it once your manager has answered")
        # What the trainee saw: a manager's earlier change where there is one, else the automatic verdict.
        changed = db.execute("SELECT status FROM overrides WHERE session_id = ? AND dimension = ? AND item = ?"
                             " ORDER BY created_at DESC, id DESC LIMIT 1", (session_id, dimension, item)).fetchone()
        dispute_id = uuid.uuid4().hex
        db.execute("INSERT INTO disputes (id, session_id, dimension, item, disputed_status, reason, created_at)"
                   " VALUES (?,?,?,?,?,?,?)", (dispute_id, session_id, dimension, item,
                                               (changed or verdict)["status"], reason, time.time()))
    return get_dispute(store, dispute_id)


def resolve_dispute(store: Store, dispute_id: str, outcome: str, response: str, resolver: str,
                    status: str | None = None) -> Dispute:
    """The manager's answer: OVERTURNED with the new verdict (an override is added), or UPHELD; both need a reason."""
    response = _checked(response, "reason for the answer")
    resolver = (resolver or "").strip()
    if not resolver:
        raise SimulatorError("an answer needs the reviewer's name", "enter your name as reviewer")
    if outcome not in (UPHELD, OVERTURNED):
        raise SimulatorError(f"'{outcome}' is not an answer to a dispute", "overturn the verdict or uphold it")
    with store.write() as db:
        row = db.execute("SELECT * FROM disputes WHERE id = ?", (dispute_id,)).fetchone()
        if row is None:
            raise SimulatorError(f"no dispute '{dispute_id[:8]}'", "see `simulator sessions disputes`")
        if row["outcome"] != OPEN:
            raise SimulatorError("this dispute has already been answered", "its answer is final")
        now = time.time()
        override_id = None
        if outcome == OVERTURNED:
            if status is None or status == row["disputed_status"]:
                raise SimulatorError("overturning a verdict needs a different verdict",
                                     f"choose one other than '{row['disputed_status']}', or uphold it")
            # Answering one dispute is not a review of the whole session: the other verdicts are not agreed to.
            override_id = add_override(db, row["session_id"], row["dimension"], row["item"], status, response,
                                       resolver, now, review=False)
        db.execute("UPDATE disputes SET outcome = ?, resolved_status = ?, response = ?, resolver = ?, resolved_at = ?,"
                   " override_id = ? WHERE id = ?",
                   (outcome, status if outcome == OVERTURNED else None, response, resolver, now, override_id,
                    dispute_id))
    return get_dispute(store, dispute_id)


def get_dispute(store: Store, dispute_id: str) -> Dispute:
    rows = store.read(_SELECT + " WHERE d.id = ?", (dispute_id,))
    if not rows:
        raise SimulatorError(f"no dispute '{dispute_id[:8]}'", "see `simulator sessions disputes`")
    return _dispute(rows[0])


def session_disputes(store: Store, session_id: str) -> list[Dispute]:
    """Oldest first."""
    return [_dispute(r) for r in store.read(_SELECT + " WHERE d.session_id = ? ORDER BY d.created_at, d.id",
                                            (session_id,))]


def list_disputes(store: Store, open_only: bool = False, trainee: str | None = None) -> list[Dispute]:
    """Open ones first (oldest first: the longest waiting is answered first), then answered ones, newest first.
    trainee: only theirs (review mode without the passphrase shows only the person's own)."""
    conditions = (["d.outcome = 'open'"] if open_only else []) + (["t.name = ?"] if trainee is not None else [])
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    rows = store.read(_SELECT + where + " ORDER BY d.outcome != 'open',"
                      " CASE WHEN d.outcome = 'open' THEN d.created_at ELSE -d.resolved_at END, d.id",
                      (trainee,) if trainee is not None else ())
    return [_dispute(r) for r in rows]


def open_count(store: Store, trainee: str | None = None) -> int:
    if trainee is None:
        return store.read("SELECT COUNT(*) FROM disputes WHERE outcome = 'open'")[0][0]
    return store.read("SELECT COUNT(*) FROM disputes d JOIN sessions s ON s.id = d.session_id JOIN trainees t"
                      " ON t.id = s.trainee_id WHERE d.outcome = 'open' AND t.name = ?", (trainee,))[0][0]


def merge_disputes(db: sqlite3.Connection, session_id: str, disputes: list[dict]) -> int:
    """Disputes from a bundle (already checked) into a session of this store; returns how many were new or answered.

    A dispute not here is added; an open one here takes the bundle's answer. An answer here is kept (the first is
    final). An overturned dispute brings its override, unless the same override is already here.
    """
    changed = 0
    for d in disputes:
        here = db.execute("SELECT outcome FROM disputes WHERE id = ?", (d["id"],)).fetchone()
        if here is not None and (here["outcome"] != OPEN or d["outcome"] == OPEN):
            continue
        if here is not None and db.execute("SELECT 1 FROM disputes WHERE id = ? AND session_id != ?",
                                           (d["id"], session_id)).fetchone():
            continue  # the same id on another session: not the dispute this answer is for
        override_id = _override_for(db, session_id, d) if d["outcome"] == OVERTURNED else None
        db.execute("INSERT INTO disputes (id, session_id, dimension, item, disputed_status, reason, created_at,"
                   " outcome, resolved_status, response, resolver, resolved_at, override_id)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET outcome = excluded.outcome,"
                   " resolved_status = excluded.resolved_status, response = excluded.response,"
                   " resolver = excluded.resolver, resolved_at = excluded.resolved_at,"
                   " override_id = excluded.override_id",
                   (d["id"], session_id, d["dimension"], d["item"], d["disputed_status"], d["reason"].strip(),
                    d["created_at"], d["outcome"], d["resolved_status"], d["response"],
                    (d["resolver"] or "").strip() or None, d["resolved_at"], override_id))
        changed += 1
    if changed:
        refresh_review(db, session_id)
    return changed


def _override_for(db: sqlite3.Connection, session_id: str, d: dict) -> int:
    """The override an overturned dispute made: the one already here (a new session brings its overrides), or added."""
    key = (session_id, d["dimension"], d["item"], d["resolved_status"], d["resolver"].strip(), d["resolved_at"])
    row = db.execute("SELECT id FROM overrides WHERE session_id = ? AND dimension = ? AND item = ? AND status = ?"
                     " AND reviewer = ? AND created_at = ?", key).fetchone()
    if row is not None:
        return row[0]
    return db.execute("INSERT INTO overrides (session_id, dimension, item, status, comment, reviewer, created_at)"
                      " VALUES (?,?,?,?,?,?,?)", (session_id, d["dimension"], d["item"], d["resolved_status"],
                                                 d["response"].strip(), d["resolver"].strip(), d["resolved_at"])
                      ).lastrowid


def dispute_words(d: Dispute) -> str:
    """How a dispute stands, in a sentence for the trainee (results, history, `sessions show`)."""
    if d.outcome == OPEN:
        return "You disputed this. Waiting for your manager's answer."
    who = f" ({d.resolver})" if d.resolver else ""
    if d.outcome == OVERTURNED:
        return f"Your manager{who} changed this verdict: {_now_counted(d)}. {d.response}"
    return f"Your manager{who} kept this verdict: {d.response}"


def _now_counted(d: Dispute) -> str:
    if d.disputed_status == "violated" and d.resolved_status == "missed":
        return "it did not happen after all"  # a thing to avoid: "missed" is the good outcome
    return {"met": "now counted as done", "missed": "now counted as missed",
            "violated": "now counted as a thing to avoid that happened"}.get(d.resolved_status or "", "changed")
