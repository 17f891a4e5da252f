"""The library's plan: "Practise next" with the reason for each, progress toward each certificate, assignments.

It shows a store.trainee_plan.TraineePlan read on a worker; the same facts
as `simulator plan`. The trainee can always ignore it and play anything
from the table below.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from ..scoring.certificates import CERTIFIED, EXPIRED
from .astyped import as_tooltip
from .theme import colours, set_relative_font


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    set_relative_font(label, 1.05, bold=True)
    return label


class PlanPanel(QFrame):
    practise = Signal(str, object)  # scenario id, intensity (or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.plan = None
        self.next = QListWidget()
        self.next.setAccessibleName("Practise next")
        self.next.setWordWrap(True)  # a reason is read whole: long ones take two lines, never a sideways scroll
        self.next.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.next.setResizeMode(QListWidget.Adjust)
        self.next.setSpacing(2)
        self.next.itemActivated.connect(lambda item: self._choose(item))
        self.next.currentItemChanged.connect(lambda item, _: self.go.setEnabled(item is not None))
        self.go = QPushButton("P&ractise this…")
        self.go.setAccessibleName("Practise the suggestion selected")
        self.go.setEnabled(False)
        self.go.clicked.connect(lambda: self._choose(self.next.currentItem()))
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.hide()
        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(_heading("Practise next"))
        top.addStretch(1)
        top.addWidget(self.go)
        left.addLayout(top)
        left.addWidget(self.next, 1)
        left.addWidget(self.empty)
        self.progress_box = QWidget()
        self.progress_layout = QVBoxLayout(self.progress_box)
        self.progress_layout.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(self.progress_box, 2)
        self.progress_box.hide()
        self._fit_height()
        self.hide()  # until a plan has been read: no empty frame while the library loads

    def _fit_height(self) -> None:
        # Five suggestions, one line each, and room for the headings: the scenario table keeps the rest. Where that
        # is more than a fifth of the screen (a large text size on a small screen), a sixth: the list scrolls, and
        # the library still fits on the screen.
        line = self.next.fontMetrics().height()
        screen = self.screen().availableGeometry().height() if self.screen() is not None else 768
        five = int(line * 1.75 * 5 + line * 0.5)
        self.next.setFixedHeight(five if five <= screen // 5 else max(int(line * 2.5), screen // 6))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if hasattr(self, "next") and event.type() in (QEvent.FontChange, QEvent.PaletteChange):
            self._fit_height()
            if self.plan is not None:
                self._show_progress(self.plan)  # the certificates' colours follow the theme

    def show_plan(self, plan) -> None:
        """A store.trainee_plan.TraineePlan."""
        self.plan = plan
        self.show()
        self.next.clear()
        for s in plan.suggestions:
            item = QListWidgetItem(s.reason)
            item.setData(Qt.UserRole, (s.scenario_id, s.intensity))
            item.setToolTip(as_tooltip(s.reason))
            self.next.addItem(item)
        nothing = not plan.suggestions
        self.empty.setText("Nothing is due: every skill you have met is practised, and your last sessions went "
                           "well. Play anything you like." if nothing else "")
        self.empty.setVisible(nothing)
        self.next.setVisible(not nothing)
        if plan.suggestions:
            self.next.setCurrentRow(0)
        self._show_progress(plan)

    def _show_progress(self, plan) -> None:
        while self.progress_layout.count():
            widget = self.progress_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        c = colours(self.palette())
        if plan.certificates:
            self.progress_layout.addWidget(_heading("Certificates"))
        for cert in plan.certificates:
            tone = {CERTIFIED: c.good, EXPIRED: c.warning}.get(cert.state, c.text).name()
            label = QLabel(f"{escape(cert.title)}: <span style='color:{tone}'>{escape(cert.words())}</span>")
            label.setTextFormat(Qt.RichText)
            label.setToolTip(as_tooltip("\n".join(r.words() for r in cert.requirements)))
            label.setWordWrap(True)
            bar = QProgressBar()
            bar.setRange(0, len(cert.requirements))
            bar.setValue(cert.passed)
            n = len(cert.requirements)
            bar.setFormat(f"{cert.passed} of {n} scenario{'' if n == 1 else 's'}")
            bar.setAccessibleName(f"{cert.title}: progress")
            bar.setMaximumHeight(int(self.fontMetrics().height() * 1.2))
            self.progress_layout.addWidget(label)
            self.progress_layout.addWidget(bar)
        if plan.assignments:
            self.progress_layout.addWidget(_heading("Assignments"))
        for a in plan.assignments:
            label = QLabel(a.words(plan.now))
            label.setTextFormat(Qt.PlainText)  # the title came in a bundle: shown as written, never as markup
            label.setWordWrap(True)
            label.setToolTip(as_tooltip(a.assignment.note or f"From {a.assignment.created_by}"))
            self.progress_layout.addWidget(label)
        self.progress_layout.addStretch(1)
        self.progress_box.setVisible(bool(plan.certificates or plan.assignments))

    def _choose(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            scenario_id, intensity = item.data(Qt.UserRole)
            self.practise.emit(scenario_id, intensity)
