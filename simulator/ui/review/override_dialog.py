"""Changing one verdict: the new verdict, why (required) and who; the automatic verdict is kept beside it."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QRadioButton, QVBoxLayout, QWidget)

from ...scoring.verdict import dimension_label, item_label
from ..astyped import plain

STATUS_WORDS = {"met": "met", "missed": "missed", "violated": "done (a thing to avoid)"}
AVOID_WORDS = {"violated": "it happened (a thing to avoid)", "missed": "it did not happen (a thing to avoid)"}


def status_words(status: str, automatic: str) -> str:
    """A verdict in words; a thing to avoid that did not happen is not called "missed"."""
    words = AVOID_WORDS if automatic == "violated" else STATUS_WORDS
    return words.get(status, status)


class OverrideDialog(QDialog):
    def __init__(self, verdict: dict, current: str, reviewer: str, parent: QWidget | None = None, *,
                 disputed: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change a verdict")
        avoid = verdict["status"] == "violated"
        self.choices = {}
        group = QButtonGroup(self)
        row = QHBoxLayout()
        options = ("violated", "missed") if avoid else ("met", "missed")
        labels = {"violated": "It happened", "missed": "It did not happen" if avoid else "Missed", "met": "Met"}
        for status in options:
            button = QRadioButton(labels[status])
            button.setAccessibleName(f"Verdict: {labels[status]}")
            group.addButton(button)
            row.addWidget(button)
            self.choices[status] = button
        other = next(s for s in options if s != current) if current in options else options[0]
        self.choices[other].setChecked(True)
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Why the verdict changes (required)")
        self.comment.setPlaceholderText("Why? The trainee and other reviewers will read this.")
        self.comment.setTabChangesFocus(True)
        self.reviewer = QLineEdit(reviewer)
        self.reviewer.setAccessibleName("Reviewer name (required)")
        # Marking reviewed says the reviewer agrees with every verdict left as it is (calibration counts it),
        # so it is the reviewer's choice, never a side effect of changing one verdict.
        self.mark_reviewed = QCheckBox("Also mark the session as reviewed (the verdicts you leave count as agreed)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Change verdict")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Criterion", QLabel(f"<b>{escape(item_label(verdict['item']))}</b> "
                                        f"({escape(dimension_label(verdict['dimension']))})"))
        form.addRow("Automatic verdict", QLabel(status_words(verdict["status"], verdict["status"])))
        form.addRow("Now", QLabel(status_words(current, verdict["status"])))
        if disputed is not None:  # the trainee's side, before deciding; a change answers their dispute
            reason = plain(QLabel(f"“{disputed}” (changing the verdict answers this dispute)"))
            reason.setWordWrap(True)
            form.addRow("Trainee disputes it", reason)
        form.addRow("Change to", row)
        form.addRow("&Why", self.comment)  # each field reached by its Alt letter, as in every other dialog
        form.addRow("Your &name", self.reviewer)
        form.addRow("", self.mark_reviewed)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.comment.textChanged.connect(self._check)
        self.reviewer.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        ok = bool(self.comment.toPlainText().strip() and self.reviewer.text().strip())
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def status(self) -> str:
        return next(s for s, b in self.choices.items() if b.isChecked())

    def values(self) -> tuple[str, str, str, bool]:
        return (self.status(), self.comment.toPlainText().strip(), self.reviewer.text().strip(),
                self.mark_reviewed.isChecked())
