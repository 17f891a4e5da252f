"""Where the trainee answers: what the call is waiting for, their words as they speak, and the reply box."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ..engine.reply_text import MAX_REPLY
from .astyped import plain
from .theme import colours, set_relative_font

TALK_KEY = "Ctrl+Space"
COMMAND_KEYS = Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier  # plain typing is never a shortcut here


def window_shortcut(widget: QWidget, pressed: QKeySequence) -> bool:
    """Whether a shortcut of the widget's window, one that would fire now, uses this key."""
    window = widget.window()
    for shortcut in window.findChildren(QShortcut):
        owner = shortcut.parent()
        if (shortcut.isEnabled() and shortcut.key().matches(pressed) == QKeySequence.ExactMatch
                and (not isinstance(owner, QWidget) or owner.isVisible())):
            return True
    return any(action.isEnabled() and any(k.matches(pressed) == QKeySequence.ExactMatch for k in action.shortcuts())
               for action in window.findChildren(QAction))


class ReplyBox(QLineEdit):
    """The typed reply. A key that a window shortcut uses goes to the shortcut: a line edit keeps Ctrl+E (end of
    line on Linux), Ctrl+U, Ctrl+A and more for itself, and the trainee's focus is here for the whole call."""

    def event(self, event) -> bool:
        if event.type() == QEvent.ShortcutOverride and event.modifiers() & COMMAND_KEYS \
                and window_shortcut(self, QKeySequence(event.keyCombination())):
            event.ignore()  # not taken here, so the shortcut map fires the window's shortcut
            return True
        return super().event(event)


# What the call is waiting for: (how the dot is coloured, the words).
STATES = {
    "typing": ("trainee", "Your turn: type your reply and press Enter"),
    "customer": ("customer", "{name} is speaking… (a reply or a call control stops them)"),
    "paused": ("customer", "{name} is speaking: the microphone is paused"),
    "listening": ("good", "Listening: speak your reply"),
    "ready": ("trainee", f"Your turn: hold Talk (or press {TALK_KEY}) and speak"),
    "on_hold": ("muted", "{name} is on hold: press Ctrl+H again, or send a reply, to take them off hold"),
    "still_there": ("warning", "Still there? Take your time, and answer when you're ready"),
    "still_there_draft": ("warning", "Still there? Press Enter to send your reply"),
    "over": ("muted", "Call over"),
}


class Composer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.name = "typing", "The customer"
        self.state = QLabel()
        self.state.setTextFormat(Qt.RichText)
        set_relative_font(self.state, 1.05, bold=True)
        self.state.setAccessibleName("What the call is waiting for")
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 8)
        self.meter.setMaximumHeight(self.fontMetrics().height() // 2)
        self.meter.setAccessibleName("Microphone level")
        self.live_words = plain(QLabel())  # what the recogniser heard
        self.live_words.setWordWrap(True)
        self.live_words.setAccessibleName("Your words as you speak")
        self.reply = ReplyBox()
        self.reply.setMaxLength(MAX_REPLY)  # what the engine keeps of a reply; a longer paste is cut here, in view
        self.reply.setPlaceholderText("Type your reply and press Enter")
        self.reply.setAccessibleName("Your reply")
        self.send = QPushButton("Send")
        self.send.setAccessibleName("Send reply")
        self.talk = QPushButton(f"Hold to talk ({TALK_KEY})")
        self.talk.setAccessibleName("Push to talk")
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.meter)
        entry = QHBoxLayout()
        entry.addWidget(self.reply, 1)
        entry.addWidget(self.send)
        entry.addWidget(self.talk)
        layout = QVBoxLayout(self)
        pad = self.fontMetrics().height() // 2
        layout.setContentsMargins(pad, pad // 2, pad, pad)
        layout.addLayout(top)
        layout.addWidget(self.live_words)
        layout.addLayout(entry)
        self.set_state("typing")

    def set_state(self, kind: str, name: str | None = None) -> None:
        if kind == "still_there" and self.reply.text().strip():
            kind = "still_there_draft"
        self.kind, self.name = kind, name or self.name
        role, words = STATES[kind]
        colour = getattr(colours(), role)
        self.state.setText(f'<span style="color:{colour.name()}">●</span>&nbsp; {escape(words.format(name=self.name))}')
        self.state.setAccessibleDescription(words.format(name=self.name))
        self.edge = colour
        self.update()

    def paintEvent(self, event) -> None:  # noqa: ARG002
        # The whole composer is edged in the state's colour: whose turn it is shows from the corner of an eye.
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = self.fontMetrics().height() * 0.5
        p.setPen(QPen(self.edge, 2))
        p.setBrush(self.palette().window())
        p.drawRoundedRect(r, radius, radius)
        p.end()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.set_state(self.kind)
        super().changeEvent(event)
