"""Shared helpers for the speech tests: real speech made with the product's own synthesis."""

from __future__ import annotations

from pathlib import Path

from simulator.speech.synthesis import Synthesizer, VoiceSettings, open_synthesizer
from simulator.speech.wav import Pcm, read_wav


def synthesizer() -> Synthesizer:
    synth, notice = open_synthesizer()  # the app's own, shared: pyttsx3 has one engine per process
    assert synth is not None, notice
    return synth


def speak(text: str, folder: Path, rate: int = 150, name: str = "speech.wav") -> Pcm:
    out = folder / name
    synthesizer().render(text, VoiceSettings(rate=rate), out).result(60)
    return read_wav(out)


def with_silence(pcm: Pcm, before: float = 0.5, after: float = 1.0) -> Pcm:
    pad = lambda s: bytes(int(pcm.rate * s) * 2)  # noqa: E731
    return Pcm(pad(before) + pcm.data + pad(after), pcm.rate)
