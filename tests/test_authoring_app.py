"""The coach's authoring view in the real app: live reload, errors with line and fix, picture, lines, try-out."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO
from simulator.paths import shipped_scenarios
from simulator.speech.kit import FileDevices
from simulator.speech.playback import FileSpeaker
from simulator.ui.authoring.window import AuthoringWindow
from simulator.ui.tasks import Tasks

BROKEN = MINIMAL.replace("goto: calm", "goto: clam")  # a typo in a goto


def open_authoring(qtbot, folder: Path, devices=None) -> AuthoringWindow:
    window = AuthoringWindow(tasks=Tasks(), devices=devices or FileDevices(speaker=FileSpeaker(speed=0)))
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    with qtbot.waitSignal(window.checked, timeout=20_000):
        window.open_folder(folder)
    return window


def rows(window) -> list[str]:
    return [window.files.item(i).text() for i in range(window.files.count())]


def problems(window) -> list[tuple[str, str, str]]:
    tree = window.problems
    return [tuple(tree.topLevelItem(i).text(c) for c in range(3)) for i in range(tree.topLevelItemCount())]


def select(window, name: str) -> None:
    row = next(i for i, text in enumerate(rows(window)) if name in text)
    window.files.setCurrentRow(row)


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / "coach"
    f.mkdir()
    # A coach's copy of a shipped scenario, with an id of its own (with the shipped id it is flagged: see below).
    text = (shipped_scenarios() / "swearing-caller.yaml").read_text(encoding="utf-8")
    (f / "swearing-caller.yaml").write_text(text.replace("id: swearing-caller", "id: coach-swearing-caller"),
                                            encoding="utf-8")
    (f / "tiny.yaml").write_text(MINIMAL, encoding="utf-8")
    return f


def test_every_file_is_listed_with_its_state_and_errors_name_line_and_fix(qtbot, folder):
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    window = open_authoring(qtbot, folder)
    assert [r[:1] for r in rows(window)] == ["✗", "✓", "✓"]
    assert "broken.yaml" in rows(window)[0] and "swearing-caller" in rows(window)[1]
    assert "1 with errors" in window.summary.text()
    select(window, "broken.yaml")
    line = next(i for i, text in enumerate(BROKEN.splitlines(), 1) if "clam" in text)
    where, message, fix = problems(window)[0]
    assert where.startswith(f"broken.yaml:{line}")
    assert "clam" in message and "calm" in fix  # the fix hint suggests the node meant
    assert not window.tabs.isTabEnabled(1)  # no picture of a file that does not load
    select(window, "tiny.yaml")
    assert problems(window) == [("", "No problems: this file is valid.", "")]
    assert window.tabs.isTabEnabled(1)


def test_a_file_changed_on_disk_is_checked_again(qtbot, folder):
    window = open_authoring(qtbot, folder)
    select(window, "tiny.yaml")
    tiny = folder / "tiny.yaml"
    with qtbot.waitSignal(window.checked, timeout=10_000):
        tiny.write_text(BROKEN, encoding="utf-8")
    assert rows(window)[1].startswith("✗ ") and "tiny.yaml" in rows(window)[1]
    assert "tiny.yaml" in window.selected_path()  # the coach's selection stays put
    assert any("clam" in p[1] for p in problems(window))
    # Saved the way many editors save: a new file renamed over the old one.
    with qtbot.waitSignal(window.checked, timeout=10_000):
        fixed = folder / ".tiny.yaml.swp"
        fixed.write_text(MINIMAL, encoding="utf-8")
        fixed.replace(tiny)
    assert rows(window)[1].startswith("✓ ")
    with qtbot.waitSignal(window.checked, timeout=10_000):
        tiny.write_text(BROKEN, encoding="utf-8")  # still watched after the rename
    assert rows(window)[1].startswith("✗ ")
    with qtbot.waitSignal(window.checked, timeout=10_000):
        (folder / "new.yaml").write_text(MINIMAL.replace("id: tiny", "id: new-one"), encoding="utf-8")
    assert any("new.yaml" in r for r in rows(window))


def test_the_branch_picture_and_the_lines_of_the_selected_scenario(qtbot, folder):
    window = open_authoring(qtbot, folder)
    select(window, "swearing-caller")
    svg = window.graph.text
    assert "ended_after_warning" in svg and "◆ End call" in svg and "#009E73" in svg
    assert window.graph.svg.renderer().isValid()
    window.intensity.setCurrentText("strong")
    assert "fucking" in window.graph.text  # the strong lines are shown
    texts = [window.lines.topLevelItem(i).text(2) for i in range(window.lines.topLevelItemCount())]
    assert any(t.startswith("Four days!") for t in texts)


def test_hearing_a_line_in_the_persona_voice(qtbot, folder):
    speaker = FileSpeaker(speed=0)
    window = open_authoring(qtbot, folder, FileDevices(speaker=speaker))
    select(window, "swearing-caller")
    window.lines.setCurrentItem(window.lines.topLevelItem(0))
    with qtbot.waitSignal(window.played, timeout=60_000):
        window.hear_button.click()
    played = speaker.log[-1].path
    assert played.exists() and played.stat().st_size > 10_000  # a real WAV, rendered by espeak-ng
    assert "Playing" in window.hear_status.text()


def try_out(qtbot, window, node: str, intensity: str | None = None):
    """The swearing caller's try-out, started from `node` (silent), once its detector is ready."""
    select(window, "swearing-caller")
    panel = window.tryout
    panel.speak.setChecked(False)
    panel.node.setCurrentText(node)
    if intensity:
        panel.intensity.setCurrentText(intensity)
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.reply.isEnabled(), timeout=10_000)  # the detector comes from a worker
    return panel


def test_trying_the_scenario_from_any_node(qtbot, folder):
    window = open_authoring(qtbot, folder)
    panel = try_out(qtbot, window, "ignores_warning", "strong")
    assert "[ignores_warning]" in panel.transcript.toPlainText()
    panel.reply.setText("I'm ending this call now.")
    panel.reply.returnPressed.emit()
    assert "[ending_announced]" in panel.transcript.toPlainText()
    with qtbot.waitSignal(panel.ended, timeout=5_000) as ended:
        panel.buttons["end_call"].click()
    assert ended.args == ["ended_after_warning"]
    assert "Ending: ended_after_warning (good)" in panel.result.text() and "Score" in panel.result.text()
    assert not panel.reply.isEnabled()


def test_choosing_another_file_ends_the_try_out_of_the_last_one(qtbot, folder):
    window = open_authoring(qtbot, folder)
    select(window, "swearing-caller")
    panel = window.tryout
    panel.speak.setChecked(False)
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.reply.isEnabled(), timeout=10_000)
    assert "swearing-caller" in panel.session.file.path.name
    other = next(c for c in window.checks if c.loaded is not None and "swearing-caller" not in c.path.name)
    select(window, other.path.name)
    assert panel.session is None and not panel.reply.isEnabled() and panel.transcript.toPlainText() == ""
    panel.start_button.click()  # and Start plays the file now chosen
    qtbot.waitUntil(lambda: panel.reply.isEnabled(), timeout=10_000)
    assert panel.session.file.path == other.path


def test_words_left_in_the_try_out_box_are_said_on_the_way_out_as_in_the_trainees_app(qtbot, folder):
    panel = try_out(qtbot, open_authoring(qtbot, folder), "ignores_warning")
    panel.reply.setText("I'm ending this call now.")
    with qtbot.waitSignal(panel.ended, timeout=5_000):
        panel.buttons["end_call"].click()  # not sent with Enter: it goes with the control
    assert panel.reply.text() == "" and "I'm ending this call now." in panel.transcript.toPlainText()
    replies = [t for t in panel.session.turns if t.speaker == "trainee" and t.kind == "reply"]
    assert replies and replies[-1].text == "I'm ending this call now."


def test_authoring_opens_from_the_trainee_window(qtbot, tmp_path):
    from appkit import open_window
    window = open_window(qtbot, tmp_path)
    authoring = window.open_authoring()
    with qtbot.waitSignal(authoring.checked, timeout=20_000):
        pass
    assert len(authoring.checks) >= 14 and all(c.state != "errors" for c in authoring.checks)
    authoring.close()


def test_simulator_author_self_check(tmp_path, folder):
    run = subprocess.run([sys.executable, "-m", "simulator", "author", str(folder), "--self-check"],
                         capture_output=True, text=True, timeout=120, cwd=REPO,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr
    assert "self-check: ok; authoring; files: 2; with errors: 0" in run.stdout


def test_a_click_on_a_box_in_the_picture_draws_its_lines_strong(qtbot, folder):
    from PySide6.QtCore import QPoint, Qt

    from simulator.scenario.graph import layout
    window = open_authoring(qtbot, folder)
    select(window, "swearing-caller")
    window.tabs.setCurrentIndex(1)
    view = window.graph
    qtbot.waitUntil(lambda: view.svg.width() > 100, timeout=5_000)
    box = layout(window.selected().loaded.scenario).boxes["keeps_swearing"]
    where = QPoint(int((box.x + 20) * view.zoom), int((box.y + 20) * view.zoom))
    qtbot.mouseClick(view.svg, Qt.LeftButton, pos=where)
    assert window.lines_of.currentData() == "keeps_swearing"
    assert "lines into and out of keeps_swearing" in view.text
    qtbot.mouseClick(view.svg, Qt.LeftButton, pos=where)  # the same box again: every line again
    assert window.lines_of.currentData() is None and "lines into and out of" not in view.text
    view.set_zoom(2.0)  # zoomed in, a node chosen in the list is scrolled into view (it stayed off the edge)
    view.horizontalScrollBar().setValue(0)
    window.lines_of.setCurrentIndex(window.lines_of.findData("ended_after_warning"))
    far = layout(window.selected().loaded.scenario).boxes["ended_after_warning"]
    assert view.horizontalScrollBar().value() > 0
    left = view.horizontalScrollBar().value() / view.zoom
    assert left <= far.x and far.x + 220 <= left + view.viewport().width() / view.zoom


def test_with_no_speaker_hear_the_customer_is_not_on_offer(qtbot, tmp_path):
    # A walker found "Hear the customer" ticked on a machine with no speaker; each line then failed to play.
    from test_trainee_window import NoSoundDevices
    folder = tmp_path / "s"
    folder.mkdir()
    shutil.copy(REPO / "scenarios" / "swearing-caller.yaml", folder)
    window = open_authoring(qtbot, folder, devices=NoSoundDevices())
    qtbot.waitUntil(lambda: not window.tryout.speak.isEnabled(), timeout=5_000)
    assert not window.tryout.speak.isChecked() and not window.hear_button.isEnabled()
    assert "shown as text" in window.tryout.speak.toolTip()
    with_speaker = open_authoring(qtbot, folder)
    assert with_speaker.tryout.speak.isChecked() and with_speaker.hear_button.isEnabled()


def test_long_file_titles_wrap_and_the_coachs_guide_is_in_the_help_menu(qtbot, tmp_path, monkeypatch):
    # A walker saw "swearing-caller.yaml — scenario that does not…" cut off, and looked for help in vain.
    from PySide6.QtGui import QDesktopServices
    folder = tmp_path / "s"
    folder.mkdir()
    shutil.copy(REPO / "scenarios" / "swearing-caller.yaml", folder)
    window = open_authoring(qtbot, folder)
    assert window.files.wordWrap() and window.files.horizontalScrollBar().maximum() == 0
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    helps = [a for m in window.menuBar().actions() if m.text() == "&Help" for a in m.menu().actions()]
    assert helps and "guide" in helps[0].text()
    helps[0].trigger()
    assert opened and opened[0].endswith("docs/authoring.md") and Path(opened[0]).is_file()
