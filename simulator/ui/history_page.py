"""My sessions: the trainee's own kept sessions, the score that counts, and how their disputes stand.

An answer to a dispute may come days after the session; this is where the
trainee finds it, and from here they open that session's results again.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ..scoring.verdict import figure, item_label
from ..store.database import INTERRUPTED
from ..store.disputes import dispute_words
from ..store.my_sessions import HistoryRow
from .review.tables import WrappingRows
from .theme import set_relative_font


def disputes_cell(row: HistoryRow) -> str:
    parts = []
    if row.open_disputes:
        parts.append(f"{row.open_disputes} waiting for an answer")
    if row.answered_disputes:
        parts.append(f"{row.answered_disputes} answered")
    return ", ".join(parts)


def score_cell(row: HistoryRow) -> str:
    s = row.summary
    if s.score is None:
        # A break or a quit mid-call is kept as interrupted: said, so it does not read as a call that went unscored.
        return "interrupted, not scored" if s.status == INTERRUPTED else "not scored"
    return figure(s.score) + (f" (changed by your manager from {figure(s.overall)})" if s.reviewed_overall is not None
                               and s.overall is not None and round(s.reviewed_overall) != round(s.overall) else "")


class HistoryPage(QWidget):
    open_result = Signal(str)  # a session id: show its results again
    library = Signal()
    chosen = Signal(str)  # a session id whose disputes are wanted (read on a worker by the window)
    import_wanted = Signal()  # take in the manager's answers from a bundle
    send_wanted = Signal()  # write the trainee's sessions, with their disputes, to a bundle for the manager

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("My sessions")
        set_relative_font(heading, 1.4, bold=True)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Date", "Scenario", "Score", "Disputes"])
        self.table.setAccessibleName("My sessions")
        # The scenario takes the spare width and wraps: the last column took half of it, and a title read "…abus…".
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(1, QHeaderView.Stretch)
        WrappingRows(self.table)
        self.empty = QLabel("No kept sessions yet: sessions played in assessed mode appear here.")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.RichText)
        self._unscored: set[str] = set()
        self.details.setAccessibleName("Disputes of the chosen session")
        self.open_button = QPushButton("&Open the results")
        self.open_button.setEnabled(False)
        self.library_button = QPushButton("Back to the &library")
        self.import_button = QPushButton("&Take in my manager's answers…")
        self.import_button.setToolTip("Your manager answers your disputes in review mode and sends you a bundle; "
                                      "open it here. Only your own sessions' disputes are read from it.")
        self.send_button = QPushButton("&Send to my manager…")
        self.send_button.setToolTip("Saves your kept sessions, with your disputes, in one signed file: give it to your "
                                    "manager, who opens it in review mode (File → Import bundles).")
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.library_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.table.currentItemChanged.connect(self._chosen)
        self.table.itemActivated.connect(lambda item, _: self.open_result.emit(item.data(0, Qt.UserRole)))
        self.open_button.clicked.connect(self._open)
        self.library_button.clicked.connect(self.library.emit)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.library.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.setWhatsThis("Back: to the library, or to My sessions for a session opened from there")
        self.import_button.clicked.connect(self.import_wanted.emit)
        self.send_button.clicked.connect(self.send_wanted.emit)

    def show_history(self, rows: list[HistoryRow]) -> None:
        self.table.clear()
        self._unscored = {r.summary.id for r in rows if r.summary.score is None}
        for r in rows:
            s = r.summary
            item = QTreeWidgetItem([dt.datetime.fromtimestamp(s.started_at).strftime("%Y-%m-%d %H:%M"),
                                    s.scenario_title, score_cell(r), disputes_cell(r)])
            item.setData(0, Qt.UserRole, s.id)
            self.table.addTopLevelItem(item)
        for column in (0, 2, 3):
            self.table.resizeColumnToContents(column)
        self.empty.setVisible(not rows)
        self.send_button.setEnabled(bool(rows))
        self.details.setText("")
        self.open_button.setEnabled(False)
        if rows:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        self.table.setFocus()

    def show_disputes(self, session_id: str, disputes: list) -> None:
        if self.current_session() != session_id:
            return  # the trainee moved on while it was read
        if not disputes and session_id in self._unscored:
            # A break or a call cut short has no verdicts: inviting a dispute there points at nothing.
            self.details.setText("This call was stopped before its end, so it has no score and nothing to dispute. "
                                 "Play the scenario again when you are ready.")
        elif not disputes:
            self.details.setText("You have not disputed any verdict of this session. Open the results to dispute one.")
        else:
            self.details.setText("".join(f"<p><b>{escape(item_label(d.item))}</b>: {escape(dispute_words(d))}<br>"
                                         f"<i>You wrote: “{escape(d.reason)}”</i></p>" for d in disputes))

    def current_session(self) -> str | None:
        item = self.table.currentItem()
        return None if item is None else item.data(0, Qt.UserRole)

    def _chosen(self, item, _previous) -> None:
        self.open_button.setEnabled(item is not None)
        if item is not None:
            self.details.setText("")
            self.chosen.emit(item.data(0, Qt.UserRole))

    def _open(self) -> None:
        session_id = self.current_session()
        if session_id:
            self.open_result.emit(session_id)
