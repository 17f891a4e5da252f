"""Review mode's read-only tables: one way to make them, so every tab's tables behave alike."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QStyledItemDelegate, QTableWidget, QTableWidgetItem, QTreeView

from .frozen import KeepsFirstColumn


def read_only_table(headers: list[str], name: str, *, stretch: str = "first", single: bool = False,
                    wrap_last: int = 0) -> QTableWidget:
    """`stretch`: the column that takes the spare width. "first" (the row's name) for tables of figures: a
    stretched last column put a figure like "Share" some 900 px from the name it belongs to; "last" where the
    last column is text (who made an assignment, a certificate's progress). `wrap_last`: a last column of
    sentences, at most that many characters wide, its text wrapped onto more lines."""
    table = _FiguresTable(0, len(headers))
    table.keep_first_column()  # where the figures leave the names too little room, the table scrolls sideways
    table.wrap_last = wrap_last
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    if single:
        table.setSelectionMode(QTableWidget.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    if stretch == "first":
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
    else:
        table.horizontalHeader().setStretchLastSection(True)
    return table


def two_lines(label: str) -> str:
    """A dimension's name on two lines where it has two words ("Problem\nsolving"): seven of them side by side on
    one line each pushed the sessions and scenarios tables past 1366 px."""
    for cut in (" ", "-"):
        if cut in label:
            head, tail = label.split(cut, 1)
            return f"{head}{cut.strip()}\n{tail}"
    return label


def fill_table(table: _FiguresTable, rows: list[list[str]]) -> None:
    """Rows of text; figures (after the first column) right-aligned."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0 and text[:1].isdigit():
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            table.setItem(r, c, item)
    table.make_room_for_names()


class _FiguresTable(KeepsFirstColumn, QTableWidget):
    """A stretched name column takes only what the figures leave: at 150 % text on a 1366x768 screen that was
    nothing, and a scenario read "B…". Where the figures leave too little, the names keep their width (up to a
    long title's) and the table scrolls sideways instead; decided again whenever the rows or the width change."""

    wrap_last = 0

    def make_room_for_names(self) -> None:
        header = self.horizontalHeader()
        if header.stretchLastSection() or self.columnCount() < 2:
            return
        widths = [max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(1, self.columnCount())]
        if self.wrap_last:
            # A long "where it goes wrong" ran off the right edge at 1366 px: it wraps in a column of its own width.
            widths[-1] = min(widths[-1], self.fontMetrics().horizontalAdvance("m") * self.wrap_last)
            last = self.columnCount() - 1
            header.setSectionResizeMode(last, QHeaderView.Interactive)  # a column added since is the last now
            header.resizeSection(last, widths[-1])
        figures = sum(widths)
        names = max(self.sizeHintForColumn(0), header.sectionSizeHint(0))
        if names + figures <= self.viewport().width():
            header.setSectionResizeMode(0, QHeaderView.Stretch)
        else:
            # Kept in view as the table scrolls, a long name (a criterion's sentence) is wrapped onto two lines
            # rather than take most of the width: at 200 % text it left the figures a third of a 1366 px screen.
            header.setSectionResizeMode(0, QHeaderView.Interactive)
            header.resizeSection(0, min(names, self.fontMetrics().horizontalAdvance("M") * 40,
                                        max(self.fontMetrics().horizontalAdvance("M") * 12,
                                            int(self.viewport().width() * 0.4))))
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped text, and never less than the table's usual row height: made
        taller for a narrow window, they are made shorter again when it widens."""
        self.resizeRowsToContents()
        least = self.verticalHeader().defaultSectionSize()
        for row in range(self.rowCount()):
            if self.rowHeight(row) < least:
                self.setRowHeight(row, least)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.make_room_for_names()


class WrappingRows(QStyledItemDelegate):
    """Rows as tall as their wrapped text in the tree's current column widths. QTreeView's word wrap paints
    wrapped text but sizes every row for one line, so a long criterion was cut off with "…"."""

    def __init__(self, tree: QTreeView) -> None:
        super().__init__(tree)
        self.tree = tree
        tree.setWordWrap(True)
        tree.setUniformRowHeights(False)
        tree.header().sectionResized.connect(lambda *_: tree.doItemsLayout())
        tree.setItemDelegate(self)

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        # The style's own text margins: with more taken off, a column sized to its contents (a date) counted as
        # wrapping onto two lines.
        margin = self.tree.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, self.tree) + 1
        width = max(20, self.tree.header().sectionSize(index.column()) - 2 * margin)
        text = str(index.data() or "")
        needed = option.fontMetrics.boundingRect(QRect(0, 0, width, 100_000), Qt.TextWordWrap, text).height()
        # A line and a half at least: at 200 % text a row was as tall as its letters, the selection touching them.
        return QSize(size.width(), max(size.height(), needed + 4, round(option.fontMetrics.height() * 1.5)))
