"""Loading scenario and criteria files: read, check the shape, check the references."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from ..files import read_regular_file
from ..paths import default_policy_file, standard_criteria_file
from .checks import check
from .errors_from_model import describe, did_you_mean, problems_from
from .finding import find_yaml
from .wordclasses import expand, references
from .model import SCENARIO_HEADINGS, CriteriaLibrary, Criterion, Policy, Scenario
from .yamlsource import MAX_FILE_BYTES, Located, read_yaml


@dataclass(frozen=True, eq=False)
class ScenarioFile:
    """A loaded, valid scenario with everything needed to play and score it."""

    path: Path
    sha256: str  # of the file's bytes: a session records exactly what was played
    scenario: Scenario
    criteria: Mapping[str, Criterion]  # the library's and the scenario's own
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.scenario.id

    @cached_property
    def criteria_sha256(self) -> str:
        """A content hash of every criterion definition the scenario can use."""
        defs = [c.model_dump() for _, c in sorted(self.criteria.items())]
        return hashlib.sha256(json.dumps(defs, sort_keys=True).encode()).hexdigest()


class CriteriaSet(dict):
    """Criteria by id, with the library's named word lists for phrases that use @name."""

    def __init__(self, items=(), words: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(items)
        self.words = dict(words or {})


def load_criteria(path: str | Path, located: Located | None = None) -> CriteriaSet:
    """Read a criteria library file (or use it already read); raises ScenarioError with every problem."""
    located = located or read_yaml(path, "criteria file")
    library = _validate(located, CriteriaLibrary)
    problems, out = [], CriteriaSet(words=library.words)
    for i, c in enumerate(library.criteria):
        if c.id in out:
            problems.append(located.problem(("criteria", i, "id"), f"criterion '{c.id}' is defined twice",
                                            "give each criterion its own id"))
        out[c.id] = _with_words(c, library.words, located, ("criteria", i), problems)
    if problems:
        raise ScenarioError(located.file, problems)
    return out


_PHRASE_KEYS = ("phrases", "spoken", "except_before", "except_after")


def _with_words(c: Criterion, words: Mapping[str, list[str]], located: Located, where: tuple,
                problems: list[Problem]) -> Criterion:
    """The criterion with every @name in its phrases replaced by that word list."""
    update = {}
    for key in _PHRASE_KEYS:
        phrases = getattr(c, key)
        for j, phrase in enumerate(phrases):
            for name in references(phrase):
                if name not in words:
                    problems.append(located.problem(where + (key, j), f"no word list called '@{name}'",
                                                    did_you_mean(name, words) or "define it under 'words:' in the criteria library"))
        update[key] = [expand(p, words) for p in phrases]
    return c.model_copy(update=update)


@lru_cache(maxsize=8)
def _cached_criteria(path: str, mtime: float) -> dict[str, Criterion]:
    return load_criteria(path)


def standard_criteria(path: str | Path | None = None) -> dict[str, Criterion]:
    """The shipped criteria library (or another one), read once while unchanged."""
    p = Path(path) if path else standard_criteria_file()
    try:
        mtime = p.stat().st_mtime
    except OSError:
        raise ScenarioError(str(p), [Problem(str(p), 0, 0, "the criteria library is missing",
                                             "reinstall the simulator or pass --criteria FILE")]) from None
    cached = _cached_criteria(str(p), mtime)
    return CriteriaSet(cached, cached.words)


def load_scenario(path: str | Path, library: Mapping[str, Criterion] | None = None,
                  located: Located | None = None) -> ScenarioFile:
    """Read (or use already read) and fully check one scenario file; raises ScenarioError listing every problem."""
    with _collector_paused():
        return _load_scenario(Path(path), library, located)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The values and models built hold no cycles, but each pass of the cycle collector walks all of them
    again: a third of the time a 900 KB scenario takes to load."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _load_scenario(path: Path, library: Mapping[str, Criterion] | None, located: Located | None) -> ScenarioFile:
    library = standard_criteria() if library is None else library
    located = located or read_yaml(path)
    scenario = _validate(located, Scenario)
    criteria = dict(library)
    problems = []
    words = getattr(library, "words", {})
    for i, c in enumerate(scenario.criteria):
        if c.id in library:
            problems.append(located.problem(("criteria", i, "id"), f"'{c.id}' is already a standard criterion",
                                            "use the standard one, or give yours another id"))
        criteria[c.id] = _with_words(c, words, located, ("criteria", i), problems)
    problems += check(scenario, criteria, located)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError(located.file, sorted(problems, key=lambda p: (p.line, p.column)))
    SCENARIO_HEADINGS.update((c.id, c.heading) for c in scenario.criteria)
    digest = located.sha256 or hashlib.sha256(read_regular_file(path, MAX_FILE_BYTES, "scenario file")).hexdigest()
    return ScenarioFile(path, digest, scenario, criteria, tuple(problems))


def _validate(located: Located, model: type) -> object:
    if not isinstance(located.data, dict):
        raise ScenarioError(located.file, [located.problem((), f"expected key: value lines at the top, found {describe(located.data)}",
                                                           "start the file with 'format: 1'")])
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise ScenarioError(located.file, problems_from(exc, located, model)) from None


def load_policy(path: str | Path | None = None, located: Located | None = None) -> Policy:
    """An organisation policy file (the shipped default when no path is given)."""
    located = located or read_yaml(Path(path) if path else default_policy_file(), "policy file")
    return _validate(located, Policy)  # type: ignore[return-value]


def file_kind(path: Path) -> str:
    """scenario, criteria or policy, by the file's top-level keys (scenario when unreadable)."""
    try:
        data = read_yaml(path).data
    except ScenarioError:
        return "scenario"
    return kind_of(data)


def kind_of(data: object) -> str:
    """scenario, criteria or policy, from a file's parsed top level."""
    if not isinstance(data, dict) or "nodes" in data:
        return "scenario"
    if "criteria" in data:
        return "criteria"
    if set(data) & (set(Policy.model_fields) - {"format"}):
        return "policy"
    return "scenario"


def is_criteria_file(path: Path) -> bool:
    return file_kind(path) == "criteria"


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the YAML files under folders named; ScenarioError when a folder cannot be read."""
    found, unreadable = find_yaml(paths)
    if unreadable:
        raise ScenarioError(unreadable[0].file, unreadable)
    return found


def find_scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """Scenario files named, or found under folders named (criteria libraries left out)."""
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    return [f for f in yaml_files(paths) if f in named or file_kind(f) == "scenario"]
