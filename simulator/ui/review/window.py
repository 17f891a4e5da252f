"""Review mode: the manager's window over the session records.

Opened deliberately (Review → Open review mode, or `simulator review`). If
the organisation's policy sets a review passphrase, it is asked for before
other trainees' sessions are shown; without it only the person's own
sessions are listed. Every read and write runs on a worker.

The window builds the pages and the menus; each concern is a small object
of its own that works through the window's `store`, `tasks`, `notices`,
`status` and `say`: who may see what (passphrase.py), a reviewer's changes
(verdict_changes.py), recordings (playback.py), reports (reports.py), CSV
(csv_export.py), bundles (bundles.py) and the LRS push (lrs_push.py). A new
tab is one line in `_add_pages` (see tabs.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from ...store.sessiontable import choices
from ..astyped import plain
from ..notices import NoticeBar, explain, show_error
from ..shortcuts import help_action
from ..store_opening import open_store
from ..tasks import Tasks
from .bundles import Bundles
from .appearance import Appearance
from .calibration_page import CalibrationPage, calibration_and_waiting
from .csv_export import CsvExport
from .dispute_answers import DisputeAnswers, read_queue
from .disputes_page import DisputesPage, queue_title
from .lrs_push import LrsPush
from .passphrase import PassphraseGate
from .playback import RecordingPlayer
from .progress_page import ProgressPage, ScenariosPage
from .reading import progress_of, scenarios_with_titles, session_for_review
from .reports import SessionReports
from .session_page import SessionPage
from .sessions_model import SessionTableModel
from .sessions_page import SessionsPage
from .shelf import ScenarioShelf
from .tabs import ReviewTabs
from .team_actions import TeamActions
from .team_page import TeamPage, read_team
from .verdict_changes import VerdictChanges
from ...words import counted


# Keys the shortcut list cannot read from the window's actions, as in the trainee's window.
EXTRA_KEYS = [("Enter", "Open the session chosen in the list"), ("Alt + underlined letter", "That tab, button or field")]


def _count_shown(window: ReviewWindow) -> None:
    """The list's count in the status line; not while a session is open: the list refreshes after a change to
    it, and its count replaced the session's name."""
    if window.session_stack.currentWidget() is not window.session:
        window.status.setText(f"{counted(window.model.total, 'session')} shown.")


class ReviewWindow(QMainWindow):
    store_ready = Signal()
    session_shown = Signal()
    progress_shown = Signal()
    calibration_shown = Signal()
    scenarios_shown = Signal()
    disputes_shown = Signal()
    team_shown = Signal()
    changed = Signal()  # an override, a review or an import was written
    closed = Signal()

    def __init__(self, *, data_dir: Path, tasks: Tasks, settings, policy=None, devices=None,
                 save_settings=None, ask_passphrase: bool = True, store=None) -> None:
        super().__init__()
        self.setWindowTitle("Review sessions — Difficult Conversations Simulator")
        self.data_dir, self.tasks, self.settings, self.policy = data_dir, tasks, settings, policy
        self.store = None
        self._shared_store = store  # the trainee window's own, when opened from it: not opened twice, not closed here
        self.notices = NoticeBar()
        self.status = plain(QLabel("Opening the session records…"))
        self.statusBar().addWidget(self.status, 1)
        self.model = SessionTableModel(tasks, self)
        self.model.failed.connect(lambda exc: self.notices.add(explain(exc)))
        self.model.rows_ready.connect(lambda: _count_shown(self))
        self.sessions = SessionsPage(self.model)
        self.session, self.session_stack = SessionPage(), QStackedWidget()
        for page in (self.sessions, self.session):
            self.session_stack.addWidget(page)
        self.sessions.open_session.connect(self.open_session)
        self.session.back.connect(self._back_to_list)
        self.tabs = ReviewTabs(self)
        self._add_pages()

        self.gate = PassphraseGate(self, settings.trainee or "", ask_passphrase)
        self.gate.widened.connect(self._reload_choices)
        self.changes = VerdictChanges(self, save_settings or (lambda s: None))
        self.player, self.appearance = RecordingPlayer(self, devices), Appearance(self, save_settings)
        self.reports, self.csv = SessionReports(self), CsvExport(self)
        self.bundles, self.lrs = Bundles(self), LrsPush(self)
        self.team_actions = TeamActions(self, self.team)
        self.gate.widened.connect(lambda: self.tabs.load(self.team))  # everyone's certificates, once allowed
        self._toolbar()
        self._menus()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.notices)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        QTimer.singleShot(0, self._open)

    def _add_pages(self) -> None:
        self.progress, self.scenarios, self.calibration = ProgressPage(), ScenariosPage(), CalibrationPage()
        self.tabs.add(self.session_stack, "&Sessions")  # the table model reads its own rows
        self.tabs.add(self.progress, "&Progress", read=progress_of, show=lambda got: self.progress.show_progress(*got),
                      shown=self.progress_shown, args=self._chosen_trainee)
        self.tabs.add(self.scenarios, "S&cenarios", read=scenarios_with_titles, show=self.scenarios.show_stats,
                      shown=self.scenarios_shown)
        self.tabs.add(self.calibration, "Ca&libration", read=calibration_and_waiting, show=self.calibration.show_found,
                      shown=self.calibration_shown)
        self.disputes = DisputesPage()
        self.answers = DisputeAnswers(self, self.disputes)
        self.tabs.add(self.disputes, queue_title(0), read=read_queue, show=self.answers.shown,
                      shown=self.disputes_shown, args=self.answers.args)
        self.progress.trainee_chosen.connect(lambda _: self.tabs.load(self.progress))
        self.team = TeamPage()  # certificates and assignments; whose, as the passphrase allows
        self.shelf = ScenarioShelf(self.settings.scenario_folders)
        self.tabs.add(self.team, "&Team", read=read_team, show=self.team.show_team, shown=self.team_shown,
                      args=lambda: (self.policy, self.sessions.locked_to, self.shelf))

    def _chosen_trainee(self) -> tuple[str] | None:
        trainee, locked = self.progress.trainee.currentText(), self.sessions.locked_to
        return (trainee,) if trainee and (locked is None or trainee == locked) else None

    def _toolbar(self) -> None:
        bar = self.addToolBar("Reviewer")
        bar.setMovable(False)
        for widget in (QLabel("Reviewer: "), self.changes.reviewer, QLabel("   "), self.gate.label):
            bar.addWidget(widget)

    def _menus(self) -> None:
        def add(menu, text, key, slot) -> None:
            action = menu.addAction(text)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
        file = self.menuBar().addMenu("&File")
        add(file, "&Import bundles…", "Ctrl+I", self.bundles.choose_import)
        export = file.addMenu("&Export")
        add(export, "Report of this session (&HTML)…", None, lambda: self.reports.choose("html"))
        add(export, "Report of this session (&PDF)…", "Ctrl+P", lambda: self.reports.choose("pdf"))
        add(export, "Sessions shown as &CSV…", None, self.csv.choose)
        add(export, "Signed &bundle of the sessions shown…", None, self.bundles.choose_export)
        add(file, "Push to the &Learning Record Store", None, self.lrs.push)
        file.addSeparator()
        add(file, "&Close review", "Ctrl+W", self.close)
        review = self.menuBar().addMenu("&Review")
        add(review, "Show &all trainees…", None, lambda: self.gate.unlock())
        add(review, "&Find in transcripts", "Ctrl+F", lambda: (self.tabs.setCurrentIndex(0), self._back_to_list(),
                                                             self.sessions.search.setFocus()))
        add(review, "&Refresh", "F5", self.refresh)
        add(self.menuBar().addMenu("&View"), "&Appearance (theme, text size)…", None, self.appearance.choose)
        self.menuBar().addMenu("&Help").addAction(help_action(self, EXTRA_KEYS))  # F1: every key of this window

    # -- the records -----------------------------------------------------------------------------
    def _open(self) -> None:
        if self._shared_store is not None:
            self._store_opened(self._shared_store)
        else:
            open_store(self.tasks, self.data_dir, done=self._store_opened,
                       failed=lambda exc: self.notices.add(explain(exc)))
        if self.gate.ask_first:
            self.gate.unlock()

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
            self.progress.set_trainees(trainees if self.sessions.locked_to is None else [self.sessions.locked_to])
        self.tasks.run(choices, self.store, done=show, failed=lambda exc: self.notices.add(explain(exc)))

    def refresh(self) -> None:
        self.shelf.forget()
        self.model.refresh()
        self._reload_choices()
        self.tabs.load()

    # -- one session -------------------------------------------------------------------------------
    def open_session(self, session_id: str) -> None:
        if self.store is None:
            return
        self.status.setText("Opening the session…")
        self.tasks.run(session_for_review, self.store, session_id, done=self._show_session,
                       failed=lambda exc: show_error(self, exc, "The session could not be opened"))

    def _show_session(self, record) -> None:
        locked = self.sessions.locked_to
        if locked is not None and record.summary.trainee != locked:
            return
        self.session.show_record(record)
        self.session_stack.setCurrentWidget(self.session)
        s = record.summary  # a person's words, not the session's id
        self.status.setText(f"{s.trainee}: {s.scenario_title}, {dt.datetime.fromtimestamp(s.started_at):%d %b %Y %H:%M}")
        self.session_shown.emit()

    def record_changed(self, record) -> None:
        """A change to the open session was written: show it, and the list's ✎ marks."""
        self.session.show_record(record)
        self.model.refresh()
        self.changed.emit()
        self.session_shown.emit()

    def _back_to_list(self) -> None:
        self.player.stop()
        self.session_stack.setCurrentWidget(self.sessions)
        self.sessions.table.setFocus()

    def say(self, text: str) -> None:
        """The outcome of a menu command, in the status bar and as a notice that stays until it is read."""
        self.status.setText(text)
        self.notices.add(text)

    def closeEvent(self, event) -> None:
        self.player.stop()
        self.changes.remember_reviewer()
        if self.store is not None:
            store, self.store = self.store, None
            self.model.store = None
            if store is not self._shared_store:
                self.tasks.write(store.close)
        self.closed.emit()
        super().closeEvent(event)
