"""Keys typed while a session is still opening, kept for the reply box.

Opening a session loads the detector and the scenario on a worker (a few seconds on a first run), and a
trainee who starts typing straight after "Start the conversation" lost the first letters: the reply was kept
as "eally sorry you've had to call…". Until the role play page shows, text keys go here instead of nowhere.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication


class EarlyKeys(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text: list[str] = []
        self._on = False

    def start(self) -> None:
        self._text.clear()
        if not self._on:
            QApplication.instance().installEventFilter(self)
            self._on = True

    def take(self) -> str:
        """What was typed since start(); keys go where they belong again."""
        if self._on:
            QApplication.instance().removeEventFilter(self)
            self._on = False
        text, self._text[:] = "".join(self._text), []
        return text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.KeyPress or event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier):
            return False
        if event.key() == Qt.Key_Backspace:
            if self._text:
                self._text.pop()
            return True
        text = event.text()
        if text and text.isprintable():
            self._text.append(text)
            return True
        return False  # Enter, Escape, arrows, shortcuts: as they were
