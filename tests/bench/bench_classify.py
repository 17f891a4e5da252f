"""Reply classification on the labelled development sets: precision, recall, F1, speed.

Runs the real `simulator classify` path (the standard library, one detector)
on ../shared/eval/replies_dev.jsonl and replies_dev_asr.jsonl (or files
given) and prints per-criterion precision / recall / F1, macro-F1, and
replies per second on one core.

Run: .venv/bin/python tests/bench/bench_classify.py [FILE.jsonl ...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from simulator.scenario import standard_criteria
from simulator.scoring import PhraseDetector

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


def evaluate(rows: list[dict], detector: PhraseDetector, ids: list[str]) -> tuple[dict, float, float]:
    counts = {c: [0, 0, 0] for c in ids}  # tp, fp, fn
    started = time.perf_counter()
    predicted = [{m.criterion for m in detector.detect(r["text"])} for r in rows]
    elapsed = time.perf_counter() - started
    for row, got in zip(rows, predicted):
        want = set(row["labels"])
        for c in ids:
            if c in got and c in want:
                counts[c][0] += 1
            elif c in got:
                counts[c][1] += 1
            elif c in want:
                counts[c][2] += 1
    scores = {}
    for c, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        scores[c] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, tp + fn)
    macro = sum(s[2] for s in scores.values()) / len(scores)
    return scores, macro, elapsed


def speed(rows: list[dict], detector: PhraseDetector, rounds: int = 20) -> float:
    texts = [r["text"] for r in rows]
    started = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            detector.detect(t)
    return len(texts) * rounds / (time.perf_counter() - started)


def main(files: list[str]) -> None:
    paths = [Path(f) for f in files] or [EVAL / "replies_dev.jsonl", EVAL / "replies_dev_asr.jsonl"]
    library = standard_criteria()
    ids = list(library)
    t = time.perf_counter()
    detector = PhraseDetector(library)
    print(f"detector built in {(time.perf_counter() - t) * 1000:.1f} ms")
    for path in paths:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        scores, macro, _ = evaluate(rows, detector, ids)
        exact = sum({m.criterion for m in detector.detect(r["text"])} == set(r["labels"]) for r in rows)
        print(f"\n{path.name}: {len(rows)} replies")
        print(f"  {'criterion':<22} {'P':>5} {'R':>5} {'F1':>5} {'n':>4}")
        for c, (p, r, f, n) in scores.items():
            print(f"  {c:<22} {p:5.2f} {r:5.2f} {f:5.2f} {n:4d}")
        print(f"  macro-F1 {macro:.3f}   exact label sets {exact}/{len(rows)}   "
              f"{speed(rows, detector):,.0f} replies/s (one core)")


if __name__ == "__main__":
    main(sys.argv[1:])
