"""After the call: the score and the verdict in one line, a bar per dimension, what to try next time, what the
trainee did (each criterion with their own words), the conversation with that evidence marked, and a kind
debrief. A new result always starts at the top."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter, QVBoxLayout,
                               QWidget)

from ..engine import Ending, Turn
from ..engine.session import FINAL_ACTIONS
from ..practice import BREAK_COMFORT, BREAK_TITLE, break_kept
from ..scoring.verdict import Result, dimension_label, figure, for_channel, item_label
from .chart import DimensionChart
from .conversation import ConversationView
from .dispute_dialog import DisputeDialog
from .flow import FlowRow
from .astyped import plain
from .panel import Panel
from .theme import colours, ring_on_focus, set_relative_font
from .verdict_list import VerdictList, next_time


def headline(result: Result | None, assessed: bool, stopped: str, pass_mark: float,
             reviewed: float | None = None) -> tuple[str, str, str]:
    """(the score or what kind of run it was, the verdict in a few words, what to do with it). stopped: "break" for
    a break just taken, "interrupted" for a kept session that was stopped short, opened again from My sessions,
    "" for a call that was not stopped.
    reviewed: the score after a manager changed verdicts, which is the one that counts (as My sessions and the
    library say)."""
    if stopped == "interrupted":  # opened again later: a break, or the app closed mid-call
        return ("Stopped before the end", "not scored", f"This call ended before the conversation did (a break, or "
                f"the app was closed). {break_kept(assessed)} What you said is below.")
    if stopped == "break":  # the words `simulator play` says a /stop with
        return (BREAK_TITLE, "not scored", f"{BREAK_COMFORT} {break_kept(assessed)} What you said so far is below.")
    if not assessed or result is None:
        return ("Practice run", "not scored", "Practice runs are not scored or kept. Here is what you did well "
                "and what to try.")
    score, note = result.overall, ""
    if reviewed is not None and figure(reviewed) != figure(result.overall):  # as the two would read
        score, note = reviewed, f"After your manager's review (the automatic score was {figure(result.overall)}). "
    if score >= pass_mark:
        return (f"{figure(score)} / 100", "Well handled", note + "Look at what worked so you can do it again.")
    return (f"{figure(score)} / 100", "Not there yet", note + "These conversations are hard, and every run teaches "
            "something. Look at one thing to try, then go again.")


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    set_relative_font(label, 1.2, bold=True)
    return label


class ResultsPage(QWidget):
    again = Signal()
    library = Signal()
    dispute_made = Signal(str, str, str)  # dimension, item, the trainee's reason: to be kept with the session

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: tuple | None = None  # what show_result was given: its words are coloured again on a theme change
        self._channel = "phone"
        self._past: str | None = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.title.setAccessibleName("Overall result")
        set_relative_font(self.title, 1.6, bold=True)
        self.message = plain(QLabel())
        self.message.setWordWrap(True)
        self.chart = DimensionChart()
        self.next_time = Panel("trainee", "trainee_bubble")
        self.next_time.setTextFormat(Qt.RichText)
        self.next_time.setAccessibleName("What to try next time")
        self.did = VerdictList()
        self.transcript = ConversationView("The conversation")
        self.debrief = plain(Panel("muted"))
        self.debrief.setAccessibleName("Debrief")
        self.feeling = QLabel("How are you feeling after this one?")
        self.ok_button = QPushButton("I'm &OK")
        self.break_button = QPushButton("I'd like a &break")
        self.wellbeing_reply = QLabel()
        self.wellbeing_reply.setWordWrap(True)
        self.again_button = QPushButton("&Try again")
        self.library_button = QPushButton("Back to the &library")
        self.sessions_button = QPushButton("Back to My &sessions")  # for a session opened from there
        self.sessions_button.hide()
        self._feeling_row: list[QWidget] = [self.feeling, self.ok_button, self.break_button, self.wellbeing_reply]
        self.details = self._details()

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.details)
        conversation = QWidget()
        right = QVBoxLayout(conversation)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(_heading("The conversation"))
        right.addWidget(self.transcript, 1)
        splitter.addWidget(conversation)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([5500, 4500])  # proportions: the conversation gets room to read, not what is left over
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sessions_button)
        buttons.addWidget(self.library_button)
        buttons.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.did.turn_chosen.connect(self.transcript.select_turn)
        self.did.dispute_wanted.connect(self.ask_dispute)
        self.dispute_dialog: DisputeDialog | None = None
        self.again_button.clicked.connect(self.again.emit)
        self.library_button.clicked.connect(self.library.emit)
        # Escape goes back where the page was opened from, as on the briefing and My sessions.
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                           activated=lambda: (self.sessions_button if self.sessions_button.isVisible()
                                              else self.library_button).click())
        escape.setWhatsThis("Back: to the library, or to My sessions for a session opened from there")
        self.ok_button.clicked.connect(lambda: self.wellbeing_reply.setText(
            "Good. When you're ready, try again or pick another scenario."))
        self.break_button.clicked.connect(lambda: self.wellbeing_reply.setText(
            "Take the time you need. Step away from the screen, get some air or a drink. If something here "
            "brought back a real experience, your team lead or the staff support line is there for you."))

    def _details(self) -> QScrollArea:
        inside = QWidget()
        column = QVBoxLayout(inside)
        column.addWidget(self.chart)
        column.addWidget(self.next_time)
        self.did_heading = _heading("What you did")
        column.addWidget(self.did_heading)
        column.addWidget(self.did)
        column.addWidget(self.debrief)
        feeling = FlowRow()  # wraps at a large text size, instead of pushing the column wider than its pane
        feeling.addWidget(self.feeling)
        feeling.addWidget(self.ok_button)
        feeling.addWidget(self.break_button)
        column.addWidget(feeling)
        column.addWidget(self.wellbeing_reply)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inside)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        ring_on_focus(scroll)
        # Its words wrap to the pane; what cannot (a bar's label and score, a button) is scrolled to sideways when
        # the divider leaves the pane narrower than that, rather than cut off at the divider.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        scroll.setAccessibleName("Your result in detail")
        return scroll

    def show_result(self, *, result: Result | None, turns: list[Turn], customer: str, ending: Ending | None,
                    assessed: bool, pass_mark: float, debrief: str, disputable: bool = False,
                    reviewed: float | None = None, interrupted: bool = False, channel: str = "phone",
                    past: str | None = None) -> None:
        """disputable: the session is kept and scored, so a verdict can be disputed (see dispute_made); reviewed:
        the score after a manager's changes, shown as the one that counts; interrupted: a kept session that was
        stopped short (it was shown as a practice run, 'not kept', with praise for a call the trainee left);
        past: when and how an earlier session was played, for one opened from My sessions (no "how are you
        feeling" then, and a way back to the list)."""
        self._past = past
        stopped = "interrupted" if interrupted else "break" if ending is not None and ending.reason == "stopped" else ""
        scored = assessed and result is not None
        self._shown = (result, assessed, stopped, pass_mark, reviewed)
        self._channel = channel
        self._fill_words()
        self.chart.setVisible(scored)
        self.chart.set_scores([(dimension_label(d.dimension), d.score) for d in result.dimensions] if scored else [])
        self.did.show_dimensions(result.dimensions if result else (), scored, disputable and scored, turns, channel)
        self.did_heading.setVisible(result is not None)  # a break has no verdicts to show
        # Tab reads the cards in order (each quote, then its dispute button) before the buttons below them: the
        # cards are made anew for each result, so they would otherwise come last, after "Back to the library".
        order = [self.details, *(w for card in self.did.cards for w in (*card.quotes, card.dispute_button)),
                 self.ok_button, self.break_button, self.transcript, self.library_button, self.again_button]
        for before, after in zip(order, order[1:]):
            QWidget.setTabOrder(before, after)
        self.transcript.channel = channel
        self.transcript.show_turns(turns, customer)
        if ending is not None and not stopped and ending.node not in FINAL_ACTIONS and turns \
                and turns[-1].speaker == "customer":
            self.transcript.end_mark(for_channel("The call ended.", channel))
        for dim in (result.dimensions if result else ()):
            for v in dim.verdicts:
                for ev in v.evidence:
                    if ev.end > ev.start:
                        self.transcript.highlight(ev.turn, [(ev.start, ev.end, v.status == "violated")])
        parts = [" ".join(ending.debrief.split())] if ending and ending.debrief else []
        if debrief:
            parts.append(" ".join(debrief.split()))
        self.debrief.setText("\n\n".join(parts))
        self.debrief.setVisible(bool(parts))
        self.wellbeing_reply.setText("")
        for widget in self._feeling_row:
            widget.setVisible(past is None)
        self.sessions_button.setVisible(past is not None)
        self._to_top()
        self.again_button.setFocus()

    def ask_dispute(self, verdict) -> None:
        self.dispute_dialog = dialog = DisputeDialog(verdict, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.dispute_made.emit(verdict.dimension, verdict.item, dialog.value()))
        dialog.open()

    def show_disputes(self, disputes: list) -> None:
        """The session's disputes as they now stand, each beside its verdict."""
        self.did.show_disputes(disputes)

    def _to_top(self) -> None:
        # A new result starts at the top, now and once the new cards have been laid out.
        self.details.verticalScrollBar().setValue(0)
        QTimer.singleShot(0, lambda: self.details.verticalScrollBar().setValue(0))

    def _fill_words(self) -> None:
        result, assessed, stopped, pass_mark, reviewed = self._shown
        title, verdict, message = headline(result, assessed, stopped, pass_mark, reviewed)
        c = colours()
        colour = c.text
        if title.endswith("/ 100"):
            score = float(title.split(" /")[0])
            colour = c.good if score >= pass_mark else c.mixed if score >= 40 else c.poor
        words = f' <span style="color:{c.muted.name()}">·</span> {escape(verdict)}' if verdict else ""
        self.title.setText(f'<span style="color:{colour.name()}">{escape(title)}</span>{words}')
        self.message.setText(f"{self._past} {message}" if self._past else message)
        tips = next_time(result)
        if stopped:
            self.next_time.setText("<b>When you're ready:</b> try this conversation again from the start, or pick "
                                   "another one. There is no hurry.")
            return
        if not tips:
            self.next_time.setText("<b>Next time:</b> keep doing what you did. Try a stronger intensity or another "
                                   "scenario when you're ready.")
            return
        avoid = f'<span style="color:{c.poor.name()}">Avoid:</span> '
        items = "".join(f'<li><b>{avoid if v.status == "violated" else ""}'
                        f'{escape(item_label(v.item, self._channel))}.</b> '
                        f'{escape(v.feedback)}</li>' for v in tips)
        self.next_time.setText(f"<b>What to try next time</b><ul>{items}</ul>")

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and self._shown is not None:
            self._fill_words()
        super().changeEvent(event)

    def shown_scores(self) -> dict[str, float]:
        """What the chart shows, by label (for tests and screen readers)."""
        return dict(self.chart.bars)
