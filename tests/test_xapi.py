"""xAPI statements, and delivery to a real Learning Record Store (Ralph) on 127.0.0.1."""

import json
import subprocess
import sys
import time
import uuid

import pytest

from conftest import REPO
from lrs_server import PASSWORD, USER, TricklingLrs
from simulator.store import INTERRUPTED, Store, load_session
from simulator.store.credentials import LrsConfig, load, save
from simulator.store.lrs import Lrs
from simulator.store.xapi import VERBS, statements
from test_store import play_into


def test_statements_of_a_completed_session(tmp_path):
    with Store(tmp_path) as store:
        sid, session = play_into(store, ["Please stop swearing.", "If you keep swearing I'll end the call.", "/end"])
        record = load_session(store, sid)
    out = statements(record, pass_mark=70)
    verbs = [s["verb"]["id"] for s in out]
    replies = [t for t in session.turns if t.kind == "reply"]
    assert verbs[0] == VERBS["attempted"] and verbs[-2] == VERBS["completed"]
    assert verbs[-1] == (VERBS["passed"] if record.summary.overall >= 70 else VERBS["failed"])
    assert verbs.count(VERBS["responded"]) == len(replies)
    assert {s["context"]["registration"] for s in out} == {str(uuid.UUID(sid))}
    responded = [s for s in out if s["verb"]["id"] == VERBS["responded"]]
    assert responded[0]["result"]["response"] == "Please stop swearing."
    assert responded[0]["object"]["definition"]["interactionType"] == "long-fill-in"
    ext = next(k for k in responded[0]["context"]["extensions"] if k.endswith("/input"))
    assert responded[0]["context"]["extensions"][ext] == "typed"
    final = out[-1]["result"]
    assert final["score"]["scaled"] == round(record.summary.overall / 100, 4)
    assert any(k.endswith("/verdicts") for k in final["extensions"])
    assert [s["id"] for s in out] == [s["id"] for s in statements(record, pass_mark=70)]  # ids never change
    assert len({s["id"] for s in out}) == len(out)


def test_an_unfinished_session_is_terminated_not_completed(tmp_path):
    with Store(tmp_path) as store:
        sid, _ = play_into(store, ["Hmm."])
        with store.write() as db:
            db.execute("UPDATE sessions SET status = ? WHERE id = ?", (INTERRUPTED, sid))
        verbs = [s["verb"]["id"] for s in statements(load_session(store, sid))]
    assert verbs[-1] == VERBS["terminated"] and VERBS["completed"] not in verbs


def test_credentials_are_kept_privately(tmp_path):
    where = save("http://127.0.0.1:9/xAPI/", "u", "p4ss", folder=tmp_path)
    config = load(tmp_path)
    assert config.endpoint == "http://127.0.0.1:9/xAPI" and config.password == "p4ss"
    if where == "file":
        assert (tmp_path / "lrs-password").stat().st_mode & 0o077 == 0
    assert "p4ss" not in (tmp_path / "lrs.json").read_text()


def test_configure_says_plainly_where_the_password_is_kept():
    out = cli("lrs", "configure", "--endpoint", "http://127.0.0.1:9/xAPI", "--username", "u", "--password-stdin",
              stdin="a-long-password\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.rstrip().endswith(("is kept in the OS keyring", "is kept in a file only you can read"))


def test_a_trickling_lrs_cannot_hold_a_request_past_its_deadline():
    with TricklingLrs(every=1.0) as server:
        lrs = Lrs(LrsConfig(server.endpoint, "u", "p"), timeout=2.0)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            lrs.send([{"id": str(uuid.uuid4())}])
        assert time.monotonic() - started < 3.5


def cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "simulator", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, timeout=180)


def registration_count(lrs: Lrs, session_id: str) -> list[dict]:
    return lrs.fetch(str(uuid.UUID(session_id)))


def test_sessions_reach_the_lrs_and_read_back(ralph):
    save(ralph.endpoint, USER, PASSWORD)
    out = cli("play", "swearing-caller", "--replies", "-", "--json",
              stdin="Please stop swearing.\nIf you keep swearing I'll end the call.\n/end\n")
    assert out.returncode == 0, out.stderr
    sid = json.loads(out.stdout)["session_id"]
    lrs = Lrs(load())
    got = registration_count(lrs, sid)
    with Store_for_cli() as store:
        expected = statements(load_session(store, sid))
    assert sorted(s["id"] for s in got) == sorted(s["id"] for s in expected)
    passed = [s for s in got if s["verb"]["id"] in (VERBS["passed"], VERBS["failed"])]
    assert passed and passed[0]["result"]["score"]["scaled"] == expected[-1]["result"]["score"]["scaled"]


def test_offline_sessions_wait_and_arrive_once_when_the_lrs_is_back(ralph):
    save(ralph.endpoint, USER, PASSWORD)
    ralph.stop()
    ids = []
    for replies in ("Please stop swearing.\n/end\n", "Shut up.\n/end\n"):
        out = cli("play", "swearing-caller", "--replies", "-", "--json", stdin=replies)
        assert out.returncode == 0, out.stderr
        ids.append(json.loads(out.stdout)["session_id"])
    status = cli("lrs", "status")
    waiting = int(status.stdout.split("waiting: ")[1].split()[0])
    assert waiting > 0
    offline_push = cli("sessions", "push")
    assert offline_push.returncode == 1 and "next push" in offline_push.stdout
    ralph.start()
    pushed = cli("sessions", "push")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert f"sent {waiting} statement{'' if waiting == 1 else 's'}; 0 waiting" in pushed.stdout
    again = cli("sessions", "push")
    assert "sent 0 statements; 0 waiting" in again.stdout
    lrs = Lrs(load())
    with Store_for_cli() as store:
        for sid in ids:
            got = registration_count(lrs, sid)
            assert len(got) == len({s["id"] for s in got}) == len(statements(load_session(store, sid)))


def test_every_batch_arrives_exactly_once_across_a_restart_of_the_lrs(ralph):
    """Each play sends its own batch; the LRS keeps all of them, through a restart, with no second copy."""
    save(ralph.endpoint, USER, PASSWORD)

    def played(replies: str) -> str:
        out = cli("play", "swearing-caller", "--replies", "-", "--json", stdin=replies)
        assert out.returncode == 0, out.stderr
        with Store_for_cli() as store:  # this session's batch went at once, whatever went before it
            assert store.read("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0] == 0
        return json.loads(out.stdout)["session_id"]

    ids = [played("Please stop swearing.\n/end\n"), played("Shut up.\n/end\n")]
    ralph.stop()
    ralph.start()
    ids.append(played("If you keep swearing I'll end the call.\n/end\n"))
    again = cli("sessions", "push")
    assert "sent 0 statements; 0 waiting" in again.stdout, again.stdout + again.stderr
    with Store_for_cli() as store:
        expected = sorted(s["id"] for sid in ids for s in statements(load_session(store, sid)))
    lrs = Lrs(load())
    assert sorted(s["id"] for sid in ids for s in registration_count(lrs, sid)) == expected
    kept = [json.loads(line)["id"] for line in ralph.statements_file.read_text().splitlines()]
    assert sorted(kept) == expected  # in its store too: exactly once each


def Store_for_cli():  # noqa: N802 - reads the same data folder the CLI wrote
    from simulator.store import data_dir
    return Store(data_dir())
