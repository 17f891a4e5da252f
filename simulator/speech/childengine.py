"""A recogniser run in a child process, for engines that hold Python's GIL while they work.

PocketSphinx's bindings keep the GIL for the whole of building a decoder
(~0.6 s) and ending an utterance (~0.25 s); in the app's process that
freezes the window however many threads there are. In a child process the
app only waits on a pipe, which releases the GIL. Vosk needs none of this:
its calls release the GIL themselves.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable

from .recognition import Engine, SphinxEngine, Stream, Utterance
from .wav import Pcm


def _serve(conn, lm: str | None = "auto", accent: str = "general") -> None:
    """The child: one SphinxEngine, one stream at a time, driven by messages."""
    if lm == "auto":  # the conversations' model when it is on and built (open_recognizer starts building it)
        from .domainlm import domain_lm
        lm = domain_lm(missing="never")
    engine = SphinxEngine(lm, accent)
    engine.warm_up()
    conn.send(("ready", engine.name))
    stream = None
    late: str | None = None  # a failure after a reply was sent: told as the next message's reply, never as a second one
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the app closed its end (a reset when our last reply was still unread)
            return
        kind = message[0]
        if late is not None and kind not in ("start", "transcribe", "close"):
            conn.send(("error", late))
            late = None
            continue
        late = None
        try:
            if kind == "start":
                if stream is not None:
                    stream.finish()  # a stream dropped by the parent (the customer started talking): reuse its decoder
                stream = engine.stream()
                stream.defer_catch_up = True  # the words first; the decoder's own catching up after (end_segment)
                conn.send(("ok", None))
            elif kind == "accept":
                conn.send(("ok", stream.accept(message[1]) if stream is not None else None))
            elif kind == "partial":
                conn.send(("ok", stream.partial() if stream is not None else None))
            elif kind == "end_segment":  # a long pause began: the final pass for the speech so far
                if stream is not None:
                    stream.end_segment()
                conn.send(("ok", stream.heard() if stream is not None else None))
                if stream is not None and hasattr(stream, "catch_up"):
                    try:
                        stream.catch_up()  # while the parent counts the rest of the pause
                    except Exception as exc:  # noqa: BLE001 - "ok" is already sent: one reply per message
                        stream, late = None, f"{type(exc).__name__}: {exc}"
            elif kind == "skip":
                if stream is not None:
                    stream.skip(message[1])
                conn.send(("ok", None))
            elif kind == "finish":
                result = stream.finish() if stream is not None else ("", ())
                stream = None
                conn.send(("ok", result))
            elif kind == "transcribe":
                conn.send(("ok", engine.transcribe(message[1])))
            elif kind == "close":
                return
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it there
            stream = None
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


# A reply from the child takes milliseconds, a final pass under a second; a child silent this long is stuck
# (swapping, say), and waiting on it would hold the listener, and whoever waits for the listener, for ever.
ANSWER_WITHIN_S = 30.0


class ChildProcessEngine(Engine):
    def __init__(self, timeout: float = 60.0, lm: str | None = "auto", accent: str = "general") -> None:
        """lm: a language model file, None for the generic one, "auto" for what open_recognizer would use;
        accent: the pronunciations to expect (accents.py)."""
        self._args, self._timeout = (lm, accent), timeout
        self._lock = threading.RLock()
        self._closed = False
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")  # fork would copy the app's threads and Qt state
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, *self._args), name="recogniser", daemon=True)
        self._process.start()
        child.close()
        self._owed: list[Callable[[str, object], None]] = []  # posted messages whose replies are not read yet
        if not self._conn.poll(self._timeout):
            self.close()
            raise RuntimeError("the recogniser process did not start")
        _, self.name = self._conn.recv()

    def _receive(self, within: float | None = None):
        """The child's next reply; a child that died or stopped answering is ended and raises, never waited for."""
        within = ANSWER_WITHIN_S if within is None else within
        try:
            if self._conn.poll(within):
                return self._conn.recv()
        except (EOFError, OSError) as exc:
            raise RuntimeError(f"the recogniser process stopped ({type(exc).__name__})") from None
        self._process.kill()
        raise RuntimeError(f"the recogniser did not answer within {within:.0f} s")

    def _ask(self, *message, within: float | None = None):
        with self._lock:
            self._settle(wait=True)
            self._conn.send(message)
            status, value = self._receive(within)
        if status == "error":
            raise RuntimeError(f"recogniser: {value}")
        return value

    def _post(self, on_reply: Callable[[str, object], None], *message) -> None:
        """Send without waiting: the reply goes to `on_reply` when it is read (_settle), in order."""
        with self._lock:
            self._settle(wait=True)
            self._conn.send(message)
            self._owed.append(on_reply)

    def _settle(self, wait: bool) -> None:
        """Read the replies still owed to posted messages: all of them, or (wait=False) those already here."""
        while self._owed and (wait or self._conn.poll()):
            status, value = self._receive()
            self._owed.pop(0)(status, value)

    def settle(self, wait: bool = False) -> None:
        with self._lock:
            self._settle(wait)

    def stream(self) -> Stream:
        with self._lock:
            if not self._process.is_alive() and not self._closed:  # it died (or was ended, stuck): a new one
                self._conn.close()
                self._start()
        self._ask("start")
        return _ChildStream(self)

    def transcribe(self, pcm: Pcm) -> Utterance:
        return self._ask("transcribe", pcm, within=ANSWER_WITHIN_S + 2 * pcm.seconds)  # a whole file: time to read it too

    def close(self) -> None:
        self._closed = True
        if self._lock.acquire(timeout=2):  # else a listener is stuck waiting on the child: it is ended below
            try:
                self._conn.send(("close",))
            except (OSError, ValueError):
                pass
            finally:
                self._lock.release()
        self._process.join(2)
        if self._process.is_alive():
            self._process.kill()


class _ChildStream(Stream):
    """The child's stream. A long pause's final pass (`end_segment`) is posted, not waited for: the listener
    goes on counting the pause while the child works, and `heard` is None until the words are back, as for
    any stream whose speech is still being heard. (Waiting for it held the listener, and a cold decoder's
    first pass, ~0.4-1.2 s, ran past the hangover.)"""

    answers_later = True

    def __init__(self, engine: ChildProcessEngine) -> None:
        self.engine = engine
        self._heard: tuple[str, tuple] | None = None
        self._passes = 0  # final passes posted and not yet back
        self._error: str | None = None

    def accept(self, pcm: bytes) -> str | None:
        partial = self.engine._ask("accept", pcm)
        self._heard = None  # a new stretch is being heard
        return partial

    def partial(self) -> str | None:
        return self.engine._ask("partial")

    def end_segment(self) -> None:
        self._passes += 1
        self.engine._post(self._segment_heard, "end_segment")

    def _segment_heard(self, status: str, value) -> None:
        self._passes -= 1
        if status == "error":
            self._error = str(value)
        elif value is not None and not self._passes:
            self._heard = (value[0], tuple(value[1]))

    def heard(self):
        self.engine.settle()
        if self._error:
            raise RuntimeError(f"recogniser: {self._error}")
        return None if self._passes else self._heard

    def skip(self, nbytes: int) -> None:
        self.engine._ask("skip", nbytes)

    def finish(self):
        text, words = self.engine._ask("finish")
        return text, tuple(words)
