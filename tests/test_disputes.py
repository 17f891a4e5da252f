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
        open_dispute(trainee_store, sid, "disengaging", "end_call", "   ")
    with pytest.raises(SimulatorError, match="no verdict"):
        open_dispute(trainee_store, sid, "disengaging", "no_such_item", "I did it")
    with pytest.raises(SimulatorError, match="control character"):
        open_dispute(trainee_store, sid, "disengaging", "end_call", "looks fine\u202e")
    with pytest.raises(SimulatorError, match="more than"):
        open_dispute(trainee_store, sid, "disengaging", "end_call", "x" * 5000)
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


def test_upholding_changes_no_score(trainee_store):
    sid = _played(trainee_store, ["Please calm down.", "/end"])
    d = open_dispute(trainee_store, sid, "disengaging", "end_call", "I did end the call.")
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
        second = open_dispute(trainee, sid, "disengaging", "end_call", "Ending it was right.")
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
                            "end_call": (UPHELD, "No warning came first.", "Lee")}
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
    refused(lambda x: x.update(extra_field=1), "Extra inputs")
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
