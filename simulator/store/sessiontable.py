"""The review list of sessions: one page of rows at a time, sorted and filtered in SQLite.

A store may hold tens of thousands of sessions; the review table asks for
the number of rows and then only for the pages it shows, so opening and
filtering cost the same with ten sessions or ten thousand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .database import Store
from .queries import Filter, where

# Every dimension a shipped scenario scores, in the order the columns show them (tests/test_review_second_pass.py
# holds them to it); a coach's own dimensions follow them, as the store has them (`dimensions_in`).
DIMENSIONS = ("boundary_setting", "disengaging", "escalation", "empathy", "problem_solving", "accountability",
              "professionalism")
_SCORE = "COALESCE(s.reviewed_overall, s.overall)"
# A dimension's name is a parameter, never part of the SQL: a coach's own come from scenario files and bundles.
_DIM = "(SELECT COALESCE(c.reviewed, c.score) FROM scores c WHERE c.session_id = s.id AND c.dimension = ?)"

# Column -> the SQL it sorts by (a dimension's column sorts by _DIM).
SORT_KEYS = {
    "trainee": "t.name COLLATE NOCASE",
    "scenario": "s.scenario_title COLLATE NOCASE",
    "started": "s.started_at",
    "duration": "(s.ended_at - s.started_at)",
    "status": "s.status",
    "score": _SCORE,
}


def ordered_dimensions(found: Iterable[str]) -> tuple[str, ...]:
    """The shipped dimensions, then any other of `found` (a coach's own), by name: the order every view shows."""
    return DIMENSIONS + tuple(sorted(set(found) - set(DIMENSIONS)))


def dimensions_in(store: Store) -> tuple[str, ...]:
    """Every dimension a session in the store was scored on, as `ordered_dimensions` orders them."""
    return ordered_dimensions(r[0] for r in store.read("SELECT DISTINCT dimension FROM scores"))


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
    marked_reviewed: bool = False  # a manager marked the session reviewed (with or without a change)


@dataclass(frozen=True)
class SessionQuery:
    filter: Filter = Filter()
    sort: str = "started"
    descending: bool = True


def count_sessions(store: Store, query: SessionQuery) -> int:
    condition, params = where(query.filter)
    return store.read("SELECT COUNT(*) FROM sessions s" + condition, tuple(params))[0][0]


def session_rows(store: Store, query: SessionQuery, offset: int, limit: int,
                 dimensions: tuple[str, ...] = DIMENSIONS) -> list[SessionRow]:
    # Two steps: sort and cut the page on ids alone, then read the page's columns. SQLite works out every
    # selected column before it sorts, so one query would look up five dimension scores for all rows.
    condition, params = where(query.filter)
    by_dimension = query.sort not in SORT_KEYS and query.sort in dimensions
    key = _DIM if by_dimension else SORT_KEYS.get(query.sort, SORT_KEYS["started"])
    sort_params = (query.sort,) if by_dimension else ()
    order = "DESC" if query.descending else "ASC"
    nulls = f"{key} IS NULL, " if query.sort in ("duration", "score") or by_dimension else ""
    join = " JOIN trainees t ON t.id = s.trainee_id" if query.sort == "trainee" else ""
    ids = [r[0] for r in store.read(
        f"SELECT s.id FROM sessions s{join}{condition} ORDER BY {nulls}{key} {order}, s.started_at DESC, s.id"
        " LIMIT ? OFFSET ?", (*params, *sort_params * (2 if nulls else 1), limit, offset))]
    if not ids:
        return []
    dims = "".join(f", {_DIM} AS d{i}" for i in range(len(dimensions)))
    rows = {r["id"]: r for r in store.read(
        f"SELECT s.id, t.name AS trainee, s.scenario_title, s.started_at, s.ended_at, s.status, {_SCORE} AS score,"
        f" s.reviewed_overall IS NOT NULL AS reviewed, s.origin{dims},"
        " EXISTS (SELECT 1 FROM reviews v WHERE v.session_id = s.id) AS marked"
        f" FROM sessions s JOIN trainees t ON t.id = s.trainee_id WHERE s.id IN ({','.join('?' * len(ids))})",
        (*dimensions, *ids))}
    return [SessionRow(r["id"], r["trainee"], r["scenario_title"], r["started_at"],
                       None if r["ended_at"] is None else max(0.0, r["ended_at"] - r["started_at"]), r["status"],
                       r["score"], bool(r["reviewed"]), r["origin"],
                       {d: r[f"d{i}"] for i, d in enumerate(dimensions)}, bool(r["marked"]))
            for r in (rows[i] for i in ids)]


def choices(store: Store) -> tuple[list[str], list[tuple[str, str]]]:
    """Trainee names and (scenario id, title) pairs that have sessions, for the filter lists."""
    trainees = [r[0] for r in store.read("SELECT name FROM trainees ORDER BY name COLLATE NOCASE")]
    scenarios = [(r[0], r[1]) for r in store.read(
        "SELECT scenario_id, MAX(scenario_title) FROM sessions GROUP BY scenario_id ORDER BY 2 COLLATE NOCASE")]
    return trainees, scenarios


def session_ids(store: Store, query: SessionQuery, limit: int = 1_000_000) -> list[str]:
    """Every session the query shows, in its order (for exports of "the sessions shown")."""
    return [r.id for r in session_rows(store, query, 0, limit, dimensions_in(store))]
