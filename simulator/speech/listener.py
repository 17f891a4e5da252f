"""Microphone chunks in, utterances out: voice-activity detection and streaming recognition
on a worker thread, so neither the audio callback nor the screen ever waits for the recogniser.

A pause longer than HEARD_PAUSE_MS closes a stretch of speech: the recogniser has heard enough of the
silence, its final pass runs for what was said so far, and the rest of the pause is held back (fed, in
part, only if the trainee speaks again). Run as the pause begins (`speculate`, the default), that pass
also gives the reply as it stands, "prepared": if the pause turns out to end the reply it is the reply,
with nothing left to do; if the trainee speaks again it is thrown away. Run when speech resumes or the
reply ends (speculate=False) it is the same work on the same audio, so the words are the same.
bench_real_audio.py, end of speech to the customer's line, 20 replies: virtual sound card p50 965 -> 608 ms,
p95 1278 -> 990 ms; file-backed p50 787 -> 582 ms, p95 1166 -> 962 ms. What remains is the hangover (vad.py).
A recogniser in another process (the app's PocketSphinx, childengine.py) runs that pass while this thread goes
on counting the pause: `heard` is None until its words are back, and a pause that ends first simply waits for them.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from collections.abc import Callable

from .capture import CHUNK_MS
from .echo import EchoCheck
from .recognition import Engine, Utterance
from .vad import EndOfSpeech, EnergyVad
from .wav import level

log = logging.getLogger(__name__)

PREROLL_MS = 300  # audio kept from before speech was detected, so the first word is not clipped
BARGE_IN_LEVEL = 0.05  # while the customer speaks, only speech this loud (0..1 RMS) interrupts them
BARGE_IN_MS = 200  # ... and only after this long, so a cough or a click does not
# The recogniser hears this much of a pause (PocketSphinx ends the last word well within it); by the end of the
# shortest hangover (vad.py) its final pass, ~180 ms for a sentence here (up to ~450 ms on a busy machine), is done.
HEARD_PAUSE_MS = 160
# Audio waiting for the worker beyond this (60 s) is dropped. Only audio: a bounded queue made mute() and close()
# wait for room, and close() waited for ever once the worker had seen the stop and left a full queue behind.
MAX_WAITING_CHUNKS = 3000
# With a headset (the microphone does not hear the customer), the customer begins this long before a pause after a
# finished sentence ends the reply, and stops if the trainee goes on: the reply is still heard whole and is ended
# by the same hangover, but the customer's line starts sooner (bench_real_audio.py --headset; README). The cost is a
# customer who begins and stops when a pause after a finished sentence lasts 560-600 ms and the trainee goes on: on
# 120 validation replies (bench_end_of_speech.py, short hangover 560 against 600) 4 at 130 words a minute, none
# at 150 or 170 or in the other voices. On a call people do the same.
EARLY_START_MS = 40


class Listener:
    def __init__(self, engine: Engine, on_final: Callable[[Utterance], None],
                 on_partial: Callable[[str], None] | None = None, hangover_ms: int | None = None,
                 push_to_talk: bool = False, on_barge_in: Callable[[], None] | None = None,
                 barge_in_level: float | None = None, speculate: bool = True,
                 on_prepared: Callable[[Utterance], None] | None = None,
                 on_error: Callable[[str], None] | None = None,
                 on_early: Callable[[Utterance], None] | None = None,
                 on_resumed: Callable[[], None] | None = None, auto_barge_in: bool = False) -> None:
        """`on_barge_in` is called when the trainee talks over the customer: on push-to-talk, a
        press while muted; otherwise, with `barge_in_level` set, speech that loud for BARGE_IN_MS
        while muted (an echo-safe threshold: leave it None where the microphone hears the speaker).
        The utterance that interrupted is then heard like any other.
        `hangover_ms`: a fixed silence that ends a reply; None (the default) lets the words decide
        (speech/vad.py EndOfSpeech: soon after a finished sentence, later after "and", "the", "um").
        `speculate`: run the recogniser's final pass as a long pause begins (module docstring); `on_prepared` is
        then told the reply as it would be if the pause ends it (to classify it ahead; it may be thrown away).
        `on_error`: the recogniser failed (its process died, say); the utterance in progress is lost, the
        listener goes on with the next one, and this is told each time.
        `on_early`: told the prepared reply EARLY_START_MS before a pause after a finished sentence would end it,
        while the microphone is still listened to (a headset only); `on_resumed` then tells that the trainee went
        on, so the reply did not end there (the customer, begun early, stops). on_final follows as ever.
        `auto_barge_in`: `barge_in_level` (and the early start) holds only while the microphone does not hear the
        customer's lines (echo.py): off until a line has played unheard, off again after a line that was heard."""
        self.engine = engine
        self.on_final = on_final
        self.on_partial = on_partial
        self.push_to_talk = push_to_talk
        self.on_barge_in = on_barge_in
        self._barge_in_level = barge_in_level
        self.barge_in_level = None if auto_barge_in else barge_in_level
        self.end_of_speech = EndOfSpeech() if hangover_ms is None else None
        self.vad = self.end_of_speech.vad if self.end_of_speech else EnergyVad(hangover_ms=hangover_ms)
        usable = auto_barge_in and barge_in_level is not None and on_barge_in is not None and not push_to_talk
        self.echo = EchoCheck(CHUNK_MS, self.vad.start_ms) if usable else None
        self._partial: str | None = None  # the latest words heard, for streams that cannot say them on demand
        self.muted = False
        self.pressed = False
        self.recognised_seconds = 0.0  # time spent in the recogniser, for the real-time factor
        self.heard_seconds = 0.0
        self.speculate = speculate
        self.on_prepared = on_prepared
        self.on_error = on_error
        self.on_early = on_early
        self.on_resumed = on_resumed
        self._early_told = False  # on_early was told of this pause
        self.prepared: Utterance | None = None  # the reply if the current long pause ends it
        self.speculation = {"prepared": 0, "used": 0, "discarded": 0}
        self._held: list[bytes] = []  # the part of a long pause the recogniser has not been given
        self._awaiting: float | None = None  # a final pass is running for the reply that started then
        self._queue: queue.Queue = queue.Queue()
        self._pcm: list[bytes] = []  # the utterance in progress
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    @property
    def talks_over(self) -> bool:
        """Whether the trainee's voice may stop the customer's line (and the customer may begin early): the
        microphone does not hear the customer (a headset, or echo.py found it so)."""
        return self.barge_in_level is not None and self.on_barge_in is not None and not self.push_to_talk

    # called from any thread ------------------------------------------------------
    def feed(self, chunk: bytes, at: float) -> None:
        if self._queue.qsize() < MAX_WAITING_CHUNKS:  # far behind: dropping audio beats growing without bound
            self._queue.put_nowait(("audio", chunk, at))

    def mute(self) -> None:
        """While the customer speaks: no echo cancellation, so the microphone is not listened to."""
        self._queue.put(("mute", b"", 0.0))

    def unmute(self) -> None:
        self._queue.put(("unmute", b"", 0.0))

    def press(self) -> None:
        self._queue.put(("press", b"", 0.0))

    def release(self) -> None:
        self._queue.put(("release", b"", 0.0))

    def close(self) -> None:
        self._closed.set()
        self._queue.put(("close", b"", 0.0))
        self._thread.join(5)

    # the worker ----------------------------------------------------------------------
    def _run(self) -> None:
        import time
        preroll: collections.deque = collections.deque(maxlen=PREROLL_MS // CHUNK_MS)
        stream = None
        started_at = 0.0
        loud = 0  # chunks in a row above the barge-in level while muted
        while not self._closed.is_set():
            kind, chunk, at = self._queue.get()
            try:
                if kind == "close":
                    break
                if kind == "unmute" and not self.muted:
                    continue  # already listening: the trainee talked over the customer
                if kind in ("mute", "unmute"):
                    self._heard_the_line(kind)
                    self.muted = kind == "mute"
                    stream = None
                    self._forget()
                    self.vad.reset()
                    preroll.clear()
                    loud = 0
                    continue
                if kind == "press":
                    if self.muted and self.on_barge_in is not None:
                        self.muted = False
                        self.on_barge_in()
                    self.pressed, stream, started_at = True, self.engine.stream(), 0.0
                    self._pcm = []
                    continue
                if kind == "release":
                    self.pressed = False
                    if stream is not None:
                        self._final(stream, started_at, time.monotonic())
                        stream = None
                    continue
                seconds = len(chunk) / 2 / 16000
                if self.muted:
                    if self.echo is not None:
                        self.echo.chunk(self.vad.loud(chunk))
                    if self.push_to_talk or self.barge_in_level is None or self.on_barge_in is None:
                        continue
                    preroll.append(chunk)
                    if self.echo is not None and not self.echo.began_unheard:
                        loud = 0  # found out, not told: loud now may be the line itself, through a loudspeaker
                        continue
                    loud = loud + 1 if level(chunk) > self.barge_in_level else 0
                    if loud * CHUNK_MS < BARGE_IN_MS:
                        continue
                    self.muted, loud = False, 0
                    if self.echo is not None:
                        self.echo.begin()  # the trainee's voice or the line's echo: this line tells nothing
                    self.on_barge_in()
                    stream, self._pcm = self.engine.stream(), []
                    started_at = at - seconds * len(preroll)
                    for old in preroll:
                        self._accept(stream, old, seconds)
                    preroll.clear()
                    self.vad.start_speech()
                    continue
                if self.push_to_talk:
                    if self.pressed and stream is not None:
                        started_at = started_at or at - seconds
                        self._accept(stream, chunk, seconds)
                    continue
                event = self.vad.feed(chunk)
                if stream is not None and self.end_of_speech and self.vad.quiet_ms == self.vad.chunk_ms:
                    partial = stream.partial()  # a pause begins: do the words so far end a sentence?
                    self.end_of_speech.pause_started(self._partial if partial is None else partial)
                if event == "start":
                    self._partial = None
                    self._forget()
                    stream = self.engine.stream()
                    self._pcm = []
                    started_at = at - seconds * (len(preroll) + 1)
                    for old in preroll:
                        self._accept(stream, old, seconds)
                    preroll.clear()
                    self._accept(stream, chunk, seconds)
                elif stream is not None and event is None:
                    self._hear(stream, chunk, seconds, started_at)
                    self._maybe_early()
                elif stream is not None and event == "end":
                    self._final(stream, started_at, at - self.vad.hangover_ms / 1000)
                    stream = None
                else:
                    preroll.append(chunk)
            except Exception as exc:  # noqa: BLE001 - a failed recogniser loses the utterance, not the call
                log.warning("listener: the recogniser failed: %s", exc)
                # The voice activity detector goes on: the rest of this utterance is let pass (heard from
                # its middle it made a reply of half-words), and the next one starts a new stream.
                stream = None
                self._pcm = []
                self._forget()
                if self.on_error is not None:
                    self.on_error(str(exc) or type(exc).__name__)

    def _hear(self, stream, chunk: bytes, seconds: float, started_at: float) -> None:
        """A chunk inside an utterance: heard, or held back in a long pause."""
        if self.vad.quiet_ms > HEARD_PAUSE_MS:
            if not self._held:
                self._pause_is_long(stream, started_at)
            elif self._awaiting is not None:
                self._take_heard(stream)
            self._held.append(chunk)
            self._pcm.append(chunk)
            return
        if self._held:
            self._speaks_again(stream, seconds)
        self._accept(stream, chunk, seconds)

    def _pause_is_long(self, stream, started_at: float) -> None:
        if not self.speculate:
            # The final pass waits for the trainee to speak again, or for the end of the reply.
            if self.end_of_speech:
                self.end_of_speech.words_heard(stream.partial())
            return
        import time
        t = time.perf_counter()
        stream.end_segment()
        self.recognised_seconds += time.perf_counter() - t
        self._awaiting = started_at
        self._take_heard(stream)

    def _take_heard(self, stream) -> None:
        """The final pass's words, once the stream has them (a recogniser in another process works on while
        the pause goes on being counted here; until they are back, the decision at the pause's start stands)."""
        heard = stream.heard()
        if heard is None and stream.answers_later:
            return
        started_at, self._awaiting = self._awaiting, None
        if heard is None:  # a recogniser without a final pass of its own: decide on the partial, prepare nothing
            if self.end_of_speech:
                self.end_of_speech.words_heard(stream.partial())
            return
        if self.end_of_speech:
            # The pause's start often had the last word still unheard; now the final pass has it.
            self.end_of_speech.words_heard(heard[0], heard[1])
        if heard[0].strip():
            self.prepared = Utterance(heard[0], heard[1], started_at, 0.0, self.engine.name)
            self.speculation["prepared"] += 1
            if self.on_prepared is not None:
                self.on_prepared(self.prepared)

    def _heard_the_line(self, kind: str) -> None:
        """A customer line begins (mute) or has played out (unmute): with auto_barge_in, whether the microphone
        heard it sets talking over the customer on or off."""
        if self.echo is None:
            return
        if kind == "mute":
            self.echo.begin()
            return
        heard = self.echo.verdict() if self.muted else None
        if heard is not None and heard == self.talks_over:
            self.barge_in_level = None if heard else self._barge_in_level
            log.info("listener: the microphone %s the customer's line; talking over the customer is %s",
                     "heard" if heard else "did not hear", "off" if heard else "on")

    def _maybe_early(self) -> None:
        """Tell on_early once a pause after a finished sentence is EARLY_START_MS short of ending the reply."""
        eos = self.end_of_speech
        if (self.on_early is None or not self.talks_over or self._early_told or self.prepared is None or eos is None
                or self.vad.hangover_ms > eos.short_ms or self.vad.quiet_ms < self.vad.hangover_ms - EARLY_START_MS):
            return
        self._early_told = True
        self.on_early(self.prepared)

    def _speaks_again(self, stream, seconds: float) -> None:
        """The long pause did not end the reply: what was prepared for it goes; the words stay in the stream."""
        import time
        if self._early_told:
            self._early_told = False
            if self.on_resumed is not None:
                self.on_resumed()
        t = time.perf_counter()
        if not self.speculate:
            stream.end_segment()  # the pass the speculative path ran as the pause began
        if self.prepared is not None:
            self.prepared = None
            self.speculation["discarded"] += 1
        self._awaiting = None  # a pass still running: its words are the stream's, nothing was prepared from them
        lead = self._held[-(PREROLL_MS // CHUNK_MS):]  # the onset of the next words, as at a reply's start
        stream.skip(sum(map(len, self._held[:len(self._held) - len(lead)])))
        self._held = []
        for old in lead:
            stream.accept(old)
        self.recognised_seconds += time.perf_counter() - t
        self.heard_seconds += seconds * len(lead)

    def _forget(self) -> None:
        self._held, self.prepared, self._awaiting = [], None, None
        self._early_told = False

    def _accept(self, stream, chunk: bytes, seconds: float) -> None:
        import time
        t = time.perf_counter()
        self._pcm.append(chunk)
        partial = stream.accept(chunk)
        self.recognised_seconds += time.perf_counter() - t
        self._partial = partial or self._partial
        self.heard_seconds += seconds
        if partial and self.on_partial:
            self.on_partial(partial)

    def _final(self, stream, started_at: float, ended_at: float) -> None:
        import time
        t = time.perf_counter()
        prepared = self.prepared if self._held else None  # prepared as this pause began: the reply as it is
        text, words = stream.finish()  # only joins the stretches and hands the decoder back when prepared
        if prepared is not None:
            text, words = prepared.text, prepared.words
            self.speculation["used"] += 1
        self._forget()
        self.recognised_seconds += time.perf_counter() - t
        audio, self._pcm = b"".join(self._pcm), []
        if text.strip():
            self.on_final(Utterance(text, words, started_at, ended_at, self.engine.name, audio))
