"""Where session records live: --data-dir, then SIMULATOR_DATA_DIR, then the settings file, then the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "difficult-conversations-simulator"
ENV_DATA_DIR = "SIMULATOR_DATA_DIR"
ENV_CONFIG_DIR = "SIMULATOR_CONFIG_DIR"
ENV_CACHE_DIR = "SIMULATOR_CACHE_DIR"


def config_dir() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    return Path(override) if override else Path(platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """Rebuildable things (rendered customer lines): safe to delete at any time."""
    override = os.environ.get(ENV_CACHE_DIR)
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def standard_data_dir() -> Path:
    """The folder used when settings name none: this computer's (the environment's), else the account's."""
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR])
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The folder for the database and kept audio, by the first rule that gives one."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR])
    # Imported here: settings.py takes config_dir from this module. Its reader checks the file, so a settings.json
    # the app would refuse names no folder here either, and the two never disagree about where sessions live.
    from ..settings import read_settings
    chosen = read_settings()[0].data_dir
    return Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP, appauthor=False))
