"""The team's certificates: who holds which and since when, as a table, as CSV, and as xAPI statements.

Review mode's Team tab, `simulator certificates` and the trainee's library
all read certificates through `team_certificates`, so they say the same.
A certificate reached becomes `completed` and `passed` statements for the
certificate (not for a session), queued once in the outbox: their ids are
made from the certificate, the trainee and the moment it was reached, so
queueing again adds nothing, and earning it again after a lapse is a new
achievement with statements of its own.
"""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..scenario.model import Policy
from ..scoring.certificates import CERTIFIED, CertificateStatus, certificate_status
from .attempts import attempts_by_trainee
from .csvexport import _cell
from .database import Store
from .private import write_private
from .report import when
from .xapi import DEFAULT_BASE, NAMESPACE, VERBS, _agent, _iso

COLUMNS = ["trainee", "certificate", "title", "state", "reached", "expires", "passed", "of", "still to pass"]


def scenario_titles(store: Store, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Titles by scenario id: the library's where it has the scenario, else the title sessions recorded."""
    found = {r["scenario_id"]: r["title"] for r in store.read(
        "SELECT scenario_id, MAX(scenario_title) AS title FROM sessions GROUP BY scenario_id")}
    return {**found, **(known or {})}


def team_certificates(store: Store, policy: Policy, *, now: float | None = None, trainee: str | None = None,
                      titles: Mapping[str, str] | None = None) -> list[CertificateStatus]:
    """Every trainee's standing on every certificate the policy names (only one trainee's when named),
    by trainee name, then in the policy's order."""
    if not policy.certificates:
        return []
    now = time.time() if now is None else now
    titles = scenario_titles(store, titles)
    history = attempts_by_trainee(store, trainee)
    if trainee is not None:
        names = [trainee]
    else:
        names = [r["name"] for r in store.read("SELECT name FROM trainees ORDER BY name COLLATE NOCASE")]
    return [certificate_status(c, name, history.get(name, []), now, pass_mark=policy.pass_mark, titles=titles)
            for name in names for c in policy.certificates]


def certificates_csv(statuses: Sequence[CertificateStatus], out: Path) -> int:
    """One row per trainee and certificate; written whole or not at all, readable by its owner only."""
    buffer = io.StringIO()
    w = csv.writer(buffer)
    w.writerow(COLUMNS)
    for s in statuses:
        still = "; ".join(r.title + (f" ({r.intensity})" if r.intensity else "") for r in s.requirements if not r.passed)
        w.writerow([_cell(c) for c in [s.trainee, s.certificate_id, s.title, s.state, when(s.reached_at),
                                       when(s.expires_at), s.passed, len(s.requirements), still]])
    write_private(out, buffer.getvalue().encode("utf-8"))
    return len(statuses)


def certificate_statements(status: CertificateStatus, base: str = DEFAULT_BASE) -> list[dict]:
    """`completed` and `passed` for a certificate held; nothing for one not (or no longer) held."""
    if status.state != CERTIFIED or status.reached_at is None:
        return []
    base = base.rstrip("/")
    ext = f"{base}/xapi/extensions"
    attempt = f"certificate/{status.certificate_id}/{status.trainee}/{status.reached_at:.3f}"
    activity = {"objectType": "Activity", "id": f"{base}/certificates/{status.certificate_id}",
                "definition": {"name": {"en-US": status.title},
                               "type": "http://adlnet.gov/expapi/activities/course"}}
    context = {"registration": str(uuid.uuid5(NAMESPACE, attempt)),
               "extensions": {f"{ext}/scenarios": [r.scenario_id for r in status.requirements]}}
    result = {"completion": True, "success": True,
              "extensions": {f"{ext}/expires": None if status.expires_at is None else _iso(status.expires_at)}}

    def make(verb: str) -> dict:
        return {"id": str(uuid.uuid5(NAMESPACE, f"{attempt}/{verb}")), "actor": _agent(status.trainee, base),
                "verb": {"id": VERBS[verb], "display": {"en-US": verb}}, "object": activity,
                "timestamp": _iso(status.reached_at), "context": context,
                "result": result if verb == "passed" else {"completion": True}}
    return [make("completed"), make("passed")]


def queue_certificates(store: Store, statuses: Sequence[CertificateStatus], base: str = DEFAULT_BASE) -> int:
    """Put the statements of certificates held in the outbox, each once; how many were new."""
    added = 0
    with store.write() as db:
        for status in statuses:
            for stmt in certificate_statements(status, base):
                # The outbox keys its rows by session; a certificate's rows are kept under the certificate's id.
                added += db.execute("INSERT OR IGNORE INTO outbox (statement_id, session_id, body, queued_at)"
                                    " VALUES (?,?,?,?)", (stmt["id"], f"certificate:{status.certificate_id}",
                                                          json.dumps(stmt), time.time())).rowcount
    return added


def push_certificates(store: Store, statuses: Sequence[CertificateStatus], timeout: float = 10.0):
    """Queue the certificates held and send everything waiting to the organisation's LRS (a lrs.PushReport)."""
    from ..errors import SimulatorError
    from .credentials import load
    from .lrs import Lrs, PushReport, flush
    config = load()
    if config is None:
        raise SimulatorError("no Learning Record Store is set", "set one with `simulator lrs configure`")
    queued = queue_certificates(store, statuses, config.activity_base)
    report = flush(store, Lrs(config, timeout))
    return PushReport(queued, report.sent, report.waiting, report.error)
