"""Where a session's recordings are, confined to the data folder's audio folder.

Session ids and recording names come from the database, and the database
takes sessions from bundles other people made; a name is only ever turned
into a path here, after checking it has the shape the store gives names and
that, resolved, it is still inside the audio folder.
"""

from __future__ import annotations

import re
from pathlib import Path

_SESSION = re.compile(r"[0-9a-f]{32}")
_RECORDING = re.compile(r"([0-9a-f]{32})/[0-9]{1,6}\.wav")


def audio_folder(audio_dir: Path, session_id: str) -> Path | None:
    """The folder of one session's recordings, or None when the id could lead anywhere else."""
    if not _SESSION.fullmatch(session_id or ""):
        return None
    folder = audio_dir / session_id
    return None if folder.is_symlink() else _inside(audio_dir, folder)


def audio_file(audio_dir: Path, relative: str | None) -> Path | None:
    """One recording (`<session>/<turn>.wav`), or None when there is none or the name could lead elsewhere."""
    if not relative or not _RECORDING.fullmatch(relative):
        return None
    return _inside(audio_dir, audio_dir / relative)


def _inside(audio_dir: Path, path: Path) -> Path | None:
    root = audio_dir.resolve()
    return path if path.resolve().is_relative_to(root) and path.resolve() != root else None
