"""Opening the session records from a window: on a worker, because a migration, a recovery of sessions a
crash cut short or a read-only fallback can take seconds on a big store, and the window shows at once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from ..store import Store
from .tasks import Tasks


def open_store(tasks: Tasks, folder: Path, *, done: Callable[[Store], None],
               failed: Callable[[BaseException], None]) -> Future:
    """The trainee's window and review mode both open their store here."""
    return tasks.run(Store, folder, done=done, failed=failed)
