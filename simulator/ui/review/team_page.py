"""Team: every trainee's progress toward each certificate the policy names, and the assignments handed out.

The same facts as `simulator certificates` and the trainee's library (all
read store.team_certificates). Read on a worker when the tab is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from ...scoring.certificates import CERTIFIED, EXPIRED, CertificateStatus, day, unknown_requirements
from ...store.assignments import TeamAssignment, team_assignments
from ...store.team_certificates import team_certificates
from ..astyped import as_tooltip, plain
from ..theme import colours
from .tables import read_only_table


@dataclass(frozen=True)
class Team:
    certificates: list[tuple[str, str]]  # (id, title), in the policy's order
    statuses: list[CertificateStatus]
    assignments: list[TeamAssignment]
    problems: list[str] = field(default_factory=list)  # what the certificates name that the library lacks


def read_team(store, policy, only: str | None, shelf) -> Team:
    """On a worker: the certificates and assignments of everyone (or only of `only`, without the passphrase),
    with the scenarios' titles and what the policy names that the library does not have."""
    if policy is None or only == "":
        return Team([], [], [])
    good = shelf.scenarios() if policy.certificates else []
    problems = unknown_requirements(policy.certificates, {sf.id: sf.scenario.intensity for sf in good})
    statuses = team_certificates(store, policy, trainee=only, titles={sf.id: sf.scenario.title for sf in good})
    return Team([(c.id, c.title) for c in policy.certificates], statuses, team_assignments(store, only), problems)


class TeamPage(QWidget):
    csv_wanted = Signal()
    push_wanted = Signal()
    assignment_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.team: Team | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.PlainText)
        self.certificates = read_only_table(["Trainee"], "Certificates by trainee", single=True)
        self.certificates.currentCellChanged.connect(lambda row, col, *_: self._show_detail(row, col))
        self.detail = plain(QLabel("Select a cell to see what each scenario still needs."))
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.PlainText)  # trainee names are whatever people typed: never markup
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.assignments = read_only_table(["Assignment", "Due", "For", "Done", "Made by"], "Assignments",
                                           stretch="last", single=True)
        buttons = QHBoxLayout()
        for text, signal, name in [("E&xport as CSV…", self.csv_wanted, "csv_button"),
                                   ("S&end certificates to the LRS", self.push_wanted, "push_button"),
                                   ("&New assignment…", self.assignment_wanted, "assign_button")]:
            button = QPushButton(text)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
            setattr(self, name, button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.certificates, 3)
        layout.addWidget(self.detail)
        layout.addWidget(QLabel("Assignments handed out:"))
        # With none, an empty grid of squeezed headers said nothing about what to do.
        self.no_assignments = QLabel("None yet. New assignment… makes one: the scenarios to play and when by, "
                                     "saved as a file to give your trainees.")
        self.no_assignments.setWordWrap(True)
        layout.addWidget(self.no_assignments)
        layout.addWidget(self.assignments, 2)
        # With neither table (no certificates, no assignments) the spare room goes here, not between the lines.
        layout.addStretch(0)
        layout.addLayout(buttons)

    def show_team(self, team: Team) -> None:
        self.team = team
        self._fill_certificates(team)
        self._fill_assignments(team.assignments)
        self.csv_button.setEnabled(bool(team.statuses))
        self.push_button.setEnabled(any(s.state == CERTIFIED for s in team.statuses))

    def _fill_certificates(self, team: Team) -> None:
        c = colours(self.palette())
        trainees = list(dict.fromkeys(s.trainee for s in team.statuses))
        by = {(s.trainee, s.certificate_id): s for s in team.statuses}
        table = self.certificates
        table.setColumnCount(1 + len(team.certificates))
        table.setHorizontalHeaderLabels(["Trainee", *(title for _, title in team.certificates)])
        table.setRowCount(len(trainees))
        for col in range(1, table.columnCount()):
            # A long title is shortened with "…" (not clipped at both ends), and given in full on hovering.
            table.horizontalHeaderItem(col).setToolTip(as_tooltip(team.certificates[col - 1][1]))
        table.horizontalHeader().setTextElideMode(Qt.ElideRight)
        for r, name in enumerate(trainees):
            table.setItem(r, 0, QTableWidgetItem(name))
            for col, (cid, _) in enumerate(team.certificates, 1):
                s = by[(name, cid)]
                item = QTableWidgetItem(("✓ " if s.state == CERTIFIED else "") + s.words())
                item.setToolTip(as_tooltip("\n".join(req.words() for req in s.requirements)))
                if s.state in (CERTIFIED, EXPIRED):
                    item.setForeground(c.good if s.state == CERTIFIED else c.warning)
                table.setItem(r, col, item)
        self._size_certificates()
        self.certificates.setVisible(bool(team.certificates))  # an empty grid and "select a cell" say nothing
        self.detail.setVisible(bool(team.certificates))
        if not team.certificates:
            self.summary.setText("Your organisation's policy names no certificates. Add a certificates: list to the "
                                 "policy file (see the README, Certificates) to follow them here.")
            return
        parts = []
        for cid, title in team.certificates:
            mine = [s for s in team.statuses if s.certificate_id == cid]
            lapsed = sum(s.state == EXPIRED for s in mine)
            parts.append(f"{title}: {sum(s.state == CERTIFIED for s in mine)} of {len(mine)} certified"
                         + (f", {lapsed} lapsed" if lapsed else ""))
        problems = "".join(f" Note: {p}; fix it in the policy file." for p in team.problems)
        self.summary.setText("; ".join(parts) + "." + problems)

    def _size_certificates(self) -> None:
        """Each certificate's column as wide as its statuses ("✓ Certified on 2026-12-04"), its title shortened past
        16 letters; the names as every review table sizes its first column (tables.py). Sharing the width evenly, at
        200 % in a narrow window every status read "✓ Certified on 2…": now the table scrolls sideways instead."""
        table, header = self.certificates, self.certificates.horizontalHeader()
        em = table.fontMetrics().horizontalAdvance("M")
        for col in range(1, table.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.Interactive)
            table.setColumnWidth(col, max(table.sizeHintForColumn(col), min(header.sectionSizeHint(col), 16 * em)))
        table.make_room_for_names()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.FontChange and self.team is not None:
            self._size_certificates()

    def _fill_assignments(self, assignments: list[TeamAssignment]) -> None:
        table = self.assignments
        table.setVisible(bool(assignments))
        self.no_assignments.setVisible(not assignments)
        table.setRowCount(len(assignments))
        for r, t in enumerate(assignments):
            a = t.assignment
            total = len(a.items)
            each = "\n".join(f"{name}: {n} of {total}" for name, n in t.done.items()) or "no trainees here yet"
            names = ", ".join(a.trainees)
            who = "everyone" if not a.trainees else names if len(a.trainees) <= 3 else f"{len(a.trainees)} trainees"
            started = [name for name, n in t.done.items() if 0 < n < total]
            done = t.words() + (f"; under way: {', '.join(started)}" if started else "")
            cells = [(a.title, a.note), (day(a.due_at), ""), (who, names), (done, each), (a.created_by, "")]
            for col, (text, tip) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(as_tooltip(tip or text))
                table.setItem(r, col, item)

    def _show_detail(self, row: int, col: int) -> None:
        if self.team is None or row < 0 or col < 1 or col > len(self.team.certificates):
            return
        trainee = self.certificates.item(row, 0).text()
        cid = self.team.certificates[col - 1][0]
        s = next(x for x in self.team.statuses if x.trainee == trainee and x.certificate_id == cid)
        self.detail.setText(f"{trainee}, {s.title}: {s.words()}.  " + "  ·  ".join(r.words() for r in s.requirements))
