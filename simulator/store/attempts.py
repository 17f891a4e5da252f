"""Each trainee's assessed attempts, as the practice plan and the certificates read them.

An attempt is a session played to the end and scored. Practice-only runs are
never kept, so they can never count; a session stopped for a break or cut
short is not an attempt either. Scores and verdicts are the reviewed ones
(a manager's change counts); a verdict that rests on unclear speech and no
manager changed is left out, as it is never held against the trainee.
"""

from __future__ import annotations

import json
from collections import defaultdict

from ..scoring.plan import MISTIMED, Attempt
from ..scoring.review import latest_overrides
from .database import COMPLETED, Store


def attempts_by_trainee(store: Store, trainee: str | None = None) -> dict[str, list[Attempt]]:
    """Oldest first, per trainee name; only that trainee's when one is named."""
    where, params = ("AND t.name = ?", (COMPLETED, trainee)) if trainee is not None else ("", (COMPLETED,))
    sessions = store.read(
        "SELECT s.id, t.name, s.scenario_id, s.intensity, s.started_at, COALESCE(s.reviewed_overall, s.overall) AS score"
        " FROM sessions s JOIN trainees t ON t.id = s.trainee_id"
        f" WHERE s.status = ? AND s.overall IS NOT NULL {where} ORDER BY s.started_at, s.id", params)
    chosen = "(SELECT s.id FROM sessions s JOIN trainees t ON t.id = s.trainee_id WHERE s.status = ?" \
             f" AND s.overall IS NOT NULL {where})"
    merged: dict[str, dict[str, tuple[str, list[dict]]]] = defaultdict(dict)  # item -> (status, evidence of a miss)
    changes: dict[str, list] = defaultdict(list)
    for o in store.read(f"SELECT session_id, dimension, item, status FROM overrides WHERE session_id IN {chosen}"
                        " ORDER BY created_at, id", params):
        changes[o["session_id"]].append(dict(o))
    changed = {sid: latest_overrides(rows) for sid, rows in changes.items()}
    for v in store.read(f"SELECT session_id, dimension, item, status, uncertain, evidence FROM verdicts"
                        f" WHERE session_id IN {chosen}", params):
        mine = changed.get(v["session_id"], {})
        key = (v["dimension"], v["item"])
        if v["uncertain"] and key not in mine:
            continue
        status = mine.get(key, v["status"])
        evidence = _evidence(v["evidence"]) if status == "missed" and key not in mine else []
        before = merged[v["session_id"]].get(v["item"])
        # An item scored in two dimensions counts as missed if it was missed in either.
        merged[v["session_id"]][v["item"]] = (status, evidence) if before is None or before[0] == "met" else before
    verdicts: dict[str, dict[str, str]] = defaultdict(dict)
    for sid, items in merged.items():
        for item, (status, evidence) in items.items():
            # Named after the merge, or a miss done too early in one dimension got round the rule above.
            done, status = _as_done(store, sid, item, evidence) if status == "missed" else (item, status)
            verdicts[sid][done] = status if verdicts[sid].get(done) in (None, "met") else verdicts[sid][done]
    out: dict[str, list[Attempt]] = defaultdict(list)
    for s in sessions:
        out[s["name"]].append(Attempt(s["scenario_id"], s["started_at"], s["score"], s["intensity"],
                                      verdicts.get(s["id"], {})))
    return dict(out)


def _evidence(text: str) -> list[dict]:
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return []
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _as_done(store: Store, session_id: str, item: str, evidence: list[dict]) -> tuple[str, str]:
    """A missed verdict with evidence was done, but not where it counted (before the warning it needs, or too
    late): (the alternatives the trainee did, MISTIMED). The plan said "you hadn't transferred a call" to a
    trainee who had, too early; and of "end_call|escalate" the one not chosen was never missing."""
    if not evidence:
        return item, "missed"
    skills = item.split("|")
    done: set[str] = set()
    for e in evidence:
        turn = store.read("SELECT action, matches FROM turns WHERE session_id = ? AND idx = ?",
                          (session_id, e.get("turn")))
        if not turn:
            continue
        done.add(turn[0]["action"])
        done.update(m.get("criterion") for m in _evidence(turn[0]["matches"])
                    if (m.get("start"), m.get("end")) == (e.get("start"), e.get("end")))
    return "|".join([k for k in skills if k in done] or skills), MISTIMED


def attempts_of(store: Store, trainee: str) -> list[Attempt]:
    return attempts_by_trainee(store, trainee).get(trainee, [])
