"""One role play: the session, its scoring, its record and its learning record.

Plain Python, no Qt: the app builds one of these when the trainee presses
Start, `simulator play` builds the same in the terminal, and the tests drive
the same object; so a session is scored, kept and sent one way wherever it is
played.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from .engine import Session
from .errors import SimulatorError
from .scenario import Policy, ScenarioFile
from .scoring import score_session
from .scoring.detector import CombinedDetector, build_detector
from .store import INTERRUPTED, Store
from .store.lrs import PushReport, push_sessions
from .store.recorder import SessionRecorder

_detectors: dict[str, CombinedDetector] = {}

# A break ("Stop — I need a break" in the app, /stop in the terminal), in the words both say it with.
BREAK_TITLE = "You stopped for a break"
BREAK_COMFORT = "That is completely fine. Stopping when you need to is part of looking after yourself."


def break_kept(assessed: bool) -> str:
    """How a break is kept: as interrupted (Practice.interrupted), never scored and never an attempt."""
    return ("It is kept as interrupted: not scored, and it does not count towards your progress or certificates."
            if assessed else "Like any practice run, it is not scored or kept.")


def detector_for(sf: ScenarioFile) -> CombinedDetector:
    """Compiling the criteria and loading the heads take a while; do it once per criteria version."""
    key = sf.criteria_sha256
    if key not in _detectors:
        _detectors[key] = build_detector(sf.criteria)
    return _detectors[key]


class ReadyDetector:
    """The session's detector, able to classify a reply ahead: while a spoken reply's last pause may still
    turn out to be the end, the voice loop has the reply as it stands classified (`prepare`). When the
    session then asks for exactly that reply, the verdicts are ready; any other reply is classified as
    always, and what was prepared is dropped. The verdicts are the detector's own either way (it is a pure
    function of the text and the word confidences), and nothing reaches the session before it asks."""

    def __init__(self, detector: CombinedDetector) -> None:
        self.detector = detector
        self.version = getattr(detector, "version", "")
        self.notice = getattr(detector, "notice", "")
        self._ready: tuple[tuple, list] | None = None
        self._lock = threading.Lock()
        self.prepared = self.used = 0  # for the tests and the benchmark

    @staticmethod
    def _key(text: str, spoken: bool, confidences: Sequence[float] | None) -> tuple:
        return text, spoken, tuple(confidences) if confidences else None

    def prepare(self, text: str, *, spoken: bool = True, confidences: Sequence[float] | None = None) -> None:
        matches = self.detector.detect(text, spoken=spoken, confidences=confidences)
        with self._lock:
            self._ready = (self._key(text, spoken, confidences), matches)
            self.prepared += 1

    def detect(self, text: str, *, spoken: bool = False, confidences: Sequence[float] | None = None) -> list:
        with self._lock:
            ready, self._ready = self._ready, None
        if ready is not None and ready[0] == self._key(text, spoken, confidences):
            self.used += 1
            return list(ready[1])
        return self.detector.detect(text, spoken=spoken, confidences=confidences)


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
        detector = self.detector = ReadyDetector(detector_for(sf))
        self.notice = detector.notice  # e.g. the learned detector is missing: the phrase rules score alone
        self.session = Session(sf, detector, intensity=choice.intensity, seed=choice.seed,
                               scorer=lambda turns, ending: score_session(sf, turns, policy,
                                                                           self.session.detector_version))
        self.recorder = (SessionRecorder(store, self.session, trainee, keep_audio=choice.keep_audio)
                         if store is not None and choice.assessed else None)

    def classify_ahead(self, text: str, word_confidences: Sequence[float] = ()) -> None:
        """A spoken reply as it would be if the trainee's pause ends it: classified now, used if it does."""
        self.detector.prepare(text, spoken=True, confidences=word_confidences or None)

    @property
    def session_id(self) -> str | None:
        return self.recorder.id if self.recorder else None

    def hold_audio(self, pcm: bytes) -> None:
        if self.recorder is not None:
            self.recorder.hold_audio(pcm)

    def result(self):
        """The session's score: the one made at its ending or, when play stopped short of an ending (the
        replies ran out, the input closed), the score of the turns played, kept with the record all the same."""
        if self.session.result is None:
            self.session.result = score_session(self.choice.scenario, self.session.turns, self.policy,
                                                self.session.detector_version)
            if self.recorder is not None:
                self.recorder.save_result(self.session.result)
        return self.session.result

    def close(self) -> None:
        """Play is over: a session left before an ending is kept as ended by the trainee."""
        if self.recorder is not None:
            self.recorder.close()

    def interrupted(self) -> bool:
        """Play broke off (a break, bad input, Ctrl+C): keep the turns so far as interrupted, not as a session
        the trainee ended: no score, not an attempt; a push skips it while it has no trainee turn. False when
        there was nothing to mark."""
        recorder = self.recorder
        if recorder is None or recorder.closed:
            return False
        try:
            if not recorder.flush():  # the turns still waiting first
                return False
            recorder.store.finish_session(recorder.id, INTERRUPTED, path=self.session.path)
        except SimulatorError:
            return False  # storage failed (the likely cause): the next start recovers it as interrupted all the same
        recorder.closed = True
        return True

    def send(self, timeout: float = 3.0, within: float | None = 4.0) -> PushReport | None:
        """Queue the session's statements for the organisation's Learning Record Store (passed or failed by
        the policy's pass mark) and try to send them; what is not sent waits in the outbox for the next push.
        Nothing to send for practice only, or when no Learning Record Store is set."""
        if self.recorder is None:
            return None
        return push_sessions(self.recorder.store, [self.recorder.id], self.policy.pass_mark, timeout=timeout,
                             within=within)
