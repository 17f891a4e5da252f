"""The learned detector: one logistic-regression head per criterion.

A reply is described by its word, word-pair and word-triple counts, its character
n-grams (typos and chat spellings still share most of them) and its static
MiniLM vector (typed replies, where the sentence model is installed, also
all-MiniLM-L6-v2's vector of the whole reply read in context: contextual.py);
each criterion's head weighs them into a probability. The
heads are plain arrays in one `.npz` file beside the criteria they were
trained for, with a version hash that every score records. Nothing trains
or downloads here; `simulator train` fits them (scoring/training.py).

A reply's probability is the highest of the whole reply's and each of its
sentences' (a multi-act reply does one act per sentence), and the sentence
that scored highest is quoted as the evidence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import os
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .detect import Match, _confidence
from .phrases import BOUNDARY, tokenize

_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")
_WINDOW, _STRIDE = 10, 5  # a transcript has no sentence ends: overlapping windows of words instead
_MIN_WORDS = 4


def words_of(text: str) -> list[str]:
    """The reply as the heads read it: the rules' tokens (contractions and chat forms expanded)."""
    return [t.word for t in tokenize(text) if t.word != BOUNDARY]


_remembered: dict[str, dict[str, float]] | None = None


@contextmanager
def remembering() -> Iterator[None]:
    """Training reads the same replies for each kind of head and again to choose thresholds: inside this, each
    text is cut into n-grams once. Not at run time, where the cache would only grow."""
    global _remembered
    _remembered = {}
    try:
        yield
    finally:
        _remembered = None


def ngrams(text: str) -> dict[str, float]:
    """Sparse counts: w:word, b:word pair, t:word triple, c:character n-gram (2-5, inside word boundaries).
    The counts are read, never changed: inside `remembering` one dict serves every caller.

    Triples ("not going to", "to speak to") added 0.006-0.01 validation macro-F1 over pairs alone."""
    if _remembered is not None:
        if text not in _remembered:
            _remembered[text] = _ngrams(text)
        return _remembered[text]
    return _ngrams(text)


def _ngrams(text: str) -> dict[str, float]:
    words = words_of(text)
    out: dict[str, float] = {}
    for w in words:
        out["w:" + w] = out.get("w:" + w, 0) + 1
    for a, b in zip(words, words[1:]):
        out[f"b:{a} {b}"] = out.get(f"b:{a} {b}", 0) + 1
    for a, b, c in zip(words, words[1:], words[2:]):
        out[f"t:{a} {b} {c}"] = out.get(f"t:{a} {b} {c}", 0) + 1
    for w in words:
        for key in _characters(w):
            out[key] = out.get(key, 0) + 1
    return out


@lru_cache(maxsize=50_000)
def _characters(word: str) -> tuple[str, ...]:
    """A word's character n-grams; replies reuse a few thousand words, so each is cut up once."""
    padded = f" {word} "
    return tuple("c:" + padded[i:i + n] for n in range(2, 6) for i in range(len(padded) - n + 1))


@dataclass
class Heads:
    """Trained heads for one criteria library, one source (typed or spoken)."""

    criteria: list[str]
    vocab: dict[str, int]
    idf: np.ndarray  # per feature
    weights: np.ndarray  # features x criteria
    emb_mean: np.ndarray
    emb_scale: np.ndarray  # 1 / (std * ...), folds the embedding's share of the features
    emb_weights: np.ndarray  # dim x criteria
    bias: np.ndarray  # criteria
    threshold: np.ndarray  # per criterion, at or above: the criterion is met
    certain: np.ndarray  # per criterion, at or above: met with no doubt; from threshold up to this: uncertain
    veto: np.ndarray  # per criterion: a rule's match the head gives less than this is a near miss the rule missed
    embedder_version: str
    version: str = ""
    # Where retrained layers (tuned.py) are averaged with these heads: the thresholds chosen on the average, and the
    # version of the layers they were chosen with. The ones above serve where the layers are not read (classify's default, an
    # installation without the sentence model), so each way a reply is scored has thresholds chosen for it.
    blend_threshold: np.ndarray | None = None
    blend_veto: np.ndarray | None = None
    blend_certain: np.ndarray | None = None
    blend_version: str = ""
    _words: dict[str, np.ndarray] = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def blended(self) -> Heads:
        """These heads with the thresholds chosen on the average."""
        return dataclasses.replace(self, threshold=self.blend_threshold, veto=self.blend_veto,
                                   certain=self.blend_certain)

    def save(self, path: Path) -> None:
        """Written beside and then moved over: a run stopped while saving leaves the old heads, not half a file."""
        order = sorted(self.vocab, key=self.vocab.get)
        part = path.with_name(path.stem + ".part.npz")
        np.savez_compressed(part, criteria=np.array(self.criteria), vocab=np.array(order), idf=self.idf.astype(np.float32),
                            weights=self.weights.astype(np.float16), emb_mean=self.emb_mean.astype(np.float32),
                            emb_scale=self.emb_scale.astype(np.float32), emb_weights=self.emb_weights.astype(np.float32),
                            bias=self.bias.astype(np.float32), threshold=np.asarray(self.threshold, np.float32),
                            certain=np.asarray(self.certain, np.float32), veto=np.asarray(self.veto, np.float32), embedder_version=np.array(self.embedder_version),
                            **({} if self.blend_threshold is None else {
                                "blend_threshold": np.asarray(self.blend_threshold, np.float32),
                                "blend_veto": np.asarray(self.blend_veto, np.float32),
                                "blend_certain": np.asarray(self.blend_certain, np.float32),
                                "blend_version": np.array(self.blend_version)}))
        os.replace(part, path)

    @classmethod
    def load(cls, path: Path) -> Heads:
        data = path.read_bytes()
        with np.load(io.BytesIO(data)) as z:  # a damaged file then leaves no file handle open
            vocab = {str(k): i for i, k in enumerate(z["vocab"])}
            return cls([str(c) for c in z["criteria"]], vocab, z["idf"], z["weights"].astype(np.float32), z["emb_mean"],
                       z["emb_scale"], z["emb_weights"], z["bias"], z["threshold"], z["certain"],
                       z["veto"], str(z["embedder_version"]), hashlib.sha256(data).hexdigest()[:16],
                       *((z["blend_threshold"], z["blend_veto"], z["blend_certain"], str(z["blend_version"]))
                         if "blend_threshold" in z.files else ()))

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Feature indices and values: (1 + log count) * idf, unit length (the sublinear tf-idf the heads learned on).

        The counts of `ngrams`, by feature: a word's character n-grams (most of a reply's features) are looked up
        once per word and kept, as replies reuse a few thousand words."""
        words = words_of(text)
        get = self.vocab.get
        keys = ["w:" + w for w in words] + [f"b:{a} {b}" for a, b in zip(words, words[1:])] + [
            f"t:{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:])]
        found = [np.array([i for k in keys if (i := get(k)) is not None], dtype=np.int64)]
        found += [self._characters(w) for w in words]
        idx, counts = np.unique(np.concatenate(found), return_counts=True)
        values = (1.0 + np.log(counts.astype(np.float32))) * self.idf[idx]
        norm = float(np.linalg.norm(values))
        return idx, (values / norm if norm else values)

    def _characters(self, word: str) -> np.ndarray:
        known = self._words.get(word)
        if known is None:
            if len(self._words) > 50_000:
                self._words.clear()  # another thread may be reading it: the worst it then does is look a word up again
            get = self.vocab.get
            known = self._words[word] = np.array([i for k in _characters(word) if (i := get(k)) is not None],
                                                 dtype=np.int64)
        return known

    def logits(self, text: str, vector: np.ndarray, features: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        idx, values = features or self.features(text)
        z = self.bias + ((vector - self.emb_mean) * self.emb_scale) @ self.emb_weights
        if len(idx):
            z = z + values @ self.weights[idx]
        return z


def segments(text: str, spoken: bool) -> list[tuple[int, int]]:
    """Spans of the reply to score on their own: its sentences, or for a transcript, windows of words."""
    if spoken:
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        if len(spans) <= _WINDOW:
            return []
        out = []
        for i in range(0, len(spans) - _STRIDE, _STRIDE):
            chunk = spans[i:i + _WINDOW]
            out.append((chunk[0][0], chunk[-1][1]))
        return out
    found: list[tuple[int, int]] = []
    pending: int | None = None  # a sentence too short to judge alone ("Ha, thanks.") joins the next one
    for m in _SENTENCE.finditer(text):
        if not m.group().strip():
            continue
        start = m.start() if pending is None else pending
        if len(text[start:m.end()].split()) < _MIN_WORDS:
            pending = start
            continue
        found.append((start, m.end()))
        pending = None
    if pending is not None and found:
        found[-1] = (found[-1][0], len(text.rstrip()))
    return found if len(found) > 1 else []


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class LearnedDetector:
    """Probabilities per criterion from the heads, and matches that quote the best sentence.

    `refine` are typed heads that also read the sentence model's vector (`contextual`); where they are
    installed they judge typed replies. Asking them only when a static head was near its threshold halved the
    work but not the slowest replies (p95 25 ms against 29), and cost 0.004 validation macro-F1: a session does not
    do it, a bulk `simulator classify` does unless `--exact` (`assess`'s `sure`)."""

    def __init__(self, typed: Heads, spoken: Heads | None, embedder, refine: Heads | None = None,
                 contextual=None) -> None:
        self.typed, self.spoken, self.embedder = typed, spoken or typed, embedder
        self.refine, self.contextual = (refine, contextual) if refine is not None and contextual is not None else (None, None)
        self._alone = {False: self.typed, True: self.spoken}  # without the sentence model, at their own thresholds
        # The retrained layers are averaged in only with heads whose thresholds were chosen on that average, with
        # those very layers; otherwise the heads decide alone, at their own thresholds.
        self.averaged = {False: False, True: False}
        if self.contextual is not None:
            for spoken, name in ((False, "refine"), (True, "spoken")):
                heads, tuned = getattr(self, name), self.contextual.tuned_for(spoken)
                if tuned is not None and heads.blend_threshold is not None and heads.blend_version == tuned.version:
                    setattr(self, name, heads.blended())
                    self.averaged[spoken] = True
        # Heads that count the same words share a reply's word features, worked out once.
        self._same_words = self.refine is not None and (self.refine.vocab is self.typed.vocab or (
            self.refine.vocab == self.typed.vocab and np.array_equal(self.refine.idf, self.typed.idf)))

    def heads_for(self, spoken: bool) -> Heads:
        return self.spoken if spoken else self.typed

    def reads_model(self, spoken: bool) -> bool:
        """Whether a reply of this kind is read by the sentence model (its vector, or the retrained layers)."""
        return self.averaged[spoken] or (self.refine is not None and not spoken)

    def assess(self, text: str, *, spoken: bool = False, ruled: Collection[str] = (), sure: float | None = None
               ) -> tuple[Heads, dict[str, float], dict[str, tuple[int, int]]]:
        """The heads that decided, and per criterion the highest probability over the reply and its parts with the
        span that had it. `ruled`: the criteria a phrase rule matched (the veto decides those too).

        With `sure`, the heads without the sentence model decide alone where every probability is at least `sure`
        in log-odds from each line that decides with it (`_decided`), and the model reads the rest."""
        features: list | None = None
        if sure is not None and self.reads_model(spoken):
            features = []
            alone = self._alone[spoken]
            quick = _probabilities(alone, self.embedder, text, spoken, features)
            if _decided(alone, quick[0], ruled, sure):
                return alone, *quick
        if self.refine is not None and not spoken:
            heads, (probs, where) = self.refine, _probabilities(self.refine, self.contextual, text, spoken,
                                                                features if self._same_words else None)
        else:
            heads = self.heads_for(spoken)
            probs, where = _probabilities(heads, self.embedder, text, spoken, features)
        tuned = self.contextual.tuned_for(spoken) if self.averaged[spoken] else None
        if tuned is not None:
            names = list(probs)
            blended = tuned.blend(np.array([[probs[c] for c in names]]), names,
                                  self.contextual.tuned_logits([text], spoken))
            probs = dict(zip(names, blended[0].tolist()))
        return heads, probs, where

    def probabilities(self, text: str, *, spoken: bool = False) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
        return self.assess(text, spoken=spoken)[1:]

    def detect(self, text: str, *, spoken: bool = False,
               confidences: Sequence[float] | None = None) -> list[Match]:
        heads, probs, where = self.assess(text, spoken=spoken)
        return self.matches(text, probs, where, spoken=spoken, confidences=confidences, heads=heads)

    def matches(self, text: str, probs: dict[str, float], where: dict[str, tuple[int, int]], *, spoken: bool,
                confidences: Sequence[float] | None = None, heads: Heads | None = None) -> list[Match]:
        heads = heads or self.heads_for(spoken)
        found = []
        for j, (c, p) in enumerate(probs.items()):
            if p >= heads.threshold[j]:
                start, end = _trim(text, where[c])
                found.append(Match(c, start, end, text[start:end], _confidence(text, start, end, confidences),
                                   probability=round(p, 3), uncertain=bool(p < heads.certain[j])))
        return found


def _decided(heads: Heads, probs: dict[str, float], ruled: Collection[str], margin: float) -> bool:
    """Every probability at least `margin` (log-odds) from each line that decides with it: the threshold, where an
    uncertain verdict begins to be certain, and for a criterion a rule matched, the veto."""
    for j, c in enumerate(heads.criteria):
        z = _log_odds(probs[c])
        lines = (heads.threshold[j], heads.certain[j], heads.veto[j]) if c in ruled else (heads.threshold[j], heads.certain[j])
        if any(abs(z - _log_odds(float(line))) < margin for line in lines):
            return False
    return True


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _probabilities(heads: Heads, embedder, text: str, spoken: bool, features: list | None = None
                   ) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """`features`: the pieces' word features, filled in when empty and read when not (heads with the same words)."""
    spans = [(0, len(text))] + segments(text, spoken)
    pieces = [text[s:e] for s, e in spans]
    vectors = embedder.embed_reply(pieces)
    if features is not None and not features:
        features.extend(heads.features(p) for p in pieces)
    probs = np.array([sigmoid(heads.logits(p, v, features[i] if features else None))
                      for i, (p, v) in enumerate(zip(pieces, vectors))])
    best = probs.argmax(0)
    where = {c: spans[best[j]] for j, c in enumerate(heads.criteria)}
    return {c: float(probs[best[j], j]) for j, c in enumerate(heads.criteria)}, where


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


