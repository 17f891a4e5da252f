"""The coach's scenario folders, watched: a file fixed, added or removed in an editor shows in the library
without adding the folder again (the walker fixed a file and the library went on calling it broken)."""

from __future__ import annotations

import os
from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from ..scenario.finding import SUFFIXES

SETTLE_MS = 400  # editors write a file in steps (a temporary file, then a rename): one reload after the last
MOST_PATHS = 2000  # inotify watches are a shared, limited resource


def watched_paths(folders: list[str]) -> list[str]:
    """What the library reads in these folders (finding.py: every folder under them, .yaml and .yml): each folder,
    to see files come and go, and each file, to see it written in place. Read on a worker: it walks the disk."""
    paths: list[str] = []
    for folder in folders:
        for root, _dirs, names in os.walk(folder):  # one walk: each folder, then its scenario files
            paths.append(root)
            paths += [p for n in sorted(names) if n.endswith(SUFFIXES) and os.path.exists(p := os.path.join(root, n))]
    return paths[:MOST_PATHS]


class FolderWatch(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.changed)
        self._watcher.directoryChanged.connect(self._settle.start)
        self._watcher.fileChanged.connect(self._settle.start)
        self.generation = 0  # how many times the paths were set (tests wait on it)

    def watch(self, paths: list[str]) -> None:
        """Watch these paths now, instead of the last ones. Only what changed is taken off or added: taking every
        watch off and on again let a save in between go unseen. A file replaced by a rename is a new file, and its
        old watch is gone: it is added again."""
        wanted, now = set(paths), set(self.paths)
        if now - wanted:
            self._watcher.removePaths(sorted(now - wanted))
        if wanted - now:
            self._watcher.addPaths(sorted(wanted - now))
        self.generation += 1

    @property
    def paths(self) -> list[str]:
        return [*self._watcher.directories(), *self._watcher.files()]

    def stop(self) -> None:
        self._settle.stop()
        self.watch([])
