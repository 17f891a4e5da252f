"""The scenario format: what a coach writes, as typed models.

One definition serves validation, defaults and the JSON Schema for editors.
Shorthands a coach may write (a single line instead of a list, a single
criterion instead of a condition) are widened to one canonical shape before
validation, so the rest of the product sees one form only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

ACTIONS = ("end_call", "escalate", "hold", "flag")
Action = Literal["end_call", "escalate", "hold", "flag"]
# What a trainee types for a call control in the terminal and in scenario tests.
COMMANDS = {"end": "end_call", "escalate": "escalate", "hold": "hold", "flag": "flag", "silence": None}


def split_command(line: str) -> tuple[str, str]:
    """A "/command words" line as (command, in lower case; the words said with it): ("end", "ok, goodbye")."""
    word, words = ([*line.strip()[1:].split(None, 1), "", ""])[:2]
    return word.lower(), words.strip()
ACTION_LABELS = {"end_call": "End call", "escalate": "Escalate to supervisor", "hold": "Hold", "flag": "Flag incident",
                 "resume": "Take off hold"}  # resume: recorded when the trainee ends a hold, never in a scenario

# What a scenario may contain, shown to the trainee before it starts.
CONTENT = {
    "profanity": "swearing",
    "insults": "personal insults",
    "slurs": "slurs",
    "racism": "racist remarks",
    "sexism": "sexist remarks",
    "sexual_remarks": "sexual remarks",
    "homophobia": "homophobic remarks",
    "threats": "threats",
    "violence": "descriptions of violence",
    "shouting": "shouting",
}
ContentTag = Literal[
    "profanity", "insults", "slurs", "racism", "sexism", "sexual_remarks",
    "homophobia", "threats", "violence", "shouting",
]
Mood = Literal["calm", "frustrated", "angry", "hostile"]
Channel = Literal["phone", "video", "chat", "in_person"]
CHANNELS = {"phone": "phone call", "video": "video call", "chat": "chat", "in_person": "face to face"}
Outcome = Literal["good", "mixed", "poor"]

ALL_INTENSITIES = "any"  # key for lines spoken at every intensity
# At most 64 characters: a line's id (node.intensity.n) and a session bundle's ids (200) must hold it.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_ID = re.compile(ID_PATTERN)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _widen_lines(value: Any) -> Any:
    """"text" or ["text", ...] or {level: "text" | [...]} -> {level: [...]}."""
    if isinstance(value, str):
        return {ALL_INTENSITIES: [value]}
    if isinstance(value, list):
        return {ALL_INTENSITIES: value}
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


Lines = Annotated[
    dict[str, list[Annotated[str, Field(min_length=1)]]],
    BeforeValidator(_widen_lines, json_schema_input_type=str | list[str] | dict[str, str | list[str]]),
]


def _widen_condition(value: Any) -> Any:
    """"crit" -> {all: [crit]}; [a, b] -> {any: [a, b]}; "/end_call" style is not needed."""
    if isinstance(value, str):
        return {"action": value} if value in ACTIONS else {"all": [value]}
    if isinstance(value, list):
        return {"any": value}
    return value


def _widen_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Names = Annotated[list[str], BeforeValidator(_widen_list, json_schema_input_type=str | list[str])]


class Voice(_Strict):
    """How the customer sounds; the synthesiser picks the closest voice it has."""

    gender: Literal["female", "male", "any"] = "any"
    rate: int = Field(175, ge=80, le=400, description="words per minute")
    volume: float = Field(1.0, ge=0.0, le=1.0)
    voice: str | None = Field(None, description="a voice name or id of the speech engine, if a specific one is wanted")


class Persona(_Strict):
    name: str = Field(min_length=1)
    role: str = "customer"
    company: str = ""
    voice: Voice = Voice()


class Settings(_Strict):
    silence_after_s: float = Field(8.0, gt=0, le=120, description="seconds of trainee silence before on_silence applies")


class Condition(_Strict):
    """What the trainee's turn must have done. All given keys must hold."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    any: Names = Field(default_factory=list, description="at least one of these criteria was met")
    all: Names = Field(default_factory=list, description="every one of these criteria was met")
    none: Names = Field(default_factory=list, description="none of these criteria was met")
    action: Action | None = Field(None, description="the trainee used this call control")

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not (self.any or self.all or self.none or self.action):
            raise ValueError("a condition needs at least one of any, all, none or action")
        return self

    def criteria(self) -> list[str]:
        return [*self.any, *self.all, *self.none]


class Transition(_Strict):
    """`{if: condition, goto: node}` or `{else: node}`; tried in order, first match wins."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["if", "goto"], "not": {"required": ["else"]}},
                                                           {"required": ["else"], "maxProperties": 1}]})

    when: Annotated[Condition | None, BeforeValidator(_widen_condition,
                                                      json_schema_input_type=str | list[str] | Condition | None)] = Field(None, alias="if")
    goto: str | None = None
    otherwise: str | None = Field(None, alias="else")

    @model_validator(mode="after")
    def _one_form(self) -> Transition:
        if self.otherwise is not None:
            if self.when is not None or self.goto is not None:
                raise ValueError("'else' stands alone: write it as its own item '- else: NODE'")
        elif self.when is None or self.goto is None:
            raise ValueError("a transition needs both 'if' and 'goto' (or is '- else: NODE')")
        return self

    @property
    def target(self) -> str:
        return self.otherwise if self.otherwise is not None else self.goto  # type: ignore[return-value]


def title_from_id(node_id: str) -> str:
    """A node's name as a sentence ("boils_over" -> "Boils over"), for nodes without a title."""
    words = re.sub(r"[_\-]+", " ", node_id).strip()
    return words[:1].upper() + words[1:] if words else node_id


class Node(_Strict):
    """One moment of the conversation: what the customer says, and where it goes next."""

    title: str | None = Field(None, min_length=1, description="what happens here, as a manager reads it in a "
                              "session's path; made from the node's name when left out")
    say: Lines = Field(default_factory=dict, description="the customer's line; a list gives variants, a mapping gives lines per intensity")
    mood: Mood | None = Field(None, description="how the customer comes across from here on")
    abusive: bool = Field(False, description="the customer's line here is abusive (for the abuse-handling measures)")
    threat: bool = Field(False, description="the customer threatens harm here: ending the contact from now on needs no warning first")
    on: list[Transition] = Field(default_factory=list, description="where the trainee's reply leads")
    on_silence: str | None = Field(None, description="node to go to when the trainee says nothing")
    end: Outcome | None = Field(None, description="makes this node an ending; how the ending counts")
    debrief: str = Field("", description="shown to the trainee when this ending is reached")

    @property
    def is_ending(self) -> bool:
        return self.end is not None


class RubricItem(_Strict):
    """One scored dimension: what the trainee should do, and what to avoid.

    An expected entry may name alternatives with '|': `escalates|escalate`
    is met by saying so or by using the control.
    """

    criteria: Names = Field(default_factory=list, description="criteria the trainee should meet ('a|b': either)")
    actions: Names = Field(default_factory=list, description="call controls the trainee should use ('a|b': either)")
    avoid: Names = Field(default_factory=list, description="criteria or actions that cost points")
    after: str | None = Field(None, description="what was expected counts only after this criterion or action")
    within: int | None = Field(None, ge=1, le=20,
                               description="expected items count only within this many replies of the first abusive line")
    weight: float = Field(gt=0, le=100)
    advice: dict[str, str] = Field(default_factory=dict,
                                   description="feedback for an item in this scenario, instead of the criterion's own")

    @model_validator(mode="after")
    def _not_empty(self) -> RubricItem:
        if not (self.criteria or self.actions or self.avoid):
            raise ValueError("a rubric dimension needs criteria, actions or avoid")
        return self


class Examples(_Strict):
    yes: list[str] = Field(default_factory=list, description="replies that meet the criterion")
    no: list[str] = Field(default_factory=list, description="replies that do not")


class Criterion(_Strict):
    """Something a reply can do, how to spot it, and what to tell the trainee."""

    id: str = Field(pattern=ID_PATTERN)
    dimension: str = Field(pattern=ID_PATTERN)
    description: str = Field(min_length=1)
    negative: bool = Field(False, description="true when doing this costs points")
    phrases: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="phrases that show the criterion; '...' allows a few words in between")
    spoken: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="looser phrases used only for speech transcripts (no punctuation, misheard words)")
    except_before: list[str] = Field(
        default_factory=list, description="phrases that cancel a match when they come right before it ('calling me' before 'stupid')")
    except_after: list[str] = Field(
        default_factory=list, description="phrases that cancel a match when they come right after it (start with '...' to allow a gap)")
    ignore_when: list[Literal["negated", "conditional"]] = Field(
        default_factory=list,
        description="negated: 'I'm not going to ...' does not count; conditional: 'if you ..., I will ...' does not count")
    examples: Examples = Examples()
    advice: str = Field("", description="what to try, shown when missed (or, for a negative criterion, when present)")
    praise: str = Field("", description="shown when met")

    @property
    def heading(self) -> str:
        """How a verdict on it is headed, in the past tense the standard criteria use ("Cancelled the duplicate
        and said so"): its praise without the "You", or its id in words when it has none."""
        praise = " ".join(self.praise.split()).rstrip(".!")
        if praise.lower().startswith("you ") and len(praise) <= 80:
            return praise[4:5].upper() + praise[5:]
        return self.id.replace("_", " ").capitalize()


# A scenario's own criteria by id, as the scenarios loaded so far name them: a verdict stored with a session
# names only its criterion's id, and the review pages, reports and the terminal head it with these words.
SCENARIO_HEADINGS: dict[str, str] = {}


class Score(_Strict):
    min: float = Field(0, ge=0, le=100)
    max: float = Field(100, ge=0, le=100)


class ScenarioTest(_Strict):
    """Scripted replies and what they must produce."""

    name: str = ""
    replies: list[str] = Field(min_length=1, description="one reply per item; /end, /escalate, /hold, /flag, /silence for actions")
    intensity: str | None = None
    path: list[str] | None = Field(None, description="the nodes visited, in order, from the start")
    ending: str | None = None
    score: Score | None = None
    verdicts: dict[str, Literal["met", "missed", "violated"]] = Field(default_factory=dict)


class Scenario(_Strict):
    """A whole role play: who the customer is, the conversation graph and how it is scored."""

    format: Literal[1] = Field(description="version of the scenario format")
    id: str = Field(pattern=ID_PATTERN, description="short unique name: lower case, digits, - and _")
    title: str = Field(min_length=1)
    summary: str = Field("", description="the situation, as the trainee reads it before starting")
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    minutes: int = Field(5, ge=1, le=120, description="expected length")
    content: list[ContentTag] = Field(default_factory=list, description="what the scenario contains, shown up front")
    intensity: list[str] = Field(default_factory=lambda: ["standard"], min_length=1,
                                 description="intensity levels, mildest first")
    persona: Persona
    channel: Channel = Field("phone", description="how the conversation happens; on chat the trainee types by default")
    mood: Mood = "angry"
    settings: Settings = Settings()
    start: str | None = Field(None, description="first node; the first one listed when left out")
    criteria: list[Criterion] = Field(default_factory=list, description="criteria of this scenario's own")
    rubric: dict[str, RubricItem] = Field(min_length=1)
    # Node names reach session records, paths and bundles as ids: a bundle refused a session through "Boils Over!".
    nodes: dict[Annotated[str, Field(pattern=ID_PATTERN)], Node] = Field(min_length=1)
    tests: list[ScenarioTest] = Field(default_factory=list)

    @field_validator("intensity")
    @classmethod
    def _levels(cls, levels: list[str]) -> list[str]:
        for level in levels:
            if not _ID.match(level) or level == ALL_INTENSITIES:
                raise ValueError(f"'{level}' cannot name an intensity: use a lower-case word other than '{ALL_INTENSITIES}'")
        if len(set(levels)) != len(levels):
            raise ValueError("an intensity level is listed twice")
        return levels

    def node_title(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.title if node is not None and node.title else title_from_id(node_id)

    @property
    def start_node(self) -> str:
        return self.start or next(iter(self.nodes))

    def lines(self, node_id: str, intensity: str) -> list[Line]:
        """The variants the customer may say at a node, at an intensity.

        A level with no lines of its own falls back to the nearest milder
        level, never a harsher one.
        """
        say = self.nodes[node_id].say
        if ALL_INTENSITIES in say:
            return [Line(f"{node_id}.{i + 1}", t) for i, t in enumerate(say[ALL_INTENSITIES])]
        levels = self.intensity[: self.intensity.index(intensity) + 1]
        for level in reversed(levels):
            if level in say:
                return [Line(f"{node_id}.{level}.{i + 1}", t) for i, t in enumerate(say[level])]
        return []


@dataclass(frozen=True)
class Line:
    """A customer line with a stable id (for the speech cache and translation)."""

    id: str
    text: str


class Requirement(_Strict):
    """One scenario a certificate asks for, and what a session of it must reach to count."""

    scenario: str = Field(pattern=ID_PATTERN, description="a scenario id")
    intensity: str | None = Field(None, description="only sessions at this intensity count (any when left out)")
    min_score: float | None = Field(None, ge=0, le=100, description="the score a session must reach (default: the "
                                                                     "policy's pass_mark)")
    criteria: Names = Field(default_factory=list, description="criteria (or call controls) the session must have met")


class Certificate(_Strict):
    """Something an organisation can require: scenarios passed, within so many attempts or days, for so long."""

    id: str = Field(pattern=ID_PATTERN, description="short unique name, used in exports and the LRS")
    title: str = Field(min_length=1, description="as trainees and managers read it")
    description: str = Field("", description="why it matters, shown with the trainee's progress")
    scenarios: list[Requirement] = Field(min_length=1, description="each must be passed")
    within_attempts: int | None = Field(None, ge=1, le=100, description="each must be passed in at most this many "
                                        "assessed attempts at it (counted within within_days when that is set)")
    within_days: int | None = Field(None, ge=1, le=3650, description="all must be passed within this many days of "
                                    "each other")
    valid_days: int | None = Field(None, ge=1, le=3650, description="the certificate lapses this many days after it "
                                   "is reached, and must be earned again (none: it never lapses)")

    @model_validator(mode="after")
    def _each_scenario_once(self) -> Certificate:
        seen = [(r.scenario, r.intensity) for r in self.scenarios]
        if len(set(seen)) != len(seen):
            raise ValueError("a scenario (at the same intensity) is listed twice; list it once")
        return self


def _unique_certificates(value: list[Certificate]) -> list[Certificate]:
    ids = [c.id for c in value]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"certificate id '{twice[0]}' is used twice; give each certificate its own id")
    return value


class Policy(_Strict):
    """An organisation's rules for abusive contacts; they change how every rubric is applied."""

    format: Literal[1]
    warnings_before_ending: int = Field(1, ge=0, le=5, description="clear warnings required before ending or transferring an abusive contact")
    agent_may_end_contact: bool = Field(True, description="false: agents never hang up; they transfer to a supervisor instead")
    escalate_to: str = Field("supervisor", min_length=1, description="who agents bring in: supervisor, team lead, security...")
    document_abuse: bool = Field(True, description="abusive contacts must be documented (said, or Flag incident)")
    uncertain_below: float = Field(0.6, ge=0, le=1, description="recogniser confidence under which a verdict is uncertain")
    debrief: str = Field("", description="the organisation's words after every session: support, who to talk to")
    pass_mark: float = Field(70, ge=0, le=100, description="overall score that counts as passed (xAPI passed/failed)")
    keep_audio_days: int | None = Field(30, ge=1, description="kept recordings are deleted after this many days by `sessions purge`")
    keep_sessions_days: int | None = Field(None, ge=1, description="sessions are deleted after this many days by `sessions purge` (none: keep)")
    review_passphrase: str | None = Field(
        None, pattern=r"^scrypt\$\d+\$\d+\$\d+\$[0-9a-f]+\$[0-9a-f]+$",
        description="asked before review mode shows other trainees' sessions; make it with `simulator review --hash-passphrase`")
    checklist_in_assessed: bool = Field(
        False, description="true: trainees may show the live checklist of criteria in assessed sessions too "
                           "(it is always offered in practice)")
    certificates: Annotated[list[Certificate], AfterValidator(_unique_certificates)] = Field(
        default_factory=list, description="what the organisation can require of trainees: see the README, Certificates")


class CriteriaLibrary(_Strict):
    """A file of shared criteria (the standard library or an organisation's own)."""

    format: Literal[1]
    words: dict[str, list[Annotated[str, Field(min_length=1)]]] = Field(
        default_factory=dict, description="named word lists that phrases use as @name")
    criteria: list[Criterion] = Field(min_length=1)
