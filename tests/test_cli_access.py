"""The command line keeps to the review passphrase, and never lets a record drive the terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO
from simulator.access import hash_passphrase
from simulator.store import Store
from test_store import play_into

PASSPHRASE = "team lead only"
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


@pytest.fixture
def shared_laptop(tmp_path):
    """Ana's and Bob's sessions on one machine; the app's settings say Ana is the trainee."""
    data, config = tmp_path / "data", tmp_path / "config"
    with Store(data) as store:
        ana, _ = play_into(store, [f"That language isn't acceptable.{ESCAPES} Let's sort it out.", "/end"],
                           trainee="Ana")
        bob, _ = play_into(store, ["Please calm down.", "/end"], trainee="Bob")
        with store.write() as db:  # a name an earlier version could have imported
            db.execute("UPDATE trainees SET name = ? WHERE name = 'Bob'", (f"Bob{ESCAPES}\u202e",))
            # and a reply as an earlier version kept it (the engine now leaves such characters out)
            db.execute("UPDATE turns SET text = ? WHERE session_id = ? AND idx = 1",
                       (f"That language isn't acceptable.{ESCAPES} Let's sort it out.", ana))
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"trainee": "Ana"}))
    policy = tmp_path / "policy.yaml"
    policy.write_text(f'format: 1\nreview_passphrase: "{hash_passphrase(PASSPHRASE)}"\n')
    return {"data": data, "config": config, "policy": str(policy), "ana": ana, "bob": bob, "tmp": tmp_path}


def sim(laptop, *args, passphrase: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "SIMULATOR_DATA_DIR": str(laptop["data"]),
           "SIMULATOR_CONFIG_DIR": str(laptop["config"])}
    env.pop("SIMULATOR_REVIEW_PASSPHRASE", None)
    if passphrase is not None:
        env["SIMULATOR_REVIEW_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def test_without_the_passphrase_only_your_own_sessions_are_listed(shared_laptop):
    out = sim(shared_laptop, "sessions", "list", "--policy", shared_laptop["policy"])
    assert out.returncode == 0, out.stderr
    assert shared_laptop["ana"][:8] in out.stdout and shared_laptop["bob"][:8] not in out.stdout
    assert "showing only Ana's sessions" in out.stderr
    asked = sim(shared_laptop, "sessions", "list", "--trainee", "Bob", "--policy", shared_laptop["policy"])
    assert asked.returncode != 0 and "another trainee's" in asked.stderr


@pytest.mark.parametrize("command", [["show"], ["report", "--html", "r.html"]])
def test_another_trainees_session_is_refused_by_id(shared_laptop, command):
    out = sim(shared_laptop, "sessions", command[0], shared_laptop["bob"][:8], *command[1:],
              "--policy", shared_laptop["policy"])
    assert out.returncode != 0 and "another trainee's" in out.stderr
    assert not (REPO / "r.html").exists()


def test_export_takes_only_your_own_sessions(shared_laptop):
    target = shared_laptop["tmp"] / "mine.csv"
    out = sim(shared_laptop, "sessions", "export", "--csv", str(target), "--policy", shared_laptop["policy"])
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows and {row["trainee"] for row in rows} == {"Ana"}
    refused = sim(shared_laptop, "sessions", "export", shared_laptop["bob"][:8], "--csv", str(target),
                  "--policy", shared_laptop["policy"])
    assert refused.returncode != 0 and "another trainee's" in refused.stderr


def test_all_needs_the_right_passphrase(shared_laptop):
    policy = ("--policy", shared_laptop["policy"])
    no_tty = sim(shared_laptop, "sessions", "list", "--all", *policy)
    assert no_tty.returncode != 0 and "SIMULATOR_REVIEW_PASSPHRASE" in no_tty.stderr
    wrong = sim(shared_laptop, "sessions", "list", "--all", *policy, passphrase="guess")
    assert wrong.returncode != 0 and "not the review passphrase" in wrong.stderr
    right = sim(shared_laptop, "sessions", "list", "--all", *policy, passphrase=PASSPHRASE)
    assert right.returncode == 0 and shared_laptop["bob"][:8] in right.stdout
    purge = sim(shared_laptop, "sessions", "purge", "--session-days", "0", "--yes", *policy)
    assert purge.returncode != 0 and "passphrase" in purge.stderr


def test_without_a_passphrase_in_the_policy_everyone_is_listed(shared_laptop):
    out = sim(shared_laptop, "sessions", "list")
    assert out.returncode == 0 and shared_laptop["bob"][:8] in out.stdout


def test_records_cannot_drive_the_terminal(shared_laptop):
    for args in (["sessions", "list"], ["sessions", "show", shared_laptop["ana"][:8]],
                 ["sessions", "show", shared_laptop["bob"][:8]]):
        out = sim(shared_laptop, *args)
        assert out.returncode == 0, out.stderr
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout and "\u202e" not in out.stdout
    shown = sim(shared_laptop, "sessions", "show", shared_laptop["ana"][:8]).stdout
    assert "\\x1b]0;owned\\x07" in shown  # shown for what it is
