"""Session records in real SQLite files: written as played, recovered after a crash, migrated."""

from contextlib import closing
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import REPO
from simulator.engine import Session
from simulator.engine.script import run_script
from simulator.errors import SimulatorError
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector, score_session
from simulator.store import (COMPLETED, ENDED_BY_TRAINEE, INTERRUPTED, Filter, Store, list_sessions,
                             load_session)
from simulator.store.recorder import SessionRecorder
from simulator.store.schema import LATEST, migrate


def play_into(store, replies, trainee="Ana", path="scenarios/swearing-caller.yaml", seed=1):
    sf = load_scenario(path)
    session = Session(sf, PhraseDetector(sf.criteria), seed=seed)
    recorder = SessionRecorder(store, session, trainee)
    run_script(session, replies)
    recorder.save_result(score_session(sf, session.turns))
    recorder.close()
    return recorder.id, session


def test_a_played_session_is_kept_whole(tmp_path):
    with Store(tmp_path) as store:
        sid, session = play_into(store, ["That language isn't acceptable. Please stop.", "/flag", "/end"])
        record = load_session(store, sid)
    assert record.summary.status == COMPLETED and record.summary.trainee == "Ana"
    assert len(record.turns) == len(session.turns)
    reply = record.turns[1]
    assert reply["speaker"] == "trainee" and reply["source"] == "typed"
    assert {m["criterion"] for m in reply["matches"]} >= {"names_behavior", "sets_expectation"}
    assert [t["action"] for t in record.turns if t["kind"] == "action"] == ["flag", "end_call"]
    assert record.path == session.path and record.ending_node == session.ending.node
    assert record.summary.overall is not None and record.scores and record.verdicts
    assert record.result["versions"]["scenario"] == record.scenario_sha256
    assert record.result["measures"]["first_abuse_turn"] == 0


def test_each_turn_is_committed_as_it_happens(tmp_path):
    with Store(tmp_path) as store:
        sf = load_scenario("scenarios/swearing-caller.yaml")
        session = Session(sf, PhraseDetector(sf.criteria), seed=1)
        recorder = SessionRecorder(store, session, "Ana")
        session.start()
        session.reply("Please stop swearing.")
        # another connection, as another process would see the file
        with closing(sqlite3.connect(tmp_path / "sessions.sqlite3")) as other:
            count = other.execute("SELECT COUNT(*) FROM turns WHERE session_id = ?", (recorder.id,)).fetchone()[0]
        assert count == len(session.turns) == 3


def test_stopping_early_is_ended_by_trainee(tmp_path):
    with Store(tmp_path) as store:
        sid, _ = play_into(store, ["Please stop swearing.", "/stop"])
        assert load_session(store, sid).summary.status == ENDED_BY_TRAINEE


def test_a_killed_process_leaves_its_turns_and_is_marked_interrupted(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "SIMULATOR_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "play", "swearing-caller", "--trainee", "Bo"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO, env=env)
    proc.stdin.write("Please stop swearing at me.\nIf you keep swearing I will end the call.\n")
    proc.stdin.flush()
    db = data / "sessions.sqlite3"
    deadline = time.monotonic() + 60
    turns = 0
    while time.monotonic() < deadline and turns < 5:  # line, reply, line, reply, line
        time.sleep(0.1)
        if db.exists():
            with closing(sqlite3.connect(db)) as c:
                try:
                    turns = c.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
                except sqlite3.OperationalError:
                    turns = 0
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert turns == 5
    with Store(data) as store:
        assert len(store.recovered) == 1
        record = load_session(store, store.recovered[0])
    assert record.summary.status == INTERRUPTED and record.summary.trainee == "Bo"
    assert [t["speaker"] for t in record.turns] == ["customer", "trainee", "customer", "trainee", "customer"]
    assert record.turns[3]["text"] == "If you keep swearing I will end the call."
    assert record.summary.ended_at == record.turns[-1]["ended_at"]
    assert record.path == [t["node"] for t in record.turns if t["speaker"] == "customer"]


def test_a_session_still_being_played_elsewhere_is_not_marked_interrupted(tmp_path):
    with Store(tmp_path) as playing:
        sid = playing.begin_session(trainee="Ana", scenario_id="x", scenario_title="X", scenario_sha256="0" * 64,
                                    scenario_file=None, intensity=None, seed=None)
        if sys.platform.startswith("linux"):
            # flock locks are per open file: a second Store in this process models another process
            with Store(tmp_path) as other:
                assert sid not in other.recovered
        assert load_session(playing, sid).summary.status == "in_progress"


def test_listing_filters_and_search(tmp_path):
    with Store(tmp_path) as store:
        a, _ = play_into(store, ["Please stop swearing.", "/end"], trainee="Ana")
        b, _ = play_into(store, ["Shut up.", "/end"], trainee="Bo")
        c, _ = play_into(store, ["I can hear how frustrating this is."], trainee="Ana",
                         path="scenarios/late-refund-empathy.yaml")
        assert [s.id for s in list_sessions(store)] == [c, b, a]
        assert {s.id for s in list_sessions(store, Filter(trainee="Ana"))} == {a, c}
        assert [s.id for s in list_sessions(store, Filter(scenario="late-refund-empathy"))] == [c]
        assert [s.id for s in list_sessions(store, Filter(text="Shut up"))] == [b]
        assert [s.id for s in list_sessions(store, Filter(text="100%"))] == []
        low = list_sessions(store, Filter(max_score=30))
        assert all(s.overall <= 30 for s in low)
        assert list_sessions(store, limit=1, offset=1)[0].id == b


def test_a_database_of_the_first_schema_is_upgraded(tmp_path):
    path = tmp_path / "sessions.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, upto=1) == 1
    conn.execute("INSERT INTO trainees (id, name, created_at) VALUES (1, 'Old Timer', 0)")
    conn.execute("INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256, started_at,"
                 " ended_at, status, overall) VALUES ('a' || hex(randomblob(15)), 1, 'swearing-caller', 'T', ?, 1, 2,"
                 " 'completed', 55)", ("0" * 64,))
    conn.close()
    with Store(tmp_path) as store:
        assert store.read("PRAGMA user_version")[0][0] == LATEST
        (old,) = list_sessions(store)
        assert old.trainee == "Old Timer" and old.overall == 55 and old.origin == "played"
        store.read("SELECT * FROM overrides")
        store.read("SELECT * FROM outbox")


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    with closing(sqlite3.connect(tmp_path / "sessions.sqlite3")) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(SimulatorError, match="newer version"):
        Store(tmp_path)


def test_an_unwritable_folder_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SimulatorError, match="cannot open the session records"):
        Store(blocker / "data")


def test_overrides_are_kept_beside_the_automatic_verdict(tmp_path):
    with Store(tmp_path) as store:
        sid, _ = play_into(store, ["Please stop swearing.", "/end"])
        before = load_session(store, sid)
        target = next(v for v in before.verdicts if v["item"] == "names_behavior")
        with pytest.raises(SimulatorError, match="needs a comment"):
            store.add_override(sid, target["dimension"], "names_behavior", "met", "  ", "Mo")
        store.add_override(sid, target["dimension"], "names_behavior", "met", "Named it in their tone.", "Mo")
        store.add_override(sid, target["dimension"], "names_behavior", "missed", "On second listen, no.", "Jo")
        after = load_session(store, sid)
    assert after.verdicts == before.verdicts  # the automatic verdict is never overwritten
    assert [(o.reviewer, o.status) for o in after.overrides] == [("Mo", "met"), ("Jo", "missed")]
    assert all(o.created_at > 0 for o in after.overrides)


def test_a_completed_session_is_never_on_disk_without_its_score(tmp_path):
    # The ending and the score were two writes: a full disk or a crash between them left a completed session
    # with no score for good (attempts and certificates skip it, and nothing scores it again).
    from simulator.engine import SessionEnded, SessionScored
    seen = []
    with Store(tmp_path) as store:
        sf = load_scenario("scenarios/swearing-caller.yaml")
        session = Session(sf, PhraseDetector(sf.criteria), seed=1,
                          scorer=lambda turns, ending: score_session(sf, turns))
        recorder = SessionRecorder(store, session, "Ana")

        def look(event) -> None:
            if isinstance(event, (SessionEnded, SessionScored)):
                row = store.read("SELECT status, overall FROM sessions WHERE id = ?", (recorder.id,))[0]
                seen.append((type(event).__name__, row["status"], row["overall"] is not None))
        session.subscribe(look)
        run_script(session, ["That language isn't acceptable. If it continues I will end the call.", "/flag", "/end"])
        recorder.close()
    assert seen[0] == ("SessionEnded", "in_progress", False)  # not yet "completed" with no score
    assert seen[1] == ("SessionScored", "completed", True)  # both, in one transaction


def test_every_turn_is_on_the_disk_when_its_commit_returns(tmp_path):
    with Store(tmp_path) as store:
        assert store.read("PRAGMA synchronous")[0][0] == 2  # FULL: a power cut keeps every finished turn
