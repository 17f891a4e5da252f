"""Where a trainee stands on each certificate the organisation's policy names.

A pure rule over plain histories, like the practice plan: the caller passes
one trainee's assessed attempts (plan.Attempt: sessions played to the end
and scored; practice-only runs are never kept, unfinished ones never count)
and the moment it is now.

A certificate is reached at the first session after which every scenario it
lists has a session that counts: at the intensity asked (if any), at or above
its score (the policy's pass mark by default), with every criterion it names
met (a manager's change to a verdict counts). With `within_days`, those
sessions must all fall within that many days; with `within_attempts`, each
must come within the first that-many attempts at its scenario (inside the
`within_days` window when there is one, so old attempts age out). With
`valid_days`, the certificate lapses that long after it was reached. Sessions
after it was reached count toward renewing it: once every scenario has been
passed again (by the same rule), it is renewed for another `valid_days`, or
earned back if it had lapsed in between. So a trainee can renew before the
lapse, and the practice plan says which scenarios to play again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..scenario.model import Certificate, Requirement
from .plan import DAY, Attempt, Required, skills_of
from .verdict import figure

CERTIFIED, EXPIRED, IN_PROGRESS, NOT_STARTED = "certified", "expired", "in progress", "not started"


@dataclass(frozen=True)
class RequirementProgress:
    scenario_id: str
    title: str
    intensity: str | None
    min_score: float
    criteria: tuple[str, ...]
    passed_at: float | None  # the session that counts, when there is one
    best: float | None  # the best score of the attempts that count toward it now
    attempts: int  # attempts at it that count now
    attempts_left: int | None  # None: no limit

    @property
    def passed(self) -> bool:
        return self.passed_at is not None

    def words(self) -> str:
        what = self.title + (f" ({self.intensity})" if self.intensity else "")
        if self.passed:
            return f"{what}: passed {day(self.passed_at)}"
        from .verdict import item_label  # the words the results use, never the criteria's ids
        need = f"needs {figure(self.min_score)}" + (f" with {'; '.join(item_label(c) for c in self.criteria)}"
                                                if self.criteria else "")
        tried = f"best {figure(self.best)}" if self.best is not None else "not tried yet"
        n = self.attempts_left
        left = "" if n is None else f", {n} attempt{'' if n == 1 else 's'} left"
        return f"{what}: {need}; {tried}{left}"


@dataclass(frozen=True)
class CertificateStatus:
    certificate_id: str
    title: str
    trainee: str
    state: str  # certified, expired, in progress, not started
    reached_at: float | None  # the current certificate's date; for an expired one, the lapsed one's
    expires_at: float | None
    requirements: tuple[RequirementProgress, ...]  # held: the sessions that earned it; otherwise: progress now
    renewal: tuple[RequirementProgress, ...] = ()  # held and lapsing: each scenario passed again since it was reached

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.requirements)

    def words(self) -> str:
        """One line that reads the same in the library, the team view and the terminal."""
        n, total = self.passed, len(self.requirements)
        until = f" until {day(self.expires_at)}" if self.expires_at else ""
        if self.state == CERTIFIED:
            return f"Certified on {day(self.reached_at)}{until}"
        if self.state == EXPIRED:
            return f"Lapsed on {day(self.expires_at)}: {n} of {total} passed again"
        return f"{n} of {total} passed"

    def to_dict(self) -> dict:
        return {"certificate": self.certificate_id, "title": self.title, "trainee": self.trainee,
                "state": self.state, "reached_at": self.reached_at, "expires_at": self.expires_at,
                "summary": self.words(),
                "requirements": [{"scenario": r.scenario_id, "title": r.title, "intensity": r.intensity,
                                  "min_score": r.min_score, "criteria": list(r.criteria), "passed_at": r.passed_at,
                                  "best": r.best, "attempts": r.attempts, "attempts_left": r.attempts_left}
                                 for r in self.requirements]}


def day(ts: float | None) -> str:
    if ts is None:
        return "—"
    d = dt.datetime.fromtimestamp(ts)
    return f"{d.day} {d:%b %Y}"


def certificate_status(cert: Certificate, trainee: str, attempts: Sequence[Attempt], now: float, *,
                       pass_mark: float = 70, titles: Mapping[str, str] | None = None) -> CertificateStatus:
    """Where one trainee stands on one certificate at `now` (see the module's docstring for the rule)."""
    rule = _Rule(cert, [a for a in attempts if a.at <= now], pass_mark)
    earned_from, start, reached, expires = float("-inf"), float("-inf"), None, None
    while True:
        at = rule.reached(start)
        if at is None:
            break
        earned_from, reached = start, at
        expires = at + cert.valid_days * DAY if cert.valid_days else None
        if expires is None:
            break  # held for good: nothing to renew
        start = math.nextafter(at, math.inf)  # from now on, sessions count toward renewing it
    current = reached is not None and (expires is None or expires > now)
    title = (titles or {}).get
    if current:
        progress = tuple(rule.progress(r, earned_from, reached, title(r.scenario, r.scenario)) for r in cert.scenarios)
        renewal = tuple(rule.progress(r, start, now, title(r.scenario, r.scenario)) for r in cert.scenarios) \
            if expires is not None else ()
    else:
        progress = tuple(rule.progress(r, start, now, title(r.scenario, r.scenario)) for r in cert.scenarios)
        renewal = ()
    if current:
        state = CERTIFIED
    elif reached is not None:
        state = EXPIRED
    else:
        state = IN_PROGRESS if any(p.attempts for p in progress) else NOT_STARTED
    return CertificateStatus(cert.id, cert.title, trainee, state, reached, expires, progress, renewal)


class _Rule:
    def __init__(self, cert: Certificate, attempts: Sequence[Attempt], pass_mark: float) -> None:
        self.cert, self.pass_mark = cert, pass_mark
        self.attempts = sorted(attempts, key=lambda a: a.at)

    def mark(self, r: Requirement) -> float:
        return self.pass_mark if r.min_score is None else r.min_score

    def counting(self, r: Requirement, start: float, at: float, limited: bool = True) -> list[Attempt]:
        """The attempts at a requirement that count at moment `at`: in the cycle, in the window, the first N."""
        since = max(start, at - self.cert.within_days * DAY) if self.cert.within_days else start
        found = [a for a in self.attempts if a.scenario_id == r.scenario and since <= a.at <= at
                 and (r.intensity is None or a.intensity == r.intensity)]
        return found[:self.cert.within_attempts] if limited and self.cert.within_attempts else found

    def qualifies(self, a: Attempt, r: Requirement) -> bool:
        met = {k for item, status in a.verdicts.items() if status == "met" for k in skills_of(item)}
        return a.score >= self.mark(r) and all(c in met for c in (k for e in r.criteria for k in skills_of(e)))

    def passing(self, r: Requirement, start: float, at: float) -> Attempt | None:
        return next((a for a in self.counting(r, start, at) if self.qualifies(a, r)), None)

    def reached(self, start: float) -> float | None:
        """The first moment from `start` on at which every requirement has a session that counts."""
        for a in self.attempts:
            if a.at >= start and all(self.passing(r, start, a.at) for r in self.cert.scenarios):
                return a.at
        return None

    def progress(self, r: Requirement, start: float, at: float, title: str) -> RequirementProgress:
        every = self.counting(r, start, at, limited=False)
        passing = self.passing(r, start, at)
        limit = self.cert.within_attempts
        return RequirementProgress(r.scenario, title, r.intensity, self.mark(r), tuple(r.criteria),
                                   passing.at if passing else None, max((a.score for a in every), default=None),
                                   len(every), None if limit is None else max(0, limit - len(every)))


def unknown_requirements(certificates: Sequence[Certificate], intensities: Mapping[str, Sequence[str]]) -> list[str]:
    """What the policy's certificates name that the library does not have: a scenario id, or an intensity of it.
    `intensities`: each scenario in the library, by id. Such a requirement can never be passed, so say so."""
    found = []
    for cert in certificates:
        for r in cert.scenarios:
            if r.scenario not in intensities:
                found.append(f"certificate '{cert.id}' names scenario '{r.scenario}', which is not in the library "
                             "(see `simulator list` for the ids)")
            elif r.intensity is not None and r.intensity not in intensities[r.scenario]:
                found.append(f"certificate '{cert.id}' asks for {r.scenario} at intensity '{r.intensity}', which it "
                             f"does not have (it has {', '.join(intensities[r.scenario])})")
    return found


RENEW_WITHIN_DAYS = 30  # a certificate this close to lapsing comes up in the practice plan


def still_required(statuses: Sequence[CertificateStatus], now: float) -> list[Required]:
    """What the trainee's certificates ask them to play: to reach one, to renew one that lapses within
    RENEW_WITHIN_DAYS, or to earn back one that has lapsed (what the practice plan offers)."""
    out = []
    for c in statuses:
        if c.state == CERTIFIED:
            if c.expires_at is None or c.expires_at - now > RENEW_WITHIN_DAYS * DAY:
                continue
            pending, lapses = c.renewal, c.expires_at
        else:
            pending, lapses = c.requirements, (c.expires_at if c.state == EXPIRED else None)
        out += [Required(r.scenario_id, r.intensity, c.title, lapses) for r in pending if not r.passed]
    return out
