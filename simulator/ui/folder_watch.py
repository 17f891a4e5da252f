"""The coach's scenario folders, watched: a file fixed, added or removed in an editor shows in the library
without adding the folder again (the walker fixed a file and the library went on calling it broken)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

SETTLE_MS = 400  # editors write a file in steps (a temporary file, then a rename): one reload after the last


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

    def watch(self, folders: list[str]) -> None:
        """Watch these folders and the scenario files in them now (a file replaced by a rename is a new file)."""
        for old in (self._watcher.files(), self._watcher.directories()):
            if old:
                self._watcher.removePaths(old)
        paths = []
        for folder in map(Path, folders):
            if folder.is_dir():
                paths.append(str(folder))
                try:
                    paths += [str(p) for p in sorted(folder.glob("*.yaml"))[:500] if p.is_file()]
                except OSError:
                    pass  # unreadable now: the library says so; the folder itself is still watched
        if paths:
            self._watcher.addPaths(paths)
