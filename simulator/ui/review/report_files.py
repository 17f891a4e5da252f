"""Where a session's report is saved: a name a manager can find again, in their documents folder."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from ...store.records import SessionRecord


def documents_folder() -> Path:
    # Without an existing documents folder the dialog would open in the program's working folder: use home.
    found = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def _safe(text: str) -> str:
    # Characters that some file systems refuse, and runs of space, go; the words stay readable.
    return re.sub(r"\s+", " ", re.sub(r'[<>:"/\\|?*\x00-\x1f]', " ", text)).strip(" .") or "session"


def report_name(record: SessionRecord, kind: str) -> str:
    """"Ana Lee – Swearing caller – 2026-11-30.pdf": who, what and when, as a manager files it."""
    s = record.summary
    day = dt.datetime.fromtimestamp(s.started_at).strftime("%Y-%m-%d %H%M")
    return f"{_safe(s.trainee)} – {_safe(s.scenario_title)} – {day}.{kind}"


def suggested_report_path(record: SessionRecord, kind: str) -> Path:
    return documents_folder() / report_name(record, kind)
