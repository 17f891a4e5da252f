"""Removing what the organisation's retention period says is no longer kept."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

from .audiofiles import audio_folder
from .database import IN_PROGRESS, Store

DAY = 86400.0


@dataclass(frozen=True)
class PurgeReport:
    audio_sessions: int
    sessions: int


def purge(store: Store, audio_days: int | None, session_days: int | None, now: float | None = None,
          dry_run: bool = False) -> PurgeReport:
    now = now if now is not None else time.time()
    audio_ids: list[str] = []
    session_ids: list[str] = []
    if audio_days is not None:
        audio_ids = [r["id"] for r in store.read(
            "SELECT DISTINCT s.id FROM sessions s JOIN turns t ON t.session_id = s.id"
            " WHERE t.audio IS NOT NULL AND s.started_at < ? AND s.status != ?", (now - audio_days * DAY, IN_PROGRESS))]
    if session_days is not None:
        session_ids = [r["id"] for r in store.read(
            "SELECT id FROM sessions WHERE started_at < ? AND status != ?", (now - session_days * DAY, IN_PROGRESS))]
    if not dry_run:
        for session_id in set(audio_ids) | set(session_ids):
            folder = audio_folder(store.audio_dir, session_id)
            if folder is not None:  # an id that could name a folder elsewhere names no recordings of ours
                shutil.rmtree(folder, ignore_errors=True)
        with store.write() as db:
            for session_id in audio_ids:
                db.execute("UPDATE turns SET audio = NULL WHERE session_id = ?", (session_id,))
            for session_id in session_ids:
                db.execute("DELETE FROM outbox WHERE session_id = ?", (session_id,))
                db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if audio_ids or session_ids:
                # The search index keeps deleted words in its segments until they are merged.
                db.execute("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")
        if audio_ids or session_ids:
            store.renew_backups()  # what retention deleted must not live on in older copies
    return PurgeReport(len(audio_ids), len(session_ids))
