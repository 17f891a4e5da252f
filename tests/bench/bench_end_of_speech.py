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
from dataclasses import dataclass
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
SHORT = [500, 550, 560, 575, 580, 600]  # the adaptive rule's short hangover, tried with the words heard 160 ms into a pause
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


@dataclass
class Pause:
    ms: int  # how long the silence lasted
    at_start: str  # the recogniser's partial as it began
    heard: str  # its partial HEARD_PAUSE_MS in (the listener runs the final pass then, which has caught up)


def pauses(chunks: list[bytes], engine) -> list[Pause]:
    """Every pause inside a reply, from one pass of the product's VAD and recogniser with no hangover: a rule
    cuts the reply if it would end any pause but the last, which is the two seconds after the last word."""
    from simulator.speech.listener import HEARD_PAUSE_MS
    from simulator.speech.vad import EnergyVad
    vad = EnergyVad(hangover_ms=10 ** 9)
    stream, found = None, []
    for c in chunks:
        before = vad.quiet_ms
        if vad.feed(c) == "start":
            stream = engine.stream()
        if stream is None:
            continue
        stream.accept(c)
        if vad.quiet_ms == vad.chunk_ms:
            found.append(Pause(vad.chunk_ms, stream.partial() or "", ""))
        elif vad.quiet_ms > before and found:
            found[-1].ms = vad.quiet_ms
        if vad.quiet_ms == HEARD_PAUSE_MS and found:
            found[-1].heard = stream.partial() or ""
    if stream is not None:
        stream.finish()
    return found


def adaptive(found: list[Pause], short_ms: int | None, revise: bool) -> tuple[int, int]:
    """How many times the product's rule (with this short hangover; `revise`: deciding again on the words heard
    HEARD_PAUSE_MS into the pause) cuts the reply, and the hangover it waits after the last word."""
    from simulator.speech.vad import EndOfSpeech
    rule = EndOfSpeech() if short_ms is None else EndOfSpeech(short_ms=short_ms)
    waits = []
    for pause in found:
        rule.pause_started(pause.at_start)
        if revise:
            rule.words_heard(pause.heard)
        waits.append(rule.vad.hangover_ms)
    cuts = sum(p.ms >= w for p, w in zip(found[:-1], waits[:-1]))
    return cuts, waits[-1] if waits else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--split", choices=["validation", "test"], default="validation",
                    help="test: the held-out replies, for the figure beside the ones the hangovers were chosen on")
    args = ap.parse_args()
    from simulator.speech.recognition import SphinxEngine
    from simulator.speech.vad import EndOfSpeech
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
    header += " | adaptive, words at the pause's start | " + " | ".join(f"adaptive {s} ms, revised" for s in SHORT)
    print(f"| set | {header} | adaptive mean hangover |\n|---|{'---|' * (len(FIXED) + 1 + len(SHORT))}---|")
    for name, paths in sets:
        audio = [chunks_of(p) for p in paths]
        fixed = [sum(cuts_fixed(a, h) > 0 for a in audio) / len(audio) for h in FIXED]
        human = name == "human recordings"  # two long recordings: count the cuts, not the share of replies
        cells = [f"{f:.0%}" for f in fixed] if not human else [
            f"{sum(cuts_fixed(a, h) for a in audio)} cuts" for h in FIXED]
        found = [pauses(a, engine) for a in audio]
        used: list[int] = []  # the hangovers the product's rule (revised, its own short hangover) waited
        for short, revise in [(None, False)] + [(s, True) for s in SHORT]:
            results = [adaptive(f, short, revise) for f in found]
            if (short, revise) == (EndOfSpeech.short_ms, True):
                used = [w for _, w in results]
            cells.append(f"{sum(c for c, _ in results)} cuts" if human else
                         f"{sum(c > 0 for c, _ in results) / len(results):.0%}")
        print(f"| {name} | {' | '.join(cells)} | {sum(used) / max(1, len(used)):.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
