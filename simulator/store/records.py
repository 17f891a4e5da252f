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
            "reviewed_overall": s.reviewed_overall,
        }


def loads(text: str | None, default: object) -> object:
    return json.loads(text) if text else default
