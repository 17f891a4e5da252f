"""Words on a rounded panel edged in a theme colour: a tip, a debrief, a content note.

Painted, not styled: a style sheet's colour would stay behind on a theme switch.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QLabel

from .theme import colours


class Panel(QLabel):
    def __init__(self, edge: str, fill: str | None = None) -> None:
        """`edge` and `fill` name colours of the theme (`fill` None: the palette's base)."""
        super().__init__()
        self.edge, self.fill = edge, fill
        self.setWordWrap(True)
        pad = self.fontMetrics().height() // 2
        self.setContentsMargins(pad * 2, pad, pad, pad)

    def paintEvent(self, event) -> None:
        c = colours()
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = self.fontMetrics().height() * 0.5
        path = QPainterPath()
        path.addRoundedRect(r, radius, radius)
        p.fillPath(path, getattr(c, self.fill) if self.fill else self.palette().base())
        p.setClipPath(path)
        p.fillRect(QRectF(r.left(), r.top(), self.fontMetrics().height() * 0.25, r.height()), getattr(c, self.edge))
        p.end()
        super().paintEvent(event)
