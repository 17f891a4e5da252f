"""Making speech transcripts comparable with the phrases coaches write.

A recogniser's transcript has no capitals or punctuation, and misheard
words. Two repairs before matching: a word the criteria never use but that
is spelled close to one they do ("wearing" for "swearing") is read as that
word; and a few confusions the bundled recogniser makes again and again on
short words are undone. Both apply to transcripts only, never to typed text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Heard -> meant, for short key words the bundled English recogniser confuses
# consistently (measured by speaking replies with espeak-ng into PocketSphinx).
MISHEARD = {
    "fall": "call", "cold": "call", "called": "call", "cult": "call", "skull": "call", "hall": "call",
    "cool": "call", "editor": "manager", "marks": "remarks", "tell": "talk", "telling": "talking",
    "he": "he", "row": "rude",
}
MISHEARD.pop("he")

MIN_LENGTH = 5  # shorter words are too easily confused with each other to guess at
CUTOFF = 82.0

_PUNCTUATION = re.compile(r"[.,!?;:\"()]")


def looks_spoken(text: str) -> bool:
    """A recogniser's transcript: no capitals, no punctuation."""
    return bool(text.strip()) and text == text.lower() and not _PUNCTUATION.search(text)


class Vocabulary:
    """The words the criteria use, for snapping misheard words to them."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in words if w.isalpha()})
        self._long = [w for w in self.words if len(w) >= MIN_LENGTH]
        self._known = set(self.words)
        self._cache: dict[str, str] = {}

    def repair(self, word: str) -> str:
        if word in self._known:
            return word
        if word in MISHEARD:
            return MISHEARD[word]
        if len(word) < MIN_LENGTH or not word.isalpha():
            return word
        hit = self._cache.get(word)
        if hit is None:
            best = process.extractOne(word, self._long, scorer=fuzz.ratio, score_cutoff=CUTOFF)
            hit = best[0] if best else word
            self._cache[word] = hit
        return hit
