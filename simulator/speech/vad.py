"""Voice-activity detection: where an utterance starts and, after a silence hangover, ends."""

from __future__ import annotations

from dataclasses import dataclass

from .wav import level

# Silence that ends a reply. People pause between sentences: espeak-ng's pause
# between two sentences is 300-580 ms as this detector sees it (rates 200 down
# to 130 words a minute), and at 300 ms the customer answered the first
# sentence and the second was lost. 800 ms keeps a two-sentence reply whole at
# every rate measured, at the cost of 500 ms more before the customer answers.
DEFAULT_HANGOVER_MS = 800


@dataclass
class EnergyVad:
    """Speech is a chunk clearly louder than the running noise floor.

    An utterance starts after `start_ms` of speech and ends after
    `hangover_ms` of silence, so a breath between words does not cut it.
    """

    hangover_ms: int = DEFAULT_HANGOVER_MS
    start_ms: int = 60
    chunk_ms: int = 20
    min_level: float = 0.01  # never treat anything quieter as speech
    ratio: float = 3.0  # speech is this many times the noise floor

    def __post_init__(self) -> None:
        self.noise = 0.002
        self.in_speech = False
        self._loud = 0
        self._quiet = 0

    def reset(self) -> None:
        self.in_speech = False
        self._loud = self._quiet = 0

    def start_speech(self) -> None:
        """Speech started by another rule (talking over the customer): now wait for its end."""
        self.in_speech, self._quiet = True, 0

    def feed(self, chunk: bytes) -> str | None:
        """'start', 'end' or None for one chunk."""
        lv = level(chunk)
        loud = lv > max(self.min_level, self.noise * self.ratio)
        if not loud:
            self.noise = 0.95 * self.noise + 0.05 * lv  # the floor follows the room, not the voice
        if not self.in_speech:
            self._loud = self._loud + 1 if loud else 0
            if self._loud * self.chunk_ms >= self.start_ms:
                self.in_speech, self._quiet = True, 0
                return "start"
            return None
        self._quiet = 0 if loud else self._quiet + 1
        if self._quiet * self.chunk_ms >= self.hangover_ms:
            self.in_speech, self._loud = False, 0
            return "end"
        return None
