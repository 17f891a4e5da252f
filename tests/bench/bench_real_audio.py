"""Real-audio benchmark: the product's sounddevice code on a virtual sound card.

PulseAudio runs with a null sink as the speaker (recorded through its monitor
with parec) and a pipe source as the microphone (fed in real time from here),
as in tests/test_real_audio.py. Reports:

- end of speech -> customer audio at the speaker, p50/p95: from the moment
  the reply's last sample is said into the microphone pipe (each 20 ms is
  written once it has been said, as a microphone hands it over) to the first
  loud 20 ms read at the sink, and to the first loud sample in it; beside the
  same loop on the file-backed microphone and speaker (end of speech -> the
  line's playback starting);
- stopping a playing line (a call action), 100 times: how long `stop()` takes
  to return, how long until the stream is closed by its owner thread, and
  until the speaker is quiet; p50/p95/max.

Run as root on Debian with pulseaudio, pulseaudio-utils and libasound2-plugins:
    .venv/bin/python tests/bench/bench_real_audio.py [--samples N] [--hangover-ms MS]
(build the conversation language model first, `python -m simulator.speech.domainlm`, or the first
run measures the generic model while the build runs beside it)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from bench_voice import BENCH_SCENARIO, REPLIES, pct, trimmed
from speechkit import NoVirtualCard, VirtualCard  # noqa: E402

from simulator.engine import Session  # noqa: E402
from simulator.scenario import load_scenario  # noqa: E402
from simulator.scoring import PhraseDetector  # noqa: E402
from simulator.settings import barge_in  # noqa: E402
from simulator.speech.recognition import open_recognizer  # noqa: E402
from simulator.speech.synthesis import LineCache, Synthesizer, VoiceSettings  # noqa: E402
from simulator.speech.vad import EndOfSpeech  # noqa: E402
from simulator.speech.wav import read_wav  # noqa: E402
from simulator.voiceplay import VoiceLoop  # noqa: E402

LOUD = 0.01


PASSES: list[tuple[float, float, int, str]] = []  # (when, ms, hangover after it, last words) of each final pass


def timed_passes() -> None:
    """Record each final pass run as a long pause begins: when, how long until its words were back (the
    recogniser may be in another process), and the hangover they left."""
    from simulator.speech.listener import Listener
    pause_is_long, take_heard = Listener._pause_is_long, Listener._take_heard
    began = [0.0]

    def timed_pause_is_long(self, stream, started_at):
        began[0] = time.monotonic()
        pause_is_long(self, stream, started_at)

    def timed_take_heard(self, stream):
        take_heard(self, stream)
        if self._awaiting is None:
            words = [f"{w.word}/{w.conf:.2f}" for w in self.prepared.words[-3:]] if self.prepared else []
            PASSES.append((began[0], (time.monotonic() - began[0]) * 1000, self.vad.hangover_ms, " ".join(words)))
    Listener._pause_is_long, Listener._take_heard = timed_pause_is_long, timed_take_heard


def latencies(loop: VoiceLoop, say, spoken_until: list[float], sound_after, replies, samples: int,
              each: bool = False) -> list[float]:
    """For each reply: end of speech -> customer audio (ms)."""
    out = []
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    for n in range(samples):
        deadline = time.monotonic() + 30
        while (loop.customer_speaking or not loop.timings.customer_starts) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        spoken = len(spoken_until)
        say(replies[n % len(replies)])
        deadline = time.monotonic() + 30
        while len(spoken_until) <= spoken and time.monotonic() < deadline:
            time.sleep(0.002)
        if not runner.is_alive() or len(spoken_until) <= spoken:
            print(f"  the session ended after {n} replies", file=sys.stderr)
            break
        end = spoken_until[-1]
        at = sound_after(end)
        if at is not None:
            out.append((at - end) * 1000)
            if each:
                passes = [f"{ms:.0f} ms pass {(t - end) * 1000:+.0f} ms after, hangover {h} ('...{w}')"
                          for t, ms, h, w in PASSES if end - 5 < t < at]
                print(f"  reply {n:2d} ({REPLIES[n % len(REPLIES)][:30]!r}): {out[-1]:6.1f} ms; "
                      + ("; ".join(passes) or "no pass"), file=sys.stderr)
        while time.monotonic() < end + 1.5 and not loop.customer_speaking:
            time.sleep(0.01)
    loop.type_line("/end")
    runner.join(20)
    print(f"  replies prepared as a pause began, used, thrown away: {loop.listener.speculation}", file=sys.stderr)
    print(f"  customer lines begun early (--headset), kept, stopped: {loop.timings.early}", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=12)
    ap.add_argument("--stops", type=int, default=100)
    ap.add_argument("--hangover-ms", type=int, default=None,
                    help="a fixed hangover; by default the product's rule (speech/vad.py EndOfSpeech)")
    ap.add_argument("--file-only", action="store_true", help="only the file-backed loop (no virtual card needed)")
    ap.add_argument("--in-process", action="store_true",
                    help="PocketSphinx in this process (the app runs it in a child process, as this bench does by default)")
    ap.add_argument("--headset", nargs="?", const="yes", default="no", choices=("yes", "no", "auto"),
                    help="yes: as with a headset (the app's Headset setting): the customer may begin just before the "
                         "pause ends the reply (speech/listener.py EARLY_START_MS); auto: found out from whether the "
                         "microphone hears the customer's lines (speech/echo.py); no (the default): a loudspeaker")
    ap.add_argument("--each", action="store_true",
                    help="print every reply: its latency, the hangover it got and its final pass as the pause began")
    ap.add_argument("--latency", default=None,
                    help='PortAudio latency for the microphone and speaker: low, high or seconds (default: the product\'s)')
    args = ap.parse_args()
    if args.latency is not None:
        from simulator.speech import devices
        devices.STREAM_LATENCY = args.latency if args.latency in ("low", "high") else float(args.latency)
        print(f"stream latency: {devices.STREAM_LATENCY}", file=sys.stderr)
    work = Path(tempfile.mkdtemp())
    timed_passes()
    card = None
    if not args.file_only:
        try:
            card = VirtualCard(work / "card").start()
        except NoVirtualCard as exc:
            sys.exit(f"no virtual sound card: {exc} (--file-only measures the file-backed loop alone)")
        os.environ.update(card.env)  # before PortAudio starts: it lists devices once
        card.record()
    returned, closed, quiet, card_ms = [], [], [], []
    engine = None
    from simulator.speech.capture import FileMicrophone, SoundDeviceMicrophone
    from simulator.speech.playback import FileSpeaker, SoundDeviceSpeaker
    try:
        synth = Synthesizer()
        replies = [trimmed(read_wav(LineCache(work / "replies", synth).render(t, VoiceSettings(rate=150)).result(60)))
                   for t in REPLIES]
        scenario_file = work / "bench.yaml"
        scenario_file.write_text(BENCH_SCENARIO)
        sf = load_scenario(scenario_file)
        lines = LineCache(work / "lines", synth)
        for f in lines.prerender([ln.text for n in sf.scenario.nodes for ln in sf.scenario.lines(n, "standard")],
                                 VoiceSettings.of(sf.scenario.persona.voice)):
            f.result(60)
        if args.in_process:
            engine = open_recognizer(None, "pocketsphinx").engine
            engine.warm_up()  # as the app's recogniser process does while the speech engines load
        else:  # as the app runs PocketSphinx (speech/kit.py load_speech): in a process of its own
            from simulator.speech.childengine import ChildProcessEngine
            engine = ChildProcessEngine()

        # file-backed: the same loop, the line "starts" when the file speaker starts it
        mic, speaker = FileMicrophone(realtime=True), FileSpeaker(speed=4.0)
        loop = VoiceLoop(Session(sf, PhraseDetector(sf.criteria), seed=1), speaker=speaker, microphone=mic,
                         engine=engine, cache=lines, hangover_ms=args.hangover_ms, silence_after_s=600,
                         barge_in=barge_in(args.headset))

        def started_after(at: float, loop=loop) -> float | None:
            deadline = at + 10
            while time.monotonic() < deadline:
                later = [c for c in loop.timings.customer_starts if c >= at]
                if later:
                    return later[0]
                time.sleep(0.002)
            return None
        file_ms = latencies(loop, mic.say, mic.spoken_until, started_after, replies, args.samples, args.each)
        if card is None:
            return report(args, engine, file_ms, card_ms, returned, closed, quiet)

        # the virtual card: real capture and playback through sounddevice
        loop = VoiceLoop(Session(sf, PhraseDetector(sf.criteria), seed=1), speaker=SoundDeviceSpeaker(),
                         microphone=SoundDeviceMicrophone(), engine=engine, cache=lines,
                         hangover_ms=args.hangover_ms, silence_after_s=600, barge_in=barge_in(args.headset))
        onset_ms: list[float] = []

        def sound_after(at: float) -> float | None:
            heard = card.sound_after(at, LOUD)
            onset = card.onset_after(at, LOUD)
            if heard is not None and onset is not None:
                onset_ms.append((onset - at) * 1000)
            return heard
        card_ms = latencies(loop, card.say, card.spoken_until, sound_after, replies, args.samples, args.each)

        # stopping a line, as a call action does, from another thread
        line = lines.render(REPLIES[2], VoiceSettings(rate=150)).result(60)
        speaker = SoundDeviceSpeaker()
        for i in range(args.stops):
            speaker.play(line)
            time.sleep(0.25 + (i % 5) * 0.05)
            owner = speaker._current[1]  # noqa: SLF001 - the stream's owner, to time its close
            done = threading.Event()
            t0 = [0.0]

            def stop() -> None:
                t0[0] = time.monotonic()
                speaker.stop()
                returned.append((time.monotonic() - t0[0]) * 1000)
                done.set()
            threading.Thread(target=stop).start()
            done.wait(5)
            if owner.closed.wait(5):
                closed.append((time.monotonic() - t0[0]) * 1000)
            time.sleep(0.15)
            after = [t for t, lv in list(card.heard) if t > t0[0] and lv <= LOUD]
            if after:
                quiet.append((after[0] - t0[0]) * 1000)
        speaker.close()
    finally:
        if engine is not None and hasattr(engine, "close"):
            engine.close()
        if card is not None:
            card.close()
    report(args, engine, file_ms, card_ms, returned, closed, quiet, onset_ms)


def report(args, engine, file_ms, card_ms, returned, closed, quiet, onset_ms=()) -> None:
    def row(name: str, values: list[float], extra: bool = False) -> str:
        if not values:
            return f"{name:<52} no samples"
        tail = f"   max {max(values):7.1f} ms" if extra else ""
        return f"{name:<52} p50 {pct(values, 50):7.1f} ms   p95 {pct(values, 95):7.1f} ms{tail}"

    rule = (f"fixed {args.hangover_ms} ms" if args.hangover_ms else
            f"the product's rule, {EndOfSpeech.short_ms}/{EndOfSpeech.long_ms} ms")
    setup = {"yes": "headset: the customer may begin early", "no": "loudspeaker",
             "auto": "headset or loudspeaker found out from the microphone"}[args.headset]
    print(f"PocketSphinx ({engine.name}); silence hangover {rule}; {setup}; {args.samples} replies; {args.stops} stops")
    if card_ms:
        print(row(f"end of speech -> customer audio, virtual card ({len(card_ms)})", card_ms))
        print(row("  the same, its first loud sample (not its 20 ms read)", onset_ms))
    print(row(f"end of speech -> customer line, file-backed ({len(file_ms)})", file_ms))
    if not returned:
        return
    print(row("stop(): returns", returned, True))
    print(row("stop(): stream closed by its owner", closed, True))
    print(row("stop(): speaker quiet (20 ms resolution)", quiet, True))


if __name__ == "__main__":
    main()
