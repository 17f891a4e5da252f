"""Word error and spoken macro-F1 per voice, from the corpus's round trips (scenarios/corpus/roundtrips.jsonl.gz).

Each validation and test reply in the round trips was spoken by one of five espeak-ng voices (American,
British, received pronunciation, a female and a male variant, 135-185 words a minute) and heard by the
product's recogniser with the generic model and with the conversation model. This reads those rows, so it
needs no audio: per voice, word error rate and the product detector's macro-F1 on what was heard (as
`simulator classify` with "source": "spoken"), beside the generic model's.

Run: .venv/bin/python tests/bench/roundtrip_voices.py [--split validation|test] [--file ROUNDTRIPS]
(the test split: once, at the end)
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests" / "bench"), str(REPO)]

from bench_domain_lm import macro_f1, wer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["validation", "test"], default="validation")
    ap.add_argument("--file", type=Path, default=None, help="round trips to read (default: the corpus's)")
    args = ap.parse_args()
    from simulator.scenario import standard_criteria
    from simulator.scoring.detector import build_detector
    from simulator.scoring.training import read_jsonl, roundtrips_file
    rows = [r for r in read_jsonl(args.file or roundtrips_file()) if r["split"] == args.split]
    library = standard_criteria()
    ids, detector = list(library), build_detector(library)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        voice = f"{r['voice']} {r['rate']}"
        model = r.get("model", "generic")
        groups[voice, model].append(r)
        groups["all", model].append(r)
    voices = sorted({v for v, _ in groups if v != "all"}) + ["all"]
    print(f"{args.split} split round trips: {len(rows)} rows")
    print("| voice | replies | generic WER | conversation WER | relative | generic macro-F1 | conversation macro-F1 |")
    print("|---|---|---|---|---|---|---|")
    for voice in voices:
        cells = {}
        for model in ("generic", "domain"):
            part = groups.get((voice, model), [])
            if part:
                cells[model] = (wer([r["typed"] for r in part], [r["text"] for r in part]),
                                macro_f1(part, [r["text"] for r in part], detector, ids), len(part))
        if len(cells) < 2:
            continue
        (gw, gf, n), (dw, df, _) = cells["generic"], cells["domain"]
        print(f"| {voice} | {n} | {gw:.1%} | {dw:.1%} | {(dw - gw) / gw:+.0%} | {gf:.3f} | {df:.3f} |", flush=True)


if __name__ == "__main__":
    main()
