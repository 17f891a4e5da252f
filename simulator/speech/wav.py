"""Mono 16-bit PCM: reading, writing, resampling, loudness."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SimulatorError


@dataclass(frozen=True)
class Pcm:
    data: bytes  # mono, signed 16-bit little-endian
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.data) / 2 / self.rate


def read_wav(path: str | Path) -> Pcm:
    """A WAV (or, from macOS's synthesiser, AIFF) file as mono 16-bit PCM."""
    path = Path(path)
    try:
        with path.open("rb") as f:  # the first bytes only: the file may be large, or someone else's
            head = f.read(4)
        if head == b"FORM":
            return _read_aiff(path)
        with wave.open(str(path)) as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise SimulatorError(f"cannot read audio from {path}: {exc}", "give a WAV file") from None
    # A header from an imported bundle can say anything: a rate of 0 divided by zero later, in the review window.
    if not 1000 <= rate <= 384000 or channels < 1 or width not in (1, 2, 3, 4) or len(raw) % (width * channels):
        raise SimulatorError(f"{path} is not a recording this app can play (rate {rate} Hz, {channels} channel(s), "
                             f"{width * 8}-bit)", "record it again, or export it as 16-bit PCM WAV")
    return Pcm(_to_mono16(raw, width, channels), rate)


def _read_aiff(path: Path) -> Pcm:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import aifc  # only macOS renders AIFF; aifc is in the standard library up to 3.12
    with aifc.open(str(path)) as a:
        rate, width, channels = a.getframerate(), a.getsampwidth(), a.getnchannels()
        raw = a.readframes(a.getnframes())
    big = np.frombuffer(raw, dtype=">i2") if width == 2 else None
    if big is None:
        raise SimulatorError(f"{path}: only 16-bit AIFF is supported", "render to WAV instead")
    return Pcm(_to_mono16(big.astype("<i2").tobytes(), 2, channels), rate)


def _to_mono16(raw: bytes, width: int, channels: int) -> bytes:
    if width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.int32)
    elif width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.int32) - 128) << 8
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4") >> 16
    else:
        raise SimulatorError(f"{width * 8}-bit audio is not supported", "use 16-bit WAV")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int32)
    return np.clip(samples, -32768, 32767).astype("<i2").tobytes()


def write_wav(path: str | Path, pcm: Pcm) -> Path:
    path = Path(path)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(pcm.rate)
        w.writeframes(pcm.data)
    return path


def resample(pcm: Pcm, rate: int) -> Pcm:
    """A filtered resampler (soxr): a naive one aliases, and recognition turns to nonsense."""
    if pcm.rate == rate:
        return pcm
    import soxr
    samples = np.frombuffer(pcm.data, dtype="<i2")
    out = soxr.resample(samples, pcm.rate, rate, quality="HQ")
    return Pcm(np.clip(out, -32768, 32767).astype("<i2").tobytes(), rate)


class StreamResampler:
    """Resampling a live stream chunk by chunk (a microphone at 44.1/48 kHz into 16 kHz)."""

    def __init__(self, src: int, dst: int) -> None:
        import soxr
        self.passthrough = src == dst
        self._stream = None if self.passthrough else soxr.ResampleStream(src, dst, 1, dtype="int16", quality="HQ")

    def __call__(self, chunk: bytes, last: bool = False) -> bytes:
        if self.passthrough:
            return chunk
        samples = np.frombuffer(chunk, dtype="<i2")
        return self._stream.resample_chunk(samples, last=last).astype("<i2").tobytes()


def level(chunk: bytes) -> float:
    """Loudness of a chunk, 0..1 (RMS of full scale), for meters and voice detection."""
    if not chunk:
        return 0.0
    samples = np.frombuffer(chunk, dtype="<i2").astype(np.float32)
    return float(np.sqrt(np.mean(samples * samples)) / 32768.0)
