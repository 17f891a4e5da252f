"""What the scoring says about a session, in plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["met", "missed", "violated"]


@dataclass(frozen=True)
class Evidence:
    """The trainee's own words (or call control) that a verdict rests on."""

    turn: int
    quote: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Verdict:
    item: str  # a criterion id or a call control
    dimension: str
    status: Status
    evidence: tuple[Evidence, ...] = ()
    feedback: str = ""


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    weight: float
    score: float  # 0-100
    verdicts: tuple[Verdict, ...] = ()

    @property
    def label(self) -> str:
        return dimension_label(self.dimension)


@dataclass(frozen=True)
class Result:
    overall: float  # 0-100, weighted over the dimensions
    dimensions: tuple[DimensionScore, ...] = field(default=())

    def to_dict(self) -> dict:
        return {"overall": self.overall,
                "dimensions": {d.dimension: {"score": d.score, "weight": d.weight,
                                             "verdicts": [asdict(v) for v in d.verdicts]}
                               for d in self.dimensions}}


def dimension_label(dimension: str) -> str:
    return dimension.replace("_", "-" if dimension == "boundary_setting" else " ").capitalize()
