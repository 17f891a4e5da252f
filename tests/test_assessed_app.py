"""The trainee's side of transparent assessment in the real window: the briefing says what is assessed
(folded away on request, remembered), and the live checklist is off by default, offered in practice, ticks
what the scorer counts, and stays out of assessed sessions unless the policy allows it."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from appkit import choose, open_window, type_reply
from simulator.scenario import Policy


def test_the_briefing_says_what_is_assessed_and_remembers_going_in_blind(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "swearing-caller"))
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    box = window.briefing.assessed_box
    assert box.scroll.isVisible()
    text = box.body.text()
    for words in ("Boundary-setting", "within your first 3 replies after the first abusive line",
                  "Name the behaviour as unacceptable",
                  "End the call or transfer the call to a supervisor, only after a clear warning", "flag the incident",
                  "Don&#x27;t answer in kind", "Ending the call before a clear warning costs points"):
        assert words in text, words
    qtbot.mouseClick(box.toggle, Qt.LeftButton)
    assert not box.scroll.isVisible()
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert saved["show_assessed"] is False
    window.stack.setCurrentWidget(window.library)
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    assert not box.scroll.isVisible() and not box.toggle.isChecked()  # still folded for the next scenario


def test_tab_goes_down_the_briefing_as_it_reads(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    lib = window.library
    for scenario in ("swearing-caller", "late-refund-empathy"):  # the intensity buttons are made anew each time
        window.stack.setCurrentWidget(lib)
        lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == scenario))
        qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    b = window.briefing
    chain, x = [], b.assessed_box.toggle
    while x is not b.start_button and len(chain) < 100:
        chain.append(x)
        x = x.nextInFocusChain()
    mild = b.intensity_group.button(0)
    assert mild in chain and b.mode_group.button(0) in chain and b.mic_button in chain  # all before Start
    assert chain.index(mild) < chain.index(b.mode_group.button(0)) < chain.index(b.input_group.button(0))
    assert chain.index(b.input_group.button(0)) < chain.index(b.mic_button) < chain.index(b.back_button)


def test_the_checklist_ticks_what_the_scorer_counts_in_practice_only(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    b = window.briefing
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "swearing-caller"))
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    assert not b.checklist.isChecked() and not b.checklist.isEnabled()  # off by default; assessed: not allowed
    b.mode_group.button(1).setChecked(True)
    assert b.checklist.isEnabled()
    b.checklist.click()
    assert json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))["show_checklist"] is True
    window.stack.setCurrentWidget(window.library)
    choose(qtbot, window, "swearing-caller", assessed=False)
    checklist = window.roleplay.checklist
    assert checklist.isVisible() and "○&nbsp;</td><td>Name the behaviour as unacceptable" in checklist.text()
    type_reply(qtbot, window, "That language is not acceptable.")
    qtbot.waitUntil(lambda: ("disengaging", "end_call") not in checklist.met
                    and ("boundary_setting", "names_behavior") in checklist.met, timeout=10_000)
    assert "✓</span>&nbsp;</td><td>Name the behaviour as unacceptable" in checklist.text()
    assert "○&nbsp;</td><td>Say what happens if it continues" in checklist.text()
    window.roleplay.stop()

    # Assessed: not shown, however the box was left, unless the organisation's policy allows it.
    b.mode_group.button(0).setChecked(True)
    assert b.checklist.isChecked() and not b.checklist.isEnabled() and not b.wants_checklist
    b.policy = Policy(format=1, checklist_in_assessed=True)
    b.mode_group.button(1).setChecked(True)
    b.mode_group.button(0).setChecked(True)
    assert b.checklist.isEnabled() and b.wants_checklist


def test_the_briefing_fits_a_small_screen_at_large_text_without_overlap(qtbot, tmp_path):
    """150 % text on a 1366x768 screen: the briefing scrolls, nothing in it overlaps, Start stays in view."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from simulator.ui.theme import apply_theme
    app = QApplication.instance()
    window = open_window(qtbot, tmp_path)
    try:
        apply_theme(app, "light", 150)
        window.resize(1366, 740)
        lib = window.library
        for scenario in ("swearing-caller", "threat-of-violence"):
            window.stack.setCurrentWidget(lib)
            lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == scenario))
            qtbot.mouseClick(lib.open_button, Qt.LeftButton)
            qtbot.wait(100)
            b = window.briefing
            body = b.scroll.widget()
            parts = [w for w in (b.title, b.customer, b.situation, b.content_note, b.assessed_box, b.intensity_box,
                                 b.mode_group.buttons()[0].parentWidget(), b.input_group.buttons()[0].parentWidget(),
                                 b.keep_audio, b.mic_button.parentWidget()) if w.isVisible()]
            boxes = [QRect(w.mapTo(body, w.rect().topLeft()), w.size()) for w in parts]
            for i, a in enumerate(boxes):
                assert a.height() >= parts[i].minimumSizeHint().height() - 1 or parts[i] is b.assessed_box, parts[i]
                for j, c in enumerate(boxes[i + 1:], i + 1):
                    assert not a.intersects(c), (parts[i], parts[j])
            start = b.start_button
            assert window.rect().contains(QRect(start.mapTo(window, start.rect().topLeft()), start.size()))
    finally:
        apply_theme(app, "system", 100)
