"""File → Push to the Learning Record Store: every statement waiting in the outbox, sent now."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ..notices import show_error
from .reading import pass_mark
from .transfer import LongTask
from ...words import counted


class LrsPush(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window

    def push(self) -> LongTask | None:
        from ...store.lrs import push_sessions
        w = self._window
        if w.store is None:
            return None
        store, mark = w.store, pass_mark(w.policy)

        def done(report) -> None:
            text = f"Sent {counted(report.sent, 'statement')} to the Learning Record Store; {report.waiting} waiting."
            if report.error:
                text += f" The store answered: {report.error}. They are sent next time."
            w.say(text)
        return LongTask(w, w.tasks, "Sending to the Learning Record Store…",
                        lambda progress: push_sessions(store, None, mark, True, 10.0), done,
                        lambda exc: show_error(w, exc, "Nothing was sent"))
