"""Keeping a session as it is played: every turn committed the moment it is final."""

from __future__ import annotations

import io
import wave

from ..engine import Session, SessionEnded, SessionScored, TurnRecorded
from ..errors import SimulatorError
from .database import COMPLETED, ENDED_BY_TRAINEE, Store
from .private import private_dir, write_private


class SessionRecorder:
    """Listens to a session and writes it to the store."""

    def __init__(self, store: Store, session: Session, trainee: str, keep_audio: bool = False) -> None:
        sf = session.file
        self.store = store
        self.session = session
        self.id = store.begin_session(trainee=trainee, scenario_id=sf.id, scenario_title=sf.scenario.title,
                                      scenario_sha256=sf.sha256, scenario_file=str(sf.path),
                                      intensity=session.intensity, seed=session.seed, keep_audio=keep_audio)
        self.keep_audio = keep_audio
        self.closed = False
        self._audio: bytes = b""
        session.subscribe(self._on_event)

    def hold_audio(self, pcm: bytes) -> None:
        """The recording of the reply about to be recorded (16 kHz mono 16-bit), kept only if the trainee allowed it."""
        self._audio = pcm if self.keep_audio else b""

    def _on_event(self, event: object) -> None:
        if isinstance(event, TurnRecorded):
            audio = None
            if self._audio and event.turn.speaker == "trainee" and event.turn.kind == "reply":
                audio = self._write_audio(event.turn.index, self._audio)
                self._audio = b""
            self.store.add_turn(self.id, event.turn, audio)
        elif isinstance(event, SessionEnded):
            self._finish(ENDED_BY_TRAINEE if event.ending.reason == "stopped" else COMPLETED)
        elif isinstance(event, SessionScored):
            self.store.save_result(self.id, event.result)

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

    def _finish(self, status: str) -> None:
        ending = self.session.ending
        self.store.finish_session(self.id, status, ending_node=ending.node if ending else None,
                                  ending_outcome=ending.outcome if ending else None, path=self.session.path)
        self.closed = True

    def save_result(self, result: object) -> None:
        self.store.save_result(self.id, result)

    def close(self) -> None:
        """The trainee left before an ending (replies ran out, input closed): keep it as ended by the trainee."""
        if not self.closed:
            self._finish(ENDED_BY_TRAINEE)
