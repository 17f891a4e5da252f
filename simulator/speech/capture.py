"""The trainee's microphone: 16 kHz mono 16-bit chunks, a level for the meter, a clean stop.

The audio callback only copies bytes into a bounded queue; a worker thread
resamples and hands chunks on, so recognition never runs in the callback.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import RATE
from . import devices
from .devices import NoAudio, default_input, sounddevice_module
from .owner import StreamOwner
from .wav import Pcm, StreamResampler, level, read_wav, resample

OnChunk = Callable[[bytes, float], None]  # 16 kHz PCM, and the time its last sample was captured
OnError = Callable[[str], None]
OnBack = Callable[[], None]
CHUNK_MS = 20
LOST = "the microphone went quiet (unplugged?); type your replies until it is back"
log = logging.getLogger("simulator.audio")


class SoundDeviceMicrophone:
    """The system's microphone. One thread owns the stream: it opens it, hands chunks on and closes it.

    A microphone that stops delivering sound for `LOST_AFTER_S` (unplugged,
    or a sound server that went away) is reported through `on_error` once, and
    listening goes on: if sound comes back (a busy laptop's audio server stalls
    for a second or two) `on_back` says so and the chunks flow again. The
    stream is not reopened on another device. `stop()` returns within its timeout whatever the device does.
    """

    # A stall shorter than this is not worth a notice. At 1.5 s a loaded machine's audio server was seen
    # stalling past it mid-reply, and the microphone was then given up for the rest of the call.
    LOST_AFTER_S = 3.0

    def __init__(self, device: int | str | None = None) -> None:
        self._sd = sounddevice_module()
        info = default_input() if device is None else None
        self.device = device if device is not None else info.index
        self.rate = self._pick_rate()
        self.level = 0.0
        self.overflows = 0
        self._owner: StreamOwner | None = None

    def _pick_rate(self) -> int:
        try:
            self._sd.check_input_settings(device=self.device, samplerate=RATE, channels=1, dtype="int16")
            return RATE
        except Exception:  # noqa: BLE001 - the device refuses 16 kHz: take its own rate and resample
            return int(self._sd.query_devices(self.device)["default_samplerate"])

    def start(self, on_chunk: OnChunk, on_error: OnError | None = None, on_back: OnBack | None = None) -> None:
        resampler = StreamResampler(self.rate, RATE)
        chunks: queue.Queue = queue.Queue(maxsize=500)

        def callback(indata, frames, time_info, status) -> None:  # noqa: ARG001 - PortAudio's signature
            if status and status.input_overflow:
                self.overflows += 1
            try:
                chunks.put_nowait((bytes(indata), time.monotonic()))
            except queue.Full:
                self.overflows += 1

        def open_stream():
            return self._sd.RawInputStream(device=self.device, samplerate=self.rate, channels=1, dtype="int16",
                                           blocksize=int(self.rate * CHUNK_MS / 1000), callback=callback,
                                           latency=devices.STREAM_LATENCY)

        def pump(owner: StreamOwner) -> None:
            heard_at, lost = time.monotonic(), False
            while not owner.stopping.is_set():
                try:
                    chunk, at = chunks.get(timeout=0.05)
                except queue.Empty:
                    if not lost and time.monotonic() - heard_at > self.LOST_AFTER_S:
                        lost = True
                        log.info("microphone: no sound for %.1f s; still listening", self.LOST_AFTER_S)
                        if on_error and not owner.stopping.is_set():
                            on_error(LOST)
                    continue
                heard_at = time.monotonic()
                if lost:
                    lost = False
                    log.info("microphone: sound again")
                    if on_back and not owner.stopping.is_set():
                        on_back()
                out = resampler(chunk)
                self.level = level(out)
                if out and not owner.stopping.is_set():
                    on_chunk(out, at)

        self._owner = StreamOwner("microphone", open_stream, pump)
        try:
            self._owner.start()
        except Exception as exc:  # noqa: BLE001
            raise NoAudio(f"the microphone cannot be opened: {exc}", "type your replies instead") from None

    def stop(self, timeout: float = 0.05) -> bool:
        """Stop listening: no chunk is handed on after this returns; True if the stream closed in `timeout`."""
        owner = self._owner
        return owner is None or owner.stop(wait=timeout)


class FileMicrophone:
    """A stand-in microphone that 'hears' WAV files, in real time or as fast as possible.

    Feed it utterances with `say(path_or_pcm)`; between them it sends silence,
    as a real microphone would. `spoken_until` tells when the last sample of
    speech was delivered, to time what follows.
    """

    def __init__(self, realtime: bool = True, noise: float = 0.0) -> None:
        self.realtime = realtime
        self.rate = RATE
        self.level = 0.0
        self.noise = noise
        self._pending: queue.Queue = queue.Queue()
        self._running = threading.Event()
        self._thread: threading.Thread | None = None
        self.spoken_until: list[float] = []

    def say(self, audio: str | Path | Pcm) -> None:
        pcm = audio if isinstance(audio, Pcm) else read_wav(audio)
        self._pending.put(resample(pcm, RATE).data)

    def start(self, on_chunk: OnChunk, on_error: OnError | None = None,  # noqa: ARG002
              on_back: OnBack | None = None) -> None:  # noqa: ARG002
        self._running.set()
        step = int(RATE * CHUNK_MS / 1000) * 2
        silence = bytes(step)

        def run() -> None:
            next_at = time.monotonic()
            current, pos = b"", 0
            while self._running.is_set():
                if pos >= len(current):
                    if current:
                        self.spoken_until.append(time.monotonic())
                    try:
                        current, pos = self._pending.get_nowait(), 0
                    except queue.Empty:
                        current, pos = b"", 0
                chunk = current[pos:pos + step] if current else silence
                chunk = chunk + bytes(step - len(chunk))
                pos += step
                if self.realtime:  # a sound card hands over a block once its last sample is heard, not before
                    next_at += CHUNK_MS / 1000
                    time.sleep(max(0.0, next_at - time.monotonic()))
                self.level = level(chunk)
                on_chunk(chunk, time.monotonic())
        self._thread = threading.Thread(target=run, name="file-microphone", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._running.clear()
        if self._thread is not None:
            self._thread.join(2)
