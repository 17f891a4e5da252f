"""The customer's voice: each line rendered to a WAV file, cached on disk, ready before it is needed.

pyttsx3's say() cannot be interrupted or timed (and on Linux needs aplay),
so lines are only ever rendered to files (save_to_file + runAndWait) by one
worker thread that owns the engine; playback is the speaker's business.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sys
import threading
import wave
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SimulatorError


@dataclass(frozen=True)
class VoiceSettings:
    gender: str = "any"  # female | male | any
    rate: int = 175  # words per minute
    volume: float = 1.0
    voice: str | None = None  # an engine voice id or name, when a particular one is wanted
    pitch: int | None = None  # espeak's 0-100 around its default 50; None leaves the voice's own pitch

    @classmethod
    def of(cls, voice: object) -> VoiceSettings:
        """From a scenario persona's voice (or anything with those attributes)."""
        return cls(getattr(voice, "gender", "any"), getattr(voice, "rate", 175), getattr(voice, "volume", 1.0),
                   getattr(voice, "voice", None))


# How a mood changes the persona's own voice: (rate, volume) as factors of it, and a pitch. Anger on a call is
# faster, louder and higher; calm is slower and softer. Volume above 1.0 is espeak's extra amplitude (it allows
# 2.0; past about 1.25 loud lines clip); other engines stop at 1.0. Pitch is heard on espeak only.
MOOD_VOICES = {"calm": (0.92, 0.85, 46), "frustrated": (1.0, 0.95, 50), "angry": (1.08, 1.1, 56),
               "hostile": (1.14, 1.2, 60)}
LOUDEST = 1.25


def in_mood(settings: VoiceSettings, mood: str | None) -> VoiceSettings:
    """The voice for a line said in this mood; an unknown mood leaves the voice as it is."""
    if mood not in MOOD_VOICES:
        return settings
    rate, volume, pitch = MOOD_VOICES[mood]
    return replace(settings, rate=max(80, min(450, round(settings.rate * rate))),
                   volume=round(min(LOUDEST, settings.volume * volume), 3), pitch=pitch)


class SpeechUnavailable(SimulatorError):
    """No speech engine: the customer's lines are shown as captions only."""


class Synthesizer:
    """Renders text to a WAV file. One worker thread owns the engine (pyttsx3 is not re-entrant)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.engine_name = "pyttsx3"
        self.voices: list[tuple[str, str]] = []  # (id, name) of every voice the engine offers, for the settings
        self._thread = threading.Thread(target=self._run, name="synthesis", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise SpeechUnavailable(f"speech synthesis is not available: {self._error}",
                                    "install espeak-ng (Linux) or check the system voices; the customer's lines "
                                    "will be shown as captions")

    def _run(self) -> None:
        try:
            if sys.platform == "win32":
                import pythoncom  # type: ignore[import-not-found]
                pythoncom.CoInitialize()
            import pyttsx3
            engine = pyttsx3.init()
            driver_module = sys.modules[type(engine.proxy._driver).__module__]
            # The espeak driver prints "Audio saved to ..." after every file. Silence that module only:
            # redirecting sys.stdout from this thread would swallow everything the app prints meanwhile.
            driver_module.print = lambda *args, **kwargs: None
            self.engine_name = f"pyttsx3/{driver_module.__name__.rsplit('.', 1)[-1]}"
            voices = engine.getProperty("voices") or []
            self.voices = [(str(v.id), str(v.name)) for v in voices]
            finished = threading.Event()
            engine.connect("finished-utterance", lambda **_: finished.set())
            # The 2.99 espeak driver starts synthesis after its loop has already been told to end, so
            # runAndWait can return before the file is written, and the next job would then cancel
            # this one or take its audio. The driver's own end-of-utterance notice is the reliable end.
            wait_s = 30.0 if "espeak" in self.engine_name else 2.0
        except BaseException as exc:  # noqa: BLE001 - any failure here means: no synthesis
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        while True:
            job = self._jobs.get()
            if job is None:
                break
            text, settings, out, future = job
            try:
                chosen = pick_voice(voices, settings)
                engine.setProperty("rate", settings.rate)
                if chosen:
                    engine.setProperty("voice", chosen)
                engine.setProperty("rate", settings.rate)  # again: choosing a voice can reset it
                if "espeak" in self.engine_name:
                    engine.setProperty("volume", settings.volume)
                    engine.setProperty("pitch", 50 if settings.pitch is None else settings.pitch)  # the last line's stays
                else:  # SAPI and NSSS take 0-1 and know no pitch
                    engine.setProperty("volume", min(1.0, settings.volume))
                for attempt in range(3):
                    finished.clear()
                    engine.save_to_file(text, str(out))
                    engine.runAndWait()
                    if not finished.wait(wait_s) and not Path(out).exists():
                        raise SpeechUnavailable(f"the speech engine did not finish the line {text[:40]!r}",
                                                "the line is shown as a caption")
                    # The espeak driver writes the file when its end event arrives; under load that event can
                    # come with none (or little) of the audio. A line far shorter than its words is made again.
                    if "espeak" not in self.engine_name or _long_enough(Path(out), text, settings.rate):
                        break
                future.set_result(out)
            except BaseException as exc:  # noqa: BLE001 - reported to the caller through the future
                future.set_exception(exc)

    def render(self, text: str, settings: VoiceSettings, out: Path) -> Future:
        future: Future = Future()
        self._jobs.put((text, settings, out, future))
        return future

    def close(self) -> None:
        self._jobs.put(None)


def _long_enough(path: Path, text: str, rate: int) -> bool:
    """At least half as long as the words take at this rate (an empty or cut-off render is not)."""
    try:
        with wave.open(str(path)) as w:
            seconds = w.getnframes() / float(w.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return False
    return seconds >= 0.5 * len(text.split()) * 60.0 / max(rate, 1)


def pick_voice(voices: list, settings: VoiceSettings) -> str | None:
    """A voice id for the settings: the named one, else one of the wanted gender, English first."""
    if settings.voice:
        for v in voices:
            if settings.voice in (v.id, v.name):
                return v.id
        return settings.voice
    if sys.platform.startswith("linux"):
        # espeak-ng voices are all "male"; a variant gives the other voice quality
        variant = {"female": "+f3", "male": "+m3"}.get(settings.gender, "")
        return f"en-us{variant}"
    english = [v for v in voices if "en" in " ".join(map(str, getattr(v, "languages", []) or [])).lower()
               or "english" in (v.name or "").lower()] or voices
    for v in english:
        if settings.gender != "any" and (getattr(v, "gender", "") or "").lower().startswith(settings.gender[0]):
            return v.id
    return english[0].id if english else None


class LineCache:
    """Rendered lines on disk, keyed by text, voice settings and engine: a cached line starts at once."""

    def __init__(self, folder: Path, synthesizer: Synthesizer | None) -> None:
        self.folder = folder
        self.synthesizer = synthesizer
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()

    def key(self, text: str, settings: VoiceSettings) -> str:
        engine = self.synthesizer.engine_name if self.synthesizer else "none"
        blob = json.dumps([text, settings.__dict__, engine], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def path(self, text: str, settings: VoiceSettings) -> Path:
        return self.folder / f"{self.key(text, settings)}.wav"

    def cached(self, text: str, settings: VoiceSettings) -> Path | None:
        p = self.path(text, settings)
        return p if p.exists() else None

    def render(self, text: str, settings: VoiceSettings) -> Future:
        """The line's WAV, rendering it if needed; the same line is never rendered twice at once."""
        target = self.path(text, settings)
        done: Future = Future()
        if target.exists():
            done.set_result(target)
            return done
        if self.synthesizer is None:
            done.set_exception(SpeechUnavailable("no speech engine", "captions only"))
            return done
        with self._lock:
            if target.name in self._pending:
                return self._pending[target.name]
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.stem}.{os.getpid()}.{threading.get_ident()}.tmp.wav")
            inner = self.synthesizer.render(text, settings, partial)
            self._pending[target.name] = done

        def finished(f: Future) -> None:
            with self._lock:
                self._pending.pop(target.name, None)
            if f.exception() is not None:
                partial.unlink(missing_ok=True)
                done.set_exception(f.exception())
                return
            try:
                os.replace(partial, target)  # a cached file is always whole
            except OSError as exc:  # a full disk, or the engine wrote nothing: the line is captioned, never awaited forever
                done.set_exception(exc)
                return
            done.set_result(target)

        inner.add_done_callback(finished)
        return done

    def prerender(self, lines: list[str], settings: VoiceSettings) -> list[Future]:
        """Queue every line in the background (the synthesis worker does them in order)."""
        return [self.render(text, settings) for text in dict.fromkeys(lines)]


_shared: Synthesizer | None = None
_shared_lock = threading.Lock()


def open_synthesizer() -> tuple[Synthesizer | None, str]:
    """The process's one synthesizer, or None with the notice to show.

    One per process because pyttsx3.init() hands every caller the same engine
    object: two Synthesizer workers would drive it from two threads at once.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            try:
                _shared = Synthesizer()
            except SpeechUnavailable as exc:
                return None, f"{exc.message}. {exc.hint}."
        return _shared, ""
