"""Assignments without a server: a manager's signed file listing scenarios and a due date.

An assignment bundle is one header line, `SIMASSIGN 1 <key id> <signature>`,
then the assignment as JSON. It is signed with the organisation's key by the
same function as session bundles (bundle.signature), so a file with any byte
changed, or signed with another key, is refused in one line before anything
in it is read. Every trainee holds that key, so what is inside is then
checked as untrusted input, as strictly as a session in a bundle: known
keys only, ids as the store makes them, one-line names, dates a plan can
have, bounded counts. The trainee's finished sessions go back in the usual
session bundle.
"""

from __future__ import annotations

import hmac
import io
import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import SimulatorError
from ..files import UnreadableFile, read_regular_file
from ..scoring.plan import Assigned, Attempt
from .bundle import key_id, signature
from .bundleschema import SESSION_ID, Id, Name, Text, When, first_error
from .database import Store
from .private import write_private

MAGIC, FORMAT = "SIMASSIGN", 1
SUFFIX = ".simassign"
MAX_BYTES = 1024 ** 2
_HEADER = re.compile(rb"^SIMASSIGN ([0-9]{1,3}) ([0-9a-f]{12}) ([0-9a-f]{64})\n")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    scenario: Id
    intensity: Id | None = None  # any intensity counts when none is named


class Assignment(_Strict):
    id: Annotated[str, Field(pattern=SESSION_ID)]
    title: Name
    note: Annotated[Text, Field(max_length=2000)] = ""
    trainees: list[Name] = Field(default_factory=list, max_length=1000)  # empty: everyone who imports it
    items: list[Item] = Field(min_length=1, max_length=100)
    due_at: When
    created_at: When
    created_by: Name

    def problems(self) -> list[str]:
        found = []
        if self.due_at < self.created_at:
            found.append("it is due before it was made")
        if len({(i.scenario, i.intensity) for i in self.items}) != len(self.items):
            found.append("a scenario is listed twice")
        if len(set(self.trainees)) != len(self.trainees):
            found.append("a trainee is named twice")
        return found

    def is_for(self, trainee: str) -> bool:
        return not self.trainees or trainee in self.trainees


@dataclass(frozen=True)
class ItemProgress:
    scenario: str
    intensity: str | None
    done_at: float | None  # the first assessed session of it since the assignment was made


def make_assignment(title: str, items: Sequence[tuple[str, str | None]], due_at: float, created_by: str, *,
                    trainees: Sequence[str] = (), note: str = "", now: float | None = None) -> Assignment:
    """A new assignment, checked as an imported one would be; SimulatorError says what to fix."""
    data = {"id": uuid.uuid4().hex, "title": title.strip(), "note": note.strip(),
            "trainees": [t.strip() for t in trainees if t.strip()],
            "items": [{"scenario": s, "intensity": i} for s, i in items], "due_at": due_at,
            "created_at": time.time() if now is None else now, "created_by": created_by.strip()}
    try:
        return _checked(data)
    except ValueError as exc:
        raise SimulatorError(f"the assignment cannot be made: {exc}", "check the title, scenarios, due date and "
                             "your name as reviewer") from None


def _checked(data: object) -> Assignment:
    """A validated assignment, or ValueError saying in one line what is wrong."""
    try:
        assignment = Assignment.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, "the assignment") from None
    problems = assignment.problems()
    if problems:
        raise ValueError(problems[0])
    return assignment


def write_assignment_bundle(assignment: Assignment, out: Path, key: bytes) -> Path:
    """The signed file a manager hands to trainees (private to the user, written whole or not at all)."""
    body = json.dumps(assignment.model_dump(), sort_keys=True, ensure_ascii=False).encode()
    signer = key_id(key)
    signed = signature(key, FORMAT, signer, io.BytesIO(body), MAGIC)
    return write_private(out, f"{MAGIC} {FORMAT} {signer} {signed}\n".encode() + body)


def read_assignment_bundle(path: Path, key: bytes) -> Assignment:
    """The verified, checked assignment in a bundle; SimulatorError saying in one line what is wrong otherwise."""
    ask = "nothing was imported; ask your manager to make the assignment again with the simulator"
    try:
        data = read_regular_file(path, MAX_BYTES, "assignment bundle")
    except UnreadableFile as exc:
        raise SimulatorError(f"cannot read {path}: {exc.reason}", "check the path") from None
    match = _HEADER.match(data[:100])
    if match is None:
        if data.startswith(MAGIC.encode()):
            raise SimulatorError(f"{path} has been changed or cut short since it was signed", "it cannot be trusted; " + ask)
        raise SimulatorError(f"{path} is not an assignment bundle", "a manager makes one in review mode (Team tab) "
                             "or with `simulator assignments make`")
    version, signer, signed = (g.decode("ascii") for g in match.groups())
    body = data[match.end():]
    if not hmac.compare_digest(signature(key, version, signer, io.BytesIO(body), MAGIC), signed):
        if signer != key_id(key):
            raise SimulatorError(f"{path} was signed with another organisation's key, or changed since",
                                 "import it with the key it was signed with; " + ask)
        raise SimulatorError(f"{path} has been changed or cut short since it was signed", "it cannot be trusted; " + ask)
    if version != str(FORMAT):
        raise SimulatorError(f"{path} is an assignment bundle of format {version}", "update the simulator to import it")
    try:
        return _checked(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SimulatorError(f"{path} cannot be imported: {str(exc)[:300]}", ask) from None


def save_assignment(store: Store, a: Assignment, origin: str) -> bool:
    """Keep an assignment (`made` here, or `imported`); False when it was already here (importing twice adds nothing)."""
    with store.write() as db:
        return db.execute(
            "INSERT OR IGNORE INTO assignments (id, title, note, trainees, items, due_at, created_at, created_by,"
            " origin, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (a.id, a.title, a.note, json.dumps(a.trainees), json.dumps([i.model_dump() for i in a.items]), a.due_at,
             a.created_at, a.created_by, origin, time.time() if origin == "imported" else None)).rowcount == 1


def import_assignment(store: Store, path: Path, key: bytes) -> tuple[Assignment, bool]:
    assignment = read_assignment_bundle(path, key)
    return assignment, save_assignment(store, assignment, "imported")


def list_assignments(store: Store, trainee: str | None = None) -> list[Assignment]:
    """Every assignment kept here, soonest due first; with a trainee, only those for them."""
    out = []
    for r in store.read("SELECT * FROM assignments ORDER BY due_at, created_at"):
        a = Assignment(id=r["id"], title=r["title"], note=r["note"], trainees=json.loads(r["trainees"]),
                       items=[Item(**i) for i in json.loads(r["items"])], due_at=r["due_at"],
                       created_at=r["created_at"], created_by=r["created_by"])
        if trainee is None or a.is_for(trainee):
            out.append(a)
    return out


def progress(a: Assignment, attempts: Sequence[Attempt]) -> list[ItemProgress]:
    """Each scenario of an assignment: done by an assessed session since it was made (at its intensity, if named)."""
    out = []
    for item in a.items:
        done = [x.at for x in attempts if x.scenario_id == item.scenario and x.at >= a.created_at
                and (item.intensity is None or x.intensity == item.intensity)]
        out.append(ItemProgress(item.scenario, item.intensity, min(done) if done else None))
    return out


def assigned(assignments: Sequence[Assignment]) -> list[Assigned]:
    """The assignments as the practice plan reads them."""
    return [Assigned(i.scenario, i.intensity, a.due_at, a.created_at) for a in assignments for i in a.items]


@dataclass(frozen=True)
class TeamAssignment:
    """An assignment as the manager follows it: how many of its scenarios each trainee has done."""

    assignment: Assignment
    done: dict[str, int]  # trainee -> scenarios done

    def words(self) -> str:
        total = len(self.assignment.items)
        finished = sum(n == total for n in self.done.values())
        return f"{finished} of {len(self.done)} done"


def team_assignments(store: Store, only: str | None = None) -> list[TeamAssignment]:
    """Every assignment kept here with each trainee's progress (only that trainee's when one is named)."""
    from .attempts import attempts_by_trainee
    history = attempts_by_trainee(store, only)
    everyone = [only] if only is not None else [r["name"] for r in store.read(
        "SELECT name FROM trainees ORDER BY name COLLATE NOCASE")]
    out = []
    for a in list_assignments(store, only):
        who = [t for t in (a.trainees or everyone) if only is None or t == only]
        out.append(TeamAssignment(a, {t: sum(p.done_at is not None for p in progress(a, history.get(t, [])))
                                      for t in who}))
    return out
