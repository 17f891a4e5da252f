"""A row of controls that wraps onto the next line when the window is narrow or the text is large.

At 200 % text on a 1366-pixel screen the call's controls do not fit on one line; a row that wraps keeps
every one of them on screen, in the same order, instead of pushing the window wider than the screen.

A widget that places its children itself, not a QLayout subclass: a layout written in Python keeps Qt's
layout items in Python, and those can outlive the widgets they stand for when the page is destroyed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtWidgets import QSizePolicy, QStyle, QWidget


class FlowRow(QWidget):
    """Children left to right, wrapping as words do. After `addStretch()`, the children added sit at the right
    of their line (as after a stretch in a QHBoxLayout)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._children: list[tuple[QWidget, bool]] = []  # each child, and whether it is pushed to the right
        self._right = False
        self._reported = -1  # the height minimumSizeHint last gave
        policy = QSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def addWidget(self, widget: QWidget) -> None:
        widget.setParent(self)
        widget.installEventFilter(self)  # shown or hidden: the lines change
        self._children.append((widget, self._right))
        if self.isVisible() and not widget.isHidden():
            widget.show()
        self._changed()

    def addStretch(self, stretch: int = 1) -> None:  # noqa: ARG002 - called as QBoxLayout.addStretch is
        self._right = True

    # -- size ----------------------------------------------------------------------------------
    def _gap(self, orientation: Qt.Orientation = Qt.Horizontal) -> int:
        """The style's space between two buttons (Fusion answers -1: "the layout spacing", which it gives)."""
        style = self.style()
        gap = style.layoutSpacing(QSizePolicy.PushButton, QSizePolicy.PushButton, orientation)
        if gap < 0:
            gap = style.pixelMetric(QStyle.PM_LayoutHorizontalSpacing if orientation == Qt.Horizontal
                                    else QStyle.PM_LayoutVerticalSpacing)
        return gap if gap >= 0 else 6

    def _shown(self) -> list[tuple[QWidget, bool]]:
        return [(w, right) for w, right in self._children if not w.isHidden()]

    def _lines(self, width: int) -> list[list[tuple[QWidget, bool]]]:
        gap, lines, used = self._gap(), [[]], 0
        for widget, right in self._shown():
            w = widget.sizeHint().width()
            if lines[-1] and used + gap + w > width:
                lines.append([])
                used = 0
            used += (gap if lines[-1] else 0) + w
            lines[-1].append((widget, right))
        return [line for line in lines if line]

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        lines = self._lines(width)
        gap = self._gap(Qt.Vertical)
        return sum(max(w.sizeHint().height() for w, _ in line) for line in lines) + gap * max(0, len(lines) - 1)

    def sizeHint(self) -> QSize:
        """Everything on one line, where there is room for it."""
        shown = self._shown()
        width = sum(w.sizeHint().width() for w, _ in shown) + self._gap() * max(0, len(shown) - 1)
        return QSize(width, max((w.sizeHint().height() for w, _ in shown), default=0))

    def minimumSizeHint(self) -> QSize:
        """As narrow as the widest child; as tall as the lines need at the width the row has now."""
        widest = max((w.minimumSizeHint().expandedTo(w.minimumSize()).width() for w, _ in self._shown()), default=0)
        width = self.width() if self.width() > widest else self.sizeHint().width()
        self._reported = self.heightForWidth(width)
        return QSize(widest, self._reported)

    # -- placing ---------------------------------------------------------------------------------
    def _place(self) -> None:
        gap = self._gap()
        vgap = self._gap(Qt.Vertical)
        width, y = self.width(), 0
        for line in self._lines(width):
            height = max(w.sizeHint().height() for w, _ in line)
            x = 0
            for widget, _ in (item for item in line if not item[1]):
                w = min(widget.sizeHint().width(), width)
                widget.setGeometry(QRect(x, y, w, height))
                x += w + gap
            x = width
            for widget, _ in reversed([item for item in line if item[1]]):
                w = min(widget.sizeHint().width(), width)
                x -= w
                widget.setGeometry(QRect(max(0, x), y, w, height))
                x -= gap
            y += height + vgap

    def _changed(self) -> None:
        self._place()
        self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()
        if event.oldSize().width() != event.size().width() and self.heightForWidth(self.width()) != self._reported:
            self.updateGeometry()  # wrapped onto more lines, or fewer: the least height the row asks for changes

    def event(self, event) -> bool:
        if event.type() == QEvent.LayoutRequest:  # a child's size changed (its text, the text size)
            self._changed()
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.ShowToParent, QEvent.HideToParent):
            self._changed()
        return False
