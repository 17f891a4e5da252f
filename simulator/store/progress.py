"""How trainees and scenarios are doing over many sessions, for the manager's progress views.

Scores and verdicts are the reviewed ones: where a manager changed a
verdict, that change counts.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..scoring.review import latest_overrides
from .database import COMPLETED, Store
from .pathwords import path_words


@dataclass(frozen=True)
class ProgressPoint:
    session_id: str
    started_at: float
    scenario_title: str
    overall: float
    dimensions: dict[str, float]


@dataclass(frozen=True)
class Missed:
    item: str
    missed: int  # sessions in which it was expected and not done (or done when it should not have been)
    assessed: int  # sessions in which it was scored at all

    @property
    def share(self) -> float:
        return self.missed / self.assessed if self.assessed else 0.0


@dataclass(frozen=True)
class ScenarioStats:
    scenario_id: str
    title: str
    sessions: int
    completed: int
    average: float | None
    dimensions: dict[str, float] = field(default_factory=dict)
    wrong_turn: tuple[str, str] | None = None  # (from node, to node) where most sessions leave the good paths
    wrong_turn_count: int = 0

    @property
    def completion(self) -> float:
        return self.completed / self.sessions if self.sessions else 0.0

    def wrong_turn_words(self) -> str:
        """The step as a manager reads it: node titles and a count that agrees with itself."""
        if not self.wrong_turn:
            return "—"
        n = self.wrong_turn_count
        return f"{path_words(self.scenario_id, self.wrong_turn)} ({n} session{'s' if n != 1 else ''})"


def trainee_progress(store: Store, trainee: str) -> list[ProgressPoint]:
    """Every scored session of one trainee, oldest first."""
    rows = store.read(
        "SELECT s.id, s.started_at, s.scenario_title, COALESCE(s.reviewed_overall, s.overall) AS overall"
        " FROM sessions s JOIN trainees t ON t.id = s.trainee_id"
        " WHERE t.name = ? AND s.overall IS NOT NULL ORDER BY s.started_at, s.id", (trainee,))
    dims: dict[str, dict[str, float]] = defaultdict(dict)
    for r in store.read(
            "SELECT c.session_id, c.dimension, COALESCE(c.reviewed, c.score) AS score FROM scores c"
            " JOIN sessions s ON s.id = c.session_id JOIN trainees t ON t.id = s.trainee_id WHERE t.name = ?",
            (trainee,)):
        dims[r["session_id"]][r["dimension"]] = r["score"]
    return [ProgressPoint(r["id"], r["started_at"], r["scenario_title"], r["overall"], dims[r["id"]]) for r in rows]


def most_missed(store: Store, trainee: str, limit: int = 5) -> list[Missed]:
    """The criteria this trainee most often misses (or breaks), most often first.

    A thing to avoid has a verdict only where it happened, so its sessions are counted from the scenario: every
    session of a scenario version (its sha256) that scored the dimension was watched for each thing to avoid that
    anyone was ever scored on there. Counted only where it happened, retaliating once read "1 of 1, 100 %"."""
    sessions = "(SELECT s.id FROM sessions s JOIN trainees t ON t.id = s.trainee_id WHERE t.name = ?)"
    changed = _changes(store, sessions, (trainee,))
    missed: Counter = Counter()
    assessed: Counter = Counter()
    recorded: set[tuple[str, str, str]] = set()
    for v in store.read(f"SELECT session_id, dimension, item, status, uncertain FROM verdicts"
                        f" WHERE session_id IN {sessions}", (trainee,)):
        recorded.add((v["session_id"], v["dimension"], v["item"]))
        status = changed.get(v["session_id"], {}).get((v["dimension"], v["item"]), v["status"])
        if v["uncertain"] and (v["dimension"], v["item"]) not in changed.get(v["session_id"], {}):
            continue  # rests on unclear speech: not held against anyone
        assessed[v["item"]] += 1
        missed[v["item"]] += status != "met" and not (v["status"] == "violated" and status != "violated")
    watched: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in store.read("SELECT DISTINCT s.scenario_sha256, v.dimension, v.item FROM verdicts v"
                        " JOIN sessions s ON s.id = v.session_id WHERE v.status = 'violated'"):
        watched[r["scenario_sha256"]].add((r["dimension"], r["item"]))
    for r in store.read(f"SELECT c.session_id, c.dimension, s.scenario_sha256 FROM scores c"
                        f" JOIN sessions s ON s.id = c.session_id WHERE c.session_id IN {sessions}", (trainee,)):
        for dimension, item in watched.get(r["scenario_sha256"], ()):
            if dimension == r["dimension"] and (r["session_id"], dimension, item) not in recorded:
                assessed[item] += 1  # watched for, and it did not happen
    ranked = sorted((Missed(item, n, assessed[item]) for item, n in missed.items() if n),
                    key=lambda m: (-m.missed, -m.share, m.item))
    return ranked[:limit]


def scenario_stats(store: Store, good: tuple[str, ...] = ("good",)) -> list[ScenarioStats]:
    """Per scenario: how many sessions, how many completed, average scores and the usual wrong turn."""
    out = []
    dims: dict[str, dict[str, float]] = defaultdict(dict)
    for r in store.read("SELECT s.scenario_id, c.dimension, AVG(COALESCE(c.reviewed, c.score)) AS avg FROM scores c"
                        " JOIN sessions s ON s.id = c.session_id GROUP BY s.scenario_id, c.dimension"):
        dims[r["scenario_id"]][r["dimension"]] = round(r["avg"], 1)
    paths: dict[str, list[tuple[list[str], str | None]]] = defaultdict(list)
    for r in store.read("SELECT scenario_id, path, ending_outcome FROM sessions"):
        paths[r["scenario_id"]].append((json.loads(r["path"] or "[]"), r["ending_outcome"]))
    for r in store.read(
            "SELECT scenario_id, MAX(scenario_title) AS title, COUNT(*) AS n, SUM(status = ?) AS completed,"
            " AVG(COALESCE(reviewed_overall, overall)) AS avg FROM sessions GROUP BY scenario_id"
            " ORDER BY title COLLATE NOCASE", (COMPLETED,)):
        turn, count = wrong_turn(paths[r["scenario_id"]], good)
        out.append(ScenarioStats(r["scenario_id"], r["title"], r["n"], r["completed"] or 0,
                                 None if r["avg"] is None else round(r["avg"], 1), dims[r["scenario_id"]],
                                 turn, count))
    return out


def wrong_turn(paths: list[tuple[list[str], str | None]], good: tuple[str, ...] = ("good",)) -> tuple[tuple[str, str] | None, int]:
    """The step most sessions that did not end well took off every path that did.

    A step (from node, to node) is off the good paths when no session with a
    good ending ever took it; each other session that reached an ending counts
    its first such step. A break, or a call stopped short, did not go wrong:
    it stopped before the conversation could go anywhere.
    """
    good_steps = {(a, b) for path, outcome in paths if outcome in good for a, b in zip(path, path[1:])}
    first_wrong: Counter = Counter()
    for path, outcome in paths:
        if outcome in good or outcome in (None, "stopped"):
            continue
        step = next(((a, b) for a, b in zip(path, path[1:]) if (a, b) not in good_steps), None)
        if step:
            first_wrong[step] += 1
    if not first_wrong:
        return None, 0
    step, count = first_wrong.most_common(1)[0]
    return step, count


def _changes(store: Store, sessions_sql: str, params: tuple) -> dict[str, dict[tuple[str, str], str]]:
    by_session: dict[str, list] = defaultdict(list)
    for o in store.read(f"SELECT session_id, dimension, item, status FROM overrides WHERE session_id IN {sessions_sql}"
                        " ORDER BY created_at, id", params):
        by_session[o["session_id"]].append(dict(o))
    return {sid: latest_overrides(rows) for sid, rows in by_session.items()}
