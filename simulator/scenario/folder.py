"""A coach's folder, checked file by file: what the authoring view lists and shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, ScenarioError
from .loader import ScenarioFile, file_kind, load_criteria, load_policy, load_scenario, yaml_files
from .model import Criterion


@dataclass(frozen=True)
class FileCheck:
    path: Path
    kind: str  # scenario | criteria | policy
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
        return {"criteria": "criteria library", "policy": "policy"}.get(self.kind, self.path.name)


def check_file(path: Path, criteria: Mapping[str, Criterion] | None = None) -> FileCheck:
    kind = file_kind(path)
    try:
        if kind == "criteria":
            load_criteria(path)
        elif kind == "policy":
            load_policy(path)
        else:
            sf = load_scenario(path, criteria)
            return FileCheck(path, kind, sf, tuple(sf.warnings))
    except ScenarioError as exc:
        problems = tuple(exc.problems) or (Problem(str(path), 0, 0, str(exc)),)
        return FileCheck(path, kind, None, problems)
    return FileCheck(path, kind, None, ())


def check_folder(folder: Path, criteria: Mapping[str, Criterion] | None = None) -> list[FileCheck]:
    """Every YAML file in the folder, in name order; two scenarios with one id are both flagged."""
    checks = [check_file(p, criteria) for p in sorted(yaml_files([folder]))]
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
