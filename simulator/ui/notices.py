"""The one place the app turns problems into words for a person: what happened, then what to do."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from ..errors import SimulatorError
from .theme import colours

# The core speaks to the terminal; a trainee has no terminal, so each command becomes the place in the app
# that does the same. Commands with no such place are named as something a trainer can do.
_IN_THE_APP = [("simulator models", "File → Settings → Speech recognition"),
               ("simulator devices", "File → Settings → Audio"),
               ("simulator validate", "scenario authoring (Review menu)")]


def for_people(text: str) -> str:
    def place(match: re.Match) -> str:
        command = match.group(1)
        return next((where for prefix, where in _IN_THE_APP if command.startswith(prefix)),
                    f"your trainer's help (the command “{command}”)")
    return re.sub(r"`([^`]+)`", place, text)


def explain(exc: BaseException) -> str:
    if isinstance(exc, SimulatorError):
        text = f"{exc.message[:1].upper()}{exc.message[1:]}." + (f" {exc.hint[:1].upper()}{exc.hint[1:]}." if exc.hint else "")
        return for_people(text)
    return (f"Something went wrong: {exc}. Your session so far is kept; "
            "if this happens again, tell your trainer and include this message.")


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Problem") -> None:
    QMessageBox.warning(parent, title, explain(exc))


class _Notice(QFrame):
    """One notice: its words and a Dismiss button, on a warm background with a coloured edge."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setAccessibleName("Notice: " + text)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss notice: " + text[:60])
        row = QHBoxLayout(self)
        em = self.fontMetrics().horizontalAdvance("M")
        row.setContentsMargins(em, em // 2, em // 2, em // 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss, 0, Qt.AlignTop)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        # Painted from the palette of the moment, so a theme switch never leaves old colours behind.
        c = colours(self.palette())
        painter = QPainter(self)
        painter.fillRect(self.rect(), c.warning_bubble)
        painter.fillRect(0, 0, max(4, self.fontMetrics().horizontalAdvance("M") // 3), self.height(), c.warning)


class NoticeBar(QWidget):
    """A strip at the top of the window for notices that need no answer (a missing microphone, say).

    A lasting notice (about the machine, not about this run) that the trainee dismissed is named in
    `dismissed`, so the window can remember it and not show it on the next start.
    """
    dismissed = Signal(str)

    def __init__(self, hidden: Iterable[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hidden = set(hidden)
        self.rows: dict[str, _Notice] = {}
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.hide()

    @property
    def messages(self) -> list[str]:
        return list(self.rows)

    def add(self, text: str, lasting: bool = False) -> None:
        text = for_people(text)
        if text in self.rows or text in self.hidden:
            return
        notice = _Notice(text)
        notice.dismiss.clicked.connect(lambda: self._dismiss(text, lasting))
        self.rows[text] = notice
        self.column.addWidget(notice)
        self.show()

    def remove(self, text: str) -> None:
        """Take a notice away once it is no longer true (not a dismissal: it may be shown again)."""
        notice = self.rows.pop(for_people(text), None)
        if notice is not None:
            notice.deleteLater()
            self.setVisible(bool(self.rows))

    def _dismiss(self, text: str, lasting: bool) -> None:
        self.rows.pop(text).deleteLater()
        if lasting:
            self.hidden.add(text)
            self.dismissed.emit(text)
        self.setVisible(bool(self.rows))

    def clear(self) -> None:
        for notice in self.rows.values():
            notice.deleteLater()
        self.rows.clear()
        self.hide()
