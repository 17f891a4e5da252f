"""The review table's model: a count, then only the pages the view shows, read on a worker.

Sorting and filtering happen in SQLite (store.sessiontable); the model
keeps at most the pages that have been looked at, so ten thousand sessions
open as fast as ten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from ...scoring.verdict import dimension_label, figure
from ...store.sessiontable import DIMENSIONS, SessionQuery, SessionRow, count_sessions, dimensions_in, session_rows
from ..astyped import as_tooltip
from ..tasks import Tasks
from .tables import two_lines

PAGE = 200


def columns_for(dimensions: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("trainee", "Trainee"), ("scenario", "Scenario"), ("started", "Date"), ("duration", "Duration"),
            ("status", "Status"), ("score", "Score"), *[(d, two_lines(dimension_label(d))) for d in dimensions]]


COLUMNS = columns_for(DIMENSIONS)  # a store's sessions scored on a coach's own dimension add a column each
STATUS_WORDS = {"completed": "completed", "ended_by_trainee": "stopped by trainee", "interrupted": "interrupted",
                "in_progress": "in progress"}


def _first_page(store, query: SessionQuery):
    dimensions = dimensions_in(store)
    return count_sessions(store, query), session_rows(store, query, 0, PAGE, dimensions), dimensions


class SessionTableModel(QAbstractTableModel):
    rows_ready = Signal()  # the first page of the current query is in
    columns_changed = Signal()  # a coach's own dimension came or went with the store's sessions
    failed = Signal(object)

    def __init__(self, tasks: Tasks, parent=None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.store = None
        self.query = SessionQuery()
        self.total = 0
        self._pages: dict[int, list[SessionRow]] = {}
        self._asked: set[int] = set()
        self._generation = 0
        self.dimensions = DIMENSIONS
        self.columns = COLUMNS

    # -- what is shown -----------------------------------------------------------------------
    def set_store(self, store) -> None:
        self.store = store
        self.refresh()

    def set_query(self, query: SessionQuery) -> None:
        self.query = query
        self.refresh()

    def refresh(self) -> None:
        """Read the count and first page again (after a filter, an override or an import)."""
        if self.store is None:
            return
        self._generation += 1
        generation = self._generation
        self.tasks.run(_first_page, self.store, self.query,
                       done=lambda got: self._first_arrived(generation, *got), failed=self.failed.emit)

    def _first_arrived(self, generation: int, total: int, rows: list[SessionRow], dimensions: tuple[str, ...]) -> None:
        if generation != self._generation:
            return  # a newer filter has been asked for meanwhile
        changed = dimensions != self.dimensions
        self.beginResetModel()
        self.total, self._pages, self._asked = total, {0: rows}, {0}
        self.dimensions, self.columns = dimensions, columns_for(dimensions)
        self.endResetModel()
        if changed:
            self.columns_changed.emit()
        self.rows_ready.emit()

    def _ask(self, page: int) -> None:
        if page in self._asked or self.store is None:
            return
        self._asked.add(page)
        generation = self._generation
        self.tasks.run(session_rows, self.store, self.query, page * PAGE, PAGE, self.dimensions,
                       done=lambda rows: self._page_arrived(generation, page, rows), failed=self.failed.emit)

    def _page_arrived(self, generation: int, page: int, rows: list[SessionRow]) -> None:
        if generation != self._generation:
            return
        self._pages[page] = rows
        last = min(self.total, (page + 1) * PAGE) - 1
        self.dataChanged.emit(self.index(page * PAGE, 0), self.index(last, len(self.columns) - 1))

    def row(self, n: int) -> SessionRow | None:
        rows = self._pages.get(n // PAGE)
        if rows is None:
            self._ask(n // PAGE)
            return None
        return rows[n % PAGE] if n % PAGE < len(rows) else None

    def loaded_row_of(self, session_id: str | None) -> int | None:
        """The row of a session among the pages read so far, if it is there."""
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r.id == session_id:
                    return page * PAGE + i
        return None

    # -- Qt's model interface -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.columns[section][1]
        if orientation == Qt.Horizontal and role == Qt.ToolTipRole:
            return self.columns[section][1].replace("-\n", "-").replace("\n", " ")
        return None

    _ROLES = frozenset({Qt.DisplayRole, Qt.TextAlignmentRole, Qt.ToolTipRole, Qt.UserRole})

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        # The view asks every visible cell for a dozen roles; answering the unused ones before any other work
        # keeps the GUI thread's share of the interpreter small while a worker reads the next page.
        if role not in self._ROLES or not index.isValid():
            return None
        r = self.row(index.row())
        key = self.columns[index.column()][0]
        if r is None:
            return "…" if role == Qt.DisplayRole and index.column() == 0 else None
        if role == Qt.DisplayRole:
            return self._text(r, key)
        if role == Qt.TextAlignmentRole and key in ("duration", "score", *self.dimensions):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            if key == "scenario":
                return as_tooltip(r.scenario_title)  # the column may be narrower than the title
            notes = ["imported from a bundle"] if r.origin == "imported" else []
            if r.reviewed:
                notes.append("a manager changed a verdict: this is the reviewed score")
            if r.marked_reviewed:
                notes.append("✓ marked reviewed")
            return "; ".join(notes) or None
        if role == Qt.UserRole:
            return r.id
        return None

    def _text(self, r: SessionRow, key: str) -> str:
        if key == "trainee":
            return r.trainee + (" (imported)" if r.origin == "imported" else "")
        if key == "scenario":
            return r.scenario_title
        if key == "started":
            return dt.datetime.fromtimestamp(r.started_at).strftime("%Y-%m-%d %H:%M")
        if key == "duration":
            return "" if r.duration_s is None else f"{int(r.duration_s) // 60}:{int(r.duration_s) % 60:02d}"
        if key == "status":  # "reviewed" too: marking a session reviewed left the list as it was
            return STATUS_WORDS.get(r.status, r.status) + (" ✓" if r.marked_reviewed else "")
        if key == "score":
            return "" if r.score is None else figure(r.score) + (" ✎" if r.reviewed else "")
        value = r.dimensions.get(key)
        return "" if value is None else figure(value)

    def sort(self, column: int, order=Qt.DescendingOrder) -> None:
        self.set_query(replace(self.query, sort=self.columns[column][0], descending=order == Qt.DescendingOrder))
