"""A bar per rubric dimension, painted directly (the Essentials wheel has no QtCharts)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..scoring.verdict import figure
from .theme import colours


def score_colour(score: float) -> QColor:
    c = colours()  # at paint time: a theme switch repaints with the new theme's colours
    return c.good if score >= 70 else c.mixed if score >= 40 else c.poor


class DimensionChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAccessibleName("Score per dimension")

    def set_scores(self, bars: list[tuple[str, float]]) -> None:
        self.bars = bars
        self.setAccessibleDescription("; ".join(f"{label}: {figure(score)} out of 100" for label, score in bars))
        self.setToolTip(self.accessibleDescription())
        self.updateGeometry()
        self.update()

    def _row(self) -> int:
        return int(self.fontMetrics().height() * 1.8)

    def _columns(self) -> tuple[int, int]:
        """The widths of the labels' column and of the scores' column; the bars have what is left."""
        fm = self.fontMetrics()
        label_w = max([fm.horizontalAdvance(label) for label, _ in self.bars] + [0]) + fm.horizontalAdvance("MM")
        return label_w, fm.horizontalAdvance("88.8  ")  # a score kept to a tenth (verdict.figure)

    def sizeHint(self) -> QSize:
        return QSize(max(self.fontMetrics().horizontalAdvance("M") * 40, self.minimumSizeHint().width()),
                     self._row() * max(1, len(self.bars)) + 4)

    def minimumSizeHint(self) -> QSize:
        # The labels, the scores and a short bar: at 200 % text the width of 40 Ms was wider than the results'
        # pane on a 1366 px screen, and the pane cut the scores off.
        label_w, number_w = self._columns()
        return QSize(label_w + number_w + self.fontMetrics().horizontalAdvance("M") * 6,
                     self._row() * max(1, len(self.bars)) + 4)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        label_w, number_w = self._columns()
        bar_w = max(10, self.width() - label_w - number_w)
        row = self._row()
        text = self.palette().color(QPalette.WindowText)
        track = self.palette().color(QPalette.AlternateBase).darker(110)
        for i, (label, score) in enumerate(self.bars):
            y = i * row
            p.setPen(text)
            p.drawText(QRectF(0, y, label_w, row), Qt.AlignVCenter | Qt.AlignLeft, label)
            bar = QRectF(label_w, y + row * 0.25, bar_w, row * 0.5)
            p.setPen(Qt.NoPen)
            p.setBrush(track)
            p.drawRoundedRect(bar, 3, 3)
            p.setBrush(score_colour(score))
            p.drawRoundedRect(QRectF(bar.x(), bar.y(), bar_w * max(0.0, min(score, 100.0)) / 100, bar.height()), 3, 3)
            p.setPen(text)
            p.drawText(QRectF(label_w + bar_w, y, number_w, row), Qt.AlignVCenter | Qt.AlignRight, figure(score))
        p.end()
