"""Does the microphone hear the customer? Watched while each customer line plays, so that talking over the
customer (and the customer beginning a moment early) is on where it is safe without the trainee having to say
they wear a headset.

There is no echo cancellation: through a loudspeaker the microphone hears the customer's line, and a rule that
listens while the customer speaks would take the customer for the trainee. So the rule is the voice-activity
detector's own: a line during which the microphone never heard `start_ms` of what the detector calls speech
(louder than three times the room's noise floor) was not heard, and talking over the next line is safe.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_LINE_MS = 500  # a shorter line (or one stopped sooner) tells too little: a speaker's echo comes within ~100 ms


@dataclass
class EchoCheck:
    chunk_ms: int = 20
    start_ms: int = 60  # the detector's start of speech (vad.EnergyVad.start_ms)
    heard_lines: int = 0
    quiet_lines: int = 0

    def __post_init__(self) -> None:
        self.begin()

    def begin(self) -> None:
        """A customer line starts playing."""
        self._chunks = self._run = self._longest = 0
        self._heard_early = False

    def chunk(self, loud: bool) -> None:
        self._chunks += 1
        self._run = self._run + 1 if loud else 0
        self._longest = max(self._longest, self._run)
        if self._run * self.chunk_ms >= self.start_ms and self._chunks * self.chunk_ms <= MIN_LINE_MS:
            self._heard_early = True

    @property
    def began_unheard(self) -> bool:
        """The line's first MIN_LINE_MS played and the microphone heard none of it: speech from now on is the
        trainee's. (A speaker's echo starts with the line; a trainee who speaks over the customer at once is not
        told from it, and waits the half second.)"""
        return self._chunks * self.chunk_ms >= MIN_LINE_MS and not self._heard_early

    def verdict(self) -> bool | None:
        """The line played out: True if the microphone heard it as speech, False if not, None if it was too short
        to tell."""
        if self._longest * self.chunk_ms >= self.start_ms:
            self.heard_lines += 1
            return True
        if self._chunks * self.chunk_ms < MIN_LINE_MS:
            return None
        self.quiet_lines += 1
        return False
