"""`simulator classify`: which criteria each reply meets, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import SimulatorError
from ..scenario import standard_criteria
from ..scoring import PhraseDetector


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="label replies with the criteria they meet",
                       description='Read JSON lines {"id": ..., "text": ...} and write one JSON line per reply: '
                                   '{"id": ..., "labels": [...], "evidence": {criterion: quote}}.')
    p.add_argument("file", help="a JSON-lines file, or - for standard input")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    detector = PhraseDetector(standard_criteria())
    source = sys.stdin if args.file == "-" else _open(Path(args.file))
    out = sys.stdout
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise SimulatorError(f"{args.file}:{number}: not a JSON object with a \"text\" string",
                                 'write one {"id": ..., "text": "..."} per line') from None
        matches = detector.detect(text)
        out.write(json.dumps({"id": item.get("id"), "labels": [m.criterion for m in matches],
                              "evidence": {m.criterion: {"quote": m.quote, "start": m.start, "end": m.end}
                                           for m in matches}}, ensure_ascii=False) + "\n")
    return 0


def _open(path: Path):
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise SimulatorError(f"cannot read {path}: {exc.strerror}", "check the path") from None
