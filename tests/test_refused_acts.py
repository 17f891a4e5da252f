"""An act the trainee says they will not do is not that act, whichever part of the detector reads it.

A coach tried "I'm not going to end the call" (docs/authoring.md's own example of what must not count) and the
learned heads credited "Said clearly that you were ending the call": they weigh "end the call" and miss the
"not". The rules set such a phrase aside; a head's verdict resting on it now is set aside too, but only where a
first-person negation leads into the act. These sentences are written here, not taken from the corpus.
"""

from __future__ import annotations

import pytest

from simulator.scenario import standard_criteria
from simulator.scoring.detect import refused_act
from simulator.scoring.detector import build_detector


@pytest.fixture(scope="module")
def detector():
    return build_detector(standard_criteria())


REFUSED = [
    ("I'm not going to end the call", "announces_ending"),
    ("i'm not going to end the call", "announces_ending"),
    ("I'm not going to transfer you to my supervisor.", "escalates"),
    ("We are not going to put you through to a manager today.", "escalates"),
    ("I won't be writing any of this down.", "documents"),
]
DONE = [
    ("I'm going to end the call now.", "announces_ending"),
    ("We're not carrying on like this. I'm ending the call now.", "announces_ending"),
    ("that isnt ok this conversation is over", "announces_ending"),
    ("I'm not able to fix this myself, so I'm passing you to my supervisor.", "escalates"),
    ("I'm making a note of these comments on your account.", "documents"),
]


@pytest.mark.parametrize("text, criterion", REFUSED)
def test_an_act_the_trainee_refuses_is_not_credited(detector, text, criterion):
    assert criterion not in {m.criterion for m in detector.detect(text)}, text


HEARD_REFUSED = [
    ("i'm not going to end the call", "announces_ending"),
    # A transcript naming a supervisor alone counts as escalating (the recogniser drops the words around it), but
    # not in a clause the trainee began by refusing, however far back the "not" is.
    ("im not going to transfer you to my supervisor", "escalates"),
    ("i will not be getting a supervisor but i can help with the refund", "escalates"),
    ("we cant put you through to security today", "escalates"),
]
HEARD_DONE = [
    ("supervisor", "escalates"),
    ("thats not ok im getting my supervisor", "escalates"),  # the "not" is not the trainee refusing
    ("i wont hang up im getting my supervisor", "escalates"),  # a new subject after the refusal
    ("i cant help with that so my supervisor will call you back", "escalates"),  # a new clause
]


@pytest.mark.parametrize("text, criterion", HEARD_REFUSED)
def test_a_refusal_heard_is_not_credited_either(detector, text, criterion):
    assert criterion not in {m.criterion for m in detector.detect(text, spoken=True)}, text


@pytest.mark.parametrize("text, criterion", HEARD_DONE)
def test_the_act_heard_without_a_refusal_of_its_own_still_counts(detector, text, criterion):
    assert criterion in {m.criterion for m in detector.detect(text, spoken=True)}, text


@pytest.mark.parametrize("text, criterion", DONE)
def test_the_act_said_plainly_or_after_another_clause_still_counts(detector, text, criterion):
    assert criterion in {m.criterion for m in detector.detect(text)}, text


def test_refused_act_reads_the_negation_that_leads_into_the_words():
    def at(text: str, words: str) -> bool:
        start = text.index(words)
        return refused_act(text, start, start + len(words))

    assert at("I'm not going to end the call", "end the call")
    assert at("I'm not going to end the call", "I'm not going to end the call")  # the phrase holds the "not"
    assert at("No, I won't be getting you a manager.", "getting you a manager")
    assert not at("That isn't okay. I'm ending the call.", "ending the call")  # another sentence
    assert not at("we're not carrying on i'm ending the call", "i'm ending the call")  # a new subject
    assert not at("that isnt ok this conversation is over", "this conversation is over")  # not the speaker's act
    assert not at("I'm not happy with how this is going, so I'll end the call", "end the call")
