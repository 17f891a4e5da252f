"""What a session in a bundle may contain: the store's own shapes, ranges and lengths.

A bundle is signed with the organisation's key, and every trainee holds that
key, so a signature proves only that someone in the organisation made the
file. Everything in it is therefore checked as untrusted input before any of
it reaches the database or the disk.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..engine.reply_text import MAX_REPLY
from ..scenario.errors_from_model import bound
from ..scenario.visible import unkept

SESSION_ID = r"^[0-9a-f]{32}$"  # uuid4().hex, as Store.begin_session makes them
AUDIO_NAME = r"^[0-9]{1,6}\.wav$"  # SessionRecorder's per-turn recordings
_NAME = r"^[a-z0-9][a-z0-9_.|-]{0,199}$"  # scenario, node, line, criterion and dimension ids
MAX_TURNS = 5000
MAX_TEXT = MAX_REPLY  # a reply as the engine keeps it fits; so does every other text a session holds
MAX_NAME = 200
EARLIEST, LATEST = 946684800.0, 4102444800.0  # 2000-01-01 to 2100-01-01: a date a session can have



def _no_controls(text: str) -> str:
    # The engine keeps replies without these (engine/reply_text.py), so a session this product recorded passes.
    for ch in text:
        if unkept(ch):
            raise ValueError(f"contains the control character U+{ord(ch):04X}")
    return text


MAX_REASON = 4000  # a trainee's reason for a dispute, or the manager's answer: a few paragraphs


def reason_problem(text: str) -> str | None:
    """What is wrong with a dispute's reason or its answer, in words for the person typing it (None: nothing)."""
    if not text.strip():
        return "is required"
    if len(text) > MAX_REASON:
        return f"is {len(text):,} characters, more than {MAX_REASON:,}"
    try:
        _no_controls(text)
    except ValueError as exc:
        return str(exc)
    return None


def _reason(text: str) -> str:
    problem = reason_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def _one_line_name(text: str) -> str:
    if not text.strip() or "\n" in text or "\t" in text:
        raise ValueError("must be one line of text")
    for ch in text:
        if unicodedata.category(ch) in ("Cf", "Zl", "Zp"):
            raise ValueError(f"contains the invisible character U+{ord(ch):04X}")
    return _no_controls(text)


def as_name(text: str) -> str:
    """A person's name as typed or given on the command line, as a session keeps it: on one line, spaces
    collapsed, without characters that do not show (which a bundle refuses in a name)."""
    return " ".join("".join(ch for ch in text if not (unkept(ch) or unicodedata.category(ch) in ("Cf", "Zl", "Zp")))
                    .split())


def name_problem(text: str) -> str | None:
    """What is wrong with a name kept as `as_name` keeps it, in words for the person typing it (None: nothing)."""
    name = as_name(text)
    if not name:
        return "is empty"
    if len(name) > MAX_NAME:
        return f"is {len(name):,} characters, more than {MAX_NAME}"
    return None


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("must be a finite number")
    return x


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_controls)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_one_line_name)]
Id = Annotated[str, Field(pattern=_NAME)]
When = Annotated[float, Field(ge=EARLIEST, le=LATEST), AfterValidator(_finite)]
Score = Annotated[float, Field(ge=0, le=100), AfterValidator(_finite)]
Unit = Annotated[float, Field(ge=0, le=1), AfterValidator(_finite)]
Index = Annotated[int, Field(ge=0, le=MAX_TURNS * 4)]
Verdict_ = Literal["met", "missed", "violated"]


class _Strict(BaseModel):
    # Unknown keys are refused: a field this version does not know could not be shown or checked.
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class Match(_Strict):
    criterion: Id
    start: Index
    end: Index
    quote: Text
    confidence: Unit | None = None
    probability: Unit | None = None
    uncertain: bool = False


class Turn(_Strict):
    index: Index
    speaker: Literal["customer", "trainee"]
    kind: Literal["line", "reply", "action", "silence"]
    node: Id
    text: Text = ""
    line_id: Id | None = None
    source: Literal["typed", "spoken"] | None = None
    action: Literal["end_call", "escalate", "hold", "flag", "resume"] | None = None
    confidence: Unit | None = None
    word_confidences: list[Unit] = Field(default_factory=list, max_length=MAX_TEXT)
    matches: list[Match] = Field(default_factory=list, max_length=200)
    started_at: When
    ended_at: When
    audio: str | None = Field(None, max_length=100)


class DimensionScore(_Strict):
    dimension: Id
    score: Score
    weight: Annotated[float, Field(ge=0, le=1000), AfterValidator(_finite)]
    reviewed: Score | None = None


class Evidence(_Strict):
    turn: Index
    quote: Text
    start: Index = 0
    end: Index = 0
    confidence: Unit | None = None
    uncertain: bool = False


class Verdict(_Strict):
    dimension: Id
    item: Id
    status: Verdict_
    uncertain: bool = False
    evidence: list[Evidence] = Field(default_factory=list, max_length=MAX_TURNS)
    feedback: Text = ""


class Result(_Strict):
    overall: Score | None = None
    measures: dict[Id, float | bool | None] = Field(default_factory=dict, max_length=200)
    versions: dict[Id, Annotated[str, Field(max_length=200), AfterValidator(_one_line_name)]] = Field(
        default_factory=dict, max_length=50)


class Override(_Strict):
    dimension: Id
    item: Id
    status: Verdict_
    comment: Annotated[Text, Field(min_length=1)]
    reviewer: Name
    created_at: When


Reason = Annotated[str, Field(max_length=MAX_REASON), AfterValidator(_reason)]


class Dispute(_Strict):
    """A trainee's dispute of one verdict and, once answered, the manager's answer (never half of one)."""

    id: Annotated[str, Field(pattern=SESSION_ID)]  # uuid4().hex, like session ids
    dimension: Id
    item: Id
    disputed_status: Verdict_
    reason: Reason
    created_at: When
    outcome: Literal["open", "upheld", "overturned"]
    resolved_status: Verdict_ | None = None
    response: Reason | None = None
    resolver: Name | None = None
    resolved_at: When | None = None

    @model_validator(mode="after")
    def _answer_is_whole(self) -> "Dispute":
        answered = (self.response, self.resolver, self.resolved_at)
        if self.outcome == "open":
            if any(x is not None for x in (*answered, self.resolved_status)):
                raise ValueError("an open dispute carries an answer")
        elif any(x is None for x in answered):
            raise ValueError("an answered dispute lacks the reason, the reviewer or the time of its answer")
        elif (self.outcome == "overturned") != (self.resolved_status is not None):
            raise ValueError("only an overturned dispute names a new verdict, and it must")
        elif self.resolved_at < self.created_at:
            raise ValueError("a dispute is answered before it was made")
        return self


class Review(_Strict):
    reviewer: Name
    reviewed_at: When


class Session(_Strict):
    id: Annotated[str, Field(pattern=SESSION_ID)]
    trainee: Name
    scenario_id: Id
    scenario_title: Name
    scenario_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    scenario_file: Annotated[str, Field(max_length=1000), AfterValidator(_no_controls)] | None = None
    intensity: Id | None = None
    seed: Annotated[int, Field(ge=-(2 ** 63), lt=2 ** 63)] | None = None
    started_at: When
    ended_at: When | None = None
    status: Literal["completed", "ended_by_trainee", "interrupted"]
    ending_node: Id | None = None
    ending_outcome: Id | None = None
    path: list[Id] = Field(default_factory=list, max_length=MAX_TURNS)
    overall: Score | None = None
    reviewed_overall: Score | None = None  # worked out again from the overrides, never taken from the file
    result: Result = Field(default_factory=Result)
    keep_audio: bool = False
    turns: list[Turn] = Field(max_length=MAX_TURNS)
    scores: list[DimensionScore] = Field(default_factory=list, max_length=50)
    verdicts: list[Verdict] = Field(default_factory=list, max_length=500)
    overrides: list[Override] = Field(default_factory=list, max_length=1000)
    reviews: list[Review] = Field(default_factory=list, max_length=1000)
    disputes: list[Dispute] = Field(default_factory=list, max_length=1000)

    def problems(self) -> list[str]:
        """What the field types cannot say: the parts must agree with each other."""
        found = []
        if len({t.index for t in self.turns}) != len(self.turns):
            found.append("two turns share an index")
        if self.ended_at is not None and self.ended_at < self.started_at:
            found.append("it ends before it starts")
        dims = [s.dimension for s in self.scores]
        if len(set(dims)) != len(dims):
            found.append("a dimension is scored twice")
        if len({(v.dimension, v.item) for v in self.verdicts}) != len(self.verdicts):
            found.append("a verdict is given twice")
        verdicts = {(v.dimension, v.item) for v in self.verdicts}
        if any((o.dimension, o.item) not in verdicts for o in self.overrides):
            found.append("an override changes a verdict the session does not have")
        if any((d.dimension, d.item) not in verdicts for d in self.disputes):
            found.append("a dispute is about a verdict the session does not have")
        if len({d.id for d in self.disputes}) != len(self.disputes):
            found.append("a dispute is listed twice")
        overrides = {(o.dimension, o.item, o.status, o.reviewer, o.created_at) for o in self.overrides}
        if any(d.outcome == "overturned" and (d.dimension, d.item, d.resolved_status, d.resolver, d.resolved_at)
               not in overrides for d in self.disputes):
            found.append("an overturned dispute has no override changing its verdict")
        if len({r.reviewer for r in self.reviews}) != len(self.reviews):
            found.append("a reviewer is listed twice")
        if self.overall is None and (self.scores or self.verdicts):
            found.append("it has verdicts but no score")
        for t in self.turns:
            if t.audio is not None and not re.match(rf"^{self.id}/[0-9]{{3,6}}\.wav$", t.audio):
                found.append(f"turn {t.index} names a recording outside its own session")
        return found


def first_error(exc: ValidationError, what: str, prefix: str = "") -> ValueError:
    """A bundle's first problem in one line (where in it, and what): a refusal names one thing to look at."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return ValueError(f"{prefix}{where or what}: {_plain(first)}")


def _plain(error: dict) -> str:
    """Pydantic's message in the words a manager reads: "String should match pattern '^[0-9a-f]{32}$'" said
    nothing to them."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "string_pattern_mismatch":
        return "is not in the form this product writes"
    if kind == "extra_forbidden":
        return "is not a field this product writes (made by another program, or by a newer version?)"
    if (within := bound(error)) is not None:
        return f"must be {within}"
    if kind == "string_too_long":
        return f"is more than {ctx.get('max_length', 'the allowed')} characters long"
    if kind == "too_long":
        return f"holds more than {ctx.get('max_length', 'the allowed')} items"
    return str(error["msg"]).removeprefix("Value error, ")


def check_session(data: object, expected_id: str) -> Session:
    """A validated session, or ValueError saying in one line what is wrong."""
    try:
        session = Session.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, "the session") from None
    if session.id != expected_id:
        raise ValueError(f"it is listed as session {expected_id[:8]} but holds session {session.id[:8]}")
    problems = session.problems()
    if problems:
        raise ValueError(problems[0])
    return session


class Manifest(_Strict):
    format: int
    created_at: When
    key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]
    sessions: list[Annotated[str, Field(pattern=SESSION_ID)]] = Field(max_length=5000)
    files: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(
        max_length=50_000)


def check_manifest(data: object) -> Manifest:
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, "", prefix="manifest ") from None
    if len(set(manifest.sessions)) != len(manifest.sessions):
        raise ValueError("the manifest lists a session twice")
    return manifest
