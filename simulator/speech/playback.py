"""Playing a rendered line: stoppable at once, with the moment it started known."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import SimulatorError
from . import devices
from .owner import StreamOwner
from .wav import Pcm, read_wav, resample

log = logging.getLogger("simulator.audio")


class Playback:
    """One line playing. `started_at` is when its first sample went out.

    `stop()` ends it at once, from any thread, as often as you like; the
    stream behind it is closed by its own thread.
    """

    def __init__(self, seconds: float, on_stop: Callable[[], None] | None = None) -> None:
        self.seconds = seconds
        self.started_at = 0.0
        self._done = threading.Event()
        self._on_stop = on_stop
        self.stopped = False

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def stop(self) -> None:
        if not self._done.is_set():
            self.stopped = True
            if self._on_stop is not None:
                self._on_stop()
            self._done.set()

    def _finish(self) -> None:
        self._done.set()


class SoundDeviceSpeaker:
    """The system's audio output: each line is a callback-driven stream owned by a thread of its own."""

    CLOSE_WAIT_S = 1.0  # before opening the next line, what the previous stream gets to close

    def __init__(self, device: int | str | None = None) -> None:
        from .devices import sounddevice_module
        self._sd = sounddevice_module()
        self.device = device
        self._current: tuple[Playback, StreamOwner] | None = None
        self._lock = threading.Lock()

    def play(self, path: Path) -> Playback:
        pcm = read_wav(path)
        self.stop()
        previous = self._current
        if previous is not None and not previous[1].stop(wait=self.CLOSE_WAIT_S):
            log.warning("the previous line's stream has not closed; playing the next one anyway")
        pcm = self._playable(pcm)
        samples = np.frombuffer(pcm.data, dtype="<i2")
        owner: StreamOwner | None = None
        playback = Playback(pcm.seconds, on_stop=lambda: owner.stop())
        position = 0
        sd = self._sd

        def callback(outdata, frames, time_info, status) -> None:  # noqa: ARG001 - PortAudio's signature
            nonlocal position
            if playback.done:
                outdata.fill(0)
                raise sd.CallbackAbort
            if not playback.started_at:
                playback.started_at = time.monotonic()
            chunk = samples[position:position + frames]
            outdata[:len(chunk), 0] = chunk
            outdata[len(chunk):] = 0
            position += frames
            if position >= len(samples):
                raise sd.CallbackStop  # what is queued still plays out, then `finished` runs

        def finished() -> None:
            playback._finish()
            owner.stop()

        def open_stream():
            return sd.OutputStream(samplerate=pcm.rate, channels=1, dtype="int16", device=self.device,
                                   callback=callback, finished_callback=finished, latency=devices.STREAM_LATENCY)

        owner = StreamOwner("speaker", open_stream)
        with self._lock:
            self._current = (playback, owner)
        try:
            owner.start()
        except Exception as exc:  # noqa: BLE001 - PortAudio errors have no common base class
            playback._finish()
            raise SimulatorError(f"cannot play audio: {exc}", "check the output device (`simulator devices`)") from None
        playback.started_at = playback.started_at or owner.started_at
        return playback

    def _playable(self, pcm: Pcm) -> Pcm:
        """The line at a rate the device takes: its own rate if it refuses the file's."""
        try:
            self._sd.check_output_settings(device=self.device, samplerate=pcm.rate, channels=1, dtype="int16")
            return pcm
        except Exception:  # noqa: BLE001 - the device refuses this rate: resample to its own
            try:
                rate = int(self._sd.query_devices(self.device, "output")["default_samplerate"])
            except Exception:  # noqa: BLE001 - let opening the stream say what is wrong
                return pcm
            return resample(pcm, rate)

    def stop(self) -> None:
        """Stop the line playing, if any: returns at once; safe from any thread, any number of times."""
        with self._lock:
            current = self._current
        if current is not None:
            current[0].stop()

    def close(self, wait: float = 1.0) -> bool:
        """Stop and wait (bounded) for the stream to be closed; True if it is."""
        self.stop()
        with self._lock:
            current = self._current
        return current is None or current[1].stop(wait=wait)


@dataclass
class PlayedLine:
    path: Path
    started_at: float
    seconds: float
    stopped: bool = False


@dataclass
class FileSpeaker:
    """A stand-in speaker: 'plays' in real time (or faster), and logs what it played and when."""

    speed: float = 1.0  # 2.0 plays twice as fast; 0 returns at once
    log: list[PlayedLine] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._current: Playback | None = None

    def play(self, path: Path) -> Playback:
        seconds = read_wav(path).seconds
        self.stop()
        cancel = threading.Event()
        entry = PlayedLine(Path(path), time.monotonic(), seconds)

        def cancelled() -> None:
            entry.stopped = True
            cancel.set()
        playback = Playback(seconds, on_stop=cancelled)
        playback.started_at = entry.started_at
        self.log.append(entry)
        self._current = playback

        def run() -> None:
            if self.speed > 0:
                cancel.wait(seconds / self.speed)
            playback._finish()
        threading.Thread(target=run, name="file-speaker", daemon=True).start()
        return playback

    def stop(self) -> None:
        if self._current is not None:
            self._current.stop()

    def close(self, wait: float = 1.0) -> bool:  # noqa: ARG002 - nothing to close
        self.stop()
        return True
