"""The call itself: who is on the line and how they feel, captions, the trainee's words, call controls, and a way out."""

from __future__ import annotations

import time
from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from ..scenario.model import ACTION_LABELS
from .live import LiveSession

CONTROLS = [("end_call", "Ctrl+E"), ("escalate", "Ctrl+T"), ("hold", "Ctrl+H"), ("flag", "Ctrl+F")]
STOP_KEY = "Ctrl+B"
TALK_KEY = "Ctrl+Space"
# Colour as well as the word: the word is what a screen reader says.
MOOD_COLOURS = {"calm": "#2e8b57", "frustrated": "#c98a00", "angry": "#d35400", "hostile": "#c0392b"}


def turn_text(turn, customer: str) -> str:
    if turn.speaker == "customer":
        return f"{customer}: {turn.text}"
    if turn.kind == "reply":
        return f"You{' (spoken)' if turn.source == 'spoken' else ''}: {turn.text}"
    if turn.kind == "action":
        return f"[You pressed {ACTION_LABELS.get(turn.action, turn.action)}]"
    return "[You said nothing]"


class RolePlayPage(QWidget):
    leave = Signal()  # the session is over and its results are ready

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live: LiveSession | None = None
        self.customer = QLabel()
        self.customer.setTextFormat(Qt.RichText)
        self.customer.setAccessibleName("Customer")
        self.mood = QLabel()
        self.mood.setAccessibleName("Customer's mood")
        self.clock = QLabel("0:00")
        self.clock.setAccessibleName("Elapsed time")
        self.mic_state = QLabel()
        self.mic_state.setAccessibleName("Microphone state")
        self.mic_meter = QProgressBar()
        self.mic_meter.setRange(0, 100)
        self.mic_meter.setTextVisible(False)
        self.mic_meter.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 8)
        self.mic_meter.setAccessibleName("Microphone level")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName("caption")
        self.caption.setAccessibleName("Caption: what the customer is saying")
        self.caption.setFrameShape(QFrame.StyledPanel)
        self.caption.setMinimumHeight(self.fontMetrics().height() * 4)
        self.caption.setStyleSheet("#caption { padding: 8px; }")
        bigger = self.caption.font()
        bigger.setPointSizeF(bigger.pointSizeF() * 1.3)
        self.caption.setFont(bigger)
        self.transcript = QListWidget()
        self.transcript.setWordWrap(True)
        self.transcript.setAccessibleName("Conversation so far")
        self.live_words = QLabel()
        self.live_words.setWordWrap(True)
        self.live_words.setAccessibleName("Your words as you speak")
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.hide()
        self.reply = QLineEdit()
        self.reply.setPlaceholderText("Type your reply and press Enter")
        self.reply.setAccessibleName("Your reply")
        self.send = QPushButton("Send")
        self.send.setAccessibleName("Send reply")
        self.talk = QPushButton(f"Hold to talk ({TALK_KEY} starts and stops)")
        self.talk.setAccessibleName("Push to talk")
        self.buttons: dict[str, QPushButton] = {}
        controls = QHBoxLayout()
        for action, key in CONTROLS:
            button = QPushButton(f"{ACTION_LABELS[action]}  ({key})")
            button.setAccessibleName(ACTION_LABELS[action])
            button.setToolTip(f"{ACTION_LABELS[action]} — {key}")
            button.clicked.connect(lambda _=False, a=action: self._act(a))
            QShortcut(QKeySequence(key), self, activated=lambda a=action: self._act(a))
            self.buttons[action] = button
            controls.addWidget(button)
        self.stop_button = QPushButton(f"Stop — I need a break  ({STOP_KEY})")
        self.stop_button.setAccessibleName("Stop: I need a break")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setStyleSheet("#stopButton { font-weight: bold; }")
        QShortcut(QKeySequence(STOP_KEY), self, activated=self.stop)
        QShortcut(QKeySequence(TALK_KEY), self, activated=self._toggle_talk)

        header = QHBoxLayout()
        header.addWidget(self.customer, 1)
        header.addWidget(self.mood)
        header.addSpacing(12)
        header.addWidget(self.mic_state)
        header.addWidget(self.mic_meter)
        header.addSpacing(12)
        header.addWidget(self.clock)
        entry = QHBoxLayout()
        entry.addWidget(self.reply, 1)
        entry.addWidget(self.send)
        entry.addWidget(self.talk)
        bottom = QHBoxLayout()
        bottom.addLayout(controls, 1)
        bottom.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.caption)
        layout.addWidget(self.notice)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.live_words)
        layout.addLayout(entry)
        layout.addLayout(bottom)

        self.reply.returnPressed.connect(self._send)
        self.send.clicked.connect(self._send)
        self.talk.pressed.connect(lambda: self._set_talk(True))
        self.talk.released.connect(lambda: self._set_talk(False))
        self.stop_button.clicked.connect(self.stop)
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._refresh)

    # -- a new session ---------------------------------------------------------------
    def begin(self, live: LiveSession) -> None:
        self.live = live
        s = live.session.scenario
        who = escape(s.persona.name) + (f" — {escape(s.persona.company)}" if s.persona.company else "")
        self.customer.setText(f"<b>{who}</b> <span>({escape(s.persona.role)})</span>")
        self._set_mood(live.session.mood)
        self.transcript.clear()
        self.caption.setText("")
        self.live_words.setText("")
        self.notice.hide()
        for text in live.opened.notices:
            self.show_notice(text)
        self._set_enabled(True)
        voice = live.input_mode != "typed"
        self.talk.setVisible(live.input_mode == "push_to_talk")
        self.mic_meter.setVisible(voice)
        b = live.bridge
        b.customer_spoke.connect(lambda name, text: self.caption.setText(f"{name}: {text}"))
        b.mood_changed.connect(self._set_mood)
        b.partial.connect(lambda text: self.live_words.setText(f"You (speaking): {text} …"))
        b.heard.connect(lambda text: self.live_words.setText(""))
        b.turn_recorded.connect(self._add_turn)
        b.notice.connect(self.show_notice)
        b.problem.connect(self.show_notice)
        b.ended.connect(lambda ending: self._set_enabled(False))
        live.finished.connect(self.leave.emit)
        self._tick.start()
        live.start()
        self.reply.setFocus()

    def _set_mood(self, mood: str) -> None:
        self.mood.setText(f"Mood: {mood}")
        self.mood.setStyleSheet(f"color: white; background: {MOOD_COLOURS.get(mood, '#555')}; padding: 2px 8px;"
                                " border-radius: 4px;")
        self.mood.setAccessibleDescription(f"The customer is {mood}")

    def _add_turn(self, turn) -> None:
        assert self.live is not None
        item = QListWidgetItem(turn_text(turn, self.live.session.scenario.persona.name))
        item.setData(Qt.UserRole, turn.index)
        if turn.speaker == "trainee":
            item.setTextAlignment(Qt.AlignRight)
        self.transcript.addItem(item)
        self.transcript.scrollToBottom()

    def show_notice(self, text: str) -> None:
        current = self.notice.text()
        if text not in current:
            self.notice.setText((current + "\n" if current else "") + text)
        self.notice.show()

    def _set_enabled(self, on: bool) -> None:
        for w in [self.reply, self.send, self.talk, self.stop_button, *self.buttons.values()]:
            w.setEnabled(on)
        if not on:
            self._tick.stop()
            self.mic_state.setText("Call over")
            self.mic_meter.setValue(0)

    def _refresh(self) -> None:
        live = self.live
        if live is None:
            return
        seconds = int(time.monotonic() - live.started_at)
        self.clock.setText(f"{seconds // 60}:{seconds % 60:02d}")
        if live.input_mode == "typed":
            self.mic_state.setText("Microphone off: typing")
        elif live.customer_speaking:
            self.mic_state.setText("Microphone paused while the customer speaks")
        elif live.input_mode == "push_to_talk":
            self.mic_state.setText("Listening…" if live.talking else "Microphone ready: hold to talk")
        else:
            self.mic_state.setText("Listening…")
        if live.input_mode != "typed":
            self.mic_meter.setValue(min(100, int(live.mic_level ** 0.5 * 180)))

    # -- the trainee's inputs --------------------------------------------------------
    def _send(self) -> None:
        text = self.reply.text().strip()
        if self.live is None or not text or not self.reply.isEnabled():
            return
        self.reply.clear()
        self.live.type_line(text)

    def _act(self, action: str) -> None:
        if self.live is not None and self.buttons[action].isEnabled():
            self.live.act(action)

    def _set_talk(self, on: bool) -> None:
        if self.live is not None:
            self.live.talk(on)

    def _toggle_talk(self) -> None:
        if self.live is not None and self.live.input_mode == "push_to_talk":
            self.live.talk(not self.live.talking)

    def stop(self) -> None:
        if self.live is not None and self.stop_button.isEnabled():
            self.live.stop()
