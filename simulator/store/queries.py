"""Reading session records: lists with filters, and one whole session."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SimulatorError
from .database import Store
from .disputes import session_disputes
from .records import Override, SessionRecord, SessionSummary, loads

_SUMMARY = ("SELECT s.id, t.name AS trainee, s.scenario_id, s.scenario_title, s.started_at, s.ended_at, s.status,"
            " s.overall, s.origin, s.reviewed_overall FROM sessions s JOIN trainees t ON t.id = s.trainee_id")


@dataclass(frozen=True)
class Filter:
    trainee: str | None = None
    scenario: str | None = None
    status: str | None = None
    since: float | None = None
    until: float | None = None
    min_score: float | None = None
    max_score: float | None = None
    text: str | None = None  # words in the transcript


def _summary(row) -> SessionSummary:
    return SessionSummary(row["id"], row["trainee"], row["scenario_id"], row["scenario_title"], row["started_at"],
                          row["ended_at"], row["status"], row["overall"], row["origin"],
                          row["reviewed_overall"])


def where(flt: Filter) -> tuple[str, list]:
    """The SQL condition (on sessions s) and its parameters for a filter; scores are the reviewed ones."""
    score = "COALESCE(s.reviewed_overall, s.overall)"
    conditions = [
        (flt.trainee, "s.trainee_id = (SELECT id FROM trainees WHERE name = ?)"),
        (flt.scenario, "s.scenario_id = ?"),
        (flt.status, "s.status = ?"),
        (flt.since, "s.started_at >= ?"),
        (flt.until, "s.started_at < ?"),
        (flt.min_score, f"{score} >= ?"),
        (flt.max_score, f"{score} <= ?"),
    ]
    sql = [cond for value, cond in conditions if value not in (None, "")]
    params: list = [value for value, _ in conditions if value not in (None, "")]
    match = fts_query(flt.text or "")
    if match:
        sql.append("s.id IN (SELECT t.session_id FROM turns_fts f JOIN turns t ON t.rowid = f.rowid"
                   " WHERE turns_fts MATCH ?)")
        params.append(match)
    return (" WHERE " + " AND ".join(sql)) if sql else "", params


def fts_query(text: str) -> str:
    """Words as typed, each matched as the start of a word in the transcript (FTS5 syntax never leaks through)."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w]
    return " ".join(f'"{w}"*' for w in words)


def list_sessions(store: Store, flt: Filter = Filter(), limit: int = 100, offset: int = 0) -> list[SessionSummary]:
    """Newest first."""
    condition, params = where(flt)
    sql = _SUMMARY + condition + " ORDER BY s.started_at DESC, s.id LIMIT ? OFFSET ?"
    return [_summary(r) for r in store.read(sql, (*params, limit, offset))]


def find_session(store: Store, prefix: str) -> str:
    """A session id from its first characters (as `sessions list` shows them)."""
    rows = store.read("SELECT id FROM sessions WHERE id LIKE ? LIMIT 2", (prefix.lower().replace("%", "") + "%",))
    if not rows:
        raise SimulatorError(f"no session '{prefix}'", "see `simulator sessions list`")
    if len(rows) > 1:
        raise SimulatorError(f"'{prefix}' matches more than one session", "give more of the id")
    return rows[0]["id"]


def load_session(store: Store, session_id: str) -> SessionRecord:
    rows = store.read(_SUMMARY.replace("s.origin,", "s.origin, s.*,") + " WHERE s.id = ?", (session_id,))
    if not rows:
        raise SimulatorError(f"no session '{session_id}'", "see `simulator sessions list`")
    s = rows[0]
    turns = []
    for t in store.read("SELECT * FROM turns WHERE session_id = ? ORDER BY idx", (session_id,)):
        turn = {k: t[k] for k in t.keys() if k != "session_id"}
        turn["index"] = turn.pop("idx")
        turn["matches"] = loads(turn["matches"], [])
        turn["word_confidences"] = loads(turn["word_confidences"], [])
        turns.append(turn)
    scores = [dict(r) for r in store.read(
        "SELECT dimension, score, weight, reviewed FROM scores WHERE session_id = ? ORDER BY rowid", (session_id,))]
    verdicts = []
    for v in store.read("SELECT dimension, item, status, uncertain, evidence, feedback FROM verdicts"
                        " WHERE session_id = ? ORDER BY rowid", (session_id,)):
        verdicts.append({**dict(v), "uncertain": bool(v["uncertain"]), "evidence": loads(v["evidence"], [])})
    overrides = [Override(r["dimension"], r["item"], r["status"], r["comment"], r["reviewer"], r["created_at"])
                 for r in store.read("SELECT * FROM overrides WHERE session_id = ? ORDER BY created_at, id",
                                     (session_id,))]
    reviews = [dict(r) for r in store.read("SELECT reviewer, reviewed_at FROM reviews WHERE session_id = ?"
                                           " ORDER BY reviewed_at", (session_id,))]
    return SessionRecord(_summary(s), s["scenario_sha256"], s["scenario_file"], s["intensity"], s["seed"],
                         s["ending_node"], s["ending_outcome"], loads(s["path"], []), bool(s["keep_audio"]),
                         loads(s["result"], {}), turns, scores, verdicts, overrides, reviews,
                         session_disputes(store, session_id))


def trainee_names(store: Store) -> list[str]:
    """Everyone who has practised here, for the name picker."""
    return [r["name"] for r in store.read("SELECT name FROM trainees ORDER BY name COLLATE NOCASE")]


def last_scores(store: Store, trainee: str) -> dict[str, float | None]:
    """Each scenario's most recent scored session of one trainee, by scenario id."""
    rows = store.read(
        "SELECT s.scenario_id, s.overall FROM sessions s"
        " WHERE s.trainee_id = (SELECT id FROM trainees WHERE name = ?) AND s.overall IS NOT NULL"
        " AND s.started_at = (SELECT MAX(x.started_at) FROM sessions x WHERE x.trainee_id = s.trainee_id"
        "   AND x.scenario_id = s.scenario_id AND x.overall IS NOT NULL)", (trainee,))
    return {r["scenario_id"]: r["overall"] for r in rows}
