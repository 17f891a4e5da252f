"""Finding scenarios by file or by id, and `simulator list`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ScenarioError, SimulatorError
from ..paths import shipped_scenarios
from ..scenario import CONTENT, ScenarioFile, find_scenario_files, load_scenario


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list the scenarios you can play",
                       description="List the scenarios in the shipped library (and any folders given).")
    p.add_argument("folders", nargs="*", type=Path, help="more folders of scenarios")
    p.set_defaults(run=run)


def available(folders: list[Path] | None = None) -> tuple[list[ScenarioFile], list[ScenarioError]]:
    """Every valid scenario in the shipped library and the folders given, and the broken ones."""
    good, bad = [], []
    for path in find_scenario_files([shipped_scenarios(), *(folders or [])]):
        try:
            good.append(load_scenario(path))
        except ScenarioError as exc:
            bad.append(exc)
    return good, bad


def resolve(name: str) -> ScenarioFile:
    """A scenario by file path, or by id from the shipped library."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists() and not path.is_symlink():  # a symlink loop is named as one by the loader
            raise SimulatorError(f"no scenario file at {path}", "check the path, or give a scenario id from `simulator list`")
        return load_scenario(path)
    good, _ = available()
    for sf in good:
        if sf.id == name:
            return sf
    ids = ", ".join(sf.id for sf in good)
    raise SimulatorError(f"no scenario with id '{name}'", f"available: {ids}")


def content_note(sf: ScenarioFile) -> str:
    tags = sf.scenario.content
    return "Contains: " + ", ".join(CONTENT[t] for t in tags) + "." if tags else "No abusive content."


def run(args: argparse.Namespace) -> int:
    good, bad = available(args.folders)
    for sf in good:
        s = sf.scenario
        print(f"{s.id}\n  {s.title}  [{s.difficulty}, ~{s.minutes} min, intensity: {'/'.join(s.intensity)}]\n  {content_note(sf)}")
    for exc in bad:
        print(f"(not playable: {exc.path}; run `simulator validate` for details)")
    return 0
