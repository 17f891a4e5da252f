"""The one place the app turns problems into words for a person: what happened, then what to do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from ..errors import SimulatorError


def explain(exc: BaseException) -> str:
    if isinstance(exc, SimulatorError):
        return f"{exc.message[:1].upper()}{exc.message[1:]}." + (f" {exc.hint[:1].upper()}{exc.hint[1:]}." if exc.hint else "")
    return (f"Something went wrong: {exc}. Your session so far is kept; "
            "if this happens again, tell your trainer and include this message.")


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Problem") -> None:
    QMessageBox.warning(parent, title, explain(exc))


class NoticeBar(QWidget):
    """A strip at the top of the window for notices that need no answer (a missing microphone, say)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QPushButton("Dismiss")
        close.setAccessibleName("Dismiss notice")
        close.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(close)
        self.setStyleSheet("#noticeBar { background: palette(alternate-base); border: 1px solid #c9a227; }")
        self.messages: list[str] = []
        self.hide()

    def add(self, text: str) -> None:
        if text in self.messages:
            return
        self.messages.append(text)
        self.label.setText("\n".join(self.messages))
        self.label.setAccessibleName("Notice: " + " ".join(self.messages))
        self.show()

    def clear(self) -> None:
        self.messages.clear()
        self.label.clear()
        self.hide()
