"""Plain-text and JSON accounts of a finished role play."""

from __future__ import annotations

from dataclasses import asdict

from ..engine import Session
from ..printable import printable
from ..scenario import Policy
from ..scoring import Result
from ..scoring.measures import measure_sentences
from ..scoring.verdict import figure, item_label


def as_dict(session: Session, result: Result | None, unused: list[str]) -> dict:
    """result None: not scored (a break)."""
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
        "score": None if result is None else result.to_dict(),
        "unused_replies": unused,
    }


def bar(score: float, width: int = 20) -> str:
    filled = round(score / 100 * width)
    return "#" * filled + "." * (width - filled)


def score_text(session: Session, result: Result, policy: Policy | None = None) -> str:
    lines = ["", "=" * 60, f"Score: {figure(result.overall)} / 100", ""]
    for dim in result.dimensions:
        lines.append(f"  {dim.label:<18} {bar(dim.score)} {dim.score:5.0f}")
    lines.append("")
    marks = {"met": "+", "missed": "-", "violated": "!"}
    for dim in result.dimensions:
        for v in dim.verdicts:
            name = item_label(v.item)  # the words the app and `sessions show` use, never the criterion's id
            unsure = ", uncertain: the recogniser was unsure of your words" if v.uncertain else ""
            lines.append(f"  [{marks[v.status]}] {name} ({v.status}{unsure})")
            for ev in v.evidence[:2]:
                lines.append(f"        turn {ev.turn}: \"{printable(ev.quote)}\"")
            if v.feedback:
                lines.append(f"        {v.feedback}")
    if session.ending and session.ending.debrief:
        lines += ["", " ".join(session.ending.debrief.split())]
    said = measure_sentences(asdict(result.measures))
    if said:
        lines += ["", "How you handled the abuse:", *(f"  {line}" for line in said)]
    if policy and policy.debrief:
        lines += ["", " ".join(policy.debrief.split())]
    return "\n".join(lines)
