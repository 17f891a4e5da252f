"""Whatever the product records, a manager can import: the engine keeps replies and names as a bundle accepts them.

A tester played replies pasted with a terminal escape and a right-to-left override, a 30,000-character reply,
a name with control characters and a scenario whose node was called "Boils Over!": each exported, and each
bundle was refused on import with "ask for it to be exported again", which could never help.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO
from simulator.engine import Session
from simulator.engine.reply_text import MAX_REPLY, kept
from simulator.errors import EngineError, ScenarioError
from simulator.scenario import load_scenario
from simulator.scoring.detect import PhraseDetector
from simulator.store import Store, load_session
from simulator.store.bundle import export_bundle, import_bundle
from simulator.store.bundleschema import as_name, name_problem
from simulator.store.report import session_html
from test_bundle_security import KEY
from test_store import play_into

PASTED = "That language \x1b[31mis not\x1b[0m acceptable. \u202eIf it goes on I will end the call."


def test_a_reply_with_escapes_and_an_override_is_kept_without_them_and_imports(tmp_path):
    with Store(tmp_path / "trainee") as store:
        sid, session = play_into(store, [PASTED, "/end"], trainee="Ana")
        out = export_bundle(store, [sid], tmp_path / "s.simbundle", KEY)
        kept_text = load_session(store, sid).turns[1]["text"]
    assert kept_text == "That language [31mis not[0m acceptable. If it goes on I will end the call."
    # the words after the override still count (it no longer turns them round)
    assert {m.criterion for m in session.turns[1].matches} >= {"states_consequence"}
    with Store(tmp_path / "manager") as manager:
        import_bundle(manager, out, KEY)
        assert load_session(manager, sid).turns[1]["text"] == kept_text


def _session(tmp_path) -> Session:
    sf = load_scenario(REPO / "scenarios" / "swearing-caller.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    session.start()
    return session


def test_a_typed_reply_longer_than_a_bundle_holds_is_refused_with_a_reason_and_nothing_is_kept(tmp_path):
    session = _session(tmp_path)
    turns = len(session.turns)
    with pytest.raises(EngineError) as caught:
        session.reply("word " * (MAX_REPLY // 5 + 10))
    assert "at most 20,000" in caught.value.message and "shorter replies" in caught.value.hint
    assert len(session.turns) == turns  # refused whole: the trainee types it again, shorter
    session.reply("word " * 10, source="spoken")
    session.reply("word " * (MAX_REPLY // 5 + 10), source="spoken")  # heard: cut, never a stopped call
    assert len(session.turns[-2].text if session.turns[-1].speaker == "customer" else session.turns[-1].text) <= MAX_REPLY


def test_words_said_while_leaving_are_kept_cleanly_and_never_keep_the_trainee_in_the_call(tmp_path):
    session = _session(tmp_path)
    session.leave("end_call", "bye \u202e" + "x" * (MAX_REPLY + 50))
    said = [t for t in session.turns if t.speaker == "trainee" and t.kind == "reply"][-1].text
    assert len(said) == MAX_REPLY and "\u202e" not in said and session.finished


def test_kept_leaves_ordinary_text_alone():
    for text in ("Hello, I hear you.", "Line one\nline two\twith a tab", "Ça va? 你好 👍", "zero\u200bwidth"):
        assert kept(text) == text


def test_names_are_kept_on_one_line_without_what_does_not_show():
    assert as_name("  Eve\x1b[31m Red\u202e\u200b  ") == "Eve[31m Red"
    assert name_problem("Sam Rivera") is None
    assert "more than 200" in name_problem("x" * 5000) and name_problem("\u202e\u200b") == "is empty"


def test_play_refuses_a_name_no_bundle_could_carry(tmp_path):
    done = subprocess.run([sys.executable, "-m", "simulator", "--data-dir", str(tmp_path), "play", "blunt-not-abusive",
                           "--trainee", "x" * 300], input="/end\n", capture_output=True, text=True, timeout=120,
                          cwd=REPO)
    assert done.returncode != 0 and "--trainee" in done.stderr and "at most 200" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_report_shows_an_override_in_an_older_session_as_a_code_not_as_reversed_words(tmp_path):
    with Store(tmp_path) as store:
        sid, _ = play_into(store, ["Hello there.", "/end"], trainee="Ana")
        record = load_session(store, sid)
    record.turns[1]["text"] = "Hello there \u202e reversed"  # as a session recorded before the engine cleaned replies
    html = session_html(record)
    assert "\u202e" not in html and "&lt;U+202E&gt; reversed" in html


@pytest.mark.parametrize("change, expect", [
    (("boils_over", "Boils Over!"), "'Boils Over!' cannot be used as an id"),
    (("Sort it out, now!", "Sort it out, \u202enow!"), "U+202E RIGHT-TO-LEFT OVERRIDE"),
])
def test_validate_refuses_node_names_and_text_a_session_could_not_carry(tmp_path, change, expect):
    source = (REPO / "scenarios" / "swearing-caller.yaml").read_text(encoding="utf-8")
    assert change[0] in source
    path = tmp_path / "mine.yaml"
    path.write_text(source.replace(change[0], change[1]).replace("id: swearing-caller", "id: mine"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problem = next(p for p in caught.value.problems if expect in p.message)
    line = source.replace(change[0], change[1]).splitlines()[problem.line - 1]
    assert change[1] in line, (problem, line)  # the line named is the one holding it
