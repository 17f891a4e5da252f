"""Trying a scenario from any node, typed, without keeping a record: the coach's quick check."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

from ...engine import CustomerSpoke, Session, SessionEnded, SessionScored, TurnRecorded
from ...scenario import ACTION_LABELS
from ...practice import detector_for
from ...scoring import score_session
from ..astyped import plain
from .reasons import met_html, transition_html


LEAVING = ("end_call", "escalate")  # the controls that leave the call
READY = "Choose a node and press Start here. Nothing is scored for the record."


class TryOutPanel(QWidget):
    line_spoken = Signal(str)  # a customer line to speak, when "Hear the customer" is ticked
    ended = Signal(str)  # the ending node reached

    def __init__(self, tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.sf = None
        self.session: Session | None = None
        self._from: tuple[str, str, str | None] | None = None  # the trainee's last turn: node, kind, action
        self.node = QComboBox()
        self.node.setAccessibleName("Start from node")
        self.intensity = QComboBox()
        self.intensity.setAccessibleName("Intensity")
        self.start_button = QPushButton("Start here")
        self.start_button.clicked.connect(lambda: self.start())
        self.speak = QCheckBox("Hear the customer")
        self.speak.setChecked(True)
        self.transcript = QTextBrowser()
        self.transcript.setAccessibleName("Try-out transcript")
        self.reply = QLineEdit()
        self.reply.setPlaceholderText("Type a reply and press Enter")
        self.reply.returnPressed.connect(lambda: self.send(self.reply.text()))
        self.result = plain(QLabel(READY))  # endings' debriefs and errors, as the file and the system wrote them
        self.result.setWordWrap(True)

        top = QHBoxLayout()
        for w in (QLabel("Start from"), self.node, QLabel("at"), self.intensity, self.start_button, self.speak):
            top.addWidget(w)
        top.addStretch(1)
        controls = QHBoxLayout()
        controls.addWidget(self.reply, 1)
        self.buttons = {}
        for action in ("end_call", "escalate", "hold", "flag"):
            b = QPushButton(ACTION_LABELS[action])
            b.clicked.connect(lambda _=False, a=action: self.act(a))
            controls.addWidget(b)
            self.buttons[action] = b
        silent = QPushButton("Say nothing")
        silent.clicked.connect(self.silence)
        controls.addWidget(silent)
        self.buttons["silence"] = silent
        v = QVBoxLayout(self)
        v.addLayout(top)
        v.addWidget(self.transcript, 1)
        v.addLayout(controls)
        v.addWidget(self.result)
        self._running(False)

    def set_scenario(self, sf) -> None:
        changed = sf is None or self.sf is None or (sf.path, sf.id) != (self.sf.path, self.sf.id)
        self.sf = sf
        node, level = self.node.currentText(), self.intensity.currentText()
        self.node.clear()
        self.intensity.clear()
        if changed:  # another file (or folder): its try-out starts afresh, not inside the last file's run
            self.session = None
            self._running(False)
            self.transcript.clear()
            self.result.setText(READY)
        if sf is None:
            return
        # Compiling the criteria takes a quarter of a second: on a worker, before the coach presses Start.
        self.tasks.run(detector_for, sf, failed=lambda exc: None)
        self.node.addItems([n for n, v in sf.scenario.nodes.items() if not v.is_ending])
        self.intensity.addItems(sf.scenario.intensity)
        if not changed:  # the same scenario, reloaded: keep the coach's choices
            self.node.setCurrentText(node)
            self.intensity.setCurrentText(level)

    def start(self, node: str | None = None, intensity: str | None = None) -> None:
        if self.sf is None:
            return
        sf = self.sf
        node = node or self.node.currentText() or None
        intensity = intensity or self.intensity.currentText() or None
        self.start_button.setEnabled(False)
        self.tasks.run(detector_for, sf, done=lambda detector: self._begin(sf, detector, node, intensity),
                       failed=lambda exc: (self.result.setText(f"Could not start: {exc}"),
                                           self.start_button.setEnabled(True)))

    def _begin(self, sf, detector, node: str | None, intensity: str | None) -> None:
        self.start_button.setEnabled(True)
        if sf is not self.sf:
            return  # the file changed meanwhile; the coach presses Start again
        self.session = Session(sf, detector, intensity=intensity, start_at=node,
                               scorer=lambda turns, ending: score_session(sf, turns))
        self.session.subscribe(self._event)
        self._from = None
        self.transcript.clear()
        self.transcript.append(f"<i>From <b>{escape(node or sf.scenario.start_node)}</b> at {escape(self.session.intensity)}</i>")
        self.result.setText("Playing. Type replies or use the call controls.")
        self._running(True)
        self.session.start()
        self.reply.setFocus()

    def send(self, text: str) -> None:
        if self.session is None or self.session.finished:
            return
        self.reply.clear()
        self.transcript.append(f"<b>You:</b> {escape(text) if text.strip() else '<i>(silence)</i>'}")
        self.session.reply(text)

    def act(self, action: str) -> None:
        if self.session is None or self.session.finished:
            return
        words = self.reply.text().strip() if action in LEAVING else ""
        if words:  # said on the way out, as the trainee's app does (Session.leave): the coach tries what trainees get
            self.reply.clear()
            self.transcript.append(f"<b>You:</b> {escape(words)}")
        self.transcript.append(f"<b>You:</b> ◆ {escape(ACTION_LABELS[action])}")
        if action in LEAVING:
            self.session.leave(action, words)
        else:
            self.session.act(action)
        if not self.session.finished:
            self._said_where(self.session.node_id)  # hold or flag with no transition: the customer waits

    def silence(self) -> None:
        if self.session is not None and not self.session.finished:
            self.transcript.append("<b>You:</b> <i>(silence)</i>")
            self.session.silence()

    def _event(self, event) -> None:
        sf = self.session.file  # as it was at Start: the file may have been edited and reloaded since
        if isinstance(event, TurnRecorded) and event.turn.speaker == "trainee":
            turn = event.turn
            if turn.kind == "reply":
                self.transcript.append(met_html(turn.matches, sf.criteria))
            self._from = (turn.node, turn.kind, turn.action)
        elif isinstance(event, CustomerSpoke):
            self._said_where(event.turn.node)
            name = sf.scenario.persona.name
            self.transcript.append(f"<b>{escape(name)}</b> <small>[{escape(event.turn.node)}]</small>: "
                                   f"{escape(event.turn.text)}")
            if self.speak.isChecked():
                self.line_spoken.emit(event.turn.text)
        elif isinstance(event, SessionEnded):
            e = event.ending
            self._said_where(e.node if e.node in sf.scenario.nodes else None)  # an ending without a line
            self.transcript.append(f"<i>Ended at <b>{escape(e.node)}</b> ({escape(e.outcome)}).</i>")
            self.result.setText(f"Ending: {e.node} ({e.outcome})" + (f". {e.debrief}" if e.debrief else ""))
            self._running(False)
        elif isinstance(event, SessionScored):
            self.result.setText(self.result.text() + f" Score for this stretch: {event.result.overall:g}.")
            self.ended.emit(self.session.ending.node)

    def _said_where(self, target: str | None) -> None:
        """The transition the trainee's last turn took, once the next node is known."""
        if self._from is not None:
            source, kind, action = self._from
            self._from = None
            self.transcript.append(transition_html(self.session.scenario, source, target, kind, action))

    def _running(self, on: bool) -> None:
        self.reply.setEnabled(on)
        for b in self.buttons.values():
            b.setEnabled(on)
