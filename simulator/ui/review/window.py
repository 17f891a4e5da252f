"""Review mode: the manager's window over the session records.

Opened deliberately (Review → Open review mode, or `simulator review`). If
the organisation's policy sets a review passphrase, it is asked for before
other trainees' sessions are shown; without it only the person's own
sessions are listed. Every read and write runs on a worker.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QLabel, QLineEdit, QMainWindow, QMessageBox,
                               QStackedWidget, QTabWidget, QVBoxLayout, QWidget)

from ...access import check_passphrase
from ...errors import SimulatorError
from ...store import load_session
from ...store.audiofiles import audio_file
from ...store.calibration import calibration
from ...store.lrs import queue_review_if_lrs
from ...store.pathwords import read_titles
from ...store.progress import most_missed, scenario_stats, trainee_progress
from ...store.sessiontable import choices, session_ids
from ...store.xapi import DEFAULT_PASS_MARK
from ..notices import NoticeBar, explain, show_error
from ..tasks import Tasks
from .calibration_page import CalibrationPage
from .progress_page import ProgressPage, ScenariosPage
from .report_files import documents_folder, suggested_report_path
from .session_page import SessionPage
from .sessions_model import SessionTableModel
from .sessions_page import SessionsPage
from .transfer import LongTask
from .words import counted


def _open_store(folder: Path):
    from ...store import Store
    return Store(folder)


def _load_for_review(store, session_id: str):
    record = load_session(store, session_id)
    read_titles(record.summary.scenario_id)
    return record


def _scenario_stats(store):
    stats = scenario_stats(store)
    for s in stats:
        read_titles(s.scenario_id)
    return stats


def _progress(store, trainee: str):
    return trainee_progress(store, trainee), most_missed(store, trainee)


def _override(store, session_id: str, verdict: dict, status: str, comment: str, reviewer: str, review: bool,
              pass_mark: float):
    store.add_override(session_id, verdict["dimension"], verdict["item"], status, comment, reviewer, review=review)
    queue_review_if_lrs(store, session_id, pass_mark)  # the LRS learns the reviewed result on the next push
    return load_session(store, session_id)


def _mark_reviewed(store, session_id: str, reviewer: str, pass_mark: float):
    store.mark_reviewed(session_id, reviewer)
    queue_review_if_lrs(store, session_id, pass_mark)
    return load_session(store, session_id)


class ReviewWindow(QMainWindow):
    store_ready = Signal()
    session_shown = Signal()
    progress_shown = Signal()
    calibration_shown = Signal()
    scenarios_shown = Signal()
    changed = Signal()  # an override, a review or an import was written
    closed = Signal()

    def __init__(self, *, data_dir: Path, tasks: Tasks, settings, policy=None, devices=None,
                 save_settings=None, ask_passphrase: bool = True, store=None) -> None:
        super().__init__()
        self.setWindowTitle("Review sessions — Difficult Conversations Simulator")
        self.data_dir, self.tasks, self.settings, self.policy = data_dir, tasks, settings, policy
        self.devices = devices
        self._save_settings = save_settings or (lambda s: None)
        self.store = None
        self._shared_store = store  # the trainee window's own, when opened from it: not opened twice, not closed here
        self.speaker = None

        self.notices = NoticeBar()
        self.model = SessionTableModel(tasks, self)
        self.model.failed.connect(lambda exc: self.notices.add(explain(exc)))
        self.sessions = SessionsPage(self.model)
        self.session = SessionPage()
        self.session_stack = QStackedWidget()
        self.session_stack.addWidget(self.sessions)
        self.session_stack.addWidget(self.session)
        self.progress = ProgressPage()
        self.scenarios = ScenariosPage()
        self.calibration = CalibrationPage()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.session_stack, "&Sessions")
        self.tabs.addTab(self.progress, "&Progress")
        self.tabs.addTab(self.scenarios, "S&cenarios")
        self.tabs.addTab(self.calibration, "Ca&libration")
        # Never the trainee's name by default: changes would be signed by the trainee.
        self.reviewer = QLineEdit(settings.reviewer)
        self.reviewer.setAccessibleName("Your name as reviewer")
        self.reviewer.setPlaceholderText("Your name")
        self.reviewer.editingFinished.connect(self._remember_reviewer)
        self.reviewer.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 18)
        bar = self.addToolBar("Reviewer")
        bar.setMovable(False)
        bar.addWidget(QLabel("Reviewer: "))
        bar.addWidget(self.reviewer)
        self.access = QLabel()
        bar.addWidget(QLabel("   "))
        bar.addWidget(self.access)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.notices)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = QLabel("Opening the session records…")
        self.statusBar().addWidget(self.status, 1)
        self._menus()

        self.sessions.open_session.connect(self.open_session)
        self.session.back.connect(self._back_to_list)
        self.session.override_wanted.connect(self._ask_override)
        self.session.reviewed_wanted.connect(self._mark_reviewed)
        self.session.play_wanted.connect(self.play)
        self.session.stop_wanted.connect(self.stop_playback)
        self.progress.trainee_chosen.connect(self._show_progress)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.model.rows_ready.connect(lambda: self.status.setText(f"{counted(self.model.total, 'session')} shown."))

        protected = bool(policy and policy.review_passphrase)
        if protected:
            self.sessions.lock_to(settings.trainee or "")
        self._describe_access()
        QTimer.singleShot(0, lambda: self._open(protected and ask_passphrase))

    # -- opening -----------------------------------------------------------------------------
    def _open(self, ask: bool) -> None:
        if self._shared_store is not None:
            self._store_opened(self._shared_store)
        else:
            self.tasks.run(_open_store, self.data_dir, done=self._store_opened,
                           failed=lambda exc: self.notices.add(explain(exc)))
        if ask:
            self.unlock()

    def _store_opened(self, store) -> None:
        self.store = store
        self.model.set_store(store)
        self._reload_choices()
        self.store_ready.emit()

    def _reload_choices(self) -> None:
        if self.store is None:
            return

        def show(found) -> None:
            trainees, scenarios = found
            self.sessions.set_choices(trainees, scenarios)
            visible = trainees if self.sessions.locked_to is None else [self.sessions.locked_to]
            self.progress.set_trainees(visible)
        self.tasks.run(choices, self.store, done=show, failed=lambda exc: self.notices.add(explain(exc)))

    # -- who may see what ------------------------------------------------------------------------
    def unlock(self, passphrase: str | None = None) -> bool:
        """Ask for the review passphrase (or take it, in tests); right: every trainee's sessions are shown."""
        stored = self.policy.review_passphrase if self.policy else None
        if not stored:
            return True
        if passphrase is None:
            passphrase, ok = QInputDialog.getText(self, "Review passphrase",
                                                  "Your organisation asks for the review passphrase before "
                                                  "showing other trainees' sessions.", QLineEdit.Password)
            if not ok:
                self.notices.add("Showing only your own sessions. Review → Show all trainees asks for the "
                                 "passphrase again.")
                return False
        if not check_passphrase(passphrase, stored):
            self.notices.add("That is not the review passphrase, so only your own sessions are shown. Ask your "
                             "training lead for it; Review → Show all trainees tries again.")
            return False
        self.sessions.lock_to(None)
        self._describe_access()
        self._reload_choices()
        return True

    def _describe_access(self) -> None:
        mine = self.sessions.locked_to
        self.access.setText(f"Showing only {mine or 'your'}'s sessions" if mine is not None else "All trainees")

    # -- one session -------------------------------------------------------------------------------
    def open_session(self, session_id: str) -> None:
        if self.store is None:
            return
        self.status.setText("Opening the session…")
        self.tasks.run(_load_for_review, self.store, session_id, done=self._show_session,
                       failed=lambda exc: show_error(self, exc, "The session could not be opened"))

    def _show_session(self, record) -> None:
        locked = self.sessions.locked_to
        if locked is not None and record.summary.trainee != locked:
            return
        self.session.show_record(record)
        self.session_stack.setCurrentWidget(self.session)
        self.status.setText(f"Session {record.id[:8]}.")
        self.session_shown.emit()

    def _back_to_list(self) -> None:
        self.stop_playback()
        self.session_stack.setCurrentWidget(self.sessions)
        self.sessions.table.setFocus()

    def _ask_override(self, verdict: dict, current: str) -> None:
        dialog = self.session.override_dialog(verdict, current, self.reviewer.text().strip())
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.override(verdict, *dialog.values()))
        dialog.open()
        self.override_dialog = dialog

    def override(self, verdict: dict, status: str, comment: str, reviewer: str, review: bool = False) -> None:
        record = self.session.record
        if record is None or self.store is None:
            return
        if reviewer and reviewer != self.reviewer.text().strip():
            self.reviewer.setText(reviewer)
            self._remember_reviewer()
        self.tasks.write(_override, self.store, record.id, verdict, status, comment, reviewer, review, self.pass_mark,
                         done=self._written, failed=lambda exc: show_error(self, exc, "The verdict was not changed"))

    def _mark_reviewed(self, session_id: str) -> None:
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self.notices.add("Enter your name as reviewer (at the top) first.")
            self.reviewer.setFocus()
            return
        self.tasks.write(_mark_reviewed, self.store, session_id, reviewer, self.pass_mark, done=self._written,
                         failed=lambda exc: show_error(self, exc, "Not marked"))

    def _written(self, record) -> None:
        self.session.show_record(record)
        self.model.refresh()
        self.changed.emit()
        self.session_shown.emit()

    @property
    def pass_mark(self) -> float:
        return self.policy.pass_mark if self.policy else DEFAULT_PASS_MARK

    def _remember_reviewer(self) -> None:
        name = self.reviewer.text().strip()
        if name and name != self.settings.reviewer:
            self.settings = self.settings.model_copy(update={"reviewer": name})
            try:
                self._save_settings(self.settings)
            except (OSError, SimulatorError) as exc:  # the name still applies until the window closes
                self.notices.add(explain(exc))

    # -- recordings ------------------------------------------------------------------------------------
    def play(self, audio: str) -> None:
        if self.store is None or self.devices is None:
            return
        path = audio_file(self.store.audio_dir, audio)
        if path is None or not path.is_file():
            self.notices.add("That recording is no longer on this computer (recordings are deleted after the "
                             "organisation's retention period).")
            return

        def start():
            speaker = self.devices.speaker(self.settings.output_device)
            return speaker, speaker.play(path)

        def started(got) -> None:
            self.speaker, playback = got
            self.session.stop_button.setEnabled(True)
            self.status.setText("Playing the trainee's recording…")
            self.tasks.run(playback.wait, 600, done=lambda _: self._played(playback), failed=lambda exc: None)
        self.tasks.run(start, done=started, failed=lambda exc: self.notices.add(explain(exc)))

    def _played(self, playback) -> None:
        if self.speaker is not None:
            self.speaker = None
            self.session.stop_button.setEnabled(False)
            self.status.setText("Finished playing the recording.")

    def stop_playback(self) -> None:
        if self.speaker is not None:
            speaker, self.speaker = self.speaker, None
            self.tasks.run(speaker.stop, failed=lambda exc: None)
        self.session.stop_button.setEnabled(False)

    # -- the other tabs --------------------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if self.store is None:
            return
        page = self.tabs.widget(index)
        if page is self.progress and self.progress.trainee.currentText():
            self._show_progress(self.progress.trainee.currentText())
        elif page is self.scenarios:
            self.tasks.run(_scenario_stats, self.store, done=self._scenarios_arrived,
                           failed=lambda exc: self.notices.add(explain(exc)))
        elif page is self.calibration:
            self.tasks.run(calibration, self.store, done=self._calibration_arrived,
                           failed=lambda exc: self.notices.add(explain(exc)))

    def _show_progress(self, trainee: str) -> None:
        if self.store is None or not trainee or self.tabs.currentWidget() is not self.progress:
            return  # read when the tab is opened
        locked = self.sessions.locked_to
        if locked is not None and trainee != locked:
            return

        def shown(got) -> None:
            self.progress.show_progress(*got)
            self.progress_shown.emit()
        self.tasks.run(_progress, self.store, trainee, done=shown, failed=lambda exc: self.notices.add(explain(exc)))

    def _scenarios_arrived(self, stats) -> None:
        self.scenarios.show_stats(stats)
        self.scenarios_shown.emit()

    def _calibration_arrived(self, rows) -> None:
        self.calibration.show_agreement(rows)
        self.calibration_shown.emit()

    # -- menus ------------------------------------------------------------------------------------------------
    def _menus(self) -> None:
        def add(menu, text, key, slot):
            action = QAction(text, self)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            menu.addAction(action)
            return action
        file = self.menuBar().addMenu("&File")
        add(file, "&Import bundles…", "Ctrl+I", self._choose_bundles)
        export = file.addMenu("&Export")
        add(export, "Report of this session (&HTML)…", None, lambda: self._choose_report("html"))
        add(export, "Report of this session (&PDF)…", "Ctrl+P", lambda: self._choose_report("pdf"))
        add(export, "Sessions shown as &CSV…", None, self._choose_csv)
        add(export, "Signed &bundle of the sessions shown…", None, self._choose_bundle_out)
        add(file, "Push to the &Learning Record Store", None, self.push)
        file.addSeparator()
        add(file, "&Close review", "Ctrl+W", self.close)
        review = self.menuBar().addMenu("&Review")
        add(review, "Show &all trainees…", None, lambda: self.unlock())
        add(review, "&Find in transcripts", "Ctrl+F", lambda: (self.tabs.setCurrentIndex(0), self._back_to_list(),
                                                             self.sessions.search.setFocus()))
        add(review, "&Refresh", "F5", self.refresh)

    def refresh(self) -> None:
        self.model.refresh()
        self._reload_choices()
        self._tab_changed(self.tabs.currentIndex())

    def _fail(self, title: str):
        return lambda exc: show_error(self, exc, title)

    def _choose_report(self, kind: str) -> None:
        self.report_record(lambda record: self._ask_report_path(record, kind))

    def report_record(self, then) -> None:
        """The session a report is about: the one open, or else the one selected in the list."""
        if self.session_stack.currentWidget() is self.session and self.session.record is not None:
            then(self.session.record)
            return
        row = self.sessions.table.currentIndex().row()
        chosen = self.model.row(row) if row >= 0 and self.store is not None else None
        if chosen is None:
            QMessageBox.information(self, "Report", "Select a session in the list first.")
            return
        self.tasks.run(_load_for_review, self.store, chosen.id, done=then,
                       failed=lambda exc: show_error(self, exc, "The session could not be read"))

    def _ask_report_path(self, record, kind: str) -> None:
        suggested = str(suggested_report_path(record, kind))
        path, _ = QFileDialog.getSaveFileName(self, "Save the report", suggested, f"{kind.upper()} (*.{kind})")
        if path:
            self.export_report(Path(path), kind, record)

    def export_report(self, path: Path, kind: str, record=None) -> LongTask:
        from ...store.report import session_html, write_html
        record = record or self.session.record
        html = session_html(record)
        if kind == "pdf":
            from ..printing import html_to_pdf
            work = lambda progress: html_to_pdf(html, path)  # noqa: E731
        else:
            work = lambda progress: write_html(record, path)  # noqa: E731
        return LongTask(self, self.tasks, "Writing the report…", work,
                        lambda _: self._done(f"Report saved: {path}"), self._fail("The report was not saved"))

    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save sessions as CSV", str(documents_folder() / "sessions.csv"),
                                              "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> LongTask:
        from ...store.csvexport import export_csv
        store, query = self.store, self.model.query
        work = lambda progress: export_csv(store, session_ids(store, query), path, progress)  # noqa: E731
        return LongTask(self, self.tasks, "Exporting sessions…", work,
                        lambda n: self._done(f"{counted(n, 'session')} saved to {path}"), self._fail("The CSV was not saved"))

    def _key(self) -> bytes | None:
        from ...store.bundle import NoOrganisationKey, organisation_key
        try:
            return organisation_key()
        except NoOrganisationKey:  # ask for the file
            path, _ = QFileDialog.getOpenFileName(self, "The organisation's key file (bundles are signed with it)")
            if not path:
                return None
            try:
                return organisation_key(path)
            except Exception as exc:  # noqa: BLE001
                show_error(self, exc, "No key")
                return None
        except SimulatorError as exc:  # a key is set but cannot be used (too short, unreadable file): say so
            show_error(self, exc, "The organisation's key cannot be used")
            return None

    def _choose_bundle_out(self) -> None:
        key = self._key()
        if key is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save a signed bundle", str(documents_folder() / "sessions.simbundle"),
                                              "Bundles (*.simbundle)")
        if path:
            self.export_bundle(Path(path), key)

    def export_bundle(self, path: Path, key: bytes) -> LongTask:
        from ...store.bundle import export_bundle
        store, query = self.store, self.model.query

        def work(progress) -> int:
            ids = session_ids(store, query)
            export_bundle(store, ids, path, key, progress)
            return len(ids)
        return LongTask(self, self.tasks, "Writing the bundle…", work,
                        lambda n: self._done(f"{counted(n, 'session')} saved to {path}"), self._fail("The bundle was not saved"))

    def _choose_bundles(self) -> None:
        key = self._key()
        if key is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Bundles to import", "", "Bundles (*.simbundle);;All files (*)")
        if paths:
            self.import_bundles([Path(p) for p in paths], key)

    def import_bundles(self, paths: list[Path], key: bytes) -> LongTask:
        from ...store.bundle import import_bundle
        store = self.store

        def work(progress):
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

        def done(got) -> None:
            imported, already, problems = got
            self.refresh()
            self.changed.emit()
            text = (f"Imported {counted(imported, 'session')}"
                    + (f"; {already} {'was' if already == 1 else 'were'} already here" if already else "") + ".")
            self._done(text)
            for p in problems:
                self.notices.add(p)
        return LongTask(self, self.tasks, "Importing bundles…", work, done, self._fail("Import failed"))

    def push(self) -> LongTask | None:
        from ...store.lrs import push_sessions
        if self.store is None:
            return None
        store, mark = self.store, self.pass_mark
        work = lambda progress: push_sessions(store, None, mark, True, 10.0)  # noqa: E731

        def done(report) -> None:
            text = f"Sent {counted(report.sent, 'statement')} to the Learning Record Store; {report.waiting} waiting."
            if report.error:
                text += f" The store answered: {report.error}. They are sent next time."
            self._done(text)
        return LongTask(self, self.tasks, "Sending to the Learning Record Store…", work, done,
                        self._fail("Nothing was sent"))

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.notices.add(text)

    # -- closing -----------------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.stop_playback()
        self._remember_reviewer()
        if self.store is not None:
            store, self.store = self.store, None
            self.model.store = None
            if store is not self._shared_store:
                self.tasks.write(store.close)
        self.closed.emit()
        super().closeEvent(event)

