"""The conversation engine: paths through real scenarios, events, call controls."""

from pathlib import Path

import pytest

from conftest import MINIMAL
from simulator.engine import CALL_ENDED, ESCALATED, STOPPED, CustomerSpoke, Session, SessionEnded, TurnRecorded
from simulator.engine.checkup import run_test
from simulator.engine.script import parse_step, run_script
from simulator.errors import EngineError
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector


def session_for(sf, **kw) -> Session:
    return Session(sf, PhraseDetector(sf.criteria), **kw)


@pytest.fixture
def tiny(write):
    return load_scenario(write(MINIMAL))


def test_every_shipped_scenario_passes_its_own_tests(shipped):
    for path in shipped:
        sf = load_scenario(path)
        assert sf.scenario.tests, f"{path.name} has no tests"
        for test in sf.scenario.tests:
            outcome = run_test(sf, test, PhraseDetector(sf.criteria))
            assert outcome.passed, f"{path.name}: {outcome.name}: {outcome.failures}"


@pytest.mark.parametrize("replies, path, ending", [
    (["Let me look.", "That remark is racist and it is not acceptable.", "I need you to keep this professional."],
     ["start", "remark", "challenged", "backs_down"], "backs_down"),
    (["Let me look.", "/escalate"], ["start", "remark", "escalated_at_once"], "escalated_at_once"),
    (["Let me look.", "That's inappropriate.", "/end"], ["start", "remark", "challenged", "left_after_naming"],
     "left_after_naming"),
    (["Let me look.", "Ok.", "Sure."], ["start", "remark", "doubles_down", "unresolved"], "unresolved"),
])
def test_racist_remark_paths(replies, path, ending):
    sf = load_scenario("scenarios/racist-remark-video-call.yaml")
    s = session_for(sf, seed=3)
    run_script(s, replies)
    assert s.path == path and s.ending.node == ending


@pytest.mark.parametrize("replies, ending", [
    (["/end"], "hung_up_without_warning"),
    (["Hmm.", "Okay.", "Right."], "customer_hangs_up"),
    # Asked to stop with no consequence said is not yet a warning.
    (["Please stop swearing at me.", "/end"], "hung_up_without_warning"),
    (["Please stop swearing at me. If it continues I will end the call.", "/end"], "ended_after_warning"),
    (["You're being ridiculous.", "/escalate"], "transferred"),
    # Handed over once warned: the debrief must not tell the trainee to warn first (a tester's finding).
    (["Please stop swearing at me. If it continues I will end the call.", "/escalate"], "transferred_after_warning"),
])
def test_swearing_caller_endings(replies, ending):
    s = session_for(load_scenario("scenarios/swearing-caller.yaml"), intensity="strong", seed=1)
    run_script(s, replies)
    assert s.ending.node == ending


def test_empathy_scenario_punishes_a_boundary_speech():
    s = session_for(load_scenario("scenarios/late-refund-empathy.yaml"))
    run_script(s, ["That is not acceptable, if you continue I will end the call."])
    assert s.path == ["start", "lectured"] and s.mood == "hostile"


def test_events_arrive_in_order(tiny):
    s = session_for(tiny, seed=0)
    events = []
    s.subscribe(events.append)
    s.start()
    s.reply("That language is not acceptable.")
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["TurnRecorded", "CustomerSpoke", "TurnRecorded", "TurnRecorded", "CustomerSpoke", "SessionEnded"]
    said = [e for e in events if isinstance(e, CustomerSpoke)]
    assert [e.turn.text for e in said] == ["You're useless!", "Fine."]
    recorded = [e.turn for e in events if isinstance(e, TurnRecorded)]
    assert recorded[1].speaker == "trainee" and recorded[1].criteria == ["names_behavior"]
    assert recorded[1].matches[0].quote == "That language is not acceptable"
    assert isinstance(events[-1], SessionEnded) and events[-1].ending.outcome == "good"


def test_turns_record_source_and_time(tiny):
    clock = iter(range(100, 200))
    s = Session(tiny, PhraseDetector(tiny.criteria), clock=lambda: float(next(clock)))
    s.start()
    s.reply("no", source="spoken", confidence=0.8, started_at=99.5)
    t = s.turns[1]
    assert (t.source, t.confidence, t.started_at, t.ended_at) == ("spoken", 0.8, 99.5, 101.0)
    assert t.node == "start" and s.turns[2].node == "angry"


def test_end_call_with_no_route_ends_at_the_built_in_ending(tiny):
    s = session_for(tiny)
    s.start()
    s.act("end_call")
    assert s.ending.node == CALL_ENDED and s.ending.reason == "end_call"


def test_escalate_with_no_route_transfers(tiny):
    s = session_for(tiny)
    s.start()
    s.act("escalate")
    assert s.ending.node == ESCALATED


def test_leaving_with_last_words_keeps_and_scores_them_and_the_customer_does_not_answer(tiny):
    # Sent as a reply, any words here would end the call at "angry" (else); said on the way out they do not.
    s = session_for(tiny)
    s.start()
    s.leave("end_call", "That language is not acceptable, so I'm ending the call.")
    assert s.ending.node == CALL_ENDED and s.ending.reason == "end_call" and s.path == ["start"]
    assert [(t.speaker, t.kind) for t in s.turns] == [("customer", "line"), ("trainee", "reply"), ("trainee", "action")]
    assert "names_behavior" in {m.criterion for m in s.turns[1].matches}


def test_only_end_call_and_escalate_leave_and_empty_words_are_not_a_reply(tiny):
    s = session_for(tiny)
    s.start()
    with pytest.raises(EngineError):
        s.leave("hold", "one moment")
    s.leave("escalate", "   ")
    assert s.ending.node == ESCALATED and [t.kind for t in s.turns] == ["line", "action"]


def test_hold_and_flag_keep_the_conversation_where_it_was(tiny):
    s = session_for(tiny)
    s.start()
    s.act("flag")
    s.act("hold")
    assert not s.finished and s.node_id == "start" and s.path == ["start"]
    assert [t.action for t in s.turns[1:]] == ["flag", "hold"]


def test_silence_follows_on_silence_or_repeats_the_line(tiny):
    s = session_for(tiny)
    s.start()
    s.silence()
    assert s.path == ["start", "start"] and s.turns[1].kind == "silence"
    refund = session_for(load_scenario("scenarios/late-refund-empathy.yaml"))
    refund.start()
    refund.reply("   ")
    assert refund.path == ["start", "not_listening"]


def test_variants_vary_with_the_seed_and_repeat_with_it():
    sf = load_scenario("scenarios/swearing-caller.yaml")
    firsts = set()
    for seed in range(20):
        s = session_for(sf, seed=seed)
        s.start()
        firsts.add(s.turns[0].line_id)
    assert firsts == {"start.mild.1", "start.mild.2"}
    a, b = session_for(sf, seed=7), session_for(sf, seed=7)
    a.start(), b.start()
    assert a.turns[0].text == b.turns[0].text


def test_stop_ends_gracefully_and_keeps_the_turns(tiny):
    s = session_for(tiny)
    s.start()
    s.stop()
    assert s.ending.node == STOPPED and s.ending.outcome == "stopped" and len(s.turns) == 1


def test_a_finished_session_refuses_more_replies(tiny):
    s = session_for(tiny)
    s.start()
    s.act("end_call")
    with pytest.raises(EngineError, match="the session is over"):
        s.reply("hello?")


def test_unknown_intensity_is_refused(tiny):
    with pytest.raises(EngineError, match="not an intensity"):
        session_for(tiny, intensity="extreme")


def test_script_lines_parse_to_steps():
    assert parse_step("/end").value == "end_call"
    assert parse_step("/escalate please").value == "escalate"
    assert parse_step("").kind == "silence" and parse_step("/silence").kind == "silence"
    assert parse_step("/stop").kind == "stop"
    with pytest.raises(EngineError, match="not a call control"):
        parse_step("/dance")
    # Words with a control that leaves the call are said on the way out, as words left in the app's box are.
    assert parse_step("/end ok, it's cancelled. bye").words == "ok, it's cancelled. bye"
    with pytest.raises(EngineError, match="silence says nothing"):
        parse_step("/silence but hello")


def test_words_said_with_the_hang_up_steer_where_the_scenario_asks_for_both():
    # The blunt customer: the fix said as the call is ended is not a hang-up on an unsolved problem (a tester
    # was told "ending the call left a paying customer with a wrong invoice" after fixing it).
    sf = load_scenario(Path(__file__).parents[1] / "scenarios" / "blunt-not-abusive.yaml")
    fixed = Session(sf, PhraseDetector(sf.criteria), seed=1)
    fixed.start()
    run_script(fixed, ["/end ok sorry, invoice 2214 is cancelled, have a good day"])
    assert fixed.ending.node == "closed_abruptly"
    assert [t.text for t in fixed.turns if t.kind == "reply" and t.speaker == "trainee"] == [
        "ok sorry, invoice 2214 is cancelled, have a good day"]
    bare = Session(sf, PhraseDetector(sf.criteria), seed=1)
    bare.start()
    run_script(bare, ["/end have a good day"])
    assert bare.ending.node == "hung_up"


def test_replies_after_the_end_are_returned(tiny):
    s = session_for(tiny)
    assert run_script(s, ["/end", "hello", "/flag"]) == ["hello", "flag"]


def test_the_customer_never_says_the_same_line_twice_running_where_the_node_has_another():
    # A tester stayed silent at a node of two variants and heard one line twice in a row.
    sf = load_scenario("scenarios/swearing-caller.yaml")
    for seed in range(20):
        s = session_for(sf, seed=seed)
        s.start()
        for _ in range(5):
            s.silence()
            if s.finished:
                break
        said = [t.line_id for t in s.turns if t.speaker == "customer"]
        assert all(a != b for a, b in zip(said, said[1:])), (seed, said)
