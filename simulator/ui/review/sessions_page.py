"""The list of sessions: filters over a lazily loaded table; Enter or a double-click opens one."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFormLayout, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ...store.queries import Filter
from ...store.sessiontable import SessionQuery
from .frozen import TableWithFrozenColumn
from .sessions_model import STATUS_WORDS, SessionTableModel
from ...words import counted

PERIODS = [("Any time", None), ("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90),
           ("Last 12 months", 365), ("Between dates…", -1)]
ALL = "All"


class SessionsPage(QWidget):
    open_session = Signal(str)

    def __init__(self, model: SessionTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._opened: str | None = None  # the session last opened from the list
        self.locked_to: str | None = None  # the trainee whose sessions alone may be shown

        self.search = QLineEdit(placeholderText="Words in the transcript…")
        self.search.setAccessibleName("Search transcripts")
        self.search.setClearButtonEnabled(True)
        self.trainee = self._combo("Trainee filter")
        self.scenario = self._combo("Scenario filter")
        self.status = self._combo("Status filter")
        self.status.addItem(ALL, None)
        for key in ("completed", "ended_by_trainee", "interrupted"):
            self.status.addItem(STATUS_WORDS[key], key)
        self.period = self._combo("Date range")
        for text, days in PERIODS:
            self.period.addItem(text, days)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addMonths(-1), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_to = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date_from.setAccessibleName("From date")
        self.date_to.setAccessibleName("To date")
        self.min_score, self.max_score = QSpinBox(), QSpinBox()
        for box, name, value in ((self.min_score, "Lowest score", 0), (self.max_score, "Highest score", 100)):
            box.setRange(0, 100)
            box.setValue(value)
            box.setAccessibleName(name)
        self.clear = QPushButton("Clear filters")
        self.count = QLabel("Loading sessions…")
        self.count.setAccessibleName("Number of sessions shown")

        self.table = TableWithFrozenColumn()  # whose sessions they are, while scrolled to the rubric's columns
        self.table.setAccessibleName("Sessions")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setSortIndicator(2, Qt.DescendingOrder)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().sortIndicatorChanged.connect(model.sort)
        self.frozen = self.table.frozen
        self._size_columns()
        self.table.viewport().installEventFilter(self)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.open_button = QPushButton("Open session")
        self.open_button.clicked.connect(lambda: self._open(self.table.currentIndex().row()))

        filters = QHBoxLayout()
        form1, form2 = QFormLayout(), QFormLayout()
        form1.addRow("Search", self.search)
        form1.addRow("Trainee", self.trainee)
        form1.addRow("Scenario", self.scenario)
        form2.addRow("Status", self.status)
        dates = QHBoxLayout()
        dates.addWidget(self.period)
        self.date_to_label = QLabel("to")  # shown only with the two dates it joins
        dates.addWidget(self.date_from)
        dates.addWidget(self.date_to_label)
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        form2.addRow("Date", dates)
        scores = QHBoxLayout()
        scores.addWidget(self.min_score)
        scores.addWidget(QLabel("to"))
        scores.addWidget(self.max_score)
        scores.addStretch(1)
        scores.addWidget(self.clear)
        form2.addRow("Score", scores)
        filters.addLayout(form1, 1)
        filters.addLayout(form2, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply)
        self.search.textChanged.connect(self._debounce.start)
        for combo in (self.trainee, self.scenario, self.status, self.period):
            combo.currentIndexChanged.connect(self.apply)
        for box in (self.min_score, self.max_score):
            box.valueChanged.connect(self._debounce.start)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.apply)
        self.clear.clicked.connect(self.clear_filters)
        model.rows_ready.connect(self._counted)
        model.columns_changed.connect(self._size_columns)
        self._show_dates()

    def _size_columns(self) -> None:
        """Rows a line and a half high, and every column fits at 1366 px: figures and dates as wide as they need,
        names a little less than the longest, and the scenario takes what is left (its full title is in the tooltip
        and the session page). Done again when the text size changes."""
        fm = self.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(int(fm.height() * 1.5))
        pad = fm.horizontalAdvance("MM")
        sample = {"trainee": "Firstname Lastname", "started": "2026-11-23 16:57", "duration": "00:00",
                  "status": "stopped by trainee", "score": "88.8 ✎"}  # scores are kept to a tenth
        header = self.table.horizontalHeader()
        for column, (key, title) in enumerate(self.model.columns):
            text = sample.get(key, "88.8")
            widest = max(fm.horizontalAdvance(line) for line in title.split("\n"))  # a name on two lines
            narrow = key in self.model.dimensions  # seven of them: a narrower margin keeps them all on a 1366 px screen
            self.table.setColumnWidth(column, max(fm.horizontalAdvance(text), widest)
                                      + (fm.horizontalAdvance("M") if narrow else pad))
        header.setMinimumSectionSize(fm.horizontalAdvance("100") + pad)
        self._fit_scenario()
        self.frozen.place()

    def _fit_scenario(self) -> None:
        """The scenario takes the room the other columns leave, but never less than a title's first words: stretched
        to what was left at 150 % text on 1366 px it read "A caller …" and "Broadba…", so there the table scrolls
        sideways to the rubric's columns instead."""
        column = [k for k, _ in self.model.columns].index("scenario")
        others = sum(self.table.columnWidth(c) for c in range(len(self.model.columns)) if c != column)
        least = self.fontMetrics().horizontalAdvance("A caller makes sexist and") + self.fontMetrics().horizontalAdvance("MM")
        self.table.setColumnWidth(column, max(least, self.table.viewport().width() - others))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Resize:
            self._fit_scenario()
        return super().eventFilter(watched, event)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setMinimumContentsLength(14)
        return combo

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            # A new text size: sized for the old one, the headers read "oundary-settin" and "uration" at 150 %.
            self._size_columns()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.table.hasFocus():
            self._open(self.table.currentIndex().row())
            return
        super().keyPressEvent(event)

    def _open(self, row: int) -> None:
        r = self.model.row(row) if row >= 0 else None
        if r is not None:
            self._opened = r.id
            self.open_session.emit(r.id)

    def set_choices(self, trainees: list[str], scenarios: list[tuple[str, str]]) -> None:
        """The names and scenarios that have sessions; keeps what is chosen."""
        for combo, items in ((self.trainee, [(n, n) for n in trainees]), (self.scenario, [(t, i) for i, t in scenarios])):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            if combo is self.trainee and self.locked_to is not None:
                combo.addItem(self.locked_to, self.locked_to)
            else:
                combo.addItem(ALL, None)
                for text, data in items:
                    combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self.trainee.setEnabled(self.locked_to is None)

    def lock_to(self, trainee: str | None) -> None:
        """Without the review passphrase, only this trainee's own sessions are shown."""
        self.locked_to = trainee
        self.set_choices([], [])
        self.apply()

    def clear_filters(self) -> None:
        for w in (self.search, self.trainee, self.scenario, self.status, self.period, self.min_score, self.max_score):
            w.blockSignals(True)
        self.search.clear()
        for combo in (self.trainee, self.scenario, self.status, self.period):
            combo.setCurrentIndex(0)
        self.min_score.setValue(0)
        self.max_score.setValue(100)
        for w in (self.search, self.trainee, self.scenario, self.status, self.period, self.min_score, self.max_score):
            w.blockSignals(False)
        self.apply()

    def current_filter(self) -> Filter:
        days = self.period.currentData()
        since = until = None
        if days == -1:
            since = dt.datetime.combine(self.date_from.date().toPython(), dt.time()).timestamp()
            until = dt.datetime.combine(self.date_to.date().toPython() + dt.timedelta(days=1), dt.time()).timestamp()
        elif days:
            since = (dt.datetime.now() - dt.timedelta(days=days)).timestamp()
        low, high = self.min_score.value(), self.max_score.value()
        return Filter(trainee=self.locked_to or self.trainee.currentData(), scenario=self.scenario.currentData(),
                      status=self.status.currentData(), since=since, until=until,
                      min_score=low if low > 0 else None, max_score=high if high < 100 else None,
                      text=self.search.text().strip() or None)

    def apply(self) -> None:
        self._show_dates()
        self.count.setText("Filtering…")
        q = self.model.query
        self.model.set_query(SessionQuery(self.current_filter(), q.sort, q.descending))

    def _show_dates(self) -> None:
        custom = self.period.currentData() == -1
        for w in (self.date_from, self.date_to_label, self.date_to):
            w.setVisible(custom)

    def _counted(self) -> None:
        # The list is read again after a change to the open session: its row stays the current one, so Enter
        # opens it again and ↓ the next (a walker came back to row 1 and opened another session).
        row = self.model.loaded_row_of(self._opened)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))
        n = self.model.total
        self.count.setText(counted(n, "session") + (" — Enter or double-click opens one" if n else ""))
