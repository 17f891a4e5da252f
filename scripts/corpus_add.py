"""Add newly written replies to the labelled corpus, checked the way the corpus tests check it, and more.

    .venv/bin/python scripts/corpus_add.py NEW.jsonl [NEW2.jsonl ...] [--second LABELS.jsonl ...] [--dry-run]

Each new line is {"text", "labels", "kind", "register"}. A reply is refused (and listed, with why) when
its labels are not criteria of the library, its kind or register is unknown, its kind disagrees with
its labels, it has fewer than 2 or more than 60 words, or it is within rapidfuzz ratio 90 of a corpus
reply, another new reply, a sentence of the shared development set, one of tests/test_verdicts.py's
paraphrases or a reply of tests/data/replies_blind.jsonl (as transcripts: lower case, no punctuation; the full pairwise check the corpus test only
samples).

`--second` gives a second annotator's labels for the same texts, made without seeing the first ones
({"text", "labels"} per line): replies the two label differently are left out, and the agreement is
printed per criterion. The corpus's first replies were adjudicated by a third annotator; leaving out
is cheaper and keeps only labels two people reached alone.

Accepted replies get `id` r + the first 8 hex digits of sha256(text) and a `split` fixed by the reply,
so it never moves: sha256 of its transcript, modulo 100, below 70 train, below 85 validation, else test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.scenario import standard_criteria  # noqa: E402
from simulator.scoring.training import as_transcript, per_criterion, read_jsonl  # noqa: E402

CORPUS = REPO / "scenarios" / "corpus" / "replies.jsonl"
SHARED_DEV = REPO.parent / "shared" / "eval"
KINDS = {"positive", "multi", "near_miss", "neutral"}
REGISTERS = {"formal", "neutral", "casual", "chat", "british", "american", "spoken"}
NEAR = 90


def split_of(text: str) -> str:
    bucket = int(hashlib.sha256(as_transcript(text).encode()).hexdigest(), 16) % 100
    return "train" if bucket < 70 else "validation" if bucket < 85 else "test"


def id_of(text: str) -> str:
    return "r" + hashlib.sha256(text.encode()).hexdigest()[:8]


def problem(row: dict, known: set[str]) -> str | None:
    text, labels = row.get("text"), row.get("labels")
    if not isinstance(text, str) or not isinstance(labels, list):
        return "needs text and labels"
    if unknown := set(labels) - known:
        return f"unknown labels {sorted(unknown)}"
    if len(set(labels)) != len(labels):
        return "a label twice"
    if row.get("kind") not in KINDS:
        return f"kind {row.get('kind')!r}"
    if row.get("register") not in REGISTERS:
        return f"register {row.get('register')!r}"
    if row["kind"] == "positive" and len(labels) != 1 or row["kind"] == "multi" and len(labels) < 2:
        return f"kind {row['kind']} with {len(labels)} labels"
    if row["kind"] == "neutral" and labels:
        return "neutral with labels"
    if not 2 <= len(text.split()) <= 60:
        return f"{len(text.split())} words"
    return None


def protected_texts() -> list[str]:
    """Sentences the corpus must stay away from: the development set and the test paraphrases."""
    out = [as_transcript(r["text"]) for name in ("replies_dev.jsonl", "replies_dev_asr.jsonl")
           for r in read_jsonl(SHARED_DEV / name)]
    sys.path.insert(0, str(REPO / "tests"))
    from test_verdicts import NEGATED, PARAPHRASES
    blind = read_jsonl(REPO / "tests" / "data" / "replies_blind.jsonl")  # a measuring set: never in the corpus
    return out + [as_transcript(t) for t, _ in PARAPHRASES + NEGATED] + [as_transcript(r["text"]) for r in blind]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("new", nargs="+", type=Path)
    ap.add_argument("--second", nargs="*", type=Path, default=[], help="a second annotator's labels")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    known = set(standard_criteria())
    corpus = read_jsonl(CORPUS)
    second = {r["text"].strip(): set(r["labels"]) for p in args.second for r in read_jsonl(p)}
    refused: Counter[str] = Counter()
    candidates = []
    for path in args.new:
        for n, row in enumerate(read_jsonl(path), 1):
            row["text"] = re.sub(r"\s+", " ", str(row.get("text", ""))).strip()
            if why := problem(row, known):
                refused[why.split()[0]] += 1
                print(f"{path.name}:{n}: {why}: {row.get('text')!r}")
                continue
            candidates.append(row)
    if args.second:
        both = [r for r in candidates if r["text"] in second]
        ids = sorted(known)
        agreement = per_criterion([second[r["text"]] for r in both], [set(r["labels"]) for r in both], ids)
        print(f"second annotator: {len(both)} of {len(candidates)} replies labelled; exact agreement "
              f"{sum(second[r['text']] == set(r['labels']) for r in both) / max(1, len(both)):.1%}, macro-F1 "
              f"{sum(s[2] for s in agreement.values()) / len(ids):.3f}")
        for c, (p, rec, f1, n) in agreement.items():
            print(f"  {c:<22} F1 {f1:.2f} ({n} by the writer)")
        refused["disagreed"] += sum(r["text"] in second and second[r["text"]] != set(r["labels"]) for r in candidates)
        refused["unlabelled"] += sum(r["text"] not in second for r in candidates)
        candidates = [r for r in both if second[r["text"]] == set(r["labels"])]
    seen = [as_transcript(r["text"]) for r in corpus] + protected_texts()
    accepted = []
    for row in candidates:
        t = as_transcript(row["text"])
        if process.extractOne(t, seen, scorer=fuzz.ratio, score_cutoff=NEAR) is not None:
            refused["near-duplicate"] += 1
            continue
        seen.append(t)
        accepted.append({"id": id_of(row["text"]), "text": row["text"], "labels": row["labels"],
                         "kind": row["kind"], "register": row["register"], "split": split_of(row["text"])})
    rows = corpus + accepted
    openings = Counter(" ".join(re.findall(r"[a-z']+", r["text"].lower())[:3]) for r in rows)
    top, count = openings.most_common(1)[0]
    print(f"accepted {len(accepted)}; refused {dict(refused)}")
    print("splits of the accepted:", dict(Counter(r["split"] for r in accepted)))
    print("labels of the accepted:", dict(Counter(c for r in accepted for c in r["labels"])))
    print(f"corpus would hold {len(rows)}; the commonest opening {top!r} starts {count / len(rows):.1%}")
    if count / len(rows) > 0.05:
        print("refusing: one opening would start more than 5 % of the corpus")
        return 1
    if not args.dry_run:
        with CORPUS.open("a", encoding="utf-8") as f:
            for r in accepted:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
