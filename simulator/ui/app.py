"""Starting the desktop app: settings, theme, the window, and a self-check for installers and CI."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QSize, QtMsgType, QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from ..settings import load_settings
from ..store.location import data_dir
from .tasks import Tasks
from .theme import apply_theme

SELF_CHECK_TIMEOUT_S = 60


def _quiet_platform_chatter(kind: QtMsgType, context, message: str) -> None:  # noqa: ARG001
    # The offscreen platform (tests, CI, the self-check) reports features it lacks; nobody can act on that.
    if "does not support" in message:
        return
    print(message, file=sys.stderr)


_saying: list[object] = []  # the error box open now: a fault that repeats opens one box, not one per event


def say_unexpected(kind: type, exc: BaseException, tb) -> None:
    """A fault in the window's code, said in a box as well as on stderr: started from a desktop icon, review mode
    failing to open said nothing at all (a walker's find; the traceback was only in a terminal nobody had)."""
    import traceback
    from PySide6.QtWidgets import QMessageBox

    details = "".join(traceback.format_exception(kind, exc, tb))
    print(details, file=sys.stderr, end="")
    app = QApplication.instance()
    if app is None or _saying or issubclass(kind, KeyboardInterrupt):
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                      f"Something went wrong: {exc or kind.__name__}. Your sessions so far are kept. If it happens "
                      "again, tell whoever supports the simulator and give them the details below.",
                      QMessageBox.StandardButton.Close, app.activeWindow())
    box.setDetailedText(details)
    _saying.append(box)
    box.finished.connect(lambda *_: _saying.clear())
    box.open()


def _application() -> tuple[QApplication, object, str, Tasks]:
    """The QApplication with the user's settings and theme, and the tasks that keep work off its thread."""
    qInstallMessageHandler(_quiet_platform_chatter)
    sys.excepthook = say_unexpected
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Difficult Conversations Simulator")
    app.setOrganizationName("difficult-conversations-simulator")
    settings, notice = load_settings()
    apply_theme(app, settings.theme, settings.text_scale)
    return app, settings, notice, Tasks(app)


def fitting_size(screen: QSize, em: int, line: int, ems: int, lines: int) -> QSize:
    """Most of the screen, with a margin to see the desktop is still there; at least `ems` letters by `lines`
    lines of text where the screen has room; never larger than the screen."""
    width = min(max(int(screen.width() * 0.8), em * ems), int(screen.width() * 0.96))
    height = min(max(int(screen.height() * 0.85), line * lines), int(screen.height() * 0.94))
    return QSize(width, height)


def _show_sized(app: QApplication, window, ems: int, lines: int) -> None:
    """Show a window sized to the screen and its font."""
    metrics = window.fontMetrics()
    screen = window.screen() or app.primaryScreen()
    window.resize(fitting_size(screen.availableGeometry().size(), metrics.horizontalAdvance("M"), metrics.height(),
                               ems, lines))
    window.show()


def _self_check_on(app: QApplication, signal, report) -> None:
    """Print the report and leave once the signal comes; fail if it never does."""
    def done(*_args) -> None:
        print(report(), flush=True)
        app.exit(0)
    signal.connect(done)
    QTimer.singleShot(SELF_CHECK_TIMEOUT_S * 1000, lambda: (print("self-check: timed out"), app.exit(1)))


def run_app(data_folder: str | None = None, self_check: bool = False, policy_file: Path | None = None,
            review: bool = False) -> int:
    # Workers parse YAML and load engines in pure Python; a shorter GIL switch interval (default 5 ms) lets the
    # GUI thread back in sooner when it wakes for an event.
    sys.setswitchinterval(0.001)
    app, settings, notice, tasks = _application()
    folder = data_dir(data_folder or settings.data_dir)
    if review:
        return _run_review(app, tasks, settings, folder, policy_file, self_check)
    from .window import MainWindow
    window = MainWindow(settings, data_dir=folder, tasks=tasks, policy_file=policy_file, ask_name=not self_check)
    if notice:
        window.notices.add(notice)
    window.place_on_screen()
    window.show()
    # The startup benchmark and the packaging test read this line: the wall-clock moment the window was shown.
    # Only for them: someone starting the app from a terminal read a bare timestamp.
    if self_check or os.environ.get("SIMULATOR_SAY_SHOWN"):
        print(f"window shown at {time.time():.3f}", flush=True)
    if self_check:
        _self_check(app, window)
    # Closing the window ends the app, whatever shows for a moment afterwards: Qt's own quit on the last window
    # is cancelled by any window shown before it is carried out (one was, and the process outlived its window).
    app.lastWindowClosed.connect(app.quit)
    code = app.exec()
    tasks.shutdown()
    return code


def run_author_window(folder: Path, self_check: bool = False) -> int:
    """`simulator author`: the coach's window on its own."""
    from ..speech.kit import AudioDevices
    from .authoring.window import AuthoringWindow
    app, settings, _notice, tasks = _application()
    window = AuthoringWindow(tasks=tasks, devices=AudioDevices(), output_device=settings.output_device, folder=folder)
    _show_sized(app, window, 140, 46)
    if self_check:
        def report() -> str:
            bad = sum(c.state == "errors" for c in window.checks)
            text = f"self-check: ok; authoring; files: {len(window.checks)}; with errors: {bad}"
            window.close()
            return text
        _self_check_on(app, window.checked, report)
    code = app.exec()
    tasks.shutdown()
    return code


def _run_review(app: QApplication, tasks: Tasks, settings, folder: Path, policy_file: Path | None,
                self_check: bool) -> int:
    """`simulator review`: the manager's window on its own."""
    from ..scenario import load_policy
    from ..settings import save_settings
    from .review.window import ReviewWindow
    policy = load_policy(policy_file)
    written = [settings]  # as read at start: a save writes only what changed since (settings.py)

    def save(changed) -> None:
        written[0] = save_settings(changed, since=written[0])
    window = ReviewWindow(data_dir=folder, tasks=tasks, settings=settings, policy=policy,
                          save_settings=save, ask_passphrase=not self_check)
    _show_sized(app, window, 150, 46)  # every score column without scrolling sideways
    if self_check:
        def report() -> str:
            text = f"self-check: ok; review mode; sessions: {window.model.total}"
            window.close()
            return text
        _self_check_on(app, window.model.rows_ready, report)
    code = app.exec()
    tasks.shutdown()
    return code


def _watch_for_stalls() -> None:
    """For developers: print where the GUI thread was whenever it stops ticking for over 60 ms."""
    import threading
    import traceback
    main, last = threading.get_ident(), [time.monotonic()]

    def tick() -> None:
        last[0] = time.monotonic()
    timer = QTimer(QApplication.instance())
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()

    def watch() -> None:
        while True:
            time.sleep(0.01)
            if time.monotonic() - last[0] > 0.06:
                frames = sys._current_frames()
                others = [f"  [{t.name}] " + traceback.format_stack(frames[t.ident])[-1].strip().replace("\n", " ")
                          for t in threading.enumerate() if t.ident in frames and t.ident != main]
                print(f"stall > 60 ms; GUI thread at:\n{''.join(traceback.format_stack(frames[main])[-3:])}"
                      + "\n".join(others), file=sys.stderr, flush=True)
                last[0] = time.monotonic()
    threading.Thread(target=watch, name="stall-watch", daemon=True).start()


def _self_check(app: QApplication, window) -> None:
    """Open everything, report it, close: proves a built or installed app works with no one at the screen."""
    state = {"library": False, "speech": False}
    clock = QElapsedTimer()
    worst = [0]

    def tick() -> None:
        worst[0] = max(worst[0], clock.restart() - 10)
    ticker = QTimer(window)
    ticker.setInterval(10)
    ticker.timeout.connect(tick)

    def begin() -> None:
        clock.start()
        ticker.start()
        if os.environ.get("SIMULATOR_DEBUG_STALLS"):
            _watch_for_stalls()
    # From the first pass of the event loop: the window's first paint is the window appearing, not a freeze.
    QTimer.singleShot(0, begin)

    def finish(reason: str) -> None:
        lib = window.library
        ticker.stop()
        engine = (window.kit.recognizer_name if window.kit is not None else None) or "none"
        print(f"self-check: {reason}; scenarios: {len(lib.scenarios)}; longest event-loop stall: {worst[0]} ms; "
              f"speech: {window.speech_label.text()}; recognition: {engine}; "
              f"notices: {' | '.join(window.notices.messages) or 'none'}",
              flush=True)
        window.close()
        app.exit(0 if lib.scenarios else 1)

    def mark(part: str) -> None:
        state[part] = True
        if all(state.values()):
            finish("ok")
    window.library_ready.connect(lambda: mark("library"))
    window.speech_ready.connect(lambda: mark("speech"))
    QTimer.singleShot(SELF_CHECK_TIMEOUT_S * 1000, lambda: finish("timed out"))
