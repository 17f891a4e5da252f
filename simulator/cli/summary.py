"""Plain-text and JSON accounts of a finished role play."""

from __future__ import annotations

from ..engine import Session
from ..scenario import ACTION_LABELS
from ..scoring import Result


def as_dict(session: Session, result: Result, unused: list[str]) -> dict:
    sf = session.file
    ending = session.ending
    return {
        "scenario": {"id": sf.id, "title": sf.scenario.title, "file": str(sf.path), "sha256": sf.sha256},
        "intensity": session.intensity,
        "seed": session.seed,
        "finished": session.finished,
        "ending": None if ending is None else {"node": ending.node, "outcome": ending.outcome,
                                               "reason": ending.reason, "debrief": ending.debrief.strip()},
        "path": session.path,
        "turns": [t.to_dict() for t in session.turns],
        "score": result.to_dict(),
        "unused_replies": unused,
    }


def bar(score: float, width: int = 20) -> str:
    filled = round(score / 100 * width)
    return "#" * filled + "." * (width - filled)


def score_text(session: Session, result: Result) -> str:
    lines = ["", "=" * 60, f"Score: {result.overall:.0f} / 100", ""]
    for dim in result.dimensions:
        lines.append(f"  {dim.label:<18} {bar(dim.score)} {dim.score:5.0f}")
    lines.append("")
    marks = {"met": "+", "missed": "-", "violated": "!"}
    for dim in result.dimensions:
        for v in dim.verdicts:
            name = ACTION_LABELS.get(v.item, v.item.replace("_", " "))
            lines.append(f"  [{marks[v.status]}] {name} ({v.status})")
            for ev in v.evidence[:2]:
                lines.append(f"        turn {ev.turn}: \"{ev.quote}\"")
            if v.feedback:
                lines.append(f"        {v.feedback}")
    if session.ending and session.ending.debrief:
        lines += ["", " ".join(session.ending.debrief.split())]
    lines += ["", "These conversations can be upsetting, even in practice. Take a moment before the next one."]
    return "\n".join(lines)
