"""Hearing the trainee end to end: espeak-ng speaks, the product's PocketSphinx with the conversations' language
model hears, the product's detector scores the transcript as spoken. And real human speech (the moonshine-voice
wheel's recordings, a test extra; only the files are read) is heard no worse with that model than without it.

The phrases are written here, in plain words for each criterion, and are not in the corpus (a test below checks).
The assertions are on the criterion detected, never on the exact words heard."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.scenario import standard_criteria
from simulator.scoring.detector import build_detector
from simulator.speech import domainlm
from simulator.speech.recognition import SphinxEngine
from simulator.speech.wav import read_wav

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "bench"))

SAID = {
    "names_behavior": "That kind of language is not acceptable.",
    "sets_expectation": "Please stop swearing at me.",
    "states_consequence": "If the shouting goes on, I will have to end our call.",
    "redirects_to_issue": "I really do want to sort out your refund today.",
    "announces_ending": "I am ending this call now. Goodbye.",
    "escalates": "I am going to bring my supervisor onto the call.",
    "documents": "I am writing up a report about this call.",
    "acknowledges_feelings": "I can hear how frustrating this has been for you.",
    "restates_problem": "So the engineer missed your appointment twice.",
    "retaliates": "Oh grow up, you pathetic little man.",
    "appeases_abuse": "You are right, I am useless, sorry.",
}
VOICES = [("en-us", 150), ("en-us+f3", 150)]  # a man's and a woman's voice
HUMAN_WER_BOUND = 0.45  # measured 0.382 on both passages with the conversations' model (README, "Voice")


@pytest.fixture(scope="module")
def product_lm(tmp_path_factory):
    """The conversations' model as the product builds it (the corpus, the criteria and the shipped scenarios)."""
    return domainlm.build(folder=tmp_path_factory.mktemp("lm"))


@pytest.fixture(scope="module")
def detector():
    return build_detector(standard_criteria())


def test_the_phrases_are_not_in_the_corpus():
    import json
    from rapidfuzz import fuzz
    corpus = [json.loads(line)["text"] for line in
              (REPO / "scenarios" / "corpus" / "replies.jsonl").read_text("utf-8").splitlines() if line.strip()]
    for phrase in SAID.values():
        assert max(fuzz.ratio(phrase.lower(), text.lower()) for text in corpus) <= 90, phrase


@pytest.mark.parametrize("voice,rate", VOICES)
def test_a_spoken_phrase_of_each_criterion_is_detected(product_lm, detector, tmp_path, voice, rate):
    engine = SphinxEngine(product_lm)
    missed = {}
    for criterion, phrase in SAID.items():
        wav = tmp_path / f"{criterion}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), phrase], check=True)
        heard = engine.transcribe(read_wav(wav))
        found = {m.criterion for m in detector.detect(heard.text, spoken=True,
                                                      confidences=[w.conf for w in heard.words] or None)}
        if criterion not in found:
            missed[criterion] = (heard.text, sorted(found))
    assert not missed, missed


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " ")).split()


def word_error_rate(reference: list[str], heard: list[str]) -> float:
    row = list(range(len(heard) + 1))
    for i, ref in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, hyp in enumerate(heard, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ref != hyp))
    return row[-1] / max(1, len(reference))


def test_human_speech_is_heard_no_worse_with_the_conversations_model(product_lm):
    from bench_domain_lm import human_recordings
    recordings = human_recordings()
    if not recordings:
        pytest.skip("moonshine-voice (a test extra: pip install '.[test]') is not installed")
    reference = [w for _, text in recordings for w in words(text)]

    def heard_by(engine) -> list[str]:
        return [w for path, _ in recordings for w in words(engine.transcribe(read_wav(path)).text)]
    domain = word_error_rate(reference, heard_by(SphinxEngine(product_lm)))
    generic = word_error_rate(reference, heard_by(SphinxEngine(None)))
    assert domain <= HUMAN_WER_BOUND, (domain, generic)
    assert domain <= generic + 0.02, (domain, generic)  # the bound: at most 2 points worse
