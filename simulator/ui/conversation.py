"""A conversation as people read one: the customer's turns on the left, the trainee's on the right, call
actions as small marks between them. The role play and the results show the same view.

Colours come from the theme when a turn paints or fills in, and again on a palette change, so a theme
switch reaches every turn at once; sizes come from the font.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..engine import Turn
from ..scenario.model import ACTION_LABELS
from ..scoring.verdict import DONE_ACTIONS, for_channel
from ..store.report import highlight
from .panel import paint_panel
from .theme import colours, ring_on_focus, set_relative_font

MARKS = {action: "You " + deed[:1].lower() + deed[1:] for action, deed in DONE_ACTIONS.items()}
WIDEST = 0.78  # of the view: a turn never spans the whole width, so the sides stay plain


def turn_text(turn: Turn, customer: str) -> str:
    """A turn in plain words, as a screen reader says it and a test reads it."""
    if turn.speaker == "customer":
        return f"{customer}: {turn.text}"
    if turn.kind == "reply":
        return f"You{' (spoken)' if turn.source == 'spoken' else ''}: {turn.text}"
    if turn.kind == "action":
        return f"[You pressed {ACTION_LABELS.get(turn.action, turn.action)}]"
    return "[You said nothing]"


def blend(colour: QColor, under: QColor, amount: float) -> QColor:
    return QColor(*(round(a * amount + b * (1 - amount)) for a, b in
                    zip(colour.getRgb()[:3], under.getRgb()[:3], strict=True)))


def marked(text: str, spans: list[tuple[int, int, bool]], good: QColor, bad: QColor) -> str:
    """The text as HTML with each span behind a background: words that earned points, or (bad) cost them."""
    return highlight(text, spans, lambda cost: f'style="background-color:{(bad if cost else good).name()}"')


class TurnView(QFrame):
    """One turn: a bubble for words, a small centred mark for a call action or a silence."""

    def __init__(self, turn: Turn, customer: str, channel: str = "phone") -> None:
        super().__init__()
        self.turn = turn
        self.customer = customer
        self.spans: list[tuple[int, int, bool]] = []  # evidence: (start, end, whether it cost points)
        self.selected = False
        if self.is_mark:
            self.who = ""
            mark = MARKS.get(turn.action, f"You pressed {ACTION_LABELS.get(turn.action, turn.action)}")
            self.said = for_channel(mark, channel) if turn.kind == "action" else "You said nothing"
        else:
            self.who = customer if turn.speaker == "customer" else "You" + (" (spoken)" if turn.source == "spoken" else "")
            self.said = turn.text
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.RichText)
        self.words.setAccessibleName(turn_text(turn, customer))
        layout = QVBoxLayout(self)
        pad = self.fontMetrics().height() // 2
        if self.is_mark:
            set_relative_font(self.words, 0.9)
            layout.setContentsMargins(pad * 2, pad // 3, pad * 2, pad // 3)
        else:
            layout.setContentsMargins(pad * 2, pad, pad * 2, pad)
        layout.addWidget(self.words)
        self.fill()

    @property
    def is_mark(self) -> bool:
        return self.turn.kind in ("action", "silence")

    @property
    def side(self) -> str:
        return "centre" if self.is_mark else "left" if self.turn.speaker == "customer" else "right"

    def text(self) -> str:
        return turn_text(self.turn, self.customer)

    def fill(self) -> None:
        c = colours()
        if self.is_mark:
            self.words.setText(f'<span style="color:{c.event.name()}">{escape(self.said)}</span>')
            return
        colour = c.customer if self.turn.speaker == "customer" else c.trainee
        self.words.setText(f'<b style="color:{colour.name()}">{escape(self.who)}</b><br>'
                           f'{marked(self.said, self.spans, c.evidence, blend(c.poor, self.palette().base().color(), 0.3))}')

    def sizeHint(self) -> QSize:
        # As wide as the words on one line, up to the widest a turn may be: a label's own guess wraps short lines.
        bold = QFont(self.words.font())
        bold.setBold(True)
        natural = max(self.words.fontMetrics().horizontalAdvance(self.said), QFontMetrics(bold).horizontalAdvance(self.who))
        m = self.layout().contentsMargins()
        width = min(self.maximumWidth(), natural + m.left() + m.right() + self.words.fontMetrics().averageCharWidth() * 2)
        return QSize(width, self.heightForWidth(width))

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.fill()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        c, h = colours(), self.fontMetrics().height()
        radius = min((self.height() - 2) / 2, h * 0.6)
        customer = self.turn.speaker == "customer"
        # A bubble in the speaker's colours with their colour down the outer edge; a call action, a bare outline.
        shape = paint_panel(self, QColor(0, 0, 0, 0) if self.is_mark else c.customer_bubble if customer
                            else c.trainee_bubble, None if self.is_mark else c.customer if customer else c.trainee,
                            radius, h * 0.25, right=not customer)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        if self.selected:
            p.strokePath(shape, QPen(self.palette().highlight().color(), 2))
        elif self.is_mark:
            p.strokePath(shape, QPen(c.event, 1))
        p.end()


class ConversationView(QScrollArea):
    """The turns of one conversation, newest at the bottom."""

    def __init__(self, name: str = "Conversation", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        ring_on_focus(self)
        self.customer = "Customer"
        self.channel = "phone"  # "chat": the marks say "You ended the chat"
        self._turns: list[TurnView] = []
        self._row_widgets: list[QWidget] = []
        inside = QWidget()
        inside.setBackgroundRole(QPalette.Base)  # a pane of its own, as a chat is: turns stand out from the window
        self.viewport().setBackgroundRole(QPalette.Base)
        self._rows = QVBoxLayout(inside)
        gap = self.fontMetrics().height() // 2
        self._rows.setSpacing(gap)
        self._rows.setContentsMargins(gap, gap, gap, gap)
        self._rows.addStretch(1)
        self.setWidget(inside)
        self.verticalScrollBar().rangeChanged.connect(self._follow)
        self._following = True

    # -- filling in ------------------------------------------------------------------
    def clear(self) -> None:
        # Each turn sits in a row widget, which takes its turn and layout with it. Rows were once bare layouts,
        # taken out with takeAt(): its item, owned by Python, deleted the layout a second time, and after a few
        # calls the app died in shiboken's releaseWrapper (a trainee's break, then "Try again", 4-30 times).
        for row in self._row_widgets:
            self._rows.removeWidget(row)
            row.deleteLater()
        self._row_widgets = []
        self._turns = []
        self._following = True

    def add(self, turn: Turn) -> TurnView:
        view = TurnView(turn, self.customer, self.channel)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        if view.side != "left":
            row.addStretch(1)
        row.addWidget(view)
        if view.side != "right":
            row.addStretch(1)
        view.setMaximumWidth(self._widest())
        self._following = self._at_bottom()
        self._rows.insertWidget(self._rows.count() - 1, holder)
        self._row_widgets.append(holder)
        self._turns.append(view)
        return view

    def end_mark(self, text: str) -> TurnView:
        """A mark after the last turn saying how the conversation ended: where the customer's line ended it, the
        call went straight to the results with nothing to say so (a walker read it as the app cutting off)."""
        last = self._turns[-1].turn.index if self._turns else 0
        view = self.add(Turn(last + 1, "customer", "silence", ""))
        view.said = text
        view.words.setAccessibleName(text)
        view.fill()
        return view

    def show_turns(self, turns: list[Turn], customer: str) -> None:
        self.clear()
        self.customer = customer
        for turn in turns:
            self.add(turn)
        self._following = False
        QTimer.singleShot(0, lambda: self.verticalScrollBar().setValue(0))

    def highlight(self, index: int, spans: list[tuple[int, int, bool]]) -> None:
        """Mark words of a turn as evidence (the words a verdict rests on; True: a thing to avoid)."""
        view = self.find(index)
        if view is not None:
            view.spans = sorted(set(view.spans) | set(spans))
            view.fill()

    # -- reading and choosing ------------------------------------------------------------
    def count(self) -> int:
        return len(self._turns)

    def entry(self, i: int) -> TurnView:
        return self._turns[i]

    def find(self, index: int) -> TurnView | None:
        return next((v for v in self._turns if v.turn.index == index), None)

    @property
    def selected_turn(self) -> int | None:
        return next((v.turn.index for v in self._turns if v.selected), None)

    def select_turn(self, index: int) -> bool:
        """Ring a turn and scroll it into view (from a verdict's evidence)."""
        for view in self._turns:
            if view.selected != (view.turn.index == index):
                view.selected = not view.selected
                view.update()
        view = self.find(index)
        if view is not None:
            self._following = False
            self.ensureWidgetVisible(view, 0, self.fontMetrics().height() * 2)
        return view is not None

    # -- layout ----------------------------------------------------------------------
    def _widest(self) -> int:
        return max(self.fontMetrics().horizontalAdvance("M") * 12, int(self.viewport().width() * WIDEST))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        for view in self._turns:
            view.setMaximumWidth(self._widest())

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - self.fontMetrics().height()

    def _follow(self, _low: int, high: int) -> None:
        # New turns scroll into view, unless the trainee scrolled up to read earlier ones.
        if self._following:
            self.verticalScrollBar().setValue(high)
