"""The practice plan's rule, on hand-made histories: what comes up next, why, and what waits."""

from __future__ import annotations

from simulator.scenario.library import available
from simulator.scoring.plan import (DAY, Assigned, Attempt, ScenarioInfo, plan, scenario_info, skill_boxes,
                                    unlocked_levels)

NOW = 1_800_000_000.0

BLUNT = ScenarioInfo("blunt", "Blunt customer with a double invoice", "easy", ("standard",),
                     frozenset({"acknowledges_feelings", "restates_problem"}))
REFUND = ScenarioInfo("refund", "Late refund", "easy", ("standard",),
                      frozenset({"acknowledges_feelings", "restates_problem", "redirects_to_issue"}))
SWEARING = ScenarioInfo("swearing", "Broadband caller keeps swearing", "medium", ("mild", "strong"),
                        frozenset({"names_behavior", "states_consequence", "announces_ending", "end_call",
                                   "retaliates"}), frozenset({"retaliates"}))
VENUE = ScenarioInfo("venue", "Venue blocks the fire exits", "medium", ("mild", "strong"),
                     frozenset({"names_behavior", "sets_expectation", "states_consequence"}))
THREAT = ScenarioInfo("threat", "A tenant threatens violence", "hard", ("mild", "strong"),
                      frozenset({"escalates", "documents", "end_call"}))
LIBRARY = [BLUNT, REFUND, SWEARING, VENUE, THREAT]


def played(sid: str, days_ago: float, intensity: str | None = None, score: float = 80, **verdicts: str) -> Attempt:
    return Attempt(sid, NOW - days_ago * DAY, score, intensity, verdicts)


def test_with_no_history_the_easy_scenarios_come_first_and_the_hard_one_waits():
    suggestions = plan(LIBRARY, [], NOW)
    assert [s.scenario_id for s in suggestions] == ["blunt", "refund"]
    assert all(s.kind == "new" for s in suggestions)
    assert "Blunt customer with a double invoice" in suggestions[0].reason


def test_unplayed_difficult_scenarios_wait_until_the_easier_ones_are_done():
    # One easy scenario still unplayed: neither medium nor hard is offered as new.
    history = [played("blunt", 1, acknowledges_feelings="met", restates_problem="met")]
    ids = [s.scenario_id for s in plan(LIBRARY, history, NOW)]
    assert ids == ["refund"]
    # Both easy ones played: the medium ones open, the hard one still waits.
    history.append(played("refund", 1, acknowledges_feelings="met", restates_problem="met", redirects_to_issue="met"))
    ids = [s.scenario_id for s in plan(LIBRARY, history, NOW)]
    assert set(ids) == {"swearing", "venue"} and "threat" not in ids
    assert unlocked_levels(LIBRARY, {"blunt", "refund"}) == {"easy", "medium"}
    # Every easy and medium one played: the hard one comes up.
    history += [played("swearing", 1, "mild", names_behavior="met", states_consequence="met", announces_ending="met",
                       end_call="met"),
                played("venue", 1, "mild", names_behavior="met", sets_expectation="met", states_consequence="met")]
    assert "threat" in [s.scenario_id for s in plan(LIBRARY, history, NOW)]


def test_a_missed_criterion_brings_up_a_scenario_that_exercises_it_and_names_both():
    history = [played("blunt", 3, acknowledges_feelings="met", restates_problem="met"),
               played("refund", 2, acknowledges_feelings="met", restates_problem="met", redirects_to_issue="met"),
               played("venue", 1, "mild", 40, names_behavior="met", sets_expectation="met",
                      states_consequence="missed")]
    first = plan(LIBRARY, history, NOW)[0]
    assert first.kind == "missed" and first.skill == "states_consequence"
    # Another scenario that asks for it, not the one just played.
    assert first.scenario_id == "swearing"
    assert first.reason == ("You haven't yet stated a consequence (what happens if the abuse goes on): "
                            "try “Broadband caller keeps swearing”, mild.")  # the title quoted in the sentence


def test_something_to_avoid_that_happened_comes_up_in_plain_words():
    history = [played("blunt", 3), played("refund", 2),
               played("swearing", 1, "mild", 30, names_behavior="met", retaliates="violated")]
    first = plan(LIBRARY, history, NOW)[0]
    assert first.skill == "retaliates" and first.reason.startswith("Last time you answered in kind")


def test_a_skill_done_well_recently_is_not_repeated():
    history = [played("blunt", 5, acknowledges_feelings="met", restates_problem="met"),
               played("refund", 1, acknowledges_feelings="met", restates_problem="met", redirects_to_issue="met")]
    suggestions = plan(LIBRARY, history, NOW)
    assert not any(s.skill in {"acknowledges_feelings", "restates_problem", "redirects_to_issue"} for s in suggestions)
    assert all(s.kind == "new" for s in suggestions)


def test_a_skill_not_practised_for_weeks_comes_up_again():
    history = [played("blunt", 35.4, acknowledges_feelings="met", restates_problem="met"),
               played("refund", 35.3, acknowledges_feelings="met", restates_problem="met", redirects_to_issue="met"),
               played("swearing", 35.2, "mild", names_behavior="met", states_consequence="met", announces_ending="met",
                      end_call="met"),
               played("venue", 35.1, "mild", names_behavior="met", sets_expectation="met", states_consequence="met"),
               played("threat", 35, "mild", escalates="met", documents="met", end_call="met")]
    refresh = [s for s in plan(LIBRARY, history, NOW, limit=10) if s.kind == "refresh"]
    assert refresh, "skills last practised five weeks ago should come up again"
    assert "It has been 5 weeks since you last" in refresh[0].reason
    # The same history two days after it was played (all on one day): nothing is due yet.
    soon = NOW - 35 * DAY + 2 * DAY
    assert not [s for s in plan(LIBRARY, [a for a in history], soon, limit=10) if s.kind == "refresh"]


def test_the_leitner_boxes_rise_with_each_success_and_fall_back_on_a_miss():
    history = [played("venue", 30, names_behavior="met"), played("venue", 20, names_behavior="met"),
               played("venue", 10, names_behavior="met")]
    assert skill_boxes(history)["names_behavior"].box == 4
    history.append(played("venue", 1, names_behavior="missed"))
    assert skill_boxes(history)["names_behavior"].box == 1


def test_the_next_intensity_comes_up_once_the_milder_one_is_passed():
    history = [played(s.id, 1, s.intensities[0], 90, **{k: "met" for k in s.skills - s.avoid}) for s in LIBRARY]
    step = [s for s in plan(LIBRARY, history, NOW, limit=10) if s.kind == "step_up"]
    assert {s.scenario_id for s in step} == {"swearing", "venue", "threat"}
    assert all(s.intensity == "strong" for s in step)
    # Failed at mild since: mild again, not a step up (a walker was told "try it at strong" after 0 at mild).
    swearing = next(s for s in LIBRARY if s.id == "swearing")
    again = history + [played("swearing", 0.5, swearing.intensities[0], 0, names_behavior="missed")]
    shown = plan(LIBRARY, again, NOW, limit=10)
    assert "swearing" not in {s.scenario_id for s in shown if s.kind == "step_up"}
    assert all(s.intensity == swearing.intensities[0] for s in shown if s.scenario_id == "swearing")


def test_an_assignment_comes_first_until_it_is_played():
    task = Assigned("threat", "strong", NOW + 3 * DAY, NOW - DAY)
    first = plan(LIBRARY, [], NOW, assigned=[task])[0]
    assert (first.scenario_id, first.intensity, first.kind) == ("threat", "strong", "assigned")
    assert "Assigned by your manager, due" in first.reason
    done = [played("threat", 0.5, "strong", 50)]
    assert all(s.kind != "assigned" for s in plan(LIBRARY, done, NOW, assigned=[task]))
    # A session from before it was assigned does not count toward it.
    before = [played("threat", 2, "strong", 90)]
    assert plan(LIBRARY, before, NOW, assigned=[task])[0].kind == "assigned"


def test_the_list_is_short_and_names_each_scenario_once():
    history = [played("venue", 1, "mild", 10, names_behavior="missed", sets_expectation="missed",
                      states_consequence="missed")]
    suggestions = plan(LIBRARY, history, NOW, limit=3)
    ids = [s.scenario_id for s in suggestions]
    assert len(ids) <= 3 and len(set(ids)) == len(ids)


def test_the_shipped_library_reads_as_scenarios_with_skills():
    good, _ = available()
    infos = {i.id: i for i in map(scenario_info, good)}
    swearing = infos["swearing-caller"]
    assert {"names_behavior", "states_consequence", "end_call"} <= swearing.skills
    assert "retaliates" in swearing.avoid and swearing.intensities[0] == "mild"
    first = plan(list(infos.values()), [], NOW)[0]
    assert infos[first.scenario_id].difficulty == "easy"


def test_a_missed_skill_is_never_practised_where_the_rubric_asks_to_avoid_it():
    calm = ScenarioInfo("calm", "A brisk customer", "easy", ("standard",),
                        frozenset({"acknowledges_feelings", "announces_ending"}), frozenset({"announces_ending"}))
    library = [calm, SWEARING]
    history = [played("calm", 3), played("swearing", 1, "mild", 20, announces_ending="missed")]
    first = plan(library, history, NOW)[0]
    assert (first.skill, first.scenario_id) == ("announces_ending", "swearing")
    # Done where it was to be avoided: practised where avoiding it is the lesson, and said so.
    history.append(played("calm", 0.5, None, 40, announces_ending="violated"))
    first = plan(library, history, NOW)[0]
    assert (first.scenario_id, first.skill) == ("calm", "not:announces_ending")
    assert first.reason.startswith("Last time you said clearly that you were ending the call where it was not called for")


def test_skills_missed_together_come_up_in_the_order_a_conversation_teaches_them():
    history = [played("blunt", 3), played("refund", 2),
               played("venue", 1, "mild", 10, states_consequence="missed", names_behavior="missed")]
    skills = [s.skill for s in plan(LIBRARY, history, NOW) if s.kind == "missed"]
    assert skills[:2] == ["names_behavior", "states_consequence"]


def test_avoiding_something_well_is_spaced_like_any_skill_and_said_in_plain_words():
    history = [played("swearing", 40, "mild", 50)]  # no answering in kind: the only thing the scorer saw
    boxes = skill_boxes(history, {"swearing": frozenset({"retaliates"})})
    assert boxes["retaliates"].box == 2 and boxes["retaliates"].last_status == "met"
    refresh = [s for s in plan([SWEARING], history, NOW, limit=10) if s.skill == "retaliates"]
    assert refresh and refresh[0].reason.startswith("It has been 5 weeks since you last stayed calm under abuse")


def test_a_miss_from_an_earlier_session_says_when_it_was():
    calm = ScenarioInfo("calm", "A brisk customer", "easy", ("standard",),
                        frozenset({"acknowledges_feelings", "end_call"}), frozenset({"end_call"}))
    history = [played("calm", 3, None, 40, end_call="violated"),
               played("swearing", 1, "mild", 80, names_behavior="met", end_call="met")]
    first = plan([calm, SWEARING], history, NOW)[0]
    assert first.skill == "not:end_call"
    assert first.reason.startswith("On ") and "you ended the call yourself where it was not called for: try “A brisk" \
        in first.reason


def test_a_certificate_about_to_lapse_or_lapsed_or_still_needed_comes_up_in_its_place():
    from simulator.scoring.plan import Required
    history = [played("blunt", 3), played("refund", 2)]
    required = [Required("swearing", "strong", "Handling abusive callers", NOW + 10 * DAY),
                Required("venue", None, "Safety talk", NOW - 2 * DAY),
                Required("threat", None, "Threats", None)]
    suggestions = plan(LIBRARY, history, NOW, required=required, limit=10)
    kinds = [(s.scenario_id, s.kind) for s in suggestions]
    assert kinds[:2] == [("venue", "renew"), ("swearing", "renew")]
    assert suggestions[0].reason.startswith("Certificate “Safety talk” lapsed on ")
    assert suggestions[0].reason.endswith(": pass “Venue blocks the fire exits”, mild again to earn it back.")
    assert suggestions[1].reason.endswith("pass “Broadband caller keeps swearing”, strong again to renew it.")
    # A hard scenario a certificate needs still waits for the easier ones, unless a manager assigns it.
    assert "threat" not in [s.scenario_id for s in suggestions]
    history += [played("swearing", 1, "mild"), played("venue", 1, "mild")]
    assert ("threat", "certificate") in [(s.scenario_id, s.kind) for s in plan(LIBRARY, history, NOW,
                                                                                required=required, limit=10)]


def test_an_escalation_made_too_early_is_said_as_done_at_the_wrong_point_not_as_never_done(tmp_path):
    # The walker escalated with no warning first and read "Last time, you hadn't transferred a call to a
    # supervisor" and "you hadn't stated a consequence before ending a call", having ended no call.
    from storefill import play

    from simulator.store import Store
    from simulator.store.attempts import attempts_of
    with Store(tmp_path) as store:
        play(store, "swearing-caller", ["I'm putting you through to my supervisor now.", "/escalate"], "Ana")
        attempts = attempts_of(store, "Ana")
    verdicts = attempts[0].verdicts
    assert verdicts["escalate"] == verdicts["escalates"] == "mistimed"  # what was done, of each pair of alternatives
    assert not {"end_call", "end_call|escalate", "announces_ending", "announces_ending|escalates"} & set(verdicts)
    library = [scenario_info(sf) for sf in available()[0]]
    reasons = [s.reason for s in plan(library, attempts, attempts[0].at + 60, limit=30)]
    # Said with where it happened, since the plan suggests another scenario to practise it in: a tester read
    # "Last time, you hadn't ...: try “Broadband caller…”" beside that scenario's 100/100.
    assert any(r.startswith("Last time, in “Broadband caller keeps swearing after a warning”, you brought in a "
                            "supervisor, but not at a point in the call where it counted: try “") for r in reasons), reasons
    assert not any("ending the call" in r or "ended the call" in r or "hadn't" in r for r in reasons), reasons


def test_an_item_missed_in_one_dimension_stays_missed_when_it_was_done_too_early_there(tmp_path):
    # A coach's rubric may score "end_call|escalate" in two dimensions: met in one, done too early in the other.
    # The item counts as missed (as a miss in either always did), not as a met pair beside a mistimed escalate.
    import json
    from types import SimpleNamespace

    from simulator.store import Store
    from simulator.store.attempts import attempts_of
    from simulator.store.database import save_result, turn_row
    with Store(tmp_path) as store:
        tid = store.trainee_id("Ana")
        with store.write() as db:
            db.execute("INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256, started_at,"
                       " ended_at, status, path) VALUES ('s1', ?, 'swearing-caller', 'S', ?, 1, 2, 'completed', '[]')",
                       (tid, "0" * 64))
            turn = SimpleNamespace(index=1, speaker="trainee", kind="action", node="start", text="", line_id=None,
                                   source="typed", action="escalate", confidence=None, word_confidences=(),
                                   started_at=1.0, ended_at=1.5, matches=[])
            db.execute("INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action,"
                       " confidence, word_confidences, matches, started_at, ended_at, audio)"
                       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", turn_row("s1", turn, None))
            early = [{"turn": 1, "quote": "[Escalate to supervisor]", "start": 0, "end": 0}]
            save_result(db, "s1", {"overall": 50.0, "measures": {}, "versions": {}, "dimensions": {
                "disengaging": {"score": 0, "weight": 50, "verdicts": [
                    {"item": "end_call|escalate", "status": "missed", "evidence": early, "feedback": ""}]},
                "took_action": {"score": 100, "weight": 50, "verdicts": [
                    {"item": "end_call|escalate", "status": "met", "evidence": early, "feedback": ""}]}}})
        verdicts = attempts_of(store, "Ana")[0].verdicts
    assert verdicts == {"escalate": "mistimed"}, json.dumps(verdicts)


def test_a_missed_skill_is_practised_in_another_scenario_than_the_one_just_played_where_one_fits():
    # The second walker missed a skill in "A blunt customer..." and was sent back to it, though three others ask for
    # it: the rule's "not the one just played" never held (its sort read the list's length while sorting it: 0).
    library = [scenario_info(sf) for sf in available()[0]]
    history = [Attempt("blunt-not-abusive", NOW - DAY, 60, "mild",
                       {"acknowledges_feelings": "missed", "restates_problem": "met"})]
    first = plan(library, history, NOW)[0]
    assert first.skill == "acknowledges_feelings" and first.scenario_id != "blunt-not-abusive"


def test_a_scenario_practised_but_never_assessed_is_not_called_new():
    # A walker practised the blunt customer (practice only: not an attempt) and read "New to you" about it.
    suggestions = plan(LIBRARY, [], NOW, practised=frozenset({"blunt"}))
    blunt, refund = suggestions[:2]
    assert blunt.scenario_id == "blunt" and blunt.reason.startswith("Practised, not yet assessed")
    assert "for a score" in blunt.reason and "New to you" not in blunt.reason
    assert refund.reason.startswith("New to you")


def test_a_coachs_own_criterion_reads_as_a_sentence_by_its_label():
    # A walker read "You haven't yet did 'rebooks visit': try ..." (broken English and a criterion's id).
    visit = ScenarioInfo("visit", "Engineer missed the visit", "easy", ("standard",), frozenset({"rebooks_visit"}))
    history = [played("visit", 2, rebooks_visit="missed")]
    reasons = [s.reason for s in plan([visit], history, NOW)]
    assert reasons and reasons[0].startswith("You haven't yet met “"), reasons
    assert "did" not in reasons[0] and "rebooks visit" not in reasons[0] and "rebooks_visit" not in reasons[0]
