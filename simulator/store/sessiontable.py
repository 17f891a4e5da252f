"""The review list of sessions: one page of rows at a time, sorted and filtered in SQLite.

A store may hold tens of thousands of sessions; the review table asks for
the number of rows and then only for the pages it shows, so opening and
filtering cost the same with ten sessions or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .database import Store
from .queries import Filter, where

DIMENSIONS = ("boundary_setting", "disengaging", "escalation", "empathy", "professionalism")
_SCORE = "COALESCE(s.reviewed_overall, s.overall)"
_DIM = "(SELECT COALESCE(c.reviewed, c.score) FROM scores c WHERE c.session_id = s.id AND c.dimension = '{}')"

# Column -> the SQL it sorts by. Dimension names are constants above, never user input.
SORT_KEYS = {
    "trainee": "t.name COLLATE NOCASE",
    "scenario": "s.scenario_title COLLATE NOCASE",
    "started": "s.started_at",
    "duration": "(s.ended_at - s.started_at)",
    "status": "s.status",
    "score": _SCORE,
    **{d: _DIM.format(d) for d in DIMENSIONS},
}


@dataclass(frozen=True)
class SessionRow:
    id: str
    trainee: str
    scenario_title: str
    started_at: float
    duration_s: float | None
    status: str
    score: float | None
    reviewed: bool  # a manager changed a verdict: the score is the reviewed one
    origin: str
    dimensions: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionQuery:
    filter: Filter = Filter()
    sort: str = "started"
    descending: bool = True


def count_sessions(store: Store, query: SessionQuery) -> int:
    condition, params = where(query.filter)
    return store.read("SELECT COUNT(*) FROM sessions s" + condition, tuple(params))[0][0]


def session_rows(store: Store, query: SessionQuery, offset: int, limit: int) -> list[SessionRow]:
    condition, params = where(query.filter)
    key = SORT_KEYS.get(query.sort, SORT_KEYS["started"])
    order = "DESC" if query.descending else "ASC"
    dims = ", ".join(f"{_DIM.format(d)} AS d_{d}" for d in DIMENSIONS)
    sql = (f"SELECT s.id, t.name AS trainee, s.scenario_title, s.started_at, s.ended_at, s.status, {_SCORE} AS score,"
           f" s.reviewed_overall IS NOT NULL AS reviewed, s.origin, {dims}"
           f" FROM sessions s JOIN trainees t ON t.id = s.trainee_id{condition}"
           f" ORDER BY {key} IS NULL, {key} {order}, s.started_at DESC, s.id LIMIT ? OFFSET ?")
    return [SessionRow(r["id"], r["trainee"], r["scenario_title"], r["started_at"],
                       None if r["ended_at"] is None else max(0.0, r["ended_at"] - r["started_at"]), r["status"],
                       r["score"], bool(r["reviewed"]), r["origin"], {d: r[f"d_{d}"] for d in DIMENSIONS})
            for r in store.read(sql, (*params, limit, offset))]


def choices(store: Store) -> tuple[list[str], list[tuple[str, str]]]:
    """Trainee names and (scenario id, title) pairs that have sessions, for the filter lists."""
    trainees = [r[0] for r in store.read("SELECT name FROM trainees ORDER BY name COLLATE NOCASE")]
    scenarios = [(r[0], r[1]) for r in store.read(
        "SELECT scenario_id, MAX(scenario_title) FROM sessions GROUP BY scenario_id ORDER BY 2 COLLATE NOCASE")]
    return trainees, scenarios
