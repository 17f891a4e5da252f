"""Scoring a whole session against the scenario's rubric.

Each dimension lists what the trainee should do (criteria and call
controls), what to avoid, and optionally what must come first (`after`):
ending the call counts only once a warning was given. A dimension scores
the share of expected items met, less a fixed penalty per thing to avoid
that happened; the overall score is the weighted mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..scenario.model import ACTION_LABELS, Criterion, RubricItem, Scenario
from .verdict import DimensionScore, Evidence, Result, Verdict

AVOID_PENALTY = 50.0

_ACTION_ADVICE = {
    "end_call": "End the call once a clear warning has been ignored: it is supported, not a failure.",
    "escalate": "Bring in a supervisor when a warning is ignored or a threat is made.",
    "hold": "A short hold can give both of you a moment to reset.",
    "flag": "Flag the incident so it is documented and your manager can follow up.",
}
_ACTION_PRAISE = {
    "end_call": "You ended the call at the right moment.",
    "escalate": "You escalated to a supervisor.",
    "hold": "You used hold to reset the conversation.",
    "flag": "You flagged the incident.",
}


def score_session(scenario: Scenario, criteria: Mapping[str, Criterion], turns: Sequence) -> Result:
    """Score trainee turns (anything with .index, .speaker, .action, .matches)."""
    trainee = [t for t in turns if t.speaker == "trainee"]
    dims = tuple(_dimension(name, item, criteria, trainee) for name, item in scenario.rubric.items())
    total = sum(d.weight for d in dims)
    overall = sum(d.score * d.weight for d in dims) / total if total else 0.0
    return Result(round(overall, 1), dims)


def _occurrences(item: str, turns: Sequence) -> list[Evidence]:
    found = []
    for t in turns:
        if t.action == item:
            found.append(Evidence(t.index, f"[{ACTION_LABELS.get(item, item)}]"))
        for m in t.matches:
            if m.criterion == item:
                found.append(Evidence(t.index, m.quote, m.start, m.end))
    return found


def _dimension(name: str, item: RubricItem, criteria: Mapping[str, Criterion], turns: Sequence) -> DimensionScore:
    verdicts: list[Verdict] = []
    gate = -1.0  # expected items count only after this turn
    if item.after:
        first = _occurrences(item.after, turns)
        gate = first[0].turn if first else float("inf")
    for expected in [*item.criteria, *item.actions]:
        seen = _occurrences(expected, turns)
        counted = [e for e in seen if e.turn > gate]
        if counted:
            verdicts.append(Verdict(expected, name, "met", tuple(counted), _praise(expected, criteria)))
        elif seen:
            # Done, but too early: before what had to come first (e.g. ended the call with no warning).
            verdicts.append(Verdict(expected, name, "missed", tuple(seen),
                                    f"This came before {_name(item.after or '')}. " + _advice(expected, item, criteria)))
        else:
            verdicts.append(Verdict(expected, name, "missed", (), _advice(expected, item, criteria)))
    for avoid in item.avoid:
        seen = _occurrences(avoid, turns)
        if seen:
            verdicts.append(Verdict(avoid, name, "violated", tuple(seen), _advice(avoid, item, criteria)))
    expected_n = len(item.criteria) + len(item.actions)
    met = sum(v.status == "met" for v in verdicts)
    violated = sum(v.status == "violated" for v in verdicts)
    base = 100.0 * met / expected_n if expected_n else 100.0
    score = max(0.0, base - AVOID_PENALTY * violated)
    return DimensionScore(name, item.weight, round(score, 1), tuple(verdicts))


def _name(item: str) -> str:
    if item in ACTION_LABELS:
        return f"'{ACTION_LABELS[item]}'"
    return f"'{item.replace('_', ' ')}'"


def _advice(item: str, rubric: RubricItem, criteria: Mapping[str, Criterion]) -> str:
    if item in rubric.advice:
        return rubric.advice[item].strip()
    c = criteria.get(item)
    return c.advice.strip() if c else _ACTION_ADVICE.get(item, "")


def _praise(item: str, criteria: Mapping[str, Criterion]) -> str:
    c = criteria.get(item)
    return c.praise.strip() if c else _ACTION_PRAISE.get(item, "")
