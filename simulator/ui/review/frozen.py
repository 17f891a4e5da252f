"""A table's first column kept in view while the table scrolls sideways.

At 200 % text the sessions table has more columns than a 1366 px screen holds; scrolled to the rubric's
columns, the rows no longer said whose sessions they were. Qt has no frozen column: as in its "Frozen
Column" example, a second view of the same model and selection, showing only the first column, lies over the
table's left edge, and scrolls up and down with it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFrame, QHeaderView, QTableView
from shiboken6 import isValid


class FrozenFirstColumn(QTableView):
    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.setModel(table.model())
        self.setSelectionModel(table.selectionModel())
        self.setFocusPolicy(Qt.NoFocus)  # the keys stay with the table beneath
        self.setAccessibleName("")  # a screen reader reads the table itself, not this copy of its first column
        self.verticalHeader().hide()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(table.verticalScrollMode())
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setFrameShape(QFrame.NoFrame)  # with a frame of its own its rows sat a pixel below the table's
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)  # its edge dragged widens the table's column
        header.setHighlightSections(False)
        header.setSortIndicatorShown(table.horizontalHeader().isSortIndicatorShown())
        header.setSectionsClickable(True)
        table.viewport().stackUnder(self)
        # Scrolled a whole column at a time, the table stopped with its last column cut off at the right.
        table.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)

        theirs = table.horizontalHeader()
        theirs.sectionResized.connect(lambda column, _old, new: column == 0 and self.place())
        # A new text size changes the header's height after the table's own events: placed again once it has.
        theirs.geometriesChanged.connect(self.place)
        header.sectionResized.connect(lambda column, _old, new: column == 0 and new != table.columnWidth(0)
                                      and table.setColumnWidth(0, new))
        theirs.sortIndicatorChanged.connect(self._sorted_there)
        header.sortIndicatorChanged.connect(self._sorted_here)
        table.verticalHeader().sectionResized.connect(lambda row, _old, new: self.setRowHeight(row, new))
        self.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        table.horizontalScrollBar().valueChanged.connect(self._scrolled)
        table.horizontalScrollBar().rangeChanged.connect(self._scrolled)
        model = table.model()
        for signal in (model.modelReset, model.columnsInserted, model.columnsRemoved, model.layoutChanged):
            signal.connect(self._columns)
        self.clicked.connect(lambda _index: table.setFocus(Qt.MouseFocusReason))
        self.doubleClicked.connect(table.doubleClicked.emit)
        table.installEventFilter(self)
        self._sorted_there(theirs.sortIndicatorSection(), theirs.sortIndicatorOrder())
        self._columns()

    def _columns(self) -> None:
        for column in range(self.model().columnCount()):
            self.setColumnHidden(column, column != 0)
        self.place()

    def _scrolled(self) -> None:
        """Shown only while the table is scrolled sideways, where the column itself has gone from view; a sideways
        scroll moves nothing else, so it is placed only as it appears."""
        if not isValid(self.table):
            return
        shown = self.table.horizontalScrollBar().value() > 0
        if shown and not self.isVisible():
            self.place()
        else:
            self.setVisible(shown)

    def place(self) -> None:
        """Over the table's first column, the same size, looking as it does (after a new size, font or model)."""
        table = self.table
        if not isValid(table):  # the model's signals can still come while the table is being destroyed
            return
        scrolled = table.horizontalScrollBar().value() > 0
        self.setVisible(scrolled)
        if not scrolled:
            return
        self.setSelectionBehavior(table.selectionBehavior())  # set on the table after this view was made
        self.setSelectionMode(table.selectionMode())
        self.setAlternatingRowColors(table.alternatingRowColors())
        self.horizontalHeader().setSortIndicatorShown(table.horizontalHeader().isSortIndicatorShown())
        self.setColumnWidth(0, table.columnWidth(0))
        self.verticalHeader().setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
        self.horizontalHeader().setFixedHeight(table.horizontalHeader().height())
        self.setFont(table.font())
        frame = table.frameWidth()
        left = frame + (table.verticalHeader().width() if table.verticalHeader().isVisible() else 0)
        self.setGeometry(left, frame, table.columnWidth(0),
                         table.viewport().height() + table.horizontalHeader().height())
        self.verticalScrollBar().setValue(table.verticalScrollBar().value())

    def _sorted_here(self, column: int, order: Qt.SortOrder) -> None:
        theirs = self.table.horizontalHeader()
        if (theirs.sortIndicatorSection(), theirs.sortIndicatorOrder()) != (column, order):
            theirs.setSortIndicator(column, order)

    def _sorted_there(self, column: int, order: Qt.SortOrder) -> None:
        mine = self.horizontalHeader()
        if (mine.sortIndicatorSection(), mine.sortIndicatorOrder()) != (column, order):
            mine.blockSignals(True)
            mine.setSortIndicator(column, order)
            mine.blockSignals(False)
            mine.viewport().update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() in (QEvent.Resize, QEvent.FontChange, QEvent.StyleChange):
            self.place()
            QTimer.singleShot(0, self.place)  # and again once the table has laid itself out in the new size
        return super().eventFilter(watched, event)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not sideways_wheel(self.table, event):
            super().wheelEvent(event)


def sideways_wheel(table: QTableView, event) -> bool:
    """Shift and the wheel scroll sideways, as in most desktop programs (Qt itself takes Alt); True if it did."""
    delta = event.angleDelta()
    if not event.modifiers() & Qt.ShiftModifier or delta.x() or not delta.y():
        return False
    bar = table.horizontalScrollBar()
    bar.setValue(bar.value() - round(delta.y() / 120 * QApplication.wheelScrollLines() * max(bar.singleStep(), 20)))
    event.accept()
    return True


class KeepsFirstColumn:
    """For a table view class: `keep_first_column` lays the copy of its first column over it, and scrolling to a
    row or cell takes that copy into account."""

    frozen: FrozenFirstColumn | None = None

    def keep_first_column(self) -> None:
        self.frozen = FrozenFirstColumn(self)
        # Headers of a selected row's cells turned bold and no longer fitted ("Professionalis").
        self.horizontalHeader().setHighlightSections(False)

    def scrollTo(self, index, hint=QAbstractItemView.EnsureVisible) -> None:  # noqa: N802 (Qt's name)
        """Up and down as any table; sideways never for the first column (it is always in view: a row chosen there
        sent the table back to its left edge), and a cell the first column would cover (Left, with the keys) is
        brought out from under it."""
        sideways = self.horizontalScrollBar()
        kept = sideways.value()
        super().scrollTo(index, hint)
        if self.frozen is None or not index.isValid():
            return
        if index.column() == 0:
            sideways.setValue(kept)
        elif sideways.value() > 0:
            covered = self.columnWidth(0) - self.columnViewportPosition(index.column())
            if covered > 0:
                sideways.setValue(sideways.value() - covered)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.frozen is None or not sideways_wheel(self, event):
            super().wheelEvent(event)


class TableWithFrozenColumn(KeepsFirstColumn, QTableView):
    """A table view whose first column stays in view, once its model is set."""

    def setModel(self, model) -> None:  # noqa: N802 (Qt's name)
        super().setModel(model)
        self.keep_first_column()
