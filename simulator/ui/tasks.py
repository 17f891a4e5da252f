"""The one way slow work leaves the GUI thread.

`tasks.run(fn, *args, done=..., failed=...)` calls fn on a worker with plain
values; `done(result)` or `failed(exc)` is then called back on the GUI
thread, where widgets may be touched. Storage writes go through `write`,
a single worker, so the store never sees two writers from the app.
Long loading that quitting must not wait for (the speech engines) goes
through `background`: a thread the process does not wait for at exit.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from .collector import collect_on_gui_thread


class _Job:
    """A job's function, arguments and callbacks, taken out in one go by the worker that runs it."""

    __slots__ = ("_parts",)

    def __init__(self, fn, args, done, failed) -> None:
        self._parts: list | None = [fn, args, done, failed]

    def take(self) -> list:
        parts, self._parts = self._parts, None
        return parts


class Tasks(QObject):
    _finished = Signal(object)  # a closure to call on the GUI thread

    def __init__(self, parent: QObject | None = None, workers: int = 2) -> None:
        super().__init__(parent)
        collect_on_gui_thread()  # workers must never be the ones to free Qt objects
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="app-work")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="app-store")
        self._finished.connect(self._deliver)
        self._closing = False  # after shutdown(): what finishes later is dropped, nobody is left to show it to
        self.failures: list[BaseException] = []  # for tests: what went wrong with no one to tell

    def run(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
            failed: Callable[[BaseException], None] | None = None) -> Future:
        return self._submit(self._pool, fn, args, done, failed)

    def write(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
              failed: Callable[[BaseException], None] | None = None) -> Future:
        return self._submit(self._writer, fn, args, done, failed)

    def background(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
                   failed: Callable[[BaseException], None] | None = None) -> threading.Thread:
        """As `run`, for slow loading that quitting must not wait for (the speech engines take seconds, a large
        recognition model far longer): a daemon thread, which the process leaves behind at exit instead of
        joining it as it joins the workers. Its work must keep nothing that needs closing on the way out."""
        def work() -> None:
            try:
                self._reporting(_Job(fn, args, done, failed))
            except BaseException:  # noqa: BLE001, S110 - already handed to the GUI thread; nobody joins this thread
                pass
        thread = threading.Thread(target=work, name="app-background", daemon=True)
        thread.start()
        return thread

    def call_soon(self, fn: Callable[[], None]) -> None:
        """From any thread: run fn on the GUI thread (dropped once the app is shutting down)."""
        if not self._closing:
            self._finished.emit(fn)

    def _submit(self, pool: ThreadPoolExecutor, fn, args, done, failed) -> Future:
        return pool.submit(self._reporting, _Job(fn, args, done, failed))

    def _reporting(self, job: _Job) -> Any:
        """The job on the calling worker; its result or failure is handed to the GUI thread (and the failure
        re-raised, so a Future holds it too)."""
        parts = job.take()
        try:
            result = parts[0](*parts[1])
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, not lost
            self.call_soon(partial(self._settle, parts, False, exc))
            raise
        self.call_soon(partial(self._settle, parts, True, result))
        return result

    def _settle(self, parts: list, ok: bool, value: Any) -> None:
        """On the GUI thread, the one place a job's function, arguments and callbacks are let go of: a widget whose
        last reference went away on a worker would be freed there, where Qt can crash. Then its callback."""
        _fn, _args, done, failed = parts
        parts.clear()
        if not ok:
            traceback.clear_frames(value.__traceback__)  # the failed call's frames hold its arguments too
        if self._closing:
            return
        if not ok:
            self._fail(value, failed)
        elif done is not None:
            done(value)

    def _fail(self, exc: BaseException, failed) -> None:
        if failed is not None:
            failed(exc)
        else:
            self.failures.append(exc)
            traceback.print_exception(exc)

    @Slot(object)
    def _deliver(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise
            # The window the result was for has closed meanwhile: nobody is left to show it to.

    def shutdown(self) -> None:
        """The app is quitting: storage writes are finished (the store is closed by one); nothing else is waited
        for, and what finishes later is dropped."""
        self._closing = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._writer.shutdown(wait=True)
