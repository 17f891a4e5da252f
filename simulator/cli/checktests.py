"""`simulator test`: the coach's unit tests.

Every criterion's example replies must be classified as the examples say,
and every scenario's `tests:` must take the path, reach the ending and get
the score and verdicts written there. Failures name file and line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..engine.checkup import run_test
from ..engine.walk import random_walks
from ..errors import ScenarioError
from ..paths import shipped_scenarios, standard_criteria_file
from ..scenario import Criterion, find_scenario_files, is_criteria_file, load_policy, load_scenario, standard_criteria
from ..scenario.yamlsource import Located, read_yaml
from ..scoring import Detector
from ..scoring.detector import build_detector
from .library import named_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test", help="run the criteria examples and the tests written in scenario files",
                       description="Check that every criterion's example replies are classified as they say, and "
                                   "play each scenario's `tests:` checking path, ending, score and verdicts. "
                                   "Exits 1 on any failure.")
    p.add_argument("paths", nargs="*", type=Path, help="scenario files, ids or folders (default: the shipped library)")
    p.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")
    p.add_argument("--walk", type=int, nargs="?", const=200, metavar="N",
                   help="also play N random paths (default 200) through every scenario and report any crash, "
                        "walk that never ends, or ending never reached")
    p.add_argument("--speech", action="store_true",
                   help="first speak every example reply with the product's own voice and recogniser, and report "
                        "which ones stop being classified correctly once spoken (slow: a second or so each)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random walks, to repeat a run")
    p.add_argument("-v", "--verbose", action="store_true", help="name every example and test that passes, too")
    p.set_defaults(run=run)


def _located_examples(criteria: Mapping[str, Criterion], located: Located,
                      key: tuple = ("criteria",)) -> Iterator[tuple[Criterion, str, str, tuple[int, int]]]:
    """Each example reply of the criteria defined in the file: (criterion, yes|no, text, (line, column))."""
    items = located.data
    for part in key:
        items = items.get(part, []) if isinstance(items, dict) else []
    for i, raw in enumerate(items if isinstance(items, list) else []):
        c = criteria.get(raw.get("id")) if isinstance(raw, dict) else None
        if c is None:
            continue
        for want, examples in (("yes", c.examples.yes), ("no", c.examples.no)):
            for j, text in enumerate(examples):
                yield c, want, text, located.where((*key, i, "examples", want, j))


def example_results(criteria: Mapping[str, Criterion], located: Located, detector: Detector,
                    key: tuple = ("criteria",)) -> Iterator[tuple[bool, str]]:
    """Each example reply: whether it is classified as its criterion says, and a line saying so."""
    for c, want, text, (line, col) in _located_examples(criteria, located, key):
        got = c.id in {m.criterion for m in detector.detect(text)}
        if got == (want == "yes"):
            verb = "is recognised as" if want == "yes" else "is rightly not recognised as"
        else:
            verb = "was not recognised as" if want == "yes" else "was wrongly recognised as"
        yield got == (want == "yes"), f"{located.file}:{line}:{col}: example \"{text}\" {verb} {c.id}"


def _examples(criteria, located: Located, detector: Detector, verbose: bool) -> tuple[int, int]:
    """Passed and failed examples; every failure printed, and with --verbose every pass too."""
    passed = failed = 0
    for ok, said in example_results(criteria, located, detector):
        passed, failed = passed + ok, failed + (not ok)
        if verbose or not ok:
            print(said)
    return passed, failed


def run(args: argparse.Namespace) -> int:
    if args.speech:
        return run_speech(args)
    policy = load_policy(args.policy)
    library = standard_criteria()
    passed, failed = _examples(library, read_yaml(standard_criteria_file()), build_detector(library), args.verbose)
    for path in find_scenario_files(named_paths(args.paths) or [shipped_scenarios()]):
        try:
            sf = load_scenario(path, library)
        except ScenarioError as exc:
            print(exc)
            failed += 1
            continue
        located = read_yaml(path)
        detector = build_detector(sf.criteria)
        own_passed, own_failed = _examples(sf.criteria, located, detector, args.verbose)
        passed, failed = passed + own_passed, failed + own_failed
        for i, test in enumerate(sf.scenario.tests):
            outcome = run_test(sf, test, detector, policy=policy)
            line, col = located.where(("tests", i))
            if outcome.passed:
                passed += 1
                if args.verbose:
                    print(f"{path}:{line}:{col}: test '{outcome.name}' passed")
                continue
            failed += 1
            for failure in outcome.failures:
                print(f"{path}:{line}:{col}: test '{outcome.name}' failed: {failure}")
        if args.walk:
            report = random_walks(sf, detector, walks=args.walk, seed=args.seed)
            for problem in report.problems:
                line, col = located.where(("nodes", problem.node))
                print(f"{path}:{line}:{col}: walk: {problem.kind}: {problem.message}")
                if problem.steps:
                    print(f"    steps to replay: {list(problem.steps)}")
            failed += len(report.problems)
            passed += 1 if report.ok else 0
            reached = ", ".join(f"{n} {c}" for n, c in report.endings.most_common())
            print(f"{sf.id}: {report.walks} random walks; endings reached: {reached}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def run_speech(args: argparse.Namespace) -> int:
    """Every example reply, spoken and recognised, then classified as a spoken reply."""
    import tempfile

    from ..speech.recognition import open_recognizer
    from ..speech.synthesis import VoiceSettings, open_synthesizer
    from ..speech.wav import read_wav

    synth, notice = open_synthesizer()
    if synth is None:
        print(f"cannot speak the examples: {notice}", file=sys.stderr)
        return 2
    rec = open_recognizer()
    if rec.notice:
        print(rec.notice, file=sys.stderr)
    named = [Path(p) for p in args.paths]
    groups: list[tuple[Mapping[str, Criterion], Located]] = []
    library = standard_criteria()
    if not named or any(p.is_dir() or is_criteria_file(p) for p in named):
        groups.append((library, read_yaml(standard_criteria_file())))
    for path in find_scenario_files(named or [shipped_scenarios()]):
        sf = load_scenario(path, library)
        if sf.scenario.criteria:
            groups.append((sf.criteria, read_yaml(path)))
    kept = lost = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (criteria, located) in enumerate(groups):
            detector = build_detector(criteria)
            for k, (c, want, text, (line, col)) in enumerate(_located_examples(criteria, located)):
                wav = Path(tmp) / f"{n}-{k}.wav"
                synth.render(text, VoiceSettings(), wav).result(timeout=60)
                heard = rec.engine.transcribe(read_wav(wav))
                confidences = heard.word_confidences or None
                got = c.id in {m.criterion for m in detector.detect(heard.text, spoken=True, confidences=confidences)}
                if got == (want == "yes"):
                    kept += 1
                    continue
                lost += 1
                verb = "is no longer recognised as" if want == "yes" else "is now wrongly recognised as"
                print(f"{located.file}:{line}:{col}: spoken, \"{text}\" was heard as \"{heard.text}\" and {verb} {c.id}")
    total = kept + lost
    print(f"{kept} of {total} example replies still classified correctly once spoken "
          f"({rec.engine.name}); {lost} changed")
    return 1 if lost else 0
