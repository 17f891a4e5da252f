"""Keeping a session as it is played: every turn committed the moment it is final."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable

from ..engine import Session, SessionEnded, SessionScored, TurnRecorded
from ..errors import SimulatorError
from .database import COMPLETED, ENDED_BY_TRAINEE, Store
from .private import private_dir, write_private


SAVING_STOPPED = "This call is not being saved at the moment"
SAVING_BACK = "Saving works again: everything in this call so far is kept."


class SessionRecorder:
    """Listens to a session and writes it to the store.

    A write that fails (a full disk, a pulled USB stick, records busy in another process) never stops the call
    nor loses the turn: what could not be written waits, in order, and is written with the next turn, at the
    ending or at close, once the store takes it again. `on_problem` is told once when saving stops working and
    once when it works again (without one, the error is raised, as the terminal wants). In the app the failure
    used to rise through the session: the reply vanished from the screen and from the records, and the call
    stayed open with nothing answering.
    """

    def __init__(self, store: Store, session: Session, trainee: str, keep_audio: bool = False,
                 on_problem: Callable[[str], None] | None = None) -> None:
        sf = session.file
        self.store = store
        self.session = session
        self.id = store.begin_session(trainee=trainee, scenario_id=sf.id, scenario_title=sf.scenario.title,
                                      scenario_sha256=sf.sha256, scenario_file=str(sf.path),
                                      intensity=session.intensity, seed=session.seed, keep_audio=keep_audio)
        self.keep_audio = keep_audio
        self.closed = False
        self.on_problem = on_problem
        self.failing: SimulatorError | None = None  # the write that failed last, while anything waits
        self._audio: bytes = b""
        self._turns: list[tuple[object, str | None]] = []  # turns not written yet, oldest first
        self._finish_as: str | None = None  # the ending, not written yet
        self._result: object | None = None  # the score, not written yet
        self._score_due = False  # the session ended and its score is on its way
        session.subscribe(self._on_event)

    @property
    def waiting(self) -> int:
        """Turns kept in memory only, for now."""
        return len(self._turns)

    def hold_audio(self, pcm: bytes) -> None:
        """The recording of the reply about to be recorded (16 kHz mono 16-bit), kept only if the trainee allowed it."""
        self._audio = pcm if self.keep_audio else b""

    def _on_event(self, event: object) -> None:
        if isinstance(event, TurnRecorded):
            audio = None
            if self._audio and event.turn.speaker == "trainee" and event.turn.kind == "reply":
                audio = self._write_audio(event.turn.index, self._audio)
                self._audio = b""
            self._turns.append((event.turn, audio))
        elif isinstance(event, SessionEnded):
            self._finish_as = ENDED_BY_TRAINEE if event.ending.reason == "stopped" else COMPLETED
            self.closed = True
            self._score_due = self.session.scores  # its score comes next: both are written together
        elif isinstance(event, SessionScored):
            self._result, self._score_due = event.result, False
        else:
            return
        self.flush()

    def flush(self) -> bool:
        """Write what waits, in order (turns, then the ending, then the score); True when nothing waits."""
        try:
            while self._turns:
                turn, audio = self._turns[0]
                self.store.add_turn(self.id, turn, audio)
                self._turns.pop(0)
            if self._finish_as is not None and (self._result is not None or not self._score_due):
                ending = self.session.ending
                self.store.finish_session(self.id, self._finish_as, ending_node=ending.node if ending else None,
                                          ending_outcome=ending.outcome if ending else None, path=self.session.path,
                                          result=self._result)
                self._finish_as = self._result = None
            if self._result is not None and self._finish_as is None:
                self.store.save_result(self.id, self._result)
                self._result = None
        except SimulatorError as exc:
            if self.on_problem is None:
                raise  # no one to tell (the terminal's `play`): stop here, as the error says why
            if self.failing is None:
                self.on_problem(f"{SAVING_STOPPED} ({exc.message}). Go on: what you say is kept here and saved "
                                "as soon as it can be.")
            self.failing = exc
            return False
        if self.failing is not None:
            self.failing = None
            if self.on_problem is not None:
                self.on_problem(SAVING_BACK)
        return True

    def _write_audio(self, index: int, pcm: bytes) -> str | None:
        """A WAV per reply under audio/<session>/, private to the user; the path stored is relative to the audio
        folder."""
        relative = f"{self.id}/{index:03d}.wav"
        target = self.store.audio_dir / relative
        data = io.BytesIO()
        with wave.open(data, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(pcm)
        try:
            private_dir(self.store.audio_dir)
            private_dir(target.parent)
            write_private(target, data.getvalue())
        except (OSError, SimulatorError):
            return None  # a full disk loses the recording, never the turn
        return relative

    def save_result(self, result: object) -> None:
        self._result = result
        self._raise_unless_flushed()

    def close(self) -> None:
        """The trainee left before an ending (replies ran out, input closed): keep it as ended by the trainee.
        Raises the storage error if anything still could not be written."""
        if not self.closed:
            self._finish_as, self.closed = ENDED_BY_TRAINEE, True
        self._score_due = False  # a score that never came (scoring failed): the ending is written without it
        self._raise_unless_flushed()

    def _raise_unless_flushed(self) -> None:
        if not self.flush() and self.failing is not None:
            raise self.failing
