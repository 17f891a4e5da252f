"""The one place the app turns problems into words for a person: what happened, then what to do."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea, QStyle,
                               QVBoxLayout, QWidget)

from ..errors import SimulatorError
from .astyped import plain
from .theme import colours

# The core speaks to the terminal; a trainee has no terminal, so each command becomes the place in the app
# that does the same. Commands with no such place are named as something a trainer can do.
_IN_THE_APP = [("simulator models", "File → Settings → Speech recognition"),
               ("simulator devices", "File → Settings → Audio"),
               ("simulator validate", "scenario authoring (Review menu)")]


# Refitting or installing the detector is the installer's work, not a trainee's: "Run `simulator train
# --embeddings` (scripts/setup.sh does this)" read as developer's text in every call.
_INSTALLER = re.compile(r"([Rr])un `simulator train[^`]*`(?: \([^)]*\))?(?: to [^.;]*)?")


def for_people(text: str) -> str:
    text = _INSTALLER.sub(lambda m: f"{'W' if m.group(1) == 'R' else 'w'}hoever set up this computer can fix this "
                          "by running its installer again", text)

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


def error_box(parent: QWidget | None, exc: BaseException, title: str = "Problem") -> QMessageBox:
    """The message names files and people's words: shown as written (astyped.py)."""
    box = QMessageBox(QMessageBox.Warning, title, explain(exc), QMessageBox.Ok, parent)
    box.setTextFormat(Qt.PlainText)
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Problem") -> None:
    error_box(parent, exc, title).exec()


class _Notice(QFrame):
    """One notice: its words and a Dismiss button, on a warm background with a coloured edge."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.label = plain(QLabel(text))
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setAccessibleName("Notice: " + text)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss notice: " + text[:60])
        # Reached by Tab, not taken by a click (nor is the bar's): clicked mid-call, it took the focus from the
        # reply box and went away with it, and what the trainee typed next went nowhere.
        self.dismiss.setFocusPolicy(Qt.TabFocus)
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
        # Several notices at a large text size would push the window taller than the screen: past a quarter of
        # the screen's height they scroll (Tab to a Dismiss button scrolls it into view), and the page keeps its room.
        inside = QWidget()
        self.column = QVBoxLayout(inside)
        self.column.setContentsMargins(0, 0, 0, 0)
        inside.installEventFilter(self)  # a notice shown, gone or rewrapped: the bar asks for its new height
        self.scroll = QScrollArea()
        self.scroll.setWidget(inside)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setAccessibleName("Notices")
        self.scroll.setFocusPolicy(Qt.NoFocus)  # a click on a notice leaves the keyboard where it was
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.hide()

    def _wrap_width(self) -> int:
        """The width the notices wrap at: the bar's own once it is laid out, else the window's, which the bar spans
        (just shown, its width is still a placeholder, and wrapping at that would ask the window for a tall bar)."""
        style = self.style()
        full = (self.window().width() - 2 * style.pixelMetric(QStyle.PM_LayoutLeftMargin)
                - self.scroll.verticalScrollBar().sizeHint().width())
        own = self.scroll.viewport().width()
        return own if own >= full * 0.9 else max(full, 100)

    def _content_height(self) -> int:
        inside = self.scroll.widget()
        height = inside.heightForWidth(self._wrap_width()) if inside.hasHeightForWidth() else -1
        return height if height > 0 else inside.sizeHint().height()

    def sizeHint(self) -> QSize:
        screen = self.screen().availableGeometry().height() if self.screen() is not None else 768
        return QSize(self.scroll.widget().sizeHint().width(), min(self._content_height(), screen // 4))

    def minimumSizeHint(self) -> QSize:
        # One notice, the newest, read whole: where the window has no more room, the rest scroll rather than push the page
        # (the call's controls) off the screen.
        first = next(reversed(self.rows.values()), None)  # the newest, on top
        if first is None:
            return QSize(0, 0)
        one = first.heightForWidth(self._wrap_width()) if first.hasHeightForWidth() else -1
        return QSize(0, min(self._content_height(), one if one > 0 else first.sizeHint().height()))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.LayoutRequest:
            self.updateGeometry()
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the words wrap differently: the height they need has changed

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
        # The newest on top, where the bar is read first: added below, at a large text size it was hidden behind
        # an older one in a bar with room for one.
        self.column.insertWidget(0, notice)
        self.scroll.verticalScrollBar().setValue(0)
        self.show()
        self.updateGeometry()

    def remove(self, text: str) -> None:
        """Take a notice away once it is no longer true (not a dismissal: it may be shown again)."""
        notice = self.rows.pop(for_people(text), None)
        if notice is not None:
            self._drop(notice)
            self.setVisible(bool(self.rows))

    def _dismiss(self, text: str, lasting: bool) -> None:
        self._drop(self.rows.pop(text))
        if lasting:
            self.hidden.add(text)
            self.dismissed.emit(text)
        self.setVisible(bool(self.rows))

    def clear(self) -> None:
        for notice in self.rows.values():
            self._drop(notice)
        self.rows.clear()
        self.hide()

    def _drop(self, notice: _Notice) -> None:
        self.column.removeWidget(notice)
        notice.hide()
        notice.deleteLater()
        self.updateGeometry()
