"""Playing a rendered line: stoppable at once, with the moment it started known."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SimulatorError
from .wav import read_wav


class Playback:
    """One line playing. `started_at` is when its first sample went out."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started_at = 0.0
        self._done = threading.Event()
        self.stopped = False

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def _finish(self) -> None:
        self._done.set()


class SoundDeviceSpeaker:
    """The system's audio output, through sounddevice."""

    def __init__(self, device: int | str | None = None) -> None:
        from .devices import sounddevice_module
        self._sd = sounddevice_module()
        self.device = device
        self._current: Playback | None = None
        self._lock = threading.Lock()

    def play(self, path: Path) -> Playback:
        import numpy as np
        pcm = read_wav(path)
        samples = np.frombuffer(pcm.data, dtype="<i2")
        playback = Playback(pcm.seconds)
        self.stop()
        with self._lock:
            self._current = playback
            try:
                self._sd.play(samples, pcm.rate, device=self.device)
            except Exception as exc:  # noqa: BLE001 - PortAudio errors have no common base class
                playback._finish()
                raise SimulatorError(f"cannot play audio: {exc}", "check the output device (`simulator devices`)") from None
            playback.started_at = time.monotonic()

        def watch() -> None:
            try:
                self._sd.wait()
            finally:
                playback._finish()
        threading.Thread(target=watch, name="playback", daemon=True).start()
        return playback

    def stop(self) -> None:
        with self._lock:
            if self._current is not None and not self._current.done:
                self._current.stopped = True
                self._sd.stop()
                self._current._finish()


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
        self._current: tuple[Playback, threading.Event] | None = None

    def play(self, path: Path) -> Playback:
        seconds = read_wav(path).seconds
        self.stop()
        playback = Playback(seconds)
        playback.started_at = time.monotonic()
        entry = PlayedLine(Path(path), playback.started_at, seconds)
        self.log.append(entry)
        cancel = threading.Event()
        self._current = (playback, cancel)

        def run() -> None:
            if self.speed > 0:
                cancel.wait(seconds / self.speed)
            entry.stopped = cancel.is_set()
            playback._finish()
        threading.Thread(target=run, name="file-speaker", daemon=True).start()
        return playback

    def stop(self) -> None:
        if self._current is not None:
            playback, cancel = self._current
            if not playback.done:
                playback.stopped = True
                cancel.set()
                playback.wait(1)
