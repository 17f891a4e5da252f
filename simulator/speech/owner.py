"""One owner per audio stream: a thread of its own opens it, runs it and closes it.

PortAudio streams do not like being stopped from one thread while another
waits on them or closes them (sd.play() + sd.wait() + sd.stop() froze the
voice loop). Here only the owner thread ever touches its stream; everyone
else sets the stop event, which returns at once and can be done any number
of times from any thread. At exit, open streams are told to stop and given
a moment; a stream stuck inside PortAudio is left to the operating system
rather than holding the process open.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("simulator.audio")

OPEN_TIMEOUT_S = 5.0  # a device that takes longer to open is treated as missing
EXIT_GRACE_S = 1.0  # what exit gives open streams to close

_live: set[StreamOwner] = set()
_live_lock = threading.Lock()


class StreamOwner:
    """`open_stream()` makes the stream (not started); `while_open(owner)` runs in the owner thread
    until it returns or `stop()` is called (the default just waits for the stop)."""

    def __init__(self, name: str, open_stream: Callable[[], object],
                 while_open: Callable[[StreamOwner], None] | None = None) -> None:
        self.name = name
        self._open_stream = open_stream
        self._while_open = while_open or (lambda owner: owner.stopping.wait())
        self.stopping = threading.Event()
        self.opened = threading.Event()
        self.closed = threading.Event()
        self.error: Exception | None = None
        self.started_at = 0.0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, timeout: float = OPEN_TIMEOUT_S) -> None:
        """Open and start the stream in the owner thread; raise what opening raised."""
        self._thread.start()
        if not self.opened.wait(timeout):
            self.stop()
            raise TimeoutError(f"the {self.name} did not open within {timeout:.0f} s")
        if self.error is not None:
            raise self.error

    def stop(self, wait: float = 0.0) -> bool:
        """Ask the owner to stop and close the stream; True if it is closed within `wait` seconds."""
        self.stopping.set()
        return self.closed.wait(wait) if wait > 0 else self.closed.is_set()

    @property
    def alive(self) -> bool:
        return not self.closed.is_set()

    def _run(self) -> None:
        try:
            stream = self._open_stream()
            stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudio errors have no common base class
            self.error = exc
            self.closed.set()
            self.opened.set()
            return
        self.started_at = time.monotonic()
        with _live_lock:
            _live.add(self)
        self.opened.set()
        try:
            self._while_open(self)
        except Exception:  # noqa: BLE001 - whatever happened, the stream is still closed here
            log.exception("%s: failed while open", self.name)
        finally:
            self._close(stream)

    def _close(self, stream) -> None:
        t = time.monotonic()
        for what in ("abort", "close"):  # abort: what is buffered is dropped, not played out
            try:
                getattr(stream, what)()
            except Exception as exc:  # noqa: BLE001 - a stream whose device vanished may refuse
                log.debug("%s: %s failed: %s", self.name, what, exc)
        log.debug("%s: closed in %.0f ms", self.name, (time.monotonic() - t) * 1000)
        with _live_lock:
            _live.discard(self)
        self.closed.set()


def open_owners() -> list[StreamOwner]:
    with _live_lock:
        return list(_live)


def close_all(grace: float = EXIT_GRACE_S) -> bool:
    """Stop every open stream; True if all closed within `grace` seconds."""
    owners = open_owners()
    for owner in owners:
        owner.stop()
    deadline = time.monotonic() + grace
    return all(owner.closed.wait(max(0.0, deadline - time.monotonic())) for owner in owners)


def install_exit_guard(sd) -> None:
    """Registered after sounddevice's own exit handler, so it runs first (atexit is last in, first out)."""
    def guard() -> None:
        if not close_all():
            # PortAudio's terminate would wait on the stuck stream for ever: skip it, the OS cleans up.
            log.warning("an audio stream did not close at exit; leaving it to the operating system")
            sd._initialized = 0  # noqa: SLF001 - sounddevice's exit handler terminates while this is non-zero
    atexit.register(guard)
