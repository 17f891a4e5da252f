"""`simulator validate`: every problem in every scenario, with file and line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ScenarioError
from ..paths import shipped_scenarios
from ..scenario import file_kind, load_criteria, load_policy, load_scenario, standard_criteria
from ..scenario.loader import yaml_files


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files",
                       description="Check scenario files (and folders of them). Exits 1 if any has an error.")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped library)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [shipped_scenarios()]
    missing = [p for p in paths if not p.exists()]
    # Each file is read once to see what it is: scenario, criteria library or policy.
    kinds = {p: file_kind(p) for p in yaml_files(p for p in paths if p.exists())}
    others = [p for p, kind in kinds.items() if kind != "scenario"]
    files = [p for p, kind in kinds.items() if kind == "scenario"]
    failed = len(missing)
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    try:
        criteria = standard_criteria()
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    for other in others:
        kind = file_kind(other)
        try:
            load_criteria(other) if kind == "criteria" else load_policy(other)
            print(f"ok     {other} ({'criteria library' if kind == 'criteria' else 'policy'})")
        except ScenarioError as exc:
            failed += 1
            print(exc, file=sys.stderr)
    seen: dict[str, Path] = {}
    for path in files:
        try:
            sf = load_scenario(path, criteria)
        except ScenarioError as exc:
            failed += 1
            print(exc, file=sys.stderr)
            continue
        for w in sf.warnings:
            print(w, file=sys.stderr)
        if sf.id in seen:
            failed += 1
            print(f"{path}:1:1: error: scenario id '{sf.id}' is also used by {seen[sf.id]} "
                  f"(give each scenario its own id)", file=sys.stderr)
            continue
        seen[sf.id] = path
        print(f"ok     {path} ({sf.id})")
    total = len(files) + len(others) + len(missing)
    if not total:
        print("no scenario files found (they end in .yaml or .yml)", file=sys.stderr)
        return 1
    print(f"{total - failed} of {total} file{'s' if total != 1 else ''} valid")
    return 1 if failed else 0

