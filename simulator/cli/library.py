"""Finding scenarios by file or by id, and `simulator list`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..scenario import CONTENT, ScenarioFile
from ..scenario.library import available, find_scenario, looks_like_a_file, scenario_path
from ..settings import coach_folders

__all__ = ["available", "content_note", "resolve", "named_paths"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list the scenarios you can play",
                       description="List the scenarios in the shipped library (and any folders given).")
    p.add_argument("folders", nargs="*", type=Path, help="more folders of scenarios")
    p.set_defaults(run=run)


def resolve(name: str) -> ScenarioFile:
    """A scenario by file path, or by id from the shipped library and the coach's folders."""
    return find_scenario(name, coach_folders())


def named_paths(names: list[Path]) -> list[Path]:
    """Files and folders as given, each scenario id replaced by its file."""
    return [Path(n) if looks_like_a_file(n) else scenario_path(str(n), coach_folders()) for n in names]


def content_note(sf: ScenarioFile) -> str:
    tags = sf.scenario.content
    return "Contains: " + ", ".join(CONTENT[t] for t in tags) + "." if tags else "No abusive content."


def run(args: argparse.Namespace) -> int:
    good, bad = available([*coach_folders(), *args.folders])
    for sf in good:
        s = sf.scenario
        print(f"{s.id}\n  {s.title}  [{s.difficulty}, ~{s.minutes} min, intensity: {'/'.join(s.intensity)}]\n  {content_note(sf)}")
    for exc in bad:
        print(f"(not playable: {exc.path}; run `simulator validate` for details)")
    return 0
