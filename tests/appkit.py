"""Driving the real app window in tests, as a trainee would: select, click, type, press Enter."""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QWidget

from simulator.settings import AppSettings
from simulator.speech.kit import FileDevices
from simulator.ui.review.window import ReviewWindow
from simulator.ui.tasks import Tasks
from simulator.ui.window import MainWindow


def open_window(qtbot, tmp_path: Path, *, devices=None, speech: bool = False, trainee: str = "Robin Test",
                **settings) -> MainWindow:
    tasks = Tasks()
    window = MainWindow(AppSettings(trainee=trainee, **settings), data_dir=tmp_path / "data", tasks=tasks,
                        devices=devices or FileDevices(), speech=speech, settings_path=tmp_path / "settings.json",
                        ask_name=False)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # on X11 with no window manager nothing else does, and window shortcuts need it
    qtbot.waitUntil(lambda: bool(window.library.scenarios) and window.store is not None, timeout=20_000)
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    if speech:
        qtbot.waitUntil(lambda: window.kit is not None, timeout=60_000)
    return window


def keys_in(window: QWidget) -> set[str]:
    """Every key a window answers to, as its shortcut help writes it: actions, shortcut objects (enabled or not at
    this moment), and a button's own key other than Alt and its underlined letter."""
    keys = {k.toString(QKeySequence.NativeText) for a in window.findChildren(QAction) for k in a.shortcuts()}
    keys |= {s.key().toString(QKeySequence.NativeText) for s in window.findChildren(QShortcut)}
    for button in window.findChildren(QAbstractButton):
        mnemonic = re.search(r"&([^&\s])", button.text().replace("&&", ""))
        key = button.shortcut().toString(QKeySequence.PortableText)
        if key and (mnemonic is None or key.lower() != f"alt+{mnemonic.group(1).lower()}"):
            keys.add(button.shortcut().toString(QKeySequence.NativeText))
    return keys - {""}


def choose(qtbot, window: MainWindow, scenario_id: str, *, input_mode: str = "typed", assessed: bool = True,
           keep_audio: bool = False, intensity: int = 0) -> None:
    """From the library to a running session, by the same widgets a trainee uses."""
    lib = window.library
    row = next(i for i, sf in enumerate(lib.scenarios) if sf.id == scenario_id)
    lib.table.selectRow(row)
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    assert window.stack.currentWidget() is window.briefing
    b = window.briefing
    b.input_group.button([m for m, _ in _modes()].index(input_mode)).setChecked(True)
    b.mode_group.button(0 if assessed else 1).setChecked(True)
    if b.intensity_group.button(intensity) is not None:
        b.intensity_group.button(intensity).setChecked(True)
    b.keep_audio.setChecked(keep_audio)
    qtbot.mouseClick(b.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.roleplay and window.live is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.roleplay.transcript.count() >= 1, timeout=20_000)


def _modes():
    from simulator.ui.briefing_page import INPUT_MODES
    return INPUT_MODES


def type_reply(qtbot, window: MainWindow, text: str) -> None:
    page = window.roleplay
    before = page.transcript.count()
    page.reply.setFocus()
    qtbot.keyClicks(page.reply, text)
    qtbot.keyClick(page.reply, Qt.Key_Return)
    # The reply and the customer's answer both arrive through the session's signals.
    qtbot.waitUntil(lambda: page.transcript.count() > before or not page.reply.isEnabled(), timeout=10_000)


def press(qtbot, window: MainWindow, action: str) -> None:
    page = window.roleplay
    before = page.transcript.count()
    qtbot.mouseClick(page.buttons[action], Qt.LeftButton)
    qtbot.waitUntil(lambda: page.transcript.count() > before or not page.reply.isEnabled(), timeout=10_000)


def wait_for_results(qtbot, window: MainWindow, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=timeout)


class StallMeter(QObject):
    """Ticks every few milliseconds on the GUI thread and keeps the longest gap: the worst freeze a user would feel."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.worst_ms = 0.0
        self.ticks = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        import threading
        self._clock.start()
        self._timer.start()
        self._last = time.monotonic()
        self._main = threading.get_ident()
        self._watching = True
        self.stacks: list[str] = []  # where the GUI thread was when it stalled: the failure message names the culprit
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        import sys
        import traceback
        while self._watching:
            time.sleep(0.02)
            if time.monotonic() - self._last > 0.08:
                frame = sys._current_frames().get(self._main)
                if frame is not None:
                    self.stacks.append("".join(traceback.format_stack(frame)[-8:]))
                self._last = time.monotonic()

    def _tick(self) -> None:
        self._last = time.monotonic()
        gap = self._clock.restart()
        self.ticks += 1
        self.worst_ms = max(self.worst_ms, gap - self.interval_ms)

    def stop(self) -> None:
        self._watching = False
        self._timer.stop()


def wait_seconds(qtbot, seconds: float) -> None:
    end = time.monotonic() + seconds
    qtbot.waitUntil(lambda: time.monotonic() >= end, timeout=int(seconds * 1000) + 5000)


def open_review(qtbot, folder: Path, *, trainee: str = "Mo", reviewer: str | None = None, policy=None,
                devices=None, size: tuple[int, int] = (1400, 800)) -> ReviewWindow:
    """Review mode over a data folder, shown and with its first rows read (no passphrase asked)."""
    settings = AppSettings(trainee=trainee, reviewer=trainee if reviewer is None else reviewer)
    window = ReviewWindow(data_dir=folder, tasks=Tasks(), settings=settings, policy=policy,
                          devices=devices or FileDevices(), ask_passphrase=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    with qtbot.waitSignal(window.model.rows_ready, timeout=20_000):
        pass
    return window
