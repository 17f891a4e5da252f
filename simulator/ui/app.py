"""Starting the desktop app: settings, theme, the window, and a self-check for installers and CI."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QtMsgType, QTimer, qInstallMessageHandler
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


def run_app(data_folder: str | None = None, self_check: bool = False, policy_file: Path | None = None) -> int:
    qInstallMessageHandler(_quiet_platform_chatter)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Difficult Conversations Simulator")
    app.setOrganizationName("difficult-conversations-simulator")
    settings, notice = load_settings()
    apply_theme(app, settings.theme, settings.text_scale)
    tasks = Tasks(app)
    from .window import MainWindow
    folder = data_dir(data_folder or settings.data_dir)
    window = MainWindow(settings, data_dir=folder, tasks=tasks, policy_file=policy_file, ask_name=not self_check)
    if notice:
        window.notices.add(notice)
    window.resize(window.fontMetrics().horizontalAdvance("M") * 80, window.fontMetrics().height() * 42)
    window.show()
    # The startup benchmark reads this line: the wall-clock moment the window was shown.
    print(f"window shown at {time.time():.3f}", flush=True)
    if self_check:
        _self_check(app, window)
    code = app.exec()
    tasks.shutdown()
    return code


def _self_check(app: QApplication, window) -> None:
    """Open everything, report it, close: proves a built or installed app works with no one at the screen."""
    state = {"library": False, "speech": False}

    def finish(reason: str) -> None:
        lib = window.library
        print(f"self-check: {reason}; scenarios: {len(lib.scenarios)}; "
              f"speech: {window.speech_label.text()}; notices: {' | '.join(window.notices.messages) or 'none'}",
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
