"""A coach's folder, checked file by file: what the authoring view lists and shows."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, ScenarioError
from ..paths import standard_criteria_file
from .finding import find_yaml
from .loader import ScenarioFile, kind_of, load_criteria, load_policy, load_scenario
from .model import Criterion
from .yamlsource import read_yaml


@dataclass(frozen=True)
class FileCheck:
    path: Path
    kind: str  # scenario | criteria | policy | folder (one that cannot be read)
    loaded: ScenarioFile | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def state(self) -> str:
        if self.errors:
            return "errors"
        return "warnings" if self.problems else "ok"

    @property
    def title(self) -> str:
        if self.loaded is not None:
            return f"{self.loaded.scenario.title} ({self.loaded.id})"
        return {"criteria": "criteria library", "policy": "policy",
                "folder": "folder that cannot be read"}.get(self.kind, "scenario that does not load")


def check_file(path: Path, criteria: Mapping[str, Criterion] | None = None) -> FileCheck:
    """One file, read and parsed once, checked as whatever it turns out to be."""
    kind = "scenario"
    try:
        located = read_yaml(path)
        kind = kind_of(located.data)
        if kind == "criteria":
            load_criteria(path, located)
        elif kind == "policy":
            load_policy(path, located)
        else:
            sf = load_scenario(path, criteria, located)
            return FileCheck(path, kind, sf, tuple(sf.warnings))
    except ScenarioError as exc:
        problems = tuple(exc.problems) or (Problem(str(path), 0, 0, str(exc)),)
        return FileCheck(path, kind, None, problems)
    return FileCheck(path, kind, None, ())


def _stamp(path: Path) -> tuple:
    """What says a file (or the criteria every scenario is checked against) may have changed."""
    def one(p: Path) -> tuple:
        try:
            s = p.stat()
            return (s.st_mtime_ns, s.st_size)
        except OSError:
            return ()
    return (*one(path), *one(standard_criteria_file()))


def check_folder(folder: Path, criteria: Mapping[str, Criterion] | None = None,
                 cache: MutableMapping[Path, tuple[tuple, FileCheck]] | None = None) -> list[FileCheck]:
    """Every YAML file in the folder, in name order; two scenarios with one id are both flagged.

    With a cache (kept between calls), files unchanged since the last check are not read again:
    a save in the editor re-checks that one file. A folder inside that cannot be read is listed with
    its problem, so that it does not look empty.
    """
    files, unreadable = find_yaml([folder])
    checks = [FileCheck(Path(p.file), "folder", None, (p,)) for p in unreadable]
    for p in sorted(files):
        stamp = _stamp(p)
        kept = cache.get(p) if cache is not None and criteria is None else None
        if kept is not None and kept[0] == stamp:
            checks.append(kept[1])
            continue
        c = check_file(p, criteria)
        if cache is not None:
            cache[p] = (stamp, c)
        checks.append(c)
    owners: dict[str, Path] = {}
    out = []
    for c in checks:
        if c.loaded is not None:
            first = owners.setdefault(c.loaded.id, c.path)
            if first != c.path:
                clash = Problem(str(c.path), 1, 1, f"scenario id '{c.loaded.id}' is also used by {first.name}",
                                "give each scenario its own id")
                c = FileCheck(c.path, c.kind, None, (*c.problems, clash))
        out.append(c)
    return out
