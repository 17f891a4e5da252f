"""The list of a file's problems: where, what, and how to fix it, each read in full.

A tree view lays rows out before it knows its column widths, so wrapped text
would be cut to one line; the delegate measures each cell at its column's
width, and rows are measured again whenever a column is resized.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QStyledItemDelegate, QTreeWidget, QTreeWidgetItem

from ...errors import Problem
from ..astyped import as_tooltip

MARGIN = 8  # the cell's padding on both sides, as the style draws it


class _Wrapping(QStyledItemDelegate):
    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 (Qt's name)
        if index.column() == 0:  # the place is sized to its text, never wrapped
            return super().sizeHint(option, index)
        width = max(self.tree.header().sectionSize(index.column()) - MARGIN, 20)
        text = str(index.data() or "")
        box = option.fontMetrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
        return QSize(width, box.height() + MARGIN // 2)


class ProblemList(QTreeWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels(["Where", "Problem", "How to fix it"])
        self.setRootIsDecorated(False)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setItemDelegate(_Wrapping(self))
        self.setAccessibleName("Problems in the selected file")
        # The message is what the coach reads: it gets the room, the place fits its text.
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(lambda *_: QTimer.singleShot(0, self.doItemsLayout))
        self._share_room()

    # The fix's share of the room the place leaves. A fixed 24 letters' width, at 200 % text, squeezed the problem
    # to three words a line beside it.
    FIX_SHARE = 0.4

    def _share_room(self) -> None:
        """The fix takes its share, never more than the problem, and only a little where no problem has one."""
        header = self.header()
        room = self.viewport().width() - header.sectionSize(0)
        least = self.fontMetrics().horizontalAdvance("M") * 8
        hinted = any(self.topLevelItem(i).text(2) for i in range(self.topLevelItemCount()))
        share = min(max(least, int(room * self.FIX_SHARE)), room // 2) if hinted else least
        header.resizeSection(2, max(share, self.fontMetrics().horizontalAdvance("How to fix it") + 16))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._share_room()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._share_room()

    def show_problems(self, problems: Iterable[Problem] | None) -> None:
        """The problems of one file; None when no file is selected."""
        self.clear()
        if problems is None:
            return
        problems = list(problems)
        for p in problems:
            where = Path(p.file).name + (f":{p.line}" if p.line else "") + (f":{p.column}" if p.column else "")
            item = QTreeWidgetItem([where, f"{p.severity}: {p.message}", p.hint])
            for column in range(3):  # each beside the other's first line
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            item.setToolTip(1, as_tooltip(p.message))
            item.setToolTip(2, as_tooltip(p.hint))
            self.addTopLevelItem(item)
        if not problems:
            self.addTopLevelItem(QTreeWidgetItem(["", "No problems: this file is valid.", ""]))
        self._share_room()
