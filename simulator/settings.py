"""The app's settings: typed, versioned, in `settings.json` in the config folder.

A file that cannot be read is kept beside itself as a backup and replaced
by defaults, with a notice: a bad settings file never stops anyone
practising. `read_settings` is the one reader of the file: `store.location`
asks it for `data_dir`, so the command line and the app agree on where
sessions live.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .store.location import config_dir
from .store.private import private_dir, write_private

SCHEMA_VERSION = 1

InputMode = Literal["voice", "push_to_talk", "typed"]


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: int = SCHEMA_VERSION
    trainee: str = ""
    data_dir: str | None = None
    scenario_folders: list[str] = Field(default_factory=list)
    input_mode: InputMode = "voice"
    keep_audio: bool = False  # the default for "my manager may hear my recording"
    # A headset: talking stops the customer's line, and the customer may begin a moment early (voiceplay.py); auto:
    # on while the microphone does not hear the customer's lines (speech/echo.py).
    headset: Literal["auto", "yes", "no"] = "auto"
    input_device: str | None = None
    output_device: str | None = None
    voice: str | None = None  # a speech-engine voice that overrides the persona's
    rate_percent: int = Field(100, ge=50, le=200)  # speaking rate relative to the persona's
    recogniser: Literal["auto", "vosk", "pocketsphinx"] = "auto"
    model: str | None = None  # an installed Vosk model's folder name; None: the first installed
    # The pronunciations PocketSphinx expects (speech/accents.py); auto: British for an en_GB locale.
    accent: Literal["auto", "general", "british"] = "auto"
    theme: Literal["system", "light", "dark"] = "system"
    text_scale: int = Field(100, ge=75, le=200)  # percent of the system font size
    reviewer: str = ""  # the manager's name on overrides, remembered between review sessions
    dismissed_notices: list[str] = Field(default_factory=list)  # lasting notices the trainee has read and closed
    window_geometry: str | None = None  # the main window's size, place and maximised state (Qt's, base64)
    show_assessed: bool = True  # the briefing's "what this scenario assesses" open (False: going in blind)
    show_checklist: bool = False  # the live checklist of criteria during a call (practice, or where the policy allows)


def barge_in(headset: str) -> bool | None:
    """VoiceLoop's `barge_in` for the headset setting: True, False, or None to find out (speech/echo.py)."""
    return {"yes": True, "no": False}.get(headset)


def settings_file() -> Path:
    return config_dir() / "settings.json"


def _migrate(data: dict) -> dict:
    # Version 0 was the command line's own file, which held only data_dir.
    data.setdefault("schema_version", 0)
    if data["schema_version"] == 0:
        data["schema_version"] = 1
    # "barge_in" (true: a headset) came before "headset"; false was its default, so it says nothing of a choice.
    if "headset" not in data and data.get("barge_in") is True:
        data["headset"] = "yes"
    return data


def read_settings(path: Path | None = None) -> tuple[AppSettings, str, str | None]:
    """What the settings file says, checked against the model: (settings, notice, damage).

    The one reader of settings.json, for the app and for every command (which asks it where the records
    are). It reads only: nothing is moved or written. `damage` is the first line of what is wrong with a file
    that is not valid settings; then, as when it cannot be read, the defaults are returned, with a notice.
    """
    path = path or settings_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppSettings(), "", None
    except OSError as exc:
        return AppSettings(), f"Your settings could not be read ({exc.strerror}); the defaults are used.", None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        data = _migrate(data)
        if not isinstance(data["schema_version"], int):
            raise ValueError("schema_version is not a number")
        if data["schema_version"] > SCHEMA_VERSION:
            # Where the records are is kept: the newer version's sessions are still found.
            kept = AppSettings.model_validate({k: v for k, v in data.items() if k == "data_dir"})
            return kept, ("Your settings were written by a newer version of the simulator; the defaults are used "
                          "for this session and the file is left as it is."), None
        return AppSettings.model_validate(data), "", None
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        return AppSettings(), f"Your settings file was damaged ({first}); the defaults are used.", first


def load_settings(path: Path | None = None) -> tuple[AppSettings, str]:
    """The settings for the app, and a notice when the file had to be set aside: a damaged file is kept beside
    itself as a backup, so the next save does not overwrite what the trainee may want back."""
    path = path or settings_file()
    settings, notice, damage = read_settings(path)
    if damage is None:
        return settings, notice
    backup = path.with_name(f"settings.bad-{time.strftime('%Y%m%d-%H%M%S')}.json")
    try:
        path.replace(backup)
    except OSError:
        backup = path
    return settings, f"Your settings file was damaged ({damage}); it was kept as {backup.name} and the defaults are used."


def save_settings(settings: AppSettings, path: Path | None = None, *, since: AppSettings | None = None) -> AppSettings:
    """Written to a temporary file and renamed, so a crash mid-write leaves the old file whole; returns what was
    written. `since`: the settings as this window last read or wrote them. Only what changed since then is
    written over the file as it is now: the trainee's app and the review app (two processes) each wrote back
    everything they had read at start, and undid the other's changes (a new data folder, the reviewer's name)."""
    path = path or settings_file()
    if since is not None and path.exists():  # none yet: this window's settings are the first
        current, notice, damage = read_settings(path)
        if not notice and damage is None:
            before, after = since.model_dump(), settings.model_dump()
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            settings = AppSettings.model_validate({**current.model_dump(), **changed})
    private_dir(path.parent)  # the trainee's name and where their records are: theirs only
    write_private(path, json.dumps(settings.model_dump(), indent=2).encode("utf-8"))
    return settings


def coach_folders() -> list[Path]:
    """The scenario folders added in the app (File → Add a scenario folder) that are there: a coach's own scenarios
    are found by id, join the conversation model's words, and take ids the library then has."""
    return [Path(f) for f in read_settings()[0].scenario_folders if Path(f).is_dir()]
