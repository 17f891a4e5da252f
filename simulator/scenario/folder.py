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
                 cache: MutableMapping[Path, tuple[tuple, FileCheck]] | None = None,
                 taken: Mapping[str, Path] | None = None) -> list[FileCheck]:
    """Every YAML file in the folder, in name order; a scenario whose id an earlier one has is flagged, as is one
    whose id is `taken` (by the library outside this folder: the app would refuse it).

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
                c = FileCheck(c.path, c.kind, None, (*c.problems, id_taken(c.path, c.loaded.id, first)))
            elif c.loaded.id in (taken or {}):
                # Still a scenario to read and try out here (a coach often starts from a copy), but the app's
                # library will leave it out until it has an id of its own.
                c = FileCheck(c.path, c.kind, c.loaded,
                              (*c.problems, id_taken(c.path, c.loaded.id, taken[c.loaded.id], "warning")))
        out.append(c)
    return out


LEFT_OUT = " (the app's library leaves this file out)"


def left_out_of_library(check: FileCheck) -> bool:
    """A file valid here that the app's library refuses (its id is taken outside this folder)."""
    return any(p.severity == "warning" and p.message.endswith(LEFT_OUT) for p in check.problems)


def id_taken(path: Path, scenario_id: str, first: Path, severity: str = "error") -> Problem:
    """The problem with a file whose scenario id another file already has, at its `id:` line. A warning where
    the file is checked alone: the library, which sees both, refuses it."""
    line = 0
    try:
        for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if text.startswith("id:"):
                line = number
                break
    except (OSError, UnicodeDecodeError):
        pass
    said = LEFT_OUT if severity == "warning" else ""
    return Problem(str(path), line, 1 if line else 0, f"scenario id '{scenario_id}' is already used by {first}{said}",
                   "give this scenario an id of its own: sessions and plans know a scenario by its id, so a copy "
                   "with the same one would take on the other's scores", severity)
