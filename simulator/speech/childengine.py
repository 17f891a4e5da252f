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
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        kind = message[0]
        try:
            if kind == "start":
                if stream is not None:
                    stream.finish()  # a stream dropped by the parent (the customer started talking): reuse its decoder
                stream = engine.stream()
                conn.send(("ok", None))
            elif kind == "accept":
                conn.send(("ok", stream.accept(message[1]) if stream is not None else None))
            elif kind == "partial":
                conn.send(("ok", stream.partial() if stream is not None else None))
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


class ChildProcessEngine(Engine):
    def __init__(self, timeout: float = 60.0, lm: str | None = "auto", accent: str = "general") -> None:
        """lm: a language model file, None for the generic one, "auto" for what open_recognizer would use;
        accent: the pronunciations to expect (accents.py)."""
        context = multiprocessing.get_context("spawn")  # fork would copy the app's threads and Qt state
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, lm, accent), name="recogniser", daemon=True)
        self._process.start()
        child.close()
        self._lock = threading.Lock()
        if not self._conn.poll(timeout):
            self.close()
            raise RuntimeError("the recogniser process did not start")
        _, self.name = self._conn.recv()

    def _ask(self, *message):
        with self._lock:
            self._conn.send(message)
            status, value = self._conn.recv()
        if status == "error":
            raise RuntimeError(f"recogniser: {value}")
        return value

    def stream(self) -> Stream:
        self._ask("start")
        return _ChildStream(self)

    def transcribe(self, pcm: Pcm) -> Utterance:
        return self._ask("transcribe", pcm)

    def close(self) -> None:
        try:
            with self._lock:
                self._conn.send(("close",))
        except (OSError, ValueError):
            pass
        self._process.join(2)
        if self._process.is_alive():
            self._process.kill()


class _ChildStream(Stream):
    def __init__(self, engine: ChildProcessEngine) -> None:
        self.engine = engine

    def accept(self, pcm: bytes) -> str | None:
        return self.engine._ask("accept", pcm)

    def partial(self) -> str | None:
        return self.engine._ask("partial")

    def finish(self):
        text, words = self.engine._ask("finish")
        return text, tuple(words)
