"""Work done ahead of the end of a spoken reply (speech/listener.py, practice.ReadyDetector,
voiceplay.render_next): used when the pause ends the reply, thrown away when the trainee speaks again,
and never different from doing it afterwards. Real espeak-ng speech, real PocketSphinx."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from simulator.practice import Choice, Practice
from simulator.scenario import Policy, load_scenario
from simulator.speech.capture import FileMicrophone
from simulator.speech.listener import HEARD_PAUSE_MS, Listener
from simulator.speech.playback import FileSpeaker
from simulator.speech.recognition import POOL_SIZE, SphinxEngine
from simulator.speech.synthesis import LineCache, VoiceSettings, in_mood
from simulator.speech.wav import Pcm, read_wav, resample
from simulator.voiceplay import VoiceLoop, render_next
from speechkit import speak, synthesizer, with_silence

CHUNK = 640  # 20 ms of 16 kHz 16-bit audio


def pcm16(pcm: Pcm) -> bytes:
    return resample(pcm, 16000).data


def hear(audio: bytes, *, speculate: bool, hangover_ms: int | None = 1200, prepared: list | None = None,
         engine=None, realtime: bool = False):
    """The listener's finals for this audio, fed as a microphone would (`realtime`: at its pace), on a decoder
    nothing else has used."""
    finals = []
    listener = Listener(engine or SphinxEngine(), finals.append, hangover_ms=hangover_ms, speculate=speculate,
                        on_prepared=prepared.append if prepared is not None else None)
    began = time.monotonic()
    for k in range(0, len(audio) - CHUNK + 1, CHUNK):
        if realtime:
            time.sleep(max(0.0, began + k / 32000 - time.monotonic()))
        listener.feed(audio[k:k + CHUNK], k / 32000)
    deadline = time.monotonic() + 60
    while not finals and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    listener.close()
    return finals, listener


@pytest.fixture(scope="module")
def two_sentences(tmp_path_factory):
    folder = tmp_path_factory.mktemp("speech")
    first = pcm16(speak("If that happens again I will disconnect the call.", folder, name="a.wav"))
    second = pcm16(speak("Thank you for waiting, I am checking your account now.", folder, name="b.wav"))
    return first, second


def test_a_pause_that_ends_the_reply_gives_the_prepared_reply_with_the_same_words(two_sentences):
    first, _ = two_sentences
    audio = bytes(8000) + first + bytes(32000 * 2)  # the reply, then two seconds of silence
    prepared: list = []
    ahead, listener = hear(audio, speculate=True, prepared=prepared)
    after, plain = hear(audio, speculate=False)
    # espeak-ng's audio differs a little from run to run, and PocketSphinx hears it differently: the property
    # tested is that both paths give the same words, not which words
    assert len(ahead) == len(after) == 1 and "happens" in ahead[0].text
    assert (ahead[0].text, ahead[0].words) == (after[0].text, after[0].words)  # words, times, confidences
    assert ahead[0].audio == after[0].audio and ahead[0].ended_at == after[0].ended_at
    assert [p.text for p in prepared] == [ahead[0].text]
    assert listener.speculation == {"prepared": 1, "used": 1, "discarded": 0}
    assert plain.speculation == {"prepared": 0, "used": 0, "discarded": 0}


def test_what_was_prepared_is_thrown_away_when_the_trainee_speaks_again(two_sentences):
    first, second = two_sentences
    pause = bytes(32 * (HEARD_PAUSE_MS + 500))  # long enough to prepare the reply, short of the hangover
    audio = bytes(8000) + first + pause + second + bytes(32000 * 3)
    prepared: list = []
    # espeak's clips carry their own silence (it varies from run to run: with a 1200 ms hangover the quiet
    # between the sentences sometimes reached it), so the hangover here is well clear of the pause
    ahead, listener = hear(audio, speculate=True, prepared=prepared, hangover_ms=2200)
    after, _ = hear(audio, speculate=False, hangover_ms=2200)
    assert len(ahead) == len(after) == 1  # one reply, not two
    assert (ahead[0].text, ahead[0].words) == (after[0].text, after[0].words)
    # Prepared at the pause: the first sentence; the reply goes on to the second.
    assert "happens" in prepared[0].text and ahead[0].text.startswith(prepared[0].text)
    # ...and it ended after the second sentence, not at the pause (whatever words that sentence was heard as)
    assert ahead[0].ended_at > (8000 + len(first) + len(pause)) / 32000 + 1.0
    # at the pause between the sentences (and at any pause inside the second one): prepared, then dropped
    counts = listener.speculation
    assert counts["prepared"] >= 2 and counts["used"] == 1 and counts["discarded"] == counts["prepared"] - 1
    assert listener.prepared is None
    # Word times are times in the reply's recording: the second sentence's words come after the pause.
    assert ahead[0].words[-1].end > (len(first) + len(pause)) / 32000


def test_the_apps_recogniser_process_prepares_the_reply_at_a_pause_too(two_sentences):
    """The app runs PocketSphinx in a process of its own (childengine.py). Its final pass at a long pause is
    posted, not waited for, so the listener goes on counting the pause; the words are those of PocketSphinx
    in this process, and a pause the trainee speaks after still throws them away."""
    from simulator.speech.childengine import ChildProcessEngine
    first, second = two_sentences
    # long enough for a cold decoder's first pass (~0.4-0.7 s, longer on a busy machine) to be back before the
    # trainee speaks again, short of the hangover
    pause = bytes(32 * (HEARD_PAUSE_MS + 1800))
    audio = bytes(8000) + first + pause + second + bytes(32000 * 4)
    child = ChildProcessEngine(lm=None)
    try:
        prepared: list = []
        there, listener = hear(audio, speculate=True, prepared=prepared, hangover_ms=3000, engine=child,
                                realtime=True)  # fed at once, the pause is over before the pass is back
        here, _ = hear(audio, speculate=True, hangover_ms=3000)
        assert len(there) == len(here) == 1
        assert (there[0].text, there[0].words) == (here[0].text, here[0].words)  # words, times, confidences
        counts = listener.speculation
        assert counts["prepared"] >= 2 and counts["used"] == 1 and counts["discarded"] == counts["prepared"] - 1
        assert prepared[-1].text == there[0].text and "happens" in prepared[0].text
        # the stream's pass, seen from here: nothing until the words are back, then the words
        stream = child.stream()
        for k in range(0, len(first), CHUNK):
            stream.accept(first[k:k + CHUNK])
        stream.end_segment()
        assert stream.heard() is None  # the child is still working: the pass takes far longer than a pipe
        deadline = time.monotonic() + 30
        while stream.heard() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        words = stream.heard()
        assert words is not None and words == stream.finish() and "happens" in words[0]
    finally:
        child.close()


@pytest.fixture(scope="module")
def replies(tmp_path_factory):
    # Rendered once: espeak-ng varies its timing and pitch a little from one rendering to the next.
    folder = tmp_path_factory.mktemp("replies")
    return [with_silence(speak("I am sorry the refund was late. I will check it now.", folder, name="r1.wav"), 0.2, 0.1),
            with_silence(speak("Thank you for waiting.", folder, name="r2.wav"), 0.2, 0.1)]


def spoken_session(tmp_path, replies, speculate: bool):
    """A voice session through the file-backed microphone: one reply with a pause in it, then one without."""
    sf = load_scenario("scenarios/late-refund-empathy.yaml")
    practice = Practice(Choice(sf, seed=2), "trainee", Policy(format=1), None)
    cache = LineCache(tmp_path / "lines", synthesizer())
    mic, speaker = FileMicrophone(realtime=True), FileSpeaker(speed=0)
    engine = SphinxEngine()
    loop = VoiceLoop(practice.session, speaker=speaker, microphone=mic, engine=engine, cache=cache,
                     silence_after_s=60, hangover_ms=1000, speculate=speculate,
                     classify_ahead=practice.classify_ahead if speculate else None)
    runner = threading.Thread(target=loop.run)
    runner.start()
    for reply in replies:
        deadline = time.monotonic() + 30
        while (loop.customer_speaking or len(speaker.log) <= replies.index(reply)) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.6)  # the microphone has been listened to for longer than the pre-roll: the same audio each run
        said = len(speaker.log)
        mic.say(reply)
        while len(speaker.log) == said and time.monotonic() < deadline and not practice.session.finished:
            time.sleep(0.02)
    loop.type_line("/end")
    runner.join(30)
    return practice, loop, engine


def test_live_speech_is_searched_without_the_second_pass_and_a_recorded_file_with_it(two_sentences):
    """The flat-lexicon pass runs at the end of each stretch, where the trainee waits for the customer: live
    decoders skip it (recognition.py, LIVE), a file read whole keeps it, and its decoder never joins the pool
    the live streams draw from."""
    first, _ = two_sentences
    engine = SphinxEngine()
    stream = engine.stream()
    assert stream.d.config["fwdflat"] is False
    stream.accept(first)
    stream.finish()
    heard = engine.transcribe(Pcm(first, 16000))
    assert "happens" in heard.text
    assert engine.decoders_made == 2 and len(engine._pool) == 1
    assert engine._decoder().config["fwdflat"] is False  # the live one back, not the file's
    assert engine._new_decoder(live=False).config["fwdflat"] is True


def test_a_session_records_the_same_turns_and_score_with_or_without_work_done_ahead(tmp_path, replies):
    before = set(threading.enumerate())  # other tests' threads are theirs to close
    ahead, loop, engine = spoken_session(tmp_path, replies, speculate=True)
    after, _, _ = spoken_session(tmp_path, replies, speculate=False)

    def record(practice):
        return [(t.speaker, t.kind, t.text, t.source, t.matches, t.confidence, t.word_confidences, t.node)
                for t in practice.session.turns]
    assert [t for t in record(ahead) if t[3] == "spoken"], "no spoken reply was heard"
    assert record(ahead) == record(after)
    assert ahead.result().to_dict() == after.result().to_dict()
    # The replies were classified ahead, and the session used that (after: never asked).
    spoken = sum(t.source == "spoken" for t in ahead.session.turns)
    assert ahead.detector.used == spoken and ahead.detector.prepared >= spoken
    assert after.detector.prepared == after.detector.used == 0
    # Nothing is left over: no prepared reply, no extra decoders, no threads of the session's own.
    assert loop.listener.prepared is None and loop.listener.speculation["used"] == spoken
    assert len(engine._pool) <= POOL_SIZE and engine.decoders_made == 1
    assert not [t for t in set(threading.enumerate()) - before
                if t.name in ("listener", "customer-line", "file-microphone")]


def spectrum(pcm: Pcm) -> np.ndarray:
    x = np.frombuffer(pcm.data, "<i2").astype(float)
    frames = x[:len(x) // 512 * 512].reshape(-1, 512)
    return np.abs(np.fft.rfft(frames * np.hanning(512), axis=1)).mean(axis=0)


def test_lines_rendered_ahead_are_the_same_audio_as_lines_rendered_when_needed(tmp_path):
    sf = load_scenario("scenarios/late-refund-empathy.yaml")
    practice = Practice(Choice(sf, seed=2), "trainee", Policy(format=1), None)
    session = practice.session
    session.start()
    voice = VoiceSettings.of(sf.scenario.persona.voice)
    cache = LineCache(tmp_path / "ahead", synthesizer())
    render_next(cache, session, voice)
    node = sf.scenario.nodes[session.node_id]
    target = next(t.target for t in node.on)
    line = sf.scenario.lines(target, session.intensity)[0].text
    settings = in_mood(voice, sf.scenario.nodes[target].mood or session.mood)
    ahead = cache.render(line, settings).result(60)  # queued by render_next: the file the line will play from
    assert ahead == cache.path(line, settings)
    on_demand = LineCache(tmp_path / "on-demand", synthesizer()).render(line, settings).result(60)
    a, b = read_wav(ahead), read_wav(on_demand)
    # espeak-ng varies a rendering slightly (a few samples of timing, its pitch jitter), so not byte for byte:
    # the same voice, rate, pitch and loudness, the same length within 2 %.
    assert a.rate == b.rate and abs(a.seconds - b.seconds) < 0.02 * b.seconds
    level_a, level_b = (np.sqrt(np.mean(np.frombuffer(p.data, "<i2").astype(float) ** 2)) for p in (a, b))
    assert abs(level_a - level_b) / level_b < 0.05
    assert np.corrcoef(spectrum(a), spectrum(b))[0, 1] > 0.99
