"""What to practise next: a short list, with the reason in plain words, from the trainee's own sessions.

A pure rule over plain histories (no store, no clock, no Qt): the caller
passes what was played and when, and the moment it is now.

The spacing follows the Leitner system (Sebastian Leitner, "So lernt man
lernen", 1972), the card-box form of expanding-interval practice (Landauer &
Bjork, 1978; the spacing effect, Cepeda et al., 2006). Each skill (a criterion
or call control a rubric asks for) sits in a box. A session in which it was
met moves it up one box; one in which it was missed, or something to avoid
happened, puts it back in box 1. A skill is due again when the interval of
its box has passed since it was last practised:

    box 1: at once (last time it was missed)
    box 2: after 3 days   box 3: after 7 days   box 4: after 14 days   box 5: after 30 days

So a skill done well yesterday does not come up; one not practised for
weeks does. Something to avoid counts as done well in every session of a
scenario that asks to avoid it and where it did not happen; where one rubric
asks for what another asks to avoid (naming the behaviour to a customer who
is not abusive), knowing when not to is a skill of its own.

The list, in this order, at most `limit` long, one line per scenario:

1. assignments from a manager not yet done, soonest due first; then what a
   certificate needs played again, because it lapses within 30 days (or has
   lapsed), soonest first;
2. skills missed last time (box 1), most recent first, then in the order a
   conversation teaches them (name the behaviour, set the expectation, state
   the consequence, ...);
3. what a certificate still needs, then scenarios never played, easiest
   first; a harder level waits until every easier scenario has been played
   once (an unplayed hard scenario is not offered while an easy one is
   unplayed, whatever asks for it, unless a manager assigns it);
4. skills due again by their box, longest overdue first;
5. the next intensity of a scenario passed at the milder one.

A skill is practised in a scenario whose rubric asks for it (one done where
a rubric asked to avoid it, in a scenario that asks to avoid it): one not
already listed, not played most recently, at an unlocked level, the easiest
first; at the mildest intensity the trainee has not yet passed there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .verdict import item_label

DAY = 86400.0
MISTIMED = "mistimed"
INTERVAL_DAYS = {1: 0, 2: 3, 3: 7, 4: 14, 5: 30}
TOP_BOX = max(INTERVAL_DAYS)
LEVELS = ("easy", "medium", "hard")

# A skill in the words of "You haven't yet ..." / "It's been a while since you last ...".
DONE_WORDS = {
    "names_behavior": "named the behaviour as unacceptable",
    "sets_expectation": "set the expectation for the rest of the call",
    "states_consequence": "stated a consequence (what happens if the abuse goes on)",
    "redirects_to_issue": "offered to solve the real problem",
    "announces_ending": "said clearly that you were ending the call",
    "escalates": "brought in a supervisor",
    "documents": "documented the incident",
    "acknowledges_feelings": "acknowledged the customer's feelings",
    "restates_problem": "repeated the problem back",
    "end_call": "ended the call yourself",
    "escalate": "transferred a call to a supervisor",
    "flag": "flagged an incident",
    "hold": "put a caller on hold",
}
# Things to avoid, as what happened: "Last time you ...".
AVOID_WORDS = {
    "retaliates": "answered in kind",
    "appeases_abuse": "apologised for or went along with the abuse",
    "ended_without_warning": "ended the call before warning",
}
# Things to avoid, done well: "It has been 5 weeks since you last ...".
KEPT_WORDS = {
    "retaliates": "stayed calm under abuse",
    "appeases_abuse": "held a boundary without apologising for the abuse",
    "ended_without_warning": "warned before ending a call",
}
# A scoring rule that no rubric lists is practised where the rubric asks for what it is about.
PRACTISED_BY = {"ended_without_warning": ("states_consequence",)}
NOT = "not:"  # a skill's key where a rubric asks to avoid what others ask for


@dataclass(frozen=True)
class ScenarioInfo:
    """What the rule needs to know about a scenario."""

    id: str
    title: str
    difficulty: str = "medium"
    intensities: tuple[str, ...] = ("standard",)  # mildest first
    skills: frozenset[str] = frozenset()  # criteria and call controls its rubric asks for, or to avoid
    avoid: frozenset[str] = frozenset()  # of those, the ones to avoid: a session without them practised them well


@dataclass(frozen=True)
class Attempt:
    """One assessed session played to the end: practice-only runs and unfinished sessions are never attempts."""

    scenario_id: str
    at: float  # when it started (seconds since the epoch)
    score: float  # the reviewed score where a manager changed a verdict
    intensity: str | None = None
    # item ("a|b" allowed) -> met, missed, violated, or MISTIMED: done, but not where it counted (before the
    # warning it needs, or too late); practised again as a miss is, and said as what happened
    verdicts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assigned:
    scenario_id: str
    intensity: str | None
    due_at: float
    assigned_at: float  # sessions from this moment on count toward it


@dataclass(frozen=True)
class Required:
    """A scenario a certificate still needs: to reach it, or (lapses_at set) to renew it or earn it back."""

    scenario_id: str
    intensity: str | None
    certificate: str  # its title
    lapses_at: float | None = None


@dataclass(frozen=True)
class Suggestion:
    scenario_id: str
    title: str
    intensity: str | None
    reason: str  # plain words, naming the skill and the scenario
    kind: str  # assigned, missed, new, refresh, step_up
    skill: str | None = None


@dataclass(frozen=True)
class SkillState:
    box: int  # 1-5; 0 when never assessed
    last_at: float
    last_status: str  # met, missed or violated
    ever_met: bool
    last_in: str = ""  # the scenario of the last assessment

    def due_at(self) -> float:
        return self.last_at + INTERVAL_DAYS[self.box] * DAY


def skills_of(item: str) -> list[str]:
    """A verdict item as skills: 'escalates|escalate' is practised (or missed) as both."""
    return [s for s in item.split("|") if s]


def skill_boxes(attempts: Iterable[Attempt], avoid: Mapping[str, frozenset[str]] | None = None,
                positive: frozenset[str] = frozenset()) -> dict[str, SkillState]:
    """Each skill's Leitner box after every attempt, oldest first. A first success puts a skill in box 2.

    `avoid` gives each scenario's things to avoid: the scorer lists them only when they happen, so a session
    of that scenario without them counts as having avoided them well. A skill some rubric asks for
    (`positive`) but this scenario asks to avoid, such as naming the behaviour to a customer who is not
    abusive, is a skill of its own here: knowing when not to ("not:names_behavior")."""
    boxes: dict[str, SkillState] = {}
    for a in sorted(attempts, key=lambda a: a.at):
        here = (avoid or {}).get(a.scenario_id, frozenset())

        def key(skill: str) -> str:
            return f"{NOT}{skill}" if skill in here and skill in positive else skill
        outcomes = {key(skill): status for item, status in a.verdicts.items() for skill in skills_of(item)}
        for skill in here:
            outcomes.setdefault(key(skill), "met")
        for skill, status in sorted(outcomes.items()):
            before = boxes.get(skill)
            box = (min(TOP_BOX, before.box + 1) if before else 2) if status == "met" else 1
            boxes[skill] = SkillState(box, a.at, status, status == "met" or bool(before and before.ever_met),
                                      a.scenario_id)
    return boxes


def unlocked_levels(scenarios: Sequence[ScenarioInfo], played: set[str]) -> set[str]:
    """A level opens once every scenario of every easier level has been played."""
    open_levels = set()
    for level in LEVELS:
        open_levels.add(level)
        if any(s.difficulty == level and s.id not in played for s in scenarios):
            break
    return open_levels | {s.difficulty for s in scenarios if s.difficulty not in LEVELS}


def next_intensity(info: ScenarioInfo, attempts: Sequence[Attempt], pass_mark: float) -> str | None:
    """The mildest intensity not yet passed in this scenario (the strongest when all are)."""
    passed = _passed_at(info, attempts, pass_mark)
    for level in info.intensities:
        if level not in passed:
            return level
    return info.intensities[-1] if info.intensities else None


def plan(scenarios: Sequence[ScenarioInfo], attempts: Sequence[Attempt], now: float, *, pass_mark: float = 70,
         assigned: Sequence[Assigned] = (), required: Sequence[Required] = (), limit: int = 5,
         practised: frozenset[str] = frozenset()) -> list[Suggestion]:
    """The trainee's "Practise next" list (see the module's docstring for the rule). `practised`: scenarios the
    trainee has played practice-only (or not to the end), which are not attempts but are not new to them either."""
    seen: dict[str, set[str]] = {}
    for a in attempts:  # items the policy adds (documenting, the early-ending rule) show in the verdicts
        seen.setdefault(a.scenario_id, set()).update(k for item in a.verdicts for k in skills_of(item))
    scenarios = [replace(s, skills=s.skills | seen.get(s.id, set())) for s in scenarios]
    by_id = {s.id: s for s in scenarios}
    played = {a.scenario_id for a in attempts}
    levels = unlocked_levels(scenarios, played)
    last_played = max(attempts, key=lambda a: a.at).scenario_id if attempts else None
    latest = max((a.at for a in attempts), default=0.0)
    out: list[Suggestion] = []

    def add(info: ScenarioInfo, intensity: str | None, reason: str, kind: str, skill: str | None = None) -> None:
        if len(out) < limit and all(s.scenario_id != info.id for s in out):
            out.append(Suggestion(info.id, info.title, intensity, reason, kind, skill))

    for a in sorted(assigned, key=lambda a: (a.due_at, a.scenario_id)):
        info = by_id.get(a.scenario_id)
        done = any(x.scenario_id == a.scenario_id and x.at >= a.assigned_at
                   and (a.intensity is None or x.intensity == a.intensity) for x in attempts)
        if info is not None and not done:
            level = a.intensity or next_intensity(info, attempts, pass_mark)
            word = "overdue since" if a.due_at < now else "due"
            add(info, level, f"Assigned by your manager, {word} {_day(a.due_at)}: {_named(info, level)}.", "assigned")

    for r in sorted((r for r in required if r.lapses_at is not None), key=lambda r: (r.lapses_at, r.scenario_id)):
        info = by_id.get(r.scenario_id)
        if info is not None:
            level = r.intensity or _mildest(info)  # any intensity counts: the mildest will do
            lapsed = r.lapses_at <= now
            add(info, level, f"Certificate “{r.certificate}” {'lapsed' if lapsed else 'lapses'} on "
                             f"{_day(r.lapses_at)}: pass {_named(info, level)} again to "
                             f"{'earn it back' if lapsed else 'renew it'}.", "renew")

    positive = frozenset(k for s in scenarios for k in s.skills - s.avoid)
    boxes = skill_boxes(attempts, {s.id: s.avoid for s in scenarios}, positive)

    def asks_for(key: str):
        """Which scenarios practise a skill's key: where the rubric asks for it, or asks to avoid it."""
        if key.startswith(NOT):
            return lambda s: key[len(NOT):] in s.avoid
        wanted = {key, *PRACTISED_BY.get(key, ())}
        if key in positive or key in PRACTISED_BY:
            return lambda s: bool(wanted & (s.skills - s.avoid))
        return lambda s: key in s.avoid

    def practice_in(key: str) -> ScenarioInfo | None:
        """Where to practise a skill: a scenario that asks for it (or to avoid it), not already listed, not the
        one just played, easiest first."""
        fits = [s for s in filter(asks_for(key), scenarios)
                if (s.id in played or s.difficulty in levels) and all(x.scenario_id != s.id for x in out)]
        # len(fits) read before sorting: while list.sort runs the list reads as empty, so the scenario just played
        # was never put last, and came first wherever its title sorted first.
        others = len(fits) > 1
        fits.sort(key=lambda s: (s.id == last_played and others, _rank(s.difficulty), s.title))
        return fits[0] if fits else None

    missed = sorted((k for k, b in boxes.items() if b.box == 1), key=lambda k: (-boxes[k].last_at, _order(k)))
    for skill in missed:
        info = practice_in(skill)
        if info is not None:
            level = next_intensity(info, attempts, pass_mark)
            state = boxes[skill]
            # Where it went wrong, when that is not where to practise it: a tester read "Last time, you hadn't
            # said clearly that you were ending the call: try “Broadband caller…”" beside that scenario's 100/100.
            there = by_id.get(state.last_in)
            where = there.title if there is not None and there.id != info.id else None
            add(info, level, f"{_missed_words(skill, state, latest, where)}: try {_named(info, level)}.", "missed",
                skill)

    for r in required:
        info = by_id.get(r.scenario_id)
        if r.lapses_at is None and info is not None and (info.id in played or info.difficulty in levels):
            level = r.intensity or _mildest(info)
            add(info, level, f"Toward certificate “{r.certificate}”: pass {_named(info, level)}.", "certificate")

    for info in sorted(scenarios, key=lambda s: (_rank(s.difficulty), s.title)):
        if info.id not in played and info.difficulty in levels:
            level = info.intensities[0] if info.intensities else None
            if info.id in practised:  # "New to you" read wrong to a walker who had just practised it
                add(info, level, f"Practised, not yet assessed ({info.difficulty}): for a score, try "
                                 f"{_named(info, level)}.", "new")
            else:
                add(info, level, f"New to you ({info.difficulty}): try {_named(info, level)}.", "new")

    due = sorted((k for k, b in boxes.items() if b.box > 1 and b.due_at() <= now),
                 key=lambda k: (boxes[k].due_at() - now, _order(k)))
    for skill in due:
        info = practice_in(skill)
        if info is not None:
            level = next_intensity(info, attempts, pass_mark)
            days = (now - boxes[skill].last_at) / DAY
            add(info, level, f"It has been {_ago(days)} since {_since(skill)}: try {_named(info, level)}.",
                "refresh", skill)

    for info in sorted(scenarios, key=lambda s: (_rank(s.difficulty), s.title)):
        passed = _passed_at(info, attempts, pass_mark)
        level = next_intensity(info, attempts, pass_mark)
        if passed and level not in passed:
            milder = [p for p in info.intensities if p in passed]
            add(info, level, f"You passed “{info.title}” at {' and '.join(milder)}: try it at {level}.", "step_up")
    return out


def _passed_at(info: ScenarioInfo, attempts: Sequence[Attempt], pass_mark: float) -> set[str]:
    """The intensities passed, each as its latest attempt went: after a fail at mild, the plan said "try it at
    strong" because mild had been passed once before (a walker's find). A session that recorded none was played at
    the scenario's only (first) one."""
    first = info.intensities[0] if info.intensities else None
    latest: dict[str | None, bool] = {}
    for a in sorted((a for a in attempts if a.scenario_id == info.id), key=lambda a: a.at):
        latest[a.intensity or first] = a.score >= pass_mark
    return {level for level, passed in latest.items() if passed}


def _order(skill: str) -> tuple[int, str]:
    """Skills missed together come up in the order a conversation teaches them (DONE_WORDS' order)."""
    teaching = list(DONE_WORDS) + list(AVOID_WORDS)
    return (teaching.index(skill) if skill in teaching else len(teaching), skill)


def _mildest(info: ScenarioInfo) -> str | None:
    return info.intensities[0] if info.intensities else None


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _named(info: ScenarioInfo, level: str | None) -> str:
    # Quoted: a title in mid-sentence ("try A customer who apologises once …, mild") read as part of the sentence.
    return f"“{info.title}”" + (f", {level}" if level and len(info.intensities) > 1 else "")


def _done(skill: str) -> str:
    # A coach's own criterion: "met" reads after "you haven't yet" and after "you last" alike ("did" gave
    # "You haven't yet did 'rebooks visit'"), and the criterion goes by its label, not its id.
    return DONE_WORDS.get(skill) or f"met “{item_label(skill)}”"


def _missed_words(key: str, state: SkillState, latest: float, where: str | None = None) -> str:
    """What went wrong, and when: "Last time" only when it was the trainee's latest session; `where`, the title of
    the scenario it went wrong in."""
    when = "Last time" if state.last_at >= latest else f"On {_day(state.last_at)}"
    if where:
        when = f"{when}, in “{where}”,"
    if key.startswith(NOT):
        return f"{when} you {_done(key[len(NOT):])} where it was not called for"
    if key in AVOID_WORDS:
        return f"{when} you {AVOID_WORDS[key]}"
    if state.last_status == MISTIMED:
        return f"{when} you {_done(key)}, but not at a point in the call where it counted"
    if state.ever_met:
        return f"{when.rstrip(',')}, you hadn't {_done(key)}"
    return f"You haven't yet {_done(key)}"


def _since(key: str) -> str:
    if key.startswith(NOT):
        return f"your last call where you rightly had not {_done(key[len(NOT):])}"
    if key in KEPT_WORDS:
        return f"you last {KEPT_WORDS[key]}"
    return f"you last {_done(key)}"


def _ago(days: float) -> str:
    if days >= 14:
        return f"{int(days // 7)} weeks"
    return f"{int(days)} days" if int(days) != 1 else "a day"


def _day(ts: float) -> str:
    d = dt.datetime.fromtimestamp(ts)
    return f"{d.day} {d:%b %Y}"


def scenario_info(sf) -> ScenarioInfo:
    """What the rule needs from a loaded scenario (a scenario.ScenarioFile)."""
    s = sf.scenario
    skills, avoid = set(), set()
    for item in s.rubric.values():
        for entry in (*item.criteria, *item.actions):
            skills.update(skills_of(entry))
        for entry in item.avoid:
            avoid.update(skills_of(entry))
    return ScenarioInfo(s.id, s.title, s.difficulty, tuple(s.intensity), frozenset(skills | avoid), frozenset(avoid))
