"""`simulator play` when things go wrong: killed mid-session, fed bad input, or held up by a slow LRS.

Each runs the real command as a process over a temporary data folder, the
way a trainee's terminal or a coach's script runs it.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from lrs_server import TricklingLrs, free_port
from simulator.store import INTERRUPTED, Store, load_session
from simulator.store.credentials import save
from simulator.store.lrs import queue_sessions, unqueued_sessions

PLAY = [sys.executable, "-m", "simulator", "play", "swearing-caller", "--seed", "1"]
# Two replies that leave Sam still on the line (neither ends the call).
REPLIES = ["Please stop swearing.", "I understand you are frustrated."]


def data_folder() -> Path:
    return Path(os.environ["SIMULATOR_DATA_DIR"])


def play(*args: str, stdin: str | bytes = "", timeout: float = 120) -> subprocess.CompletedProcess:
    text = isinstance(stdin, str)
    return subprocess.run([*PLAY, *args], input=stdin, capture_output=True, text=text, cwd=REPO, timeout=timeout,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def sessions() -> list[tuple[str, str]]:
    with Store(data_folder()) as store:
        return [(r["id"], r["status"]) for r in store.read("SELECT id, status FROM sessions")]


def outbox_rows() -> int:
    with Store(data_folder()) as store:
        return store.read("SELECT COUNT(*) FROM outbox")[0][0]


def trainee_replies_committed() -> list[str]:
    """What another process sees in the database file right now (no Store: it would recover the live session)."""
    path = data_folder() / "sessions.sqlite3"
    if not path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return [r[0] for r in db.execute(
                "SELECT text FROM turns WHERE speaker = 'trainee' AND kind = 'reply' ORDER BY session_id, idx")]
    except sqlite3.OperationalError:  # the file is there but its tables are not yet
        return []


def wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def an_unreachable_lrs() -> None:
    save(f"http://127.0.0.1:{free_port()}/xAPI", "trainee-box", "a-long-test-password")


def test_kill_9_during_streamed_play_keeps_every_reply_sent_so_far():
    with subprocess.Popen([*PLAY, "--replies", "-", "--json"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, cwd=REPO) as proc:
        try:
            for n, reply in enumerate(REPLIES, 1):
                proc.stdin.write(f"{reply}\n".encode())
                proc.stdin.flush()
                assert wait_for(lambda n=n: len(trainee_replies_committed()) == n), \
                    f"reply {n} was not committed while standard input stayed open"
        finally:
            proc.send_signal(signal.SIGKILL)  # standard input still open: the session is mid-way
    with Store(data_folder()) as store:
        [sid] = store.recovered
        record = load_session(store, sid)
    assert record.summary.status == INTERRUPTED
    assert [t["text"] for t in record.turns if t["speaker"] == "trainee"] == REPLIES


@pytest.mark.parametrize(("content", "message"), [
    (b"Please stop swearing.\n\xff oops\n/end\n", "replies.txt:2:1: this is not UTF-8 text"),
    ("Please stop swearing.\n/end\n".encode("utf-16"), "replies.txt: this looks like UTF-16 text, not UTF-8"),
    (b"Please stop swearing.\n/dance\n/end\n", "replies.txt:2: '/dance' is not a call control"),
], ids=["invalid-utf8", "utf16", "unknown-action"])
def test_a_replies_file_that_cannot_be_played_starts_no_session(tmp_path, content, message):
    an_unreachable_lrs()
    replies = tmp_path / "replies.txt"
    replies.write_bytes(content)
    out = play("--replies", str(replies))
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert sessions() == [] and outbox_rows() == 0


def test_every_problem_in_a_replies_file_is_named_at_once(tmp_path):
    replies = tmp_path / "replies.txt"
    replies.write_bytes(b"/dance\nPlease stop swearing.\n/jump\n")
    out = play("--replies", str(replies))
    assert "replies.txt:1: '/dance'" in out.stderr and "replies.txt:3: '/jump'" in out.stderr


def test_a_bad_line_on_standard_input_keeps_the_turns_so_far_as_interrupted_not_ended():
    an_unreachable_lrs()
    out = play("--replies", "-", stdin=f"{REPLIES[0]}\n/dance\n{REPLIES[1]}\n")
    assert out.returncode == 2
    assert "standard input:2: '/dance' is not a call control" in out.stderr
    assert "kept as interrupted" in out.stderr
    [(sid, status)] = sessions()
    assert status == INTERRUPTED and outbox_rows() == 0  # not sent as a session the trainee ended
    with Store(data_folder()) as store:
        replies = [t["text"] for t in load_session(store, sid).turns if t["speaker"] == "trainee"]
    assert replies == [REPLIES[0]]


def test_undecodable_standard_input_is_named_by_its_line():
    out = play("--replies", "-", stdin=f"{REPLIES[0]}\n".encode() + b"caf\xe9\n")
    assert out.returncode == 2 and "standard input:2:4: this is not UTF-8 text" in out.stderr.decode()
    [(_, status)] = sessions()
    assert status == INTERRUPTED


@pytest.mark.parametrize("stdin", ["", "/dance\n"], ids=["no-input", "bad-first-line"])
def test_a_session_without_a_trainee_turn_is_never_queued_for_the_lrs(stdin):
    an_unreachable_lrs()
    play("--replies", "-", stdin=stdin)
    [(sid, _)] = sessions()
    assert outbox_rows() == 0
    with Store(data_folder()) as store:
        assert sid not in unqueued_sessions(store)
        assert queue_sessions(store, [sid], "https://simulator.invalid", 70) == 0


def test_play_does_not_wait_on_an_lrs_that_trickles_its_answer():
    with TricklingLrs(every=2.0) as lrs:
        save(lrs.endpoint, "trainee-box", "a-long-test-password")
        started = time.monotonic()
        out = play("--replies", "-", stdin=f"{REPLIES[0]}\n/end\n", timeout=60)
        took = time.monotonic() - started
        assert lrs.requests >= 1  # it did try, and the LRS did hold on to it
    assert out.returncode == 0, out.stderr
    assert "will go on the next `simulator sessions push`" in out.stderr
    assert took < 30, f"play took {took:.0f} s"
    assert outbox_rows() > 0


def test_a_named_pipe_as_the_replies_file_is_refused_at_once(tmp_path):
    fifo = tmp_path / "replies.txt"
    os.mkfifo(fifo)
    out = subprocess.run([sys.executable, "-m", "simulator", "--data-dir", str(tmp_path / "data"), "play",
                          "swearing-caller", "--replies", str(fifo)], capture_output=True, text=True, timeout=60,
                         cwd=REPO, stdin=subprocess.DEVNULL)
    assert out.returncode != 0 and "named pipe" in out.stderr, out.stderr
    assert not (tmp_path / "data" / "sessions.sqlite3").exists() or "completed" not in out.stdout


def test_play_names_a_symlink_loop_as_one(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    out = subprocess.run([sys.executable, "-m", "simulator", "play", str(loop), "--practice"], capture_output=True,
                         text=True, timeout=60, cwd=REPO, stdin=subprocess.DEVNULL)
    assert out.returncode != 0 and "symlink loop" in out.stderr.lower()
