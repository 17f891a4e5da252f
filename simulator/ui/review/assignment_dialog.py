"""New assignment: a title, the scenarios to play (each at any intensity or one named), a due date, for whom."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHeaderView,
                               QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout)

from ..astyped import as_tooltip
from ..fitting import room_on_screen

ANY = "any intensity"


class AssignmentDialog(QDialog):
    def __init__(self, scenarios, trainees: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New assignment")
        self.scenarios = sorted(scenarios, key=lambda sf: (("easy", "medium", "hard").index(sf.scenario.difficulty)
                                                           if sf.scenario.difficulty in ("easy", "medium", "hard")
                                                           else 3, sf.scenario.title))
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Week 1: abusive callers")
        self.due = QDateEdit(QDate.currentDate().addDays(7))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")  # as the Team tab and the library give dates ("7 Dec 2026")
        self.due.setMinimumDate(QDate.currentDate())
        self.trainees = QLineEdit()
        self.trainees.setPlaceholderText("everyone who imports it")
        self.trainees.setToolTip(as_tooltip("Names separated by commas. Known here: " + (", ".join(trainees) or "none yet")))
        # Names as trainees sign in, offered as they are typed: an assignment reaches only a name spelt exactly so.
        self.known = list(trainees)
        self.trainees.setCompleter(_LastNameCompleter(self.known, self.trainees))
        self._unknown_said: list[str] = []
        self.note = QLineEdit()
        self.table = QTableWidget(len(self.scenarios), 2)
        self.table.setHorizontalHeaderLabels(["Scenario", "Intensity"])
        self.table.setAccessibleName("Scenarios to play")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for row, sf in enumerate(self.scenarios):
            item = QTableWidgetItem(f"{sf.scenario.title} ({sf.scenario.difficulty})")
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.table.setItem(row, 0, item)
            levels = QComboBox()
            levels.addItems([ANY, *sf.scenario.intensity])
            self.table.setCellWidget(row, 1, levels)
        self.table.resizeColumnToContents(1)  # "any intensity" in full, not "any intensit"
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Save).setText("&Save the assignment bundle…")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Title:", self.title)
        form.addRow("&Due:", self.due)
        form.addRow("&For:", self.trainees)
        form.addRow("&Note:", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Scenarios to play (tick each):"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        # Wide enough for the longest title where the screen allows: at 200 % text a fixed 640 px cut every title.
        fm = self.fontMetrics()
        titles = max((fm.horizontalAdvance(self.table.item(r, 0).text()) for r in range(self.table.rowCount())), default=0)
        wanted = QSize(titles + self.table.columnWidth(1) + fm.horizontalAdvance("M") * 6, fm.height() * 28)
        self.resize(wanted.expandedTo(QSize(640, 520)).boundedTo(room_on_screen(self)))

    def items(self) -> list[tuple[str, str | None]]:
        out = []
        for row, sf in enumerate(self.scenarios):
            if self.table.item(row, 0).checkState() == Qt.Checked:
                level = self.table.cellWidget(row, 1).currentText()
                out.append((sf.id, None if level == ANY else level))
        return out

    def tick(self, scenario_id: str, intensity: str | None = None) -> None:
        """Choose a scenario (as a manager would by clicking), at an intensity or any."""
        row = next(r for r, sf in enumerate(self.scenarios) if sf.id == scenario_id)
        self.table.item(row, 0).setCheckState(Qt.Checked)
        self.table.cellWidget(row, 1).setCurrentText(intensity or ANY)

    def names(self) -> list[str]:
        """The names typed, each in the spelling known here where it differs only in case ("ana lee": "Ana Lee")."""
        known = {k.casefold(): k for k in self.known}
        typed = [t.strip() for t in self.trainees.text().split(",") if t.strip()]
        return list(dict.fromkeys(known.get(t.casefold(), t) for t in typed))

    def values(self) -> dict:
        day = self.due.date().toPython()
        return {"title": self.title.text(), "items": self.items(), "note": self.note.text(),
                "trainees": self.names(), "due_at": dt.datetime.combine(day, dt.time(23, 59)).timestamp()}

    def _accept(self) -> None:
        unknown = [n for n in self.names() if n not in self.known]
        if not self.title.text().strip():
            self.problem.setText("Give the assignment a title.")
            self.title.setFocus()
        elif not self.items():
            self.problem.setText("Tick at least one scenario.")
        elif unknown and unknown != self._unknown_said:
            # Said once: a new trainee may not have played yet, so a second Save keeps the names as typed.
            self._unknown_said = unknown
            self.problem.setText(f"No sessions here from {', '.join(unknown)}: an assignment reaches only a name "
                                 "spelt exactly as its trainee signs in. Check the spelling, or save again to keep it.")
            self.trainees.setFocus()
        else:
            self.accept()


class _LastNameCompleter(QCompleter):
    """Completes the name being typed after the last comma, keeping the names before it."""

    def __init__(self, names: list[str], edit: QLineEdit) -> None:
        super().__init__(names, edit)
        self.setCaseSensitivity(Qt.CaseInsensitive)
        self.setFilterMode(Qt.MatchContains)
        self._edit = edit

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        before = self._edit.text().rsplit(",", 1)[0] + ", " if "," in self._edit.text() else ""
        return before + index.data()
