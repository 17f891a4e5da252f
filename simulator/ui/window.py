"""The trainee's window: library → briefing → role play → results, with settings and notices around them.

The window shows at once; the store, the library and the speech engines
open in the background and fill it in as they arrive.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox, QProgressBar,
                               QSizePolicy, QStackedWidget, QStyle, QVBoxLayout, QWidget)

from .. import __version__
from ..errors import SimulatorError
from ..scoring.verdict import for_channel
from ..settings import AppSettings, barge_in, save_settings
from ..speech.kit import AudioDevices, SpeechKit, load_speech
from ..store.location import cache_dir
from .astyped import as_tooltip, plain
from .briefing_page import BriefingPage
from .history_page import HistoryPage
from .library_page import LibraryPage
from .live import LiveSession, open_practice
from .name_dialog import NameDialog
from .notices import NoticeBar, explain, show_error
from .practice_plan import PracticePlan
from .early_keys import EarlyKeys
from .folder_watch import FolderWatch, watched_paths
from .results_page import ResultsPage
from .roleplay_page import RolePlayPage
from .settings_dialog import SettingsDialog
from .shortcuts import help_action
from .store_opening import open_store
from .tasks import Tasks
from .theme import apply_theme
from .trainee_disputes import TraineeDisputes


REVIEW_AFTER_THE_CALL = ("Finish or end the call first. Review mode opens when the call is over (Review menu, "
                         "Ctrl+R).")
AUTHORING_AFTER_THE_CALL = ("Finish or end the call first. Scenario authoring opens when the call is over (Review "
                            "menu, Ctrl+Shift+A).")
FOLDER_AFTER_THE_CALL = ("Finish or end the call first. You can add a scenario folder when the call is over (File "
                         "menu, Ctrl+O).")


def _load_library(folders: list[str], policy_file: Path | None):
    from ..scenario.library import available
    from ..scenario import load_policy
    good, bad = available([Path(f) for f in folders])
    return good, [_left_out(e) for e in bad], load_policy(policy_file)


def _left_out(error) -> str:
    """A file the library left out, for the library's note: which file in which folder, and its first problem with
    its line. Named alone, an added copy of a shipped scenario read as if the shipped one were broken."""
    path = Path(str(error.path))
    problem = next(iter(getattr(error, "problems", ()) or ()), None)
    if problem is None:
        return f"{path.name} in {path.parent}"
    where = f"line {problem.line}: " if getattr(problem, "line", None) else ""
    fix = f"; {problem.hint}" if getattr(problem, "hint", "") else ""  # the note shortens it; its tooltip has it all
    return f"{path.name} in {path.parent} ({where}{problem.message}{fix})"


def _completed_scores(store, trainee: str) -> dict[str, float | None]:
    """Each scenario's latest score from a session played to the end (a manager's review counts); a scenario
    played only in part (a break, a crash) maps to None."""
    from ..store import COMPLETED
    from ..store.queries import Filter, list_sessions
    scores: dict[str, float | None] = {}
    for s in list_sessions(store, Filter(trainee=trainee), limit=10_000):  # newest first
        if s.status == COMPLETED and scores.get(s.scenario_id) is None and s.overall is not None:
            scores[s.scenario_id] = s.reviewed_overall if s.reviewed_overall is not None else s.overall
        scores.setdefault(s.scenario_id, None)
    return scores



def _hearing(settings: AppSettings) -> tuple:
    """The settings the recogniser is built from."""
    return settings.recogniser, settings.model, settings.accent

class StatusText(QLabel):
    """A line of the status bar, cut short with "…" where the window is narrower than its words (a large text size
    on a small screen) instead of widening the window past the screen; the whole text is its tooltip, and what a
    screen reader reads."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        plain(self)  # it names models and devices found on this machine
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(as_tooltip(text))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("M") * 8, super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: ARG002
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.WindowText))
        area = self.contentsRect()
        painter.drawText(area, Qt.AlignLeft | Qt.AlignVCenter,
                         self.fontMetrics().elidedText(self.text(), Qt.ElideRight, area.width()))
        painter.end()


class Pages(QStackedWidget):
    """The window's pages, one shown at a time. Only the page shown sets how small the window may be: at a large
    text size the pages together would be wider and taller than a small screen, though each one fits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def sizeHint(self):
        # No more than the page needs: the room left over is the page's all the same (it stretches), and the
        # notices above it get the height they ask for before the page is given more.
        return self.minimumSizeHint()

    def minimumSizeHint(self):
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()


def placed_within(frame: QRect, room: QRect) -> QPoint:
    """Where a window's frame goes to be inside `room`, moved as little as it can be; a frame larger than the
    room keeps its top left corner (title bar and menus) in it."""
    x = max(room.left(), min(frame.left(), room.right() + 1 - frame.width()))
    y = max(room.top(), min(frame.top(), room.bottom() + 1 - frame.height()))
    return QPoint(x, y)


def keep_until_deleted(window: QWidget | None) -> None:
    """Before forgetting a window that deletes itself on close, from inside its close(): there the last Python
    reference freed it while Qt was still closing it, a segfault now and then (CI, after a test closed review mode).
    A connection to its own `destroyed` holds it until Qt has deleted it."""
    if window is not None:
        window.destroyed.connect(lambda: window)


class MainWindow(QMainWindow):
    library_ready = Signal()
    speech_ready = Signal()
    results_shown = Signal()

    def __init__(self, settings: AppSettings, *, data_dir: Path, tasks: Tasks, devices: AudioDevices | None = None,
                 policy_file: Path | None = None, speech: bool = True, settings_path: Path | None = None,
                 ask_name: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self._settings_written = settings  # as read at start: a save writes only what changed since (settings.py)
        self.data_dir = data_dir
        self.tasks = tasks
        self.devices = devices or AudioDevices()
        self.policy_file = policy_file
        self.settings_path = settings_path
        self.store = None
        self.policy = None
        self.kit: SpeechKit | None = None
        self._speech_loading = False
        self._speech_wanted = False
        self._in_call = False
        self._retired: list = []  # recognisers replaced in Settings during a call: closed when it ends
        self.live: LiveSession | None = None
        self.last_choice = None
        self.past_scenario = None  # a past session shown from My sessions: Try again opens its briefing
        self._pending_choice = None
        self._ask_name = ask_name
        self._closed = False
        self._leaving_call = False  # the trainee said yes to quitting in the middle of a call
        self.leave_call_box: QMessageBox | None = None
        self._call_notices: set[str] = set()  # "finish the call first" notices, taken away when the call ends
        self.folder_watch = FolderWatch(self)  # the coach's folders: a file fixed in an editor shows at once
        self.folder_watch.changed.connect(self._folders_changed)
        self._library_stale = False  # changed during a call: read again when it ends
        self.sound: tuple[list[str], list[str]] | None = None  # microphone and speaker names, once listed
        # (before, sizes after) each time larger text grew the window: the size asked for, and the one it settled at
        self._grown: list[tuple[QSize, list[QSize], int]] = []  # and the text size it grew from
        self.setWindowTitle("Difficult Conversations Simulator")

        self.notices = NoticeBar(settings.dismissed_notices)
        self.notices.dismissed.connect(self._remember_dismissed)
        self.library = LibraryPage()
        self.briefing = BriefingPage(tasks, lambda: self.devices.microphone(self.settings.input_device))
        self.roleplay = RolePlayPage()
        self.early_keys = EarlyKeys(self)
        self.results = ResultsPage()
        self.history = HistoryPage()
        self.stack = Pages()
        for page in (self.library, self.briefing, self.roleplay, self.results, self.history):
            self.stack.addWidget(page)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.notices)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.speech_label = StatusText("Preparing speech…" if speech else "Speech is off")
        self.speech_progress = QProgressBar()
        self.speech_progress.setRange(0, 100)
        self.speech_progress.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 12)
        self.speech_progress.setAccessibleName("Speech loading progress")
        self.statusBar().addWidget(self.speech_label, 1)
        self.statusBar().addPermanentWidget(self.speech_progress)
        self.speech_progress.setVisible(speech)
        self._menus()

        self.library.chosen.connect(self._prepare)
        self.briefing.back.connect(lambda: self.stack.setCurrentWidget(self.library))
        self.briefing.start.connect(self.start)
        self.briefing.assessed_box.folded.connect(self._remember_assessed_folded)
        self.briefing.checklist.clicked.connect(self._remember_checklist)
        self.roleplay.leave.connect(self._show_results)
        self.results.again.connect(self._again)
        self.results.library.connect(self._to_library)
        self.disputes = TraineeDisputes(self)
        self.practice_plan = PracticePlan(self)
        self.library.set_trainee(settings.trainee)

        # After the window is on screen: loading competes with showing it for the interpreter.
        QTimer.singleShot(0, lambda: self._load_everything(speech))

    def _load_everything(self, speech: bool) -> None:
        open_store(self.tasks, self.data_dir, done=self._store_opened, failed=self._store_failed)
        self._reload_library()
        self.tasks.run(self.devices.names, done=self._devices_found, failed=lambda exc: self._devices_found(([], [])))
        self._speech_wanted = speech
        if speech:
            self._load_speech()
        else:
            self.speech_ready.emit()

    # -- menus -----------------------------------------------------------------------
    def _menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        # What would open another window over a call: greyed out until the call is over.
        self.not_in_a_call: list[tuple[QAction, object]] = []
        for text, key, slot in [("&Add a scenario folder…", "Ctrl+O", self.add_folder),
                                ("&Settings…", "Ctrl+,", self.open_settings),
                                ("Change &name…", None, lambda: self.ask_name(force=True)),
                                ("&My sessions and disputes", "Ctrl+Shift+H", lambda: self.disputes.show_history()),
                                ("&Import an assignment…", None, lambda: self.practice_plan.choose_import()),
                                ("&Quit", "Ctrl+Q", self.quit)]:  # QKeySequence.Quit is empty on some desktops
            action = QAction(text, self)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            file.addAction(action)
            if slot == self.add_folder:
                self.not_in_a_call.append((action, slot))
        review = self.menuBar().addMenu("Revie&w")  # Alt+R belongs to the briefing's "Practice only"
        open_review = QAction("Open &review mode (for managers)…", self)
        open_review.setShortcut(QKeySequence("Ctrl+R"))
        open_review.triggered.connect(self.open_review)
        review.addAction(open_review)
        author = QAction("Open scenario &authoring (for coaches)…", self)
        author.setShortcut(QKeySequence("Ctrl+Shift+A"))
        author.triggered.connect(lambda: self.open_authoring())
        review.addAction(author)
        self.not_in_a_call += [(open_review, self.open_review), (author, self.open_authoring)]
        # During a call those entries are greyed out, and their keys say why instead of doing nothing: shortcuts
        # of the call page, so they only ever answer while a call is on screen.
        self.call_refusals: list[QShortcut] = []
        for action, slot in self.not_in_a_call:
            refusal = QShortcut(action.shortcut(), self.roleplay)
            refusal.activated.connect(lambda slot=slot: slot())  # the action's own slot, which says why it waits
            refusal.setWhatsThis(action.text().replace("&", ""))
            refusal.setEnabled(False)
            self.call_refusals.append(refusal)
        help_menu = self.menuBar().addMenu("&Help")
        keys = help_action(self, [("Enter", "Prepare the chosen scenario, or send a typed reply"),
                                  ("Alt + underlined letter", "That button or field")])
        about = QAction("&About", self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, "About", f"Difficult Conversations Simulator {__version__}\nPractise out loud, somewhere safe. "
                           "Everything stays on this computer."))
        help_menu.addAction(keys)
        help_menu.addAction(about)

    # -- during a call ------------------------------------------------------------------
    def in_call(self) -> bool:
        return self.live is not None and self.live.running

    def for_call(self, text: str) -> str:
        """Words about "the call" as this session's trainee reads them: a web chat is "the chat"."""
        return for_channel(text, self.live.session.scenario.channel) if self.live is not None else text

    def _refused_in_call(self, notice: str) -> bool:
        """Review mode, authoring and the folder dialog would open over the call while its clock runs: during a
        call they wait, and the trainee is told so (the notice goes when the call ends)."""
        if not self.in_call():
            return False
        notice = self.for_call(notice)
        for earlier in self._call_notices - {notice}:
            self.notices.remove(earlier)  # one at a time: three of them left one turn of the call in view at 200 %
        self.notices.add(notice)
        self._call_notices = {notice}
        return True

    def _call_running(self, on: bool) -> None:
        self._in_call = on
        if not on:
            for closing in self._retired:
                self.tasks.background(closing)
            self._retired = []
        for action, _slot in self.not_in_a_call:
            action.setEnabled(not on)
        for refusal in self.call_refusals:
            refusal.setEnabled(on)
        if not on:
            self._take_call_notices()
            if self._library_stale:  # read now: the call's thread may not have quite ended, so in_call() may still say yes
                self._library_stale = False
                self._reload_library()

    def _take_call_notices(self, turn=None) -> None:
        """The call's "finish the call first" notice goes when the call ends or the trainee goes on with it (their
        next reply or call control): left up, at 200 % text it kept the conversation to one turn."""
        if turn is not None and (getattr(turn, "speaker", None) != "trainee"
                                 or getattr(turn, "kind", None) not in ("reply", "action")):
            return  # a silence is not the trainee going on
        for notice in self._call_notices:
            self.notices.remove(notice)
        self._call_notices.clear()

    # -- loading -----------------------------------------------------------------------
    def _store_opened(self, store) -> None:
        if self._closed:  # opened after the window closed: let it go, or its lock outlives the app
            self.tasks.write(store.close)
            return
        self.store = store
        if store.recovered:
            n = len(store.recovered)
            self.notices.add(("1 session was" if n == 1 else f"{n} sessions were") + " cut short last time (the app "
                             "closed unexpectedly). " + ("It is" if n == 1 else "They are") + " kept, marked as "
                             "interrupted.")
        self._refresh_scores()
        if self._ask_name and not self.settings.trainee:
            self.ask_name()

    def _store_failed(self, exc: BaseException) -> None:
        self.notices.add(explain(exc) + " Practice runs still work; assessed sessions cannot be kept until "
                         "this is fixed (File → Settings → Data).")

    def _library_loaded(self, loaded) -> None:
        good, broken, policy = loaded
        self.scenario_files, self.broken, self.policy = good, broken, policy
        self.tasks.run(watched_paths, list(self.settings.scenario_folders), done=self.folder_watch.watch,
                       failed=lambda exc: None)  # not watched: the library still reloads when authoring closes
        self.library.set_scenarios(good, broken, {})
        self._refresh_scores()
        self.library_ready.emit()

    def _refresh_scores(self) -> None:
        if self.store is None or not hasattr(self, "scenario_files") or not self.settings.trainee:
            return
        self.tasks.run(_completed_scores, self.store, self.settings.trainee,
                       done=lambda last: self.library.set_scenarios(self.scenario_files, self.broken, last))
        self.practice_plan.refresh()

    def _devices_found(self, names: tuple[list[str], list[str]]) -> None:
        self.sound = names
        self._show_speech_state()
        self._tell_about_hearing()

    def _tell_about_hearing(self) -> None:
        """The recogniser's notices (no Vosk model, its model being built) once a microphone is known to be there:
        to a trainee who types because there is none they were three lines of noise above the call."""
        if self.kit is not None and self.sound is not None and self.sound[0]:
            for notice in self.kit.hearing_notices:
                self.notices.add(notice, lasting=True)
            self.kit.hearing_notices = []

    def _show_speech_state(self) -> None:
        """Say plainly how this session will sound and how the trainee answers, from what the machine has."""
        if self.kit is None or self.sound is None:
            return
        mics, speakers = self.sound
        if not speakers:
            heard = "no speaker found, so the customer's lines are shown as captions"
        elif self.kit.synthesizer is None:
            heard = "the customer's lines are shown as captions (no voice engine)"
        else:
            heard = "you will hear the customer"
        if not mics:
            answer = "no microphone found, so you answer by typing"
        elif self.kit.recognizer is None:
            answer = "speech recognition is off, so you answer by typing"
        else:
            answer = "you can answer out loud or by typing"
        self.speech_label.setText(f"{heard[:1].upper()}{heard[1:]}; {answer}.")

    def _keep_saving(self, recorder, why: str) -> None:
        """A call that ended while saving failed: it is in memory only. Tried again every few seconds until the
        store takes it (the disk has room again, the records are no longer busy); quitting first loses it, and
        the next start keeps what was written as interrupted."""
        waiting = (f"This session is not saved yet ({why}). Keep the app open: it is saved as soon as it can be, "
                   "and the results below are kept then.")
        self.notices.add(waiting)

        def attempt() -> None:
            if not self._closed:
                self.tasks.run(recorder.flush, done=saved, failed=lambda exc: saved(False))

        def saved(ok: bool) -> None:
            # One attempt at a time, the next armed when this one is back: a write waiting out a busy database
            # (10 s) under a 5 s interval timer ran two flushes of the same turns at once.
            if not ok:
                QTimer.singleShot(5_000, attempt)
                return
            self.notices.remove(waiting)
            self.notices.add("The session is saved now, with its score.")
        QTimer.singleShot(5_000, attempt)

    def _remember_dismissed(self, text: str) -> None:
        kept = [*self.settings.dismissed_notices, text][-50:]  # a bound: notices are few, but the file should stay small
        self.settings = self.settings.model_copy(update={"dismissed_notices": kept})
        self._save_settings()

    def _load_speech(self) -> None:
        self.speech_progress.show()
        self.speech_label.setText("Preparing speech…")
        s = self.settings

        def progress(percent: int, text: str) -> None:
            self.tasks.call_soon(lambda: (self.speech_progress.setValue(percent), self.speech_label.setText(text)))

        def ready(kit: SpeechKit) -> None:
            self._speech_loading = False
            if self._closed:  # loaded after the window closed: its recogniser's process goes, nothing is shown
                self._retire(kit.recognizer)
                return
            if _hearing(s) != _hearing(self.settings):  # the recogniser was changed in Settings while this loaded
                self._retire(kit.recognizer)
                self._load_speech()
                return
            self.kit = kit
            self.speech_progress.hide()
            self.speech_label.setText("Speech is ready.")
            self._show_speech_state()
            for notice in kit.notices:
                self.notices.add(notice, lasting=True)  # about this machine: once read and dismissed, enough
            self._tell_about_hearing()
            self.speech_ready.emit()
            if self._pending_choice is not None:
                choice, self._pending_choice = self._pending_choice, None
                self.start(choice)
        cache = cache_dir() / "lines"
        # In the background: quitting while the engines load (seconds; a large model, far longer) is prompt, and
        # the process does not wait for the load at exit (the recogniser's child process, daemonic, goes with it).
        def failed(exc: BaseException) -> None:
            self._speech_loading = False
            # The status line said "Preparing speech…" for good when loading failed (seen once by a tester).
            self.speech_progress.hide()
            self.speech_label.setText("Speech could not start: the customer's lines are shown as captions and you "
                                      "answer by typing.")
            self.notices.add(explain(exc))
        self._speech_loading = True
        self.tasks.background(load_speech, cache, s.recogniser, s.model, progress, s.accent, done=ready, failed=failed)

    def _retire(self, recognizer) -> None:
        """A recogniser no longer wanted: its process (hundreds of MB) goes now, or when the call hearing with it ends."""
        closing = getattr(recognizer, "close", None)
        if closing is None:
            return
        if self._in_call and not self._closed:
            self._retired.append(closing)
        else:
            self.tasks.background(closing)

    # -- the trainee's way through -----------------------------------------------------------
    def ask_name(self, force: bool = False) -> None:
        """The names already used here are read on a worker; the dialog opens when they arrive."""
        if self.store is None:
            self._name_dialog([], force)
            return
        from ..store.queries import trainee_names
        self.tasks.run(trainee_names, self.store, done=lambda names: self._name_dialog(names, force),
                       failed=lambda exc: self._name_dialog([], force))

    def _name_dialog(self, names: list[str], force: bool) -> None:
        dialog = NameDialog(names, self.settings.trainee, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)

        def chosen() -> None:
            self.settings = self.settings.model_copy(update={"trainee": dialog.value()})
            self.library.set_trainee(self.settings.trainee)
            self._save_settings()
            self._refresh_scores()
        dialog.accepted.connect(chosen)
        dialog.open()
        self.name_dialog = dialog
        if force:
            dialog.raise_()

    def _prepare(self, sf) -> None:
        no_microphone = self.sound is not None and not self.sound[0]
        mode = "typed" if no_microphone else self.settings.input_mode
        self.briefing.show_scenario(sf, mode, self.settings.keep_audio, self.policy, self.settings.show_assessed,
                                    self.settings.show_checklist)
        self.briefing.microphone_found(not no_microphone)
        if no_microphone:
            self.briefing.speech_status.setText("No microphone was found, so you will answer by typing. To answer "
                                                "out loud, plug one in and choose it in File → Settings → Audio.")
        elif self.kit is None:
            self.briefing.speech_status.setText("Speech is still loading; typed sessions can start now, spoken "
                                                "ones start as soon as it is ready.")
        else:
            self.briefing.speech_status.setText("")
        self.stack.setCurrentWidget(self.briefing)

    def _again(self) -> None:
        """Try again: the session just played starts again as it was chosen; a past one opened from My sessions
        opens its scenario's briefing, to choose how this time."""
        if self.past_scenario is not None:
            self._prepare(self.past_scenario)
        else:
            self.start(self.last_choice)

    def start(self, choice) -> None:
        if choice is None or (self.live is not None and self.live.running):
            return
        if choice.input_mode != "typed" and self.kit is None:
            self._pending_choice = choice
            self.briefing.speech_status.setText("Waiting for speech to be ready… the session starts by itself.")
            return
        self.last_choice = choice
        store = self.store if choice.assessed else None
        if choice.assessed and store is None:
            self.notices.add("Your sessions cannot be kept right now (the data folder could not be opened), so "
                             "this one is a practice run.")
        self.briefing.start_button.setEnabled(False)
        self.early_keys.start()
        self.tasks.run(open_practice, choice, self.settings.trainee or "trainee", self.policy, store, self.kit,
                       self.devices, self.settings, done=self._begin, failed=self._start_failed)

    def _start_failed(self, exc: BaseException) -> None:
        self.early_keys.take()
        self.briefing.start_button.setEnabled(True)
        show_error(self, exc, "The session could not start")

    def _begin(self, opened) -> None:
        if self._closed:
            self.early_keys.take()
            return  # quit while it was opening: a record left in progress is kept as interrupted on the next start
        self.briefing.start_button.setEnabled(True)
        self.live = LiveSession(opened, self.kit, self.tasks, barge_in=barge_in(self.settings.headset), parent=self)
        self.live.bridge.turn_recorded.connect(self._take_call_notices)
        self.stack.setCurrentWidget(self.roleplay)
        choice = self.last_choice
        wanted = choice is not None and self.briefing.wants_checklist
        self.roleplay.use_checklist(choice.scenario if wanted else None, self.policy)
        # With no speaker listed, the status line already says the lines are captions: said twice, at a large text
        # size it cost the conversation a line.
        said = self.kit is not None and self.sound is not None and not self.sound[1]
        self.roleplay.begin(self.live, [n for n in opened.notices if not (said and "caption" in n)])
        self.roleplay.reply.insert(self.early_keys.take())
        self._call_running(True)

    def _show_results(self) -> None:
        live = self.live
        self.disputes.call_over()
        self._call_running(False)
        if live is None or self._closed:
            # Quit mid-call: no results for a window that is gone. Building them would show widgets as windows
            # for a moment, and a window shown after the last one closed cancels Qt's quit: the process lived on.
            return
        s = live.session
        kept = live.practice.session_id if self.store is not None and live.practice.choice.assessed else None
        if live.unsaved is not None and live.practice.recorder is not None:
            self._keep_saving(live.practice.recorder, live.unsaved)
            kept = None  # nothing to dispute until its verdicts are in the records
        self.results.show_result(result=live.result, turns=list(s.turns), customer=s.scenario.persona.name,
                                 ending=live.ending, assessed=live.practice.choice.assessed,
                                 pass_mark=self.policy.pass_mark if self.policy else 70,
                                 debrief=self.policy.debrief if self.policy else "",
                                 disputable=kept is not None and live.result is not None, channel=s.scenario.channel)
        self.results.again_button.setEnabled(True)
        if not live.practice.choice.assessed:  # nothing of it is kept, but for this run it is not new to them
            self.library.practised.add(s.scenario.id)  # the library's last score and the plan read it
        self.past_scenario = None
        self.results.again_button.setToolTip("")
        self.disputes.results_shown(kept)
        self.stack.setCurrentWidget(self.results)
        if live.practice.session_id and self.store is not None:
            # Only when the organisation configured a Learning Record Store; offline it waits for the next push.
            self.tasks.run(live.practice.send, failed=lambda exc: None)
        self.results_shown.emit()

    def _to_library(self) -> None:
        self._refresh_scores()
        self.stack.setCurrentWidget(self.library)

    # -- review mode -----------------------------------------------------------------------
    def open_review(self):
        """The manager's window, over the same data folder; opened only from this menu or `simulator review`."""
        from .review.window import ReviewWindow
        if self._refused_in_call(REVIEW_AFTER_THE_CALL):
            return None
        if getattr(self, "review", None) is not None:
            self.review.raise_()
            self.review.activateWindow()
            return self.review
        if self.policy is None:  # the policy may set a review passphrase: never open review mode without it
            self.notices.add("Review mode opens once the scenario library and the organisation's policy have "
                             "loaded; try again in a moment.")
            return None

        def remember(settings) -> None:
            # The reviewer's name, and a theme or text size chosen in review mode (which is the whole app's).
            look = {k: getattr(settings, k) for k in ("theme", "text_scale")}
            if any(getattr(self.settings, k) != v for k, v in look.items()):
                self.apply_settings(self.settings.model_copy(update={"reviewer": settings.reviewer, **look}))
                return
            self.settings = self.settings.model_copy(update={"reviewer": settings.reviewer})
            self._save_settings()
        self.review = ReviewWindow(data_dir=self.data_dir, tasks=self.tasks, settings=self.settings,
                                   policy=self.policy, devices=self.devices, save_settings=remember,
                                   store=self.store)
        self.review.setAttribute(Qt.WA_DeleteOnClose)
        self.review.closed.connect(self._review_closed)
        self.review.changed.connect(self.disputes.refresh)  # one data folder: an answer shows here at once
        self.review.resize(self.size())
        self.review.show()
        return self.review

    def open_authoring(self, folder: Path | None = None):
        """The coach's window, on the first scenario folder added (or the shipped library)."""
        from ..paths import shipped_scenarios
        from .authoring.window import AuthoringWindow
        if self._refused_in_call(AUTHORING_AFTER_THE_CALL):
            return None
        if getattr(self, "authoring", None) is not None:
            self.authoring.raise_()
            self.authoring.activateWindow()
            return self.authoring
        if folder is None:
            folders = [Path(f) for f in self.settings.scenario_folders if Path(f).is_dir()]
            folder = folders[0] if folders else shipped_scenarios()
        self.authoring = AuthoringWindow(tasks=self.tasks, devices=self.devices,
                                         output_device=self.settings.output_device, folder=folder)
        self.authoring.setAttribute(Qt.WA_DeleteOnClose)
        self.authoring.closed.connect(self._authoring_closed)
        self.authoring.resize(self.size())
        self.authoring.show()
        return self.authoring

    def _authoring_closed(self) -> None:
        keep_until_deleted(self.authoring)
        self.authoring = None
        self._reload_library()  # a coach may have fixed a file the library left out

    def _folders_changed(self) -> None:
        """A scenario file changed on disk: the library reads its folders again, after the call if one is on."""
        self._library_stale = self.in_call()
        if not self._library_stale:
            self._reload_library()

    def _reload_library(self) -> None:
        self.tasks.run(_load_library, self.settings.scenario_folders, self.policy_file, done=self._library_loaded,
                       failed=lambda exc: self.library.status.setText(explain(exc)))

    def _review_closed(self) -> None:
        keep_until_deleted(self.review)
        self.review = None
        self._refresh_scores()

    # -- settings ------------------------------------------------------------------------
    def add_folder(self) -> None:
        if self._refused_in_call(FOLDER_AFTER_THE_CALL):
            return
        folder = QFileDialog.getExistingDirectory(self, "A folder of scenarios")
        self.activateWindow()
        if folder:
            self.add_scenario_folder(folder)

    def add_scenario_folder(self, folder: str) -> None:
        if folder not in self.settings.scenario_folders:
            self.settings = self.settings.model_copy(update={"scenario_folders": [*self.settings.scenario_folders, folder]})
            self._save_settings()
        self.library.status.setText("Loading scenarios…")
        self._reload_library()

    def open_settings(self) -> None:
        """Listing sound devices and models touches PortAudio and the disk: done on a worker, then the dialog opens."""
        def gather():
            from ..speech.models import installed_models
            return self.devices.names(), [m.name for m in installed_models()]
        self.tasks.run(gather, done=self._settings_dialog, failed=lambda exc: show_error(self, exc, "Settings"))

    def _settings_dialog(self, found) -> None:
        from ..speech.models import CATALOG
        (mics, speakers), models = found
        self._devices_found((mics, speakers))  # a microphone plugged in since start-up counts from now
        voices = self.kit.synthesizer.voices if self.kit and self.kit.synthesizer else []
        dialog = SettingsDialog(self.settings, self.tasks, microphones=mics, speakers=speakers, voices=voices,
                                models=models, catalog=CATALOG, data_dir_in_use=self.data_dir, parent=self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.finished.connect(lambda _code: setattr(self, "settings_dialog", None))
        dialog.finished.connect(lambda _code: self.activateWindow())  # the call's shortcuts work again at once
        dialog.open()
        self.settings_dialog = dialog

    def apply_settings(self, new: AppSettings) -> None:
        old, self.settings = self.settings, new
        self._save_settings()
        left = self.size()  # before the new text size's layout can grow it
        apply_theme(QApplication.instance(), new.theme, new.text_scale)
        if new.text_scale != old.text_scale:
            # Once the pages have laid themselves out in the new size.
            QTimer.singleShot(0, lambda: self._refit_to_screen(grow=new.text_scale > old.text_scale, left=left,
                                                               scales=(old.text_scale, new.text_scale)))
        if _hearing(old) != _hearing(new) and (self.kit is not None or self._speech_wanted) \
                and not self._speech_loading:  # while it loads, ready() loads it again
            if self.kit is not None:
                self._retire(getattr(self.kit, "recognizer", None))
            self.kit = None
            self._load_speech()
        if old.data_dir != new.data_dir:
            from ..store.location import data_dir
            before, self.data_dir = self.data_dir, data_dir(new.data_dir)
            previous, self.store = self.store, None
            if previous is not None:
                self.tasks.write(previous.close)
            open_store(self.tasks, self.data_dir, done=lambda store: self._moved_to(store, before),
                       failed=self._store_failed)

    def _moved_to(self, store, before: Path) -> None:
        """Another data folder is open: said, when it holds none of this trainee's sessions (an empty library read as
        if the sessions were gone)."""
        self._store_opened(store)
        if self.store is not store or self.data_dir == before:
            return
        now = self.data_dir

        def empty(found: bool) -> None:
            if not found and self.store is store:
                self.notices.add(f"Sessions are now kept in {now}, which has none yet. Those kept before are still in "
                                 f"{before}: choose it again in File → Settings → Data to see them.")
        self.tasks.run(lambda: bool(store.read("SELECT 1 FROM sessions LIMIT 1")), done=empty, failed=lambda exc: None)

    def _remember_checklist(self, on: bool) -> None:
        self.settings = self.settings.model_copy(update={"show_checklist": on})
        self._save_settings()

    def _remember_assessed_folded(self, folded: bool) -> None:
        if self.settings.show_assessed == folded:  # only a change is written
            self.settings = self.settings.model_copy(update={"show_assessed": not folded})
            self._save_settings()

    def _save_settings(self) -> None:
        try:
            self._settings_written = save_settings(self.settings, self.settings_path, since=self._settings_written)
        except (OSError, SimulatorError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else exc.message
            self.notices.add(f"Your settings could not be saved ({why}). They apply until you close the app.")

    # -- size and place ------------------------------------------------------------------------
    def place_on_screen(self) -> None:
        """As the trainee left it (size, place, maximised); the first time, most of the screen, centred."""
        saved = self.settings.window_geometry
        if saved and self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii"))):
            return
        room, frame, size = self._first_size()
        self.resize(size)
        self.move(room.x() + (room.width() - self.width()) // 2,
                  room.y() + max(0, (room.height() - frame - self.height()) // 2))

    def _first_size(self) -> tuple[QRect, int, QSize]:
        """The screen's room, the height the title bar and borders take (not part of the window's size: left free
        so the frame is on screen too), and the size a first start gives the window at this text size."""
        from .app import fitting_size
        room = self.screen().availableGeometry()
        style = self.style()
        frame = style.pixelMetric(QStyle.PM_TitleBarHeight) + 2 * style.pixelMetric(QStyle.PM_DefaultFrameWidth)
        metrics = self.fontMetrics()
        # 110 letters: a transcript line and the call controls in one row
        size = fitting_size(room.size(), metrics.horizontalAdvance("M"), metrics.height(), 110, 44)
        size.setHeight(min(size.height(), room.height() - frame))
        return room, frame, size

    def _refit_to_screen(self, grow: bool, left: QSize | None = None, scales: tuple[int, int] = (100, 100)) -> None:
        """After a change of text size: larger text gets a larger window, up to what place_on_screen would give
        it (at 200 % a window kept from 100 % showed one line of the conversation), and the window stays on the
        screen (grown by its layout, its bottom edge and status line went below the screen's)."""
        if self.isMaximized() or self.isFullScreen():
            return
        self.layout().activate()  # the minimum size of the text just left would still hold the window large
        room, frame, first = self._first_size()
        most = QSize(room.width(), room.height() - frame)
        before = self.size()
        size = before.expandedTo(first) if grow else before
        if not grow and self._grown and before in self._grown[-1][1]:
            # Back to a smaller text: a window the app grew for the larger one, and the trainee has not resized
            # since, returns to the size it had (a tester's window stayed 200 %-sized at 100 %), undoing every
            # step taken from this size or a larger one (100 -> 150 -> 200 -> 100 stayed 150 %-sized).
            size = self._grown.pop()[0]
            while self._grown and self._grown[-1][2] >= scales[1]:
                size = self._grown.pop()[0]
        elif not grow:
            self._grown.clear()
        asked = size.boundedTo(most).expandedTo(self.minimumSizeHint().boundedTo(most))
        self.resize(asked)
        self.move(placed_within(self.frameGeometry(), room))
        if grow:  # every step, even one the screen's edge stopped: each smaller step back undoes one
            sizes = [asked]
            self._grown.append((left or before, sizes, scales[0]))
            # The size the window settles at, not the one asked for: the larger text's layout widens it past that,
            # and a window manager gives it later, trimmed to the screen (a tester's window stayed screen-sized).
            # Kept with this step's own sizes; not once the window is gone.
            QTimer.singleShot(300, self, lambda: sizes.append(self.size()))

    def _remember_geometry(self) -> None:
        geometry = bytes(self.saveGeometry().toBase64()).decode("ascii")
        if geometry != self.settings.window_geometry:
            self.settings = self.settings.model_copy(update={"window_geometry": geometry})
            self._save_settings()

    # -- closing ---------------------------------------------------------------------------
    def _ask_to_leave_call(self) -> None:
        if self.leave_call_box is not None:
            self.leave_call_box.raise_()
            return
        kept = self.live is not None and self.live.practice.session_id is not None
        words = self.for_call
        box = QMessageBox(QMessageBox.Question, words("Quit in the middle of the call?"),
                          words("The call is still going. If you quit now, it is kept as interrupted: not scored, and "
                                "the library shows it as not finished." if kept else
                                "The call is still going. If you quit now, it ends here (a practice run is not kept)."),
                          parent=self)
        if kept:
            box.setInformativeText(words("To have it scored, stay and end the call first."))
        quit_button = box.addButton("&Quit", QMessageBox.DestructiveRole)
        stay = box.addButton(words("&Stay in the call"), QMessageBox.RejectRole)
        box.setDefaultButton(stay)  # Enter, or Esc, keeps the call: quitting is the step to take on purpose
        box.setEscapeButton(stay)
        box.setAttribute(Qt.WA_DeleteOnClose)

        def answered() -> None:
            self.leave_call_box = None
            if box.clickedButton() is quit_button:  # the call may have ended meanwhile: quit all the same
                self._leaving_call = True
                self.close()
            else:
                # Staying: the call's shortcuts work again at once. With no window manager to hand the focus back,
                # a tester's Ctrl+B (a break) did nothing after "Stay" until they clicked in the window.
                self.activateWindow()
        box.finished.connect(answered)
        self.leave_call_box = box
        box.open()

    def quit(self) -> None:
        """File → Quit (Ctrl+Q): in the middle of a call, ask first, as the window's close button does."""
        if self.live is not None and self.live.running and not self._leaving_call:
            self._ask_to_leave_call()
            return
        self.close()

    def closeEvent(self, event) -> None:
        # The trainee closing the window (its close button, Alt+F4) mid-call is asked first, like File → Quit. A
        # close made by the app itself (the self-check, a test's teardown) is not: nobody is there to answer.
        if event.spontaneous() and self.live is not None and self.live.running and not self._leaving_call:
            event.ignore()
            self._ask_to_leave_call()
            return
        self._closed = True
        self._remember_geometry()
        if self.live is not None and self.live.running:
            self.live.abandon()  # kept as interrupted (no score), as a call cut short is kept anywhere
            self.live.wait(5)
        self.briefing.stop_mic_check()
        store, self.store = self.store, None
        if getattr(self, "review", None) is not None:
            self.review.close()  # with the store already let go, so closing it refreshes nothing
        self.folder_watch.stop()  # nor one from a file saved as the app closes
        if getattr(self, "authoring", None) is not None:
            self.authoring.closed.disconnect(self._authoring_closed)  # no library reload on the way out
            self.authoring.close()
        if store is not None:
            self.tasks.write(store.close)
        super().closeEvent(event)
