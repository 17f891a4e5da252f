"""`simulator test`: the coach's unit tests.

Every criterion's example replies must be classified as the examples say,
and every scenario's `tests:` must take the path, reach the ending and get
the score and verdicts written there. Failures name file and line.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..engine.checkup import run_test
from ..errors import ScenarioError
from ..paths import shipped_scenarios, standard_criteria_file
from ..scenario import Criterion, find_scenario_files, load_policy, load_scenario, standard_criteria
from ..scenario.yamlsource import Located, read_yaml
from ..scoring import Detector, PhraseDetector


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run the criteria examples and the tests written in scenario files",
                       description="Check that every criterion's example replies are classified as they say, and "
                                   "play each scenario's `tests:` checking path, ending, score and verdicts. "
                                   "Exits 1 on any failure.")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped library)")
    p.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")
    p.set_defaults(run=run)


def example_failures(criteria: Mapping[str, Criterion], located: Located, detector: Detector,
                     key: tuple = ("criteria",)) -> Iterator[str]:
    """Each example reply that is classified against what its criterion says."""
    items = located.data
    for part in key:
        items = items.get(part, []) if isinstance(items, dict) else []
    for i, raw in enumerate(items if isinstance(items, list) else []):
        c = criteria.get(raw.get("id")) if isinstance(raw, dict) else None
        if c is None:
            continue
        for want, examples in (("yes", c.examples.yes), ("no", c.examples.no)):
            for j, text in enumerate(examples):
                got = c.id in {m.criterion for m in detector.detect(text)}
                if got != (want == "yes"):
                    line, col = located.where((*key, i, "examples", want, j))
                    verb = "was not recognised as" if want == "yes" else "was wrongly recognised as"
                    yield f"{located.file}:{line}:{col}: example \"{text}\" {verb} {c.id}"


def run(args: argparse.Namespace) -> int:
    passed = failed = 0
    policy = load_policy(args.policy)
    library = standard_criteria()
    detector = PhraseDetector(library)
    for failure in example_failures(library, read_yaml(standard_criteria_file()), detector):
        print(failure)
        failed += 1
    passed += sum(len(c.examples.yes) + len(c.examples.no) for c in library.values()) - failed
    for path in find_scenario_files(args.paths or [shipped_scenarios()]):
        try:
            sf = load_scenario(path, library)
        except ScenarioError as exc:
            print(exc)
            failed += 1
            continue
        located = read_yaml(path)
        detector = PhraseDetector(sf.criteria)
        own = list(example_failures(sf.criteria, located, detector))
        for failure in own:
            print(failure)
        failed += len(own)
        passed += sum(len(c.examples.yes) + len(c.examples.no) for c in sf.scenario.criteria) - len(own)
        for i, test in enumerate(sf.scenario.tests):
            outcome = run_test(sf, test, detector, policy=policy)
            if outcome.passed:
                passed += 1
                continue
            failed += 1
            line, col = located.where(("tests", i))
            for failure in outcome.failures:
                print(f"{path}:{line}:{col}: test '{outcome.name}' failed: {failure}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
