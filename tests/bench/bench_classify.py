"""Reply classification: precision, recall, F1, exact matches and speed of the product's detector.

The detector is the one every part of the product uses (criteria rules with
the learned heads, `simulator.scoring.detector.build_detector`). Sets:

- the shared development set, typed and as heard (../shared/eval), scored spoken;
- the corpus validation split (scenarios/corpus), typed as written, typed
  chat-style (lower case, no punctuation) and spoken (its round trips through
  the product's recogniser, scenarios/corpus/roundtrips.jsonl.gz, with the
  generic model and with the conversation model);
- the project's older held-out sets (tests/data), and a blind-labelled set of replies by new writers;
- with --test, the corpus test split the same three ways. Look at it once, at
  the end: everything above may be tuned on, this may not.

Speed: replies per second on one core, and per-reply latency (p50/p95) of
`detect`, first for the live session's detector (`simulator classify
--exact`), then with the sentence model reading only the replies the other
heads are unsure of (`simulator classify`, its default) and without it
(`--without-sentence-model`), with their figures beside.

Run: .venv/bin/python tests/bench/bench_classify.py [--test] [--rules-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as a trainee's laptop gives a background task
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from simulator.scenario import standard_criteria  # noqa: E402
from simulator.scoring.detector import SURE, build_detector  # noqa: E402
from simulator.scoring.training import (as_the_product_hears, as_transcript, per_criterion, read_jsonl,  # noqa: E402
                                        roundtrips_file)

REPO = Path(__file__).resolve().parents[2]
# Round trips were heard by PocketSphinx with its generic model, or with the conversation model the product
# uses once it is built (rows marked "model": "domain", tests/bench/domain_roundtrip.py).
MODELS = {"generic": "generic model", "domain": "conversation model"}
EVAL = REPO.parent / "shared" / "eval"
CORPUS = REPO / "scenarios" / "corpus"


def report(name: str, rows: list[dict], detector, ids: list[str], spoken: bool, detail: bool) -> float:
    if not rows:
        print(f"\n{name}: (no rows)")
        return float("nan")
    predicted = [{m.criterion for m in detector.detect(r["text"], spoken=spoken)} for r in rows]
    wanted = [set(r["labels"]) & set(ids) for r in rows]
    per = per_criterion(predicted, wanted, ids)
    macro = sum(s[2] for s in per.values()) / len(per)
    exact = sum(p == w for p, w in zip(predicted, wanted))
    print(f"\n{name}: {len(rows)} replies, macro-F1 {macro:.3f}, exact label sets {exact / len(rows):.1%}")
    if detail:
        print(f"  {'criterion':<22} {'P':>5} {'R':>5} {'F1':>5} {'n':>5}")
        for c, (p, r, f, n) in per.items():
            print(f"  {c:<22} {p:5.2f} {r:5.2f} {f:5.2f} {n:5d}")
    return macro


def report_heard(name: str, heard: list[dict], detector, ids: list[str], detail: bool) -> None:
    """Round trips: each recogniser's hearings, then as the product hears them where some had an accent setting."""
    for model in ("generic", "domain"):
        trips = [r for r in heard if r.get("model", "generic") == model and not r.get("accent")]
        if trips:
            report(f"{name} (spoken round trip, {MODELS[model]})", trips, detector, ids, True, detail)
    trips = as_the_product_hears(heard)
    if any(r.get("accent") for r in trips):
        report(f"{name} (spoken round trip, conversation model, British voices with the British accent setting)",
               trips, detector, ids, True, False)


def speed(rows: list[dict], detector) -> tuple[float, float, float]:
    texts = [r["text"] for r in rows]
    started = time.perf_counter()
    for t in texts:
        json.dumps([m.criterion for m in detector.detect(t)])
    per_second = len(texts) / (time.perf_counter() - started)
    latencies = []
    for t in texts[:400]:
        t0 = time.perf_counter()
        detector.detect(t)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return per_second, statistics.median(latencies), latencies[int(len(latencies) * 0.95)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--test", action="store_true", help="also score the corpus test split (once, at the end)")
    ap.add_argument("--rules-only", action="store_true", help="the phrase rules alone, for comparison")
    ap.add_argument("--brief", action="store_true", help="macro-F1 only, no per-criterion table")
    args = ap.parse_args()
    library = standard_criteria()
    ids = list(library)
    t0 = time.perf_counter()
    detector = build_detector(library)
    if args.rules_only:
        detector.learned = None
    print(f"detector built in {(time.perf_counter() - t0) * 1000:.0f} ms: {detector.version}"
          + (f" ({detector.notice})" if detector.notice else ""))
    detail = not args.brief
    corpus = read_jsonl(CORPUS / "replies.jsonl")
    heard = read_jsonl(roundtrips_file())
    splits = ["validation"] + (["test"] if args.test else [])
    report("shared dev set (typed)", read_jsonl(EVAL / "replies_dev.jsonl"), detector, ids, False, detail)
    report("shared dev set (heard, spoken)", read_jsonl(EVAL / "replies_dev_asr.jsonl"), detector, ids, True, detail)
    for split in splits:
        rows = [r for r in corpus if r["split"] == split]
        report(f"corpus {split} (typed)", rows, detector, ids, False, detail)
        report(f"corpus {split} (typed chat-style)", [{**r, "text": as_transcript(r["text"])} for r in rows],
               detector, ids, False, detail)
        report_heard(f"corpus {split}", [r for r in heard if r["split"] == split], detector, ids, detail)
    older = [r for name in ("replies_heldout", "replies_fresh", "replies_untouched")
             for r in read_jsonl(REPO / "tests" / "data" / f"{name}.jsonl")]
    report("older held-out sets, tests/data (typed)", older, detector, ids, False, detail)
    report("older held-out set as heard (spoken)", read_jsonl(REPO / "tests" / "data" / "replies_heldout_asr.jsonl"),
           detector, ids, True, detail)
    # Written after the detector was built, by two writers who never saw the corpus, each reply labelled again
    # blind by another annotator (only replies both labelled alike, none within ratio 90 of the corpus).
    blind = read_jsonl(REPO / "tests" / "data" / "replies_blind.jsonl")
    report("blind-labelled set of new writers, tests/data (typed)", blind, detector, ids, False, detail)
    report("blind-labelled set of new writers (typed chat-style)",
           [{**r, "text": as_transcript(r["text"])} for r in blind], detector, ids, False, False)
    heard_blind = read_jsonl(REPO / "tests" / "data" / "replies_blind_heard.jsonl")  # domain_roundtrip.py --file
    report_heard("blind-labelled set", heard_blind, detector, ids, detail)
    validation = [r for r in corpus if r["split"] == "validation"]
    per_second, p50, p95 = speed(validation, detector)
    print(f"\nspeed (one core), the session's detector (classify --exact): {per_second:,.0f} replies/s; "
          f"per reply p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    if detector.learned is not None and detector.learned.refine is not None:
        cascade = build_detector(library, sure=SURE)
        per_second, p50, p95 = speed(validation, cascade)
        print(f"speed with the sentence model reading only what the other heads are unsure of (classify, "
              f"its default; margin {SURE:g}): {per_second:,.0f} replies/s; per reply p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        quick = build_detector(library, in_context=False)
        per_second, p50, p95 = speed(validation, quick)
        print(f"speed without the sentence model (classify --without-sentence-model): {per_second:,.0f} replies/s; "
              f"per reply p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        for split in splits:
            rows = [r for r in corpus if r["split"] == split]
            chat = [{**r, "text": as_transcript(r["text"])} for r in rows]
            for kind, made in (("classify's default", cascade), ("without the sentence model", quick)):
                report(f"corpus {split} (typed), {kind}", rows, made, ids, False, False)
                report(f"corpus {split} (typed chat-style), {kind}", chat, made, ids, False, False)
            agree(f"corpus {split}, classify's default", rows + chat, cascade, detector)
            report_heard(f"corpus {split}, classify's default", [r for r in heard if r["split"] == split], cascade, ids, False)


def agree(name: str, rows: list[dict], one, other) -> None:
    """How many replies (typed, then chat-style) two detectors label alike."""
    same = sum({m.criterion for m in one.detect(r["text"])} == {m.criterion for m in other.detect(r["text"])}
               for r in rows)
    print(f"{name}: the same labels as the session's detector for {same} of {len(rows)} replies "
          f"({100 * same / len(rows):.1f} %)")

if __name__ == "__main__":
    main()
