"""What the trainee did, criterion by criterion, as a list a person reads: every quote and piece of advice in
full, each quote a link to its turn in the conversation."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..engine.turn import Turn
from ..scoring.verdict import DimensionScore, Result, Verdict, figure, item_label, reply_numbers
from ..store.disputes import dispute_words
from ..store.my_sessions import changed_by
from .astyped import plain
from .panel import paint_panel
from .theme import colours, ring_on_focus, set_relative_font

STATUS_WORDS = {"met": "Done well", "missed": "Missed", "violated": "To avoid next time"}
STATUS_MARKS = {"met": "✓", "missed": "○", "violated": "✗"}
STATUS_ROLES = {"met": "good", "missed": "muted", "violated": "poor"}


def next_time(result: Result | None, most: int = 3) -> list[Verdict]:
    """The advice to carry into the next call: things to avoid that happened first (a retaliation matters more
    than a missed step), then what was missed; only verdicts the scoring was sure of, each piece of advice once."""
    if result is None:
        return []
    chosen: dict[str, Verdict] = {}
    for status in ("violated", "missed"):
        for dim in result.dimensions:
            for v in dim.verdicts:
                if v.status == status and v.feedback and not v.uncertain:
                    chosen.setdefault(v.feedback, v)
    avoid = sum(v.status == "violated" for v in chosen.values())
    return list(chosen.values())[:max(most, avoid)]


def where_said(turns: Sequence[Turn]) -> dict[int, str]:
    """Each of the trainee's turns as they count them: "your reply 2"; a call action's quote names the action."""
    places = {t.index: "your call action" for t in turns if t.speaker == "trainee" and t.kind == "action"}
    places.update((i, f"your reply {n}") for i, n in reply_numbers((t.index, t.speaker, t.kind) for t in turns).items())
    return places


class QuoteLink(QLabel):
    """The trainee's own words, in full; clicking them (or Enter) shows the turn in the conversation."""

    chosen = Signal(int)

    def __init__(self, turn: int, quote: str, place: str = "") -> None:
        # "your reply 2", not the turn's number in the whole call: a tester read "(turn 3)" as their third reply.
        place = place or f"turn {turn}"
        super().__init__(f"“{quote}”  ({place})" if not quote.startswith("[") else f"{quote}  ({place})")
        self.turn = turn
        plain(self)  # the trainee's own words, whatever they typed
        self.setWordWrap(True)
        self.setCursor(Qt.PointingHandCursor)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName(f"Your words, {place}: {quote}. Press Enter to show it in the conversation.")
        font = self.font()
        font.setItalic(True)
        self.setFont(font)
        ring_on_focus(self)  # Tab stops here: a walker's Tab landed on every quote with nothing shown where

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            self.chosen.emit(self.turn)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space):
            self.chosen.emit(self.turn)
            return
        super().keyPressEvent(event)


class VerdictCard(QFrame):
    """One criterion: a mark and a word for how it went, the trainee's words, and the advice."""

    def __init__(self, v: Verdict, show_turn, dispute=None, places: dict[int, str] | None = None,
                 channel: str = "phone") -> None:
        super().__init__()
        self.verdict = v
        self.label = item_label(v.item, channel)
        self.disputes: list = []  # this verdict's disputes, oldest first
        self.dispute_button = QPushButton("I don't think this is right…")
        self.dispute_button.setAccessibleName(f"Dispute the verdict on {self.label}")
        if dispute is None:  # hide only: setVisible(True) before the card has a parent shows a widget as a window
            self.dispute_button.hide()
        else:
            self.dispute_button.clicked.connect(lambda: dispute(v))
        self.dispute_state = QLabel()
        self.dispute_state.setWordWrap(True)
        self.dispute_state.setTextFormat(Qt.RichText)
        self.dispute_state.hide()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.RichText)
        # Each quote once: an either-or item ("redirects_to_issue|…") met twice by one clause showed it twice.
        said = dict.fromkeys((ev.turn, ev.quote) for ev in v.evidence)
        self.quotes = [QuoteLink(turn, quote, (places or {}).get(turn, "")) for turn, quote in said]
        self.advice = plain(QLabel(v.feedback))
        self.advice.setWordWrap(True)
        if not v.feedback:
            self.advice.hide()
        pad = self.fontMetrics().height() // 2
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad * 2, pad, pad, pad)
        layout.setSpacing(pad // 2)
        layout.addWidget(self.heading)
        for quote in self.quotes:
            quote.chosen.connect(show_turn)
            layout.addWidget(quote)
        layout.addWidget(self.advice)
        layout.addWidget(self.dispute_state)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.dispute_button)
        layout.addLayout(row)
        self.setAccessibleName(f"{self.label}: {STATUS_WORDS[v.status]}")
        self.fill()

    def fill(self) -> None:
        v = self.verdict
        colour = getattr(colours(), STATUS_ROLES[v.status])
        unsure = " (unsure: the recogniser was unsure of your words)" if v.uncertain else ""
        # The status is kept whole: "Done well" broke into "Done" at a line's end and "well" under it.
        self.heading.setText(f'<span style="color:{colour.name()}">{STATUS_MARKS[v.status]}</span>&nbsp; '
                             f'<b>{escape(self.label)}</b> &nbsp;<span style="color:{colour.name()}">'
                             f'{STATUS_WORDS[v.status].replace(" ", "&nbsp;")}{escape(unsure)}</span>')

    def show_disputes(self, disputes: list) -> None:
        """How the trainee's disputes of this verdict stand; a new one can be made once the last is answered."""
        self.disputes = disputes
        c = colours()
        lines = []
        for d in disputes:
            role = c.muted if d.is_open else c.good if d.outcome == "overturned" else c.text
            said = dispute_words(d)
            if d.outcome == "overturned" and self.advice.text() == changed_by(d.resolver or "", d.response or ""):
                said = said[:-len(d.response)].rstrip()  # the card says the change's reason already: once is enough
            lines.append(f'<span style="color:{role.name()}"><b>{escape(said)}</b></span>'
                         f'<br><i>You wrote: “{escape(d.reason)}”</i>')
        self.dispute_state.setText("<br>".join(lines))
        self.dispute_state.setVisible(bool(lines))
        self.dispute_button.setEnabled(not any(d.is_open for d in disputes))

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.fill()
            if self.disputes:
                self.show_disputes(self.disputes)
        super().changeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        h = self.fontMetrics().height()
        paint_panel(self, self.palette().base().color(), getattr(colours(), STATUS_ROLES[self.verdict.status]),
                    h * 0.4, h * 0.25)


class VerdictList(QWidget):
    """Each dimension's score and its criteria, one card each."""

    turn_chosen = Signal(int)
    dispute_wanted = Signal(object)  # the Verdict the trainee thinks is wrong

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("What you did: each criterion, with your words as evidence")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.cards: list[VerdictCard] = []

    def show_dimensions(self, dimensions: tuple[DimensionScore, ...], scored: bool, disputable: bool = False,
                        turns: Sequence[Turn] = (), channel: str = "phone") -> None:
        """disputable: a kept, scored session, whose verdicts the trainee may dispute; turns: the conversation, to
        say where the trainee's words were ("your reply 2"); channel: "chat" says "the chat", not "the call"."""
        places = where_said(turns)
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.cards = []
        for dim in dimensions:
            head = QLabel(f"{dim.label}" + (f"  ·  {figure(dim.score)} / 100" if scored else ""))
            set_relative_font(head, 1.1, bold=True)
            self._layout.addWidget(head)
            for v in dim.verdicts:
                card = VerdictCard(v, self.turn_chosen.emit, self.dispute_wanted.emit if disputable else None, places,
                                   channel)
                self.cards.append(card)
                self._layout.addWidget(card)
            if not dim.verdicts:
                self._layout.addWidget(QLabel("Nothing here came up in this conversation."))

    def show_disputes(self, disputes: list) -> None:
        for card in self.cards:
            card.show_disputes([d for d in disputes if (d.dimension, d.item) == (card.verdict.dimension,
                                                                                 card.verdict.item)])

    def card(self, item: str) -> VerdictCard:
        return next(c for c in self.cards if c.verdict.item == item)

    def quotes(self) -> list[QuoteLink]:
        return [q for card in self.cards for q in card.quotes]
