"""Certificates: reached, lost by expiry, the attempt and day limits, and the policy file that names them."""

from __future__ import annotations

import pytest

from simulator.errors import ScenarioError
from simulator.scenario import load_policy
from simulator.scenario.model import Certificate
from simulator.scoring import policy_version
from simulator.scoring.certificates import CERTIFIED, EXPIRED, IN_PROGRESS, NOT_STARTED, certificate_status
from simulator.scoring.plan import DAY, Attempt

NOW = 1_800_000_000.0


def cert(**extra) -> Certificate:
    return Certificate.model_validate({
        "id": "abuse-basics", "title": "Handling abusive callers",
        "scenarios": [{"scenario": "swearing-caller", "intensity": "strong", "criteria": ["states_consequence"]},
                      {"scenario": "threat-of-violence", "min_score": 60}], **extra})


def played(sid: str, days_ago: float, score: float, intensity: str | None = "strong", **verdicts: str) -> Attempt:
    return Attempt(sid, NOW - days_ago * DAY, score, intensity, verdicts)


def test_nothing_played_is_not_started_and_each_scenario_is_listed():
    status = certificate_status(cert(), "Ana", [], NOW, titles={"swearing-caller": "Swearing caller"})
    assert status.state == NOT_STARTED and status.words() == "0 of 2 passed"
    assert status.requirements[0].words() == ("Swearing caller (strong): needs 70 with Stated the consequence; "
                                              "not tried yet")  # a person reads it: the criterion's words, not its id


def test_reached_when_every_scenario_has_a_session_that_counts():
    history = [played("swearing-caller", 10, 85, states_consequence="met"),
               played("threat-of-violence", 5, 65)]
    status = certificate_status(cert(), "Ana", history, NOW)
    assert status.state == CERTIFIED and status.reached_at == NOW - 5 * DAY
    assert status.words().startswith("Certified on ") and "until" not in status.words()


def test_a_session_counts_only_at_the_intensity_score_and_criteria_asked():
    history = [played("swearing-caller", 10, 95, "mild", states_consequence="met"),   # wrong intensity
               played("swearing-caller", 9, 65, states_consequence="met"),            # under the pass mark
               played("swearing-caller", 8, 90, states_consequence="missed"),         # criterion missed
               played("threat-of-violence", 5, 65)]
    status = certificate_status(cert(), "Ana", history, NOW)
    assert status.state == IN_PROGRESS and status.passed == 1
    assert status.requirements[0].best == 90  # of the attempts at the strong intensity
    # A criterion met as one of two alternatives counts.
    history.append(played("swearing-caller", 1, 80, **{"states_consequence|announces_ending": "met"}))
    assert certificate_status(cert(), "Ana", history, NOW).state == CERTIFIED


def test_lost_by_expiry_and_earned_again_only_by_sessions_after_it_lapsed():
    history = [played("swearing-caller", 400, 85, states_consequence="met"), played("threat-of-violence", 399, 70)]
    status = certificate_status(cert(valid_days=365), "Ana", history, NOW)
    assert status.state == EXPIRED
    assert status.expires_at == NOW - 399 * DAY + 365 * DAY
    assert status.words().startswith("Lapsed on ") and status.passed == 0
    # One scenario played again after the lapse is not enough; both are.
    history.append(played("threat-of-violence", 3, 90))
    assert certificate_status(cert(valid_days=365), "Ana", history, NOW).state == EXPIRED
    history.append(played("swearing-caller", 1, 90, states_consequence="met"))
    again = certificate_status(cert(valid_days=365), "Ana", history, NOW)
    assert again.state == CERTIFIED and again.reached_at == NOW - DAY and again.expires_at == NOW + 364 * DAY
    # Seen from before the lapse, it was still held.
    assert certificate_status(cert(valid_days=365), "Ana", history[:2], NOW - 100 * DAY).state == CERTIFIED


def test_within_days_needs_every_scenario_passed_in_one_window():
    history = [played("swearing-caller", 60, 85, states_consequence="met"), played("threat-of-violence", 1, 70)]
    assert certificate_status(cert(within_days=30), "Ana", history, NOW).state == IN_PROGRESS
    assert certificate_status(cert(within_days=90), "Ana", history, NOW).state == CERTIFIED


def test_within_attempts_counts_only_the_first_attempts_and_says_how_many_are_left():
    history = [played("threat-of-violence", 9, 40), played("threat-of-violence", 8, 50),
               played("threat-of-violence", 7, 90), played("swearing-caller", 6.5, 90, states_consequence="met")]
    assert certificate_status(cert(within_attempts=3), "Ana", history, NOW).state == CERTIFIED
    status = certificate_status(cert(within_attempts=2), "Ana", history, NOW)
    assert status.state == IN_PROGRESS
    one_tried = certificate_status(cert(within_attempts=2), "Ana", history[:1], NOW)
    assert "1 attempt left" in one_tried.requirements[1].words()
    assert status.requirements[1].attempts_left == 0 and "0 attempts left" in status.requirements[1].words()
    # With a window, old attempts age out and the trainee may try again.
    late = [*history, played("threat-of-violence", 1, 90)]
    assert certificate_status(cert(within_attempts=2, within_days=5), "Ana", late, NOW).state == IN_PROGRESS
    late.append(played("swearing-caller", 0.5, 90, states_consequence="met"))
    assert certificate_status(cert(within_attempts=2, within_days=5), "Ana", late, NOW).state == CERTIFIED


def test_sessions_after_now_do_not_count():
    history = [played("swearing-caller", -1, 90, states_consequence="met"), played("threat-of-violence", 2, 90)]
    assert certificate_status(cert(), "Ana", history, NOW).state == IN_PROGRESS


def test_the_policy_file_names_certificates_and_the_scores_it_gave_stay_the_same(tmp_path):
    shipped = load_policy()
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\ncertificates:\n  - id: basics\n    title: Basics\n    valid_days: 365\n"
                    "    scenarios:\n      - scenario: swearing-caller\n        intensity: strong\n", encoding="utf-8")
    policy = load_policy(path)
    assert policy.certificates[0].scenarios[0].intensity == "strong"
    # Certificates never change a score, so the policy's version for scoring ignores them.
    plain = tmp_path / "plain.yaml"
    plain.write_text("format: 1\n", encoding="utf-8")
    assert policy_version(policy) == policy_version(load_policy(plain))
    assert policy_version(shipped) == policy_version(shipped.model_copy(update={"certificates": policy.certificates}))


@pytest.mark.parametrize("body, said", [
    ("    scenarios: []\n", "scenarios"),
    ("    scenarios:\n      - scenario: Not An Id\n", "policy.yaml:6:9: error: 'Not An Id' cannot be used as an id"),
    ("    valid_days: 0\n    scenarios:\n      - scenario: a\n", "policy.yaml:5:5: error: 'valid_days' must be at least 1; it is 0"),
    ("    scenarios:\n      - scenario: a\n      - scenario: a\n", "listed twice"),
    ("    scenarios:\n      - scenario: a\n    expires: 3\n", "expires"),
])
def test_a_wrong_certificate_is_refused_naming_the_file_line_and_what_to_fix(tmp_path, body, said):
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\ncertificates:\n  - id: basics\n    title: Basics\n" + body, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_policy(path)
    text = str(caught.value)
    assert "policy.yaml:" in text and said in text, text


def test_two_certificates_with_one_id_are_refused(tmp_path):
    path = tmp_path / "policy.yaml"
    one = "  - id: basics\n    title: Basics\n    scenarios:\n      - scenario: a\n"
    path.write_text("format: 1\ncertificates:\n" + one + one, encoding="utf-8")
    with pytest.raises(ScenarioError, match="used twice"):
        load_policy(path)


# -- from real session records ---------------------------------------------------------------------------------

GOOD_SWEARING = ["That language isn't acceptable. If it continues I will end the call. I do want to sort out "
                 "your refund.", "/flag", "I'm ending the call now.", "/end"]
GOOD_REFUND = ["I understand how frustrating this is. So your refund from three weeks ago still has not arrived? "
               "Let me check it now.", "/end"]


def _policy(tmp_path, extra: str = ""):
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\npass_mark: 60\ncertificates:\n  - id: basics\n    title: Basics\n" + extra +
                    "    scenarios:\n      - scenario: swearing-caller\n        intensity: mild\n"
                    "      - scenario: late-refund-empathy\n", encoding="utf-8")
    return load_policy(path)


def _record(store, scenario, replies, trainee, intensity=None):
    from storefill import play
    return play(store, scenario, replies, trainee, intensity)


def test_sessions_in_the_store_reach_a_certificate_and_practice_or_stopped_ones_never_count(tmp_path):
    from simulator.practice import Choice, Practice
    from simulator.scenario import load_scenario
    from simulator.engine.script import run_script
    from simulator.store import Store
    from simulator.store.team_certificates import team_certificates
    policy = _policy(tmp_path)
    with Store(tmp_path / "data") as store:
        # A practice-only run is played in full and kept nowhere.
        practice = Practice(Choice(load_scenario("scenarios/late-refund-empathy.yaml"), assessed=False), "Ana",
                            policy, store)
        run_script(practice.session, GOOD_REFUND)
        practice.close()
        # A session stopped for a break does not count either.
        stopped = _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
        with store.write() as db:
            db.execute("UPDATE sessions SET status = 'ended_by_trainee' WHERE id = ?", (stopped,))
        _record(store, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        (ana,) = team_certificates(store, policy)
        assert ana.state == IN_PROGRESS and ana.passed == 1, ana.words()
        _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
        _record(store, "swearing-caller", ["Please calm down.", "/end"], "Ben", "mild")
        ana, ben = team_certificates(store, policy)
        assert (ana.trainee, ana.state, ben.trainee, ben.state) == ("Ana", CERTIFIED, "Ben", IN_PROGRESS)
        assert ana.requirements[0].title == "Broadband caller keeps swearing after a warning"


def test_a_managers_changed_verdict_counts_toward_a_certificate(tmp_path):
    from simulator.store import Store
    from simulator.store.team_certificates import team_certificates
    policy = _policy(tmp_path).model_copy(update={"pass_mark": 95})
    with Store(tmp_path / "data") as store:
        sid = _record(store, "late-refund-empathy", ["Calm down, those are the rules.", "/end"], "Ana")
        before = team_certificates(store, policy)[0].requirements[1]
        assert not before.passed
        for v in store.read("SELECT dimension, item FROM verdicts WHERE session_id = ? AND status != 'met'", (sid,)):
            store.add_override(sid, v["dimension"], v["item"], "met" if v["item"] != "retaliates" else "missed",
                               "listened to the recording: it was fine", "Maria")
        after = team_certificates(store, policy)[0].requirements[1]
        assert after.passed and after.best >= 95


def test_the_team_csv_and_the_xapi_statements_are_written_once(tmp_path):
    from simulator.store import Store
    from simulator.store.team_certificates import (certificate_statements, certificates_csv, queue_certificates,
                                                   team_certificates)
    policy = _policy(tmp_path, "    valid_days: 365\n")
    with Store(tmp_path / "data") as store:
        _record(store, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
        _record(store, "late-refund-empathy", ["=HYPERLINK(1)", "/end"], "=Ben")
        statuses = team_certificates(store, policy)
        certificates_csv(statuses, tmp_path / "team.csv")
        text = (tmp_path / "team.csv").read_text(encoding="utf-8").splitlines()
        assert text[0] == "trainee,certificate,title,state,reached,expires,passed,of,still to pass"
        assert text[1].startswith("'=Ben,basics,Basics,in progress,,,0,2,")  # a formula is never a formula
        assert text[2].startswith("Ana,basics,Basics,certified,")
        ana = statuses[1]
        stmts = certificate_statements(ana, "https://lms.example")
        assert [s["verb"]["display"]["en-US"] for s in stmts] == ["completed", "passed"]
        assert stmts[1]["object"]["id"] == "https://lms.example/certificates/basics"
        assert stmts[1]["result"]["success"] is True and stmts[1]["actor"]["name"] == "Ana"
        assert certificate_statements(statuses[0]) == []  # not held: nothing to say
        assert queue_certificates(store, statuses) == 2
        assert queue_certificates(store, team_certificates(store, policy)) == 0  # queued once
        rows = store.read("SELECT session_id, body FROM outbox")
        assert {r["session_id"] for r in rows} == {"certificate:basics"}


def test_a_certificate_naming_what_the_library_does_not_have_is_pointed_out():
    from simulator.scoring.certificates import unknown_requirements
    library = {"swearing-caller": ["mild", "strong"], "late-refund-empathy": ["mild"]}
    certificate = cert()  # swearing-caller (strong) and threat-of-violence
    assert unknown_requirements([certificate], library) == [
        "certificate 'abuse-basics' names scenario 'threat-of-violence', which is not in the library "
        "(see `simulator list` for the ids)"]
    library["threat-of-violence"] = ["mild"]
    library["swearing-caller"] = ["mild"]
    assert unknown_requirements([certificate], library) == [
        "certificate 'abuse-basics' asks for swearing-caller at intensity 'strong', which it does not have "
        "(it has mild)"]


def test_passing_every_scenario_again_before_it_lapses_renews_it():
    history = [played("swearing-caller", 340, 85, states_consequence="met"), played("threat-of-violence", 339, 70)]
    status = certificate_status(cert(valid_days=365), "Ana", history, NOW)
    assert status.state == CERTIFIED and status.expires_at == NOW + 26 * DAY
    assert [r.passed for r in status.renewal] == [False, False]
    history.append(played("threat-of-violence", 10, 75))
    status = certificate_status(cert(valid_days=365), "Ana", history, NOW)
    assert status.reached_at == NOW - 339 * DAY and [r.passed for r in status.renewal] == [False, True]
    history.append(played("swearing-caller", 5, 90, states_consequence="met"))
    renewed = certificate_status(cert(valid_days=365), "Ana", history, NOW)
    assert renewed.state == CERTIFIED and renewed.reached_at == NOW - 5 * DAY
    assert renewed.expires_at == NOW + 360 * DAY
    assert [r.passed_at for r in renewed.requirements] == [NOW - 5 * DAY, NOW - 10 * DAY]
    # A certificate that never lapses has nothing to renew.
    assert certificate_status(cert(), "Ana", history, NOW).renewal == ()


def test_what_a_certificate_still_asks_for_is_handed_to_the_plan():
    from simulator.scoring.certificates import still_required
    history = [played("swearing-caller", 350, 85, states_consequence="met"), played("threat-of-violence", 349, 70)]
    lapsing = certificate_status(cert(valid_days=365), "Ana", history, NOW)
    assert [(r.scenario_id, r.lapses_at) for r in still_required([lapsing], NOW)] == [
        ("swearing-caller", NOW + 16 * DAY), ("threat-of-violence", NOW + 16 * DAY)]
    assert still_required([lapsing], NOW - 60 * DAY) == []  # months to go: not yet
    started = certificate_status(cert(), "Ben", history[:1], NOW)
    assert [(r.scenario_id, r.lapses_at) for r in still_required([started], NOW)] == [("threat-of-violence", None)]
