"""Abuse-handling measures: how quickly and how firmly the trainee responded."""

from __future__ import annotations

from collections.abc import Sequence

from ..scenario.model import Scenario
from .verdict import Measures

BOUNDARY = {"names_behavior", "sets_expectation", "states_consequence"}
WARNING = "states_consequence"
ENDINGS = {"end_call", "escalate"}


def abuse_measures(scenario: Scenario, turns: Sequence) -> Measures:
    abusive = [t for t in turns if t.speaker == "customer" and scenario.nodes.get(t.node) is not None
               and scenario.nodes[t.node].abusive]
    if not abusive:
        return Measures()
    first = abusive[0]
    # Replies and silences: pressing Hold, Flag or taking the customer off hold is not an answer.
    trainee = [t for t in turns if t.speaker == "trainee" and t.index > first.index and t.kind != "action"]
    boundary = next((t for t in trainee if BOUNDARY & set(t.criteria)), None)
    warning = next((t for t in turns if t.speaker == "trainee" and WARNING in t.criteria), None)
    ended = next((t for t in turns if t.speaker == "trainee" and (t.action in ENDINGS)), None)
    return Measures(
        first_abuse_turn=first.index,
        turns_to_boundary=None if boundary is None else trainee.index(boundary) + 1,
        seconds_to_boundary=None if boundary is None else round(max(0.0, boundary.started_at - first.ended_at), 2),
        abusive_lines_before_warning=sum(1 for t in abusive if warning is None or t.index < warning.index),
        ended_after_warning=bool(ended and warning and warning.index < ended.index),
    )


def seconds_said(seconds: float) -> str:
    """A time as a reader takes it in: "44 s", or "0.8 s" under ten seconds (kept to 0.01 s in the record)."""
    tenths = round(seconds, 1)
    return f"{tenths:.0f} s" if tenths >= 10 else f"{tenths:.1f} s"
