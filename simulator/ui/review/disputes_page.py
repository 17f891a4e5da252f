"""Review mode's dispute queue: the verdicts trainees think are wrong, the longest waiting first, each with
the trainee's reason; the manager opens the session, then overturns the verdict or upholds it with a reason."""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ...scoring.verdict import dimension_label, item_label
from ...store.disputes import OUTCOME_WORDS
from ...store.records import Dispute
from ..astyped import as_tooltip
from .override_dialog import status_words
from ...words import counted


def _date(ts: float | None) -> str:
    return "" if ts is None else dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def queue_title(open_disputes: int) -> str:
    return f"&Disputes ({open_disputes} open)" if open_disputes else "&Disputes"


class DisputesPage(QWidget):
    open_session = Signal(str)  # session id
    answer_wanted = Signal(object, str)  # (the Dispute, "overturned" or "upheld")
    show_answered_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.disputes: list[Dispute] = []
        self.summary = QLabel("No disputes.")
        self.summary.setAccessibleName("Disputes waiting")
        self.show_answered = QCheckBox("Show &answered disputes too")
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Trainee", "Scenario", "Verdict disputed", "Disputed", "Outcome"])
        self.table.setAccessibleName("Disputes")
        # Who, when and the outcome as wide as their words; the scenario and what is disputed share the rest (with
        # the verdict alone stretched, a 1920 px window cut the scenario to "A client makes a racist remark on…").
        for column, mode in enumerate((QHeaderView.ResizeToContents, QHeaderView.Stretch, QHeaderView.Stretch,
                                       QHeaderView.ResizeToContents, QHeaderView.ResizeToContents)):
            self.table.header().setSectionResizeMode(column, mode)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.RichText)
        self.details.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.details.setAccessibleName("The trainee's reason, and the answer")
        self.session_button = QPushButton("Open the sessio&n")
        self.overturn_button = QPushButton("&Overturn: change the verdict…")
        self.uphold_button = QPushButton("&Uphold: keep the verdict…")
        for button in (self.session_button, self.overturn_button, self.uphold_button):
            button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_answered)
        buttons = QHBoxLayout()
        buttons.addWidget(self.session_button)
        buttons.addStretch(1)
        buttons.addWidget(self.uphold_button)
        buttons.addWidget(self.overturn_button)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.details, 1)
        below_layout.addLayout(buttons)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        split.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.table.currentItemChanged.connect(lambda *_: self._chosen())
        self.table.itemActivated.connect(lambda *_: self._open())
        self.session_button.clicked.connect(self._open)
        self.overturn_button.clicked.connect(lambda: self._answer("overturned"))
        self.uphold_button.clicked.connect(lambda: self._answer("upheld"))
        self.show_answered.toggled.connect(self.show_answered_changed)

    def show_disputes(self, found: tuple[list[Dispute], int]) -> None:
        """(the disputes to list, how many are open in all)."""
        disputes, open_total = found
        chosen = self.current()
        self.disputes = disputes
        self.table.clear()
        for d in disputes:
            verdict = (f"{item_label(d.item)} ({dimension_label(d.dimension)}): "
                       f"{status_words(d.disputed_status, d.disputed_status)}")
            item = QTreeWidgetItem([d.trainee, d.scenario_title, verdict, _date(d.created_at), OUTCOME_WORDS[d.outcome]])
            item.setData(0, Qt.UserRole, d.id)
            for column in range(3):  # a long name, title or verdict is cut in its column: the tooltip has it all
                item.setToolTip(column, as_tooltip(item.text(column)))
            self.table.addTopLevelItem(item)
        for column in (0, 3, 4):
            self.table.resizeColumnToContents(column)
        em = self.fontMetrics().horizontalAdvance("M")
        header = self.table.header().sectionSizeHint(1)  # with no rows, "Scenario" itself still shows
        self.table.setColumnWidth(1, max(header, min(self.table.sizeHintForColumn(1) + em, em * 22)))
        self.summary.setText(f"{counted(open_total, 'dispute')} waiting for an answer." if open_total
                             else "No disputes are waiting for an answer.")
        again = next((i for i, d in enumerate(disputes) if chosen is not None and d.id == chosen.id), 0)
        if disputes:
            self.table.setCurrentItem(self.table.topLevelItem(again))
        self._chosen()

    def current(self) -> Dispute | None:
        item = self.table.currentItem()
        if item is None:
            return None
        return next((d for d in self.disputes if d.id == item.data(0, Qt.UserRole)), None)

    def _chosen(self) -> None:
        d = self.current()
        self.session_button.setEnabled(d is not None)
        for button in (self.overturn_button, self.uphold_button):
            button.setEnabled(d is not None and d.is_open)
        if d is None:
            self.details.setText("")
            return
        text = (f"<p><b>{escape(d.trainee)}</b> disputes <b>{escape(item_label(d.item))}</b> "
                f"({escape(dimension_label(d.dimension))}), counted as "
                f"<b>{escape(status_words(d.disputed_status, d.disputed_status))}</b>, on {_date(d.created_at)}:</p>"
                f"<blockquote>{escape(d.reason)}</blockquote>")
        if not d.is_open:
            now = (f" to <b>{escape(status_words(d.resolved_status, d.disputed_status))}</b>"
                   if d.resolved_status else "")
            text += (f"<p><b>{escape(OUTCOME_WORDS[d.outcome].capitalize())}</b>{now} by {escape(d.resolver or '')} "
                     f"on {_date(d.resolved_at)}:</p><blockquote>{escape(d.response or '')}</blockquote>")
        self.details.setText(text)

    def _open(self) -> None:
        d = self.current()
        if d is not None:
            self.open_session.emit(d.session_id)

    def _answer(self, outcome: str) -> None:
        d = self.current()
        if d is not None and d.is_open:
            self.answer_wanted.emit(d, outcome)
