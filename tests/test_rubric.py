"""Session scoring: order rules, policy, penalties, uncertainty, measures, reproducibility."""

import re

import pytest

from conftest import REPO
from simulator.engine import Session
from simulator.engine.script import run_script
from simulator.scenario import Policy, load_scenario
from simulator.scoring import PhraseDetector, score_session

SWEARING = "scenarios/swearing-caller.yaml"
RACIST = "scenarios/racist-remark-video-call.yaml"
REFUND = "scenarios/late-refund-empathy.yaml"


def play(path: str, replies: list[str], **kw):
    sf = load_scenario(path)
    s = Session(sf, PhraseDetector(sf.criteria), seed=0, **kw)
    run_script(s, replies)
    return sf, s


def scored(path: str, replies: list[str], policy: Policy | None = None):
    sf, s = play(path, replies)
    return score_session(sf, s.turns, policy)


def verdicts(result) -> dict:
    return {v.item: v for d in result.dimensions for v in d.verdicts}


def dim(result, name):
    return next(d for d in result.dimensions if d.dimension == name)


def test_ending_the_call_without_a_warning_loses_points():
    result = scored(SWEARING, ["/end"])
    v = verdicts(result)
    assert v["end_call|escalate"].status == "missed" and v["end_call|escalate"].evidence[0].quote == "[End call]"
    # Said in terms of what the trainee did: "came before" was read as the app not hearing a warning never given.
    assert v["end_call|escalate"].feedback.startswith(
        "You did this without 'Stated the consequence' first, which has to come before it.")
    assert v["ended_without_warning"].status == "violated"
    assert dim(result, "disengaging").score == 0


def test_ending_after_a_warning_counts():
    result = scored(SWEARING, ["If you keep swearing I will end the call.", "/end"])
    v = verdicts(result)
    assert v["end_call|escalate"].status == "met" and "ended_without_warning" not in v
    assert v["announces_ending|escalates"].status == "missed"


def test_praise_names_what_the_trainee_did_of_the_alternatives():
    ended = verdicts(scored(SWEARING, ["If you keep swearing I will end the call.", "/end"]))["end_call|escalate"]
    escalated = verdicts(scored(SWEARING, ["If you keep swearing I will end the call.", "/escalate"]))["end_call|escalate"]
    assert ended.status == escalated.status == "met"
    assert ended.feedback == "You ended the call at the right moment."
    assert escalated.feedback.startswith("You escalated to a ") and "ended the call" not in escalated.feedback


def test_the_order_rule_holds_when_the_warning_never_came():
    result = scored(SWEARING, ["I'm ending this call now.", "/end"])
    v = verdicts(result)
    assert v["announces_ending|escalates"].status == "missed" and v["end_call|escalate"].status == "missed"


def test_policy_can_require_two_warnings():
    replies = ["If you keep swearing I will end the call.", "I'm ending this call now.", "/end"]
    one = scored(SWEARING, replies)
    two = scored(SWEARING, replies, Policy(format=1, warnings_before_ending=2))
    assert verdicts(one)["end_call|escalate"].status == "met"
    assert verdicts(two)["end_call|escalate"].status == "missed" and "2 warnings" in verdicts(two)["end_call|escalate"].feedback
    assert verdicts(two)["ended_without_warning"].status == "violated"
    assert two.overall < one.overall


def test_policy_where_agents_never_hang_up_expects_a_transfer():
    policy = Policy(format=1, agent_may_end_contact=False, escalate_to="team lead")
    hung_up = scored(SWEARING, ["If you keep swearing I will end the call.", "/end"], policy)
    transferred = scored(SWEARING, ["If you keep swearing I'll transfer you.", "/escalate"], policy)
    assert verdicts(hung_up)["end_call"].status == "violated"
    assert "transfer the call to a team lead" in verdicts(hung_up)["end_call"].feedback
    assert verdicts(transferred)["escalate"].status == "met"
    assert transferred.overall > hung_up.overall


def test_policy_requires_documenting_abuse(write):
    from conftest import MINIMAL
    text = MINIMAL.replace("persona:", "content: [insults]\npersona:").replace(
        "  boundary_setting: {criteria: [names_behavior], weight: 100}",
        "  boundary_setting: {criteria: [names_behavior], weight: 50}\n  escalation: {criteria: [escalates], weight: 50}")
    sf = load_scenario(write(text))

    def run(replies, policy=None):
        s = Session(sf, PhraseDetector(sf.criteria), seed=0)
        run_script(s, replies)
        return verdicts(score_session(sf, s.turns, policy))

    assert run(["That is not acceptable."])["documents|flag"].status == "missed"
    assert run(["/flag", "That is not acceptable."])["documents|flag"].status == "met"
    assert run(["I'm noting this on your account."])["documents|flag"].status == "met"
    assert "documents|flag" not in run(["That is not acceptable."], Policy(format=1, document_abuse=False))


def test_retaliation_costs_points_and_quotes_the_words():
    result = scored(SWEARING, ["Shut up and listen for once."])
    v = verdicts(result)["retaliates"]
    assert v.status == "violated" and v.evidence[0].quote == "Shut up"
    assert dim(result, "professionalism").score == 50


def test_appeasement_costs_points():
    result = scored(SWEARING, ["Sorry, you're right, I'm useless."])
    assert verdicts(result)["appeases_abuse"].status == "violated"
    assert dim(result, "professionalism").score == 50


def test_overall_is_the_weighted_mean():
    result = scored(SWEARING, ["Please stop swearing."])
    assert round(dim(result, "boundary_setting").score, 1) == 33.3
    expected = sum(d.score * d.weight for d in result.dimensions) / sum(d.weight for d in result.dimensions)
    assert result.overall == round(expected, 1)


def test_scenario_advice_replaces_the_criterion_advice():
    result = scored(REFUND, ["That language is not acceptable."])
    v = verdicts(result)["names_behavior"]
    assert v.status == "violated" and "angry, not abusive" in v.feedback


def test_low_confidence_violation_is_uncertain_and_not_counted():
    sf = load_scenario(SWEARING)
    s = Session(sf, PhraseDetector(sf.criteria), seed=0)
    s.start()
    s.reply("shut up and listen", source="spoken", confidence=0.4, word_confidences=(0.3, 0.35, 0.9, 0.9))
    result = score_session(sf, s.turns)
    v = verdicts(result)["retaliates"]
    assert v.status == "violated" and v.uncertain and v.evidence[0].confidence == 0.3
    assert dim(result, "professionalism").score == 100
    # the misses of a session with unclear speech are uncertain too, and leave the score alone
    assert verdicts(result)["names_behavior"].uncertain
    assert dim(result, "boundary_setting").score == 100


def test_confident_speech_counts_as_usual():
    sf = load_scenario(SWEARING)
    s = Session(sf, PhraseDetector(sf.criteria), seed=0)
    s.start()
    s.reply("shut up and listen", source="spoken", confidence=0.95, word_confidences=(0.9, 0.95, 0.9, 0.9))
    v = verdicts(score_session(sf, s.turns))["retaliates"]
    assert v.status == "violated" and not v.uncertain


def test_abuse_measures():
    clock = iter(float(x) for x in range(0, 1000, 5))
    sf = load_scenario(SWEARING)
    s = Session(sf, PhraseDetector(sf.criteria), seed=0, clock=lambda: next(clock))
    run_script(s, ["Okay, let me look.", "Please stop swearing.", "If you swear again I'll end the call.", "/end"])
    m = score_session(sf, s.turns).measures
    assert m.first_abuse_turn == 0 and m.turns_to_boundary == 2
    assert m.seconds_to_boundary == s.turns[3].started_at - s.turns[0].ended_at
    assert m.abusive_lines_before_warning == 3 and m.ended_after_warning is True


def test_the_measures_read_true_when_no_warning_came_and_after_a_threat():
    from dataclasses import asdict

    from simulator.scoring.measures import measure_sentences
    unwarned = asdict(scored(SWEARING, ["Okay, let me look.", "Please stop swearing.", "/end"]).measures)
    said = " ".join(measure_sentences(unwarned))
    assert "No warning was given (" in said and "before the first warning" not in said
    threat = asdict(scored("scenarios/threat-of-violence.yaml", ["Let me check that.", "/end"]).measures)
    assert threat["ended_after_threat"] and "no warning is owed" in " ".join(measure_sentences(threat))
    older = {k: v for k, v in unwarned.items() if k not in ("warned", "ended", "ended_after_threat")}
    assert "Ended after a warning: no." in measure_sentences(older)  # a record from before: read as it was
    assert measure_sentences({**unwarned, "seconds_to_boundary": None})[0].endswith("after the first abusive line.")


def test_no_abuse_no_measures():
    m = scored(REFUND, ["I can hear how frustrating this is."]).measures
    assert m.first_abuse_turn is None and m.ended_after_warning is None


def test_same_transcript_same_score_and_versions_recorded():
    a = scored(SWEARING, ["Please stop swearing.", "/flag", "/end"])
    b = scored(SWEARING, ["Please stop swearing.", "/flag", "/end"])
    assert a == b
    assert set(a.versions) == {"scenario", "criteria", "policy", "scorer", "detector"}
    assert all(len(v) == 64 for k, v in a.versions.items() if k not in ("scorer", "detector"))
    other_policy = scored(SWEARING, ["Please stop swearing."], Policy(format=1, escalate_to="security"))
    assert other_policy.versions["policy"] != a.versions["policy"]


@pytest.mark.parametrize("path", [SWEARING, RACIST, REFUND])
def test_scores_stay_between_0_and_100(path):
    for replies in (["/end"], ["Shut up, you idiot.", "Sorry, you're right, I'm useless.", "/escalate"], ["ok"] * 6):
        result = scored(path, replies)
        assert 0 <= result.overall <= 100 and all(0 <= d.score <= 100 for d in result.dimensions)


def test_a_boundary_set_too_late_does_not_count():
    stalling = ["Okay.", "Right.", "Hmm."]
    sf = load_scenario(SWEARING)
    assert sf.scenario.rubric["boundary_setting"].within == 3
    # the customer hangs up after three ignored lines, so check the rule on a hand-made transcript instead
    from simulator.engine import Turn
    from simulator.scoring import PhraseDetector as P
    detect = P(sf.criteria).detect
    turns = [Turn(0, "customer", "line", "start", "Four bloody days!")]
    for i, text in enumerate([*stalling, "Please stop swearing."], start=1):
        turns.append(Turn(i, "trainee", "reply", "start", text, matches=tuple(detect(text))))
    v = verdicts(score_session(sf, turns))["sets_expectation"]
    assert v.status == "missed" and v.feedback.startswith("This came too late: within 3 replies")
    in_time = turns[:2] + [Turn(2, "trainee", "reply", "start", "Please stop swearing.",
                                matches=tuple(detect("Please stop swearing.")))]
    assert verdicts(score_session(sf, in_time))["sets_expectation"].status == "met"


def test_hold_and_flag_are_not_replies_for_the_boundary_deadline():
    # A tester named the behaviour, held and flagged the call, then warned twice: both warnings were marked
    # "came too late", since Hold and Flag counted as two of the three replies allowed.
    replies = ["Please stop swearing at me.", "/hold", "/flag", "I need you to speak to me without swearing.",
               "If you keep swearing I will end this call.", "/end"]
    result = scored(SWEARING, replies)
    v = verdicts(result)
    assert v["sets_expectation"].status == "met" and v["states_consequence"].status == "met"
    assert "too late" not in " ".join(x.feedback for x in v.values())
    # Silences still count: a trainee quiet for three of them is late.
    late = scored(SWEARING, ["/silence", "/silence", "/silence", "If you keep swearing I will end this call."])
    assert verdicts(late)["states_consequence"].status != "met"


WARNING = "Please stop swearing at me. If it continues I will end the call."


@pytest.mark.parametrize("path", [SWEARING, "scenarios/sexist-caller.yaml", "scenarios/chat-harassment.yaml"])
def test_handing_over_without_a_flag_says_why_escalation_was_missed(path):
    # A tester warned, handed the call to a supervisor and saw Escalation 0 with nothing to say why.
    v = verdicts(scored(path, [WARNING, "/escalate"]))["documents|flag"]
    assert v.status == "missed" and "Flag" in v.feedback and "do both" in v.feedback


def test_saying_the_call_is_logged_counts_as_a_record_like_the_flag():
    said = dim(scored(SWEARING, [WARNING, "I'm logging this call on your account as abusive.", "/end"]), "escalation")
    flagged = dim(scored(SWEARING, [WARNING, "/flag", "/end"]), "escalation")
    assert said.score == flagged.score == 100


def test_an_ending_after_too_few_warnings_says_how_many_were_given():
    policy = Policy(format=1, warnings_before_ending=2)
    early = verdicts(scored(SWEARING, ["If you swear again I will end this call.", "/end"], policy))["end_call|escalate"]
    assert early.status == "missed"
    assert early.feedback.startswith("You did this after 1 of the 2 warnings that have to come first.")
    none = verdicts(scored(SWEARING, ["/end"], policy))["end_call|escalate"]
    assert none.feedback.startswith("You did this without 2 warnings first, which have to come before it.")


def test_on_the_video_call_saying_the_remark_is_recorded_counts_like_the_flag():
    start = ["Let me look.", "That remark is racist and it is not acceptable."]
    said = dim(scored(RACIST, [*start, "I'm documenting that comment. I'm also reporting it to my manager."]), "escalation")
    flagged = dim(scored(RACIST, [*start, "/flag", "I'm reporting this to my manager."]), "escalation")
    assert said.score == flagged.score == 100


@pytest.mark.parametrize("path", [SWEARING, "scenarios/sexist-caller.yaml", "scenarios/chat-harassment.yaml"])
def test_handing_over_after_an_ignored_warning_disengages_as_ending_would(path):
    # A tester warned, pressed Escalate when it was ignored, read a debrief that praised it, and saw
    # Disengaging 0 with "end the call" as the thing to try next.
    handed = dim(scored(path, [WARNING, "I'm passing you to my supervisor now.", "/escalate"]), "disengaging")
    ended = dim(scored(path, [WARNING, "I'm ending this now. Goodbye.", "/end"]), "disengaging")
    assert handed.score == ended.score == 100
    early = verdicts(scored(path, ["/escalate"]))["end_call|escalate"]
    assert early.status == "missed" and early.feedback.startswith("You did this without")


def test_an_agent_who_may_not_hang_up_sees_escalate_once_in_an_item():
    result = scored(SWEARING, [WARNING, "/escalate"], Policy(format=1, agent_may_end_contact=False))
    assert "escalate" in verdicts(result) and "escalate|escalate" not in verdicts(result)


def test_on_a_web_chat_the_advice_says_chat_not_call():
    result = scored("scenarios/chat-harassment.yaml", ["/end"])
    said = " ".join(v.feedback for d in result.dimensions for v in d.verdicts)
    assert "end the chat" in said.lower() and not re.search(r"\b(the|this) call\b", said)


def test_times_in_reports_are_said_to_the_second_or_the_tenth():
    from simulator.scoring.measures import seconds_said
    assert [seconds_said(s) for s in (44.26, 10.0, 9.96, 0.84, 0.0)] == ["44 s", "10 s", "10 s", "0.8 s", "0.0 s"]


def test_call_controls_are_not_counted_as_replies_to_the_first_boundary():
    sf, s = play(SWEARING, ["/hold", "/flag", "If you keep swearing I will end the call."])
    assert score_session(sf, s.turns).measures.turns_to_boundary == 1


def test_a_score_reads_as_it_is_kept_never_rounded_up_to_the_pass_mark():
    """Rounded to whole numbers, 69.5 read "70 / 100" beside "Not there yet" at a pass mark of 70, and review
    showed 78 where the exported spreadsheet said 77.5."""
    from simulator.scoring.verdict import figure
    from simulator.ui.results_page import headline
    assert [figure(x) for x in (70.0, 69.5, 77.5, 100.0, 0.0, 66.66, 99.96)] == \
        ["70", "69.5", "77.5", "100", "0", "66.7", "100"]
    sf = load_scenario(REPO / "scenarios" / "swearing-caller.yaml")
    result = score_session(sf, [])
    from dataclasses import replace
    assert headline(replace(result, overall=69.5), True, "", 70)[:2] == ("69.5 / 100", "Not there yet")
    assert headline(replace(result, overall=70.0), True, "", 70)[:2] == ("70 / 100", "Well handled")
