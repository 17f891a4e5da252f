"""A small phrase language for spotting what a reply does.

Replies are cut into lower-case word tokens (contractions expanded, so
"won't" and "will not" read the same), with a boundary token between
sentences so that a phrase never spans two of them. Every token remembers
where it came from in the reply, so a match can quote the trainee's own
words as evidence.

Phrase syntax: words; (a|b c) a choice; (a|b)? words that may be left out;
... up to six other words; * any one word; word* any word starting so; ^ at
the start of a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

BOUNDARY = "|"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[.!?;]+")
_PRONOUN_IS = {"that", "it", "what", "there", "he", "she", "who", "here", "where", "how"}
_CONTRACTIONS = {
    "won't": ["will", "not"], "can't": ["can", "not"], "shan't": ["shall", "not"],
    "let's": ["let", "us"], "i'm": ["i", "am"], "ain't": ["is", "not"],
}
# How people type in chat: contractions without the apostrophe and the usual
# shorthands read as the words they stand for, so "pls dont swear" is "please
# do not swear". Only forms that are not also ordinary words ("ill", "id",
# "were", "its" are left alone).
_CHAT = {
    "dont": ["do", "not"], "wont": ["will", "not"], "cant": ["can", "not"], "isnt": ["is", "not"],
    "arent": ["are", "not"], "wasnt": ["was", "not"], "werent": ["were", "not"], "didnt": ["did", "not"],
    "doesnt": ["does", "not"], "havent": ["have", "not"], "hasnt": ["has", "not"], "hadnt": ["had", "not"],
    "shouldnt": ["should", "not"], "wouldnt": ["would", "not"], "couldnt": ["could", "not"],
    "im": ["i", "am"], "ive": ["i", "have"], "youre": ["you", "are"], "youve": ["you", "have"],
    "youll": ["you", "will"], "youd": ["you", "would"], "theyre": ["they", "are"], "thats": ["that", "is"],
    "whats": ["what", "is"], "theres": ["there", "is"], "hes": ["he", "is"], "shes": ["she", "is"],
    "u": ["you"], "ya": ["you"], "ur": ["your"], "r": ["are"], "pls": ["please"], "plz": ["please"],
    "plse": ["please"], "thx": ["thanks"], "ty": ["thank", "you"], "ok": ["okay"], "k": ["okay"],
    "gonna": ["going", "to"], "wanna": ["want", "to"], "gotta": ["got", "to"], "cos": ["because"],
    "coz": ["because"], "bc": ["because"], "rn": ["right", "now"], "tbh": ["to", "be", "honest"],
    "ppl": ["people"], "convo": ["conversation"], "msg": ["message"], "msgs": ["messages"], "n": ["and"],
    "abt": ["about"], "sry": ["sorry"], "soz": ["sorry"], "idk": ["i", "do", "not", "know"], "b4": ["before"],
    "w": ["with"], "mgr": ["manager"], "sup": ["supervisor"], "acct": ["account"], "acc": ["account"],
}
_SUFFIXES = (("n't", ["not"]), ("'ll", ["will"]), ("'re", ["are"]), ("'ve", ["have"]), ("'d", ["would"]))


@dataclass(frozen=True)
class Token:
    word: str
    start: int  # character span in the original reply
    end: int


@lru_cache(maxsize=256)
def tokenize(text: str) -> tuple[Token, ...]:
    """Lower-case word tokens with their spans; contractions expanded. Kept for the last few texts: the rules and
    the heads each read a reply's tokens (tokens are frozen, so sharing them is safe)."""
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[Token]:
    lowered = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    tokens: list[Token] = []
    for m in _WORD.finditer(lowered):
        raw, s, e = m.group(), m.start(), m.end()
        if raw[0] in ".!?;":
            if tokens and tokens[-1].word != BOUNDARY:
                tokens.append(Token(BOUNDARY, s, e))
            continue
        tokens += [Token(w, s, e) for w in _expand(raw)]
    return _youre(tokens, lowered)


# Chat's "ur" is "your" before a noun ("ur order") and "you're" where it starts a clause and what follows is
# what follows "you are": an article or an adverb ("ur a loser", "lol ur so rude", "but ur not listening").
# Inside a clause ("sorry about ur totally ridiculous wait", "check ur very first order") it stays "your", and
# "right" and "wrong" only make "you're" when they end the clause ("ur right", not "ur right to a refund").
_UR_YOU_ARE = frozenset("""
a an the so such being not really just always never going too totally completely clearly obviously literally
welcome kidding joking still
""".split())
_UR_AT_CLAUSE_END = frozenset({"right", "wrong"})
_CLAUSE_OPENERS = frozenset("""
and but because so if when then honestly seriously like think mean guess oh ok okay yeah yes no wow lol god
well look listen mate sir madam
""".split())


def _youre(tokens: list[Token], lowered: str) -> list[Token]:
    if not any(t.word == "your" for t in tokens):  # every reply and sentence comes through here: most have none
        return tokens
    out: list[Token] = []
    for i, t in enumerate(tokens):
        after = tokens[i + 1].word if i + 1 < len(tokens) else None
        later = tokens[i + 2].word if i + 2 < len(tokens) else BOUNDARY
        opens = i == 0 or tokens[i - 1].word == BOUNDARY or tokens[i - 1].word in _CLAUSE_OPENERS
        if (t.word == "your" and lowered[t.start:t.end] == "ur" and opens
                and (after in _UR_YOU_ARE or (after in _UR_AT_CLAUSE_END and later == BOUNDARY))):
            out += [Token("you", t.start, t.end), Token("are", t.start, t.end)]
        else:
            out.append(t)
    return out


def _expand(word: str) -> list[str]:
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    if word in _CHAT:
        return _CHAT[word]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            stem = word[: -len(suffix)]
            return [stem, *replacement] if suffix != "n't" else [stem, "not"]
    if word.endswith("'s"):
        stem = word[:-2]
        return [stem, "is"] if stem in _PRONOUN_IS else [stem]
    return [word]


def phrase_words(phrase: str) -> list[str]:
    """The literal words a phrase uses (for the speech vocabulary)."""
    return [w for w in normalise_words(re.sub(r"[()|^]", " ", phrase)) if w not in ("...",)]


def normalise_words(text: str) -> list[str]:
    """A phrase's words as the matcher sees them."""
    return [t.word for t in tokenize(text) if t.word != BOUNDARY]


_GROUP = re.compile(r"\(([^()]*)\)(\?)?|(\S+)")
_ANY_WORD = r"[^ |]+"


def compile_phrase(phrase: str, leading_gap: bool = False) -> re.Pattern[str]:
    """Turn one phrase into a regex over the joined token string.

    leading_gap: the phrase is matched right after another match, so it
    starts with the space after it (and '...' may skip a few words first).
    """
    at_start = phrase.startswith("^")
    if at_start:
        phrase = phrase[1:]
    regex = ""
    for m in _GROUP.finditer(phrase.strip()):
        if m.group(1) is not None:
            alts = "(?:" + "|".join(_sequence(a) for a in m.group(1).split("|") if a.strip()) + ")"
            if m.group(2):  # (a|b)? : the words may be left out, with the space before them
                regex += f"(?: {alts})?" if regex else f"(?:{alts} )?"
                continue
            piece = alts
        elif m.group(3) == "...":
            regex += rf"(?: {_ANY_WORD}){{0,6}}"
            continue
        else:
            piece = _sequence(m.group(3))
        regex += piece if not regex or regex.endswith(" )?") else " " + piece
    if leading_gap:
        return re.compile((regex if regex.startswith("(?: ") else " " + regex) + r"(?![^ ])")
    start = r"(?:(?<=^)|(?<=\| ))" if at_start else r"(?<![^ ])"
    return re.compile(start + regex + r"(?![^ ])")


def _sequence(text: str) -> str:
    out = []
    for raw in text.split():
        if raw == "*":
            out.append(_ANY_WORD)
        elif raw.endswith("*"):
            out.append(re.escape(" ".join(normalise_words(raw[:-1]))) + r"[^ |]*")
        else:
            words = normalise_words(raw)
            if words:
                out.append(re.escape(" ".join(words)))
    return " ".join(out)


class TokenText:
    """A reply's tokens joined into one string, with a map back to the reply."""

    def __init__(self, text: str, repair: Callable[[str], str] | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text)
        if repair is not None:
            self.tokens = [Token(repair(t.word), t.start, t.end) for t in self.tokens]
        self.joined = " ".join(t.word for t in self.tokens)
        self._starts: list[int] = []
        pos = 0
        for t in self.tokens:
            self._starts.append(pos)
            pos += len(t.word) + 1

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Token indices [first, last] covered by a span of the joined string."""
        first = max(i for i, s in enumerate(self._starts) if s <= start)
        last = max(i for i, s in enumerate(self._starts) if s < end)
        return first, last

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last].end
