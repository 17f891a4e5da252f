"""Where shipped files live, in a source checkout and in a built app."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir(name: str) -> Path:
    """A top-level folder shipped with the product (scenarios, assets, models)."""
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller puts data under _internal/
    base = Path(frozen) if frozen else Path(__file__).resolve().parents[1]
    return base / name


def shipped_scenarios() -> Path:
    return resource_dir("scenarios")


def standard_criteria_file() -> Path:
    return shipped_scenarios() / "criteria.yaml"


def default_policy_file() -> Path:
    return shipped_scenarios() / "policy.yaml"
