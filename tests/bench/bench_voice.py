"""Voice benchmark: a spoken role play through a file-backed microphone, in real time.

Trainee replies are spoken by espeak-ng (through the product's own
synthesis), trimmed so that the end of the file is the end of speech, and
fed to the recogniser in real time as a microphone would. Reports p50/p95 of
end of speech -> final transcript and end of speech -> next customer line
starts; synthesis time cold and cached start; the recogniser's real-time
factor; peak memory. Targets (fallback recogniser, 2 cores): speech end ->
customer audio p95 <= 700 ms (hangover included), cached line <= 20 ms, RTF <= 0.5.

Run: .venv/bin/python tests/bench/bench_voice.py [--samples N] [--hangover-ms MS] [--model DIR]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from simulator.engine import Session
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector
from simulator.speech.capture import FileMicrophone
from simulator.speech.playback import FileSpeaker
from simulator.speech.recognition import open_recognizer
from simulator.speech.synthesis import LineCache, Synthesizer, VoiceSettings
from simulator.speech.wav import Pcm, read_wav
from simulator.voiceplay import VoiceLoop

REPLIES = [
    "Please stop swearing at me.",
    "If you keep shouting I will end this call.",
    "I understand you are frustrated, let me help.",
    "That language is not acceptable.",
    "I am ending this call now, goodbye.",
    "Let me look at your connection.",
]
# A call that only ends when the trainee ends it: every reply gets an answer, so each one is a sample.
BENCH_SCENARIO = """
format: 1
id: bench-loop
title: Benchmark call
persona: {name: Sam, voice: {gender: male, rate: 185}}
rubric: {boundary_setting: {criteria: [names_behavior], weight: 100}}
nodes:
  start:
    say:
      - I have been waiting all week. What are you going to do about it?
      - That is not good enough. I want this fixed today.
      - You keep saying that. Just sort it out.
      - I am really fed up with this company.
    on:
      - if: end_call
        goto: done
      - else: start
  done:
    end: mixed
"""


def trimmed(pcm: Pcm, floor: float = 0.01) -> Pcm:
    """Without leading and trailing silence, so the file ends where the speech ends."""
    s = np.frombuffer(pcm.data, dtype="<i2").astype(np.float32) / 32768
    step = pcm.rate // 100
    loud = [i for i in range(0, len(s) - step, step) if np.sqrt(np.mean(s[i:i + step] ** 2)) > floor]
    if not loud:
        return pcm
    return Pcm(s[loud[0]:loud[-1] + step].__mul__(32768).astype("<i2").tobytes(), pcm.rate)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument("--hangover-ms", type=int, default=300)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--model", type=Path, help="a Vosk model folder (default: the fallback PocketSphinx)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    synth = Synthesizer()

    # synthesis: cold renders and cached starts
    cache = LineCache(work / "cache", synth)
    cold = []
    for i, text in enumerate(REPLIES):
        t = time.perf_counter()
        cache.render(f"{text} ({i})", VoiceSettings(rate=150)).result(60)
        cold.append((time.perf_counter() - t) * 1000)
    replies = []
    for text in REPLIES:
        path = cache.render(text, VoiceSettings(rate=150)).result(60)
        replies.append(trimmed(read_wav(path)))

    rec = open_recognizer(args.model, None if args.model else "pocketsphinx")
    if hasattr(rec.engine, "warm_up"):
        rec.engine.warm_up()  # as the app's recogniser process does while the speech engines load
    scenario_file = work / "bench.yaml"
    scenario_file.write_text(BENCH_SCENARIO)
    sf = load_scenario(scenario_file)
    lines = [ln.text for n in sf.scenario.nodes for ln in sf.scenario.lines(n, "standard")]
    prerender = LineCache(work / "lines", synth)
    for f in prerender.prerender(lines, VoiceSettings.of(sf.scenario.persona.voice)):
        f.result(60)
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    mic, speaker = FileMicrophone(realtime=True), FileSpeaker(speed=4.0)
    loop = VoiceLoop(session, speaker=speaker, microphone=mic, engine=rec.engine, cache=prerender,
                     hangover_ms=args.hangover_ms, silence_after_s=600)
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    speech_to_final, speech_to_customer = [], []
    for n in range(args.samples):
        while loop._speaking.is_set() or not loop.timings.customer_starts:
            time.sleep(0.01)
        time.sleep(0.3)
        starts, finals, spoken = len(loop.timings.customer_starts), len(loop.timings.finals), len(mic.spoken_until)
        mic.say(replies[n % len(replies)])
        while len(mic.spoken_until) <= spoken:
            time.sleep(0.002)
        end_of_speech = mic.spoken_until[-1]
        deadline = end_of_speech + 10
        while len(loop.timings.customer_starts) <= starts and time.monotonic() < deadline:
            time.sleep(0.002)
        after = [f for f in loop.timings.finals[finals:] if f >= end_of_speech]
        if after:  # a pause mid-reply can split it: the final that matters comes after the speech ends
            speech_to_final.append((after[0] - end_of_speech) * 1000)
        later = [c for c in loop.timings.customer_starts[starts:] if c >= end_of_speech]
        if later:
            speech_to_customer.append((later[0] - end_of_speech) * 1000)
        if args.verbose:
            print(f"  reply {n}: final {speech_to_final[-1:]}, customer {speech_to_customer[-1:]}", flush=True)
    loop.type_line("/end")
    runner.join(20)
    line_waits = [w * 1000 for w in loop.timings.line_waits]
    heard, recognised = loop.listener.heard_seconds, loop.listener.recognised_seconds

    print(f"recogniser: {rec.engine.name}; silence hangover {args.hangover_ms} ms; {len(speech_to_customer)} replies"
          f" of {args.samples} answered")
    print(f"end of speech -> final transcript:      p50 {pct(speech_to_final, 50):6.0f} ms   p95 {pct(speech_to_final, 95):6.0f} ms")
    print(f"end of speech -> customer line starts:  p50 {pct(speech_to_customer, 50):6.0f} ms   p95 {pct(speech_to_customer, 95):6.0f} ms")
    print(f"synthesis, cold (render a new line):    p50 {statistics.median(cold):6.1f} ms   max {max(cold):6.1f} ms")
    print(f"cached line starts (chosen -> playing): p50 {pct(line_waits, 50):6.2f} ms   p95 {pct(line_waits, 95):6.2f} ms")
    print(f"recognition real-time factor:           {recognised / heard:.3f} ({heard:.0f} s of audio)")
    print(f"peak memory:                            {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    synth.close()


if __name__ == "__main__":
    main()
