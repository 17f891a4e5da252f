"""A trainee's own sessions: the score that counts and how their disputes stand, and a past session's result
in the shapes the results page shows (so an answer that arrives days later is read where the verdict was)."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Turn
from ..scoring.detect import Match
from ..scoring.verdict import DimensionScore, Evidence, Result, Verdict
from .database import Store
from .queries import _SUMMARY, _summary
from .records import SessionRecord, SessionSummary


@dataclass(frozen=True)
class HistoryRow:
    summary: SessionSummary
    open_disputes: int
    answered_disputes: int


def trainee_history(store: Store, trainee: str, limit: int = 500) -> list[HistoryRow]:
    """Newest first, with each session's disputes counted."""
    counts = (", (SELECT COUNT(*) FROM disputes d WHERE d.session_id = s.id AND d.outcome = 'open') AS open_d,"
              " (SELECT COUNT(*) FROM disputes d WHERE d.session_id = s.id AND d.outcome != 'open') AS answered_d")
    rows = store.read(_SUMMARY.replace("s.reviewed_overall", "s.reviewed_overall" + counts, 1)
                      + " WHERE t.name = ? ORDER BY s.started_at DESC, s.id LIMIT ?", (trainee, limit))
    return [HistoryRow(_summary(r), r["open_d"], r["answered_d"]) for r in rows]


def past_result(record: SessionRecord) -> tuple[Result | None, list[Turn]]:
    """The automatic result and the turns of a kept session, as they were shown when it ended."""
    turns = [Turn(t["index"], t["speaker"], t["kind"], t["node"], t["text"] or "", t["line_id"], t["source"],
                  t["action"], tuple(Match(m["criterion"], m["start"], m["end"], m["quote"], m.get("confidence"),
                                           m.get("probability"), bool(m.get("uncertain"))) for m in t["matches"]),
                  t["confidence"], tuple(t["word_confidences"] or ()), t["started_at"], t["ended_at"])
             for t in record.turns]
    if record.summary.overall is None:
        return None, turns
    verdicts: dict[str, list[Verdict]] = {}
    for v in record.verdicts:
        evidence = tuple(Evidence(e["turn"], e["quote"], e.get("start", 0), e.get("end", 0), e.get("confidence"),
                                  bool(e.get("uncertain"))) for e in v["evidence"])
        verdicts.setdefault(v["dimension"], []).append(
            Verdict(v["item"], v["dimension"], v["status"], evidence, v["feedback"], bool(v["uncertain"])))
    dims = tuple(DimensionScore(s["dimension"], s["weight"], s["score"], tuple(verdicts.get(s["dimension"], ())))
                 for s in record.scores)
    return Result(record.summary.overall, dims, versions=dict(record.result.get("versions", {}))), turns
