"""The role play and results pages as a trainee meets them: typed at a human pace, driven by keys and clicks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QScrollArea

from appkit import choose, open_window, press, type_reply, wait_for_results, wait_seconds
from conftest import REPO
from simulator.engine import Session
from simulator.scenario import load_scenario
from simulator.scoring.detector import PhraseDetector
from simulator.speech.devices import NoAudio
from simulator.speech.kit import FileDevices
from simulator.speech.playback import FileSpeaker
from simulator.speech.synthesis import LineCache, VoiceSettings, in_mood
from simulator.speech.wav import read_wav
from simulator.voiceplay import TYPED_SILENCE_S, VoiceEvents, VoiceLoop
from speechkit import synthesizer

WARNING = "Sam, I want to help, but that language isn't acceptable. Please stop swearing. If it continues, I'll end the call."
RETALIATION = "Shut up, you idiot. You're the rude one here."
HUMAN_PACE_MS = 125  # per press and per release: four characters a second: a steady typist who is thinking as they type


def trainee_turns(window) -> list:
    return [t for t in window.live.session.turns if t.speaker == "trainee"]


# -- 1. the silence timer and typing ------------------------------------------------------------
def test_a_reply_typed_at_a_human_pace_is_never_cut_by_the_silence_timer(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    asked: list[bool] = []
    window.live.bridge.still_there.connect(asked.append)
    wait_seconds(qtbot, 5)  # reading the customer's line first: with the typing, longer than the 30 s wait
    started = time.monotonic()
    page.reply.setFocus()
    qtbot.keyClicks(page.reply, WARNING, delay=HUMAN_PACE_MS)
    assert time.monotonic() - started > 20  # longer than the scenario's 8 s, and the prompt's 18 s
    assert trainee_turns(window) == []  # nothing was recorded while the trainee typed
    assert page.reply.text() == WARNING
    qtbot.keyClick(page.reply, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(trainee_turns(window)) == 1, timeout=10_000)
    turn = trainee_turns(window)[0]
    assert (turn.kind, turn.text) == ("reply", WARNING)  # sent whole, as one reply
    assert True not in asked  # never asked "still there?" while typing
    assert page.reply.text() == ""


def test_a_quiet_typed_session_asks_still_there_before_silence_counts(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page, loop = window.roleplay, window.live.loop
    assert loop.silence_wait_s >= TYPED_SILENCE_S > window.live.session.scenario.settings.silence_after_s
    loop.typing_silence_s = 3.0  # the scenario's own wait, shortened so the test does not sit for 30 s
    qtbot.waitUntil(lambda: "Still there?" in page.mic_state.text(), timeout=5_000)
    assert trainee_turns(window) == []  # asked first; nothing counted yet
    qtbot.waitUntil(lambda: any(t.kind == "silence" for t in trainee_turns(window)), timeout=5_000)
    qtbot.waitUntil(lambda: "Your turn" in page.mic_state.text(), timeout=3_000)  # the customer repeats: asked no more
    qtbot.waitUntil(lambda: "Still there?" in page.mic_state.text(), timeout=5_000)
    qtbot.keyClicks(page.reply, "Sam")  # a keystroke is an answer on its way
    qtbot.waitUntil(lambda: "Your turn" in page.mic_state.text(), timeout=2_000)
    assert sum(t.kind == "silence" for t in trainee_turns(window)) == 1


def test_hold_is_a_state_the_trainee_takes_the_customer_out_of(qtbot, tmp_path):
    """A tester pressed Ctrl+H twice: two identical "on hold" marks, no way back, and nothing said it was on hold."""
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page, loop = window.roleplay, window.live.loop
    loop.typing_silence_s = 2.0  # shortened, so the test does not sit for 30 s
    page.reply.setFocus()
    qtbot.keyClick(page.reply, Qt.Key_H, Qt.ControlModifier)  # Hold, from the reply box
    qtbot.waitUntil(lambda: any(t.action == "hold" for t in trainee_turns(window)), timeout=3_000)
    qtbot.waitUntil(lambda: "on hold" in page.mic_state.text(), timeout=2_000)
    assert "Take off hold" in page.buttons["hold"].text()
    qtbot.wait(3_000)  # longer than the silence wait: the customer is waiting, as asked
    assert not any(t.kind == "silence" for t in trainee_turns(window)) and "Still there?" not in page.mic_state.text()
    qtbot.keyClick(page.reply, Qt.Key_H, Qt.ControlModifier)  # again: off hold
    qtbot.waitUntil(lambda: "Your turn" in page.mic_state.text(), timeout=2_000)
    assert sum(t.action == "hold" for t in trainee_turns(window)) == 1  # no second "on hold" mark
    # ... but taking them off hold is kept, so a reviewer sees how long the customer waited
    qtbot.waitUntil(lambda: [t.action for t in trainee_turns(window) if t.kind == "action"] == ["hold", "resume"],
                    timeout=2_000)
    assert page.buttons["hold"].text().startswith("Hold")
    press(qtbot, window, "hold")  # on hold again, and a reply takes the customer off it
    qtbot.waitUntil(lambda: "on hold" in page.mic_state.text(), timeout=2_000)
    type_reply(qtbot, window, "Thanks for holding, Sam. Your engineer is booked for tomorrow.")
    qtbot.waitUntil(lambda: not window.live.on_hold and page.buttons["hold"].text().startswith("Hold"), timeout=2_000)
    assert not loop.on_hold
    assert sum(t.action == "resume" for t in trainee_turns(window)) == 1  # a reply ends a hold by itself
    qtbot.waitUntil(lambda: "Still there?" in page.mic_state.text(), timeout=5_000)  # the silence wait is back
    # Typed as a command, as `simulator play` takes it: /hold holds, /flag leaves the hold as it is.
    for command in ("/hold", "/flag"):
        qtbot.keyClicks(page.reply, command)
        qtbot.keyClick(page.reply, Qt.Key_Return)
        qtbot.waitUntil(lambda: loop.on_hold and "on hold" in page.mic_state.text(), timeout=2_000)
    assert sum(t.action == "hold" for t in trainee_turns(window)) == 3  # Ctrl+H, the button, /hold


def test_keystrokes_hold_off_silence_and_a_prompt_comes_before_it():
    sf = load_scenario(REPO / "scenarios" / "late-refund-empathy.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    asked: list[tuple[bool, float]] = []
    loop = VoiceLoop(session, silence_after_s=0.6, events=VoiceEvents(still_there=lambda on: asked.append((on, time.monotonic()))))
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    end = time.monotonic() + 2.0
    while time.monotonic() < end:  # typing for three times the wait
        loop.typing()
        time.sleep(0.15)
    assert not [t for t in session.turns if t.kind == "silence"]
    deadline = time.monotonic() + 5
    while not any(t.kind == "silence" for t in session.turns) and time.monotonic() < deadline:
        time.sleep(0.02)
    silence_at = time.monotonic()
    loop.stop()
    runner.join(5)
    assert any(t.kind == "silence" for t in session.turns)
    assert asked and asked[0][0] is True and asked[0][1] < silence_at  # asked before silence counted


def _silences(window) -> int:
    return sum(t.kind == "silence" for t in trainee_turns(window))


def test_unsent_words_in_the_reply_box_are_not_silence(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page, loop = window.roleplay, window.live.loop
    page.reply.setFocus()
    qtbot.keyClicks(page.reply, "one moment")  # not sent: the trainee is still working on it
    loop.typing_silence_s = 1.0  # the 30 s wait, shortened so the test does not sit for it
    wait_seconds(qtbot, 1.5)  # past the wait since the last keystroke
    assert _silences(window) == 0
    qtbot.waitUntil(lambda: "Press Enter to send your reply" in page.mic_state.text(), timeout=3_000)
    assert _silences(window) == 0 and page.reply.text() == "one moment"
    page.reply.selectAll()
    qtbot.keyClick(page.reply, Qt.Key_Backspace)  # rubbed out: an empty box is real silence again
    qtbot.waitUntil(lambda: _silences(window) == 1, timeout=3_000)


def _quiet_behind(qtbot, window, covered_for: float = 2.5) -> list[bool]:
    """With something of the app in front of the call, wait past the (shortened) silence wait twice over."""
    loop, asked = window.live.loop, []
    window.live.bridge.still_there.connect(asked.append)
    qtbot.waitUntil(lambda: loop.quiet.covered, timeout=3_000)
    loop.typing_silence_s = 1.0
    wait_seconds(qtbot, covered_for)
    assert _silences(window) == 0, "silence counted while a window of the app was in front of the call"
    assert True not in asked and "Still there?" not in window.roleplay.mic_state.text()
    return asked


def _back_at_the_call(qtbot, window, asked: list[bool]) -> None:
    """The clock goes on once the call is in front again: asked first, then the silence counts."""
    qtbot.waitUntil(lambda: _silences(window) == 1, timeout=5_000)
    assert asked and asked[0] is True


def test_the_settings_dialog_over_the_call_stops_the_silence_clock(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    page.reply.setFocus()
    qtbot.keyClick(page.reply, Qt.Key_Comma, Qt.ControlModifier)  # Ctrl+, from the reply box
    qtbot.waitUntil(lambda: getattr(window, "settings_dialog", None) is not None
                    and window.settings_dialog.isVisible(), timeout=5_000)
    asked = _quiet_behind(qtbot, window)
    window.settings_dialog.reject()
    _back_at_the_call(qtbot, window, asked)


def test_review_mode_in_front_of_the_call_stops_the_silence_clock(qtbot, tmp_path):
    # Review mode cannot be opened during a call; one opened before it can still be brought in front of it.
    window = open_window(qtbot, tmp_path)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "review", None) is not None and window.review.isVisible(), timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    choose(qtbot, window, "swearing-caller")
    window.review.activateWindow()  # the trainee clicks on review mode's window
    qtbot.waitUntil(window.review.isActiveWindow, timeout=10_000)
    asked = _quiet_behind(qtbot, window)
    window.review.close()
    window.activateWindow()
    _back_at_the_call(qtbot, window, asked)


def test_a_file_dialog_over_the_call_stops_the_silence_clock(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page, loop = window.roleplay, window.live.loop
    seen: dict[str, object] = {}

    def shorten() -> None:  # inside the dialog's own event loop
        seen["covered"] = loop.quiet.covered
        loop.typing_silence_s = 1.0

    def look_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        seen.update(dialog=type(dialog).__name__, silences=_silences(window), text=page.mic_state.text())
        dialog.reject()

    QTimer.singleShot(700, shorten)
    QTimer.singleShot(3_200, look_and_cancel)
    page.reply.setFocus()
    # A modal file dialog over the call (as the settings' Browse… opens; File → Add a scenario folder waits for the
    # end of the call), in its own event loop as there.
    QFileDialog.getExistingDirectory(window, "A folder", "", QFileDialog.DontUseNativeDialog)
    qtbot.waitUntil(lambda: "dialog" in seen, timeout=10_000)
    assert seen["dialog"] == "QFileDialog" and seen["covered"] is True
    assert seen["silences"] == 0 and "Still there?" not in str(seen["text"])
    qtbot.waitUntil(lambda: _silences(window) == 1, timeout=5_000)


def test_review_authoring_and_a_folder_wait_until_the_call_is_over_and_say_so(qtbot, tmp_path):
    # A tester pressed Ctrl+R, Ctrl+Shift+A and Ctrl+O in a call: each opened a window over the call while its
    # clock ran on. During a call they wait: greyed out in the menus, and their keys say why.
    from PySide6.QtGui import QAction
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    opened: list[str] = []

    def close_any_dialog() -> None:  # were a file dialog to open, the test would wait in it for ever
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            opened.append(type(dialog).__name__)
            dialog.reject()
    guard = QTimer()
    guard.timeout.connect(close_any_dialog)
    guard.start(300)
    before = set(QApplication.topLevelWidgets())
    for key, modifiers, words in [(Qt.Key_R, Qt.ControlModifier, "Review mode opens when the call is over"),
                                  (Qt.Key_A, Qt.ControlModifier | Qt.ShiftModifier, "Scenario authoring opens"),
                                  (Qt.Key_O, Qt.ControlModifier, "add a scenario folder when the call is over")]:
        page.reply.setFocus()
        qtbot.keyClick(page.reply, key, modifiers)
        qtbot.waitUntil(lambda: any(words in m for m in window.notices.messages), timeout=3_000)
    qtbot.wait(300)
    guard.stop()
    assert opened == []
    assert getattr(window, "review", None) is None and getattr(window, "authoring", None) is None
    assert [w for w in set(QApplication.topLevelWidgets()) - before if w.isVisible()] == []
    notices = [m for m in window.notices.messages if m.startswith("Finish or end the call first")]
    # Only the latest refusal shows: each adding its own, they squeezed the conversation to one turn at 200 %.
    assert len(notices) == 1 and "add a scenario folder" in notices[0] and window.notices.isVisible()
    menu = {a.text().replace("&", ""): a for a in window.findChildren(QAction)}
    waiting = ["Add a scenario folder…", "Open review mode (for managers)…",
               "Open scenario authoring (for coaches)…"]
    assert not any(menu[text].isEnabled() for text in waiting)  # greyed out in the menus during the call
    assert menu["Settings…"].isEnabled() and menu["Quit"].isEnabled()
    assert window.live.running and window.stack.currentWidget() is page  # the call goes on, in front
    # Going on with the call takes the notice away: left up at 200 % text, it kept the conversation to one turn.
    type_reply(qtbot, window, "Sorry about that, let me look at your account.")
    qtbot.waitUntil(lambda: not any(m.startswith("Finish or end the call first") for m in window.notices.messages))

    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    assert all(menu[text].isEnabled() for text in waiting)
    assert not any(m.startswith("Finish or end the call first") for m in window.notices.messages)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key_R, Qt.ControlModifier)  # after the call, the same key opens review mode
    qtbot.waitUntil(lambda: getattr(window, "review", None) is not None and window.review.isVisible(), timeout=10_000)
    window.review.close()


# -- 2. call controls from the reply box -----------------------------------------------------------
def _control_key(qtbot, page, key) -> None:
    page.reply.setFocus()
    qtbot.keyClick(page.reply, key, Qt.ControlModifier)


@pytest.mark.parametrize("action,key", [("end_call", Qt.Key_E), ("escalate", Qt.Key_T)])
def test_leaving_the_call_from_the_reply_box_says_the_unsent_words_on_the_way_out(qtbot, tmp_path, action, key):
    # A tester typed "bye" and pressed Ctrl+E: the call ended and "bye" was nowhere. Sent as a reply first, a
    # half-typed "note" then made the customer hang up and the End call counted as missed. The words go with
    # the control: kept and scored, with no customer turn between them and the control.
    from simulator.store import Store, load_session
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    qtbot.keyClicks(page.reply, "I'm ending this call now. Goodbye.", delay=20)  # no Enter: the cursor in the box
    _control_key(qtbot, page, key)
    wait_for_results(qtbot, window)
    turns = window.live.session.turns
    said = [(t.kind, t.text or t.action) for t in turns if t.speaker == "trainee"]
    assert said == [("reply", "I'm ending this call now. Goodbye."), ("action", action)]
    between = turns[[t.kind for t in turns].index("reply"):[t.kind for t in turns].index("action")]
    assert [t.speaker for t in between] == ["trainee"]  # the customer did not answer the last words
    assert page.reply.text() == ""
    with Store(tmp_path / "data") as store:
        record = load_session(store, window.live.practice.session_id)
    assert "I'm ending this call now. Goodbye." in [t["text"] for t in record.turns if t["speaker"] == "trainee"]


def test_a_break_with_words_in_the_box_stops_the_call_where_it_stands(qtbot, tmp_path):
    # Sent first, a tester's "hang on" made the customer hang up, and the break was scored 20/100.
    from simulator.store import Store, load_session
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    qtbot.keyClicks(page.reply, "hang on", delay=20)
    _control_key(qtbot, page, Qt.Key_B)
    wait_for_results(qtbot, window)
    assert window.live.ending.reason == "stopped" and trainee_turns(window) == []
    assert window.live.result is None  # not scored
    with Store(tmp_path / "data") as store:
        record = load_session(store, window.live.practice.session_id)
    assert record.summary.status == "interrupted" and not [t for t in record.turns if t["speaker"] == "trainee"]


def test_hold_flag_and_stop_work_from_the_reply_box(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    qtbot.keyClicks(page.reply, "One moment", delay=20)
    for key, action in [(Qt.Key_H, "hold"), (Qt.Key_F, "flag")]:
        before = len(trainee_turns(window))
        _control_key(qtbot, page, key)
        qtbot.waitUntil(lambda: len(trainee_turns(window)) > before, timeout=5_000)
        assert trainee_turns(window)[-1].action == action
    assert page.reply.text() == "One moment"  # the call goes on, so the draft stays in the box, unsent
    _control_key(qtbot, page, Qt.Key_B)
    wait_for_results(qtbot, window)
    assert window.live.ending.reason == "stopped"
    assert trainee_turns(window)[-1].action == "flag"  # a break stops the call where it stands: the draft unsaid


def test_every_window_shortcut_passes_through_the_reply_box(qtbot, tmp_path):
    """What the line edit would keep for itself (Ctrl+E, Ctrl+U, Ctrl+A on Linux) goes to the window instead."""
    from PySide6.QtGui import QAction, QShortcut
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    reply = window.roleplay.reply
    keys = [k for a in window.findChildren(QAction) if a.isEnabled() for k in a.shortcuts()]
    keys += [s.key() for s in window.findChildren(QShortcut) if s.isEnabled() and s.parent().isVisible()]
    assert {"Ctrl+E", "Ctrl+T", "Ctrl+H", "Ctrl+F", "Ctrl+B", "Ctrl+Q", "Ctrl+R"} <= {k.toString() for k in keys}
    for key in keys:
        combo = key[0]
        event = QKeyEvent(QEvent.ShortcutOverride, combo.key(), combo.keyboardModifiers())
        event.setAccepted(False)
        QApplication.sendEvent(reply, event)
        assert not event.isAccepted(), f"the reply box keeps {key.toString()} from the window"
    event = QKeyEvent(QEvent.ShortcutOverride, Qt.Key_Z, Qt.ControlModifier)  # no window shortcut: the box's undo
    event.setAccepted(False)
    QApplication.sendEvent(reply, event)
    assert event.isAccepted()


@pytest.mark.skipif(not shutil.which("xvfb-run") or os.environ.get("QT_QPA_PLATFORM") == "xcb",
                    reason="needs Xvfb; already running on X11")
def test_call_control_keys_work_from_the_reply_box_on_x11():
    """On X11 a line edit takes Ctrl+E (end of line) and Ctrl+U; offscreen it does not, so run the key tests there."""
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    out = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-m", "pytest", "-q",
                          "-p", "no:cacheprovider", __file__, "-k", "reply_box and not x11"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


# -- 4. a fresh reply box --------------------------------------------------------------------------
def test_unsent_text_does_not_follow_into_the_next_session(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    qtbot.keyClicks(window.roleplay.reply, "Half a thought", delay=20)
    qtbot.mouseClick(window.roleplay.buttons["end_call"], Qt.LeftButton)
    wait_for_results(qtbot, window)
    qtbot.mouseClick(window.results.again_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.roleplay and window.live.running, timeout=20_000)
    assert window.roleplay.reply.text() == ""


# -- 6. no speaker: said once ----------------------------------------------------------------------
class NoSpeaker(FileDevices):
    def speaker(self, device=None):  # noqa: ARG002
        raise NoAudio("no speaker or headset was found", "the customer's lines will be shown as captions")


def test_no_speaker_says_the_lines_are_captions_once(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, devices=NoSpeaker(), speech=True)
    choose(qtbot, window, "swearing-caller")
    notice = window.roleplay.notice.text()
    assert "no speaker" in notice.lower()
    assert notice.lower().count("shown as captions") == 1, notice


class NoSpeakerListed(NoSpeaker):
    def names(self):
        return [], []


def test_no_speaker_listed_is_said_by_the_status_line_alone(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, devices=NoSpeakerListed(), speech=True)
    qtbot.waitUntil(lambda: "captions" in window.speech_label.text(), timeout=20_000)
    choose(qtbot, window, "swearing-caller")
    assert "caption" not in window.roleplay.notice.text().lower()
    assert "no speaker found, so the customer's lines are shown as captions" in window.speech_label.text().lower()


# -- 7, 8, 9: results ------------------------------------------------------------------------------
def _retaliate_and_end(qtbot, window) -> None:
    choose(qtbot, window, "swearing-caller")
    type_reply(qtbot, window, RETALIATION)
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)


def test_after_retaliating_next_time_says_not_to_answer_in_kind_first(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    _retaliate_and_end(qtbot, window)
    advice = window.results.next_time.text()
    assert "Never answer abuse in kind" in advice
    assert advice.index("Avoid") < advice.index("Never answer abuse in kind") < advice.index("Name what the customer did")


def _shown_in_full(page, text: str) -> bool:
    """Some visible label holds these words and is tall enough for all its lines (nothing elided or cut off)."""
    for label in page.findChildren(QLabel):
        if label.isVisible() and text in label.text().replace("&#x27;", "'").replace("&quot;", '"'):
            return label.wordWrap() and label.height() >= label.heightForWidth(label.width())
    return False


def test_every_quote_and_piece_of_advice_wraps_in_full(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.resize(900, 600)  # narrow: long advice has to wrap
    choose(qtbot, window, "swearing-caller")
    type_reply(qtbot, window, WARNING)
    type_reply(qtbot, window, RETALIATION)
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    results = window.results
    result = window.live.result
    for dim in result.dimensions:
        for v in dim.verdicts:
            for ev in v.evidence:
                # As a person sees it: once the page's layout has settled (a turn's bubble can take an event
                # loop pass after the page is shown to get its height for its width).
                qtbot.waitUntil(lambda: _shown_in_full(results, ev.quote), timeout=2_000)
            if v.feedback:
                results.details.ensureWidgetVisible(results.did.cards[0])
                assert _shown_in_full(results, v.feedback), v.feedback
    # the transcript tells the two speakers apart: name, side
    customer = [results.transcript.entry(i) for i in range(results.transcript.count())
                if results.transcript.entry(i).side == "left"]
    trainee = [results.transcript.entry(i) for i in range(results.transcript.count())
               if results.transcript.entry(i).side == "right"]
    assert customer and trainee
    assert all("Sam Whitlow" in e.words.text() for e in customer) and all("You" in e.words.text() for e in trainee)
    assert min(e.geometry().right() for e in trainee) > max(e.geometry().right() for e in customer)
    quote = next(q for q in results.did.quotes() if "Shut up" in q.text())
    qtbot.mouseClick(quote, Qt.LeftButton)  # the quote shows its turn, its words highlighted
    shown = results.transcript.find(quote.turn)
    assert results.transcript.selected_turn == quote.turn and "background-color" in shown.words.text()


def test_tab_on_the_results_page_shows_which_quote_it_is_on(qtbot, tmp_path):
    """A walker's Tab landed on every evidence quote with no focus shown (WCAG 2.4.7)."""
    from simulator.ui.theme import _FocusRing
    window = open_window(qtbot, tmp_path)
    _retaliate_and_end(qtbot, window)
    quote = window.results.did.quotes()[0]
    ring = quote.findChild(_FocusRing)
    assert ring is not None and not ring.isVisible()
    quote.setFocus(Qt.TabFocusReason)
    qtbot.waitUntil(lambda: ring.isVisible() and ring.geometry() == quote.rect(), timeout=2_000)
    qtbot.keyClick(quote, Qt.Key_Escape)  # and Escape leaves, as on the briefing (the walker found it did nothing)
    assert window.stack.currentWidget() is window.library


def test_a_call_the_customer_ended_says_so_at_the_end_of_its_transcript(qtbot, tmp_path):
    """The call went straight to the results after the customer's last line: a walker read it as the app cutting
    off. A call the trainee ended has its own mark ("You ended the call") and no second one."""
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    type_reply(qtbot, window, "Shut up, you idiot.")
    type_reply(qtbot, window, "Shut up, you idiot.")
    wait_for_results(qtbot, window)
    transcript = window.results.transcript
    last = transcript.entry(transcript.count() - 1)
    assert last.is_mark and last.said == "The call ended." and last.words.accessibleName() == "The call ended."
    _retaliate_and_end(qtbot, window)
    transcript = window.results.transcript
    assert sum(transcript.entry(i).said == "The call ended." for i in range(transcript.count())) == 0


def test_a_new_result_starts_at_the_top(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.resize(1000, 600)
    _retaliate_and_end(qtbot, window)
    scroll = window.results.next_time.parent()
    while not isinstance(scroll, QScrollArea):
        scroll = scroll.parent()
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    scroll.setFocus()
    qtbot.keyClick(scroll, Qt.Key_End)  # read to the bottom
    bar.setValue(bar.maximum())
    qtbot.mouseClick(window.results.again_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.roleplay and window.roleplay.transcript.count(), timeout=20_000)
    type_reply(qtbot, window, RETALIATION)
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    qtbot.wait(50)
    assert bar.value() == 0
    top = window.results.next_time.mapTo(scroll.widget(), window.results.next_time.rect().topLeft()).y()
    assert 0 <= top < scroll.viewport().height()


# -- the composer and the customer's card --------------------------------------------------------
def test_the_composer_says_whose_turn_it_is(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, devices=FileDevices(speaker=FileSpeaker(speed=1)), speech=True)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    qtbot.waitUntil(lambda: "Sam Whitlow is speaking" in page.mic_state.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "Your turn" in page.mic_state.text(), timeout=20_000)
    assert page.card.name.text() == "Sam Whitlow" and page.mood.text() == "Angry"
    qtbot.mouseClick(page.buttons["end_call"], Qt.LeftButton)
    qtbot.waitUntil(lambda: "Call over" in page.mic_state.text(), timeout=10_000)


def test_a_theme_switch_and_a_text_size_reach_the_conversation_at_once(qtbot, tmp_path):
    from simulator.ui.theme import apply_theme, colours
    app = QApplication.instance()
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    bubble = page.transcript.entry(0)
    base = QApplication.font().pointSizeF()
    try:
        for theme in ("dark", "light"):
            apply_theme(app, theme, 150)
            qtbot.wait(50)
            pixel = bubble.grab().toImage().pixelColor(bubble.width() // 2, 3)
            assert pixel.name() == colours().customer_bubble.name(), theme
            assert colours().customer.name() in bubble.words.text()  # the speaker's name in the new theme's colour
            assert page.caption.words.font().pointSizeF() > QApplication.font().pointSizeF() >= base * 1.4
    finally:
        apply_theme(app, "system", 100)


# -- the customer's voice follows their mood ---------------------------------------------------------
def _rms(pcm) -> float:
    samples = np.frombuffer(pcm.data, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples ** 2)))


_MOOD_LINES = """
import sys
from pathlib import Path
from simulator.speech.synthesis import LineCache, VoiceSettings, in_mood, open_synthesizer
cache = LineCache(Path(sys.argv[1]), open_synthesizer()[0])
line = "I've rung you three times this week and nothing has happened. Fix it now."
base = VoiceSettings(rate=175, volume=1.0)
for mood in ("calm", "angry"):
    print(cache.render(line, in_mood(base, mood)).result(60))
"""


def test_an_angry_line_is_faster_and_louder_than_a_calm_one(tmp_path):
    # Rendered by an engine of its own: in full runs the shared one (three runs in four) made the calm line at
    # the loudness of an earlier test's line (RMS 3325 where 2300 is usual; see README, pyttsx3 pitfall).
    made = subprocess.run([sys.executable, "-c", _MOOD_LINES, str(tmp_path / "lines")], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    calm, angry = (read_wav(Path(p)) for p in made.stdout.split())
    line = "I've rung you three times this week and nothing has happened. Fix it now."
    base = VoiceSettings(rate=175, volume=1.0)
    cache = LineCache(tmp_path / "lines", synthesizer())
    assert angry.seconds < calm.seconds * 0.9
    assert _rms(angry) > _rms(calm) * 1.15
    assert cache.path(line, in_mood(base, "calm")) != cache.path(line, in_mood(base, "angry"))


def test_each_line_is_spoken_in_the_mood_the_customer_is_in(tmp_path):
    sf = load_scenario(REPO / "scenarios" / "apologises-after-boundary.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    cache = LineCache(tmp_path / "lines", synthesizer())
    speaker = FileSpeaker(speed=0)
    voice = VoiceSettings.of(sf.scenario.persona.voice)
    moods: list[str] = []
    session.subscribe(lambda e: moods.append(e.mood) if hasattr(e, "mood") else None)
    loop = VoiceLoop(session, speaker=speaker, cache=cache, silence_after_s=60, voice=voice)
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    loop.type_line("That language isn't acceptable. Please stop swearing, or I will end the call.")
    deadline = time.monotonic() + 60
    while len(speaker.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop()
    runner.join(10)
    lines = [t.text for t in session.turns if t.speaker == "customer"]
    assert len(set(moods)) > 1, moods  # the customer's mood changed during the call
    assert [p.path for p in speaker.log[:2]] == [cache.path(text, in_mood(voice, mood)) for text, mood in zip(lines, moods)]


def test_dismissing_a_notice_mid_call_leaves_the_typing_in_the_reply_box(qtbot, tmp_path):
    # A tester clicked Dismiss on a notice during a call, typed "If this continues", and it went nowhere.
    window = open_window(qtbot, tmp_path)
    choose(qtbot, window, "swearing-caller")
    window.notices.add("A notice to dismiss in the middle of a call.")
    page = window.roleplay
    page.reply.setFocus()
    qtbot.waitUntil(page.reply.hasFocus, timeout=5_000)
    button = window.notices.rows["A notice to dismiss in the middle of a call."].dismiss
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.keyClicks(QApplication.focusWidget(), "If this continues")
    assert page.reply.text() == "If this continues"


def test_start_says_what_it_begins_where_the_choices_are_out_of_sight(qtbot, tmp_path):
    # At 1366x768 the Mode choice was below the fold while Start was in view: a trainee could start an assessed
    # call without having seen that it is scored.
    window = open_window(qtbot, tmp_path)
    window.resize(1366, 768)
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "swearing-caller"))
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    b = window.briefing
    assert b.choices.isVisible() and b.choices.text().startswith("Starting now means: assessed (scored and kept")
    b.mode_group.button(1).setChecked(True)
    b.input_group.button(2).setChecked(True)
    assert "practice only (not scored" in b.choices.text() and "typing" in b.choices.text()


def test_a_conversation_cleared_again_and_again_frees_each_turn_once(qtbot):
    """Every call and every results page clears the conversation. Its rows were taken out with takeAt(), whose
    Python-owned item deleted each row's layout a second time: the app died in shiboken after 4-30 calls."""
    import gc

    from PySide6.QtCore import QCoreApplication

    from simulator.engine.turn import Turn
    from simulator.ui.conversation import ConversationView
    view = ConversationView()
    qtbot.addWidget(view)
    view.show()
    for cycle in range(200):
        for i in range(4):
            view.add(Turn(i, "customer" if i % 2 else "trainee", "line" if i % 2 else "reply", "start",
                          text=f"words {cycle} {i}"))
        assert view.count() == 4
        view.clear()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()
    assert view.count() == 0 and view.widget().layout().count() == 1  # only the stretch is left


def test_a_web_chat_is_typed_by_default_and_ended_as_a_chat(qtbot, tmp_path):
    # A tester on "Harassment over web chat" was offered voice first and an "End call" button.
    window = open_window(qtbot, tmp_path, input_mode="voice")
    lib = window.library
    lib.table.selectRow(next(i for i, sf in enumerate(lib.scenarios) if sf.id == "chat-harassment"))
    qtbot.mouseClick(lib.open_button, Qt.LeftButton)
    briefing = window.briefing
    assert briefing.input_mode == "typed" and "You will chat with" in briefing.situation.text()
    choose(qtbot, window, "chat-harassment")
    assert window.roleplay.buttons["end_call"].text().startswith("End chat")
    window.live.abandon()


def test_the_customers_initials_are_letters_whatever_their_name_is_wrapped_in():
    from simulator.ui.customer_card import initials
    assert initials("Sam <the caller>") == "ST"
    assert initials("(Sam) O'Neil") == "SO"
    assert initials("dr. ana lópez") == "DA"
    assert initials("<<< >>>") == "?" and initials("") == "?"
