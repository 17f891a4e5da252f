"""Corpus replies as the product hears them with the conversation model (domain LM), for the spoken heads.

`speech_roundtrip.py` heard the corpus with PocketSphinx's generic model; the
product uses the conversation model once it is built, and its mistakes are
other mistakes. This speaks replies with espeak-ng (the same five voices) and
hears them with the mixed model:

- validation and test rows: the replies, voices and rates already in
  roundtrips.jsonl.gz, heard with the product's model (built from the whole
  train split, as shipped), so the two recognisers are compared on the same
  audio;
- train rows, cross-fitted: the train split is cut in two by a hash of the
  id, and each half is heard with a model built without that half's replies.
  A model that had seen the very sentence would hear it far better than it
  will hear a trainee, and the heads would learn from transcripts too good.

Rows get "model": "domain" (rows without it were heard with the generic model; --generic hears the
validation and test rows with it again, after the recogniser changed).
Appends and resumes; --part I/N takes every N-th row so two processes share
the work.

Run: nice .venv/bin/python tests/bench/domain_roundtrip.py OUT.jsonl --split train --limit 3000 --part 0/2
  (train with --part I/2: process I hears fold I, with the model built without it)
Then add OUT's rows to scenarios/corpus/roundtrips.jsonl.gz (gzip -dc, append, gzip -9n) and run `simulator train`. Here: about one reply
a second per core (2,362 train replies in ~40 minutes on two cores).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "bench"))
sys.path.insert(0, str(REPO))

from speech_roundtrip import VOICES, speak  # noqa: E402

CORPUS = REPO / "scenarios" / "corpus"
FOLDS = 2
LM_CACHE = Path(tempfile.gettempdir()) / "domain_roundtrip_lm"


def fold_of(row_id: str) -> int:
    return int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % FOLDS


def model_for(fold: int | None) -> Path:
    """The mixed model as shipped (fold None), or one built without a fold's train replies."""
    from simulator.speech import domainlm
    texts = domainlm.domain_texts(CORPUS.parent, extra_folders=[])
    if fold is not None:
        rows = [json.loads(line) for line in (CORPUS / "replies.jsonl").read_text("utf-8").splitlines() if line]
        left_out = {r["text"] for r in rows if r["split"] == "train" and fold_of(r["id"]) == fold}
        texts = [t for t in texts if t not in left_out]
        return domainlm.build(texts, folder=LM_CACHE / f"fold{fold}")
    return domainlm.build(texts)


def rows_to_hear(split: str, limit: int | None) -> list[dict]:
    if split == "train":
        rows = [json.loads(line) for line in (CORPUS / "replies.jsonl").read_text("utf-8").splitlines() if line]
        rows = [r for r in rows if r["split"] == "train"]
        random.Random(18).shuffle(rows)
        rows = rows[:limit] if limit else rows
        return [{**r, "voice": VOICES[k % len(VOICES)][0], "rate": VOICES[k % len(VOICES)][1]}
                for k, r in enumerate(rows)]
    from simulator.scoring.training import read_jsonl, roundtrips_file
    heard = read_jsonl(roundtrips_file())
    rows = [{**r, "text": r["typed"]} for r in heard if r["split"] == split and r.get("model", "generic") == "generic"]
    return rows[:limit] if limit else rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dst")
    ap.add_argument("--split", choices=["train", "validation", "test"])
    ap.add_argument("--file", type=Path, help="hear the replies of this labelled JSON-lines file instead (each by one of "
                                              "the voices in turn, with the model as shipped), e.g. tests/data/replies_blind.jsonl")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--part", default="0/1", help="I/N: every N-th row from the I-th")
    ap.add_argument("--generic", action="store_true",
                    help="validation or test: hear the rows with the generic model (rows without \"model\"), as "
                         "the product's recogniser now does, to replace them after a change to the recogniser")
    ap.add_argument("--voices", help="only rows spoken by these voices, comma-separated (e.g. en-gb,en-gb-x-rp)")
    ap.add_argument("--accent", default="general", choices=["general", "british"],
                    help="the pronunciations the recogniser expects (rows get \"accent\" when not general)")
    args = ap.parse_args()
    if (args.split is None) == (args.file is None):
        ap.error("give --split or --file")
    if args.generic and args.split == "train":
        ap.error("--generic hears validation or test rows")
    part, parts = map(int, args.part.split("/"))
    from bench_domain_lm import transcriber
    from simulator.speech.recognition import SphinxEngine
    if args.file:
        rows = [json.loads(line) for line in args.file.read_text("utf-8").splitlines() if line.strip()][:args.limit]
        rows = [{**r, "split": "blind", "voice": VOICES[k % len(VOICES)][0], "rate": VOICES[k % len(VOICES)][1]}
                for k, r in enumerate(rows)]
    else:
        rows = rows_to_hear(args.split, args.limit)
    if args.voices:
        rows = [r for r in rows if r["voice"] in args.voices.split(",")]
    # Train rows are shared out by fold, so each process builds one fold's model, not both.
    rows = [r for r in rows if fold_of(r["id"]) == part] if args.split == "train" and parts == FOLDS \
        else rows[part::parts]
    dst = Path(args.dst)
    done = set()
    if dst.exists():
        done = {(r["id"], r["voice"]) for r in map(json.loads, dst.read_text("utf-8").splitlines()) if r}
    engines: dict = {}  # fold -> the product's batch transcription on one decoder kept for the run
    with tempfile.TemporaryDirectory() as tmp, open(dst, "a", encoding="utf-8") as out:
        wav = Path(tmp) / "line.wav"
        for row in rows:
            if (row["id"], row["voice"]) in done:
                continue
            fold = fold_of(row["id"]) if args.split == "train" else None
            if fold not in engines:
                engines[fold] = transcriber(SphinxEngine(lm=None if args.generic else model_for(fold),
                                                         accent=args.accent))
            speak(row["text"], row["voice"], row["rate"], wav)
            heard = engines[fold](wav)
            heard_row = {"id": row["id"], "text": heard, "typed": row["text"], "labels": row["labels"],
                         "split": row["split"], "voice": row["voice"], "rate": row["rate"]}
            if not args.generic:
                heard_row["model"] = "domain"
            if args.accent != "general":
                heard_row["accent"] = args.accent
            out.write(json.dumps(heard_row, ensure_ascii=False) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
