"""Shared helpers: real scenario files in temporary folders, real criteria library."""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from simulator.paths import shipped_scenarios
from simulator.scenario import file_kind

REPO = Path(__file__).resolve().parents[1]

# Rendered customer lines are shared by the whole run (rendering is the slow part) but never the user's.
os.environ.setdefault("SIMULATOR_CACHE_DIR", tempfile.mkdtemp(prefix="simulator-cache-"))
# The conversation language model takes ~30 s and ~0.8 GB to build in the background on first use: tests of other
# things hear with the generic model, the same every run; tests/test_domain_lm.py switches it on where it is tested.
os.environ.setdefault("SIMULATOR_DOMAIN_LM", "0")

# A small valid scenario; tests change one thing in it at a time.
MINIMAL = """\
format: 1
id: tiny
title: A tiny scenario
persona: {name: Alex}
rubric:
  boundary_setting: {criteria: [names_behavior], weight: 100}
nodes:
  start:
    say: "You're useless!"
    on:
      - if: names_behavior
        goto: calm
      - else: angry
  calm:
    say: "Fine."
    end: good
  angry:
    say: "Whatever."
    end: poor
"""


@pytest.fixture(autouse=True)
def isolated_folders(tmp_path_factory, monkeypatch):
    """Every test keeps its records and settings in folders of its own, never the user's."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SIMULATOR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("SIMULATOR_CONFIG_DIR", str(base / "config"))
    dialog = sys.modules.get("simulator.ui.settings_dialog")
    if dialog is not None:  # the page Settings last showed is kept for the app's run, which a test is
        dialog.SettingsDialog.last_tab = 0
    return base


@pytest.fixture
def write(tmp_path: Path):
    """Write YAML text (dedented) to a file and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def shipped() -> list[Path]:
    return sorted(p for p in shipped_scenarios().glob("*.yaml") if file_kind(p) == "scenario")


@pytest.fixture
def ralph(tmp_path):
    """A real Learning Record Store (Ralph) on 127.0.0.1, for the tests that send statements to one."""
    from lrs_server import Ralph, ralph_binary
    binary = ralph_binary()
    if binary is None:
        pytest.skip("Ralph is not installed here (scripts/setup.sh test installs it into .venv-ralph)")
    server = Ralph(binary, tmp_path / "ralph")
    server.start()
    yield server
    server.stop()
