"""Word error with and without the noise floor under digital silence (simulator/speech/noisefloor.py).

Corpus replies spoken by espeak-ng voices (digitally silent between words) and the human recordings (never
digitally silent, so the floor leaves them as they are), heard by PocketSphinx with the conversation model
and the generic one, the way `SphinxEngine.transcribe` hears a file.

Run: .venv/bin/python tests/bench/bench_noise_floor.py [--n 30] [--split validation] [--voices en-us:150,...]
(human recordings: `pip install moonshine-voice` and tests/bench/human_speech.py, when there)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests" / "bench"), str(REPO)]

from bench_domain_lm import human_recordings, split_sample, voices_of, wav_for, wer  # noqa: E402
from human_speech import pocketsphinx_recordings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--split", default="validation")
    ap.add_argument("--voices", default="en-us:150,en-gb:170,en-us+f3:135")
    args = ap.parse_args()
    from simulator.speech import RATE, domainlm
    from simulator.speech.noisefloor import NoiseFloor, has_digital_silence
    from simulator.speech.recognition import SphinxEngine
    from simulator.speech.wav import read_wav, resample
    import numpy as np

    models = {"conversation": SphinxEngine(lm=domainlm.build())._new_decoder(live=False),
              "generic": SphinxEngine()._new_decoder(live=False)}

    def hear(decoder, pcm: bytes, floor: bool) -> str:
        decoder.start_utt()
        decoder.process_raw(NoiseFloor()(pcm) if floor else pcm, False, True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp else ""

    rows = split_sample(args.n, args.split)
    sets = {f"{v} {r}": [(resample(read_wav(wav_for(row, v, r)), RATE).data, row["text"]) for row in rows]
            for v, r in voices_of(args.voices)}
    humans = [(resample(read_wav(p), RATE).data, text) for p, text in human_recordings() + pocketsphinx_recordings()]
    if humans:
        sets["human recordings"] = humans
    print(f"{args.n} {args.split} replies per voice; human recordings: {len(humans)} clips, "
          f"{sum(len(t.split()) for _, t in humans)} words")
    print("| speech | digitally silent | model | WER without floor | with floor | relative |")
    print("|---|---|---|---|---|---|")
    for name, clips in sets.items():
        silent = sum(has_digital_silence(np.frombuffer(pcm, dtype="<i2")) for pcm, _ in clips)
        for model, decoder in models.items():
            refs = [text for _, text in clips]
            before = wer(refs, [hear(decoder, pcm, False) for pcm, _ in clips])
            after = wer(refs, [hear(decoder, pcm, True) for pcm, _ in clips])
            print(f"| {name} | {silent}/{len(clips)} | {model} | {before:.1%} | {after:.1%} | "
                  f"{(after - before) / before:+.0%} |", flush=True)


if __name__ == "__main__":
    main()
