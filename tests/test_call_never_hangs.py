"""A failing or slow part never freezes the call, never leaves a device open and never goes quiet unannounced.

Found by reading the threads, queues and child process for waits that could last for ever; each test fails
on the code before its fix. Stand-ins appear only for what cannot be made to fail on cue here (a recogniser
that errors, a device slow to open); the rest is the real listener, microphone, speaker and recogniser.
"""

import multiprocessing
import os
import signal
import threading
import time
import types

import pytest

from simulator.errors import SimulatorError
from simulator.speech import childengine
from simulator.speech.capture import FileMicrophone
from simulator.speech.listener import Listener
from simulator.speech.playback import FileSpeaker
from simulator.speech.recognition import Engine, SphinxEngine
from simulator.speech.wav import resample, write_wav
from simulator.voiceplay import VoiceLoop
from speechkit import speak, with_silence


class FlakyEngine(Engine):
    """The real recogniser, whose first stream fails as a crashed recogniser process's would."""
    name = "pocketsphinx"

    def __init__(self) -> None:
        self.real = SphinxEngine()
        self.failures = 1

    def stream(self):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the recogniser process stopped (EOFError)")
        return self.real.stream()


def test_a_recogniser_that_fails_loses_one_utterance_says_so_and_hears_the_next(tmp_path):
    finals, errors = [], []
    listener = Listener(FlakyEngine(), finals.append, hangover_ms=300, on_error=errors.append)
    mic = FileMicrophone(realtime=True)
    mic.start(listener.feed)
    try:
        mic.say(with_silence(speak("Hello, how can I help?", tmp_path, name="a.wav")))
        deadline = time.monotonic() + 20
        while not errors and time.monotonic() < deadline:
            time.sleep(0.05)
        assert errors and "stopped" in errors[0]
        deadline = time.monotonic() + 10
        while listener.vad.in_speech and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not listener.vad.in_speech  # else the call would never count a silence again
        mic.say(with_silence(speak("If that happens again, I will disconnect the call.", tmp_path, name="b.wav")))
        deadline = time.monotonic() + 30
        while not finals and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        mic.stop()
        listener.close()
    assert len(finals) == 1 and "happens again" in finals[0].text
    assert not listener._thread.is_alive()


class _Session:
    """Just enough of a session for the loop; `start` fails as a store that cannot write would."""
    scenario = types.SimpleNamespace(settings=types.SimpleNamespace(silence_after_s=8.0),
                                     persona=types.SimpleNamespace(voice=None, name="Customer"))

    def __init__(self, finished: bool = False, fails: bool = False) -> None:
        self.finished, self.fails = finished, fails

    def subscribe(self, _callback) -> None:
        pass

    def start(self) -> None:
        if self.fails:
            raise SimulatorError("the session could not be saved (database is locked)", "try again")


def test_a_session_that_cannot_start_closes_the_microphone_and_the_listener():
    mic = FileMicrophone(realtime=True)
    loop = VoiceLoop(_Session(fails=True), microphone=mic, engine=SphinxEngine())
    with pytest.raises(SimulatorError):
        loop.run()
    mic._thread.join(3)
    loop.listener._thread.join(3)
    assert not mic._thread.is_alive() and not loop.listener._thread.is_alive()


def test_closing_the_window_during_the_hang_up_line_stops_it_at_once(tmp_path):
    speaker = FileSpeaker(speed=1)  # real time: the hang-up line lasts its length
    loop = VoiceLoop(_Session(finished=True), speaker=speaker)
    line = speaker.play(write_wav(tmp_path / "hang-up.wav",
                                  with_silence(speak("I'm done with you. Goodbye.", tmp_path), 0.0, 4.0)))
    loop._playback = line
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    time.sleep(0.2)
    loop.abandon()  # what the window's closeEvent sends, then it waits for the loop
    runner.join(3)  # the line is over four seconds long: only a prompt stop returns by then
    assert not runner.is_alive() and line.stopped


class _FailingCatchUp:
    """A stream whose catching up after a final pass fails (PocketSphinx's end_utt raising)."""
    defer_catch_up = False

    def accept(self, pcm):
        return "partial"

    def partial(self):
        return "partial"

    def end_segment(self):
        pass

    def heard(self):
        return ("so far", [])

    def catch_up(self):
        raise RuntimeError("end_utt: decoder not in utterance")

    def skip(self, nbytes):
        pass

    def finish(self):
        return ("final words", [])


class _Engine:
    name = "stand-in"

    def __init__(self, *args) -> None:
        pass

    def warm_up(self) -> None:
        pass

    def stream(self):
        return _FailingCatchUp()


def test_the_recogniser_process_answers_each_message_once_even_when_catching_up_fails(monkeypatch):
    monkeypatch.setattr(childengine, "SphinxEngine", _Engine)
    parent, child = multiprocessing.Pipe()
    serving = threading.Thread(target=childengine._serve, args=(child, None), daemon=True)
    serving.start()
    engine = childengine.ChildProcessEngine.__new__(childengine.ChildProcessEngine)
    engine._conn, engine._lock, engine._owed, engine._closed = parent, threading.RLock(), [], False
    engine._process = types.SimpleNamespace(is_alive=lambda: True)  # _serve runs in a thread here
    try:
        assert parent.recv()[0] == "ready"
        stream = engine.stream()
        stream.accept(b"x")
        stream.end_segment()
        deadline = time.monotonic() + 10
        while (heard := stream.heard()) is None and time.monotonic() < deadline:  # None until the pass is back
            time.sleep(0.01)
        assert heard == ("so far", ())
        with pytest.raises(RuntimeError, match="end_utt"):  # the failure, told with the next reply
            stream.accept(b"x")
        again = engine.stream()  # and after it, every reply is its own message's again
        assert again.accept(b"x") == "partial" and again.finish() == ("final words", ())
    finally:
        parent.close()  # the app going away: the server leaves quietly, whatever it had still to send
        serving.join(5)
    assert not serving.is_alive()


def test_the_recogniser_process_leaves_quietly_when_the_app_goes_with_a_reply_unread(monkeypatch):
    monkeypatch.setattr(childengine, "SphinxEngine", _Engine)
    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    parent, child = multiprocessing.Pipe()
    serving = threading.Thread(target=childengine._serve, args=(child, None), daemon=True)
    serving.start()
    assert parent.recv()[0] == "ready"
    parent.send(("partial",))
    assert parent.poll(10)  # the reply is here, unread: closing now resets the connection, not a plain end
    parent.close()
    serving.join(5)
    assert not serving.is_alive() and not failures


def test_a_recogniser_process_that_stops_answering_is_ended_not_waited_for(monkeypatch):
    monkeypatch.setattr(childengine, "ANSWER_WITHIN_S", 3.0)
    engine = childengine.ChildProcessEngine(lm=None)
    try:
        stream = engine.stream()
        os.kill(engine._process.pid, signal.SIGSTOP)  # a child that hangs (swapping, say) without dying
        asked = []
        worker = threading.Thread(target=lambda: asked.append(_raises(lambda: stream.accept(bytes(640)))),
                                  daemon=True)
        worker.start()
        worker.join(15)
        assert not worker.is_alive() and asked and "did not answer" in asked[0]
        closing = threading.Thread(target=engine.close, daemon=True)
        closing.start()
        closing.join(10)
        assert not closing.is_alive() and not engine._process.is_alive()
    finally:
        if engine._process.is_alive():
            engine._process.kill()


def _raises(call) -> str:
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        return str(exc)
    return ""


# -- the windows ----------------------------------------------------------------------

class SlowMicrophone(FileMicrophone):
    """A headset that takes a moment to open (Bluetooth: one to three seconds)."""

    def start(self, *args, **kwargs) -> None:
        time.sleep(0.5)
        super().start(*args, **kwargs)


def test_a_microphone_check_stopped_while_the_device_opens_closes_it(qtbot):
    from simulator.ui.briefing_page import BriefingPage
    from simulator.ui.tasks import Tasks
    tasks = Tasks()
    mics = []
    page = BriefingPage(tasks, lambda: mics.append(SlowMicrophone()) or mics[-1])
    qtbot.addWidget(page)
    page.toggle_mic_check()  # Check microphone...
    qtbot.wait(100)
    page.stop_mic_check()  # ... and Start pressed before the headset had opened
    qtbot.waitUntil(lambda: mics and mics[0]._thread is not None, timeout=5_000)
    qtbot.waitUntil(lambda: not mics[0]._running.is_set(), timeout=5_000)
    assert page._mic is None and not page._meter.isActive() and page.mic_button.isEnabled()
    tasks.shutdown()


def test_a_second_recording_played_in_review_stops_the_first(qtbot, tmp_path):
    from appkit import open_review
    from simulator.speech.kit import FileDevices
    from simulator.store import Store
    from storefill import PLAYS, keep_recording, play
    from PySide6.QtCore import QUrl
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[0], "Ana")
        keep_recording(store, sid, 16000 * 5)  # five seconds
    class EachTimeNew(FileDevices):  # as the sound card's devices do: a speaker (a stream) for each recording
        made: list = []

        def speaker(self, device=None):  # noqa: ARG002
            self.made.append(FileSpeaker(speed=1))
            return self.made[-1]

    devices = EachTimeNew()
    w = open_review(qtbot, tmp_path, devices=devices)
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        w.sessions.open_session.emit(sid)
    w.session.transcript.anchorClicked.emit(QUrl("play:1"))
    qtbot.waitUntil(lambda: "recording" in w.status.text(), timeout=10_000)
    w.session.transcript.anchorClicked.emit(QUrl("play:1"))  # Play again while it plays
    qtbot.waitUntil(lambda: len(devices.made) == 2 and bool(devices.made[1].log), timeout=10_000)
    first, second = (d.log[0] for d in devices.made)
    qtbot.waitUntil(lambda: first.stopped, timeout=2_000)  # not two recordings over each other
    assert not second.stopped
    w.session.stop_wanted.emit()
    qtbot.waitUntil(lambda: second.stopped, timeout=5_000)
    assert not w.session.stop_button.isEnabled()


class _Recogniser:
    def __init__(self) -> None:
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()


def test_a_recogniser_replaced_in_settings_is_closed_after_the_call_that_uses_it(qtbot, tmp_path):
    from simulator.speech.kit import SpeechKit
    from appkit import open_window
    window = open_window(qtbot, tmp_path)
    loads = []
    window._load_speech = lambda: loads.append(window.settings.accent)
    old = _Recogniser()
    window.kit = SpeechKit(recognizer=old)
    window._call_running(True)  # a call is hearing with it
    window.apply_settings(window.settings.model_copy(update={"accent": "british"}))
    assert loads == ["british"]
    qtbot.wait(200)
    assert not old.closed.is_set()  # the call goes on with the recogniser it started with
    window._call_running(False)
    qtbot.waitUntil(old.closed.is_set, timeout=5_000)


def test_a_recogniser_process_that_died_is_started_again_for_the_next_reply(tmp_path):
    engine = childengine.ChildProcessEngine(lm=None)
    try:
        first = engine._process
        first.kill()  # out of memory, say, between two replies
        first.join(5)
        pcm = resample(speak("This conversation is over.", tmp_path), 16000)
        stream = engine.stream()
        for i in range(0, len(pcm.data), 640):
            stream.accept(pcm.data[i:i + 640])
        text, _ = stream.finish()
        assert engine._process is not first and "over" in text
    finally:
        engine.close()
    assert not engine._process.is_alive()
