"""One way to do each thing (issue 19): one store opener, one transcript renderer, one settings reader, one
session runner for the app and the terminal, and a review window split by concern."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO
from PySide6.QtWidgets import QLabel

from simulator.settings import AppSettings
from simulator.store import Store
from simulator.ui.review.window import ReviewWindow
from simulator.ui.tasks import Tasks
from storefill import PLAYS, keep_recording, play

SIMULATOR = REPO / "simulator"


def _tree(path):
    return ast.parse(path.read_text(encoding="utf-8"))


def _functions_named(pattern: str) -> list[str]:
    found = []
    for path in sorted(SIMULATOR.rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and re.fullmatch(pattern, node.name):
                found.append(f"{path.relative_to(REPO)}:{node.name}")
    return found


# -- 5. ReviewWindow split by concern; a tab is added in a line or two ------------------------------------
def test_the_review_window_only_builds_and_wires_its_concerns():
    path = SIMULATOR / "ui" / "review" / "window.py"
    cls = next(n for n in ast.walk(_tree(path)) if isinstance(n, ast.ClassDef) and n.name == "ReviewWindow")
    methods = [n.name for n in cls.body if isinstance(n, ast.FunctionDef)]
    lines = cls.end_lineno - cls.lineno + 1
    assert len(methods) <= 16 and lines <= 180, (len(methods), lines)
    # Passphrase, playback, reports, CSV, bundles and the LRS push each live in a module of their own.
    source = path.read_text(encoding="utf-8")
    for gone in ("check_passphrase", "audio_file", "html_to_pdf", "export_csv", "import_bundle", "push_sessions",
                 "organisation_key", "QFileDialog", "QInputDialog"):
        assert gone not in source, gone
    for module in ("passphrase", "playback", "reports", "csv_export", "bundles", "lrs_push", "verdict_changes"):
        assert len((path.parent / f"{module}.py").read_text(encoding="utf-8").splitlines()) < 120, module


def test_a_new_review_page_is_added_with_one_call_and_reads_when_opened(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
    window = ReviewWindow(data_dir=tmp_path, tasks=Tasks(), settings=AppSettings(trainee="Mo", reviewer="Mo"),
                          ask_passphrase=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.store_ready, timeout=20_000):
        pass
    page = QLabel()
    window.tabs.add(page, "&Count", read=lambda store: store.read("SELECT count(*) AS n FROM sessions")[0]["n"],
                    show=lambda n: page.setText(f"{n} session(s)"))
    assert page.text() == ""  # nothing is read until the page is opened
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.text() == "1 session(s)", timeout=10_000)


# -- 1. one store opener -------------------------------------------------------------------------------
def test_the_session_records_are_opened_by_one_function_for_both_windows():
    assert _functions_named(r"_?open_store") == ["simulator/ui/store_opening.py:open_store"]
    for window in ("ui/window.py", "ui/review/window.py"):
        source = (SIMULATOR / window).read_text(encoding="utf-8")
        assert "open_store(self.tasks, self.data_dir" in source and "Store(" not in source, window


# -- 2. one transcript renderer -----------------------------------------------------------------------------
def test_the_report_and_the_review_page_render_the_transcript_with_one_function():
    renderers = [f for f in _functions_named(r"\w*transcript\w*")
                 if not f.endswith(("show_transcript", "_transcript"))]
    assert renderers == ["simulator/store/report.py:transcript_table"], renderers
    page = (SIMULATOR / "ui" / "review" / "session_page.py").read_text(encoding="utf-8")
    # The review page passes its options and palette; it never rewrites the report's HTML.
    assert "class='evidence'" not in page and "<span" not in page and "transcript_table(record" in page


def test_the_review_page_shows_the_reports_transcript_with_times_links_and_its_palette(qtbot, tmp_path):
    from simulator.store import load_session
    from simulator.store.report import session_html, transcript_table
    from simulator.ui.review.session_page import SessionPage
    from simulator.ui.theme import colours
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[0], "Ana")
        keep_recording(store, sid, 160)
        record = load_session(store, sid)
    in_report = transcript_table(record)
    assert transcript_table(record, title="Transcript") in session_html(record)
    assert "play:" not in in_report and "turn-1" not in in_report
    page = SessionPage()
    qtbot.addWidget(page)
    page.show_record(record)
    shown = page.transcript.toHtml()
    assert "play:1" in shown
    assert "turn-1" in shown and "\n0:00\n" in page.transcript.toPlainText()
    evidence = colours(page.palette()).evidence.name()  # the theme's, as in the conversation and the results
    assert evidence in page.transcript.document().defaultStyleSheet()
    # Each marked word of evidence reaches the page's document, the theme's evidence colour behind it.
    marked = [e["quote"] for v in record.verdicts for e in v["evidence"] if e.get("end", 0) > e.get("start", 0)]
    assert marked and all(q in page.transcript.toPlainText() for q in marked)
    assert f"background-color:{evidence}" in shown.replace(" ", "")


# -- 3. one settings reader -----------------------------------------------------------------------------------
def test_settings_json_is_read_in_one_place():
    readers = [str(p.relative_to(REPO)) for p in sorted(SIMULATOR.rglob("*.py"))
               if '"settings.json"' in p.read_text(encoding="utf-8")]
    assert readers == ["simulator/settings.py"]
    location = (SIMULATOR / "store" / "location.py").read_text(encoding="utf-8")
    assert "import json" not in location and "read_text" not in location and "read_settings()" in location


def test_every_command_finds_the_records_where_the_app_does_and_a_bad_file_is_left_alone(tmp_path, monkeypatch):
    import json

    from simulator.settings import load_settings, settings_file
    from simulator.store.location import data_dir
    monkeypatch.delenv("SIMULATOR_DATA_DIR")
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"data_dir": str(tmp_path / "records"), "trainee": "Ana"}), encoding="utf-8")
    assert data_dir() == tmp_path / "records" == Path(load_settings()[0].data_dir)
    # A data_dir the app would refuse (not text) used to crash every command (Path([...])); now neither uses it,
    # and looking up the folder moves nothing aside: only the app does that, and says so.
    path.write_text(json.dumps({"data_dir": ["records"], "trainee": "Ana"}), encoding="utf-8")
    assert data_dir() != Path("records") and path.exists()
    settings, notice = load_settings()
    assert settings.data_dir is None and "kept as settings.bad-" in notice and not path.exists()


# -- 4. one session runner for the app and the terminal ------------------------------------------------------
def test_play_runs_the_apps_practice_and_builds_no_session_of_its_own():
    source = (SIMULATOR / "cli" / "play.py").read_text(encoding="utf-8")
    assert "Practice(" in source
    for own in ("SessionRecorder", "score_session", "build_detector", "Session(", "push_sessions", "pass_mark"):
        assert own not in source, own
    window = (SIMULATOR / "ui" / "window.py").read_text(encoding="utf-8")
    assert "push_sessions" not in window and "live.practice.send" in window


def test_plays_learning_record_is_passed_or_failed_by_the_policy_given(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from simulator.paths import default_policy_file
    from simulator.store.credentials import save
    from simulator.store.xapi import VERBS
    save("http://127.0.0.1:9/xAPI", "u", "a-long-password")  # refused at once: the statements stay in the outbox
    outcomes = {}
    for mark in (1, 100):
        policy = tmp_path / f"policy-{mark}.yaml"
        policy.write_text(default_policy_file().read_text(encoding="utf-8").replace("pass_mark: 70", f"pass_mark: {mark}"),
                          encoding="utf-8")
        out = subprocess.run([sys.executable, "-m", "simulator", "play", "swearing-caller", "--seed", "1", "--replies",
                              "-", "--json", "--policy", str(policy)], input="Please stop swearing.\n/end\n",
                             capture_output=True, text=True, cwd=REPO, timeout=120)
        assert out.returncode == 0, out.stderr
        sid = json.loads(out.stdout)["session_id"]
        with Store(Path(os.environ["SIMULATOR_DATA_DIR"])) as store:
            bodies = [json.loads(r["body"]) for r in store.read("SELECT body FROM outbox WHERE session_id = ?", (sid,))]
        outcomes[mark] = {b["verb"]["id"] for b in bodies} & {VERBS["passed"], VERBS["failed"]}
    assert outcomes == {1: {VERBS["passed"]}, 100: {VERBS["failed"]}}


# -- Done means: what the printed report showed ------------------------------------------------------------------
def test_a_table_that_runs_onto_the_next_page_of_the_pdf_repeats_its_header_there(tmp_path):
    import shutil
    import subprocess

    import pytest

    from simulator.store import load_session
    from simulator.store.report import session_html
    from simulator.ui.printing import html_to_pdf
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed (scripts/setup.sh test installs it)")
    with Store(tmp_path) as store:
        sid = play(store, "late-refund-empathy", ["/hold"] * 60, "Ana")  # the customer waits: a long transcript
        record = load_session(store, sid)
    pdf = html_to_pdf(session_html(record), tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    continued = [p for p in pages[1:] if "Put on hold" in p or "Hold" in p]
    assert continued and all(re.search(r"Turn\s+Who\s+Said", p) for p in continued)
