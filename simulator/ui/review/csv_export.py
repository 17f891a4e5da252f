"""The sessions shown (every row the filters match, not only those on screen) as a CSV file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ...store.sessiontable import session_ids
from ..notices import show_error
from .report_files import documents_folder
from .transfer import LongTask
from ...words import counted


class CsvExport(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window

    def choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self._window, "Save sessions as CSV",
                                              str(documents_folder() / "sessions.csv"), "CSV (*.csv)")
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> LongTask:
        from ...store.csvexport import export_csv
        w = self._window
        store, query = w.store, w.model.query
        work = lambda progress: export_csv(store, session_ids(store, query), path, progress)  # noqa: E731
        return LongTask(w, w.tasks, "Exporting sessions…", work,
                        lambda n: w.say(f"{counted(n, 'session')} saved to {path}"),
                        lambda exc: show_error(w, exc, "The CSV was not saved"))
