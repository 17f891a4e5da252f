"""`simulator validate`: every problem in every scenario, with file and line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ScenarioError
from ..paths import shipped_scenarios
from ..scenario import standard_criteria
from ..scenario.finding import find_yaml
from ..scenario.folder import check_file
from ..scenario.library import available, id_taken
from .library import coach_folders, named_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files",
                       description="Check scenario files (and folders of them). Exits 1 if any has an error.")
    p.add_argument("paths", nargs="*", type=Path, help="scenario files, ids or folders (default: the shipped library)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    files, unreadable = find_yaml(named_paths(args.paths) or [shipped_scenarios()])
    for problem in unreadable:
        print(problem, file=sys.stderr)
    try:
        criteria = standard_criteria()
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    failed = len(unreadable)
    seen: dict[str, Path] = {}
    # A file checked on its own must not take an id the library (shipped, and the coach's folders added in the
    # app) already has: the app would refuse it.
    library = {sf.id: sf.path for sf in available(coach_folders())[0]}
    for path in files:
        # Read and parsed once, checked as whatever it turns out to be: scenario, criteria library or policy.
        checked = check_file(path, criteria)
        for problem in checked.problems:
            print(problem, file=sys.stderr)
        if checked.errors:
            failed += 1
            continue
        sf = checked.loaded
        if sf is None:
            print(f"ok     {path} ({'criteria library' if checked.kind == 'criteria' else 'policy'})")
            continue
        if sf.id in seen:
            failed += 1
            print(id_taken(path, sf.id, seen[sf.id]), file=sys.stderr)
            continue
        if sf.id in library and not _same(library[sf.id], path):
            print(id_taken(path, sf.id, library[sf.id], "warning"), file=sys.stderr)
        seen[sf.id] = path
        print(f"ok     {path} ({sf.id})")
    total = len(files) + len(unreadable)
    if not total:
        print("no scenario files found (they end in .yaml or .yml)", file=sys.stderr)
        return 1
    print(f"{total - failed} of {total} file{'s' if total != 1 else ''} valid")
    return 1 if failed else 0


def _same(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
