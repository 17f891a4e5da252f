"""Scoring a whole session against the scenario's rubric and the organisation's policy.

Each dimension lists what the trainee should do (criteria and call
controls; "a|b" for either), what to avoid, and optionally what must come
first (`after`). The policy decides how many warnings must come before
ending a contact, whether agents may end it at all, and whether abuse must
be documented. A dimension scores the share of expected items met, less a
fixed penalty per thing to avoid that happened; the overall score is the
weighted mean. Verdicts resting on words the recogniser was unsure of, or
on the learned detector's uncertain band, are marked uncertain and never
count against the trainee.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .. import __version__
from ..scenario.model import ACTION_LABELS, ACTIONS, Criterion, Policy, RubricItem
from .measures import WARNING, abuse_measures, threat_turn
from .verdict import DimensionScore, Evidence, Result, Verdict, for_channel

AVOID_PENALTY = 50.0
DEFAULT_POLICY = Policy(format=1)
_ENDING_ITEMS = {"end_call", "announces_ending"}

_ACTION_ADVICE = {
    "end_call": "End the call once a clear warning has been ignored: it is supported, not a failure.",
    "escalate": "Bring in a {escalate_to} when a warning is ignored or a threat is made.",
    "hold": "A short hold can give both of you a moment to reset.",
    "flag": "Flag the incident during the call, as soon as it happens, so it is documented and your manager can follow up.",
}
_ACTION_PRAISE = {
    "end_call": "You ended the call at the right moment.",
    "escalate": "You escalated to a {escalate_to}.",
    "hold": "You used hold to reset the conversation.",
    "flag": "You flagged the incident.",
}


@dataclass(frozen=True)
class _Plan:
    """A rubric dimension after the policy has been applied."""

    expected: tuple[str, ...]
    avoid: tuple[str, ...]
    after: str | None
    item: RubricItem


def policy_version(policy: Policy) -> str:
    # Certificates and the live checklist never change a score: setting them leaves every recorded version as it was.
    return hashlib.sha256(json.dumps(policy.model_dump(exclude={"certificates", "checklist_in_assessed"}),
                                     sort_keys=True).encode()).hexdigest()


def score_session(scenario_file, turns: Sequence, policy: Policy | None = None, detector_version: str = "") -> Result:
    """Score a session's turns (anything with index, speaker, action, matches, source, confidence).

    detector_version: what recognised the replies (rules, heads, word vectors), recorded with the score.
    """
    policy = policy or DEFAULT_POLICY
    scenario, criteria = scenario_file.scenario, scenario_file.criteria
    trainee = [t for t in turns if t.speaker == "trainee"]
    abusive = is_abusive(scenario)
    first_abuse = next((t.index for t in turns if t.speaker == "customer" and t.node in scenario.nodes
                        and scenario.nodes[t.node].abusive), None)
    dims = []
    for name, item in scenario.rubric.items():
        plan = _apply_policy(item, policy, abusive, name)
        dims.append(_dimension(name, plan, criteria, trainee, policy, _deadline(item, trainee, first_abuse)))
    if abusive:
        _penalise_early_ending(dims, trainee, policy, threat_turn(scenario, turns))
    if scenario.channel == "chat":  # the criteria's advice says "end the call"; on a web chat that reads wrong
        dims = [replace(d, verdicts=tuple(replace(v, feedback=for_channel(v.feedback, "chat")) for v in d.verdicts))
                for d in dims]
    total = sum(d.weight for d in dims)
    overall = sum(d.score * d.weight for d in dims) / total if total else 0.0
    versions = {"scenario": scenario_file.sha256, "criteria": scenario_file.criteria_sha256,
                "policy": policy_version(policy), "scorer": __version__,
                "detector": detector_version or "rules"}
    return Result(round(overall, 1), tuple(dims), abuse_measures(scenario, turns), versions)


def is_abusive(scenario) -> bool:
    """The scenario warns of abusive content or has an abusive line: the policy's abuse rules apply."""
    return bool(scenario.content) or any(n.abusive for n in scenario.nodes.values())


def rubric_plan(scenario, policy: Policy | None = None) -> dict[str, _Plan]:
    """Each dimension's expected items and things to avoid as the scorer will apply them (after the policy):
    what the trainee is told before a session is read from here, so it cannot drift from the scoring."""
    policy = policy or DEFAULT_POLICY
    abusive = is_abusive(scenario)
    return {name: _apply_policy(item, policy, abusive, name) for name, item in scenario.rubric.items()}


def _apply_policy(item: RubricItem, policy: Policy, abusive: bool, name: str) -> _Plan:
    expected = [*item.criteria, *item.actions]
    avoid = list(item.avoid)
    if not policy.agent_may_end_contact:
        # Agents transfer instead of hanging up: the same moment, a different control.
        swap = {"end_call": "escalate", "announces_ending": "escalates"}
        expected = ["|".join(dict.fromkeys(swap.get(a, a) for a in e.split("|"))) for e in expected]
        if "end_call" not in avoid and any("end_call" in e.split("|") for e in item.actions):
            avoid.append("end_call")
    if policy.document_abuse and abusive and name == "escalation":
        if not any({"documents", "flag"} & set(e.split("|")) for e in expected):
            expected.append("documents|flag")
    return _Plan(tuple(dict.fromkeys(expected)), tuple(avoid), item.after, item)


def _occurrences(entry: str, turns: Sequence) -> list[Evidence]:
    found = []
    alternatives = entry.split("|")
    for t in turns:
        if t.action in alternatives:
            found.append(Evidence(t.index, f"[{ACTION_LABELS.get(t.action, t.action)}]"))
        for m in t.matches:
            if m.criterion in alternatives:
                found.append(Evidence(t.index, m.quote, m.start, m.end, getattr(m, "confidence", None),
                                      bool(getattr(m, "uncertain", False))))
    return found


def _gate(plan: _Plan, entry: str, turns: Sequence, policy: Policy) -> float:
    """The turn after which an expected entry counts (-1: from the start; inf: never)."""
    after = plan.after
    if after is None:
        return -1.0
    occurrences = _occurrences(after, turns)
    if after == WARNING and set(entry.split("|")) & (_ENDING_ITEMS | {"escalate", "escalates"}):
        needed = policy.warnings_before_ending
        if needed == 0:
            return -1.0
        warnings = sorted({e.turn for e in occurrences})
        return warnings[needed - 1] if len(warnings) >= needed else float("inf")
    return occurrences[0].turn if occurrences else float("inf")


def _unsure(evidence: Sequence[Evidence], policy: Policy) -> bool:
    """Every piece of evidence rests on unsure words or on the learned detector's uncertain band."""
    return bool(evidence) and all(e.uncertain or (e.confidence is not None and e.confidence < policy.uncertain_below)
                                  for e in evidence)


def _deadline(item: RubricItem, trainee: Sequence, first_abuse: int | None) -> float:
    """The last turn at which this dimension's expected items still count (`within`)."""
    if item.within is None or first_abuse is None:
        return float("inf")
    # Replies and silences: Hold and Flag are call controls, not answers. Counted, a trainee who flagged the
    # call was told that the warning they gave next "came too late".
    after = [t.index for t in trainee if t.index > first_abuse and getattr(t, "kind", "reply") != "action"]
    return after[item.within - 1] if len(after) >= item.within else float("inf")


def _dimension(name: str, plan: _Plan, criteria: Mapping[str, Criterion], turns: Sequence,
               policy: Policy, deadline: float = float("inf")) -> DimensionScore:
    verdicts: list[Verdict] = []
    muffled = any(t.source == "spoken" and t.confidence is not None and t.confidence < policy.uncertain_below
                  for t in turns)
    for entry in plan.expected:
        seen = _occurrences(entry, turns)
        gate = _gate(plan, entry, turns, policy)
        counted = [e for e in seen if gate < e.turn <= deadline]
        if counted:
            # Praise what the trainee did: of "end_call|escalate", the escalation when that is what they did.
            done = [one for one in entry.split("|") if any(gate < e.turn <= deadline for e in _occurrences(one, turns))]
            verdicts.append(Verdict(entry, name, "met", tuple(counted), _praise("|".join(done) or entry, criteria, policy),
                                    uncertain=_unsure(counted, policy)))
        elif any(gate < e.turn for e in seen):
            n = plan.item.within
            verdicts.append(Verdict(entry, name, "missed", tuple(seen),
                                    f"This came too late: within {n} repl{'y' if n == 1 else 'ies'} of the first "
                                    "abusive line is the aim. " + _advice(entry, plan.item, criteria, policy)))
        elif seen:
            # Done, but too early: before what had to come first (e.g. ended the call with no warning).
            verdicts.append(Verdict(entry, name, "missed", tuple(seen),
                                    _too_early(plan, seen, turns, policy) + " " + _advice(entry, plan.item, criteria, policy)))
        else:
            # A miss may be the recogniser's: if the trainee's speech was unclear, do not count it.
            verdicts.append(Verdict(entry, name, "missed", (), _advice(entry, plan.item, criteria, policy),
                                    uncertain=muffled))
    for avoid in plan.avoid:
        seen = _occurrences(avoid, turns)
        if seen:
            verdicts.append(Verdict(avoid, name, "violated", tuple(seen), _advice(avoid, plan.item, criteria, policy),
                                    uncertain=_unsure(seen, policy)))
    counted_expected = [v for v in verdicts if v.status != "violated" and not (v.status == "missed" and v.uncertain)]
    met = sum(v.status == "met" for v in counted_expected)
    violated = sum(v.status == "violated" and not v.uncertain for v in verdicts)
    base = 100.0 * met / len(counted_expected) if counted_expected else 100.0
    score = max(0.0, base - AVOID_PENALTY * violated)
    return DimensionScore(name, plan.item.weight, round(score, 1), tuple(verdicts))


def _penalise_early_ending(dims: list[DimensionScore], turns: Sequence, policy: Policy,
                           threat: float = float("inf")) -> None:
    """Ending (or transferring) an abusive contact before the required warnings loses points.

    After a threat of harm no warning is owed: the contact may end at once.
    """
    if policy.warnings_before_ending == 0:
        return
    # Transferring is how an agent who may not hang up ends a contact; otherwise it is help, not an ending.
    enders = ("end_call",) if policy.agent_may_end_contact else ("end_call", "escalate")
    ended = next((t for t in turns if t.action in enders), None)
    if ended is None or ended.index > threat:
        return
    warnings = sorted({t.index for t in turns if WARNING in t.criteria and t.index < ended.index})
    if len(warnings) >= policy.warnings_before_ending:
        return
    for i, dim in enumerate(dims):
        if any(set(v.item.split("|")) & {"end_call", "escalate", "announces_ending", "escalates"} for v in dim.verdicts):
            label = ACTION_LABELS[ended.action]
            need = policy.warnings_before_ending
            verdict = Verdict("ended_without_warning", dim.dimension, "violated",
                              (Evidence(ended.index, f"[{label}]"),),
                              f"You used {label} before giving {need} clear warning{'s' if need > 1 else ''} "
                              "(what happens if it continues). Warn first, then end it.")
            dims[i] = DimensionScore(dim.dimension, dim.weight, max(0.0, round(dim.score - AVOID_PENALTY, 1)),
                                     (*dim.verdicts, verdict))
            return


def _too_early(plan: _Plan, seen: Sequence[Evidence], turns: Sequence, policy: Policy) -> str:
    """Why something done does not count yet, in terms of what the trainee did: "came before" read as the app not
    having heard a warning the trainee never gave."""
    needed = _first_needed(plan, policy)
    first = min(e.turn for e in seen)
    before = {e.turn for e in _occurrences(plan.after, turns) if e.turn < first} if plan.after else set()
    if plan.after == WARNING and policy.warnings_before_ending > 1 and before:
        return (f"You did this after {len(before)} of the {policy.warnings_before_ending} warnings that have to "
                "come first.")
    has = "have" if needed[:1].isdigit() else "has"  # "2 warnings, which have to come first"
    if not _occurrences(plan.after, turns):
        return f"You did this without {needed} first, which {has} to come before it."
    return f"You did this before {needed}, which {has} to come first."


def _first_needed(plan: _Plan, policy: Policy) -> str:
    if plan.after == WARNING and policy.warnings_before_ending > 1:
        return f"{policy.warnings_before_ending} warnings"
    return _name(plan.after or "")


def _name(item: str) -> str:
    from .verdict import item_label  # as the results name it ('Stated the consequence'), not the id
    return " or ".join(f"'{ACTION_LABELS[a]}'" if a in ACTION_LABELS else f"'{item_label(a)}'"
                       for a in item.split("|"))


def _advice(item: str, rubric: RubricItem, criteria: Mapping[str, Criterion], policy: Policy) -> str:
    if item in rubric.advice:
        return rubric.advice[item].strip()
    if not policy.agent_may_end_contact and item == "end_call":
        return f"Your organisation asks agents not to hang up: transfer the call to a {policy.escalate_to} instead."
    parts = []
    for one in item.split("|"):
        c = criteria.get(one)
        text = c.advice.strip() if c else _ACTION_ADVICE.get(one, "")
        if text:
            parts.append(text.format(escalate_to=policy.escalate_to) if one in ACTIONS else text)
    return parts[0] if parts else ""


def _praise(item: str, criteria: Mapping[str, Criterion], policy: Policy) -> str:
    for one in item.split("|"):
        c = criteria.get(one)
        text = c.praise.strip() if c else _ACTION_PRAISE.get(one, "")
        if text:
            return text.format(escalate_to=policy.escalate_to) if one in ACTIONS else text
    return ""
