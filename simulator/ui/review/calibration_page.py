"""Calibration: per criterion, how far managers agree with the automatic verdicts (Cohen's kappa)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...scoring.verdict import item_label
from ...store.calibration import Agreement, calibration, changes_waiting
from ..theme import colours
from .tables import fill_table, read_only_table


# Below this many reviewed verdicts kappa swings from one decision to the next: say so rather than judge.
MIN_DECISIONS = 10


def kappa_words(kappa: float | None, decisions: int = MIN_DECISIONS) -> str:
    if decisions < MIN_DECISIONS:
        return f"too few to judge ({decisions} of {MIN_DECISIONS} reviewed verdicts)"
    if kappa is None:
        return "— (always the same answer)"
    # Landis & Koch's bands, the usual reading of kappa
    band = ("poor" if kappa < 0 else "slight" if kappa < 0.2 else "fair" if kappa < 0.4 else "moderate"
            if kappa < 0.6 else "substantial" if kappa < 0.8 else "almost perfect")
    return f"{kappa:.2f} ({band})"


def calibration_and_waiting(store) -> tuple[list[Agreement], int]:
    """What the tab shows: the agreement per criterion, and how many changed verdicts wait to count."""
    return calibration(store), changes_waiting(store)


class CalibrationPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = read_only_table(["Criterion", "Kappa", "Raw agreement", "Reviewed verdicts", "Both: there",
                             "Both: not there", "Only the scorer", "Only the manager", "Disputed", "Upheld",
                             "Overturned"], "Agreement per criterion")
        note = QLabel("Counted over sessions a manager has reviewed: verdicts left as they were agree with the "
                      "scorer, changed ones do not. Kappa corrects for agreement by chance, so a criterion that is "
                      "rarely there cannot look good just because both usually say “not there”. Criteria at the "
                      f"top agree least: those are the rules to improve. Kappa is given from {MIN_DECISIONS} reviewed "
                      "verdicts of a criterion on; with fewer, one decision would swing it. Disputed: how often "
                      "trainees said the automatic verdict was wrong; upheld and overturned: how managers answered "
                      "(many overturned disputes point at a rule to improve too).")
        note.setWordWrap(True)
        self.empty = QLabel("No reviewed sessions yet: open a session, check its verdicts and mark it reviewed.")
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.empty)
        layout.addWidget(self.waiting)
        layout.addWidget(self.table, 1)
        self._rows: list[Agreement] = []
        self._waiting = 0

    def show_found(self, found: tuple[list[Agreement], int]) -> None:
        self.show_agreement(*found)

    def show_agreement(self, rows: list[Agreement], waiting: int = 0) -> None:
        self._rows, self._waiting = rows, waiting
        many = waiting != 1
        self.waiting.setText(f"{waiting} changed verdict{'s are' if many else ' is'} in {'sessions' if many else 'a session'}"
                             " not marked reviewed yet: counted here once the session is marked reviewed (on its page)."
                             if waiting else "")
        self.waiting.setVisible(bool(waiting))
        self.empty.setVisible(not rows)
        rows = sorted(rows, key=lambda r: r.n < MIN_DECISIONS)  # the ones that can be judged first, worst on top
        fill_table(self.table, [[item_label(r.item), kappa_words(r.kappa, r.n), f"{r.raw:.0%}" if r.raw is not None else "",
                            str(r.n), str(r.both_present), str(r.both_absent), str(r.only_scorer),
                            str(r.only_manager), str(r.disputed), str(r.upheld), str(r.overturned)] for r in rows])
        poor = colours(self.palette()).poor  # the theme's, readable on either row shade in light and dark
        for i, r in enumerate(rows):
            if r.kappa is not None and r.kappa < 0.4 and r.n >= MIN_DECISIONS:
                self.table.item(i, 1).setForeground(poor)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and hasattr(self, "_rows"):
            self.show_agreement(self._rows, self._waiting)
        super().changeEvent(event)
