"""Sending statements to a Learning Record Store, through an outbox that survives being offline.

Finished sessions' statements are queued in the database first; sending
marks them sent only when the LRS has accepted them. Unreachable LRS: they
stay queued and go on the next push. Ids are fixed, so a retry after an
answer that got lost cannot create a duplicate.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from ..errors import SimulatorError
from .credentials import LrsConfig
from .database import COMPLETED, ENDED_BY_TRAINEE, INTERRUPTED, Store
from .queries import load_session
from .xapi import statements

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
        with store.write() as db:
            for stmt in statements(record, activity_base, pass_mark):
                cur = db.execute("INSERT OR IGNORE INTO outbox (statement_id, session_id, body, queued_at)"
                                 " VALUES (?,?,?,?)", (stmt["id"], session_id, json.dumps(stmt), time.time()))
                added += cur.rowcount
    return added


def unqueued_sessions(store: Store) -> list[str]:
    return [r["id"] for r in store.read(
        "SELECT id FROM sessions s WHERE status != 'in_progress' AND NOT EXISTS"
        " (SELECT 1 FROM outbox o WHERE o.session_id = s.id) ORDER BY started_at")]


class Lrs:
    def __init__(self, config: LrsConfig, timeout: float = 10.0) -> None:
        self.config = config
        self.timeout = timeout
        token = base64.b64encode(f"{config.username}:{config.password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3",
                         "Content-Type": "application/json"}

    def _request(self, method: str, url: str, body: object | None = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers=self._headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

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


class LrsRefused(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"the LRS answered {status}: {body[:200].decode('utf-8', 'replace')}")
        self.status = status


def flush(store: Store, lrs: Lrs) -> PushReport:
    """Send everything waiting in the outbox, oldest first; stop at the first failure."""
    sent, error = 0, None
    while True:
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
                  timeout: float = 10.0) -> PushReport:
    """Queue the sessions' statements and send everything waiting. Without an LRS: nothing (or an error if required)."""
    from .credentials import load
    config = load()
    if config is None:
        if required:
            raise SimulatorError("no Learning Record Store is set", "set one with `simulator lrs configure`")
        return PushReport(0, 0, 0)
    ids = session_ids if session_ids is not None else unqueued_sessions(store)
    queued = queue_sessions(store, ids, config.activity_base, pass_mark)
    report = flush(store, Lrs(config, timeout))
    return PushReport(queued, report.sent, report.waiting, report.error)
