"""Spotting criteria in one reply: phrases, negation, conditionals, evidence."""

import json
from pathlib import Path

import pytest

from simulator.scenario import standard_criteria
from simulator.scoring import PhraseDetector
from simulator.scoring.phrases import compile_phrase, tokenize

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "replies_dev.jsonl"


@pytest.fixture(scope="module")
def detector():
    return PhraseDetector(standard_criteria())


def found(detector, text):
    return {m.criterion for m in detector.detect(text)}


def test_contractions_read_like_the_long_form():
    assert [t.word for t in tokenize("I won't, it's fine.")] == ["i", "will", "not", "it", "is", "fine", "|"]
    assert compile_phrase("will not tolerate").search(" ".join(t.word for t in tokenize("I won't tolerate")))


def test_gap_and_choice_and_prefix():
    p = compile_phrase("(stop|quit) ... swear*")
    assert p.search("please stop all this swearing")
    assert not p.search("stop | swearing")  # never across sentences


def test_negated_ending_is_not_an_ending(detector):
    assert "announces_ending" not in found(detector, "I'm not going to hang up on you.")
    assert "announces_ending" in found(detector, "I'm hanging up now.")


def test_conditional_is_a_consequence_not_an_ending(detector):
    got = found(detector, "If you keep shouting, I'm going to end this call.")
    assert "states_consequence" in got and "announces_ending" not in got


def test_conditional_escalation_is_not_escalating(detector):
    got = found(detector, "If this continues I'll get my supervisor.")
    assert "escalates" not in got and "states_consequence" in got


def test_evidence_quotes_the_reply_exactly(detector):
    text = "Look, that comment was sexist. Please keep it professional."
    by = {m.criterion: m for m in detector.detect(text)}
    m = by["names_behavior"]
    assert text[m.start:m.end] == m.quote == "that comment was sexist"


def test_curly_apostrophes_match(detector):
    assert "names_behavior" in found(detector, "That language isn\u2019t acceptable.")


def test_every_criterion_matches_its_own_yes_examples_and_not_its_no_examples(detector):
    for c in standard_criteria().values():
        for text in c.examples.yes:
            assert c.id in found(detector, text), f"{c.id} missed its example: {text}"
        for text in c.examples.no:
            assert c.id not in found(detector, text), f"{c.id} matched its counter-example: {text}"


@pytest.mark.skipif(not EVAL.exists(), reason="the shared development set is not beside the repo")
def test_development_set_accuracy_does_not_regress(detector):
    rows = [json.loads(line) for line in EVAL.read_text().splitlines() if line.strip()]
    exact = sum(found(detector, r["text"]) == set(r["labels"]) for r in rows)
    assert exact / len(rows) >= 0.85
