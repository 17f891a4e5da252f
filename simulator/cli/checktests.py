"""`simulator test`: run the `tests:` of scenario files and report what fails, with file and line."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.checkup import run_test
from ..errors import ScenarioError
from ..paths import shipped_scenarios
from ..scenario import find_scenario_files, load_scenario
from ..scenario.yamlsource import read_yaml
from ..scoring import PhraseDetector


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run the tests written in scenario files",
                       description="Play each scenario's `tests:` and check the path, ending, score and verdicts. "
                                   "Exits 1 if any test fails or any file is invalid.")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped library)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    passed = failed = 0
    for path in find_scenario_files(args.paths or [shipped_scenarios()]):
        try:
            sf = load_scenario(path)
        except ScenarioError as exc:
            print(exc)
            failed += 1
            continue
        located = read_yaml(path)
        detector = PhraseDetector(sf.criteria)
        for i, test in enumerate(sf.scenario.tests):
            outcome = run_test(sf, test, detector)
            if outcome.passed:
                passed += 1
                continue
            failed += 1
            line, col = located.where(("tests", i))
            for failure in outcome.failures:
                print(f"{path}:{line}:{col}: test '{outcome.name}' failed: {failure}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
