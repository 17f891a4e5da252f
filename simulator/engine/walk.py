"""Random walks: many made-up trainees play a scenario to find what a coach's own tests miss.

Each step picks something a trainee could do at the current node (meet a
transition's criteria with their example replies, use a call control, stay
silent, or say something unrelated) and plays it through the real engine
and detector. What the walks report:

- a crash: any error from the engine while playing (with the steps, to replay);
- an endless walk: one that ran out of steps without ending;
- an unreachable ending: an ending no walk reached (often a transition that
  an earlier one always takes first).

A node from which no ending can be reached at all is already an error of
`validate` (the scenario does not load), so walks start from valid files.
"""

from __future__ import annotations

import random
import traceback
from collections import Counter
from dataclasses import dataclass, field

from ..scenario import ScenarioFile
from ..scenario.model import Condition
from ..scoring import Detector, score_session
from .script import apply, parse_step
from .session import FINAL_ACTIONS, Session

NEUTRAL = ("Okay.", "Right.", "Can you give me the reference number?", "Let me just check something.", "Hmm.")


@dataclass(frozen=True)
class Problem:
    kind: str  # crash | endless | unreachable ending
    node: str
    message: str
    steps: tuple[str, ...] = ()


@dataclass
class WalkReport:
    scenario: str
    walks: int
    endings: Counter = field(default_factory=Counter)
    visits: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _examples(sf: ScenarioFile) -> dict[str, list[str]]:
    return {cid: list(c.examples.yes) for cid, c in sf.criteria.items() if c.examples.yes}


def _meet(cond: Condition, examples: dict[str, list[str]], rng: random.Random) -> str | None:
    """A step that should satisfy a condition: a reply made of the criteria's example replies, a control, or words
    said with End call or Escalate ("/end WORDS") where the condition asks for both."""
    command = f"/{'end' if cond.action == 'end_call' else cond.action}" if cond.action else ""
    if cond.action and not cond.criteria():
        return command
    wanted = list(cond.all) + ([rng.choice(cond.any)] if cond.any else [])
    parts = [rng.choice(examples[c]) for c in wanted if examples.get(c)]
    if not parts:
        return None
    if cond.action:  # only the controls that leave the call carry words (Session.leave)
        return f"{command} {' '.join(parts)}" if cond.action in FINAL_ACTIONS else None
    return " ".join(parts)


def _transition_steps(sf: ScenarioFile, node_id: str, examples: dict[str, list[str]],
                      rng: random.Random) -> list[tuple[str, str]]:
    """(target, step) for each transition of the node that a step can be made for."""
    out = []
    for t in sf.scenario.nodes[node_id].on:
        step = _meet(t.when, examples, rng) if t.when is not None else rng.choice(NEUTRAL)
        if step:
            out.append((t.target, step))
    return out


def _aimed(sf: ScenarioFile, node_id: str, examples: dict[str, list[str]], rng: random.Random,
           visits: Counter) -> str | None:
    """A step aimed at the transition into the least visited node, so deep endings get reached too."""
    options = [(visits[target], rng.random(), step) for target, step in _transition_steps(sf, node_id, examples, rng)]
    return min(options)[2] if options else None


def _candidates(sf: ScenarioFile, node_id: str, examples: dict[str, list[str]], rng: random.Random) -> list[str]:
    out = [step for _, step in _transition_steps(sf, node_id, examples, rng)]
    out.append("/silence")
    out.append(rng.choice(NEUTRAL))
    out.append(f"/{rng.choice(['end', 'escalate', 'hold', 'flag'])}")
    everything = [e for v in examples.values() for e in v]
    if everything:
        out.append(rng.choice(everything))
    return out


def random_walks(sf: ScenarioFile, detector: Detector, walks: int = 200, seed: int = 0,
                 max_steps: int = 40) -> WalkReport:
    scenario = sf.scenario
    report = WalkReport(scenario.id, walks)
    examples = _examples(sf)
    endless = 0
    for w in range(walks):
        rng = random.Random(seed * 1_000_003 + w)
        intensity = rng.choice(scenario.intensity)
        session = Session(sf, detector, intensity=intensity, seed=rng.randrange(2**31))
        steps: list[str] = []
        try:
            session.start()
            while not session.finished and len(steps) < max_steps:
                # Half the walks steer towards what has been seen least; the rest wander anywhere.
                aimed = _aimed(sf, session.node_id, examples, rng, report.visits) if w % 2 else None
                step = aimed if aimed and rng.random() < 0.8 else rng.choice(_candidates(sf, session.node_id, examples, rng))
                steps.append(step)
                apply(session, parse_step(step))
            if session.finished:
                score_session(sf, session.turns)  # scoring must not crash on any path either
        except Exception as exc:  # noqa: BLE001 - a crash is what this looks for
            report.problems.append(Problem(
                "crash", session.node_id,
                f"{type(exc).__name__}: {exc} (intensity {intensity}, at '{session.node_id}')\n"
                + "".join(traceback.format_exception_only(type(exc), exc)).strip(), tuple(steps)))
            continue
        report.visits.update(session.path)
        if session.finished:
            report.endings[session.ending.node] += 1
        else:
            endless += 1
            if endless == 1:
                report.problems.append(Problem(
                    "endless", session.node_id,
                    f"a walk of {max_steps} replies never ended (last at '{session.node_id}'); "
                    "check that the loops it went round have a way out", tuple(steps)))
    for nid, node in scenario.nodes.items():
        if node.is_ending and report.endings[nid] == 0:
            report.problems.append(Problem(
                "unreachable ending", nid,
                f"ending '{nid}' was not reached in {walks} random walks: check the transitions into it "
                "(an earlier line in the same list may always be taken first)"))
    return report
