"""When a trainee's quiet counts as silence: the rule on its own, with the time given (engine/silence.py)."""

from __future__ import annotations

from simulator.engine.silence import DRAFT_FACTOR, STILL_THERE_AT, TYPED_SILENCE_S, SilenceClock

SPEECH, TYPING = 8.0, TYPED_SILENCE_S


def check(clock: SilenceClock, now: float, typed: bool = True) -> str:
    return clock.check(now, SPEECH, TYPING, typed)


def test_real_silence_is_asked_about_then_counts():
    clock = SilenceClock(0.0)
    assert check(clock, TYPING * STILL_THERE_AT - 0.1) == "waiting"
    assert check(clock, TYPING * STILL_THERE_AT) == "asking"
    assert check(clock, TYPING) == "silent"
    assert check(clock, SPEECH, typed=False) == "silent"  # by voice, the scenario's own wait


def test_every_keystroke_starts_the_wait_again_and_a_keystroke_gets_the_typing_wait_by_voice_too():
    clock = SilenceClock(0.0)
    clock.keystroke(25.0, draft=False)  # typed and rubbed out: an empty box
    assert check(clock, 25.0 + TYPING - 0.1) != "silent"
    assert check(clock, 25.0 + TYPING) == "silent"
    voice = SilenceClock(0.0)
    voice.keystroke(5.0, draft=False)
    assert check(voice, 5.0 + SPEECH + 1, typed=False) == "waiting"  # typing by voice is still typing


def test_words_waiting_in_the_reply_box_hold_the_silence_off_longer():
    clock = SilenceClock(0.0)
    clock.keystroke(10.0, draft=True)  # "one moment", not sent
    assert check(clock, 10.0 + TYPING + 1) == "waiting"  # the tester's 30 s: not silence, not even asked yet
    held = TYPING * DRAFT_FACTOR
    assert check(clock, 10.0 + held * STILL_THERE_AT) == "asking"
    assert check(clock, 10.0 + held) == "silent"  # left alone that long: the trainee walked away
    clock.sent(100.0)
    assert clock.draft is False and check(clock, 100.0 + TYPING) == "silent"


def test_a_dialog_in_front_stops_the_clock_and_it_goes_on_afterwards_asking_first():
    clock = SilenceClock(0.0)
    clock.cover(True, 5.0)
    assert check(clock, 5.0 + 10 * TYPING) == "waiting"  # never asked, never silent while covered
    clock.cover(False, 500.0)
    assert check(clock, 500.0) == "waiting"  # 5 s of quiet before the dialog, and it goes on from there
    assert check(clock, 500.0 + TYPING - 5.0) == "silent"


def test_back_from_a_dialog_late_in_the_wait_the_trainee_is_asked_before_silence_counts():
    clock = SilenceClock(0.0)
    clock.cover(True, TYPING - 1)  # one second from silence, the trainee opened the settings
    clock.cover(False, 1000.0)
    assert check(clock, 1000.0) == "asking"
    assert check(clock, 1000.0 + TYPING * (1 - STILL_THERE_AT) - 0.1) == "asking"
    assert check(clock, 1000.0 + TYPING * (1 - STILL_THERE_AT)) == "silent"


def test_a_sign_of_life_while_covered_starts_the_quiet_again_from_the_return():
    clock = SilenceClock(0.0)
    clock.cover(True, 20.0)
    clock.restart(50.0)  # the customer spoke behind the dialog
    clock.cover(False, 60.0)
    assert check(clock, 60.0 + TYPING * STILL_THERE_AT - 0.1) == "waiting"
    assert check(clock, 60.0 + TYPING) == "silent"
