"""The manager's side of disputes: the queue's count in its tab title, answering one (signed with the name in
the toolbar), and the answer queued for the Learning Record Store with the reviewed result it may change."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from ...store.disputes import list_disputes, open_count, resolve_dispute
from ...store.lrs import queue_disputes_if_lrs, queue_review_if_lrs
from ..notices import explain, show_error
from .dispute_answer_dialog import DisputeAnswerDialog
from .disputes_page import DisputesPage, queue_title
from .reading import pass_mark, session_for_review


def read_queue(store, show_answered: bool, trainee: str | None) -> tuple[list, int, bool]:
    """The disputes to list, how many are open (only the trainee's own when review mode is locked to them), and
    whether answered ones were asked for."""
    return list_disputes(store, not show_answered, trainee), open_count(store, trainee), show_answered


def _answer(store, dispute_id: str, outcome: str, status: str | None, reason: str, reviewer: str, mark: float):
    done = resolve_dispute(store, dispute_id, outcome, reason, reviewer, status)
    queue_disputes_if_lrs(store, done.session_id)
    if outcome == "overturned":
        queue_review_if_lrs(store, done.session_id, mark)  # the reviewed result changed
    return done


class DisputeAnswers(QObject):
    def __init__(self, window, page: DisputesPage) -> None:
        super().__init__(window)
        self._window, self.page = window, page
        self.dialog: DisputeAnswerDialog | None = None
        page.answer_wanted.connect(self.ask)
        page.open_session.connect(self._open_session)
        page.show_answered_changed.connect(lambda _: window.tabs.load(page))
        window.store_ready.connect(self.count)
        window.changed.connect(self.count)  # an import may bring disputes; a changed verdict may answer one

    def args(self) -> tuple:
        return (self.page.show_answered.isChecked(), self._window.sessions.locked_to)

    def shown(self, found: tuple[list, int, bool]) -> None:
        disputes, open_total, show_answered = found
        if show_answered != self.page.show_answered.isChecked():
            return  # read before the box was ticked or cleared; the read for its new state follows
        self.page.show_disputes((disputes, open_total))
        self._title(open_total)

    def count(self) -> None:
        """The open count in the tab's title, read whether or not the tab is open."""
        w = self._window
        if w.store is not None:
            w.tasks.run(open_count, w.store, w.sessions.locked_to, done=self._title,
                        failed=lambda exc: w.notices.add(explain(exc)))
            w.tabs.load(self.page)

    def _title(self, open_disputes: int) -> None:
        tabs = self._window.tabs
        tabs.setTabText(tabs.indexOf(self.page), queue_title(open_disputes))

    def ask(self, dispute, outcome: str) -> None:
        w = self._window
        self.dialog = dialog = DisputeAnswerDialog(dispute, outcome, w.changes.reviewer.text().strip(), w)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.answer(dispute, outcome, *dialog.values()))
        dialog.open()

    def answer(self, dispute, outcome: str, status: str | None, reason: str, reviewer: str) -> None:
        w = self._window
        if w.store is None:
            return
        if reviewer and reviewer != w.changes.reviewer.text().strip():
            w.changes.reviewer.setText(reviewer)
            w.changes.remember_reviewer()
        w.tasks.write(_answer, w.store, dispute.id, outcome, status, reason, reviewer, pass_mark(w.policy),
                      done=self._answered, failed=lambda exc: show_error(w, exc, "The dispute was not answered"))

    def _answered(self, dispute) -> None:
        w = self._window
        w.say(f"Dispute answered: {dispute.trainee}'s verdict "
              + ("changed." if dispute.outcome == "overturned" else "kept."))
        w.model.refresh()
        w.changed.emit()
        shown = w.session.record
        if shown is not None and shown.id == dispute.session_id:  # open behind the queue: its verdicts changed
            w.tasks.run(session_for_review, w.store, dispute.session_id, done=self._reshow,
                        failed=lambda exc: w.notices.add(explain(exc)))

    def _reshow(self, record) -> None:
        shown = self._window.session.record
        if shown is not None and shown.id == record.id:  # still the one open (the manager may have moved on)
            self._window.session.show_record(record)

    def _open_session(self, session_id: str) -> None:
        w = self._window
        w.tabs.setCurrentIndex(0)
        w.open_session(session_id)
