"""A reviewer's changes to a session: a verdict changed with a comment, or the session marked reviewed,
signed with the name in the toolbar (never the trainee's by default), and the reviewed result queued for
the organisation's Learning Record Store."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLineEdit

from ...errors import SimulatorError
from ...store import load_session
from ...store.lrs import queue_review_if_lrs
from ..notices import explain, show_error
from .reading import pass_mark


def _override(store, session_id: str, verdict: dict, status: str, comment: str, reviewer: str, review: bool,
              mark: float):
    store.add_override(session_id, verdict["dimension"], verdict["item"], status, comment, reviewer, review=review)
    queue_review_if_lrs(store, session_id, mark)  # the LRS learns the reviewed result on the next push
    return load_session(store, session_id)


def _mark_reviewed(store, session_id: str, reviewer: str, mark: float):
    store.mark_reviewed(session_id, reviewer)
    queue_review_if_lrs(store, session_id, mark)
    return load_session(store, session_id)


class VerdictChanges(QObject):
    def __init__(self, window, save_settings) -> None:
        super().__init__(window)
        self._window = window
        self._save_settings = save_settings
        self.dialog = None  # the open "Change verdict" dialog
        # Never the trainee's name by default: changes would be signed by the trainee.
        self.reviewer = QLineEdit(window.settings.reviewer)
        self.reviewer.setAccessibleName("Your name as reviewer")
        self.reviewer.setPlaceholderText("Your name")
        self.reviewer.editingFinished.connect(self.remember_reviewer)
        self.reviewer.setMaximumWidth(window.fontMetrics().horizontalAdvance("M") * 18)
        window.session.override_wanted.connect(self.ask)
        window.session.reviewed_wanted.connect(self.mark_reviewed)

    def ask(self, verdict: dict, current: str) -> None:
        self.dialog = self._window.session.override_dialog(verdict, current, self.reviewer.text().strip())
        self.dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog = self.dialog
        dialog.accepted.connect(lambda: self.override(verdict, *dialog.values()))
        dialog.open()

    def override(self, verdict: dict, status: str, comment: str, reviewer: str, review: bool = False) -> None:
        w = self._window
        record = w.session.record
        if record is None or w.store is None:
            return
        if reviewer and reviewer != self.reviewer.text().strip():
            self.reviewer.setText(reviewer)
            self.remember_reviewer()
        w.tasks.write(_override, w.store, record.id, verdict, status, comment, reviewer, review, pass_mark(w.policy),
                      done=w.record_changed, failed=lambda exc: show_error(w, exc, "The verdict was not changed"))

    def mark_reviewed(self, session_id: str) -> None:
        w = self._window
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            w.notices.add("Enter your name as reviewer (at the top) first.")
            self.reviewer.setFocus()
            return
        w.tasks.write(_mark_reviewed, w.store, session_id, reviewer, pass_mark(w.policy),
                      done=lambda record: self._marked(record, reviewer), failed=lambda exc: show_error(w, exc, "Not marked"))

    def _marked(self, record, reviewer: str) -> None:
        # Said in the status line too: at 200 % text the "Reviewed by" line is below the side's fold, and the
        # button seemed to do nothing.
        self._window.record_changed(record)
        self._window.status.setText(f"Marked as reviewed by {reviewer}.")

    def remember_reviewer(self) -> None:
        w = self._window
        name = self.reviewer.text().strip()
        if name and name != w.settings.reviewer:
            w.settings = w.settings.model_copy(update={"reviewer": name})
            try:
                self._save_settings(w.settings)
            except (OSError, SimulatorError) as exc:  # the name still applies until the window closes
                w.notices.add(explain(exc))
