"""The scenario library: every scenario with its situation, difficulty, content note and the trainee's last score."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..scenario import CONTENT, ScenarioFile

COLUMNS = ["Scenario", "Difficulty", "Length", "Contains", "Your last score"]
DIFFICULTIES = ["easy", "medium", "hard"]


def content_text(sf: ScenarioFile) -> str:
    tags = sf.scenario.content
    return ", ".join(CONTENT[t] for t in tags) if tags else "no abusive content"


class LibraryPage(QWidget):
    chosen = Signal(object)  # ScenarioFile

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenarios: list[ScenarioFile] = []
        self.greeting = QLabel("Choose a conversation to practise.")
        self.greeting.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search scenarios (title, situation, content)")
        self.search.setAccessibleName("Search scenarios")
        self.search.setClearButtonEnabled(True)
        self.difficulty = QComboBox()
        self.difficulty.addItems(["Any difficulty", *(d.capitalize() for d in DIFFICULTIES)])
        self.difficulty.setAccessibleName("Filter by difficulty")
        self.content = QComboBox()
        self.content.addItems(["Any content", "No abusive content", "Without slurs or threats"])
        self.content.setAccessibleName("Filter by content")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for col in range(1, len(COLUMNS)):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.table.setAccessibleName("Scenarios")
        self.table.setTabKeyNavigation(False)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.RichText)
        self.details.setAccessibleName("About this scenario")
        self.status = QLabel("Loading scenarios…")
        self.status.setWordWrap(True)
        self.open_button = QPushButton("&Prepare…")
        self.open_button.setAccessibleName("Prepare the selected scenario")
        self.open_button.setEnabled(False)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.difficulty)
        filters.addWidget(self.content)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addLayout(filters)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.details, 1)
        layout.addLayout(bottom)

        self.search.textChanged.connect(self.apply_filters)
        self.difficulty.currentIndexChanged.connect(self.apply_filters)
        self.content.currentIndexChanged.connect(self.apply_filters)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.table.itemActivated.connect(lambda item: self._choose(item.row()))
        self.open_button.clicked.connect(lambda: self._choose(self.table.currentRow()))

    def set_trainee(self, name: str) -> None:
        self.greeting.setText(f"Hello, {name}. Choose a conversation to practise. Nothing here is real, "
                              "and you can stop at any moment." if name else "Choose a conversation to practise.")

    def set_scenarios(self, scenarios: list[ScenarioFile], broken: list[str], last: dict[str, float | None]) -> None:
        self.scenarios = scenarios
        self.table.setRowCount(len(scenarios))
        for row, sf in enumerate(scenarios):
            s = sf.scenario
            score = last.get(sf.id)
            cells = [s.title, s.difficulty.capitalize(), f"about {s.minutes} min", content_text(sf),
                     "not played yet" if score is None else f"{score:.0f} / 100"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, row)
                item.setToolTip(" ".join(s.summary.split()) if col == 0 else text)
                self.table.setItem(row, col, item)
        note = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}."
        if broken:
            note += (f" {len(broken)} file(s) could not be opened and are left out: "
                     + ", ".join(broken) + ". Run `simulator validate` to see why.")
        self.status.setText(note)
        self.apply_filters()
        if scenarios and self.table.currentRow() < 0:
            self.table.selectRow(self._first_visible())

    def _first_visible(self) -> int:
        return next((r for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)), 0)

    def matches(self, sf: ScenarioFile) -> bool:
        s = sf.scenario
        words = self.search.text().lower().split()
        haystack = " ".join([s.title, s.summary, s.id, content_text(sf), s.persona.name]).lower()
        if any(w not in haystack for w in words):
            return False
        level = self.difficulty.currentIndex()
        if level and s.difficulty != DIFFICULTIES[level - 1]:
            return False
        content = self.content.currentIndex()
        if content == 1 and s.content:
            return False
        if content == 2 and set(s.content) & {"slurs", "threats", "violence"}:
            return False
        return True

    def apply_filters(self) -> None:
        for row, sf in enumerate(self.scenarios):
            self.table.setRowHidden(row, not self.matches(sf))
        self._show_details()

    def visible_titles(self) -> list[str]:
        return [self.scenarios[r].scenario.title for r in range(len(self.scenarios)) if not self.table.isRowHidden(r)]

    def _show_details(self) -> None:
        row = self.table.currentRow()
        ok = 0 <= row < len(self.scenarios) and not self.table.isRowHidden(row)
        self.open_button.setEnabled(ok)
        if not ok:
            self.details.setText("")
            return
        s = self.scenarios[row].scenario
        self.details.setText(f"<b>{escape(s.title)}</b><br>{escape(' '.join(s.summary.split()))}<br>"
                             f"<i>Contains: {escape(content_text(self.scenarios[row]))}.</i>")

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self.scenarios) and not self.table.isRowHidden(row):
            self.chosen.emit(self.scenarios[row])
