"""Keeping a session as it is played: every turn committed the moment it is final."""

from __future__ import annotations

from ..engine import Session, SessionEnded, SessionScored, TurnRecorded
from .database import COMPLETED, ENDED_BY_TRAINEE, Store


class SessionRecorder:
    """Listens to a session and writes it to the store."""

    def __init__(self, store: Store, session: Session, trainee: str, keep_audio: bool = False) -> None:
        sf = session.file
        self.store = store
        self.session = session
        self.id = store.begin_session(trainee=trainee, scenario_id=sf.id, scenario_title=sf.scenario.title,
                                      scenario_sha256=sf.sha256, scenario_file=str(sf.path),
                                      intensity=session.intensity, seed=session.seed, keep_audio=keep_audio)
        self.closed = False
        session.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, TurnRecorded):
            self.store.add_turn(self.id, event.turn)
        elif isinstance(event, SessionEnded):
            self._finish(ENDED_BY_TRAINEE if event.ending.reason == "stopped" else COMPLETED)
        elif isinstance(event, SessionScored):
            self.store.save_result(self.id, event.result)

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
