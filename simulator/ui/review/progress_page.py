"""Progress: one trainee's scores over time and what they most often miss; every scenario's figures."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...scoring.verdict import dimension_label, figure, item_label
from ...store.progress import Missed, ProgressPoint, ScenarioStats
from ...store.sessiontable import DIMENSIONS, ordered_dimensions
from .line_chart import LineChart
from .tables import fill_table, read_only_table, two_lines


class ProgressPage(QWidget):
    trainee_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trainee = QComboBox()
        self.trainee.setAccessibleName("Trainee")
        self.trainee.setMinimumContentsLength(16)
        self.trainee.currentTextChanged.connect(lambda name: name and self.trainee_chosen.emit(name))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.chart = LineChart()
        self.missed = read_only_table(["Criterion", "Missed", "Of sessions", "Share"], "Criteria most often missed")
        row = QHBoxLayout()
        row.addWidget(QLabel("Trainee"))
        row.addWidget(self.trainee)
        row.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.chart, 3)
        layout.addWidget(QLabel("What they most often miss (or do when they should not):"))
        layout.addWidget(self.missed, 1)

    def set_trainees(self, names: list[str], current: str | None = None) -> None:
        chosen = current or self.trainee.currentText()
        self.trainee.blockSignals(True)
        self.trainee.clear()
        self.trainee.addItems(names)
        self.trainee.blockSignals(False)
        if names:
            self.trainee.setCurrentIndex(max(0, self.trainee.findText(chosen)))
            self.trainee_chosen.emit(self.trainee.currentText())

    def show_progress(self, points: list[ProgressPoint], missed: list[Missed]) -> None:
        overall = [(p.started_at, p.overall) for p in points]
        series = [("Overall", overall)]
        for d in ordered_dimensions(d for p in points for d in p.dimensions):
            pts = [(p.started_at, p.dimensions[d]) for p in points if p.dimensions.get(d) is not None]
            if pts:
                series.append((dimension_label(d), pts))
        self.chart.set_series(series, {p.started_at: p.scenario_title for p in points})
        if points:
            first, last = points[0].overall, points[-1].overall
            trend = "up" if last > first else "down" if last < first else "level"
            self.summary.setText(f"{len(points)} scored sessions; first {figure(first)}, latest {figure(last)} ({trend}).")
        else:
            self.summary.setText("No scored sessions yet.")
        fill_table(self.missed, [[item_label(m.item), str(m.missed), str(m.assessed), f"{m.share:.0%}"] for m in missed])


class ScenariosPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = read_only_table(self._headers(DIMENSIONS), "Scenarios", wrap_last=26)
        note = QLabel("“Where most sessions go wrong” is the step, from one point of the conversation to the next, "
                      "that sessions without a good ending took and no session with a good ending ever did.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)

    @staticmethod
    def _headers(dimensions: tuple[str, ...]) -> list[str]:
        return ["Scenario", "Sessions", "Completed", "Average", *[two_lines(dimension_label(d)) for d in dimensions],
                "Where most sessions\ngo wrong"]

    def show_stats(self, stats: list[ScenarioStats]) -> None:
        found = {d for s in stats for d in s.dimensions}
        dimensions = tuple(d for d in ordered_dimensions(found) if d in found)  # no column no scenario scored
        headers = self._headers(dimensions)
        if headers != [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]:
            self.table.setColumnCount(len(headers))
            self.table.setHorizontalHeaderLabels(headers)
        rows = []
        for s in stats:
            dims = [figure(s.dimensions[d]) if d in s.dimensions else "" for d in dimensions]
            wrong = s.wrong_turn_words()
            rows.append([s.title, str(s.sessions), f"{s.completion:.0%}",
                         "" if s.average is None else figure(s.average), *dims, wrong])
        fill_table(self.table, rows)
