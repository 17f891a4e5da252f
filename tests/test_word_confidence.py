"""PocketSphinx word confidences are the lattice's posteriors, not a constant "sure"."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.speech.posteriors import LatticeWord, confidence, lattice_words
from simulator.speech.recognition import SphinxEngine, Utterance, Word
from simulator.speech.wav import Pcm
from speechkit import speak, with_silence

# Two paths through "the call|cold": 0.7 of the mass says "call", split over two boundaries.
SLF = """VERSION=1.0
start=0
end=5
N=6	L=6
I=0	t=0.00	W=!SENT_START	v=1
I=1	t=0.10	W=the	v=1
I=2	t=0.40	W=call	v=1
I=3	t=0.42	W=call(2)	v=1
I=4	t=0.40	W=cold	v=1
I=5	t=0.90	W=!SENT_END	v=1
J=0	S=0	E=1	a=-10.0	p=1
J=1	S=1	E=2	a=-20.0	p=0.4
J=2	S=1	E=3	a=-20.0	p=0.3
J=3	S=1	E=4	a=-20.0	p=0.3
J=4	S=2	E=5	a=-30.0	p=0.4
J=5	S=3	E=5	a=-30.0	p=0.3
"""


def test_a_word_gets_the_posterior_of_every_path_that_says_it_there():
    words = lattice_words(SLF)
    assert LatticeWord("call", 0.40, 0.90, 0.4) in words and LatticeWord("call", 0.42, 0.90, 0.3) in words
    assert not any(w.word.startswith("!") for w in words)
    assert confidence("call", 0.41, 0.89, words) == pytest.approx(0.7)  # boundaries and pronunciations agree
    assert confidence("the", 0.10, 0.39, words) == pytest.approx(1.0)
    assert confidence("cold", 0.40, 0.89, words) == 0.0  # "cold" is a path that never reached the end
    assert confidence("hall", 0.40, 0.89, words) == 0.0


def test_a_turn_is_as_clear_as_its_words_on_average():
    u = Utterance("set a boundary", (Word("set", 0, 1, 0.9), Word("a", 1, 2, 0.3), Word("boundary", 2, 3, 0.9)))
    assert u.confidence == pytest.approx(0.7)
    assert u.word_confidences == (0.9, 0.3, 0.9)


def test_pocketsphinx_reports_real_confidences(tmp_path):
    engine = SphinxEngine()
    clear = engine.transcribe(with_silence(speak("Please do not swear at me. I want to help with your refund.",
                                                tmp_path, name="clear.wav")))
    confs = [w.conf for w in clear.words]
    assert confs and all(0.0 <= c <= 1.0 for c in confs)
    assert min(confs) < 0.99, "every word 'certain': the lattice posteriors are not being read"
    # The same speech drowned in noise is heard less surely.
    rng = np.random.default_rng(7)
    spoken = with_silence(speak("Please do not swear at me. I want to help with your refund.", tmp_path,
                                name="noisy.wav"))
    samples = np.frombuffer(spoken.data, dtype=np.int16)
    loud = np.clip(samples.astype(np.float64) + rng.normal(0, 6000, samples.size), -32768, 32767).astype(np.int16)
    noisy = engine.transcribe(Pcm(loud.tobytes(), spoken.rate))
    assert clear.confidence is not None
    assert noisy.confidence is None or noisy.confidence < clear.confidence
