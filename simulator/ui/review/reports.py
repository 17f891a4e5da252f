"""A report of one session, as HTML or PDF: of the session open, or else the one selected in the list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..notices import show_error
from .reading import session_for_review
from .report_files import suggested_report_path
from .transfer import LongTask


class SessionReports(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window

    def choose(self, kind: str) -> None:
        """Ask where to save the report ("html" or "pdf"), under a name a manager can find again."""
        self.record_for_report(lambda record: self._ask_path(record, kind))

    def record_for_report(self, then) -> None:
        """The session a report is about: the one open, or else the one selected in the list."""
        w = self._window
        if w.session_stack.currentWidget() is w.session and w.session.record is not None:
            then(w.session.record)
            return
        row = w.sessions.table.currentIndex().row()
        chosen = w.model.row(row) if row >= 0 and w.store is not None else None
        if chosen is None:
            QMessageBox.information(w, "Report", "Select a session in the list first.")
            return
        w.tasks.run(session_for_review, w.store, chosen.id, done=then,
                    failed=lambda exc: show_error(w, exc, "The session could not be read"))

    def _ask_path(self, record, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self._window, "Save the report", str(suggested_report_path(record, kind)),
                                              f"{kind.upper()} (*.{kind})")
        if path:
            self.export(Path(path), kind, record)

    def export(self, path: Path, kind: str, record) -> LongTask:
        from ...store.report import session_html, write_html
        if kind == "pdf":
            from ..printing import html_to_pdf
            html = session_html(record)
            work = lambda progress: html_to_pdf(html, path)  # noqa: E731
        else:
            work = lambda progress: write_html(record, path)  # noqa: E731
        w = self._window
        return LongTask(w, w.tasks, "Writing the report…", work, lambda _: w.say(f"Report saved: {path}"),
                        lambda exc: show_error(w, exc, "The report was not saved"))
