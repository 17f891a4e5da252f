"""Word error and spoken macro-F1 per voice, from the corpus's round trips (scenarios/corpus/roundtrips.jsonl.gz).

Each validation and test reply in the round trips was spoken by one of five espeak-ng voices (American,
British, received pronunciation, a female and a male variant, 135-185 words a minute) and heard by the
product's recogniser with the generic model and with the conversation model. This reads those rows, so it
needs no audio: per voice, word error rate and the product detector's macro-F1 on what was heard (as
`simulator classify` with "source": "spoken"), beside the generic model's.

Run: .venv/bin/python tests/bench/roundtrip_voices.py [--split validation|test|blind] [--file ROUNDTRIPS]
(the test split: once, at the end; blind: tests/data/replies_blind_heard.jsonl, with --file)
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
    ap.add_argument("--split", choices=["validation", "test", "blind"], default="validation")
    ap.add_argument("--file", type=Path, default=None, help="round trips to read (default: the corpus's)")
    args = ap.parse_args()
    from simulator.scenario import standard_criteria
    from simulator.scoring.detector import build_detector
    from simulator.scoring.training import as_the_product_hears, read_jsonl, roundtrips_file
    rows = [r for r in read_jsonl(args.file or roundtrips_file()) if r["split"] == args.split]
    library = standard_criteria()
    ids, detector = list(library), build_detector(library)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        voice = f"{r['voice']} {r['rate']}"
        model = r.get("model", "generic") + (f"+{r['accent']}" if r.get("accent") else "")
        groups[voice, model].append(r)
        groups["all", model].append(r)
    voices = sorted({v for v, _ in groups if v != "all"}) + ["all"]
    print(f"{args.split} split round trips: {len(rows)} rows")
    print("| voice | replies | generic WER | conversation WER | relative | generic macro-F1 | conversation macro-F1 |")
    print("|---|---|---|---|---|---|---|")
    for voice in voices:
        cells = {}
        for model in ("generic", "domain", "domain+british"):
            part = groups.get((voice, model), [])
            if part:
                cells[model] = (wer([r["typed"] for r in part], [r["text"] for r in part]),
                                macro_f1(part, [r["text"] for r in part], detector, ids), len(part))
        if not cells:
            continue
        (gw, gf, n), (dw, df, n) = cells.get("generic", (None, None, 0)), cells.get("domain", (None, None, 0))
        relative = f"{(dw - gw) / gw:+.0%}" if gw and dw is not None else ""
        shown = [f"{x:.1%}" if x is not None else "" for x in (gw, dw)] + [relative] + \
                [f"{x:.3f}" if x is not None else "" for x in (gf, df)]
        british = cells.get("domain+british")  # heard with the British accent setting (accents.py), where there are
        if british:
            shown.append(f"British accent: WER {british[0]:.1%}, macro-F1 {british[1]:.3f} ({british[2]})")
        print(f"| {voice} | {n or len(groups[voice, 'generic'])} | " + " | ".join(shown) + " |", flush=True)
    heard = as_the_product_hears(rows)
    if any(r.get("accent") for r in heard):
        print(f"\nall voices, the British ones heard with the British accent setting ({len(heard)}): conversation WER "
              f"{wer([r['typed'] for r in heard], [r['text'] for r in heard]):.1%}, macro-F1 "
              f"{macro_f1(heard, [r['text'] for r in heard], detector, ids):.3f}")


if __name__ == "__main__":
    main()
