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
UNSURE = [0.0, 0.3, 0.5, 0.7]  # --final: thresholds for setting aside an unsure trailing continuing word
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
    final: tuple[str, tuple] | None = None  # that final pass's text and words (final_passes), when measured


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


def final_passes(chunks: list[bytes], engine) -> list[tuple[str, tuple]]:
    """What the product's listener hears in each long pause of a reply: the recogniser's final pass as the pause
    passes HEARD_PAUSE_MS (speech/listener.py), its text and words with confidences, in order. The listener
    runs with a hangover that never ends the reply, so every pause is seen."""
    import time
    from simulator.speech.listener import Listener
    from simulator.speech.vad import EndOfSpeech

    class Recorder(EndOfSpeech):
        def __post_init__(self) -> None:
            super().__post_init__()
            self.passes: list[tuple[str, tuple]] = []

        def words_heard(self, words, heard=()) -> None:
            self.passes.append((words or "", tuple(heard)))

    recorder = Recorder(short_ms=10 ** 9, long_ms=10 ** 9)
    listener = Listener(engine, lambda u: None, hangover_ms=None, speculate=True)
    listener.end_of_speech, listener.vad = recorder, recorder.vad
    for k, c in enumerate(chunks):
        listener.feed(c, k * 0.02)
    while not listener._queue.empty():
        time.sleep(0.01)
    time.sleep(0.1)
    listener.close()
    return recorder.passes


def with_final_passes(found: list[Pause], passes: list[tuple[str, tuple]]) -> list[Pause]:
    """The pauses, each long one with the final pass the listener ran in it (in order: the k-th pause longer than
    HEARD_PAUSE_MS had the k-th pass)."""
    from simulator.speech.listener import HEARD_PAUSE_MS
    left = iter(passes)
    for pause in found:
        if pause.ms > HEARD_PAUSE_MS:
            pause.final = next(left, None)
    return found


def adaptive(found: list[Pause], short_ms: int | None, revise: bool, unsure: float | None = None) -> tuple[int, int]:
    """How many times the product's rule (with this short hangover; `revise`: deciding again on the words heard
    HEARD_PAUSE_MS into the pause; `unsure`: on the final pass's words instead, setting aside a trailing
    continuing word heard with less confidence) cuts the reply, and the hangover it waits after the last word."""
    from simulator.speech.vad import EndOfSpeech
    rule = EndOfSpeech() if short_ms is None else EndOfSpeech(short_ms=short_ms)
    if unsure is not None:
        rule.unsure_below = unsure
    waits = []
    for pause in found:
        rule.pause_started(pause.at_start)
        if revise and unsure is not None and pause.final is not None:
            rule.words_heard(*pause.final)
        elif revise:
            rule.words_heard(pause.heard)
        waits.append(rule.vad.hangover_ms)
    cuts = sum(p.ms >= w for p, w in zip(found[:-1], waits[:-1]))
    return cuts, waits[-1] if waits else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--split", choices=["validation", "test"], default="validation",
                    help="test: the held-out replies, for the figure beside the ones the hangovers were chosen on")
    ap.add_argument("--final", action="store_true",
                    help="decide again on the final pass the listener runs in each pause (conversation model, as the "
                         "app), setting aside unsure trailing words at each threshold in UNSURE")
    args = ap.parse_args()
    from simulator.speech.recognition import SphinxEngine
    from simulator.speech.vad import EndOfSpeech
    if args.final:
        return final_table(args)
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


def final_table(args) -> None:
    """The product's rule (600 / 1000 ms) deciding again on the final pass's words, each threshold for setting
    aside a trailing continuing word the recogniser was unsure of: replies cut, mean wait, and how many replies
    waited the long hangover after their last word (the p95 of end of speech -> customer line)."""
    from simulator.speech import domainlm
    from simulator.speech.recognition import SphinxEngine
    engine = SphinxEngine(lm=domainlm.build())
    rows = sample(args.n, args.split)
    print(f"{len(rows)} {args.split} replies; final pass per pause (conversation model)")
    print("| set | " + " | ".join(f"unsure < {u}: cut / mean wait / long wait at the end" for u in UNSURE) + " |")
    print("|---|" + "---|" * len(UNSURE))
    sets = [(f"espeak {v} {r} wpm", [wav_for(row, v, r) for row in rows]) for v, r in VOICES]
    human = human_recordings()
    if human:
        sets.append(("human recordings", [p for p, _ in human]))
    for name, paths in sets:
        found = []
        for path in paths:
            audio = chunks_of(path)
            found.append(with_final_passes(pauses(audio, engine), final_passes(audio, engine)))
        cells = []
        for unsure in UNSURE:
            results = [adaptive(f, 600, True, unsure) for f in found]
            cut = f"{sum(c for c, _ in results)} cuts" if name == "human recordings" else \
                f"{sum(c > 0 for c, _ in results) / len(results):.0%}"
            waits = [w for _, w in results]
            cells.append(f"{cut} / {sum(waits) / len(waits):.0f} ms / {sum(w > 600 for w in waits)}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
