"""A session's score once a manager has changed verdicts.

The automatic verdicts and scores are never changed (the same inputs always
give the same automatic score); a manager's override is laid over them and
the dimension and overall scores are worked out again by the rubric's own
arithmetic: the share of expected items met, less a penalty per thing to
avoid that happened, weighted over the dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .rubric import AVOID_PENALTY

PRESENT = ("met", "violated")  # the behaviour happened (for agreement between reviewer and scorer)


@dataclass(frozen=True)
class ReviewedScore:
    overall: float
    dimensions: dict[str, float]


def latest_overrides(overrides: Iterable) -> dict[tuple[str, str], str]:
    """(dimension, item) -> the status of the most recent override (overrides come oldest first)."""
    latest: dict[tuple[str, str], str] = {}
    for o in overrides:
        get = o.get if isinstance(o, Mapping) else lambda k, o=o: getattr(o, k)
        latest[(get("dimension"), get("item"))] = get("status")
    return latest


def dimension_score(verdicts: Iterable[Mapping], changed: Mapping[tuple[str, str], str]) -> float:
    """One dimension's score from its automatic verdicts and the overrides laid over them."""
    expected = met = violated = 0
    for v in verdicts:
        key = (v["dimension"], v["item"])
        status = changed.get(key, v["status"])
        # A manager's decision is never uncertain; an automatic one resting on unclear speech does not count against.
        unsure = bool(v.get("uncertain")) and key not in changed
        if v["status"] == "violated":  # a thing to avoid: it happened, or the manager says it did not
            violated += status == "violated" and not unsure
            continue
        if status == "missed" and unsure:
            continue
        expected += 1
        met += status == "met"
        violated += status == "violated"
    base = 100.0 * met / expected if expected else 100.0
    return round(max(0.0, base - AVOID_PENALTY * violated), 1)


def reviewed_score(scores: Iterable[Mapping], verdicts: Iterable[Mapping], overrides: Iterable) -> ReviewedScore:
    """The scores with every override applied (with none, the automatic scores again)."""
    changed = latest_overrides(overrides)
    by_dimension: dict[str, list[Mapping]] = {}
    for v in verdicts:
        by_dimension.setdefault(v["dimension"], []).append(v)
    dims, total, weighted = {}, 0.0, 0.0
    for s in scores:
        name = s["dimension"]
        touched = any((name, v["item"]) in changed for v in by_dimension.get(name, []))
        dims[name] = dimension_score(by_dimension.get(name, []), changed) if touched else s["score"]
        total += s["weight"]
        weighted += dims[name] * s["weight"]
    return ReviewedScore(round(weighted / total, 1) if total else 0.0, dims)
