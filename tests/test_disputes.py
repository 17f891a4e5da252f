"""Disputes in the store and in bundles: a trainee's challenge of one verdict travels to the manager, the
answer travels back, the override path is the one way a verdict changes, and the automatic verdict stays."""

from __future__ import annotations

import json

import pytest

from simulator.errors import SimulatorError
from simulator.store import Store, load_session
from simulator.store.bundle import export_bundle, import_bundle
from simulator.store.bundleschema import check_session
from simulator.store.disputes import (OPEN, OVERTURNED, UPHELD, list_disputes, open_count, open_dispute,
                                      resolve_dispute)
from storefill import play

KEY = b"organisation-test-key-0123456789"
GOOD = ["That language isn't acceptable. If it continues I will end the call. I do want to sort out your refund.",
        "/flag", "I'm ending the call now.", "/end"]


@pytest.fixture
def trainee_store(tmp_path):
    with Store(tmp_path / "trainee") as store:
        yield store


def _played(store: Store, replies=GOOD) -> str:
    return play(store, "swearing-caller", replies, "Ana")


def _verdict(store: Store, sid: str, item: str) -> dict:
    return next(v for v in load_session(store, sid).verdicts if v["item"] == item)


def test_a_dispute_needs_a_reason_and_a_verdict_the_session_has(trainee_store):
    sid = _played(trainee_store)
    with pytest.raises(SimulatorError, match="reason is required"):
        open_dispute(trainee_store, sid, "disengaging", "end_call|escalate", "   ")
    with pytest.raises(SimulatorError, match="no verdict"):
        open_dispute(trainee_store, sid, "disengaging", "no_such_item", "I did it")
    with pytest.raises(SimulatorError, match="control character"):
        open_dispute(trainee_store, sid, "disengaging", "end_call|escalate", "looks fine\u202e")
    with pytest.raises(SimulatorError, match="more than"):
        open_dispute(trainee_store, sid, "disengaging", "end_call|escalate", "x" * 5000)
    d = open_dispute(trainee_store, sid, "boundary_setting", "names_behavior", " I named it in my first reply. ")
    assert d.outcome == OPEN and d.reason == "I named it in my first reply." and d.trainee == "Ana"
    assert d.disputed_status == _verdict(trainee_store, sid, "names_behavior")["status"]
    with pytest.raises(SimulatorError, match="already disputed"):
        open_dispute(trainee_store, sid, "boundary_setting", "names_behavior", "again")
    assert open_count(trainee_store) == 1


def test_overturning_goes_through_an_override_and_leaves_the_automatic_verdict(trainee_store):
    sid = _played(trainee_store, ["Please calm down.", "/end"])
    before = load_session(trainee_store, sid)
    automatic = _verdict(trainee_store, sid, "names_behavior")
    assert automatic["status"] == "missed"
    d = open_dispute(trainee_store, sid, "boundary_setting", "names_behavior", "Asking them to calm down named it.")
    with pytest.raises(SimulatorError, match="different verdict"):
        resolve_dispute(trainee_store, d.id, OVERTURNED, "fair", "Lee", status="missed")
    with pytest.raises(SimulatorError, match="reason for the answer is required"):
        resolve_dispute(trainee_store, d.id, OVERTURNED, "", "Lee", status="met")
    done = resolve_dispute(trainee_store, d.id, OVERTURNED, "Fair: that was a boundary.", "Lee", status="met")
    assert done.outcome == OVERTURNED and done.resolved_status == "met" and done.resolver == "Lee"
    after = load_session(trainee_store, sid)
    assert _verdict(trainee_store, sid, "names_behavior") == automatic  # the automatic verdict is never changed
    assert [(o.item, o.status, o.comment, o.reviewer) for o in after.overrides] == [
        ("names_behavior", "met", "Fair: that was a boundary.", "Lee")]
    assert after.summary.overall == before.summary.overall and after.summary.reviewed_overall > before.summary.overall
    assert after.reviews == []  # answering one dispute does not agree to every other verdict
    with pytest.raises(SimulatorError, match="already been answered"):
        resolve_dispute(trainee_store, d.id, UPHELD, "changed my mind", "Lee")


def test_changing_a_disputed_verdict_answers_the_dispute(trainee_store):
    # A walker changed a disputed verdict on the session's page: the dispute stayed open, its Overturn offered
    # the change already made, and made it a second time.
    sid = _played(trainee_store, ["Please calm down.", "/end"])
    d = open_dispute(trainee_store, sid, "boundary_setting", "names_behavior", "Asking them to calm down named it.")
    other = open_dispute(trainee_store, sid, "boundary_setting", "states_consequence", "I warned them.")
    trainee_store.add_override(sid, "boundary_setting", "names_behavior", "missed", "Looked again: missed.", "Lee")
    assert [x.outcome for x in list_disputes(trainee_store, True)] == [OPEN, OPEN]  # unchanged: still to answer
    trainee_store.add_override(sid, "boundary_setting", "names_behavior", "met", "Fair: that was a boundary.", "Lee")
    answered = next(x for x in list_disputes(trainee_store) if x.id == d.id)
    assert (answered.outcome, answered.resolved_status, answered.response, answered.resolver) == (
        OVERTURNED, "met", "Fair: that was a boundary.", "Lee")
    assert [x.id for x in list_disputes(trainee_store, True)] == [other.id]  # the other verdict's stays open
    record = load_session(trainee_store, sid)
    assert [o.status for o in record.overrides] == ["missed", "met"]
    with pytest.raises(SimulatorError, match="already been answered"):
        resolve_dispute(trainee_store, d.id, OVERTURNED, "again", "Lee", status="met")


def test_upholding_changes_no_score(trainee_store):
    sid = _played(trainee_store, ["Please calm down.", "/end"])
    d = open_dispute(trainee_store, sid, "disengaging", "end_call|escalate", "I did end the call.")
    done = resolve_dispute(trainee_store, d.id, UPHELD, "You ended it before any warning.", "Lee")
    record = load_session(trainee_store, sid)
    assert done.outcome == UPHELD and done.resolved_status is None and record.overrides == []
    assert record.summary.reviewed_overall is None
    assert [x.outcome for x in list_disputes(trainee_store)] == [UPHELD] and list_disputes(trainee_store, True) == []


def test_a_dispute_goes_to_the_manager_and_the_answer_comes_back_in_bundles(tmp_path):
    with Store(tmp_path / "trainee") as trainee, Store(tmp_path / "manager") as manager:
        sid = _played(trainee, ["Please calm down.", "/end"])
        first = open_dispute(trainee, sid, "boundary_setting", "names_behavior", "I asked them to calm down.")
        export_bundle(trainee, [sid], tmp_path / "to-manager.simbundle", KEY)
        assert import_bundle(manager, tmp_path / "to-manager.simbundle", KEY).imported == [sid]
        [arrived] = list_disputes(manager, open_only=True)
        assert arrived.id == first.id and arrived.reason == first.reason

        # A second dispute made after the session was already handed over still reaches the manager.
        second = open_dispute(trainee, sid, "disengaging", "end_call|escalate", "Ending it was right.")
        export_bundle(trainee, [sid], tmp_path / "again.simbundle", KEY)
        report = import_bundle(manager, tmp_path / "again.simbundle", KEY)
        assert report.already_there == [sid] and report.disputes == 1 and open_count(manager) == 2

        resolve_dispute(manager, first.id, OVERTURNED, "Yes, that set a boundary.", "Lee", status="met")
        resolve_dispute(manager, second.id, UPHELD, "No warning came first.", "Lee")
        export_bundle(manager, [sid], tmp_path / "answers.simbundle", KEY)
        back = import_bundle(trainee, tmp_path / "answers.simbundle", KEY)
        assert back.disputes == 2
        record = load_session(trainee, sid)
        outcomes = {d.item: (d.outcome, d.response, d.resolver) for d in record.disputes}
        assert outcomes == {"names_behavior": (OVERTURNED, "Yes, that set a boundary.", "Lee"),
                            "end_call|escalate": (UPHELD, "No warning came first.", "Lee")}
        assert [(o.item, o.status) for o in record.overrides] == [("names_behavior", "met")]
        assert record.summary.reviewed_overall == load_session(manager, sid).summary.reviewed_overall
        # The same answers again add nothing, and an answer is final on either side.
        assert import_bundle(trainee, tmp_path / "answers.simbundle", KEY).disputes == 0
        assert len(load_session(trainee, sid).overrides) == 1


def _session_json(store: Store, sid: str) -> dict:
    return json.loads(json.dumps(load_session(store, sid).to_dict()))


def test_a_bundle_s_disputes_are_checked_like_everything_else(trainee_store):
    sid = _played(trainee_store, ["Please calm down.", "/end"])
    d = open_dispute(trainee_store, sid, "boundary_setting", "names_behavior", "I asked them to calm down.")
    good = _session_json(trainee_store, sid)
    check_session(good, sid)

    def refused(change, match):
        data = _session_json(trainee_store, sid)
        change(data["disputes"][0])
        with pytest.raises(ValueError, match=match):
            check_session(data, sid)

    refused(lambda x: x.update(reason=""), "required")
    refused(lambda x: x.update(reason="a\u2067b"), "control character")
    refused(lambda x: x.update(reason="x" * 4001), "at most 4000|more than")
    refused(lambda x: x.update(outcome="withdrawn"), "outcome")
    refused(lambda x: x.update(item="not_a_verdict"), "verdict the session does not have")
    refused(lambda x: x.update(outcome="upheld"), "lacks the reason")
    refused(lambda x: x.update(response="sneaked in"), "open dispute carries an answer")
    refused(lambda x: x.update(outcome="overturned", response="ok", resolver="Lee", resolved_at=x["created_at"] + 1,
                               resolved_status="met"), "no override")
    refused(lambda x: x.update(extra_field=1), "is not a field this product writes")
    assert d.id == good["disputes"][0]["id"]


def test_a_bundle_whose_dispute_names_a_verdict_this_store_lacks_is_refused(tmp_path):
    with Store(tmp_path / "trainee") as trainee, Store(tmp_path / "manager") as manager:
        sid = _played(trainee, ["Please calm down.", "/end"])
        export_bundle(trainee, [sid], tmp_path / "plain.simbundle", KEY)
        import_bundle(manager, tmp_path / "plain.simbundle", KEY)
        open_dispute(trainee, sid, "boundary_setting", "names_behavior", "I asked them to calm down.")
        with manager.write() as db:  # the manager's copy was rescored meanwhile: that verdict is gone
            db.execute("DELETE FROM verdicts WHERE session_id = ? AND item = 'names_behavior'", (sid,))
        export_bundle(trainee, [sid], tmp_path / "dispute.simbundle", KEY)
        with pytest.raises(SimulatorError, match="does not hold"):
            import_bundle(manager, tmp_path / "dispute.simbundle", KEY)
        assert open_count(manager) == 0


def _answered_store(path) -> tuple[Store, str]:
    store = Store(path)
    sid = _played(store, ["Please calm down.", "/end"])
    first = open_dispute(store, sid, "boundary_setting", "names_behavior", "I asked them to <b>calm</b> down.")
    second = open_dispute(store, sid, "disengaging", "end_call|escalate", "=HYPERLINK(\"x\") ending was right")
    resolve_dispute(store, first.id, OVERTURNED, "Yes, that set a boundary.", "Lee", status="met")
    open_dispute(store, sid, "disengaging", "announces_ending|escalates", "I said I was ending it.")
    resolve_dispute(store, second.id, UPHELD, "No warning came first.", "Lee")
    return store, sid


def test_calibration_counts_disputes_per_criterion(tmp_path):
    from simulator.store.calibration import calibration
    with _answered_store(tmp_path)[0] as store:
        rows = {r.item: r for r in calibration(store)}
    counts = {item: (r.disputed, r.upheld, r.overturned) for item, r in rows.items() if r.disputed}
    assert counts == {"names_behavior": (1, 0, 1), "end_call|escalate": (1, 1, 0), "announces_ending|escalates": (1, 0, 0)}
    assert rows["names_behavior"].n == 0  # the session was never marked reviewed: no kappa decisions from it


def test_reports_and_csv_carry_disputes_safely(tmp_path):
    import csv
    import io

    from simulator.store.csvexport import export_csv
    from simulator.store.report import session_html
    with _answered_store(tmp_path / "data")[0] as store:
        sid = store.read("SELECT id FROM sessions")[0][0]
        html = session_html(load_session(store, sid))
        export_csv(store, [sid], tmp_path / "out.csv")
    assert "Disputes by the trainee" in html and "&lt;b&gt;calm&lt;/b&gt;" in html and "<b>calm</b>" not in html
    assert "overturned: the verdict was changed" in html and "No warning came first." in html
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    by_item = {r["criterion"]: r for r in rows if r["row"] == "verdict"}
    assert by_item["names_behavior"]["dispute"] == "overturned"
    assert by_item["names_behavior"]["dispute_answer"] == "Yes, that set a boundary."
    assert by_item["end_call|escalate"]["dispute_reason"].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    assert by_item["announces_ending|escalates"]["dispute"] == "open" and by_item["documents|flag"]["dispute"] == ""


def test_xapi_statements_for_disputes_and_answers_go_through_the_outbox(tmp_path):
    from simulator.store.lrs import queue_disputes
    from simulator.store.xapi import dispute_statements
    store, sid = _answered_store(tmp_path)
    with store:
        record = load_session(store, sid)
        out = dispute_statements(record, "https://lms.example")
        verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in out]
        assert sorted(verbs) == ["disputed", "disputed", "disputed", "overturned", "upheld"]
        disputed = {s["object"]["id"].rsplit("/", 1)[1]: s for s in out if s["verb"]["display"]["en-US"] == "disputed"}
        assert disputed["names_behavior"]["actor"]["name"] == "Ana"
        assert disputed["names_behavior"]["result"]["response"] == "I asked them to <b>calm</b> down."
        overturned = next(s for s in out if s["verb"]["display"]["en-US"] == "overturned")
        assert overturned["actor"]["name"] == "Lee" and overturned["object"] == {
            "objectType": "StatementRef", "id": disputed["names_behavior"]["id"]}
        assert overturned["result"]["extensions"]["https://lms.example/xapi/extensions/reviewed-verdict"] == "met"
        assert {s["context"]["registration"] for s in out} == {str(__import__("uuid").UUID(sid))}
        assert [s["id"] for s in out] == [s["id"] for s in dispute_statements(record, "https://lms.example")]
        assert queue_disputes(store, sid, "https://lms.example") == 5
        assert queue_disputes(store, sid, "https://lms.example") == 0  # once per statement
        bodies = [json.loads(r[0]) for r in store.read("SELECT body FROM outbox WHERE session_id = ?", (sid,))]
        assert sorted(b["id"] for b in bodies) == sorted(s["id"] for s in out)


def test_sessions_disputes_and_show_in_the_terminal(tmp_path):
    from test_cli import run
    _answered_store(tmp_path)[0].close()
    listed = run("--data-dir", str(tmp_path), "sessions", "disputes")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "waiting for an answer" in lines[1] and "Said clearly" in lines[1]  # the open one first
    assert "verdict changed" in listed.stdout and "Lee: No warning came first." in listed.stdout
    only_open = run("--data-dir", str(tmp_path), "sessions", "disputes", "--open", "--json")
    [one] = json.loads(only_open.stdout)
    assert one["item"] == "announces_ending|escalates" and one["outcome"] == "open" and one["trainee"] == "Ana"
    shown = run("--data-dir", str(tmp_path), "sessions", "show", one["session"][:8])
    assert "dispute (" in shown.stdout and "verdict upheld by Lee" in shown.stdout
    assert "verdict changed by Lee" in shown.stdout and "-> met: Yes, that set a boundary." in shown.stdout
    assert "[End call]" in shown.stdout and "end_call" not in shown.stdout  # the button's words, not its id


def test_a_manager_answers_in_the_terminal_too(tmp_path):
    from test_cli import run
    with Store(tmp_path) as store:
        sid = _played(store, ["Please calm down.", "/end"])
        d = open_dispute(store, sid, "boundary_setting", "names_behavior", "I asked them to calm down.")
    refused = run("--data-dir", str(tmp_path), "sessions", "answer", d.id[:8], "--uphold", "--reason", " ",
                  "--reviewer", "Lee")
    assert refused.returncode != 0 and "reason for the answer is required" in refused.stderr
    done = run("--data-dir", str(tmp_path), "sessions", "answer", d.id[:8], "--overturn", "met", "--reason",
               "Fair: that was a boundary.", "--reviewer", "Lee")
    assert done.returncode == 0, done.stderr
    assert "verdict changed: Named the behaviour as unacceptable for Ana is now met" in done.stdout
    with Store(tmp_path) as store:
        record = load_session(store, sid)
    assert [(o.item, o.status, o.reviewer) for o in record.overrides] == [("names_behavior", "met", "Lee")]
    assert record.disputes[0].outcome == OVERTURNED


def test_taking_in_answers_in_the_terminal_says_what_changed_for_the_trainee(tmp_path):
    from test_cli import run
    with Store(tmp_path / "trainee") as trainee, Store(tmp_path / "manager") as manager:
        mine = _played(trainee, ["Please calm down.", "/end"])
        d = open_dispute(trainee, mine, "disengaging", "end_call|escalate", "Ending it was right.")
        export_bundle(trainee, [mine], tmp_path / "mine.simbundle", KEY)
        import_bundle(manager, tmp_path / "mine.simbundle", KEY)
        someone_else = play(manager, "swearing-caller", ["Please calm down.", "/end"], "Sam")
        resolve_dispute(manager, d.id, UPHELD, "No warning came first.", "Lee")
        export_bundle(manager, [mine, someone_else], tmp_path / "answers.simbundle", KEY)
    (tmp_path / "org.key").write_bytes(KEY)
    out = run("--data-dir", str(tmp_path / "trainee"), "sessions", "import", "--answers-only", "--key-file",
              str(tmp_path / "org.key"), str(tmp_path / "answers.simbundle"))
    assert out.returncode == 0, out.stderr
    assert "1 dispute of yours new or answered; 1 session of others' left out" in out.stdout, out.stdout
    assert "session(s)" not in out.stdout and "imported 0" not in out.stdout


def test_taking_in_answers_adds_no_one_else_s_sessions(tmp_path):
    with Store(tmp_path / "trainee") as trainee, Store(tmp_path / "manager") as manager:
        mine = _played(trainee, ["Please calm down.", "/end"])
        d = open_dispute(trainee, mine, "disengaging", "end_call|escalate", "Ending it was right.")
        export_bundle(trainee, [mine], tmp_path / "mine.simbundle", KEY)
        import_bundle(manager, tmp_path / "mine.simbundle", KEY)
        someone_else = play(manager, "swearing-caller", ["Please calm down.", "/end"], "Sam")
        resolve_dispute(manager, d.id, UPHELD, "No warning came first.", "Lee")
        export_bundle(manager, [mine, someone_else], tmp_path / "answers.simbundle", KEY)
        report = import_bundle(trainee, tmp_path / "answers.simbundle", KEY, answers_only=True)
        assert report.imported == [] and report.left_out == [someone_else] and report.disputes == 1
        assert trainee.read("SELECT COUNT(*) FROM sessions")[0][0] == 1
        assert list_disputes(trainee)[0].outcome == UPHELD


def test_a_real_lrs_takes_the_dispute_statements(ralph, tmp_path):
    import uuid

    from lrs_server import PASSWORD, USER
    from simulator.store.credentials import load, save
    from simulator.store.lrs import Lrs, push_sessions
    from simulator.store.xapi import dispute_statements
    save(ralph.endpoint, USER, PASSWORD)
    store, sid = _answered_store(tmp_path / "data")
    with store:
        report = push_sessions(store, None, 70, required=True)
        assert report.error is None and report.waiting == 0, report
        expected = {s["id"] for s in dispute_statements(load_session(store, sid), load().activity_base)}
        got = Lrs(load()).fetch(str(uuid.UUID(sid)))
    assert expected <= {s["id"] for s in got}
    verbs = {s["verb"]["display"]["en-US"] for s in got if s["id"] in expected}
    assert verbs == {"disputed", "upheld", "overturned"}


def test_an_either_or_item_is_a_valid_iri_in_its_statement(tmp_path):
    from simulator.store.xapi import dispute_statements
    with Store(tmp_path) as store:
        sid = play(store, "remark-about-colleague", ["Okay.", "/end"], "Ana")
        item = next(v["item"] for v in load_session(store, sid).verdicts
                    if "|" in v["item"] and v["dimension"] == "escalation")
        open_dispute(store, sid, "escalation", item, "I flagged it after the call.")
        [statement] = dispute_statements(load_session(store, sid))
    assert statement["object"]["id"].endswith("/escalation/documents%7Cflag") and "|" not in statement["object"]["id"]
