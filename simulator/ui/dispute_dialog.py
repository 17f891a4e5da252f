""""I don't think this is right": the trainee says why a verdict is wrong (required), for their manager to answer."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..scoring.verdict import Verdict, item_label
from ..store.bundleschema import MAX_REASON, reason_problem

STATUS_SAID = {"met": "counted as done", "missed": "counted as missed", "violated": "counted as a thing to avoid"}


class DisputeDialog(QDialog):
    def __init__(self, verdict: Verdict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = verdict
        self.setWindowTitle("I don't think this is right")
        what = QLabel(f"<b>{escape(item_label(verdict.item))}</b> was {STATUS_SAID.get(verdict.status, verdict.status)}.")
        what.setWordWrap(True)
        explain = QLabel("Say why you think this verdict is wrong: what you said or did, and where. Your manager "
                         "reads it with the conversation and answers; the score changes only if they change the "
                         "verdict.")
        explain.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Why you think this verdict is wrong (required)")
        self.reason.setPlaceholderText("For example: in my second reply I told them what would happen if they went on.")
        self.reason.setTabChangesFocus(True)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("&Send to my manager")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (what, explain, self.reason, self.problem, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)  # a reason is read as a paragraph
        self.reason.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        text = self.reason.toPlainText().strip()
        problem = reason_problem(text) if text else None
        self.problem.setText(f"The reason {problem}." if problem else
                             (f"{len(text):,} of {MAX_REASON:,} characters." if len(text) > MAX_REASON * 0.8 else ""))
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(bool(text) and problem is None)

    def value(self) -> str:
        return self.reason.toPlainText().strip()
