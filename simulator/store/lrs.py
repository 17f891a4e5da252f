"""Sending statements to a Learning Record Store, through an outbox that survives being offline.

Finished sessions' statements are queued in the database first; sending
marks them sent only when the LRS has accepted them. Unreachable LRS: they
stay queued and go on the next push. Ids are fixed, so a retry after an
answer that got lost cannot create a duplicate.

Every request has a deadline for the whole exchange, not per socket read:
an LRS that answers one byte at a time must not hold a trainee's `play`
(or the app's push) for ever.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from ..errors import SimulatorError
from .credentials import LrsConfig
from .database import COMPLETED, ENDED_BY_TRAINEE, INTERRUPTED, Store
from .queries import load_session
from .xapi import dispute_statements, reviewed_statement, statements

BATCH = 50


@dataclass(frozen=True)
class PushReport:
    queued: int
    sent: int
    waiting: int
    error: str | None = None


def queue_sessions(store: Store, session_ids: list[str], activity_base: str, pass_mark: float) -> int:
    """Put the statements of finished sessions in the outbox (once per statement)."""
    added = 0
    for session_id in session_ids:
        record = load_session(store, session_id)
        if record.summary.status not in (COMPLETED, ENDED_BY_TRAINEE, INTERRUPTED):
            continue
        if not any(t["speaker"] == "trainee" for t in record.turns):
            continue  # opened and left without a word from the trainee: no attempt worth reporting
        with store.write() as db:
            for stmt in statements(record, activity_base, pass_mark):
                cur = db.execute("INSERT OR IGNORE INTO outbox (statement_id, session_id, body, queued_at)"
                                 " VALUES (?,?,?,?)", (stmt["id"], session_id, json.dumps(stmt), time.time()))
                added += cur.rowcount
    return added


def queue_review(store: Store, session_id: str, activity_base: str, pass_mark: float) -> int:
    """Put the statement of a session's reviewed result in the outbox; 0 if there is none or it is there."""
    stmt = reviewed_statement(load_session(store, session_id), activity_base, pass_mark)
    if stmt is None:
        return 0
    with store.write() as db:
        return db.execute("INSERT OR IGNORE INTO outbox (statement_id, session_id, body, queued_at) VALUES (?,?,?,?)",
                          (stmt["id"], session_id, json.dumps(stmt), time.time())).rowcount


def queue_disputes(store: Store, session_id: str, activity_base: str) -> int:
    """Put the statements of a session's disputes and their answers in the outbox (once per statement)."""
    found = dispute_statements(load_session(store, session_id), activity_base)
    with store.write() as db:
        return sum(db.execute("INSERT OR IGNORE INTO outbox (statement_id, session_id, body, queued_at)"
                              " VALUES (?,?,?,?)", (stmt["id"], session_id, json.dumps(stmt), time.time())).rowcount
                   for stmt in found)


def queue_disputes_if_lrs(store: Store, session_id: str) -> int:
    """After a dispute is made or answered: queue it when the organisation has an LRS."""
    from .credentials import load
    config = load()
    return 0 if config is None else queue_disputes(store, session_id, config.activity_base)


def disputed_sessions(store: Store) -> list[str]:
    return [r[0] for r in store.read("SELECT DISTINCT session_id FROM disputes ORDER BY session_id")]


def reviewed_sessions(store: Store) -> list[str]:
    """Finished sessions a manager has reviewed or changed a verdict of."""
    return [r["id"] for r in store.read(
        "SELECT id FROM sessions s WHERE status = ? AND (EXISTS (SELECT 1 FROM reviews r WHERE r.session_id = s.id)"
        " OR EXISTS (SELECT 1 FROM overrides o WHERE o.session_id = s.id)) ORDER BY started_at", (COMPLETED,))]


def queue_review_if_lrs(store: Store, session_id: str, pass_mark: float) -> int:
    """After an override or a review: queue the reviewed result when the organisation has an LRS."""
    from .credentials import load
    config = load()
    return 0 if config is None else queue_review(store, session_id, config.activity_base, pass_mark)


def unqueued_sessions(store: Store) -> list[str]:
    return [r["id"] for r in store.read(
        "SELECT id FROM sessions s WHERE status != 'in_progress'"
        " AND EXISTS (SELECT 1 FROM turns t WHERE t.session_id = s.id AND t.speaker = 'trainee')"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = s.id) ORDER BY started_at")]


class Lrs:
    """One LRS. `timeout` bounds each request from start to last byte; `until` (a time.monotonic()
    moment) bounds the whole push: past it nothing more is sent, and what is left waits in the outbox."""

    def __init__(self, config: LrsConfig, timeout: float = 10.0, until: float | None = None) -> None:
        self.config = config
        self.timeout = timeout
        self.until = until
        token = base64.b64encode(f"{config.username}:{config.password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3",
                         "Content-Type": "application/json"}

    def time_left(self) -> float:
        left = self.timeout if self.until is None else min(self.timeout, self.until - time.monotonic())
        return max(0.0, left)

    def _request(self, method: str, url: str, body: object | None = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers=self._headers)
        limit = self.time_left()
        if limit <= 0:
            raise TimeoutError("no time was left to reach the LRS")
        answer: list = []
        # A socket timeout is per read, so a trickling LRS never trips it, even while it sends the
        # headers; only a thread we stop waiting for keeps the caller's deadline. The abandoned
        # daemon thread ends at its next read after the deadline, or with the process.
        worker = threading.Thread(target=_exchange, args=(req, limit, answer), name="lrs-request", daemon=True)
        worker.start()
        worker.join(limit)
        if not answer:
            raise TimeoutError(f"the LRS did not answer within {limit:.1f} s")
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return answer[0]

    def send(self, batch: list[dict]) -> None:
        """Deliver statements; a statement the LRS already holds counts as delivered."""
        url = self.config.endpoint + "/statements"
        status, body = self._request("POST", url, batch)
        if status in (200, 204):
            return
        if status == 409:  # some are there already: deliver one by one, idempotently
            for stmt in batch:
                s, b = self._request("PUT", f"{url}?statementId={stmt['id']}", stmt)
                if s not in (204, 409):
                    raise LrsRefused(s, b)
            return
        raise LrsRefused(status, body)

    def fetch(self, registration: str) -> list[dict]:
        url = f"{self.config.endpoint}/statements?registration={registration}&limit=500"
        status, body = self._request("GET", url)
        if status != 200:
            raise LrsRefused(status, body)
        return json.loads(body)["statements"]


def _exchange(req: urllib.request.Request, limit: float, answer: list) -> None:
    """Send one request and read its whole answer into `answer`: (status, body), or the exception."""
    deadline = time.monotonic() + limit
    try:
        try:
            with urllib.request.urlopen(req, timeout=limit) as resp:
                answer.append((resp.status, _read_by(resp, deadline)))
        except urllib.error.HTTPError as exc:
            answer.append((exc.code, _read_by(exc.fp, deadline) if exc.fp else b""))
    except http.client.HTTPException as exc:  # a garbled answer is a failed delivery, not a crash
        answer.append(ConnectionError(f"the LRS's answer could not be read ({type(exc).__name__})"))
    except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, which raises it
        answer.append(exc)


def _read_by(resp, deadline: float) -> bytes:
    """The body, piece by piece, giving up at the deadline."""
    chunks = []
    while chunk := resp.read1(65536):
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError("the LRS's answer came too slowly")
    return b"".join(chunks)


class LrsRefused(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"the LRS answered {status}: {body[:200].decode('utf-8', 'replace')}")
        self.status = status


def flush(store: Store, lrs: Lrs) -> PushReport:
    """Send everything waiting in the outbox, oldest first; stop at the first failure."""
    sent, error = 0, None
    while lrs.time_left() > 0:
        rows = store.read("SELECT statement_id, body FROM outbox WHERE sent_at IS NULL ORDER BY queued_at,"
                          " statement_id LIMIT ?", (BATCH,))
        if not rows:
            break
        batch = [json.loads(r["body"]) for r in rows]
        ids = [r["statement_id"] for r in rows]
        marks = ",".join("?" * len(ids))
        try:
            lrs.send(batch)
        except (OSError, LrsRefused) as exc:
            error = str(getattr(exc, "reason", exc))
            with store.write() as db:
                db.execute(f"UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE statement_id IN ({marks})",
                           (error, *ids))
            break
        with store.write() as db:
            db.execute(f"UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL"
                       f" WHERE statement_id IN ({marks})", (time.time(), *ids))
        sent += len(ids)
    waiting = store.read("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0]
    return PushReport(0, sent, waiting, error)


def push_sessions(store: Store, session_ids: list[str] | None, pass_mark: float, required: bool = False,
                  timeout: float = 10.0, within: float | None = None) -> PushReport:
    """Queue the sessions' statements and send everything waiting. Without an LRS: nothing (or an error if required).

    `timeout` bounds each request; `within` (seconds) the whole push: what is not sent by then waits.
    """
    from .credentials import load
    config = load()
    if config is None:
        if required:
            raise SimulatorError("no Learning Record Store is set", "set one with `simulator lrs configure`")
        return PushReport(0, 0, 0)
    ids = session_ids if session_ids is not None else unqueued_sessions(store)
    queued = queue_sessions(store, ids, config.activity_base, pass_mark)
    # Reviews made while no LRS was set, or by the command line, are caught up here.
    reviewed = reviewed_sessions(store) if session_ids is None else session_ids
    queued += sum(queue_review(store, sid, config.activity_base, pass_mark) for sid in reviewed)
    # Disputes and answers made while offline, or imported from a bundle, likewise.
    disputed = disputed_sessions(store) if session_ids is None else session_ids
    queued += sum(queue_disputes(store, sid, config.activity_base) for sid in disputed)
    until = None if within is None else time.monotonic() + within
    report = flush(store, Lrs(config, timeout, until))
    return PushReport(queued, report.sent, report.waiting, report.error)
