"""Session scoring: order rules, penalties, weights, evidence and feedback."""

from simulator.engine import Session
from simulator.engine.script import run_script
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector, score_session

SWEARING = "scenarios/swearing-caller.yaml"


def scored(path: str, replies: list[str]):
    sf = load_scenario(path)
    s = Session(sf, PhraseDetector(sf.criteria), seed=0)
    run_script(s, replies)
    return score_session(sf, s.turns)


def verdicts(result) -> dict:
    return {v.item: v for d in result.dimensions for v in d.verdicts}


def test_ending_the_call_without_a_warning_does_not_count():
    result = scored(SWEARING, ["/end"])
    end = verdicts(result)["end_call"]
    assert end.status == "missed" and end.evidence[0].quote == "[End call]"
    assert end.feedback.startswith("This came before 'states consequence'.")


def test_ending_after_a_warning_counts():
    result = scored(SWEARING, ["If you keep swearing I will end the call.", "/end"])
    assert verdicts(result)["end_call"].status == "met"
    assert verdicts(result)["announces_ending"].status == "missed"


def test_the_order_rule_holds_when_the_warning_never_came():
    result = scored(SWEARING, ["I'm ending this call now.", "/end"])
    v = verdicts(result)
    assert v["announces_ending"].status == "missed" and v["end_call"].status == "missed"


def test_retaliation_costs_points_and_quotes_the_words():
    result = scored(SWEARING, ["Shut up and listen for once."])
    v = verdicts(result)["retaliates"]
    assert v.status == "violated" and v.evidence[0].quote == "Shut up"
    prof = next(d for d in result.dimensions if d.dimension == "professionalism")
    assert prof.score == 50


def test_overall_is_the_weighted_mean():
    result = scored(SWEARING, ["Please stop swearing."])
    by = {d.dimension: d for d in result.dimensions}
    assert round(by["boundary_setting"].score, 1) == 33.3
    expected = sum(d.score * d.weight for d in result.dimensions) / sum(d.weight for d in result.dimensions)
    assert result.overall == round(expected, 1)


def test_scenario_advice_replaces_the_criterion_advice():
    result = scored("scenarios/late-refund-empathy.yaml", ["That language is not acceptable."])
    v = verdicts(result)["names_behavior"]
    assert v.status == "violated" and "angry, not abusive" in v.feedback
