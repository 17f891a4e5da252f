"""Voice-activity detection: where an utterance starts and, after a silence hangover, ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .wav import level

# Silence that ends a reply when it is fixed (`--hangover-ms`, tests). People pause between sentences:
# espeak-ng's pause between two sentences is 300-580 ms as this detector sees it (rates 200 down to 130
# words a minute), and at 300 ms the customer answered the first sentence and the second was lost. The
# product's own rule is EndOfSpeech below: 600 ms after a finished-sounding sentence, longer mid-sentence.
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

    @property
    def quiet_ms(self) -> int:
        """Silence so far inside an utterance."""
        return self._quiet * self.chunk_ms if self.in_speech else 0

    def loud(self, chunk: bytes) -> bool:
        """Whether this chunk would count as speech, without letting it move the noise floor."""
        return level(chunk) > max(self.min_level, self.noise * self.ratio)

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


# Words a sentence does not end on: a pause after one is the trainee thinking mid-sentence ("I'll, um...",
# "because the..."), not the end of the reply.
CONTINUES = frozenset("""
a an the and but or nor because cos if unless when while than to of for with from at about into onto
through between my your our their his her its every each i we they he she i'm we're they're let's gonna wanna
gotta um uh er erm hmm very
""".split())  # words that can end a sentence ("thank you", "I will", "hold on", "please") are left out


@dataclass
class EndOfSpeech:
    """When a pause ends the reply: soon after words that can end a sentence, later after words that cannot.

    `pause_started` is told the recogniser's words so far as each pause begins and sets the hangover for it.
    With the recogniser's final pass done during the pause (listener.py), this hangover is now nearly all of the
    wait: bench_real_audio.py p50 608 ms / p95 990 ms on a virtual sound card (was 965 / 1278 ms), the p95 being
    replies whose words at the pause ended on a word in CONTINUES. Unchanged here: shorter cut > 2 % at 130 wpm.

    Only slow speakers need the 600 ms: on 120 validation replies at 130 words a minute a short hangover of
    500 / 540 / 560 / 580 ms cut 22 / 11 / 4 / 2 of them, at 170 words a minute none. A shorter hangover for brisk
    speakers was looked for and not found: the speech so far did not tell the two rates apart (words heard per
    second of sound, median 3.4 against 3.9 with the spreads overlapping; share of loud chunks 0.85 / 0.86; gaps
    a second; the longest pause so far), so the slow speaker would be cut where the brisk one gained 100 ms.
    """

    # bench_end_of_speech.py, replies with commas or two sentences: a 500 ms hangover cut 32 % of them at
    # espeak's slowest rate (130 words a minute), 600 ms cut 0-1 % at every rate and voice measured.
    short_ms: int = 600
    long_ms: int = 1000
    # words_heard: a trailing continuing word heard with less confidence is set aside. 0.5 on 120 validation replies
    # (bench_end_of_speech --final): replies left waiting the long hangover at the end 22 -> 10 over four espeak
    # voices and rates, none cut at any rate, the human recordings' cuts unchanged; 0.7 added a cut there.
    unsure_below: float = 0.5

    def __post_init__(self) -> None:
        self.vad = EnergyVad(hangover_ms=self.long_ms)

    def pause_started(self, partial: str | None) -> None:
        words = (partial or "").lower().split()
        self.vad.hangover_ms = self.long_ms if not words or words[-1] in CONTINUES else self.short_ms

    def words_heard(self, words: str | None, heard: Sequence = ()) -> None:
        """The pause is old enough for the recogniser to have caught up with the last word: decide again.

        The partial at the pause's start often lags a word behind (or is empty), so a finished sentence waited
        the long hangover. `heard`: the final pass's words (with `.word` and `.conf`); a trailing word a sentence
        does not end on that the recogniser was unsure of is set aside, since PocketSphinx often hears a short
        "the" or "and" in the breath after the last word ("let me help" -> "let me till the", the "the" at 0.40)."""
        if heard and self.unsure_below > 0:
            kept = list(heard)
            while kept and kept[-1].word.lower() in CONTINUES and kept[-1].conf < self.unsure_below:
                kept.pop()
            if len(kept) < len(heard):
                words = " ".join(w.word for w in kept)
        if words is not None and words.strip():
            self.pause_started(words)

    def reset(self) -> None:
        self.vad.reset()
        self.vad.hangover_ms = self.long_ms
