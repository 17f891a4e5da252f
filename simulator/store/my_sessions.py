"""A trainee's own sessions: the score that counts and how their disputes stand, and a past session's result
in the shapes the results page shows (so an answer that arrives days later is read where the verdict was)."""

from __future__ import annotations

from dataclasses import dataclass, replace

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


def changed_by(reviewer: str, reason: str) -> str:
    """What a trainee reads in place of the advice where a manager changed the verdict."""
    return f"Changed by your manager, {reviewer}: {reason}"


def past_result(record: SessionRecord) -> tuple[Result | None, list[Turn]]:
    """The result and the turns of a kept session, as they were shown when it ended, with a manager's changes laid
    over it: a verdict changed shows its new status and the manager's reason in place of the automatic advice,
    a thing to avoid the manager found did not happen is gone, and each dimension has its reviewed score. (Only
    the headline followed a review: the bars, cards and advice still read the automatic verdicts.) The overall
    score stays the automatic one; the page shows the reviewed one beside it."""
    turns = [Turn(t["index"], t["speaker"], t["kind"], t["node"], t["text"] or "", t["line_id"], t["source"],
                  t["action"], tuple(Match(m["criterion"], m["start"], m["end"], m["quote"], m.get("confidence"),
                                           m.get("probability"), bool(m.get("uncertain"))) for m in t["matches"]),
                  t["confidence"], tuple(t["word_confidences"] or ()), t["started_at"], t["ended_at"])
             for t in record.turns]
    if record.summary.overall is None:
        return None, turns
    changes = {(o.dimension, o.item): o for o in record.overrides}  # the latest of each (oldest come first)
    verdicts: dict[str, list[Verdict]] = {}
    for v in record.verdicts:
        evidence = tuple(Evidence(e["turn"], e["quote"], e.get("start", 0), e.get("end", 0), e.get("confidence"),
                                  bool(e.get("uncertain"))) for e in v["evidence"])
        verdict = Verdict(v["item"], v["dimension"], v["status"], evidence, v["feedback"], bool(v["uncertain"]))
        change = changes.get((v["dimension"], v["item"]))
        if change is not None and change.status != verdict.status:
            if verdict.status == "violated":
                continue
            verdict = replace(verdict, status=change.status, uncertain=False,
                              feedback=changed_by(change.reviewer, change.comment))
        verdicts.setdefault(v["dimension"], []).append(verdict)
    dims = tuple(DimensionScore(s["dimension"], s["weight"], s["score"] if s.get("reviewed") is None else s["reviewed"],
                                tuple(verdicts.get(s["dimension"], ())))
                 for s in record.scores)
    return Result(record.summary.overall, dims, versions=dict(record.result.get("versions", {}))), turns
