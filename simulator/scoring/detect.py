"""Which criteria one reply meets, with the words that show it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..scenario.model import Criterion
from .hearing import Vocabulary, criteria_words
from .phrases import BOUNDARY, TokenText, compile_phrase

_NEGATORS = {"not", "never", "no", "cannot", "nobody", "nothing"}
_CONDITIONALS = {"if", "unless", "otherwise", "should", "once", "next", "until", "another", "again"}
_CONDITIONAL_PAIRS = {("one", "more"), ("another", "one"), ("any", "more")}
_POLITE_IF = {("appreciate", "it"), ("prefer", "it"), ("be", "grateful"), ("am", "grateful"), ("like", "it")}
_LOOKBACK = 3  # words before a match that can negate it
# A negation stays in its clause: "you haven't, so I'm ending this call now" ends the call, as does "That's not
# okay, I'm ending this call". A comma (typed) or a word that opens the next clause (typed or spoken) closes it.
_NEW_CLAUSE = frozenset({"so", "but", "and", "because", "then"})
_SPOKEN_CLAUSE = 8  # a transcript has no sentence ends: how far back a condition reaches


@dataclass(frozen=True)
class Match:
    """A criterion met by a reply, and the span of the reply that shows it."""

    criterion: str
    start: int
    end: int
    quote: str
    confidence: float | None = None  # lowest recogniser confidence of the words quoted
    probability: float | None = None  # the learned head's, where it decided
    uncertain: bool = False  # the learned head was in its uncertain band: shown, never counted against


class Detector(Protocol):
    """Anything that can say which criteria a reply meets."""

    def detect(self, text: str, *, spoken: bool = False,
               confidences: Sequence[float] | None = None) -> list[Match]: ...


@dataclass(frozen=True)
class _Rule:
    criterion: str
    typed: tuple[re.Pattern[str], ...]
    spoken: tuple[re.Pattern[str], ...]
    ignore: frozenset[str]
    before: tuple[re.Pattern[str], ...] = ()
    after: tuple[re.Pattern[str], ...] = ()
    any_typed: re.Pattern[str] | None = None  # all typed phrases in one: a quick "can it match at all?"
    any_spoken: re.Pattern[str] | None = None


def _any(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns)) if patterns else None


def _rule(c: Criterion) -> _Rule:
    typed = tuple(compile_phrase(p) for p in c.phrases)
    spoken = tuple(compile_phrase(p) for p in c.spoken)
    return _Rule(c.id, typed, spoken, frozenset(c.ignore_when), tuple(compile_phrase(p) for p in c.except_before),
                 tuple(compile_phrase(p, leading_gap=True) for p in c.except_after), _any(typed), _any(typed + spoken))


class PhraseDetector:
    """Matches each criterion's phrases, honouring its negation and condition rules.

    Speech transcripts also get the criteria's `spoken` phrases, and misheard
    words are repaired before matching; typed replies get their typos of
    criteria words fixed. Which one a reply is comes from the turn.
    """

    def __init__(self, criteria: Mapping[str, Criterion]) -> None:
        self._rules = [_rule(c) for c in criteria.values()]
        self._vocabulary = Vocabulary(criteria_words(criteria))

    def detect(self, text: str, *, spoken: bool = False,
               confidences: Sequence[float] | None = None) -> list[Match]:
        """Criteria met by `text`. `confidences`: one per whitespace-separated word, from the recogniser."""
        return self.read(text, spoken=spoken, confidences=confidences)[0]

    def read(self, text: str, *, spoken: bool = False, confidences: Sequence[float] | None = None
             ) -> tuple[list[Match], dict[str, list[tuple[int, int]]]]:
        """The criteria met, and where a criterion's phrase was said negated and set aside ("I'm not going to
        end the call"), for a criterion no phrase of which matched: the learned heads, which weigh the words, can
        take such a reply for the act (detector.py)."""
        tt = TokenText(text, self._vocabulary.repair if spoken else self._vocabulary.repair_typed)
        found = []
        negated: dict[str, list[tuple[int, int]]] = {}
        for rule in self._rules:
            quick = rule.any_spoken if spoken else rule.any_typed
            if quick is None or not quick.search(tt.joined):
                continue
            patterns = rule.typed + rule.spoken if spoken else rule.typed
            set_aside: list[tuple[int, int]] = []
            span = _first(tt, patterns, rule, spoken, set_aside)
            if span is None and set_aside:
                negated[rule.criterion] = set_aside
            if span is not None:
                start, end = span
                found.append(Match(rule.criterion, start, end, text[start:end], _confidence(text, start, end, confidences)))
        if spoken:
            return found, negated
        read_on = [_read_on(text, m, found) for m in found]
        return [_read_back(text, m, read_on) for m in read_on], negated


# A phrase quoted alone can stop mid-thought ("Please keep", "i need u to keep" of "i need u to keep this about
# the shipments pls"): evidence reads on to the end of its clause ("Please keep this about your order"), at most this
# many words more. Typed replies only: a transcript has no clause marks. The recogniser's confidence stays that of
# the words matched.
_MORE_WORDS = 8
_CLAUSE_END = re.compile(r"[.!?;:,\n]|\s(?:or|but|and|so|because|otherwise)\s", re.IGNORECASE)


def _read_on(text: str, match: Match, found: Sequence[Match]) -> Match:
    """The match quoted to its clause's end, stopping short of another criterion's words ("Please stop calling
    me names, you idiot" must not carry the insult in the request's quote)."""
    start, end = match.start, match.end
    stop = _CLAUSE_END.search(text, end)
    limit = min([stop.start() if stop else len(text), *(m.start for m in found if m.start >= end)])
    words = list(re.finditer(r"\S+", text[end:limit]))[:_MORE_WORDS]
    if not words:
        return match
    shown = end + words[-1].end()
    return Match(match.criterion, start, shown, text[start:shown], match.confidence)


# A phrase can also start inside its clause: "enough, comments like that are not okay" of "That's enough, ...". The
# quote starts where the clause does when that is at most this many words back; further back, the words matched.
_FEWER_WORDS = 4
_PLAIN_WORD = re.compile(r"[\w'’-]+")  # not markup, brackets or quotation marks, which start something else
_CLAUSE_START = re.compile(r"[.!?;:,\n]|\s(?:or|but|and|so|because|otherwise)\s+", re.IGNORECASE)


def _read_back(text: str, match: Match, found: Sequence[Match]) -> Match:
    """The match quoted from its clause's start, never over another criterion's words before it."""
    start = match.start
    clause = max([0, *(m.end() for m in _CLAUSE_START.finditer(text, 0, start) if m.end() <= start),
                  *(m.end for m in found if m.end <= start)])
    while clause < start and text[clause].isspace():
        clause += 1
    words = text[clause:start].split()
    if not words or len(words) > _FEWER_WORDS or not all(_PLAIN_WORD.fullmatch(w) for w in words):
        return match
    return Match(match.criterion, clause, match.end, text[clause:match.end], match.confidence)


def _first(tt: TokenText, patterns: Sequence[re.Pattern[str]], rule: _Rule, spoken: bool,
           set_aside: list[tuple[int, int]] | None = None) -> tuple[int, int] | None:
    """The first match the rule accepts; `set_aside` collects the spans of those it did not for a negation."""
    for pattern in patterns:
        for m in pattern.finditer(tt.joined):
            first, last = tt.token_range(m.start(), m.end())
            if "negated" in rule.ignore and (_negated(tt, first, last) or refused_before(tt.text, tt.span(first, last)[0])):
                if set_aside is not None:
                    set_aside.append(tt.span(first, last))
                continue
            if "conditional" in rule.ignore and _conditional(tt, first, last, spoken):
                continue
            if _cancelled(tt.joined, m.start(), m.end(), rule):
                continue
            return tt.span(first, last)
    return None


def _cancelled(joined: str, start: int, end: int, rule: _Rule) -> bool:
    """A phrase right before or right after the match changes what it means."""
    before = joined[:start].rstrip()
    for p in rule.before:
        if any(m.end() == len(before) for m in p.finditer(before)):
            return True
    return any(p.match(joined, end) for p in rule.after)


def _confidence(text: str, start: int, end: int, confidences: Sequence[float] | None) -> float | None:
    if not confidences:
        return None
    covered, pos = [], 0
    for word, conf in zip(text.split(), confidences):
        at = text.index(word, pos)
        pos = at + len(word)
        if at < end and pos > start:
            covered.append(conf)
    return min(covered) if covered else None


def _sentence_before(tt: TokenText, first: int) -> list[str]:
    return [t.word for t in _sentence_tokens_before(tt, first)]


def _sentence_tokens_before(tt: TokenText, first: int) -> list:
    tokens = []
    for t in reversed(tt.tokens[:first]):
        if t.word == BOUNDARY:
            break
        tokens.append(t)
    return tokens[::-1]


def _negated(tt: TokenText, first: int, last: int) -> bool:
    inside = [t.word for t in tt.tokens[first:last + 1]]
    start = tt.tokens[first].start
    before = _sentence_tokens_before(tt, first)[-_LOOKBACK:]
    closed = [i for i, t in enumerate(before) if t.word in _NEW_CLAUSE or "," in tt.text[t.end:start]]
    if closed:
        before = before[closed[-1] + 1:]
    return any(w in _NEGATORS for w in inside + [t.word for t in before])


def _conditional(tt: TokenText, first: int, last: int, spoken: bool) -> bool:
    before = _sentence_before(tt, first)
    if spoken:
        before = before[-_SPOKEN_CLAUSE:]
    words = before + [t.word for t in tt.tokens[first:last + 1]]
    for i, w in enumerate(words):
        # "I'd appreciate it if you stopped" is a polite request, not a condition.
        if w in _CONDITIONALS and not (w == "if" and tuple(words[max(0, i - 2):i]) in _POLITE_IF):
            return True
    return any(pair in _CONDITIONAL_PAIRS for pair in zip(words, words[1:]))


# "I'm not", "we are not", "I won't", "I do not"...: the trainee saying what they will not do.
_REFUSAL = re.compile(r"\b(?:i|we)(?:['’](?:m|re|ll|d))?\s+(?:(?:am|are|will|shall|do|would)\s+)?(?:not|never)\b"
                      r"|\b(?:i|we)\s+(?:won['’]?t|wont|don['’]?t|dont|can['’]?t|cant|cannot)\b|\b(?:im|were)\s+not\b",
                      re.IGNORECASE)
_INTENT_WORDS = re.compile(r"\s*(?:(?:going|gonna|to|be|just|really|ever|even|actually)\s+)*", re.IGNORECASE)
_SUBJECT = re.compile(r"\b(?:i|we)(?:['’](?:m|re|ll|d))?\b|\b(?:im|were)\b", re.IGNORECASE)


_WORD = re.compile(r"[\w'’]+")


def refused_before(text: str, start: int) -> bool:
    """Whether the clause that ends at `start` is one the speaker began by saying they will not: "I'm not going to
    transfer you to my [supervisor]", where a phrase of the act's end alone ("supervisor", as the recogniser leaves
    it) matched, out of reach of the few words a negation is looked for in. A clause here is the last
    _SPOKEN_CLAUSE words, cut at punctuation and at a word that opens a clause; it refuses where its last subject
    ("I", "we") begins a first-person negation, so "that's not ok I'm getting my supervisor" does not."""
    sentence = max(text.rfind(mark, 0, start) for mark in ".!?\n,;") + 1
    words = list(_WORD.finditer(text, sentence, start))[-_SPOKEN_CLAUSE:]
    opens = [i for i, w in enumerate(words) if w.group().lower() in _NEW_CLAUSE]
    if opens:
        words = words[opens[-1] + 1:]
    if not words:
        return False
    subjects = list(_SUBJECT.finditer(text, words[0].start(), start))
    return bool(subjects) and _REFUSAL.match(text, subjects[-1].start()) is not None


def refused_act(text: str, start: int, end: int) -> bool:
    """Whether the words at start:end are an act the speaker says they will not do: a first-person negation in
    the same sentence leads straight into them ("I'm not going to transfer you", "I won't be logging this"), or
    stands inside them with no new subject after it ("I'm not going to end the call")."""
    sentence = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    last = None
    for m in _REFUSAL.finditer(text, sentence, end):
        last = m
    if last is None:
        return False
    if last.end() <= start:
        return _INTENT_WORDS.fullmatch(text, last.end(), start) is not None
    return _SUBJECT.search(text, last.end(), end) is None
