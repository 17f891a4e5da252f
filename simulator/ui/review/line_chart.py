"""Scores over time, one line per series, painted directly (the Essentials wheel has no QtCharts)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# Colour-blind-safe (Okabe-Ito); each series is also named in the legend and drawn with its own marker.
COLOURS = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00"]


class LineChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[tuple[str, list[tuple[float, float]]]] = []
        self.same_as: dict[str, tuple[str, int]] = {}
        self.nudges: dict[str, int] = {}
        self.drawn_points = 0  # markers painted last time, per the data (tests read it)
        self.drawn_lines: dict[str, list[tuple[float, float]]] = {}  # where each series was painted, in pixels
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setAccessibleName("Scores over time")

    def set_series(self, series: list[tuple[str, list[tuple[float, float]]]]) -> None:
        self.series = [(label, sorted(points)) for label, points in series]
        self.same_as = _same_as(self.series)
        self.nudges = _nudges(self.series)
        parts = []
        for label, points in self.series:
            if points:
                parts.append(f"{label}: {len(points)} sessions, first {points[0][1]:.0f}, latest {points[-1][1]:.0f}")
        self.setAccessibleDescription("; ".join(parts) or "no scored sessions")
        self.setToolTip(self.accessibleDescription())
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance("M") * 60, fm.height() * 18)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fm = self.fontMetrics()
        text = self.palette().color(QPalette.WindowText)
        grid = self.palette().color(QPalette.Mid)
        legend_h = fm.height() * 1.6
        left, right, top, bottom = fm.horizontalAdvance("100 "), fm.horizontalAdvance("M"), legend_h + 4, fm.height() * 1.8
        plot = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        xs = [x for _, pts in self.series for x, _ in pts]
        self.drawn_points = 0
        self.drawn_lines = {}
        p.setPen(QPen(grid, 1, Qt.DotLine))
        for score in (0, 25, 50, 75, 100):
            y = plot.bottom() - plot.height() * score / 100
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, left - 4, fm.height()), Qt.AlignRight | Qt.AlignVCenter, str(score))
            p.setPen(QPen(grid, 1, Qt.DotLine))
        if not xs:
            p.setPen(text)
            p.drawText(plot, Qt.AlignCenter, "No scored sessions yet")
            p.end()
            return
        lo, hi = min(xs), max(xs)
        span = hi - lo or 1.0

        def at(x: float, y: float, nudge: float = 0.0) -> QPointF:
            return QPointF(plot.left() + plot.width() * ((x - lo) / span if hi > lo else 0.5),
                           plot.bottom() - plot.height() * max(0.0, min(100.0, y)) / 100 + nudge)
        p.setPen(text)
        for x, align in ((lo, Qt.AlignLeft), (hi, Qt.AlignRight)):
            label = dt.datetime.fromtimestamp(x).strftime("%Y-%m-%d")
            p.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), align | Qt.AlignTop, label)
        x_legend = plot.left()
        for i, (label, points) in enumerate(self.series):
            colour = QColor(COLOURS[i % len(COLOURS)])
            if colour == QColor("#000000"):
                colour = text  # the overall line follows the theme's text colour (readable in dark mode)
            pen = QPen(colour, 3 if i == 0 else 1.5)
            p.setPen(pen)
            # A series sharing points with earlier ones would be painted exactly over them: it is drawn a few
            # pixels lower (under one score point), and the legend names an identical one, so all can be seen.
            nudge = 3.0 * self.nudges.get(label, 0)
            path = QPainterPath()
            for n, (x, y) in enumerate(points):
                (path.moveTo if n == 0 else path.lineTo)(at(x, y, nudge))
            self.drawn_lines[label] = [(at(x, y, nudge).x(), at(x, y, nudge).y()) for x, y in points]
            p.setBrush(Qt.NoBrush)
            p.drawPath(path)
            p.setBrush(colour)
            size = 3.5 if i == 0 else 2.5
            for x, y in points:
                self._marker(p, at(x, y, nudge), size, i)
                self.drawn_points += 1
            p.setPen(text)
            label = self.legend(label)
            p.drawText(QPointF(x_legend + 14, fm.ascent() + 2), label)
            p.setPen(pen)
            self._marker(p, QPointF(x_legend + 5, fm.height() / 2 + 2), size, i)
            x_legend += fm.horizontalAdvance(label) + 30
        p.end()

    def legend(self, label: str) -> str:
        return f"{label} (same as {self.same_as[label][0]})" if label in self.same_as else label

    @staticmethod
    def _marker(p: QPainter, c: QPointF, r: float, kind: int) -> None:
        if kind % 3 == 0:
            p.drawEllipse(c, r, r)
        elif kind % 3 == 1:
            p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        else:
            p.drawPolygon([QPointF(c.x(), c.y() - r * 1.3), QPointF(c.x() - r * 1.2, c.y() + r),
                           QPointF(c.x() + r * 1.2, c.y() + r)])


def _same_as(series: list[tuple[str, list[tuple[float, float]]]]) -> dict[str, tuple[str, int]]:
    """Series with the very same points as an earlier one: label -> (the first such, how many came before)."""
    first: dict[tuple, list[str]] = {}
    for label, points in series:
        if points:
            first.setdefault(tuple(points), []).append(label)
    return {label: (labels[0], n) for labels in first.values() for n, label in enumerate(labels) if n}


def _nudges(series: list[tuple[str, list[tuple[float, float]]]]) -> dict[str, int]:
    """How many earlier series each one shares a point with: that many steps down, so none hides another."""
    out, seen = {}, []
    for label, points in series:
        mine = set(points)
        out[label] = sum(1 for earlier in seen if earlier & mine)
        seen.append(mine)
    return out
