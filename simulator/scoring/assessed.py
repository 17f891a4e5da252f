"""What a scenario assesses, in plain words, before the session starts.

Trainees should not have to guess what the assessor looks for. The words
are made from the same plan the scorer applies (the scenario's rubric after
the organisation's policy: a transfer instead of a hang-up, documenting
abuse, the warnings owed before ending), so what the briefing promises and
what the score counts cannot drift apart. Each line names the verdict item
it stands for, so the results can be matched to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..scenario.model import ACTIONS, Criterion, Policy
from .measures import WARNING
from .rubric import DEFAULT_POLICY, is_abusive, rubric_plan, score_session
from .verdict import dimension_label, for_channel

Kind = Literal["do", "avoid", "rule"]
EARLY_ENDING = "ended_without_warning"  # the rule the scorer adds to the first dimension that ends a contact
_ENDERS = {"end_call", "escalate", "announces_ending", "escalates"}

# What to do, as an instruction to the trainee; criteria not listed here speak through their description.
_DO = {
    "names_behavior": "name the behaviour as unacceptable",
    "sets_expectation": "say what you need from them",
    "states_consequence": "say what happens if it continues",
    "redirects_to_issue": "offer to solve the real problem",
    "announces_ending": "say clearly that you are ending the call",
    "escalates": "say you are bringing in a {escalate_to}",
    "documents": "say the incident will be documented",
    "acknowledges_feelings": "acknowledge how the customer feels",
    "restates_problem": "repeat the problem back",
    "end_call": "end the call",
    "escalate": "transfer the call to a {escalate_to}",
    "hold": "put the call on hold",
    "flag": "flag the incident",
}
_DONT = {
    "retaliates": "answer in kind (insults, sarcasm or threats)",
    "appeases_abuse": "go along with abuse (agree with an insult, or apologise for being insulted)",
}


@dataclass(frozen=True)
class AssessedItem:
    item: str  # as the verdict names it: a criterion, a call control, "a|b", or a rule
    kind: Kind
    text: str


@dataclass(frozen=True)
class AssessedDimension:
    dimension: str
    label: str
    share: int  # percent of the overall score
    condition: str  # when the expected items count ("" when always)
    items: tuple[AssessedItem, ...]


def what_is_assessed(scenario_file, policy: Policy | None = None) -> tuple[AssessedDimension, ...]:
    """Per rubric dimension, in the scenario's order: what to do, what to avoid, and the policy's rules."""
    policy = policy or DEFAULT_POLICY
    scenario, criteria = scenario_file.scenario, scenario_file.criteria
    plans = rubric_plan(scenario, policy)
    total = sum(item.weight for item in scenario.rubric.values()) or 1.0
    early_rule_at = _early_ending_dimension(plans, scenario, policy)
    dims = []
    for name, plan in plans.items():
        items = [AssessedItem(entry, "do", _capital(_do(entry, criteria, policy) + _gate(plan.after, entry, criteria,
                                                                                        policy)))
                 for entry in plan.expected]
        items += [AssessedItem(entry, "avoid", "Don't " + _dont(entry, criteria, policy)) for entry in plan.avoid]
        if not policy.agent_may_end_contact and "end_call" in plan.avoid:
            items.append(AssessedItem("end_call", "rule", "Your organisation asks agents not to hang up: transfer the "
                                      f"call to a {policy.escalate_to} instead."))
        if name == early_rule_at:
            need = policy.warnings_before_ending
            # Where ending is itself a thing to avoid, "before a warning costs points" read as if ending after one
            # were fine; the scorer charges both, so say so. After a threat no warning is owed (rubric.py), which a
            # tester could not tell from "unless the customer threatens harm" in the threat scenario.
            more = "more " if any(set(e.split("|")) & _ENDERS for e in plan.avoid) else ""
            items.append(AssessedItem(EARLY_ENDING, "rule", f"{_ending_words(policy)} before {_warnings(need)} costs "
                                      f"{more}points, unless the customer threatens harm: then you may end it at once."))
        within = plan.item.within
        condition = (f"within your first {within} repl{'y' if within == 1 else 'ies'} after the first abusive line"
                     if within else "")
        if scenario.channel == "chat":  # "End the call" reads wrong to someone answering a web chat
            items = [AssessedItem(i.item, i.kind, for_channel(i.text, "chat")) for i in items]
        dims.append(AssessedDimension(name, dimension_label(name), round(100 * plan.item.weight / total), condition,
                                      tuple(items)))
    return tuple(dims)


def as_text(dims: tuple[AssessedDimension, ...]) -> str:
    """The same as plain text (the terminal's briefing, and what the test reads)."""
    lines = []
    for d in dims:
        lines.append(f"{d.label} ({d.share}%)" + (f", {d.condition}:" if d.condition else ":"))
        lines += [f"  - {i.text}" for i in d.items]
    return "\n".join(lines)


def _early_ending_dimension(plans: Mapping, scenario, policy: Policy) -> str | None:
    """Where the scorer charges ending an abusive contact before the warnings policy asks for (if anywhere)."""
    if not is_abusive(scenario) or policy.warnings_before_ending == 0:
        return None
    return next((name for name, plan in plans.items()
                 if any(set(e.split("|")) & _ENDERS for e in (*plan.expected, *plan.avoid))), None)


def _ending_words(policy: Policy) -> str:
    return "Ending the call" if policy.agent_may_end_contact else "Ending or transferring the call"


def _warnings(n: int) -> str:
    return "a clear warning" if n == 1 else f"{n} clear warnings"


def _gate(after: str | None, entry: str, criteria: Mapping[str, Criterion], policy: Policy) -> str:
    """When an expected entry starts to count, as the scorer's gate decides it."""
    if after is None:
        return ""
    if after == WARNING and set(entry.split("|")) & _ENDERS:
        need = policy.warnings_before_ending
        return "" if need == 0 else f", only after {_warnings(need)}"
    return f", only after you {_do(after, criteria, policy)}"


def _do(entry: str, criteria: Mapping[str, Criterion], policy: Policy) -> str:
    return " or ".join(_one(one, _DO, criteria, policy) for one in entry.split("|"))


def _dont(entry: str, criteria: Mapping[str, Criterion], policy: Policy) -> str:
    return " or ".join(_one(one, {**_DO, **_DONT}, criteria, policy) for one in entry.split("|"))


def _one(item: str, words: Mapping[str, str], criteria: Mapping[str, Criterion], policy: Policy) -> str:
    if item in words:
        text = words[item]
        return text.format(escalate_to=policy.escalate_to) if "{" in text else text
    c = criteria.get(item)
    if c is not None and c.description.strip():
        return _instruction(c.description)
    return item.replace("_", " ") if item not in ACTIONS else item


def _instruction(description: str) -> str:
    """A criterion's description ("Says plainly what the problem is (...)") as an instruction ("say plainly ...")."""
    text = " ".join(description.split())
    text = re.sub(r"\s*\(\s*[\"“].*?[\"”]\s*\)", "", text)  # quoted examples belong to the criterion's page
    text = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".!? ")
    words = text.split(" ")
    verb = 1 if len(words) > 1 and words[0].lower().endswith("ly") else 0  # "Flatly refuses ..."
    words[verb] = _base_form(words[verb])
    # Verbs joined to the first ("... and moves on", "... or promises what they demand") are in the third person too.
    for i in range(verb + 1, len(words) - 1):
        if words[i - 1] in ("and", "or") and re.fullmatch(r"[a-z]+s", words[i]) and _looks_like_verb(words[i]):
            words[i] = _base_form(words[i])
    words[0] = words[0].lower()
    return " ".join(words)


def _looks_like_verb(word: str) -> bool:
    # Nouns also end in s ("or threats"); the descriptions' coordinated verbs are these shapes.
    return bool(re.search(r"(es|ves|ds|ts|ks|ps|ms|ns|ls|ays)$", word)) and word not in _NOUNS


_NOUNS = {"threats", "insults", "remarks", "comments", "words", "rules", "names", "jokes", "needs", "exits", "days", "ways",
          "delays"}
_IRREGULAR = {"is": "be", "has": "have", "does": "do", "goes": "go"}


def _base_form(verb: str) -> str:
    """Says -> Say, Apologises -> Apologise, Reaches -> Reach, Does -> Do (descriptions are in the third person)."""
    if verb.lower() in _IRREGULAR:
        return _IRREGULAR[verb.lower()]
    if re.search(r"(ch|sh|ss|x|o)es$", verb, re.IGNORECASE):
        return verb[:-2]
    if re.search(r"[^aeiou]ies$", verb, re.IGNORECASE):
        return verb[:-3] + "y"
    if verb.endswith("s") and not verb.endswith("ss"):
        return verb[:-1]
    return verb


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def checklist_allowed(policy: Policy | None, assessed: bool) -> bool:
    """The live checklist is for practice; in an assessed session only where the organisation allows it."""
    return not assessed or bool(policy is not None and policy.checklist_in_assessed)


def met_so_far(scenario_file, turns, policy: Policy | None = None) -> set[tuple[str, str]]:
    """(dimension, item) of every expected item the scorer would count as met on the turns so far: the live
    checklist ticks exactly what the score will (an ending before the warning is not ticked)."""
    result = score_session(scenario_file, turns, policy)
    return {(d.dimension, v.item) for d in result.dimensions for v in d.verdicts if v.status == "met"}
