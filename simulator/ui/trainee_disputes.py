"""The trainee's side of disputes: a dispute made on the results page is kept with the session (and queued for
the Learning Record Store), My sessions lists the trainee's sessions with how their disputes stand, and a past
session's results open again with the answers beside the verdicts. Every read and write runs on a worker."""

from __future__ import annotations

import datetime as dt

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ..engine.session import FINAL_ACTIONS
from ..engine.turn import Ending
from ..store import load_session
from ..store.disputes import open_dispute, session_disputes
from ..store.my_sessions import past_result, trainee_history
from ..store.lrs import queue_disputes_if_lrs
from .notices import explain, show_error


def _make_dispute(store, session_id: str, dimension: str, item: str, reason: str) -> list:
    open_dispute(store, session_id, dimension, item, reason)
    queue_disputes_if_lrs(store, session_id)  # the LRS hears of it on the next push
    return session_disputes(store, session_id)


def _take_answers(store, paths: list[Path], key: bytes) -> int:
    """The manager's answers from their bundles: disputes of sessions kept here only; no one else's sessions."""
    from ..store.bundle import import_bundle
    # The answers reach the LRS from the manager's machine, which made them.
    return sum(import_bundle(store, path, key, answers_only=True).disputes for path in paths)


def _send(store, trainee: str, path: Path, key: bytes) -> int:
    """The trainee's kept sessions, with their disputes, in one signed bundle for the manager."""
    from ..store.bundle import export_bundle
    ids = [row.summary.id for row in trainee_history(store, trainee, limit=100_000)]
    export_bundle(store, ids, path, key)
    return len(ids)


def _past_session(store, session_id: str):
    record = load_session(store, session_id)
    result, turns = past_result(record)
    return record, result, turns


# Not opened by itself when the call ends: the call's results come first, and they are what the trainee needs then.
DURING_A_CALL = ("My sessions cannot open during a call, so the call stays on screen. When it is over, open My "
                 "sessions from the File menu (Ctrl+Shift+H).")


# Said where the dispute is made; its place is the results page (My sessions says the same in its list).
DISPUTE_KEPT = ("Your dispute is kept with this session. If your manager reviews on another computer, "
                "send it from File → My sessions and disputes → Send to my manager…")


class TraineeDisputes(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.session_id: str | None = None  # the kept session the results page shows
        self._during = DURING_A_CALL  # as the last call's trainee read it ("the chat" on a web chat)
        window.results.dispute_made.connect(self.dispute)
        window.history.chosen.connect(self._read_disputes)
        window.history.open_result.connect(self.open_past)
        window.history.library.connect(window._to_library)
        window.history.import_wanted.connect(self.choose_answers)
        window.history.send_wanted.connect(self.choose_send)
        window.results.sessions_button.clicked.connect(self.show_history)
        # Left up, it stayed over the library and the next call, long after it was read or answered.
        window.stack.currentChanged.connect(
            lambda _i: window.stack.currentWidget() is window.results or window.notices.remove(DISPUTE_KEPT))

    def results_shown(self, session_id: str | None) -> None:
        """The results page now shows this kept session (None: a practice run or nothing kept)."""
        self.session_id = session_id
        w = self._window
        if session_id is not None and w.store is not None:
            w.tasks.run(session_disputes, w.store, session_id, done=self._disputes_arrived(session_id),
                        failed=lambda exc: w.notices.add(explain(exc)))

    def _disputes_arrived(self, session_id: str):
        def show(disputes: list) -> None:
            if self.session_id == session_id:
                self._window.results.show_disputes(disputes)
        return show

    def dispute(self, dimension: str, item: str, reason: str) -> None:
        w = self._window
        if self.session_id is None or w.store is None:
            w.notices.add("This session is not kept, so it cannot be disputed.")
            return
        shown = self._disputes_arrived(self.session_id)

        def done(disputes: list) -> None:
            shown(disputes)
            w.notices.add(DISPUTE_KEPT)
        w.tasks.write(_make_dispute, w.store, self.session_id, dimension, item, reason, done=done,
                      failed=lambda exc: show_error(w, exc, "The dispute was not saved"))

    def refresh(self) -> None:
        """Something changed in the records (an answer given in review mode on this data folder): read again."""
        w = self._window
        if self.session_id is not None and w.stack.currentWidget() is w.results:
            self.results_shown(self.session_id)
        if w.stack.currentWidget() is w.history:
            self.show_history()

    # -- My sessions -----------------------------------------------------------------------
    def call_over(self) -> None:
        """The call has ended: the word that My sessions waits for it is no longer true."""
        for words in {DURING_A_CALL, self._during}:
            self._window.notices.remove(words)

    def show_history(self) -> None:
        w = self._window
        if w.store is None:
            w.notices.add("Your sessions are not open yet (or the data folder could not be opened).")
            return
        if w.live is not None and w.live.running:  # Ctrl+Shift+H is one key from Hold (Ctrl+H): never leave a call
            self._during = w.for_call(DURING_A_CALL)
            w.notices.add(self._during)
            return
        w.stack.setCurrentWidget(w.history)
        w.tasks.run(trainee_history, w.store, w.settings.trainee or "trainee", done=w.history.show_history,
                    failed=lambda exc: w.notices.add(explain(exc)))

    def choose_answers(self) -> None:
        from .review.bundles import Bundles
        w = self._window
        asker = Bundles(w)  # review mode's way to the organisation's key: the environment, else a file picked
        key = asker.key()
        asker.deleteLater()
        if key is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(w, "Your manager's bundle with the answers", "",
                                                "Bundles (*.simbundle);;All files (*)")
        if paths:
            self.take_answers([Path(p) for p in paths], key)

    def choose_send(self) -> None:
        from .org_key import ask_for_key
        from .review.report_files import documents_folder
        w = self._window
        key = ask_for_key(w)
        if key is None:
            return
        name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (w.settings.trainee or "my")).strip("-")
        path, _ = QFileDialog.getSaveFileName(w, "Save your sessions for your manager",
                                              str(documents_folder() / f"{name or 'my'}-sessions.simbundle"),
                                              "Bundles (*.simbundle)")
        if path:
            self.send(Path(path), key)

    def send(self, path: Path, key: bytes) -> None:
        w = self._window
        if w.store is None:
            return

        def done(n: int) -> None:
            w.notices.add(f"{n} session{'' if n == 1 else 's'} saved to {path}, with your disputes. Give this file "
                          "to your manager.")
        w.tasks.run(_send, w.store, w.settings.trainee or "trainee", path, key, done=done,
                    failed=lambda exc: show_error(w, exc, "Your sessions were not saved"))

    def take_answers(self, paths: list[Path], key: bytes) -> None:
        w = self._window
        if w.store is None:
            return

        def done(changed: int) -> None:
            w.notices.add(f"{changed} answer{'' if changed == 1 else 's'} or dispute{'' if changed == 1 else 's'} "
                          "taken in." if changed else "Nothing new in the bundle for your sessions.")
            self.show_history()
            if self.session_id is not None:
                self.results_shown(self.session_id)
        w.tasks.write(_take_answers, w.store, paths, key, done=done,
                      failed=lambda exc: show_error(w, exc, "The answers were not taken in"))

    def _read_disputes(self, session_id: str) -> None:
        w = self._window
        if w.store is not None:
            w.tasks.run(session_disputes, w.store, session_id,
                        done=lambda found: w.history.show_disputes(session_id, found),
                        failed=lambda exc: w.notices.add(explain(exc)))

    def open_past(self, session_id: str) -> None:
        w = self._window
        if w.store is not None:
            w.tasks.run(_past_session, w.store, session_id, done=self._show_past,
                        failed=lambda exc: show_error(w, exc, "The session could not be opened"))

    def _show_past(self, found) -> None:
        record, result, turns = found
        w = self._window
        sf = next((f for f in (getattr(w, "scenario_files", None) or []) if f.id == record.summary.scenario_id), None)
        customer = sf.scenario.persona.name if sf is not None else "The customer"
        # The ending as the page had it right after the call, so it gives the same debriefs in the same way.
        node = sf.scenario.nodes.get(record.ending_node or "") if sf is not None else None
        said = node.debrief if node is not None else dict(FINAL_ACTIONS.values()).get(record.ending_node, "")
        ending = Ending(record.ending_node, record.ending_outcome or "", said) if record.ending_node else None
        started = dt.datetime.fromtimestamp(record.summary.started_at)
        played = f"Played on {started.day} {started:%b %Y at %H:%M}" + (f", {record.intensity}" if record.intensity else "")
        w.results.show_result(result=result, turns=turns, customer=customer, ending=ending, assessed=True,
                              pass_mark=w.policy.pass_mark if w.policy else 70,
                              debrief=w.policy.debrief if w.policy else "",
                              disputable=result is not None, reviewed=record.summary.reviewed_overall,
                              interrupted=record.summary.status == "interrupted", past=played + ".")
        # Try again opens the scenario's briefing (it was greyed out with no reason given); not where the scenario has
        # left the library since.
        w.past_scenario = sf
        w.results.again_button.setEnabled(sf is not None)
        w.results.again_button.setToolTip("" if sf is not None else "This scenario is no longer in your library.")
        w.stack.setCurrentWidget(w.results)
        self.results_shown(record.id)
