"""What a scenario assesses, in plain words before the session: made from the rubric and the policy, with every
item the scorer will judge named, for every shipped scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from simulator.engine import Session
from simulator.scenario import Policy, load_scenario
from simulator.scenario.loader import load_policy
from simulator.scoring import PhraseDetector, score_session
from simulator.scoring.assessed import EARLY_ENDING, as_text, what_is_assessed

SHIPPED = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if p.stem not in ("criteria", "policy"))


def _silent_verdicts(sf, policy) -> set[tuple[str, str]]:
    """Every expected item the scorer judges: a session with no replies at all gets a verdict on each."""
    session = Session(sf, PhraseDetector(sf.criteria), seed=0)
    return {(d.dimension, v.item) for d in score_session(sf, session.turns, policy).dimensions for v in d.verdicts}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_assessed_item_of_a_shipped_scenario_is_named_before_the_session(path: Path):
    sf, policy = load_scenario(path), load_policy()
    dims = what_is_assessed(sf, policy)
    text = as_text(dims)
    named = {(d.dimension, i.item): i for d in dims for i in d.items}
    assert [d.dimension for d in dims] == list(sf.scenario.rubric)
    for dimension, rubric in sf.scenario.rubric.items():
        # Everything in the rubric is there: what to do (as the policy applies it) and what to avoid.
        for entry in rubric.avoid:
            assert named[(dimension, entry)].kind == "avoid" and named[(dimension, entry)].text in text
    for key in _silent_verdicts(sf, policy):
        assert key in named and named[key].kind == "do", key
        assert named[key].text in text
    # Plain words: no criterion ids, and every line says something.
    for item in named.values():
        assert "_" not in item.text and len(item.text.split()) >= 2, item
    assert sum(d.share for d in dims) in (99, 100, 101)


def test_the_policy_changes_what_is_assessed():
    sf = load_scenario(REPO / "scenarios/swearing-caller.yaml")
    default = {i.item: i.text for d in what_is_assessed(sf, Policy(format=1)) for i in d.items}
    assert default["end_call|escalate"] == "End the call or transfer the call to a supervisor, only after a clear warning"
    assert "Ending the call before a clear warning costs points" in default[EARLY_ENDING]
    strict = {(d.dimension, i.item): i for d in what_is_assessed(
        sf, Policy(format=1, agent_may_end_contact=False, warnings_before_ending=2, escalate_to="team lead"))
        for i in d.items}
    assert strict[("disengaging", "escalate")].text == "Transfer the call to a team lead, only after 2 clear warnings"
    assert strict[("disengaging", "end_call")].kind == "rule"
    assert "not to hang up" in strict[("disengaging", "end_call")].text
    assert ("disengaging", "end_call") not in {k for k, i in strict.items() if i.kind == "do"}


def test_on_a_chat_the_words_say_chat_not_call():
    text = as_text(what_is_assessed(load_scenario(REPO / "scenarios/chat-harassment.yaml"), load_policy()))
    assert "End the chat or transfer the chat to a supervisor, only after a clear warning" in text
    assert "Say clearly that you are ending the chat" in text
    assert "the call" not in text


def test_boundaries_within_a_few_replies_say_so():
    sf = load_scenario(REPO / "scenarios/swearing-caller.yaml")
    boundary = next(d for d in what_is_assessed(sf) if d.dimension == "boundary_setting")
    assert boundary.condition == "within your first 3 replies after the first abusive line"
    assert [i.text for i in boundary.items] == ["Name the behaviour as unacceptable", "Say what you need from them",
                                                "Say what happens if it continues"]


def test_a_scenario_s_own_criterion_speaks_through_its_description():
    sf = load_scenario(REPO / "scenarios/venue-safety-rules.yaml")
    texts = [i.text for d in what_is_assessed(sf) for i in d.items]
    assert "Say plainly what the safety problem is" in texts
    assert "Don't let the safety problem stand to keep the client happy" in texts


def test_where_ending_is_itself_to_avoid_the_early_ending_rule_does_not_read_as_permission():
    """'Don't end the call' beside 'ending before a warning costs points' read as if ending after one were fine."""
    text = as_text(what_is_assessed(load_scenario(REPO / "scenarios" / "apologises-after-boundary.yaml")))
    assert "Don't end the call" in text
    assert "Ending the call before a clear warning costs more points" in text
    swearing = as_text(what_is_assessed(load_scenario(REPO / "scenarios" / "swearing-caller.yaml")))
    assert "Ending the call before a clear warning costs points" in swearing  # ending is expected there
