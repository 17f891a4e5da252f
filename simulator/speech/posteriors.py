"""Word confidences for PocketSphinx: each heard word's posterior probability in the decoder's lattice.

PocketSphinx's Python API gives segment scores, not confidences (every
`seg.prob` reads as certainty). Its lattice does carry them: after
`get_prob()` has run the forward-backward pass, each link's posterior is
written to the HTK lattice as `p=`. A link carries the word of the node it
leaves, from that node's start to the start of the node it enters. A heard
word's confidence is the highest, over the frames it spans, of the summed
posteriors of the links that say the same word there: alternatives that
agree on the word but not on its exact boundaries (or its pronunciation
variant, "the(2)") all vote for it, as in the time-overlap confidence of
Wessel et al. (2001), "Confidence measures for large vocabulary continuous
speech recognition".
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

FRAME = 0.01  # PocketSphinx counts 10 ms frames
_NODE = re.compile(r"^I=(\d+)\s+t=([\d.]+)\s+W=(\S+)")
_LINK = re.compile(r"^J=\d+\s+S=(\d+)\s+E=(\d+)\s+.*?p=([-\d.e+]+|nan|inf)")


@dataclass(frozen=True)
class LatticeWord:
    word: str
    start: float  # seconds
    end: float
    posterior: float


def base_word(word: str) -> str:
    """"the(2)" is a pronunciation of "the"."""
    return word.split("(")[0].lower()


def lattice_words(slf: str) -> list[LatticeWord]:
    """The lattice's word hypotheses (links) with their spans and posteriors, from HTK SLF text."""
    nodes: dict[int, tuple[float, str]] = {}
    links: list[tuple[int, int, float]] = []
    for line in slf.splitlines():
        if line.startswith("I="):
            m = _NODE.match(line)
            if m:
                nodes[int(m.group(1))] = (float(m.group(2)), m.group(3))
        elif line.startswith("J="):
            m = _LINK.match(line)
            if m:
                p = float(m.group(3))
                if p > 0 and p == p:
                    links.append((int(m.group(1)), int(m.group(2)), p))
    out = []
    for s, e, p in links:
        if s not in nodes or e not in nodes:
            continue
        (start, word), (end, _) = nodes[s], nodes[e]
        if word.startswith("!") or word.startswith("<") or word.startswith("["):
            continue
        out.append(LatticeWord(base_word(word), start, max(start + FRAME, end), min(1.0, p)))
    return out


def confidence(word: str, start: float, end: float, candidates: Sequence[LatticeWord]) -> float:
    """The heard word's posterior: over its frames, the highest summed posterior of links saying it."""
    w = base_word(word)
    same = [c for c in candidates if c.word == w and c.start < end and c.end > start]
    if not same:
        return 0.0
    best = 0.0
    frames = max(1, round((end - start) / FRAME))
    for k in range(frames):
        t = start + (k + 0.5) * FRAME
        best = max(best, sum(c.posterior for c in same if c.start <= t < c.end))
    return min(1.0, best)


def decoder_lattice_words(decoder) -> list[LatticeWord]:
    """Posteriors of the decoder's last utterance. Empty when it made no lattice (silence)."""
    try:
        decoder.get_prob()  # runs the lattice's forward-backward pass: the link posteriors the file will carry
        lattice = decoder.get_lattice()
    except (RuntimeError, ValueError):
        return []
    if lattice is None:
        return []
    fd, path = tempfile.mkstemp(prefix="lattice-", suffix=".slf")
    os.close(fd)
    try:
        lattice.write_htk(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            return lattice_words(f.read())
    finally:
        os.unlink(path)
