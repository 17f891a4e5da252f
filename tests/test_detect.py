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


def test_a_negation_stays_in_its_clause(detector):
    """Trying the app: "you haven't, so im ending this call now. goodbye" was evidenced by "goodbye" alone; the
    "not" of the clause before was read as negating the ending."""
    quotes = {m.criterion: m.quote for m in detector.detect("You haven't stopped, so I'm ending this call now.")}
    assert quotes["announces_ending"] == "I'm ending this call now"
    assert "announces_ending" in found(detector, "That's not okay, I'm ending this call now.")
    assert "announces_ending" in found(detector, "that is not ok but im ending this call now")
    assert "announces_ending" not in found(detector, "No I'm not ending this call.")
    assert "escalates" not in found(detector, "I'm not getting my manager, she is busy.")


def test_denying_it_is_not_doing_it(detector):
    """The close-case rule: negated or refused acts do not count. "Not saying" your conduct is rude names none of
    it, and "not sorry" for asking the customer to stop appeases nothing; the acts themselves still count."""
    assert "names_behavior" not in found(detector, "I'm not saying your attitude is rude, I only need the postcode.")
    assert "names_behavior" not in found(detector, "im not suggesting that your comments were offensive")
    assert "names_behavior" in found(detector, "Your comments were offensive.")
    assert "appeases_abuse" not in found(detector, "I am not sorry for asking you to stop shouting at me.")
    assert "appeases_abuse" in found(detector, "I'm so sorry for asking, I'm useless.")
    assert "appeases_abuse" in found(detector, "i'm ever so sorry for bothering you")


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


# -- the close-case rules of the criteria definitions ---------------------------

@pytest.mark.parametrize("text", [
    "If you carry on like this, I'll end the call.",
    "One more remark like that and I'll transfer you to my manager.",
    "Unless this stops, I will have to close the chat.",
])
def test_a_conditional_is_a_consequence_never_an_ending_or_escalation(detector, text):
    got = found(detector, text)
    assert "states_consequence" in got
    assert not got & {"announces_ending", "escalates"}


@pytest.mark.parametrize("text, criterion", [
    ("I'm not going to hang up on you.", "announces_ending"),
    ("My manager isn't available today.", "escalates"),
    ("I won't be ending this call.", "announces_ending"),
])
def test_negated_or_refused_actions_do_not_count(detector, text, criterion):
    assert criterion not in found(detector, text)


@pytest.mark.parametrize("text", [
    "It's not acceptable that your parcel is late.",
    "It's not okay that the engineer never came.",
])
def test_names_behavior_needs_the_customers_conduct_as_object(detector, text):
    assert "names_behavior" not in found(detector, text)


def test_names_behavior_about_the_customer_counts(detector):
    assert "names_behavior" in found(detector, "It's not acceptable that you call me names.")


@pytest.mark.parametrize("text", ["I'll note your new address.", "Let me write down your order number."])
def test_routine_notes_are_not_documenting(detector, text):
    assert "documents" not in found(detector, text)


def test_reporting_to_security_is_escalating_not_documenting(detector):
    got = found(detector, "I'm reporting this threat to security.")
    assert "escalates" in got and "documents" not in got


def test_quoting_an_insult_is_not_retaliating(detector):
    got = found(detector, "Calling me stupid is not okay.")
    assert "retaliates" not in got and "names_behavior" in got


# -- speech transcripts ------------------------------------------------------------

def test_lower_case_typing_is_typed(detector):
    # Typed or spoken comes from the turn, never from casing: chat-style text gets no speech repairs.
    assert "sets_expectation" not in found(detector, "he stopped wearing a week")
    assert "sets_expectation" in {m.criterion for m in detector.detect("he stopped wearing a week", spoken=True)}


def test_chat_shorthand_reads_as_the_words_it_stands_for(detector):
    assert [t.word for t in tokenize("pls dont swear at me u r being rude")] == \
        ["please", "do", "not", "swear", "at", "me", "you", "are", "being", "rude"]
    assert "sets_expectation" in found(detector, "pls dont swear at me")


def test_typos_of_criteria_words_are_fixed_in_typed_replies(detector):
    assert "names_behavior" in found(detector, "that language is unaccpetable")
    assert "escalates" in found(detector, "im getting my superviser now")
    # a real word is never "corrected", however close to a criteria word
    assert detector._vocabulary.repair_typed("shorting") == "shorting"


def test_spoken_phrases_apply_to_transcripts_only(detector):
    assert "escalates" in {m.criterion for m in detector.detect("going to bring a supervisor", spoken=True)}
    text = "the conversation is over"
    assert "announces_ending" in {m.criterion for m in detector.detect(text, spoken=True)}


def test_word_confidences_travel_with_the_match(detector):
    text = "i will be filing an incident report"
    confidences = [0.9, 0.9, 0.9, 0.9, 0.9, 0.3, 0.8]
    m = next(m for m in detector.detect(text, spoken=True, confidences=confidences) if m.criterion == "documents")
    assert m.confidence == 0.3
    assert all(m.confidence is None for m in detector.detect(text, spoken=True))


def test_classification_is_fast_enough_to_not_need_caching_per_reply(detector):
    # A behaviour check, not a timing one: the vocabulary repair caches its guesses.
    detector.detect("he stopped wearing a week", spoken=True)
    assert "wearing" in detector._vocabulary._heard


def test_optional_words_may_be_left_out():
    p = compile_phrase("what you (just)? said")
    assert p.search("what you just said") and p.search("what you said")
    assert not p.search("what you only said")


def test_a_polite_if_is_a_request_not_a_condition(detector):
    assert "sets_expectation" in found(detector, "I'd appreciate it if you stopped swearing.")
    assert "sets_expectation" not in found(detector, "If you stop swearing, we can continue.")


def test_another_remark_is_a_condition(detector):
    got = found(detector, "Another remark like that and I'm transferring you to my manager.")
    assert "states_consequence" in got and "escalates" not in got


def test_word_lists_are_expanded_and_unknown_ones_named(tmp_path):
    from simulator.errors import ScenarioError
    from simulator.scenario import load_criteria
    lib = tmp_path / "lib.yaml"
    lib.write_text("format: 1\nwords:\n  greeting: [hello, good morning]\ncriteria:\n"
                   "  - id: greets\n    dimension: manners\n    description: says hello\n"
                   "    phrases: ['@greeting there', '(hi|@greeting) friend']\n")
    greets = load_criteria(lib)["greets"]
    assert greets.phrases == ["(hello|good morning) there", "(hi|hello|good morning) friend"]
    assert {m.criterion for m in PhraseDetector({"greets": greets}).detect("Good morning there!")} == {"greets"}
    lib.write_text(lib.read_text().replace("'@greeting there'", "'@greetings there'"))
    with pytest.raises(ScenarioError) as info:
        load_criteria(lib)
    p = info.value.problems[0]
    assert p.message == "no word list called '@greetings'" and p.hint == "did you mean 'greeting'?" and p.line == 8


def test_projects_own_labelled_sets_do_not_regress(detector):
    data = Path(__file__).resolve().parent / "data"
    rows = [json.loads(line) for name in ("replies_heldout", "replies_fresh", "replies_untouched")
            for line in (data / f"{name}.jsonl").read_text().splitlines() if line.strip()]
    exact = sum(found(detector, r["text"]) == set(r["labels"]) for r in rows)
    assert exact / len(rows) >= 0.9


def test_a_phrase_of_a_word_or_two_is_quoted_with_the_rest_of_its_clause():
    """A tester read 'Please keep' as the evidence of a set expectation: it said nothing of what was asked."""
    from simulator.scenario import standard_criteria
    from simulator.scoring.detect import PhraseDetector
    rules = PhraseDetector(standard_criteria())
    quotes = {m.criterion: m.quote for m in rules.detect("Please keep this about your order or I will end the call.")}
    assert quotes["sets_expectation"] == "Please keep this about your order"  # up to the clause's end, not past "or"
    long = "I need you to stop using that language with me right now, today, please."
    (match,) = [m for m in rules.detect(long) if m.criterion == "sets_expectation"]
    assert match.quote == "I need you to stop using that language with me right now"  # to the comma, 8 words at most
    # a longer phrase reads on too: "i need u to keep" said nothing of what was to be kept (a trial in the app)
    (match,) = [m for m in rules.detect("i need u to keep this about the shipments pls") if m.criterion == "sets_expectation"]
    assert match.quote == "i need u to keep this about the shipments pls"
    spoken = [m for m in rules.detect("please keep this about your order or i will end the call", spoken=True)
              if m.criterion == "sets_expectation"]
    assert all(len(m.quote.split()) <= 3 for m in spoken)  # a transcript has no clause marks: the words matched


def test_a_phrase_found_inside_its_clause_is_quoted_from_the_clause_start():
    """A walker read "enough, comments like that are not okay" as the evidence: it began after "That's"."""
    from simulator.scenario import standard_criteria
    from simulator.scoring.detect import PhraseDetector
    rules = PhraseDetector(standard_criteria())

    def quote(text: str, criterion: str) -> str:
        (match,) = [m for m in rules.detect(text) if m.criterion == criterion]
        return match.quote

    assert quote("That's enough, comments like that are not okay.", "sets_expectation") == \
        "That's enough, comments like that are not okay"
    assert quote("ok thats enough comments like that arent ok", "sets_expectation").startswith("ok thats enough")
    # from after a conjunction, never over another criterion's words before it
    assert quote("Sir, I hear you, and I will end this call if the swearing continues.", "states_consequence") == \
        "I will end this call if the swearing continues"
    assert quote("you idiot, please stop swearing", "sets_expectation") == "please stop swearing"


def test_a_quote_read_on_stops_short_of_another_criterions_words():
    """A reviewer's case: the request's quote ran on over the insult after it."""
    from simulator.scenario import standard_criteria
    from simulator.scoring.detect import PhraseDetector
    found = {m.criterion: m for m in PhraseDetector(standard_criteria()).detect("Please stop calling me names you idiot")}
    assert found["sets_expectation"].quote == "Please stop calling me names"
    assert found["sets_expectation"].end <= found["retaliates"].start


def test_words_that_cost_points_stay_marked_inside_a_longer_good_quote():
    from PySide6.QtGui import QColor

    from simulator.ui.conversation import marked
    html = marked("Please stop calling me names you idiot", [(0, 38, False), (29, 38, True)],
                  QColor("#00ff00"), QColor("#ff0000"))
    assert '<span style="background-color:#ff0000">you idiot</span>' in html


def test_courtesy_shaped_like_a_request_is_no_rule_match_for_an_expectation():
    """'Please don't hesitate to call back' closes many calls; it asks nothing of the customer's conduct (a trial)."""
    from simulator.scenario import standard_criteria
    from simulator.scoring.detect import PhraseDetector
    rules = PhraseDetector(standard_criteria())
    for text in ("Please don't hesitate to call back.", "please dont worry, the fee is gone",
                 "Please don't feel you have to decide now."):
        assert "sets_expectation" not in {m.criterion for m in rules.detect(text)}, text
    for text in ("Please don't swear at me.", "please dont talk to me like that", "Please stop shouting."):
        assert "sets_expectation" in {m.criterion for m in rules.detect(text)}, text


@pytest.mark.parametrize("text", ["sorry, that was out of line of me", "That was rude of me, I apologise.",
                                  "that was unacceptable on my part"])
def test_owning_your_own_remark_names_no_behaviour_of_the_customers(detector, text):
    # The rule finds "that was out of line"; what comes right after it says whose conduct it was.
    assert "names_behavior" not in found(detector, text)


@pytest.mark.parametrize("text", ["That was rude of you.", "Stop making fun of me, that is unacceptable."])
def test_the_customers_conduct_is_still_named_beside_it(detector, text):
    assert "names_behavior" in found(detector, text)
