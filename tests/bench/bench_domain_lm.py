"""The domain language model for PocketSphinx against the generic one: word error rate and spoken macro-F1.

A sample of the corpus VALIDATION split (never the test split) is spoken by
two espeak-ng voices (`speech_roundtrip.speak`), transcribed by the
product's `SphinxEngine` with the generic en-us model and with the domain
model (`simulator.speech.domainlm`), and the transcripts are classified by
the product's detector as spoken replies (`simulator classify`'s path).
Everyday sentences that are not from the corpus (OUT_OF_SCRIPT below) check
that speech outside the script is not made much worse.

Rendered WAVs are cached in /tmp/bench_domain_lm (about 2 s a reply to make).

Run: nice -n 19 .venv/bin/python tests/bench/bench_domain_lm.py [--n 150] [--render-only]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "bench"))
sys.path.insert(0, str(REPO))

from human_speech import pocketsphinx_recordings  # noqa: E402
from speech_roundtrip import speak  # noqa: E402

WAVS = Path("/tmp/bench_domain_lm")
# Three espeak-ng voices (American, British, and a female variant), each at an ordinary and a brisk rate.
BENCH_VOICES = "en-us:150,en-us:190,en-gb:150,en-gb:190,en-us+f3:150,en-us+f3:190"

# Human speech: recordings shipped in the moonshine-voice wheel (MIT; a test extra), read as files only.
HUMAN = {
    "two_cities.wav": (
        "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
        "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, "
        "it was the season of Darkness, it was the spring of hope, it was the winter of despair, we had "
        "everything before us, we had nothing before us, we were all going direct to Heaven, we were all going "
        "direct the other way, in short, the period was so far like the present period, that some of its "
        "noisiest authorities insisted on its being received, for good or for evil, in the superlative degree "
        "of comparison only."),
    "beckett.wav": "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better.",
}


def human_recordings() -> list[tuple[Path, str]]:
    """The human recordings that are installed (`pip install moonshine-voice`), without importing the package."""
    import importlib.util
    spec = importlib.util.find_spec("moonshine_voice")
    if spec is None or not spec.submodule_search_locations:
        return []
    assets = Path(next(iter(spec.submodule_search_locations))) / "assets"
    return [(assets / name, text) for name, text in HUMAN.items() if (assets / name).is_file()]


def voices_of(spec: str) -> list[tuple[str, int]]:
    return [(v.split(":")[0], int(v.split(":")[1])) for v in spec.split(",") if v]

# Everyday English, written for this bench, not from the corpus or the scenarios.
OUT_OF_SCRIPT = [
    "I left my umbrella on the train this morning.",
    "Could you pass me the salt and pepper please?",
    "The weather forecast says it will rain all weekend.",
    "We are going to visit my grandmother on Sunday.",
    "My brother just bought a new bicycle.",
    "The children played football in the park after school.",
    "I need to buy some milk, bread and eggs.",
    "What time does the next bus leave?",
    "She has been learning to play the piano for three years.",
    "The museum is closed on Mondays.",
    "Let's have pasta for dinner tonight.",
    "The dog barked at the postman again.",
    "I usually go for a run before breakfast.",
    "Our neighbours are painting their house blue.",
    "He forgot his keys and had to climb through the window.",
    "The library has a great collection of old maps.",
    "It took us two hours to drive to the beach.",
    "Please turn off the lights when you leave the room.",
    "My favourite season is autumn because of the colours.",
    "The cat is sleeping on the warm windowsill.",
    "We watched a funny film at the cinema last night.",
    "I have to finish my homework before I can go out.",
    "The garden looks beautiful after the spring rain.",
    "Can you tell me the way to the railway station?",
    "They are planning a holiday in the mountains this summer.",
    "The coffee at that little cafe is very good.",
    "My phone battery died in the middle of the day.",
    "She wrote a letter to her old school friend.",
    "The river was too cold for swimming.",
    "I think I will wear my green jacket today.",
    "The baker opens his shop at six every morning.",
    "We need more chairs for the party on Saturday.",
    "The train was late because of snow on the line.",
    "He is reading a book about the history of ships.",
    "Put the vegetables in the oven for twenty minutes.",
    "The birds are singing in the tall trees.",
    "My sister works as a nurse at the city hospital.",
    "Don't forget to water the plants while I am away.",
    "The football match starts at half past seven.",
    "I would like a cup of tea with a little sugar.",
]


def split_sample(n: int, split: str = "validation") -> list[dict]:
    corpus = REPO / "scenarios" / "corpus" / "replies.jsonl"
    rows = [json.loads(line) for line in corpus.read_text("utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    return random.Random(18).sample(rows, min(n, len(rows)))


def general_rows() -> list[dict]:
    return [{"id": f"g{k:02d}", "text": t} for k, t in enumerate(OUT_OF_SCRIPT)]


def wav_for(row: dict, voice: str, rate: int) -> Path:
    path = WAVS / f"{voice}-{rate}" / f"{row['id']}.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.wav")
        speak(row["text"], voice, rate, tmp)
        tmp.replace(path)
    return path


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def edit_distance(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def wer(refs: list[str], hyps: list[str]) -> float:
    errors = sum(edit_distance(words(r), words(h)) for r, h in zip(refs, hyps))
    return errors / max(1, sum(len(words(r)) for r in refs))


def transcriber(engine):
    """The product's batch transcription (`SphinxEngine.transcribe`: the whole file at once, batch CMN, the noise
    floor under digital silence), on one decoder kept for the run instead of a fresh one per file, which only
    saves building it (~1 s)."""
    from simulator.speech import RATE
    from simulator.speech.noisefloor import NoiseFloor
    from simulator.speech.wav import read_wav, resample
    decoder = engine._new_decoder(live=False)  # a recorded file, as transcribe reads it

    def hear(path: Path) -> str:
        decoder.start_utt()
        decoder.process_raw(NoiseFloor()(resample(read_wav(path), RATE).data), False, True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp else ""
    return hear


def macro_f1(rows: list[dict], texts: list[str], detector, ids: list[str]) -> float:
    from simulator.scoring.training import per_criterion
    predicted = [{m.criterion for m in detector.detect(t, spoken=True)} for t in texts]
    wanted = [set(r["labels"]) & set(ids) for r in rows]
    per = per_criterion(predicted, wanted, ids)
    return sum(s[2] for s in per.values()) / len(per)


def rescore(split: str, n: int, weights: str, voices: list[tuple[str, int]]) -> None:
    from simulator.scenario import standard_criteria
    from simulator.scoring.detector import build_detector
    sample = split_sample(n, split)
    library = standard_criteria()
    ids, detector = list(library), build_detector(library)
    names = ["generic", *(f"domain λ={float(w)}" for w in weights.split(","))]
    print(f"| model | voice | {split} WER | spoken macro-F1 |\n|---|---|---|---|")
    for name in names:
        f1s, wers = [], []
        for voice, rate in voices:
            cached = json.loads((WAVS / f"heard-{name.replace(' ', '_')}-{voice}-{rate}.json").read_text())[split]
            heard = [cached[r["id"]] for r in sample]  # a KeyError here: the cache holds another sample
            f1s.append(macro_f1(sample, heard, detector, ids))
            wers.append(wer([r["text"] for r in sample], heard))
            print(f"| {name} | {voice} {rate} | {wers[-1]:.1%} | {f1s[-1]:.3f} |")
        print(f"| {name} | mean of {len(f1s)} | {sum(wers) / len(wers):.1%} | {sum(f1s) / len(f1s):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=150, help="validation replies in the sample")
    ap.add_argument("--weights", default="0.5", help="domain weights λ to compare, comma-separated")
    ap.add_argument("--render-only", action="store_true")
    ap.add_argument("--split", choices=["validation", "test"], default="validation",
                    help="test: the held-out split, scored once at the end, never tuned on")
    ap.add_argument("--voices", default=BENCH_VOICES, help="espeak-ng voice:rate pairs, comma-separated")
    ap.add_argument("--human-only", action="store_true", help="only the human recordings (tests/bench/human_speech.py "
                    "fetches PocketSphinx's own; without them, the two moonshine-voice passages)")
    ap.add_argument("--rescore", action="store_true",
                    help="classify the transcripts an earlier run cached (same split and sample) with the current "
                         "detector, without hearing the audio again: for new heads, the recogniser unchanged")
    args = ap.parse_args()
    voices = voices_of(args.voices)
    if args.rescore:
        return rescore(args.split, args.n, args.weights, voices)
    sample, general = split_sample(args.n, args.split), general_rows()
    for voice, rate in voices if not args.human_only else ():
        for row in sample + general:
            wav_for(row, voice, rate)
    if args.render_only:
        return
    from simulator.scenario import standard_criteria
    from simulator.scoring.detector import build_detector
    from simulator.speech import domainlm
    from simulator.speech.recognition import SphinxEngine
    models: dict[str, str | None] = {"generic": None}
    for weight in (float(w) for w in args.weights.split(",")):
        t0 = time.perf_counter()
        path = domainlm.build(weight=weight, folder=WAVS / f"lm-{weight}")
        print(f"domain model λ={weight}: {path.name}, {time.perf_counter() - t0:.1f} s (cached when quick)")
        models[f"domain λ={weight}"] = str(path)
    library = standard_criteria()
    ids = list(library)
    detector = build_detector(library)
    results: dict = {}
    human: dict = {}
    for name, lm in models.items():
        hear = transcriber(SphinxEngine(lm))
        sets = {"two_cities + beckett": human_recordings(), "pocketsphinx's own": pocketsphinx_recordings()}
        heard_human = {p: hear(p) for recordings in sets.values() for p, _ in recordings}  # each heard once
        sets["all human"] = sets["two_cities + beckett"] + sets["pocketsphinx's own"]
        for label, recordings in sets.items():
            if recordings:
                refs, hyps = [t for _, t in recordings], [heard_human[p] for p, _ in recordings]
                human[f"{name}, {label} ({sum(len(words(t)) for t in refs)} words)"] = wer(refs, hyps)
                print(f"{name:<14} human recordings, {label}: WER {wer(refs, hyps):.3f}", flush=True)
        if args.human_only:
            continue
        for voice, rate in voices:
            t0 = time.perf_counter()
            heard = [hear(wav_for(r, voice, rate)) for r in sample]
            general_heard = [hear(wav_for(r, voice, rate)) for r in general]
            seconds = (time.perf_counter() - t0) / (len(sample) + len(general))
            key = (name, f"{voice} {rate}")
            results[key] = {
                "wer": wer([r["text"] for r in sample], heard),
                "f1": macro_f1(sample, heard, detector, ids),
                "general_wer": wer([r["text"] for r in general], general_heard),
                "seconds": seconds,
            }
            print(f"{name:<14} {voice:<9} {rate} {args.split} WER {results[key]['wer']:.3f} "
                  f"macro-F1 {results[key]['f1']:.3f} | out-of-script WER "
                  f"{results[key]['general_wer']:.3f} | {seconds:.2f} s/reply", flush=True)
            (WAVS / f"heard-{name.replace(' ', '_')}-{voice}-{rate}.json").write_text(json.dumps(
                {args.split: dict(zip([r["id"] for r in sample], heard)),
                 "general": dict(zip([r["id"] for r in general], general_heard))}, indent=1))
    if args.human_only:  # no replies were heard: no tables for them
        return
    typed = macro_f1(sample, [r["text"] for r in sample], detector, ids)
    print(f"\n{len(sample)} {args.split} replies (typed text as written: macro-F1 {typed:.3f}), "
          f"{len(general)} out-of-script sentences, voices {', '.join(f'{v} {r} wpm' for v, r in voices)}")
    print(f"| model | voice | {args.split} WER | spoken macro-F1 | out-of-script WER |\n|---|---|---|---|---|")
    for (name, voice), r in results.items():
        print(f"| {name} | {voice} | {r['wer']:.1%} | {r['f1']:.3f} | {r['general_wer']:.1%} |")
    for name in models:
        rows = [r for (n, _), r in results.items() if n == name]
        print(f"| {name} | mean of {len(rows)} | {sum(r['wer'] for r in rows) / len(rows):.1%} | "
              f"{sum(r['f1'] for r in rows) / len(rows):.3f} | "
              f"{sum(r['general_wer'] for r in rows) / len(rows):.1%} |")
    for name, w in human.items():
        print(f"human recordings, {name}: WER {w:.1%}")


if __name__ == "__main__":
    main()
