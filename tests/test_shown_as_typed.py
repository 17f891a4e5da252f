"""Markup in a scenario, a bundle, an assignment or a reply is shown as typed, never drawn.

Qt draws a label or a tooltip that looks like markup as markup and loads its `<img src>` from any local
path: `<img src='/dev/zero'>` in a persona's name crashed the trainee's app, in a bundled trainee's name the
reviewer's, and a named pipe hung them. Each part of the app a stranger's words reach is opened here with
such words in every field, and every label, tooltip and list tip on screen is checked.
"""

import re
import time
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel

from appkit import open_review, open_window, press, type_reply, wait_for_results
from conftest import REPO
from test_bundle_security import KEY, archive, sign
from test_store import play_into

# A picture that does not exist (a missing file draws nothing and harms nothing) and a tag that shows
# whether the words were drawn as markup.
EVIL = "<img src='/nonexistent/evil.png'><b>ZZ</b>"
DRAWN = "<b>ZZ</b>"


def _tips(view: QAbstractItemView) -> list[str]:
    model, tips = view.model(), []
    if model is None:
        return tips
    stack = [QModelIndex()]
    while stack and len(tips) < 5000:
        parent = stack.pop()
        for row in range(min(model.rowCount(parent), 500)):
            try:
                columns = model.columnCount(parent)
            except TypeError:  # a list model keeps it private: one column
                columns = 1
            for col in range(columns):
                index = model.index(row, col, parent)
                tip = model.data(index, Qt.ToolTipRole)
                if isinstance(tip, str):
                    tips.append(tip)
                if col == 0 and model.rowCount(index) > 0:
                    stack.append(index)
    return tips


def drawn_as_markup() -> list[str]:
    """Every place on screen where EVIL's tag would be drawn, not shown as typed."""
    found = []
    for w in QApplication.allWidgets():
        where = f"{type(w).__name__} in {type(w.parent()).__name__ if w.parent() else 'nothing'}"
        if isinstance(w, QLabel) and DRAWN in w.text():
            rich = w.textFormat() == Qt.RichText or (w.textFormat() == Qt.AutoText and QtGui.mightBeRichText(w.text()))
            if rich:
                found.append(f"label, {where}: {w.text()[:70]!r}")
        if DRAWN in w.toolTip() and QtGui.mightBeRichText(w.toolTip()):
            found.append(f"tooltip, {where}: {w.toolTip()[:70]!r}")
        if isinstance(w, QAbstractItemView):
            found += [f"list tip, {where}: {t[:70]!r}" for t in _tips(w) if DRAWN in t and QtGui.mightBeRichText(t)]
    return found


def assert_shown_as_typed() -> None:
    found = drawn_as_markup()
    assert not found, "drawn as markup:\n" + "\n".join(found)


def hostile_scenario(folder: Path) -> None:
    """The shipped swearing caller with the markup in every field a trainee sees (and its own id)."""
    text = (REPO / "scenarios" / "swearing-caller.yaml").read_text()
    text = text.replace("id: swearing-caller", "id: hostile-caller")
    text = re.sub(r"^title: (.*)$", lambda m: f'title: "{m.group(1)} {EVIL}"', text, count=1, flags=re.M)
    text = text.replace("summary: >-\n", f"summary: >-\n  {EVIL}\n", 1)
    text = re.sub(r"^  name: (.*)$", lambda m: f'  name: "{m.group(1)} {EVIL}"', text, count=1, flags=re.M)
    text = re.sub(r"^  role: (.*)$", lambda m: f'  role: "{m.group(1)} {EVIL}"', text, count=1, flags=re.M)
    text = text.replace("    debrief: >-\n", f"    debrief: >-\n      {EVIL}\n")
    text = re.sub(r"^(      [a-z_|]+: >-\n)", lambda m: f"{m.group(1)}        {EVIL}\n", text, flags=re.M)  # advice
    text = re.sub(r'^(\s+- (?:Four|Are you)[^"\n]*)$', lambda m: f"{m.group(1)} {EVIL}", text, flags=re.M)
    folder.mkdir(parents=True)
    (folder / "hostile.yaml").write_text(text)


def test_a_scenario_s_markup_is_shown_as_typed_from_library_to_results(qtbot, tmp_path):
    hostile_scenario(tmp_path / "coach")
    window = open_window(qtbot, tmp_path, scenario_folders=[str(tmp_path / "coach")])
    qtbot.waitUntil(lambda: any(s.id == "hostile-caller" for s in window.library.scenarios), timeout=10_000)
    assert_shown_as_typed()
    lib = window.library
    lib.table.selectRow(next(i for i, s in enumerate(lib.scenarios) if s.id == "hostile-caller"))
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    assert window.stack.currentWidget() is window.briefing
    assert_shown_as_typed()
    qtbot.mouseClick(window.briefing.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.live is not None and window.roleplay.transcript.count() >= 1, timeout=20_000)
    type_reply(qtbot, window, f"Sorry, what does {EVIL} mean? That language is not acceptable.")
    assert_shown_as_typed()
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    assert_shown_as_typed()


def test_a_bundle_s_names_are_shown_as_typed_in_review(qtbot, tmp_path):
    from simulator.store import Store
    from simulator.store.bundle import export_bundle, import_bundle
    with Store(tmp_path / "trainee") as store:
        sid, _ = play_into(store, ["That language isn't acceptable. If it continues I will end the call.",
                                   "/flag", "/end"], trainee=f"Eve {EVIL}")
        store.mark_reviewed(sid, f"Boss {EVIL}")
        export_bundle(store, [sid], tmp_path / "b.simbundle", KEY)
    with Store(tmp_path / "manager") as store:
        import_bundle(store, tmp_path / "b.simbundle", KEY)
    w = open_review(qtbot, tmp_path / "manager")
    qtbot.waitUntil(lambda: w.model.total == 1, timeout=10_000)
    assert_shown_as_typed()
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        w.sessions.open_session.emit(sid)
    assert_shown_as_typed()


def test_a_refused_bundle_s_file_names_are_shown_as_typed(qtbot, tmp_path):
    from simulator.store import Store
    (tmp_path / "b.simbundle").write_bytes(sign(archive({EVIL: b"x"})))
    Store(tmp_path / "manager").close()
    w = open_review(qtbot, tmp_path / "manager")
    w.bundles.import_files([tmp_path / "b.simbundle"], KEY)
    qtbot.waitUntil(lambda: any("ZZ" in label.text() for label in w.notices.findChildren(QLabel)), timeout=10_000)
    assert_shown_as_typed()


def test_an_assignment_s_title_is_shown_as_typed(qtbot, tmp_path):
    from simulator.store.assignments import make_assignment, write_assignment_bundle
    assignment = make_assignment(f"Week 1 {EVIL}", [("swearing-caller", None)], time.time() + 86400, f"Boss {EVIL}")
    write_assignment_bundle(assignment, tmp_path / "x.simassign", KEY)
    window = open_window(qtbot, tmp_path)
    window.practice_plan.import_file(tmp_path / "x.simassign", KEY)
    qtbot.waitUntil(lambda: any("Week 1" in l.text() for l in window.findChildren(QLabel)), timeout=10_000)
    assert_shown_as_typed()


def test_an_error_dialog_shows_the_message_as_typed(qtbot):
    from simulator.errors import SimulatorError
    from simulator.ui.notices import error_box
    box = error_box(None, SimulatorError(f"cannot open {EVIL}", "choose another file"), "Problem")
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.PlainText and EVIL in box.text()


def test_a_colleague_s_scenario_folder_is_shown_as_typed_in_authoring(qtbot, tmp_path):
    from test_authoring_app import open_authoring, select
    hostile_scenario(tmp_path / "coach")
    text = (tmp_path / "coach" / "hostile.yaml").read_text()
    (tmp_path / "coach" / "broken.yaml").write_text(
        text.replace("id: hostile-caller", "id: broken-caller").replace("goto: ignores_warning", f'goto: "{EVIL}"', 1))
    window = open_authoring(qtbot, tmp_path / "coach")
    for name in ("broken.yaml", "hostile.yaml"):
        select(window, name)
        qtbot.wait(200)
        for tab in range(window.tabs.count()):
            if window.tabs.isTabEnabled(tab):
                window.tabs.setCurrentIndex(tab)
                qtbot.wait(100)
        assert_shown_as_typed()
    panel = window.tryout  # played to an ending, whose debrief the result line quotes
    panel.speak.setChecked(False)
    panel.node.setCurrentText("ignores_warning")
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.reply.isEnabled(), timeout=10_000)
    panel.reply.setText("I'm ending this call now.")
    panel.reply.returnPressed.emit()
    with qtbot.waitSignal(panel.ended, timeout=5_000):
        panel.buttons["end_call"].click()
    assert DRAWN in panel.result.text()
    assert_shown_as_typed()


def test_a_disputing_trainee_s_name_and_the_greeting_are_shown_as_typed(qtbot, tmp_path):
    from simulator.store.records import Dispute
    from simulator.ui.review.dispute_answer_dialog import DisputeAnswerDialog
    dispute = Dispute("d1", "s1", "boundary_setting", "names_behavior", "missed", f"I said it {EVIL}", 0.0,
                      trainee=f"Dana & {EVIL}")
    for outcome in ("overturned", "upheld"):
        dialog = DisputeAnswerDialog(dispute, outcome, "Mo")
        qtbot.addWidget(dialog)
        dialog.show()
        assert_shown_as_typed()
        dialog.close()
    window = open_window(qtbot, tmp_path, trainee=f"Dana {EVIL}")
    assert EVIL in window.library.greeting.text()
    assert_shown_as_typed()
