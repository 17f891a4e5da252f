"""Send labelled replies through a real speech round trip, voice by voice.

espeak-ng speaks each reply to a WAV file and the product's own recogniser
(`SphinxEngine.transcribe`: PocketSphinx with its bundled en-us model, the
audio resampled to 16 kHz with soxr) hears it. Several voices and rates, so
that what we learn about misrecognition is not one voice's accent. Writes the
same JSON lines with `text` replaced by what was heard, plus `voice`, `rate`
and `typed` (the original words).

Run: .venv/bin/python tests/bench/speech_roundtrip.py IN.jsonl OUT.jsonl [--voices N] [--split S]
  --voices N   speak each reply with N voices (rotating through VOICES), default 1
  --split S    only rows whose "split" is S
  --limit N    only the first N of them
Appends to OUT and skips what it already holds, so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from simulator.speech.recognition import SphinxEngine
from simulator.speech.wav import read_wav

# (espeak-ng voice, words per minute): American and British English, a slower
# and a faster speaker, a female variant.
VOICES = [("en-us", 150), ("en-gb", 170), ("en-us+f3", 135), ("en-gb-x-rp", 185), ("en-us+m3", 165)]


def speak(text: str, voice: str, rate: int, wav: Path) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), text], check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--voices", type=int, default=1)
    ap.add_argument("--split")
    ap.add_argument("--limit", type=int, help="only the first N rows (after --split)")
    args = ap.parse_args()
    engine = SphinxEngine()
    rows = [json.loads(line) for line in Path(args.src).read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.split:
        rows = [r for r in rows if r.get("split") == args.split]
    rows = rows[:args.limit] if args.limit else rows
    # Resumable: rows already heard (same id and voice) are not spoken again.
    done = set()
    if Path(args.dst).exists():
        done = {(r["id"], r["voice"]) for r in map(json.loads, Path(args.dst).read_text(encoding="utf-8").splitlines())}
    with tempfile.TemporaryDirectory() as tmp, open(args.dst, "a", encoding="utf-8") as out:
        wav = Path(tmp) / "line.wav"
        for number, row in enumerate(rows):
            for k in range(args.voices):
                voice, rate = VOICES[(number + k) % len(VOICES)]
                if (row["id"], voice) in done:
                    continue
                speak(row["text"], voice, rate, wav)
                heard = engine.transcribe(read_wav(wav))
                out.write(json.dumps({**row, "text": heard.text, "typed": row["text"], "voice": voice, "rate": rate,
                                      "confidences": [round(c, 3) for c in heard.word_confidences]},
                                     ensure_ascii=False) + "\n")
                out.flush()


if __name__ == "__main__":
    main()
