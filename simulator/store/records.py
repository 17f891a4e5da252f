"""What the store gives back: plain records for the CLI, reports, bundles and the app."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SessionSummary:
    id: str
    trainee: str
    scenario_id: str
    scenario_title: str
    started_at: float
    ended_at: float | None
    status: str
    overall: float | None
    origin: str = "played"
    reviewed_overall: float | None = None  # the score with managers' overrides, when there are any

    @property
    def score(self) -> float | None:
        """The score that counts: the reviewed one where a manager changed a verdict."""
        return self.reviewed_overall if self.reviewed_overall is not None else self.overall

    @property
    def duration_s(self) -> float | None:
        return None if self.ended_at is None else max(0.0, self.ended_at - self.started_at)


@dataclass(frozen=True)
class Override:
    dimension: str
    item: str
    status: str
    comment: str
    reviewer: str
    created_at: float


OPEN, UPHELD, OVERTURNED = "open", "upheld", "overturned"  # a dispute's outcomes


@dataclass(frozen=True)
class Dispute:
    """A trainee's dispute of one verdict, and the manager's answer once there is one (store/disputes.py)."""

    id: str
    session_id: str
    dimension: str
    item: str
    disputed_status: str  # the verdict as the trainee saw it when they disputed it
    reason: str
    created_at: float
    outcome: str = OPEN
    resolved_status: str | None = None  # the verdict after an override (overturned only)
    response: str | None = None  # the manager's reason, for either answer
    resolver: str | None = None
    resolved_at: float | None = None
    trainee: str = ""
    scenario_title: str = ""

    @property
    def is_open(self) -> bool:
        return self.outcome == OPEN

    def to_dict(self) -> dict:
        """As bundles carry it (who and which scenario come from the session around it)."""
        return {k: getattr(self, k) for k in ("id", "dimension", "item", "disputed_status", "reason", "created_at",
                                              "outcome", "resolved_status", "response", "resolver", "resolved_at")}


@dataclass(frozen=True)
class SessionRecord:
    """A whole session: what was played, every turn, the score and every review."""

    summary: SessionSummary
    scenario_sha256: str
    scenario_file: str | None
    intensity: str | None
    seed: int | None
    ending_node: str | None
    ending_outcome: str | None
    path: list[str]
    keep_audio: bool
    result: dict  # measures and versions (dimensions are in scores/verdicts)
    turns: list[dict]
    scores: list[dict]
    verdicts: list[dict]
    overrides: list[Override] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)  # {reviewer, reviewed_at}: who has read it, and when
    disputes: list[Dispute] = field(default_factory=list)  # oldest first

    @property
    def id(self) -> str:
        return self.summary.id

    def to_dict(self) -> dict:
        """Everything, as JSON-ready data (the form used in bundles)."""
        s = self.summary
        return {
            "id": s.id, "trainee": s.trainee, "scenario_id": s.scenario_id, "scenario_title": s.scenario_title,
            "scenario_sha256": self.scenario_sha256, "scenario_file": self.scenario_file,
            "intensity": self.intensity, "seed": self.seed, "started_at": s.started_at, "ended_at": s.ended_at,
            "status": s.status, "ending_node": self.ending_node, "ending_outcome": self.ending_outcome,
            "path": self.path, "overall": s.overall, "result": self.result, "keep_audio": self.keep_audio,
            "turns": self.turns, "scores": self.scores, "verdicts": self.verdicts,
            "overrides": [o.__dict__ for o in self.overrides], "reviews": self.reviews,
            "reviewed_overall": s.reviewed_overall, "disputes": [d.to_dict() for d in self.disputes],
        }


def loads(text: str | None, default: object) -> object:
    return json.loads(text) if text else default
