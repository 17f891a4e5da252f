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
        warned=warning is not None,
        ended=ended is not None,
        ended_after_threat=bool(ended and threat_turn(scenario, turns) < ended.index),  # as the rubric reads it
    )


def threat_turn(scenario: Scenario, turns: Sequence) -> float:
    """The first customer turn that threatens harm (inf: none); after it no warning is owed before ending."""
    return next((t.index for t in turns if t.speaker == "customer" and t.node in scenario.nodes
                 and scenario.nodes[t.node].threat), float("inf"))


def measure_sentences(m: dict) -> list[str]:
    """The measures as a trainee or a manager reads them (`m`: Measures as stored). Read plainly, "abusive lines
    before the first warning: 3" said a warning came when none did, and "ended after a warning: no" read as a
    fault after a threat, when no warning is owed."""
    if m.get("first_abuse_turn") is None:
        return []
    to = m.get("turns_to_boundary")
    seconds = m.get("seconds_to_boundary")  # a bundle from elsewhere may leave it out
    out = ["No boundary was set after the first abusive line." if to is None else
           f"First boundary {to:g} repl{'y' if to == 1 else 'ies'} after the first abusive line"
           + (f" ({seconds_said(seconds)})." if seconds is not None else ".")]
    lines = m.get("abusive_lines_before_warning")
    count = f"{lines:g} abusive line{'' if lines == 1 else 's'}" if lines is not None else "abusive lines"
    if m.get("warned") is False:
        out.append(f"No warning was given ({count} in the call).")
    elif lines is not None:
        out.append(f"Abusive lines before the first warning: {lines:g}.")
    if m.get("ended") is False:
        out.append("The call was not ended or handed over.")
    elif m.get("ended_after_warning"):
        out.append("Ended after a warning: yes.")
    elif m.get("ended_after_threat"):
        out.append("Ended after a threat of harm, when no warning is owed.")
    else:
        out.append("Ended after a warning: no.")
    return out


def seconds_said(seconds: float) -> str:
    """A time as a reader takes it in: "44 s", or "0.8 s" under ten seconds (kept to 0.01 s in the record)."""
    tenths = round(seconds, 1)
    return f"{tenths:.0f} s" if tenths >= 10 else f"{tenths:.1f} s"
