"""Answering a dispute: overturn (choose the new verdict) or uphold; either way a reason, for the trainee to read,
and the reviewer's name. An overturn is an override like any other, with the same audit."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QRadioButton, QVBoxLayout, QWidget)

from ...scoring.verdict import item_label
from ...store.bundleschema import reason_problem
from ...store.records import Dispute
from ..astyped import plain
from .override_dialog import status_words


class DisputeAnswerDialog(QDialog):
    def __init__(self, dispute: Dispute, outcome: str, reviewer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dispute, self.outcome = dispute, outcome
        overturn = outcome == "overturned"
        self.setWindowTitle("Overturn the verdict" if overturn else "Uphold the verdict")
        was = dispute.disputed_status
        avoid = was == "violated"
        options = [s for s in (("violated", "missed") if avoid else ("met", "missed")) if s != was]
        self.choices: dict[str, QRadioButton] = {}
        row = QHBoxLayout()
        group = QButtonGroup(self)
        for status in options if overturn else ():
            button = QRadioButton(status_words(status, "violated" if avoid else "met").capitalize())
            group.addButton(button)
            row.addWidget(button)
            self.choices[status] = button
        if self.choices:
            next(iter(self.choices.values())).setChecked(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Why (required): the trainee reads this")
        self.reason.setPlaceholderText("Why? The trainee reads this beside the verdict.")
        self.reason.setTabChangesFocus(True)
        self.reviewer = QLineEdit(reviewer)
        self.reviewer.setAccessibleName("Reviewer name (required)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Change the verdict" if overturn else "Keep the verdict")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Verdict", QLabel(f"<b>{escape(item_label(dispute.item))}</b>: "
                                      f"{escape(status_words(was, was))}"))
        trainee_reason = QLabel(f"“{escape(dispute.reason)}”")
        trainee_reason.setWordWrap(True)
        form.addRow(plain(QLabel(f"{dispute.trainee or 'The trainee'} says")), trainee_reason)  # a name from a bundle
        if overturn:
            form.addRow("Change to", row)
        form.addRow("Why", self.reason)
        form.addRow("Your name", self.reviewer)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._check)
        self.reviewer.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        text = self.reason.toPlainText().strip()
        ok = bool(text) and reason_problem(text) is None and bool(self.reviewer.text().strip())
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def values(self) -> tuple[str | None, str, str]:
        """(the new verdict when overturning, the reason, the reviewer)."""
        status = next((s for s, b in self.choices.items() if b.isChecked()), None)
        return status, self.reason.toPlainText().strip(), self.reviewer.text().strip()
