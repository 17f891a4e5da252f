"""PocketSphinx's search settings with the conversation model: word error per voice and on human speech.

The decoder's language weight, word-insertion penalty and pruning were
PocketSphinx's defaults (lw 6.5) with tighter pruning chosen for speed on
the generic model. A model that expects these conversations may deserve a
larger say against the acoustics. This bench decodes the same audio with
each setting: a sample of the corpus VALIDATION split spoken by the bench
voices (bench_domain_lm.py renders and caches them), the out-of-script
sentences, and the human recordings (moonshine-voice's two passages and
PocketSphinx's own clips, human_speech.py). The test split is never read.

Run: nice .venv/bin/python tests/bench/bench_decoder.py [--n 40] [--settings "lw=6.5;lw=9,wip=0.2"]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "bench"))
sys.path.insert(0, str(REPO))

from bench_domain_lm import (BENCH_VOICES, general_rows, human_recordings, macro_f1, split_sample,  # noqa: E402
                             transcriber, voices_of, wav_for, wer)
from human_speech import pocketsphinx_recordings  # noqa: E402

DEFAULT_SETTINGS = "current;lw=8;lw=10;lw=10,wip=0.2;lw=12,wip=0.2"


def parse(spec: str) -> dict[str, float | str]:
    """'lw=8,dict=/path/x.dict' -> {"lw": 8.0, "dict": "/path/x.dict"}; 'current' -> {} (as shipped)."""
    if spec == "current":
        return {}
    return {k: _value(v) for k, v in (part.split("=", 1) for part in spec.split(","))}


def _value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def hearer(lm: str | None, overrides: dict[str, float | str]):
    """The product's batch transcription with these settings in place of the shipped ones."""
    from simulator.speech.recognition import SphinxEngine
    engine = SphinxEngine(lm)
    settings = dict(overrides)
    if "dict" in settings:
        engine.dict = str(settings.pop("dict"))
    engine.SEARCH = {**SphinxEngine.SEARCH,
                     **{k: (int(v) if k in ("maxhmmpf", "maxwpf") else v) for k, v in settings.items()}}
    return transcriber(engine)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="validation replies per voice")
    ap.add_argument("--settings", default=DEFAULT_SETTINGS,
                    help="decoder settings to compare, ';'-separated, each 'name=value,...' ('current': as shipped)")
    ap.add_argument("--voices", default=BENCH_VOICES)
    ap.add_argument("--generic", action="store_true", help="the generic model instead of the conversation model")
    ap.add_argument("--f1", action="store_true", help="also classify what was heard: spoken macro-F1 (small samples: noisy)")
    args = ap.parse_args()
    from simulator.speech import domainlm
    lm = None if args.generic else str(domainlm.build())
    sample, general = split_sample(args.n, "validation"), general_rows()
    voices = voices_of(args.voices)
    human = human_recordings() + pocketsphinx_recordings()
    print(f"model: {'generic' if lm is None else Path(lm).name}; {len(sample)} validation replies x {len(voices)} "
          f"voices, {len(general)} out-of-script sentences, {len(human)} human recordings")
    from simulator.scenario import standard_criteria
    from simulator.scoring.detector import build_detector
    library = standard_criteria()
    detector = build_detector(library) if args.f1 else None
    print("| setting | " + " | ".join(f"{v} {r}" for v, r in voices) + " | mean | out of script | human | s/reply |"
          + (" spoken macro-F1, mean of voices |" if detector else ""))
    print("|---" * (len(voices) + 5 + bool(detector)) + "|")
    for spec in args.settings.split(";"):
        hear = hearer(lm, parse(spec))
        t0 = time.perf_counter()
        per_voice, general_wer, f1 = [], [], []
        for voice, rate in voices:
            heard = [hear(wav_for(r, voice, rate)) for r in sample]
            per_voice.append(wer([r["text"] for r in sample], heard))
            if detector:
                f1.append(macro_f1(sample, heard, detector, list(library)))
            general_wer.append(wer([r["text"] for r in general], [hear(wav_for(r, voice, rate)) for r in general]))
        human_wer = wer([t for _, t in human], [hear(p) for p, _ in human]) if human else float("nan")
        seconds = (time.perf_counter() - t0) / (len(voices) * (len(sample) + len(general)) + len(human))
        print(f"| {spec} | " + " | ".join(f"{w:.1%}" for w in per_voice)
              + f" | {sum(per_voice) / len(per_voice):.1%} | {sum(general_wer) / len(general_wer):.1%} "
              f"| {human_wer:.1%} | {seconds:.2f} |" + (f" {sum(f1) / len(f1):.3f} |" if f1 else ""), flush=True)


if __name__ == "__main__":
    main()
