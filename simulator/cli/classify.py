"""`simulator classify`: which criteria each reply meets, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import SimulatorError
from ..scenario import standard_criteria
from ..scoring.detector import build_detector


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="label replies with the criteria they meet",
                       description='Read JSON lines {"id": ..., "text": ..., "source": "typed"|"spoken"} and write one '
                                   'JSON line per reply: {"id": ..., "labels": [...], "uncertain": [...], '
                                   '"evidence": {criterion: {"quote", "start", "end", "by"}}}. "source" is typed '
                                   'when absent: chat-style lower case is still typed. Uncertain labels are in '
                                   '"labels" too; a score never counts them against the trainee.')
    p.add_argument("file", help="a JSON-lines file, or - for standard input")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    detector = build_detector(standard_criteria())
    if detector.notice:
        print(f"notice: {detector.notice}", file=sys.stderr)
    if args.file == "-":
        return _classify(detector, sys.stdin, "-")
    with _open(Path(args.file)) as lines:
        return _classify(detector, lines, args.file)


def _classify(detector, lines, name: str) -> int:
    out = sys.stdout
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            source = item.get("source", "typed")
            if not isinstance(text, str) or source not in ("typed", "spoken"):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SimulatorError(f"{name}:{number}: not a JSON object with a \"text\" string "
                                 "(and \"source\" typed or spoken, if given)",
                                 'write one {"id": ..., "text": "...", "source": "typed"} per line') from None
        matches = detector.detect(text, spoken=source == "spoken")
        out.write(json.dumps({"id": item.get("id"), "labels": [m.criterion for m in matches],
                              "uncertain": [m.criterion for m in matches if m.uncertain],
                              "evidence": {m.criterion: {"quote": m.quote, "start": m.start, "end": m.end,
                                                         "by": "rules" if m.probability is None else "heads"}
                                           for m in matches}}, ensure_ascii=False) + "\n")
    return 0


def _open(path: Path):
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise SimulatorError(f"cannot read {path}: {exc.strerror}", "check the path") from None
