"""Measuring which criteria words the recogniser mishears, and as what.

Each round trip pairs the words a reply was spoken with and the words the
product's recogniser heard. Aligning the two word lists finds one-for-one
substitutions; a substitution of a criteria word (heard -> meant) joins the
table only when it recurs (MIN_COUNT times, with MIN_VOICES voices) and the
heard word is not itself a criteria word. The counts are written beside
each entry, so every confusion the detector undoes can be traced to
measurements, not to one sentence.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from pathlib import Path

from ..scenario.model import Criterion
from .hearing import criteria_words
from .phrases import tokenize

MIN_COUNT = 4
MIN_VOICES = 2
MIN_SHARE = 0.5  # of all the times the recogniser wrote the heard word, it meant this one


def _words(text: str) -> list[str]:
    return [t.word for t in tokenize(text) if t.word != "|"]


def measure(rows: Sequence[dict], criteria: Mapping[str, Criterion]) -> dict[str, dict]:
    vocabulary = set(criteria_words(criteria))
    pairs: Counter[tuple[str, str]] = Counter()
    voices: dict[tuple[str, str], set[str]] = defaultdict(set)
    heard_total: Counter[str] = Counter()
    for r in rows:
        said, heard = _words(r["typed"]), _words(r["text"])
        heard_total.update(heard)
        for op, a1, a2, b1, b2 in SequenceMatcher(None, said, heard, autojunk=False).get_opcodes():
            if op != "replace" or a2 - a1 != b2 - b1:
                continue
            for meant, got in zip(said[a1:a2], heard[b1:b2]):
                if meant in vocabulary and got not in vocabulary and got != meant:
                    pairs[(got, meant)] += 1
                    voices[(got, meant)].add(r.get("voice", ""))
    table: dict[str, dict] = {}
    for (got, meant), n in pairs.most_common():
        if n < MIN_COUNT or len(voices[(got, meant)]) < MIN_VOICES or got in table:
            continue
        if n / heard_total[got] < MIN_SHARE:
            continue  # the heard word usually means itself: undoing it would break more than it fixes
        table[got] = {"meant": meant, "count": n, "of": heard_total[got], "voices": sorted(voices[(got, meant)])}
    return table


def write(table: dict[str, dict], path: Path, rows: int) -> None:
    path.write_text(json.dumps({
        "about": "Heard -> meant confusions of criteria words, measured by `simulator train --confusions` on "
                 f"{rows} round trips (several espeak-ng voices through the product's recogniser). "
                 f"An entry needs {MIN_COUNT}+ occurrences, {MIN_VOICES}+ voices, and to be what the heard word "
                 f"stood for at least {MIN_SHARE:.0%} of the times it was heard in place of another word. "
                 "count: times heard for the meant word; of: times heard in place of any word.",
        "confusions": table}, indent=1) + "\n", encoding="utf-8")
