"""Who is on the line and how they feel, and what they are saying now, large enough to read at a glance.

A mood is a colour and a word: the word is what a screen reader says and what a colour-blind trainee reads.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .astyped import plain
from .panel import paint_panel
from .theme import colours, set_relative_font


def mood_colour(mood: str) -> QColor:
    c = colours()
    if mood == "angry":  # between frustrated and hostile
        a, b = c.mixed, c.poor
        return QColor((a.red() + b.red()) // 2, (a.green() + b.green()) // 2, (a.blue() + b.blue()) // 2)
    return {"calm": c.good, "frustrated": c.mixed, "hostile": c.poor}.get(mood, c.muted)


def initials(name: str) -> str:
    """The first letter of the first two words that have one: "(Sam) O'Neil" is SO, not (O."""
    firsts = [next(ch for ch in part if ch.isalnum()) for part in name.split() if any(ch.isalnum() for ch in part)]
    return "".join(firsts[:2]).upper() or "?"


class Avatar(QWidget):
    """The customer's initials on a disc of their mood's colour."""

    def __init__(self) -> None:
        super().__init__()
        self.letters, self.mood = "?", ""
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:
        side = self.fontMetrics().height() * 3
        return QSize(side, side)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        side = min(self.width(), self.height())
        disc = QRectF(0, 0, side, side).adjusted(1, 1, -1, -1)
        p.setPen(Qt.NoPen)
        p.setBrush(mood_colour(self.mood))
        p.drawEllipse(disc)
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        p.setFont(font)
        p.setPen(QColor("#ffffff") if mood_colour(self.mood).lightness() < 150 else QColor("#1b1b1b"))
        p.drawText(disc, Qt.AlignCenter, self.letters)
        p.end()


class MoodPill(QLabel):
    """The mood's word on a pill of its colour."""

    def __init__(self) -> None:
        super().__init__()
        self.mood = ""
        self.setAccessibleName("Customer's mood")
        set_relative_font(self, 1.0, bold=True)

    def set_mood(self, mood: str) -> None:
        self.mood = mood
        self.setText(mood.capitalize())
        self.setAccessibleDescription(f"The customer is {mood}")
        pad = self.fontMetrics().height() // 2
        self.setContentsMargins(pad, pad // 3, pad, pad // 3)
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect())
        path = QPainterPath()
        path.addRoundedRect(r, r.height() / 2, r.height() / 2)
        colour = mood_colour(self.mood)
        p.fillPath(path, colour)
        p.setPen(QColor("#ffffff") if colour.lightness() < 150 else QColor("#1b1b1b"))
        p.drawText(r, Qt.AlignCenter, self.text())
        p.end()


class CustomerCard(QFrame):
    """Avatar, name, role and company, mood, and the call's clock."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.avatar = Avatar()
        self.name = plain(QLabel())
        self.name.setAccessibleName("Customer")
        set_relative_font(self.name, 1.25, bold=True)
        self.role = plain(QLabel())
        self.mood = MoodPill()
        self.clock = QLabel("0:00")
        self.clock.setAccessibleName("Elapsed time")
        set_relative_font(self.clock, 1.25)
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(self.name)
        words.addWidget(self.role)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.avatar)
        layout.addLayout(words)
        layout.addWidget(self.mood, 0, Qt.AlignVCenter)
        layout.addStretch(1)
        layout.addWidget(self.clock)

    def show_customer(self, name: str, role: str, company: str, mood: str) -> None:
        self.avatar.letters = initials(name)
        self.name.setText(name)
        self.role.setText(role + (f", {company}" if company else ""))
        self.set_mood(mood)

    def set_mood(self, mood: str) -> None:
        self.avatar.mood = mood
        self.avatar.update()
        self.mood.set_mood(mood)


class Caption(QFrame):
    """The customer's current line, large, on their colour: what to read when the voice is off or unclear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = QLabel()
        self.words = plain(QLabel())
        self.words.setWordWrap(True)
        self.words.setAccessibleName("Caption: what the customer is saying")
        self.words.setTextInteractionFlags(Qt.TextSelectableByMouse)
        set_relative_font(self.words, 1.35)
        pad = self.fontMetrics().height() // 2
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.addWidget(self.who)
        layout.addWidget(self.words)
        self.name = ""
        self._fit()

    def _fit(self) -> None:
        """At least four lines, and always the whole line at this width: where the window is short of room (a large
        text size on a small screen), the conversation below gives way, never the words the customer is saying."""
        # Only once shown: the width of a page not yet laid out is a placeholder, and wrapping at it would ask the
        # window for more height than the line needs.
        shown = self.isVisible() and self.width() > 0 and self.words.text()
        needed = self.heightForWidth(self.width()) if shown else 0
        self.setMinimumHeight(max(self.fontMetrics().height() * 4, needed))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()

    def say(self, name: str, line: str) -> None:
        self.name = name
        self.words.setText(line)
        self._who()
        self._fit()

    def clear(self) -> None:
        self.name = ""
        self.words.setText("")
        self.who.setText("")
        self._fit()

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.LayoutRequest:  # the words' font changed (the text size): as much again
            self._fit()
        return handled

    def text(self) -> str:
        return self.words.text()

    def _who(self) -> None:
        if self.name:
            self.who.setText(f'<b style="color:{colours().customer.name()}">{escape(self.name)}</b>')

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self._who()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        c, h = colours(), self.fontMetrics().height()
        paint_panel(self, c.customer_bubble, c.customer, h * 0.6, h * 0.3)
