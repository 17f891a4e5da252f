"""Scores over time, one line per series, painted directly (the Essentials wheel has no QtCharts)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...scoring.verdict import figure
from ..astyped import as_tooltip

# Colour-blind-safe (Okabe-Ito); each series is also named in the legend and drawn with its own marker.
COLOURS = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00"]
MARKER_GAP = 6.0  # pixels between markers set side by side at one spot, never up or down


class LineChart(QWidget):
    """Sessions in order along the bottom, evenly spaced (a morning's five sessions and last month's one would
    otherwise crowd into one spot), dated below; each point's score at its true height, and its session named
    when the pointer rests on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: list[tuple[str, list[tuple[float, float]]]] = []
        self.names: dict[float, str] = {}  # a point's time -> its session, for the tooltip
        self.same_as: dict[str, tuple[str, int]] = {}
        self.nudges: dict[str, dict[float, int]] = {}
        self._pad = 4.0
        self.drawn_points = 0  # markers painted last time, per the data (tests read it)
        self.drawn_lines: dict[str, list[tuple[float, float]]] = {}  # where each series was painted, in pixels
        self.drawn_ticks: list[str] = []  # the labels along the bottom, last time
        self.drawn_legend: list[tuple[str, float, float]] = []  # each legend entry and where it ran, last time
        self._order_of: tuple[list[float] | None, dict[float, int]] = (None, {})
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setAccessibleName("Scores over time")
        self.setMouseTracking(True)

    def set_series(self, series: list[tuple[str, list[tuple[float, float]]]],
                   names: dict[float, str] | None = None) -> None:
        """series: (label, [(time, score)]); names: what to call the session at each time (its scenario)."""
        self.series = [(label, sorted(points)) for label, points in series]
        self.names = dict(names or {})
        self.same_as = _same_as(self.series)
        self.nudges = _nudges(self.series)
        # The first and last sessions sit in from the edges by the widest set of markers side by side, which was
        # cut off at the right edge (worked out here, once, not for every point painted).
        self._pad = MARKER_GAP * max((abs(k) for k in _steps(len(self.series))), default=0) + 4
        parts = []
        for label, points in self.series:
            if points:
                parts.append(f"{label}: {len(points)} sessions, first {figure(points[0][1])}, latest {figure(points[-1][1])}")
        self.setAccessibleDescription("; ".join(parts) or "no scored sessions")
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance("M") * 60, fm.height() * 18)

    def _times(self) -> list[float]:
        return sorted({x for _, pts in self.series for x, _ in pts})

    def _legend_places(self) -> list[tuple[float, float]]:
        """Where each series' legend entry starts (x, the top of its line): on as many lines as the width needs. On
        one line, the last entries ran off the right edge at 200 % text ("Pro…")."""
        fm = self.fontMetrics()
        left = fm.horizontalAdvance("100 ")
        x, row, places = left, 0, []
        for label, _ in self.series:
            width = fm.horizontalAdvance(self.legend(label)) + 30
            if x > left and x + width - 16 > self.width():
                x, row = left, row + 1
            places.append((x, row * fm.height() * 1.3))
            x += width
        return places

    def _plot(self) -> QRectF:
        fm = self.fontMetrics()
        left, right = fm.horizontalAdvance("100 "), fm.horizontalAdvance("MMMM") / 2
        rows = 1 + max((round(y / (fm.height() * 1.3)) for _, y in self._legend_places()), default=0)
        top, bottom = fm.height() * (1.3 * rows + 0.3) + 4, fm.height() * 1.8
        return QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))

    def _x(self, plot: QRectF, times: list[float], x: float) -> float:
        n = len(times)
        if self._order_of[0] is not times:  # each point's place in the order, once a paint (index() made it n²)
            self._order_of = (times, {t: i for i, t in enumerate(times)})
        pad = self._pad
        return plot.left() + pad + (plot.width() - 2 * pad) * (self._order_of[1][x] / (n - 1) if n > 1 else 0.5)

    def paintEvent(self, event) -> None:  # noqa: ARG002
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fm = self.fontMetrics()
        text = self.palette().color(QPalette.WindowText)
        grid = self.palette().color(QPalette.Mid)
        plot = self._plot()
        times = self._times()
        self.drawn_points = 0
        self.drawn_lines = {}
        self.drawn_ticks = []
        self.drawn_legend = []
        p.setPen(QPen(grid, 1, Qt.DotLine))
        for score in (0, 25, 50, 75, 100):
            y = plot.bottom() - plot.height() * score / 100
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 4, fm.height()), Qt.AlignRight | Qt.AlignVCenter,
                       str(score))
            p.setPen(QPen(grid, 1, Qt.DotLine))
        if not times:
            p.setPen(text)
            p.drawText(plot, Qt.AlignCenter, "No scored sessions yet")
            p.end()
            return
        self._ticks(p, plot, times, text)

        def at(x: float, y: float, nudge: float = 0.0) -> QPointF:
            return QPointF(self._x(plot, times, x) + nudge, plot.bottom() - plot.height() * max(0.0, min(100.0, y)) / 100)
        legend_places = self._legend_places()
        for i, (label, points) in enumerate(self.series):
            colour = QColor(COLOURS[i % len(COLOURS)])
            if colour == QColor("#000000"):
                colour = text  # the overall line follows the theme's text colour (readable in dark mode)
            pen = QPen(colour, 3 if i == 0 else 1.5, Qt.SolidLine, Qt.SquareCap)  # no notch where segments meet
            p.setPen(pen)
            # A marker where an earlier series has one would be painted exactly over it: it sits beside it (at the
            # same score: the height is the value), and the legend names an identical series. Only such markers
            # move: moving a whole series put every one of its points beside its session's date.
            nudges = self.nudges.get(label, {})
            placed = [at(x, y, MARKER_GAP * nudges.get(x, 0)) for x, y in points]
            self.drawn_lines[label] = [(point.x(), point.y()) for point in placed]
            p.setBrush(Qt.NoBrush)
            # Segment by segment: stroked as one path (or polyline), 2,000 sessions took 3.7 s to paint.
            p.drawLines([QLineF(a, b) for a, b in zip(placed, placed[1:])])
            p.setBrush(colour)
            size = 3.5 if i == 0 else 2.5
            for point in placed:
                self._marker(p, point, size, i)
                self.drawn_points += 1
            p.setPen(text)
            label = self.legend(label)
            x_legend, y_legend = legend_places[i]
            p.drawText(QPointF(x_legend + 14, y_legend + fm.ascent() + 2), label)
            p.setPen(pen)
            self._marker(p, QPointF(x_legend + 5, y_legend + fm.height() / 2 + 2), size, i)
            self.drawn_legend.append((label, x_legend, x_legend + 14 + fm.horizontalAdvance(label)))
        p.end()

    def _ticks(self, p: QPainter, plot: QRectF, times: list[float], colour: QColor) -> None:
        """A date under as many sessions as have room, the first and the last always; the time of day too where
        the sessions shown fall on one day."""
        fm = self.fontMetrics()
        when = [dt.datetime.fromtimestamp(t) for t in times]
        years = {d.year for d in when}

        def day(d: dt.datetime) -> str:  # "4 Jan", or "4 Jan 2027" where the sessions span years
            return f"{d.day} {d:%b}" + (f" {d.year}" if len(years) > 1 else "")
        if len({d.date() for d in when}) == 1:
            labels = [f"{d:%H:%M}" for d in when]
            labels[0] = f"{day(when[0])} {labels[0]}"
        else:
            labels = [day(d) for d in when]
        p.setPen(colour)
        last = len(times) - 1
        order = [0, last, *range(1, last)] if last > 0 else [0]
        placed: list[tuple[float, float]] = []
        for i in order:
            width = fm.horizontalAdvance(labels[i]) + fm.horizontalAdvance("M")
            centre = self._x(plot, times, times[i])
            start = min(max(centre - width / 2, 0.0), self.width() - width)  # the ends stay inside the widget
            if any(start < b and start + width > a for a, b in placed):
                continue  # no room beside its neighbours' labels
            placed.append((start, start + width))
            p.drawText(QRectF(start, plot.bottom() + 4, width, fm.height()), Qt.AlignCenter, labels[i])
            self.drawn_ticks.append(labels[i])

    def event(self, e) -> bool:
        if e.type() == QEvent.ToolTip:
            tip = self.tip_at(e.position() if hasattr(e, "position") else QPointF(e.pos()))
            if tip:
                QToolTip.showText(e.globalPos(), as_tooltip(tip), self)
            else:
                QToolTip.showText(e.globalPos(), as_tooltip(self.accessibleDescription()), self)
            return True
        return super().event(e)

    def tip_at(self, where: QPointF) -> str:
        """The session under the pointer (within a marker's reach) and its scores, or ''."""
        best, reach = None, 10.0
        for label, pixels in self.drawn_lines.items():
            points = dict(self.series)[label]
            for (px, py), (x, _) in zip(pixels, points):
                d = ((px - where.x()) ** 2 + (py - where.y()) ** 2) ** 0.5
                if d <= reach:
                    best, reach = x, d
        if best is None:
            return ""
        at = dt.datetime.fromtimestamp(best)
        when = f"{at.day} {at:%b %Y %H:%M}"
        scores = [f"{label} {figure(dict(points)[best])}" for label, points in self.series if best in dict(points)]
        name = self.names.get(best)
        return f"{name}, {when}\n" + ", ".join(scores) if name else f"{when}\n" + ", ".join(scores)

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


def _steps(n: int) -> list[int]:
    """Where the k-th of n markers at one spot goes, in marker gaps: on it, then right and left in turn."""
    return [(k + 1) // 2 * (1 if k % 2 else -1) for k in range(n)]


def _nudges(series: list[tuple[str, list[tuple[float, float]]]]) -> dict[str, dict[float, int]]:
    """Per series, per session: how many marker gaps its marker moves, so none hides another's at that spot."""
    out: dict[str, dict[float, int]] = {}
    taken: dict[tuple[float, float], int] = {}
    steps = _steps(len(series))
    for label, points in series:
        mine = out[label] = {}
        for x, y in points:
            k = taken.get((x, y), 0)
            taken[(x, y)] = k + 1
            if k:
                mine[x] = steps[k]
    return out
