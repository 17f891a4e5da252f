"""A session's events, moved onto the GUI thread as Qt signals.

The voice loop and the engine run on the loop thread; they call these
callbacks there, and the signals carry plain values to the widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..engine import CustomerSpoke, Session, SessionEnded, SessionScored, TurnRecorded
from ..voiceplay import VoiceEvents


class SessionBridge(QObject):
    customer_spoke = Signal(str, str)  # name, line (the caption)
    mood_changed = Signal(str)
    partial = Signal(str)  # the trainee's words while speaking
    heard = Signal(str)  # the final words of a spoken reply
    turn_recorded = Signal(object)  # engine Turn
    ended = Signal(object)  # engine Ending
    scored = Signal(object)  # scoring Result
    notice = Signal(str)
    problem = Signal(str)
    still_there = Signal(bool)  # True: ask the quiet trainee whether they are still there; False: stop asking

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        session.subscribe(self._on_event)
        self.events = VoiceEvents(
            caption=lambda name, text: self.customer_spoke.emit(name, text),
            partial=self.partial.emit,
            heard=lambda u: self.heard.emit(u.text),
            notice=self.notice.emit,
            problem=self.problem.emit,
            still_there=self.still_there.emit,
        )

    def _on_event(self, event: object) -> None:
        if isinstance(event, CustomerSpoke):
            self.mood_changed.emit(event.mood)
        elif isinstance(event, TurnRecorded):
            self.turn_recorded.emit(event.turn)
        elif isinstance(event, SessionEnded):
            self.ended.emit(event.ending)
        elif isinstance(event, SessionScored):
            self.scored.emit(event.result)
