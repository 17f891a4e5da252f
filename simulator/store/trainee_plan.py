"""One trainee's plan: what to practise next, their certificates and their assignments, read together.

The library's "Practise next" panel and `simulator plan` both show this, so
they say the same thing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..scenario.model import Policy
from ..scoring.certificates import CertificateStatus, day, still_required
from ..scoring.plan import Suggestion, plan, scenario_info
from .assignments import Assignment, ItemProgress, assigned, list_assignments, progress
from .attempts import attempts_of
from .database import Store
from .team_certificates import team_certificates


@dataclass(frozen=True)
class AssignmentProgress:
    assignment: Assignment
    items: list[ItemProgress]
    titles: dict[str, str]

    @property
    def done(self) -> int:
        return sum(i.done_at is not None for i in self.items)

    def words(self, now: float) -> str:
        a = self.assignment
        if self.done == len(self.items):
            return f"{a.title}: done ({len(self.items)} of {len(self.items)})"
        due = ("overdue since " if a.due_at < now else "due ") + day(a.due_at)
        return f"{a.title}, {due}: {self.done} of {len(self.items)} done"

    def to_dict(self) -> dict:
        a = self.assignment
        return {"id": a.id, "title": a.title, "note": a.note, "due_at": a.due_at, "created_by": a.created_by,
                "items": [{"scenario": i.scenario, "title": self.titles.get(i.scenario, i.scenario),
                           "intensity": i.intensity, "done_at": i.done_at} for i in self.items]}


@dataclass(frozen=True)
class TraineePlan:
    trainee: str
    suggestions: list[Suggestion]
    certificates: list[CertificateStatus]
    assignments: list[AssignmentProgress]
    now: float

    def to_dict(self) -> dict:
        return {"trainee": self.trainee,
                "practise_next": [{"scenario": s.scenario_id, "title": s.title, "intensity": s.intensity,
                                   "reason": s.reason, "kind": s.kind, "skill": s.skill} for s in self.suggestions],
                "certificates": [c.to_dict() for c in self.certificates],
                "assignments": [a.to_dict() for a in self.assignments]}


def trainee_plan(store: Store, trainee: str, scenarios: Sequence, policy: Policy, *, now: float | None = None,
                 limit: int = 5, practised: Iterable[str] = ()) -> TraineePlan:
    """`scenarios`: the loaded library (scenario.ScenarioFile), as the trainee can play it. `practised`: scenarios
    played practice-only, which no store keeps (the app knows them for as long as it runs); a kept session that
    is no attempt (a break, a call stopped short) counts too."""
    now = time.time() if now is None else now
    infos = [scenario_info(sf) for sf in scenarios]
    titles = {i.id: i.title for i in infos}
    history = attempts_of(store, trainee)
    mine = list_assignments(store, trainee)
    open_work = [a for a in mine if any(i.done_at is None for i in progress(a, history))]
    certificates = team_certificates(store, policy, now=now, trainee=trainee, titles=titles)
    tried = {r[0] for r in store.read("SELECT DISTINCT s.scenario_id FROM sessions s JOIN trainees t"
                                       " ON t.id = s.trainee_id WHERE t.name = ?", (trainee,))}
    suggestions = plan(infos, history, now, pass_mark=policy.pass_mark, assigned=assigned(open_work),
                       required=still_required(certificates, now), limit=limit,
                       practised=frozenset((tried | set(practised)) - {a.scenario_id for a in history}))
    return TraineePlan(trainee, suggestions, certificates,
                       [AssignmentProgress(a, progress(a, history), titles) for a in mine], now)
