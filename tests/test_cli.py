"""The `simulator` command, run as a real process the way coaches and CI run it."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO

ENTRY = Path(sys.executable).with_name("simulator")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    cmd = [str(ENTRY)] if ENTRY.exists() else [sys.executable, "-m", "simulator"]
    return subprocess.run([*cmd, *args], input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_version():
    from simulator import __version__
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"simulator {__version__}"


@pytest.mark.parametrize("command", [[], ["validate"], ["play"], ["list"], ["test"]])
def test_help_everywhere(command):
    out = run(*command, "--help")
    assert out.returncode == 0 and "usage: simulator" in out.stdout


def test_python_dash_m_works_too():
    out = subprocess.run([sys.executable, "-m", "simulator", "--version"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and out.stdout.startswith("simulator ")


def test_validate_the_shipped_library():
    out = run("validate")
    assert out.returncode == 0, out.stderr
    assert "criteria library" in out.stdout and "swearing-caller" in out.stdout
    assert out.stdout.strip().endswith("files valid")


def test_validate_lists_every_error_and_exits_1(write, tmp_path):
    write(MINIMAL.replace("goto: calm", "goto: clam"), "broken.yaml")
    write(MINIMAL.replace("id: tiny", "id: other").replace("title:", "tittle:"), "second.yaml")
    write(MINIMAL, "good.yaml")
    out = run("validate", str(tmp_path))
    assert out.returncode == 1
    assert f"{tmp_path / 'broken.yaml'}:12:9: error: 'clam' is not a node (did you mean 'calm'?)" in out.stderr
    assert f"{tmp_path / 'second.yaml'}:3:1: error: unknown key 'tittle' (did you mean 'title'?)" in out.stderr
    assert f"ok     {tmp_path / 'good.yaml'}" in out.stdout
    assert "1 of 3 files valid" in out.stdout


def test_validate_catches_duplicate_scenario_ids(write, tmp_path):
    write(MINIMAL, "a.yaml")
    write(MINIMAL, "b.yaml")
    out = run("validate", str(tmp_path))
    assert out.returncode == 1 and "scenario id 'tiny' is already used by" in out.stderr


def test_validate_missing_path():
    out = run("validate", "no/such/place.yaml")
    assert out.returncode == 1 and "no such file or folder" in out.stderr


def test_play_replies_json_gives_transcript_and_score(tmp_path):
    replies = tmp_path / "replies.txt"
    replies.write_text("# a comment line is skipped\n"
                       "Sam, that language isn't acceptable. Please stop swearing. If it continues I'll end the call.\n"
                       "/flag\nI'm ending this call now. Goodbye.\n/end\nleft over\n")
    out = run("play", "swearing-caller", "--replies", str(replies), "--json", "--seed", "4", "--intensity", "strong")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"]["id"] == "swearing-caller" and len(data["scenario"]["sha256"]) == 64
    assert data["intensity"] == "strong" and data["seed"] == 4 and data["finished"] is True
    assert data["ending"]["node"] == "ended_after_warning" and data["ending"]["outcome"] == "good"
    assert data["path"] == ["start", "ignores_warning", "ending_announced", "ended_after_warning"]
    speakers = [(t["speaker"], t["kind"]) for t in data["turns"]]
    assert speakers[:2] == [("customer", "line"), ("trainee", "reply")]
    assert ("trainee", "action") in speakers
    first_reply = data["turns"][1]
    assert first_reply["source"] == "typed"
    assert {m["criterion"] for m in first_reply["matches"]} >= {"names_behavior", "sets_expectation", "states_consequence"}
    assert data["score"]["overall"] == 100
    assert data["score"]["dimensions"]["disengaging"]["verdicts"][1]["item"] == "end_call|escalate"
    assert data["unused_replies"] == ["left over"]


def test_play_replies_from_stdin_prints_a_readable_score():
    out = run("play", "scenarios/late-refund-empathy.yaml", "--replies", "-", "--seed", "1",
              stdin="I can hear how frustrating this is.\nLet me get this sorted for you.\n")
    assert out.returncode == 0, out.stderr
    assert "Priya Hallam (angry):" in out.stdout and "Score:" in out.stdout
    assert "[+] Acknowledged the customer's feelings (met)" in out.stdout  # as the app says it, not the id
    assert "acknowledges feelings" not in out.stdout


def test_replies_piped_into_interactive_play_that_run_out_are_scored_as_far_as_they_went():
    # A manager piping replies in read "You stopped the session. Take the time you need." under the score.
    out = run("play", "blunt-not-abusive", "--practice", stdin="I can see why that's annoying, let me fix it.\n")
    assert out.returncode == 0, out.stderr
    assert "Score:" in out.stdout and "The replies ran out" in out.stdout
    assert "You stopped the session" not in out.stdout


def _kept(session_id: str):
    from simulator.store import Store, load_session
    from simulator.store.attempts import attempts_of
    from simulator.store.progress import trainee_progress
    with Store(Path(os.environ["SIMULATOR_DATA_DIR"])) as store:
        record = load_session(store, session_id)
        return record, attempts_of(store, "Ana"), trainee_progress(store, "Ana")


def test_interactive_play_takes_typed_replies_and_a_stop_is_kept_as_interrupted_as_in_the_app():
    # /stop saved the session as "stopped by trainee" with a score; the app's "Stop — I need a break" keeps a
    # break as interrupted, not scored and not counted. The terminal keeps it the same way, and says so.
    out = run("play", "swearing-caller", "--seed", "2", "--trainee", "Ana",
              stdin="/dance\nPlease stop swearing at me.\n/stop\n")
    assert out.returncode == 0, out.stderr
    assert "Type your reply" in out.stdout and "Contains: swearing" in out.stdout
    assert "/stop takes a break: the call ends and is kept as interrupted, not scored" in out.stdout
    assert "'/dance' is not a call control" in out.stdout
    said = " ".join(out.stdout.split())
    assert "You stopped for a break" in said and "Score:" not in said
    assert "It is kept as interrupted: not scored, and it does not count towards your progress" in said
    (session_id,) = _ids()
    assert f"Kept as session {session_id[:8]}" in said
    record, attempts, progress = _kept(session_id)
    assert record.summary.status == "interrupted" and record.summary.overall is None
    assert [t["text"] for t in record.turns if t["speaker"] == "trainee"] == ["Please stop swearing at me."]
    assert attempts == [] and progress == []


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_leaving_play_at_the_keyboard_is_kept_as_interrupted_not_scored(key):
    # Ctrl+C or Ctrl+D at the prompt ended a scored "stopped by trainee" session: leaving the terminal is leaving
    # the call, kept as quitting the app mid-call is. Run on a real terminal (a pty), as a person types.
    import fcntl
    import pty
    import select
    import termios
    import time
    main, child = pty.openpty()

    def own_terminal() -> None:  # the pty becomes the child's controlling terminal, so Ctrl+C sends SIGINT
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    cmd = [str(ENTRY)] if ENTRY.exists() else [sys.executable, "-m", "simulator"]
    proc = subprocess.Popen([*cmd, "play", "swearing-caller", "--seed", "2", "--trainee", "Ana"], stdin=child,
                            stdout=child, stderr=child, cwd=REPO, preexec_fn=own_terminal,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONFAULTHANDLER": "1"})
    os.close(child)
    seen = b""

    def read_until(text: bytes, times: int = 1, timeout: float = 120, required: bool = True) -> None:
        # Generous: on a busy machine the first prompt (the detector loading) took over a minute.
        nonlocal seen
        end = time.monotonic() + timeout
        while seen.count(text) < times and time.monotonic() < end:
            if select.select([main], [], [], 0.5)[0]:
                try:
                    seen += os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
        if required and seen.count(text) < times:  # stuck: the child's threads, as faulthandler dumps them on SIGABRT
            proc.send_signal(signal.SIGABRT)
            read_until(b"\0", timeout=5, required=False)
            raise AssertionError(f"no {text!r} in: {seen.decode('utf-8', 'replace')[-6000:]}")
    read_until(b"You: ")
    os.write(main, b"Please stop swearing at me.\r")
    read_until(b"You: ", times=2)  # the customer answered
    os.write(main, key.encode())
    read_until(b"Kept as session")
    read_until(b"\n", times=seen.count(b"\n") + 1, timeout=5, required=False)
    assert proc.wait(timeout=120) == 0
    os.close(main)
    said = " ".join(seen.decode("utf-8", "replace").split())
    assert "You stopped for a break" in said and "Score:" not in said, said[-600:]
    (session_id,) = _ids()
    record, attempts, _ = _kept(session_id)
    assert record.summary.status == "interrupted" and record.summary.overall is None
    assert [t["text"] for t in record.turns if t["speaker"] == "trainee"] == ["Please stop swearing at me."]
    assert attempts == []


def _ids() -> list[str]:
    from simulator.store import Store, list_sessions
    with Store(Path(os.environ["SIMULATOR_DATA_DIR"])) as store:
        return [s.id for s in list_sessions(store)]


def test_a_stop_in_a_replies_file_is_a_break_kept_as_interrupted_with_no_score():
    out = run("play", "swearing-caller", "--seed", "2", "--trainee", "Ana", "--replies", "-", "--json",
              stdin="Please stop swearing at me.\n/stop\nleft over\n")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["interrupted"] is True and data["score"] is None and data["finished"] is False
    assert data["unused_replies"] == ["left over"]
    record, attempts, progress = _kept(data["session_id"])
    assert record.summary.status == "interrupted" and record.summary.overall is None
    assert attempts == [] and progress == []
    text = run("play", "swearing-caller", "--replies", "-", stdin="Please stop swearing.\n/stop\n")
    assert "You stopped for a break" in text.stdout and "Score:" not in text.stdout


def test_interactive_play_ends_cleanly_on_end_of_input():
    out = run("play", "swearing-caller", stdin="")
    assert out.returncode == 0 and "Score:" in out.stdout


def test_unknown_scenario_id_lists_the_known_ones():
    out = run("play", "nope")
    assert out.returncode == 2 and "no scenario with id 'nope'" in out.stderr and "swearing-caller" in out.stderr


def test_playing_a_broken_file_shows_its_problems(write):
    path = write(MINIMAL.replace("goto: calm", "goto: clam"))
    out = run("play", str(path))
    assert out.returncode == 1 and "'clam' is not a node" in out.stderr


def test_list_shows_titles_and_content_notes():
    out = run("list")
    assert out.returncode == 0 and "racist-remark-video-call" in out.stdout and "racist remarks" in out.stdout


def test_no_command_with_no_screen_and_no_terminal_points_to_play(monkeypatch):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    out = run(stdin="")
    assert out.returncode == 0 and "simulator play" in out.stdout


def test_no_command_with_a_screen_opens_the_app(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from simulator.cli import build_parser, desktop
    opened = []
    monkeypatch.setattr(desktop, "run", lambda args: opened.append(args) or 0)
    assert desktop.open_default(build_parser().parse_args([])) == 0 and opened


def test_scenario_tests_run_and_failures_name_the_line(write, tmp_path):
    ok = run("test")
    assert ok.returncode == 0 and ok.stdout.strip().endswith(" passed, 0 failed")
    assert int(ok.stdout.split()[-4]) >= 6 + 22  # six scenario tests, and every criterion's examples
    write(MINIMAL + "tests:\n  - name: wrong ending\n    replies: [Whatever.]\n    ending: calm\n")
    out = run("test", str(tmp_path))
    assert out.returncode == 1
    assert f"{tmp_path / 'scenario.yaml'}:21:5: test 'wrong ending' failed: ended at angry, expected calm" in out.stdout


def test_classify_writes_one_json_line_per_reply(tmp_path):
    src = tmp_path / "replies.jsonl"
    src.write_text('{"id": "a", "text": "That language is not acceptable."}\n\n{"id": "b", "text": "Goodbye."}\n'
                   '{"id": "c", "text": "what is your postcode"}\n')
    out = run("classify", str(src))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["labels"] == ["names_behavior"]
    assert rows[0]["evidence"]["names_behavior"]["quote"] == "That language is not acceptable"
    assert rows[1]["labels"] == ["announces_ending"] and rows[2]["labels"] == []


def test_classify_reads_stdin_and_names_a_bad_line():
    ok = run("classify", "-", stdin='{"id": 1, "text": "please stop swearing"}\n')
    assert json.loads(ok.stdout)["labels"] == ["sets_expectation"]
    bad = run("classify", "-", stdin='{"id": 1, "text": "ok"}\nnot json\n')
    assert bad.returncode == 2 and "-:2: the line is not valid JSON" in bad.stderr


def test_score_rescoring_a_transcript_gives_the_same_score(tmp_path):
    played = run("play", "swearing-caller", "--replies", "-", "--json", "--seed", "5",
                 stdin="Please stop swearing.\nIf you swear again I'll end the call.\n/end\n")
    transcript = tmp_path / "session.json"
    transcript.write_text(played.stdout)
    out = run("score", str(transcript))
    assert out.returncode == 0, out.stderr
    again = json.loads(out.stdout)["score"]
    assert again == json.loads(played.stdout)["score"]
    assert again["measures"]["ended_after_warning"] is True


def test_score_notes_a_changed_scenario_and_uses_a_policy(tmp_path, write):
    path = write(MINIMAL.replace("persona:", "content: [insults]\npersona:"))
    played = run("play", str(path), "--replies", "-", "--json", stdin="/end\n")
    transcript = tmp_path / "session.json"
    transcript.write_text(played.stdout)
    path.write_text(path.read_text() + "# edited\n")
    strict = tmp_path / "policy.yaml"
    strict.write_text("format: 1\nwarnings_before_ending: 2\n")
    out = run("score", str(transcript), "--policy", str(strict))
    assert out.returncode == 0 and "has changed since this session was played" in out.stderr


def test_score_refuses_something_that_is_not_a_transcript(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    out = run("score", str(bad))
    assert out.returncode == 2 and "has no turns" in out.stderr


def test_test_command_reports_a_wrong_example_with_its_line(write, tmp_path):
    own = ("criteria:\n"
           "  - id: offers_callback\n    dimension: problem_solving\n    description: offers to call back\n"
           "    phrases: [call you back]\n"
           "    examples: {yes: [I'll call you back tomorrow., \"Can I ring you later?\"], no: [Goodbye.]}\n")
    path = write(MINIMAL.replace("rubric:", own + "rubric:"))
    out = run("test", str(tmp_path))
    assert out.returncode == 1
    column = path.read_text().splitlines()[9].index('"Can I') + 1
    where = f"{path}:10:{column}"
    assert f"{where}: example \"Can I ring you later?\" was not recognised as offers_callback" in out.stdout
