"""Long work from the review menus (exports, imports, the LRS push) with a progress dialog and a Cancel button.

The work runs on a worker; its progress comes back through `call_soon`, and
Cancel is a flag the worker's progress callback checks between sessions,
so a cancelled export writes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from ...errors import SimulatorError
from ..tasks import Tasks


class Cancelled(SimulatorError):
    def __init__(self) -> None:
        super().__init__("cancelled", "nothing was written")


class LongTask:
    """`work(progress)` on a worker, where progress(done, total) updates the dialog and raises on Cancel."""

    def __init__(self, parent: QWidget, tasks: Tasks, title: str, work: Callable[[Callable[[int, int], None]], Any],
                 done: Callable[[Any], None], failed: Callable[[BaseException], None]) -> None:
        self.dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(300)  # quick work finishes before any dialog shows
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self._cancel = threading.Event()
        self.dialog.canceled.connect(self._cancel.set)

        def progress(n: int, total: int) -> None:
            if self._cancel.is_set():
                raise Cancelled()
            tasks.call_soon(lambda: self._show(n, total))

        def finished(result: Any) -> None:
            self.dialog.close()
            done(result)

        def went_wrong(exc: BaseException) -> None:
            self.dialog.close()
            if not isinstance(exc, Cancelled):
                failed(exc)
        self.future = tasks.run(work, progress, done=finished, failed=went_wrong)

    def _show(self, n: int, total: int) -> None:
        if self.dialog.isHidden() and self.dialog.result():
            return
        self.dialog.setMaximum(total)
        self.dialog.setValue(n)
        self.dialog.setLabelText(f"{n:,} of {total:,}")
