"""Sessions and their verdicts as CSV, for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from .database import Store
from .private import write_private
from .queries import load_session
from .report import when

# overall and score are the reviewed ones where a manager changed a verdict (override shows which)
COLUMNS = ["row", "session", "trainee", "scenario", "started", "duration_s", "status", "overall",
           "dimension", "score", "criterion", "verdict", "uncertain", "evidence", "override", "dispute", "dispute_reason",
           "dispute_answer"]
# dispute: the latest dispute of that verdict (open, upheld, overturned), with the trainee's reason and the answer


def _cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _dispute_cells(d) -> list[str]:
    if d is None:
        return ["", "", ""]
    return [d.outcome, d.reason, d.response or ""]


def export_csv(store: Store, session_ids: list[str], out: Path,
               progress: Callable[[int, int], None] | None = None) -> int:
    """`progress(done, total)` is called after each session; it may raise to cancel (nothing is written).

    The file is written whole or not at all, readable by its owner only (it names employees and quotes them).
    """
    buffer = io.StringIO()
    w = csv.writer(buffer)
    w.writerow(COLUMNS)
    for n, session_id in enumerate(session_ids):
        if progress is not None:
            progress(n, len(session_ids))
        r = load_session(store, session_id)
        s = r.summary
        base = [s.id, s.trainee, s.scenario_id, when(s.started_at),
                "" if s.duration_s is None else round(s.duration_s), s.status, "" if s.score is None else s.score]
        w.writerow([_cell(c) for c in ["session", *base, "", "", "", "", "", "", "", "", "", ""]])
        disputed = {(d.dimension, d.item): d for d in r.disputes}  # oldest first: the latest is kept
        scores = {sc["dimension"]: sc["reviewed"] if sc.get("reviewed") is not None else sc["score"] for sc in r.scores}
        latest = {(o.dimension, o.item): o.status for o in r.overrides}
        for v in r.verdicts:
            quote = " | ".join(ev["quote"] for ev in v["evidence"][:3])
            w.writerow([_cell(c) for c in ["verdict", *base, v["dimension"], scores.get(v["dimension"], ""),
                                           v["item"], v["status"], int(v.get("uncertain", False)), quote,
                                           latest.get((v["dimension"], v["item"]), ""),
                                           *_dispute_cells(disputed.get((v["dimension"], v["item"])))]])
    write_private(out, buffer.getvalue().encode("utf-8"))
    return len(session_ids)
