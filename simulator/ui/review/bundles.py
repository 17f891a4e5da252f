"""Signed session bundles: the sessions shown written to one, and bundles from trainees' computers read in.

Both need the organisation's key (from the environment or the settings, else a key file the manager
picks); one bad bundle among several is named and the others are still imported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ...store.sessiontable import session_ids
from ..notices import explain, show_error
from ..org_key import ask_for_key
from .report_files import documents_folder
from .transfer import LongTask
from ...words import counted


def _import_all(store, paths: list[Path], key: bytes, progress) -> tuple[int, int, list[str]]:
    from ...store.bundle import import_bundle
    imported, already, problems = 0, 0, []
    for n, path in enumerate(paths):
        progress(n, len(paths))
        try:
            report = import_bundle(store, path, key)
        except Exception as exc:  # noqa: BLE001 - one bad bundle does not stop the others
            problems.append(f"{path.name}: {explain(exc)}")
            continue
        imported += len(report.imported)
        already += len(report.already_there)
    return imported, already, problems


class Bundles(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window

    def key(self) -> bytes | None:
        return ask_for_key(self._window)

    def choose_export(self) -> None:
        key = self.key()
        if key is None:
            return
        path, _ = QFileDialog.getSaveFileName(self._window, "Save a signed bundle",
                                              str(documents_folder() / "sessions.simbundle"), "Bundles (*.simbundle)")
        if path:
            self.export(Path(path), key)

    def export(self, path: Path, key: bytes) -> LongTask:
        from ...store.bundle import export_bundle
        w = self._window
        store, query = w.store, w.model.query

        def work(progress) -> int:
            ids = session_ids(store, query)
            export_bundle(store, ids, path, key, progress)
            return len(ids)
        return LongTask(w, w.tasks, "Writing the bundle…", work,
                        lambda n: w.say(f"{counted(n, 'session')} saved to {path}"),
                        lambda exc: show_error(w, exc, "The bundle was not saved"))

    def choose_import(self) -> None:
        key = self.key()
        if key is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self._window, "Bundles to import", "",
                                                "Bundles (*.simbundle);;All files (*)")
        if paths:
            self.import_files([Path(p) for p in paths], key)

    def import_files(self, paths: list[Path], key: bytes) -> LongTask:
        w = self._window
        store = w.store

        def done(got) -> None:
            imported, already, problems = got
            w.refresh()
            w.changed.emit()
            w.say(f"Imported {counted(imported, 'session')}"
                  + (f"; {already} {'was' if already == 1 else 'were'} already here" if already else "") + ".")
            for p in problems:
                w.notices.add(p)
        return LongTask(w, w.tasks, "Importing bundles…", lambda progress: _import_all(store, paths, key, progress),
                        done, lambda exc: show_error(w, exc, "Import failed"))
