"""Changing one verdict: the new verdict, why (required) and who; the automatic verdict is kept beside it."""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QRadioButton, QVBoxLayout, QWidget)

from ...scoring.verdict import item_label

STATUS_WORDS = {"met": "met", "missed": "missed", "violated": "done (a thing to avoid)"}


class OverrideDialog(QDialog):
    def __init__(self, verdict: dict, current: str, reviewer: str, parent: QWidget | None = None) -> None:
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
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Change verdict")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Criterion", QLabel(f"<b>{item_label(verdict['item'])}</b> ({verdict['dimension'].replace('_', ' ')})"))
        form.addRow("Automatic verdict", QLabel(STATUS_WORDS.get(verdict["status"], verdict["status"])))
        form.addRow("Now", QLabel(STATUS_WORDS.get(current, current)))
        form.addRow("Change to", row)
        form.addRow("Why", self.comment)
        form.addRow("Your name", self.reviewer)
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

    def values(self) -> tuple[str, str, str]:
        return self.status(), self.comment.toPlainText().strip(), self.reviewer.text().strip()
