"""End of speech: how often a silence hangover cuts a reply in two, and what each hangover costs in waiting.

The product's voice-activity detector (`simulator.speech.vad.EnergyVad`,
20 ms chunks) runs over whole replies; every "end" it reports before the
reply's last word is a cut (the customer would answer half a reply). Sets:

- corpus VALIDATION replies with more than one sentence or a comma, spoken by
  espeak-ng voices at slow to brisk rates (the pauses espeak puts at commas
  and full stops);
- human recordings (moonshine-voice's two_cities.wav, read aloud with the
  pauses of a long sentence, and beckett.wav, short sentences with long
  pauses), when installed.

For each fixed hangover it prints the share of replies cut, and for the
adaptive rule (`simulator.speech.vad.EndOfSpeech`: a short hangover after a
pause that ends what looks like a finished sentence, a long one after a
word that cannot end one, "and", "the", "um") the same share and the
hangover it used on average. The wait the trainee feels is the hangover
plus the recogniser's finish (bench_real_audio.py measures it end to end).

Run: nice .venv/bin/python tests/bench/bench_end_of_speech.py [--n 120]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "bench"))
sys.path.insert(0, str(REPO))

from bench_domain_lm import WAVS, human_recordings, wav_for  # noqa: E402

VOICES = [("en-us", 130), ("en-us", 170), ("en-gb", 150), ("en-us+f3", 150)]
FIXED = [300, 400, 500, 600, 800, 1000]
CHUNK = 320 * 2  # 20 ms of 16 kHz 16-bit audio


def sample(n: int, split: str = "validation") -> list[dict]:
    import json
    rows = [json.loads(line) for line in (REPO / "scenarios" / "corpus" / "replies.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    rows = [r for r in rows if r["split"] == split and (len(re.findall(r"[.!?]\s", r["text"])) >= 1
                                                                or "," in r["text"])]
    return random.Random(4).sample(rows, min(n, len(rows)))


def chunks_of(path: Path) -> list[bytes]:
    from simulator.speech.wav import read_wav, resample
    data = resample(read_wav(path), 16000).data
    data += bytes(16000 * 2 * 2)  # two seconds of silence after the last word
    return [data[i:i + CHUNK] for i in range(0, len(data) - CHUNK + 1, CHUNK)]


def cuts_fixed(chunks: list[bytes], hangover: int) -> int:
    from simulator.speech.vad import EnergyVad
    vad = EnergyVad(hangover_ms=hangover)
    ends = sum(vad.feed(c) == "end" for c in chunks)
    return max(0, ends - 1)


def cuts_adaptive(chunks: list[bytes], engine) -> tuple[int, list[int]]:
    """The product's rule with the product's recogniser giving the partial text at each pause."""
    from simulator.speech.vad import EndOfSpeech
    rule = EndOfSpeech()
    stream, ends, used = None, 0, []
    for c in chunks:
        event = rule.vad.feed(c)
        if event == "start":
            stream = engine.stream()
        if stream is not None:
            stream.accept(c)
        if rule.vad.in_speech and rule.vad.quiet_ms == rule.vad.chunk_ms and stream is not None:
            rule.pause_started(stream.partial())
        if event == "end":
            ends += 1
            used.append(rule.vad.hangover_ms)
            if stream is not None:
                stream.finish()
            stream = None
    return max(0, ends - 1), used


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--split", choices=["validation", "test"], default="validation",
                    help="test: the held-out replies, for the figure beside the ones the hangovers were chosen on")
    args = ap.parse_args()
    from simulator.speech.recognition import SphinxEngine
    engine = SphinxEngine()
    sets: list[tuple[str, list[Path]]] = []
    rows = sample(args.n, args.split)
    for voice, rate in VOICES:
        sets.append((f"espeak {voice} {rate} wpm", [wav_for(r, voice, rate) for r in rows]))
    human = human_recordings()
    if human:
        sets.append(("human recordings", [p for p, _ in human]))
    print(f"{len(rows)} {args.split} replies with a comma or more than one sentence; WAVs cached in {WAVS}")
    header = " | ".join(f"{h} ms" for h in FIXED)
    print(f"| set | {header} | adaptive | adaptive mean hangover |\n|---|{'---|' * len(FIXED)}---|---|")
    for name, paths in sets:
        audio = [chunks_of(p) for p in paths]
        fixed = [sum(cuts_fixed(a, h) > 0 for a in audio) / len(audio) for h in FIXED]
        adaptive, used = [], []
        for a in audio:
            cut, hangovers = cuts_adaptive(a, engine)
            adaptive.append(cut)
            used += hangovers
        share = sum(c > 0 for c in adaptive) / len(adaptive)
        cells = " | ".join(f"{f:.0%}" for f in fixed)
        if name == "human recordings":  # two long recordings: count the cuts, not the share of replies
            cells = " | ".join(str(sum(cuts_fixed(a, h) for a in audio)) + " cuts" for h in FIXED)
            print(f"| {name} | {cells} | {sum(adaptive)} cuts | {sum(used) / max(1, len(used)):.0f} ms |")
            continue
        print(f"| {name} | {cells} | {share:.0%} | {sum(used) / max(1, len(used)):.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
