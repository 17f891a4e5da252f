"""Running a scenario's own `tests:` and saying what did not hold."""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario import ScenarioFile
from ..scenario.model import Policy, ScenarioTest
from ..scoring import Detector, score_session
from .script import run_script
from .session import Session


@dataclass(frozen=True)
class TestOutcome:
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_test(scenario_file: ScenarioFile, test: ScenarioTest, detector: Detector, seed: int = 0,
             policy: Policy | None = None) -> TestOutcome:
    scenario = scenario_file.scenario
    session = Session(scenario_file, detector, intensity=test.intensity, seed=seed)
    left = run_script(session, test.replies)
    result = score_session(scenario_file, session.turns, policy, session.detector_version)
    failures = []
    if left:
        failures.append(f"the session ended before these replies: {left}")
    if test.path is not None and session.path != test.path:
        failures.append(f"path was {session.path}, expected {test.path}")
    if test.ending is not None:
        got = session.ending.node if session.ending else "(not ended)"
        if got != test.ending:
            failures.append(f"ended at {got}, expected {test.ending}")
    statuses = {v.item: v.status for d in result.dimensions for v in d.verdicts}
    if test.score is not None and not test.score.min <= result.overall <= test.score.max:
        lost = [f"{item} {status}" for item, status in statuses.items() if status != "met"]
        why = f" ({', '.join(lost)})" if lost else ""
        failures.append(f"score was {result.overall:g}, expected {test.score.min:g} to {test.score.max:g}{why}")
    for item, want in test.verdicts.items():
        got = _status(statuses, item)
        if got != want:
            failures.append(f"'{item}' was {got or 'not scored'}, expected {want}")
    return TestOutcome(test.name or f"test {scenario.tests.index(test) + 1}", tuple(failures))


def _status(statuses: dict[str, str], item: str) -> str | None:
    """A verdict by its rubric entry, or by one of the entry's alternatives: a test that expects `end_call`
    still reads the verdict once the rubric accepts `end_call|escalate`."""
    if item in statuses:
        return statuses[item]
    return next((status for entry, status in statuses.items() if item in entry.split("|")), None)
