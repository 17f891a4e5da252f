"""Signed session bundles: the sessions shown written to one, and bundles from trainees' computers read in.

Both need the organisation's key (from the environment or the settings, else a key file the manager
picks); one bad bundle among several is named and the others are still imported.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ...errors import SimulatorError
from ...store.sessiontable import session_ids
from ..notices import explain, show_error
from ..org_key import ask_for_key
from .report_files import documents_folder
from .transfer import LongTask
from ...words import counted


def import_problem(path: Path, exc: BaseException) -> str:
    """Why one bundle was not imported, naming it once, by the name the manager chose it by, then what to do.

    The store's messages name the bundle by its whole path (the command line's user typed it): that path becomes
    the file's name here, and a message that does not name it at all is introduced by it.
    """
    if isinstance(exc, SimulatorError):
        text = explain(exc).replace(str(path), path.name)
        if path.name in text:
            return text
        return f"{path.name} was not imported: {text[:1].lower()}{text[1:]}"
    # Not a fault of the bundle's that the store foresaw: say what happened, and that the others were still read.
    return (f"{path.name} was not imported: {str(exc) or type(exc).__name__}. The other bundles were still imported; "
            "try this one again, and if it fails again, ask for it to be exported again.")


def _import_all(store, paths: list[Path], key: bytes, progress) -> tuple[int, int, list[str]]:
    from ...store.bundle import import_bundle
    imported, already, problems = 0, 0, []
    for n, path in enumerate(paths):
        progress(n, len(paths))
        try:
            report = import_bundle(store, path, key)
        except Exception as exc:  # noqa: BLE001 - one bad bundle does not stop the others
            problems.append(import_problem(path, exc))
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
            if len(problems) > 1:
                for p in problems:
                    w.notices.add(p)
            # One refusal is said in the summary itself: listed apart, it sat half hidden under the summary.
            why = (f": {problems[0].rstrip('.')}" if len(problems) == 1 else ": the notices below say why") if problems else ""
            w.say(f"Imported {counted(imported, 'session')}"
                  + (f"; {already} {'was' if already == 1 else 'were'} already here" if already else "")
                  + (f"; {counted(len(problems), 'bundle')} could not be imported{why}" if problems else "") + ".")
        return LongTask(w, w.tasks, "Importing bundles…", lambda progress: _import_all(store, paths, key, progress),
                        done, lambda exc: show_error(w, exc, "Import failed"))
