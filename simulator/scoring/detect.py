"""Which criteria one reply meets, with the words that show it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..scenario.model import Criterion
from .phrases import BOUNDARY, TokenText, compile_phrase

_NEGATORS = {"not", "never", "no", "cannot", "nobody", "nothing"}
_CONDITIONALS = {"if", "unless", "otherwise", "should", "once", "next", "until"}
_CONDITIONAL_PAIRS = {("one", "more"), ("another", "one"), ("any", "more")}
_LOOKBACK = 3  # words before a match that can negate it


@dataclass(frozen=True)
class Match:
    """A criterion met by a reply, and the span of the reply that shows it."""

    criterion: str
    start: int
    end: int
    quote: str


class Detector(Protocol):
    """Anything that can say which criteria a reply meets."""

    def detect(self, text: str) -> list[Match]: ...


class PhraseDetector:
    """Matches each criterion's phrases, honouring its negation and condition rules."""

    def __init__(self, criteria: Mapping[str, Criterion]) -> None:
        self._rules = [
            (c.id, [compile_phrase(p) for p in c.phrases], set(c.ignore_when)) for c in criteria.values()
        ]

    def detect(self, text: str) -> list[Match]:
        tt = TokenText(text)
        found = []
        for criterion, patterns, ignore in self._rules:
            match = self._first(tt, patterns, ignore)
            if match is not None:
                start, end = match
                found.append(Match(criterion, start, end, text[start:end]))
        return found

    def _first(self, tt: TokenText, patterns: list[re.Pattern[str]], ignore: set[str]) -> tuple[int, int] | None:
        for pattern in patterns:
            for m in pattern.finditer(tt.joined):
                first, last = tt.token_range(m.start(), m.end())
                if "negated" in ignore and _negated(tt, first, last):
                    continue
                if "conditional" in ignore and _conditional(tt, first, last):
                    continue
                return tt.span(first, last)
        return None


def _sentence_before(tt: TokenText, first: int) -> list[str]:
    words = []
    for t in reversed(tt.tokens[:first]):
        if t.word == BOUNDARY:
            break
        words.append(t.word)
    return list(reversed(words))


def _negated(tt: TokenText, first: int, last: int) -> bool:
    inside = [t.word for t in tt.tokens[first:last + 1]]
    before = _sentence_before(tt, first)[-_LOOKBACK:]
    return any(w in _NEGATORS for w in inside + before)


def _conditional(tt: TokenText, first: int, last: int) -> bool:
    words = _sentence_before(tt, first) + [t.word for t in tt.tokens[first:last + 1]]
    if any(w in _CONDITIONALS for w in words):
        return True
    return any(pair in _CONDITIONAL_PAIRS for pair in zip(words, words[1:]))
