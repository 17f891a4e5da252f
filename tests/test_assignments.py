"""Assignment bundles: a manager's signed list of scenarios and a due date, carried to a trainee without a server."""

from __future__ import annotations

import json
import time

import pytest

from simulator.errors import SimulatorError
from simulator.scenario import load_policy
from simulator.store import Store
from simulator.store.assignments import (import_assignment, list_assignments, make_assignment, progress,
                                         read_assignment_bundle, save_assignment, write_assignment_bundle)
from simulator.store.attempts import attempts_of
from simulator.store.bundle import export_bundle, import_bundle, key_id, signature
from simulator.store.trainee_plan import trainee_plan
from storefill import play

KEY = b"our-organisation-key-0123456789"
DAY = 86400.0
GOOD_SWEARING = ["That language isn't acceptable. If it continues I will end the call. I do want to sort out "
                 "your refund.", "/flag", "I'm ending the call now.", "/end"]


def week_one(**extra):
    return make_assignment("Week 1", [("swearing-caller", "mild"), ("late-refund-empathy", None)],
                           time.time() + 7 * DAY, "Maria (team lead)", **extra)


def test_an_assignment_round_trips_from_manager_to_trainee_and_shows_in_the_plan(tmp_path):
    made = week_one(trainees=["Ana", "Ben"], note="Before your first shift.")
    with Store(tmp_path / "manager") as manager:
        assert save_assignment(manager, made, "made")
    bundle = write_assignment_bundle(made, tmp_path / "week1.simassign", KEY)
    assert oct(bundle.stat().st_mode & 0o777) == "0o600"
    with Store(tmp_path / "ana") as ana:
        got, new = import_assignment(ana, bundle, KEY)
        assert new and got == made
        _, again = import_assignment(ana, bundle, KEY)
        assert not again and len(list_assignments(ana)) == 1  # importing twice adds nothing
        assert list_assignments(ana, "Ana") == [made] and list_assignments(ana, "Carl") == []
        good, _ = _library()
        first = trainee_plan(ana, "Ana", good, load_policy()).suggestions[0]
        assert first.kind == "assigned" and first.scenario_id in {"swearing-caller", "late-refund-empathy"}
        # The trainee plays one of them: it is done, and the finished session goes back in the usual bundle.
        sid = play(ana, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        done = progress(made, attempts_of(ana, "Ana"))
        assert [d.done_at is not None for d in done] == [True, False]
        plan = trainee_plan(ana, "Ana", good, load_policy())
        assert plan.assignments[0].words(time.time()).endswith("1 of 2 done")
        assert "swearing-caller" not in [s.scenario_id for s in plan.suggestions if s.kind == "assigned"]
        back = export_bundle(ana, [sid], tmp_path / "ana.simbundle", KEY)
    with Store(tmp_path / "manager") as manager:
        import_bundle(manager, back, KEY)
        assert progress(made, attempts_of(manager, "Ana"))[0].done_at is not None


def test_an_intensity_named_must_be_the_one_played(tmp_path):
    made = week_one()
    with Store(tmp_path / "data") as store:
        play(store, "swearing-caller", GOOD_SWEARING, "Ana", "strong")
        assert progress(made, attempts_of(store, "Ana"))[0].done_at is None


def test_a_tampered_assignment_is_refused_in_one_line(tmp_path):
    bundle = write_assignment_bundle(week_one(), tmp_path / "a.simassign", KEY)
    data = bundle.read_bytes()
    changed = tmp_path / "changed.simassign"
    changed.write_bytes(data.replace(b"Week 1", b"Week 9"))
    with pytest.raises(SimulatorError) as caught:
        read_assignment_bundle(changed, KEY)
    assert "has been changed or cut short since it was signed" in caught.value.message
    assert "\n" not in caught.value.message
    cut = tmp_path / "cut.simassign"
    cut.write_bytes(data[:-10])
    with pytest.raises(SimulatorError, match="changed or cut short"):
        read_assignment_bundle(cut, KEY)
    with pytest.raises(SimulatorError, match="another organisation's key"):
        read_assignment_bundle(bundle, b"someone-elses-key-0123456789")
    not_one = tmp_path / "notes.txt"
    not_one.write_text("hello", encoding="utf-8")
    with pytest.raises(SimulatorError, match="is not an assignment bundle"):
        read_assignment_bundle(not_one, KEY)
    with Store(tmp_path / "data") as store:
        with pytest.raises(SimulatorError):
            import_assignment(store, changed, KEY)
        assert list_assignments(store) == []  # nothing half-imported


def _signed(tmp_path, body: dict | str):
    """A correctly signed bundle around any content: the key is every trainee's, so the content is untrusted."""
    raw = (json.dumps(body) if isinstance(body, dict) else body).encode()
    import io
    head = f"SIMASSIGN 1 {key_id(KEY)} {signature(KEY, 1, key_id(KEY), io.BytesIO(raw), 'SIMASSIGN')}\n"
    path = tmp_path / "signed.simassign"
    path.write_bytes(head.encode() + raw)
    return path


@pytest.mark.parametrize("change, said", [
    ({"extra": 1}, "extra: is not a field this product writes"),
    ({"id": "../../etc"}, "id: is not in the form this product writes"),
    ({"title": "Week\u202e1"}, "title: contains the invisible character U+202E"),
    ({"items": []}, "items: List should have at least 1 item"),
    ({"items": [{"scenario": "../x"}]}, "items.0.scenario: is not in the form this product writes"),
    ({"due_at": float("inf")}, "due_at"),
    ({"due_at": 1.0}, "due_at: must be at least"),
    ({"trainees": ["Ana", "Ana"]}, "a trainee is named twice"),
    ({"items": [{"scenario": "a"}, {"scenario": "a"}]}, "a scenario is listed twice"),
])
def test_signed_content_is_still_checked_as_strictly_as_a_session_bundle(tmp_path, change, said):
    body = {**week_one().model_dump(), **change}
    with pytest.raises(SimulatorError) as caught:
        read_assignment_bundle(_signed(tmp_path, body), KEY)
    assert said in caught.value.message and "cannot be imported" in caught.value.message


def test_signed_garbage_is_refused_in_one_line(tmp_path):
    for body in ("[" * 100_000, "\xff not json", '"just a string"'):
        with pytest.raises(SimulatorError) as caught:
            read_assignment_bundle(_signed(tmp_path, body), KEY)
        assert "cannot be imported" in caught.value.message and "\n" not in caught.value.message


def test_an_assignment_with_nothing_in_it_cannot_be_made():
    with pytest.raises(SimulatorError, match="items"):
        make_assignment("Empty", [], time.time() + DAY, "Maria")


def _library():
    from simulator.scenario.library import available
    return available()


def test_a_session_stopped_short_or_practised_this_run_is_not_new_in_the_plan(tmp_path):
    from simulator.store import INTERRUPTED
    with Store(tmp_path / "ana") as ana:
        sid = play(ana, "blunt-not-abusive", ["Let me look into that for you."], "Ana")
        with ana.write() as db:  # a break: kept, but no attempt
            db.execute("UPDATE sessions SET status = ? WHERE id = ?", (INTERRUPTED, sid))
        good, _ = _library()
        reasons = {s.scenario_id: s.reason for s in trainee_plan(ana, "Ana", good, load_policy()).suggestions}
        assert reasons["blunt-not-abusive"].startswith("Practised, not yet assessed")
        practised = trainee_plan(ana, "Ana", good, load_policy(), practised={"apologises-after-boundary"})
        reasons = {s.scenario_id: s.reason for s in practised.suggestions}
        assert reasons["apologises-after-boundary"].startswith("Practised, not yet assessed")
