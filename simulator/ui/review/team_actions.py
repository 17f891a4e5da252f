"""What the Team tab's buttons do: the team's certificates as CSV or to the LRS, and a new assignment bundle.

Each works through the window's `store`, `tasks`, `say` and (for the key) `bundles`, like the menus' objects.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog

from ..notices import explain, show_error
from .assignment_dialog import AssignmentDialog
from .report_files import documents_folder
from .transfer import LongTask
from ...words import counted


def _make(store, values: dict, by: str, path: Path, key: bytes):
    from ...store.assignments import make_assignment, save_assignment, write_assignment_bundle
    assignment = make_assignment(values["title"], values["items"], values["due_at"], by,
                                 trainees=values["trainees"], note=values["note"])
    write_assignment_bundle(assignment, path, key)
    save_assignment(store, assignment, "made")
    return assignment


class TeamActions(QObject):
    def __init__(self, window, page) -> None:
        super().__init__(window)
        self._window, self.page = window, page
        page.csv_wanted.connect(self.choose_csv)
        page.push_wanted.connect(self.push)
        page.assignment_wanted.connect(self.new_assignment)

    def _statuses(self) -> list:
        return list(self.page.team.statuses) if self.page.team is not None else []

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self._window, "Save the team's certificates as CSV",
                                              str(documents_folder() / "certificates.csv"), "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> LongTask:
        from ...store.team_certificates import certificates_csv
        w, statuses = self._window, self._statuses()
        return LongTask(w, w.tasks, "Exporting certificates…", lambda progress: certificates_csv(statuses, path),
                        lambda n: w.say(f"{counted(n, 'row')} saved to {path}"),
                        lambda exc: show_error(w, exc, "The CSV was not saved"))

    def push(self) -> LongTask | None:
        from ...store.team_certificates import push_certificates
        w, statuses = self._window, self._statuses()
        if w.store is None:
            return None
        store = w.store

        def done(report) -> None:
            text = (f"Queued {counted(report.queued, 'new certificate statement')}; sent "
                    f"{counted(report.sent, 'statement')} to the Learning Record Store; {report.waiting} waiting.")
            w.say(text + (f" The store answered: {report.error}. They are sent next time." if report.error else ""))
        return LongTask(w, w.tasks, "Sending certificates…", lambda progress: push_certificates(store, statuses),
                        done, lambda exc: show_error(w, exc, "Nothing was sent"))

    def new_assignment(self) -> None:
        w = self._window
        if not w.changes.reviewer.text().strip():
            w.notices.add("Enter your name as reviewer (at the top) first: the assignment says who made it.")
            w.changes.reviewer.setFocus()
            return
        w.tasks.run(w.shelf.scenarios, done=self.open_dialog,
                    failed=lambda exc: w.notices.add(explain(exc)))

    def open_dialog(self, scenarios) -> AssignmentDialog:
        # Everyone with sessions here (the Sessions tab's list, as the passphrase allows) and in the certificates:
        # from the certificates alone, an organisation without any had no names, and every name was "unknown".
        listed = self._window.sessions.trainee
        trainees = sorted({s.trainee for s in self._statuses()}
                          | {listed.itemData(i) for i in range(listed.count()) if listed.itemData(i)}, key=str.casefold)
        self.dialog = AssignmentDialog(scenarios, trainees, self._window)
        self.dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.dialog.accepted.connect(lambda: self._save(self.dialog.values()))
        self.dialog.open()
        return self.dialog

    def _save(self, values: dict) -> None:
        key = self._window.bundles.key()
        if key is None:
            return
        path, _ = QFileDialog.getSaveFileName(self._window, "Save the assignment bundle",
                                              str(documents_folder() / "assignment.simassign"),
                                              "Assignments (*.simassign)")
        if path:
            self.save(values, Path(path), key)

    def save(self, values: dict, path: Path, key: bytes) -> None:
        w = self._window
        by = w.changes.reviewer.text().strip()

        def saved(assignment) -> None:
            w.say(f"“{assignment.title}” saved to {path}. Hand it to the trainees: they import it with File → "
                  "Import an assignment.")
            w.tabs.load(self.page)
        w.tasks.write(_make, w.store, values, by, path, key, done=saved,
                      failed=lambda exc: show_error(w, exc, "The assignment was not saved"))
