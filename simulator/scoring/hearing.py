"""Making the trainee's words comparable with the phrases coaches write.

Typed or spoken is the turn's source, never guessed from the text: people
type in lower case with no punctuation, above all in chat, and that is still
typed. Two repairs, one for each source:

- typed: a word that is not English (not in the pronouncing dictionary that
  ships with PocketSphinx) and is one edit from a word the criteria use is
  read as that word: "unaccpetable", "superviser", "convesation".
- spoken: a word the criteria never use but spelled close to one they do is
  read as that word ("wearing" for "swearing"), and the short-word confusions
  listed in `confusions.json` are undone. That table is measured, not
  written: `simulator train --confusions` aligns what several espeak-ng voices
  said with what the product's recogniser heard, and keeps a confusion only
  when it recurs across voices (the counts are kept beside each entry).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ..scenario.model import Criterion
from .phrases import phrase_words

CONFUSIONS_FILE = Path(__file__).with_name("confusions.json")

MIN_LENGTH = 5  # shorter words are too easily confused with each other to guess at
CUTOFF = 82.0


def load_confusions(path: Path = CONFUSIONS_FILE) -> dict[str, str]:
    """Heard -> meant, with the measured evidence stripped."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {heard: entry["meant"] for heard, entry in data.get("confusions", {}).items()}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The pronouncing dictionary PocketSphinx ships (134k words): what counts as a real word."""
    spec = importlib.util.find_spec("pocketsphinx")
    if spec is None or not spec.origin:
        return frozenset()
    path = Path(spec.origin).parent / "model" / "en-us" / "cmudict-en-us.dict"
    if not path.is_file():
        return frozenset()
    words = set()
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            words.add(line.split(" ", 1)[0].split("(", 1)[0])
    return frozenset(words)


def criteria_words(criteria: Mapping[str, Criterion]) -> list[str]:
    """Every word the criteria's phrases use, typed and spoken: what misheard and mistyped words snap to."""
    return [w for c in criteria.values() for p in [*c.phrases, *c.spoken] for w in phrase_words(p)]


class Vocabulary:
    """The words the criteria use, for snapping misheard or mistyped words to them."""

    def __init__(self, words: Iterable[str], confusions: dict[str, str] | None = None) -> None:
        self.words = sorted({w for w in words if w.isalpha()})
        self._long = [w for w in self.words if len(w) >= MIN_LENGTH]
        self._known = set(self.words)
        self._confusions = load_confusions() if confusions is None else confusions
        self._heard: dict[str, str] = {}
        self._typed: dict[str, str] = {}

    def repair(self, word: str) -> str:
        """A word from a speech transcript."""
        if word in self._known:
            return word
        if word in self._confusions:
            return self._confusions[word]
        if len(word) < MIN_LENGTH or not word.isalpha():
            return word
        hit = self._heard.get(word)
        if hit is None:
            best = process.extractOne(word, self._long, scorer=fuzz.ratio, score_cutoff=CUTOFF)
            hit = best[0] if best else word
            self._heard[word] = hit
        return hit

    def repair_typed(self, word: str) -> str:
        """A typed word: fix a typo of a criteria word, leave every real word alone."""
        if word in self._known or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        hit = self._typed.get(word)
        if hit is None:
            hit = word
            if word not in english_words():
                limit = 1 if len(word) < 9 else 2
                best = process.extractOne(word, self._long, scorer=OSA.distance, score_cutoff=limit)
                if best is not None:
                    hit = best[0]
            self._typed[word] = hit
        return hit
