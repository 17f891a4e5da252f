"""The scenario library as review mode needs it (titles, intensities, the assignment dialog's list).

Parsed once per window, on a worker, and shared: the Team tab parsed every
scenario file again each time it was opened or refreshed, holding the
interpreter for about a second, and the assignment dialog did it once more.
Review → Refresh forgets it, so a scenario a coach just added appears.
"""

from __future__ import annotations

import threading
from pathlib import Path


class ScenarioShelf:
    def __init__(self, folders) -> None:
        self._folders = [Path(f) for f in folders]
        self._lock = threading.Lock()
        self._scenarios: list | None = None

    def scenarios(self) -> list:
        """The valid scenarios (a worker calls this; the first call parses them)."""
        from ...scenario.library import available
        with self._lock:
            if self._scenarios is None:
                self._scenarios = available(self._folders)[0]
            return self._scenarios

    def forget(self) -> None:
        with self._lock:
            self._scenarios = None
