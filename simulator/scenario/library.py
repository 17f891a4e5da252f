"""The scenarios one can play: the shipped library and the coach's own folders, found by file or by id."""

from __future__ import annotations

from pathlib import Path

from ..errors import ScenarioError, SimulatorError
from ..paths import shipped_scenarios
from .folder import id_taken
from .loader import ScenarioFile, find_scenario_files, load_scenario


def available(folders: list[Path] | None = None) -> tuple[list[ScenarioFile], list[ScenarioError]]:
    """Every valid scenario in the shipped library and the folders given, and the broken ones.

    Sessions, plans and assignments know a scenario by its id, so a second file with an id already taken (a
    copy whose id was not changed) is refused: taken in, it would show the first one's scores and history as
    its own. The shipped library comes first, then the folders in the order given."""
    good, bad = [], []
    taken: dict[str, Path] = {}
    for path in find_scenario_files([shipped_scenarios(), *(folders or [])]):
        try:
            sf = load_scenario(path)
        except ScenarioError as exc:
            bad.append(exc)
            continue
        if sf.id in taken:
            bad.append(ScenarioError(path, [id_taken(path, sf.id, taken[sf.id])]))
            continue
        taken[sf.id] = path
        good.append(sf)
    return good, bad


def looks_like_a_file(name: str | Path) -> bool:
    """A name that can only be meant as a file: it ends in .yaml, or something is there."""
    path = Path(name)
    return path.suffix in (".yaml", ".yml") or path.exists() or path.is_symlink()


def find_scenario(name: str, folders: list[Path] | None = None) -> ScenarioFile:
    """A scenario by file path, or by id from the shipped library and the folders given."""
    path = Path(name)
    if looks_like_a_file(name):
        if not path.exists() and not path.is_symlink():  # a symlink loop is named as one by the loader
            raise SimulatorError(f"no scenario file at {path}", "check the path, or give a scenario id from `simulator list`")
        return load_scenario(path)
    good, bad = available(folders)
    found = next((sf for sf in good if sf.id == name), None)
    return found or load_scenario(_path_of(name, good, bad))


def scenario_path(name: str, folders: list[Path] | None = None) -> Path:
    """The file of the scenario with this id, valid or not, so that checking it can say what is wrong."""
    good, bad = available(folders)
    return _path_of(name, good, bad)


def _path_of(name: str, good: list[ScenarioFile], bad: list[ScenarioError]) -> Path:
    for sf in good:
        if sf.id == name:
            return sf.path
    for exc in bad:  # a broken file named after the id is the one meant
        if Path(exc.path).stem == name:
            return Path(exc.path)
    ids = ", ".join(sorted(sf.id for sf in good))
    raise SimulatorError(f"no scenario with id '{name}'", f"give a file, or one of the ids available: {ids}")
