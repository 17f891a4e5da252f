"""Words on a rounded panel edged in a theme colour: a tip, a debrief, a content note.

Painted, not styled: a style sheet's colour would stay behind on a theme switch.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QLabel, QWidget

from .theme import colours


def paint_panel(widget: QWidget, fill: QColor, edge: QColor | None, radius: float, edge_width: float,
                right: bool = False) -> QPainterPath:
    """A rounded panel over the whole widget with a strip of `edge` down its left (or right) side; the outline,
    for a caller that draws more on it."""
    p = QPainter(widget)
    p.setRenderHint(QPainter.Antialiasing)
    r = QRectF(widget.rect()).adjusted(1, 1, -1, -1)
    path = QPainterPath()
    path.addRoundedRect(r, radius, radius)
    p.fillPath(path, fill)
    if edge is not None:
        p.setClipPath(path)
        p.fillRect(QRectF(r.right() - edge_width if right else r.left(), r.top(), edge_width, r.height()), edge)
    p.end()
    return path


class Panel(QLabel):
    def __init__(self, edge: str, fill: str | None = None) -> None:
        """`edge` and `fill` name colours of the theme (`fill` None: the palette's base)."""
        super().__init__()
        self.edge, self.fill = edge, fill
        self.setWordWrap(True)
        pad = self.fontMetrics().height() // 2
        self.setContentsMargins(pad * 2, pad, pad, pad)

    def paintEvent(self, event) -> None:
        c, h = colours(), self.fontMetrics().height()
        paint_panel(self, getattr(c, self.fill) if self.fill else self.palette().base().color(), getattr(c, self.edge),
                    h * 0.5, h * 0.25)
        super().paintEvent(event)
