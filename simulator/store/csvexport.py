"""Sessions and their verdicts as CSV, for spreadsheets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .database import Store
from .queries import load_session
from .report import when

COLUMNS = ["row", "session", "trainee", "scenario", "started", "duration_s", "status", "overall",
           "dimension", "score", "criterion", "verdict", "uncertain", "evidence", "override"]


def _cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(store: Store, session_ids: list[str], out: Path) -> int:
    buffer = io.StringIO()
    w = csv.writer(buffer)
    w.writerow(COLUMNS)
    for session_id in session_ids:
        r = load_session(store, session_id)
        s = r.summary
        base = [s.id, s.trainee, s.scenario_id, when(s.started_at),
                "" if s.duration_s is None else round(s.duration_s), s.status, "" if s.overall is None else s.overall]
        w.writerow([_cell(c) for c in ["session", *base, "", "", "", "", "", "", ""]])
        scores = {sc["dimension"]: sc["score"] for sc in r.scores}
        latest = {(o.dimension, o.item): o.status for o in r.overrides}
        for v in r.verdicts:
            quote = " | ".join(ev["quote"] for ev in v["evidence"][:3])
            w.writerow([_cell(c) for c in ["verdict", *base, v["dimension"], scores.get(v["dimension"], ""),
                                           v["item"], v["status"], int(v.get("uncertain", False)), quote,
                                           latest.get((v["dimension"], v["item"]), "")]])
    out.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return len(session_ids)
