"""The call itself: who is on the line and how they feel, what they are saying, the conversation so far,
where the trainee answers, the call controls, and a way out."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from ..scenario.model import ACTION_LABELS
from ..speech.capture import LOST as MIC_LOST
from ..store.recorder import SAVING_BACK, SAVING_STOPPED
from ..voiceplay import MIC_BACK
from .astyped import plain
from .checklist import Checklist
from .composer import TALK_KEY, Composer
from .conversation import ConversationView
from .customer_card import Caption, CustomerCard
from .flow import FlowRow
from .live import LiveSession

CONTROLS = [("end_call", "Ctrl+E"), ("escalate", "Ctrl+T"), ("hold", "Ctrl+H"), ("flag", "Ctrl+F")]
STOP_KEY = "Ctrl+B"
CHAT_LABELS = {"end_call": "End chat"}
LEAVING = {"end_call", "escalate"}  # the trainee leaves the call: words typed but not sent are said on the way
COLUMN_LETTERS = 110  # the widest the call gets, in letters of the app's font


class CallNotices(QScrollArea):
    """What the trainee should know about this call (typing instead of speaking, a detector missing): every word,
    in no more than two lines' height where the window is short of room (a large text size on a small screen),
    scrolling the rest, so the caption and the call's controls keep their room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = plain(QLabel())  # notices quote errors, paths and devices
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Notice")
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.NoFocus)  # the reply box keeps the keyboard; a screen reader reads the label whole
        self.hide()

    def _needed(self) -> int:
        width = self.viewport().width() if self.viewport().width() > 50 else self.width()
        return self.label.heightForWidth(max(width, 100)) if self.label.text() else 0

    def sizeHint(self) -> QSize:
        return QSize(self.label.sizeHint().width(), min(self._needed(), self.fontMetrics().height() * 5))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, min(self._needed(), self.fontMetrics().height() * 2))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


class RolePlayPage(QWidget):
    leave = Signal()  # the session is over and its results are ready

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live: LiveSession | None = None
        self.card = CustomerCard()
        self.mood = self.card.mood
        self.clock = self.card.clock
        self.caption = Caption()
        self.notice_area = CallNotices()
        self.notice = self.notice_area.label
        self.transcript = ConversationView("Conversation so far")
        self.checklist = Checklist()  # shown only when the trainee asked for it and it is allowed
        self.checklist.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        # In a scroll area of its own: at 200 % text on a small screen the list was cut off after its first item,
        # and the mouse wheel did nothing.
        self.checklist_area = QScrollArea()
        self.checklist_area.setWidget(self.checklist)
        self.checklist_area.setWidgetResizable(True)
        self.checklist_area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.checklist_area.setFrameShape(QFrame.NoFrame)
        self.checklist_area.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 24)
        self.checklist_area.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 12)
        self.checklist_area.hide()
        self.composer = Composer()
        self.reply, self.send, self.talk = self.composer.reply, self.composer.send, self.composer.talk
        self.mic_state, self.mic_meter, self.live_words = self.composer.state, self.composer.meter, self.composer.live_words
        self.buttons: dict[str, QPushButton] = {}
        self.stop_button = QPushButton(f"Stop — I need a break  ({STOP_KEY})")
        self.stop_button.setAccessibleName("Stop: I need a break")
        self.column = QWidget()  # on a wide screen the call stays a readable width, in the middle
        layout = QVBoxLayout(self.column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.card)
        layout.addWidget(self.caption)
        layout.addWidget(self.notice_area)
        middle = QHBoxLayout()
        middle.addWidget(self.transcript, 1)
        middle.addWidget(self.checklist_area)
        layout.addLayout(middle, 1)
        layout.addWidget(self.composer)
        layout.addWidget(self._controls())
        outer = QHBoxLayout(self)
        outer.addWidget(self.column)
        self._fit_column()

        self.reply.returnPressed.connect(self._send)
        self.reply.textChanged.connect(self._typing)  # every change, a cleared box too: the loop knows a draft
        self.send.clicked.connect(self._send)
        self.talk.pressed.connect(lambda: self._set_talk(True))
        self.talk.released.connect(lambda: self._set_talk(False))
        self.stop_button.clicked.connect(self.stop)
        self._asking = False
        self._covered = False
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._refresh)

    def _controls(self):
        row = FlowRow()  # wraps at large text sizes: every control stays on screen, none pushes the window wider
        for action, key in CONTROLS:
            button = QPushButton(f"{ACTION_LABELS[action]}  ({key})")
            button.setAccessibleName(ACTION_LABELS[action])
            button.setToolTip(f"{ACTION_LABELS[action]} — {key}")
            button.clicked.connect(lambda _=False, a=action: self._act(a))
            self._shortcut(key, ACTION_LABELS[action], lambda a=action: self._act(a))
            self.buttons[action] = button
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.stop_button)
        self._shortcut(STOP_KEY, "Stop — I need a break", self.stop)
        self._shortcut(TALK_KEY, "Start or stop talking (push to talk)", self._toggle_talk)
        return row

    def _fit_column(self) -> None:
        self.column.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * COLUMN_LETTERS)
        # Short of room (a large text size on a small screen), the conversation so far gives way first: the caption
        # above it shows the customer's line, and the call's controls below it stay on screen.
        self.transcript.setMinimumHeight(self.fontMetrics().height() * 3 // 2)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.FontChange:
            self._fit_column()
        super().changeEvent(event)

    def _shortcut(self, key: str, what: str, slot) -> None:
        shortcut = QShortcut(QKeySequence(key), self, activated=slot)
        shortcut.setWhatsThis(what)  # the Help menu's list of shortcuts reads it

    # -- a new session ---------------------------------------------------------------
    def use_checklist(self, scenario_file, policy) -> None:
        """Before begin(): show the live checklist for this session (None: not this time)."""
        self.checklist_area.setVisible(scenario_file is not None)
        if scenario_file is not None:
            self.checklist.start(scenario_file, policy)
        else:
            self.checklist.scenario_file = None

    def begin(self, live: LiveSession, notices: list[str] | None = None) -> None:
        """Run this call; `notices` (default: all the opening's) are the ones the window has not said already."""
        self.live = live
        s = live.session.scenario
        self.card.show_customer(s.persona.name, s.persona.role, s.persona.company, live.session.mood)
        self.transcript.clear()
        self.transcript.customer, self.transcript.channel = s.persona.name, s.channel
        self._name_controls(s.channel)
        self.caption.clear()
        self.reply.clear()  # a reply left unsent belongs to the call it was written in
        self.live_words.setText("")
        self.notice.setText("")
        self.notice_area.hide()
        for text in live.opened.notices if notices is None else notices:
            self.show_notice(text)
        self._set_enabled(True)
        voice = live.input_mode != "typed"
        self.talk.setVisible(live.input_mode == "push_to_talk")
        self.mic_meter.setVisible(voice)
        self.live_words.setVisible(voice)
        self.reply.setPlaceholderText("Type your reply and press Enter" if not voice
                                      else "Speak, or type your reply and press Enter")
        self._asking = self._covered = False
        b = live.bridge
        b.customer_spoke.connect(self.caption.say)
        b.mood_changed.connect(self.card.set_mood)
        b.partial.connect(lambda text: self.live_words.setText(f"You (speaking): {text} …"))
        b.heard.connect(lambda text: self.live_words.setText(""))
        b.turn_recorded.connect(self.transcript.add)
        b.turn_recorded.connect(self.checklist.turn_recorded)
        b.notice.connect(self.show_notice)
        b.problem.connect(self.show_notice)
        b.still_there.connect(self._still_there)
        b.ended.connect(lambda ending: self._set_enabled(False))
        live.finished.connect(self.leave.emit)
        self._refresh()
        self._tick.start()
        live.start()
        self.reply.setFocus()

    def show_notice(self, text: str) -> None:
        # The microphone's "went quiet" and "is back" each make the other out of date: only the latest stays.
        stale = {MIC_BACK: MIC_LOST, MIC_LOST: MIC_BACK}.get(text)
        # Likewise saving stopped and saving works again (store/recorder.py).
        saving = SAVING_BACK if text.startswith(SAVING_STOPPED) else SAVING_STOPPED if text == SAVING_BACK else None
        lines = [line for line in self.notice.text().split("\n")
                 if line and line != stale and not (saving and line.startswith(saving))]
        if text not in lines:
            lines.append(text)
        self.notice.setText("\n".join(lines))
        self.notice_area.show()
        self.notice_area.updateGeometry()

    def _set_enabled(self, on: bool) -> None:
        for w in [self.reply, self.send, self.talk, self.stop_button, *self.buttons.values()]:
            w.setEnabled(on)
        if not on:
            self._tick.stop()
            self._show_hold()
            self.composer.set_state("over")
            self.mic_meter.setValue(0)

    def _still_there(self, asking: bool) -> None:
        self._asking = asking
        self._refresh()

    def _refresh(self) -> None:
        live = self.live
        if live is None or not self.reply.isEnabled():
            return
        self._watch_cover(live)
        seconds = int(time.monotonic() - live.started_at) if live.started_at else 0
        self.clock.setText(f"{seconds // 60}:{seconds % 60:02d}")
        name = live.session.scenario.persona.name
        self._show_hold()
        if live.customer_speaking:
            state = "customer" if live.input_mode == "typed" else "paused"
        elif live.on_hold and not (live.input_mode == "push_to_talk" and live.talking):
            state = "on_hold"
        elif self._asking:
            state = "still_there"
        elif live.input_mode == "typed" or live.microphone_quiet:
            state = "typing"
        elif live.input_mode == "push_to_talk" and not live.talking:
            state = "ready"
        else:
            state = "listening"
        if (state, name) != (self.composer.kind, self.composer.name):
            self.composer.set_state(state, name)
        if live.input_mode != "typed":
            self.mic_meter.setValue(min(100, int(live.mic_level ** 0.5 * 180)))

    def _watch_cover(self, live: LiveSession) -> None:
        """Tell the session when a dialog (settings, a file dialog, a message) or another window of the app
        (review mode) comes in front of the call, and when it goes: the silence wait stops meanwhile."""
        active = QApplication.activeWindow()
        covered = QApplication.activeModalWidget() is not None or (active is not None and active is not self.window())
        if covered != self._covered:
            self._covered = covered
            live.cover(covered)

    # -- the trainee's inputs --------------------------------------------------------
    def _typing(self, text: str) -> None:
        if self.live is not None:
            self.live.typing(bool(text.strip()))

    def _send(self) -> None:
        text = self.reply.text().strip()
        if self.live is None or not text or not self.reply.isEnabled():
            return
        self.reply.clear()
        self.live.type_line(text)

    def _act(self, action: str) -> None:
        if self.live is not None and self.buttons[action].isEnabled():
            if action in LEAVING:
                # "bye", then the hang-up: words typed but not sent go with the control, and the customer does
                # not get to answer them first (Session.leave).
                words = self.reply.text().strip() if self.reply.isEnabled() else ""
                self.reply.clear()
                self.live.leave(action, words)
                return
            if action == "hold" and self.live.on_hold:
                self.live.resume()  # Hold again: back to the customer (no second "on hold" in the conversation)
            else:
                self.live.act(action)  # hold and flag: the call goes on, and so does the reply being written
            self._show_hold()

    def _name_controls(self, channel: str) -> None:
        """On a web chat the End call button ends the chat: a tester on the chat scenario was offered "End call"."""
        for action, key in CONTROLS:
            label = CHAT_LABELS.get(action, ACTION_LABELS[action]) if channel == "chat" else ACTION_LABELS[action]
            button = self.buttons[action]
            button.setText(f"{label}  ({key})")
            button.setAccessibleName(label)
            button.setToolTip(f"{label} — {key}")

    def _show_hold(self) -> None:
        on_hold = self.live is not None and self.live.on_hold and self.reply.isEnabled()  # not once the call is over
        label = "Take off hold" if on_hold else ACTION_LABELS["hold"]
        key = dict(CONTROLS)["hold"]
        button = self.buttons["hold"]
        if button.accessibleName() != label:
            button.setText(f"{label}  ({key})")
            button.setAccessibleName(label)
            button.setToolTip(f"{label} — {key}")

    def _set_talk(self, on: bool) -> None:
        if self.live is not None:
            self.live.talk(on)

    def _toggle_talk(self) -> None:
        if self.live is not None and self.live.input_mode == "push_to_talk":
            self.live.talk(not self.live.talking)

    def stop(self) -> None:
        """Stop — I need a break: the call ends now, kept as interrupted (not scored, not counted)."""
        if self.live is not None and self.stop_button.isEnabled():
            # Words still in the box are not said: sent, "hang on" made the customer hang up and the break
            # was scored. A break stops the call where it stands.
            self.live.take_break()
            self._set_enabled(False)
