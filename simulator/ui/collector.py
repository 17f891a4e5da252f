"""Python's cycle collector, run only on the GUI thread.

Left alone, the collector runs on whichever thread crosses its threshold,
often a worker. When a cycle it frees holds a Qt object, that object is
destroyed on the worker and Qt can crash the app (seen once in the tests: a
segfault "Garbage-collecting" on an app-work thread), losing more than the
turn in flight. So automatic collection is switched off and a GUI-thread
timer collects instead, with the collector's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

_collector: _Collector | None = None


class _Collector(QObject):
    def __init__(self, app: QCoreApplication, interval_ms: int) -> None:
        super().__init__(app)
        gc.disable()
        # What is alive before the first window (modules, classes) lives as long as the app: set it aside,
        # so that full collections, now on the GUI thread, stay short. This one runs before anything is shown.
        gc.collect()
        gc.freeze()
        self.destroyed.connect(_restore)  # the app is going away: nobody is left to call the timer
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> int:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0


def _restore() -> None:
    global _collector
    _collector = None
    gc.enable()


def collect_on_gui_thread(interval_ms: int = 50) -> bool:
    """Once per app: move cycle collection to the GUI thread. False where there is no app, or not on its thread."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return False
    if _collector is None:
        _collector = _Collector(app, interval_ms)
    return True
