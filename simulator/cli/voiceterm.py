"""`simulator play --voice`: the voice loop in a terminal, falling back gracefully piece by piece."""

from __future__ import annotations

import argparse
import sys
import textwrap
import threading


from ..engine import Session
from ..settings import barge_in
from ..speech.devices import NoAudio
from ..speech.recognition import open_recognizer
from ..speech.synthesis import LineCache, VoiceSettings, open_synthesizer
from ..store.location import cache_dir
from ..voiceplay import VoiceEvents, VoiceLoop, prerender


def _hangover(args: argparse.Namespace) -> int | None:
    return getattr(args, "hangover_ms", None)  # None: the listener's own default (speech/vad.py)


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def play_by_voice(session: Session, args: argparse.Namespace, classify_ahead=None) -> bool:
    """Play until the session ends; True when the trainee took a break (/stop): the session is then left
    unfinished and unscored, for the caller to keep as interrupted."""
    s = session.scenario
    print(f"\n{s.title}\n{'-' * len(s.title)}")
    if s.summary:
        print(textwrap.fill(" ".join(s.summary.split()), width=76))
    synth, notice = open_synthesizer()
    if notice:
        print(f"(note: {notice})")
    cache = LineCache(cache_dir() / "lines", synth)
    settings = VoiceSettings.of(s.persona.voice)
    prerender(cache, session, settings)  # in the background, in each mood's voice: ready before they are needed
    speaker = microphone = None
    try:
        from ..speech.devices import default_output
        from ..speech.playback import SoundDeviceSpeaker
        if args.output_device is None:
            default_output()
        speaker = SoundDeviceSpeaker(_device(args.output_device))
    except NoAudio as exc:
        print(f"(note: {exc.message}; the customer is shown as captions)")
    try:
        from ..speech.capture import SoundDeviceMicrophone
        microphone = SoundDeviceMicrophone(_device(args.input_device))
    except NoAudio as exc:
        print(f"(note: {exc.message}; type your replies)")
    rec = open_recognizer(accent=getattr(args, "accent", "auto"))
    if rec.notice:
        print(f"(note: {rec.notice})")
    print("Speak your reply, or type it. /end /escalate /hold /flag; /stop takes a break (kept as interrupted, "
          "not scored)."
          + (" Press Enter to start and to stop talking." if args.push_to_talk else ""))

    events = VoiceEvents(
        caption=lambda name, text: print(f"\n{name}: {text}"),
        partial=lambda text: print(f"\r  … {text[-70:]:<72}", end="", flush=True),
        heard=lambda u: print(f"\rYou (spoken): {u.text:<70}"),
        notice=lambda text: print(f"(note: {text})"),
        problem=lambda text: print(f"  ({text})"),
    )
    loop = VoiceLoop(session, speaker=speaker if synth else None, microphone=microphone, engine=rec.engine,
                     cache=cache, events=events, hangover_ms=_hangover(args), push_to_talk=args.push_to_talk,
                     barge_in=barge_in(getattr(args, "headset", "no")), classify_ahead=classify_ahead)

    def keyboard() -> None:
        talking = False
        for line in sys.stdin:
            if args.push_to_talk and not line.strip() and loop.listener:
                talking = not talking
                (loop.listener.press if talking else loop.listener.release)()
                continue
            loop.type_line(line.rstrip("\n"))
        loop.end_of_input()  # closed input (Ctrl+D, or a piped script): stop after the current line
    threading.Thread(target=keyboard, name="keyboard", daemon=True).start()
    try:
        loop.run()
    except KeyboardInterrupt:
        session.stop()
    return loop.on_break and not session.finished
