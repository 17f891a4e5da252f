"""What the scoring says about a session, in plain data."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from collections.abc import Iterable
from typing import Literal

Status = Literal["met", "missed", "violated"]


@dataclass(frozen=True)
class Evidence:
    """The trainee's own words (or call control) that a verdict rests on."""

    turn: int
    quote: str
    start: int = 0
    end: int = 0
    confidence: float | None = None  # spoken replies: the recogniser's confidence in these words
    uncertain: bool = False  # the learned detector was in its uncertain band for these words


@dataclass(frozen=True)
class Verdict:
    item: str  # a criterion id, a call control, alternatives "a|b", or a rule such as ended_without_warning
    dimension: str
    status: Status
    evidence: tuple[Evidence, ...] = ()
    feedback: str = ""
    uncertain: bool = False  # rests on words the recogniser was unsure of: shown, not counted against


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    weight: float
    score: float  # 0-100
    verdicts: tuple[Verdict, ...] = ()

    @property
    def label(self) -> str:
        return dimension_label(self.dimension)


@dataclass(frozen=True)
class Measures:
    """How the abuse was handled, beside the score (None where there was no abuse)."""

    first_abuse_turn: int | None = None
    turns_to_boundary: int | None = None  # trainee turns from the first abusive line to the first boundary
    seconds_to_boundary: float | None = None
    abusive_lines_before_warning: int | None = None
    ended_after_warning: bool | None = None
    warned: bool | None = None  # a consequence was stated at all (records before it have None)
    ended: bool | None = None  # the call was ended or handed over
    ended_after_threat: bool | None = None  # after a threat of harm, when no warning is owed


@dataclass(frozen=True)
class Result:
    overall: float  # 0-100, weighted over the dimensions
    dimensions: tuple[DimensionScore, ...] = field(default=())
    measures: Measures = Measures()
    versions: dict[str, str] = field(default_factory=dict)  # content hashes: same inputs, same score

    def to_dict(self) -> dict:
        return {"overall": self.overall,
                "dimensions": {d.dimension: {"score": d.score, "weight": d.weight,
                                             "verdicts": [asdict(v) for v in d.verdicts]}
                               for d in self.dimensions},
                "measures": asdict(self.measures),
                "versions": dict(self.versions)}


def figure(score: float) -> str:
    """A score as people read it: whole where it is whole, else to the tenth it is kept to ("69.5"). Rounded to a
    whole number, 69.5 read "70 / 100" beside "Not there yet" at a pass mark of 70, and 77.5 in review read 78
    where the exported spreadsheet said 77.5."""
    tenths = round(score * 10)
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def dimension_label(dimension: str) -> str:
    return dimension.replace("_", "-" if dimension == "boundary_setting" else " ").capitalize()


# How a verdict's item reads to a trainee; anything else reads as its id with spaces.
ITEM_LABELS = {
    "names_behavior": "Named the behaviour as unacceptable",
    "sets_expectation": "Set the expectation",
    "states_consequence": "Stated the consequence",
    "redirects_to_issue": "Offered to solve the real problem",
    "announces_ending": "Said clearly that you were ending the call",
    "escalates": "Brought in a supervisor",
    "documents": "Documented the incident",
    "acknowledges_feelings": "Acknowledged the customer's feelings",
    "restates_problem": "Repeated the problem back",
    "retaliates": "Retaliated or insulted back",
    "appeases_abuse": "Apologised for or went along with the abuse",
    "ended_without_warning": "Ended the call before warning",
}


# A call control as a deed: the conversation's marks ("You ended the call") and, beside a criterion, a verdict's
# label ("Documented the incident or flagged the incident", not the button's "Flag incident").
DONE_ACTIONS = {"end_call": "Ended the call", "escalate": "Escalated to a supervisor",
                "hold": "Put the customer on hold", "flag": "Flagged the incident",
                "resume": "Took the customer off hold"}


@functools.cache
def _read_shipped_scenarios() -> None:
    """Where nothing has loaded a scenario (the terminal's `sessions show`, a report), their criteria's headings
    come from the shipped scenarios, read once (about 80 ms)."""
    from ..paths import shipped_scenarios
    from ..scenario import find_scenario_files, load_scenario
    for path in find_scenario_files([shipped_scenarios()]):
        try:
            load_scenario(path)  # fills SCENARIO_HEADINGS
        except Exception:  # noqa: BLE001 - a broken file only loses its headings (its id in words stands)
            continue


def read_headings() -> None:
    """Read the shipped scenarios' criterion headings now (on a worker), so labelling a verdict later reads no
    file on the GUI thread."""
    from ..scenario.model import SCENARIO_HEADINGS
    if not SCENARIO_HEADINGS:
        _read_shipped_scenarios()


def _heading(item: str) -> str | None:
    from ..scenario.model import SCENARIO_HEADINGS
    read_headings()
    return SCENARIO_HEADINGS.get(item)


def item_label(item: str, channel: str = "phone") -> str:
    from ..scenario.model import ACTION_LABELS
    parts = item.split("|")
    if len(parts) == 1:
        return for_channel(ITEM_LABELS.get(item) or ACTION_LABELS.get(item) or _heading(item)
                           or item.replace("_", " "), channel)
    words = [ITEM_LABELS.get(i) or DONE_ACTIONS.get(i) or _heading(i) or i.replace("_", " ") for i in parts]
    return for_channel(" or ".join([words[0], *(w[:1].lower() + w[1:] for w in words[1:])]), channel)


def for_channel(text: str, channel: str) -> str:
    """Words about "the call" as someone answering a web chat reads them: "end the chat", "this chat"."""
    return re.sub(r"\b([Tt]he|[Tt]his|a|your) call\b", r"\1 chat", text) if channel == "chat" else text


def reply_numbers(turns: Iterable[tuple[int, str, str]]) -> dict[int, int]:
    """Each trainee reply's turn (from (index, speaker, kind) per turn) and its number among the trainee's replies:
    "your reply 2", as the trainee counts them, not the turn's number in the whole call."""
    numbers: dict[int, int] = {}
    for index, speaker, kind in turns:
        if speaker == "trainee" and kind == "reply":
            numbers[index] = len(numbers) + 1
    return numbers
