"""One role play as the app plays it: the session, its scoring, and its record.

Plain Python, no Qt: the app builds one of these when the trainee presses
Start, and the tests drive the same object.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Session
from .scenario import Policy, ScenarioFile
from .scoring import score_session
from .scoring.detector import CombinedDetector, build_detector
from .store import Store
from .store.recorder import SessionRecorder

_detectors: dict[str, CombinedDetector] = {}


def detector_for(sf: ScenarioFile) -> CombinedDetector:
    """Compiling the criteria and loading the heads take a while; do it once per criteria version."""
    key = sf.criteria_sha256
    if key not in _detectors:
        _detectors[key] = build_detector(sf.criteria)
    return _detectors[key]


@dataclass(frozen=True)
class Choice:
    """What the trainee chose before starting."""

    scenario: ScenarioFile
    intensity: str | None = None
    assessed: bool = True  # False: practice only, not scored for the record and not kept
    input_mode: str = "typed"  # voice | push_to_talk | typed
    keep_audio: bool = False
    seed: int | None = None


class Practice:
    def __init__(self, choice: Choice, trainee: str, policy: Policy, store: Store | None) -> None:
        sf = choice.scenario
        self.choice = choice
        self.policy = policy
        detector = detector_for(sf)
        self.notice = detector.notice  # e.g. the learned detector is missing: the phrase rules score alone
        self.session = Session(sf, detector, intensity=choice.intensity, seed=choice.seed,
                               scorer=lambda turns, ending: score_session(sf, turns, policy,
                                                                           self.session.detector_version))
        self.recorder = (SessionRecorder(store, self.session, trainee, keep_audio=choice.keep_audio)
                         if store is not None and choice.assessed else None)

    @property
    def session_id(self) -> str | None:
        return self.recorder.id if self.recorder else None

    def hold_audio(self, pcm: bytes) -> None:
        if self.recorder is not None:
            self.recorder.hold_audio(pcm)

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
