"""`simulator score`: score a saved transcript again, against its scenario's rubric."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..engine import Turn
from ..errors import SimulatorError
from ..files import read_regular_file
from ..scenario import ScenarioFile, load_policy
from ..scoring import Detector, score_session
from ..scoring.detector import build_detector
from .library import resolve


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score a saved transcript again",
                       description="Score a transcript saved by `simulator play --json` against its scenario's rubric "
                                   "and the policy, with today's criteria. Prints the score as JSON.")
    p.add_argument("transcript", type=Path, help="a JSON transcript from `simulator play --json` or `simulator sessions show ID --json`")
    p.add_argument("--scenario", help="the scenario file or id, when it has moved since the session")
    p.add_argument("--policy", type=Path, metavar="FILE", help="your organisation's policy file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data = _read(args.transcript)
    # `play --json` nests the scenario; a kept session (`sessions show --json`, a bundle) keeps it flat.
    recorded = data.get("scenario") or {"id": data.get("scenario_id"), "file": data.get("scenario_file"),
                                        "sha256": data.get("scenario_sha256")}
    sf = _scenario(args.scenario, recorded)
    if recorded.get("sha256") and recorded["sha256"] != sf.sha256:
        print(f"note: {sf.path} has changed since this session was played; scoring against the current version",
              file=sys.stderr)
    detector = build_detector(sf.criteria)
    turns = rebuild_turns(data.get("turns") or [], detector)
    result = score_session(sf, turns, load_policy(args.policy), detector.version)
    json.dump({"scenario": {"id": sf.id, "file": str(sf.path), "sha256": sf.sha256}, "score": result.to_dict()},
              sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def rebuild_turns(items: list[dict], detector: Detector) -> list[Turn]:
    """Turns from a saved transcript, with the trainee's replies classified again."""
    turns = []
    for i, item in enumerate(items):
        try:
            speaker, kind = item["speaker"], item["kind"]
            text = item.get("text", "")
            matches: tuple = ()
            if speaker == "trainee" and kind == "reply":
                matches = tuple(detector.detect(text, spoken=item.get("source") == "spoken",
                                                confidences=item.get("word_confidences") or None))
            turns.append(Turn(index=item.get("index", i), speaker=speaker, kind=kind, node=item.get("node", ""),
                              text=text, line_id=item.get("line_id"), source=item.get("source"),
                              action=item.get("action"), matches=matches, confidence=item.get("confidence"),
                              word_confidences=tuple(item.get("word_confidences") or ()),
                              started_at=float(item.get("started_at", 0.0)), ended_at=float(item.get("ended_at", 0.0))))
        except (KeyError, TypeError, ValueError):
            raise SimulatorError(f"turn {i + 1} of the transcript is not in the expected form",
                                 "give the output of `simulator play --json`") from None
    return turns


# A transcript of an hour's call is well under 1 MB; someone else's file may be anything (a pipe, a device).
TRANSCRIPT_LIMIT = 50 * 1024 * 1024


def _read(path: Path) -> dict:
    try:
        data = json.loads(read_regular_file(path, TRANSCRIPT_LIMIT, "transcript").decode("utf-8"))
    except RecursionError:
        raise SimulatorError(f"{path} is nested too deeply to be a transcript",
                             "give the output of `simulator play --json`") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise SimulatorError(f"{path} is not a JSON transcript ({exc})", "give the output of `simulator play --json`") from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise SimulatorError(f"{path} has no turns", "give the output of `simulator play --json`")
    return data


def _scenario(override: str | None, recorded: dict) -> ScenarioFile:
    if override:
        return resolve(override)
    file = recorded.get("file")
    # The path is the recorder's; on this machine only a scenario file there is taken (not a pipe, say).
    if isinstance(file, str) and Path(file).suffix in (".yaml", ".yml") and Path(file).is_file():
        return resolve(file)
    if recorded.get("id"):
        return resolve(recorded["id"])
    raise SimulatorError("the transcript does not say which scenario it is", "pass --scenario FILE")
