"""When a pause ends the trainee's reply (simulator/speech/vad.py EndOfSpeech, used by the Listener)."""

from __future__ import annotations

import numpy as np

from simulator.speech.vad import CONTINUES, EndOfSpeech, EnergyVad

CHUNK_MS = 20


def tone(ms: int) -> list[bytes]:
    t = np.arange(16000 * ms // 1000) / 16000
    pcm = (0.3 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16).tobytes()
    return [pcm[i:i + 640] for i in range(0, len(pcm), 640)]


def silence(ms: int) -> list[bytes]:
    return [bytes(640)] * (ms // CHUNK_MS)


def ends(rule: EndOfSpeech, chunks: list[bytes], partials: list[str]) -> int:
    """How many times the reply is taken as finished; each pause is told the next partial text."""
    pauses = iter(partials)
    found = 0
    for c in chunks:
        event = rule.vad.feed(c)
        if rule.vad.in_speech and rule.vad.quiet_ms == rule.vad.chunk_ms:
            rule.pause_started(next(pauses, ""))
        found += event == "end"
    return found


def test_a_pause_after_a_finished_sentence_ends_the_reply_sooner_than_one_mid_sentence():
    rule = EndOfSpeech()
    rule.pause_started("i can see the refund was late")
    assert rule.vad.hangover_ms == rule.short_ms
    for unfinished in ("i will check your account and", "so um", "let me put you through to the", ""):
        rule.pause_started(unfinished)
        assert rule.vad.hangover_ms == rule.long_ms, unfinished
    assert {"and", "the", "um", "because", "to"} <= CONTINUES
    assert rule.short_ms < rule.long_ms


def test_a_thinking_pause_mid_sentence_does_not_cut_the_reply():
    rule = EndOfSpeech()
    pause = (rule.short_ms + rule.long_ms) // 2
    speech = tone(800) + silence(pause) + tone(800) + silence(1500)
    assert ends(rule, speech, ["i will check your account and", "the engineer is booked"]) == 1
    # The same pause after a finished sentence is taken as the end, as a fixed hangover would take it.
    fixed = EnergyVad(hangover_ms=rule.short_ms)
    assert sum(fixed.feed(c) == "end" for c in speech) == 2


def test_the_reply_ends_after_the_short_hangover_when_the_words_are_finished():
    rule = EndOfSpeech()
    chunks = tone(600) + silence(2000)
    for k, c in enumerate(chunks):
        event = rule.vad.feed(c)
        if rule.vad.in_speech and rule.vad.quiet_ms == rule.vad.chunk_ms:
            rule.pause_started("your refund is on its way")
        if event == "end":
            waited = (k + 1) * CHUNK_MS - 600
            assert rule.short_ms <= waited <= rule.short_ms + 2 * CHUNK_MS
            break
    else:
        raise AssertionError("the reply never ended")


def test_the_recogniser_in_its_own_process_says_the_words_so_far_at_a_pause(tmp_path):
    """The app runs PocketSphinx in a child process; the pause rule asks it for the partial text there too."""
    from simulator.speech.childengine import ChildProcessEngine
    from simulator.speech.wav import resample
    from speechkit import speak

    engine = ChildProcessEngine(lm=None)
    try:
        stream = engine.stream()
        pcm = resample(speak("Please hold the line while I check your account.", tmp_path), 16000).data
        for i in range(0, len(pcm), 640):
            stream.accept(pcm[i:i + 640])
        partial = stream.partial()
        text, _ = stream.finish()
        assert isinstance(partial, str) and partial.split() and text.split()
    finally:
        engine.close()


def test_the_words_heard_later_in_the_pause_decide_again():
    """At a pause's start the recogniser's partial often lags a word behind; once the final pass has run
    (listener.HEARD_PAUSE_MS into the pause) its words decide, both ways."""
    rule = EndOfSpeech()
    rule.pause_started("")  # nothing heard yet: wait long
    rule.words_heard("i will look into the refund for you")
    assert rule.vad.hangover_ms == rule.short_ms
    rule.pause_started("i will look into the refund for you")
    rule.words_heard("i will look into the refund for you and")
    assert rule.vad.hangover_ms == rule.long_ms
    rule.words_heard("")  # the final pass heard nothing: the decision at the pause's start stands
    assert rule.vad.hangover_ms == rule.long_ms


def test_an_unsure_trailing_and_or_the_does_not_hold_the_reply_for_the_long_hangover():
    """PocketSphinx often hears a short "the" or "and" in the breath after the last word; heard with little
    confidence, it does not make the trainee wait the long hangover. A sure one still does, as does a real
    continuing word before it."""
    from simulator.speech.recognition import Word
    rule = EndOfSpeech()
    assert rule.unsure_below > 0

    def heard(*pairs):
        return tuple(Word(w, k * 0.3, k * 0.3 + 0.25, c) for k, (w, c) in enumerate(pairs))
    rule.pause_started("let me")
    rule.words_heard("let me help the", heard(("let", 0.9), ("me", 0.9), ("help", 0.8), ("the", 0.1)))
    assert rule.vad.hangover_ms == rule.short_ms
    rule.words_heard("let me help and the", heard(("let", 0.9), ("me", 0.9), ("help", 0.8), ("and", 0.95),
                                                   ("the", 0.05)))
    assert rule.vad.hangover_ms == rule.long_ms  # "and", heard surely, is still the trainee thinking
    rule.words_heard("let me help and", heard(("let", 0.9), ("me", 0.9), ("help", 0.8), ("and", 0.95)))
    assert rule.vad.hangover_ms == rule.long_ms
    rule.pause_started("because")
    rule.words_heard("because", heard(("because", 0.2)))  # nothing left once set aside: the start's decision
    assert rule.vad.hangover_ms == rule.long_ms


def test_a_listener_decides_again_on_the_words_its_final_pass_heard(tmp_path):
    """The Listener (speculating or not) tells the rule the words heard HEARD_PAUSE_MS into a pause."""
    from simulator.speech.listener import HEARD_PAUSE_MS, Listener

    class Stream:
        def __init__(self):
            self.words = ""

        def accept(self, chunk):
            return None  # a recogniser that gives no partials while the trainee speaks

        def partial(self):
            return None

        def end_segment(self):
            self.words = "thank you for waiting"

        def heard(self):
            return (self.words, ())

    class Engine:
        name = "test"

        def stream(self):
            return Stream()

    for speculate in (True, False):
        listener = Listener(Engine(), on_final=lambda u: None, speculate=speculate)
        stream = Stream()
        listener.end_of_speech.pause_started(None)
        assert listener.vad.hangover_ms == listener.end_of_speech.long_ms
        if not speculate:
            stream.partial = lambda: "thank you for waiting"
        listener._pause_is_long(stream, 0.0)
        assert listener.vad.hangover_ms == listener.end_of_speech.short_ms, speculate
        assert HEARD_PAUSE_MS < listener.end_of_speech.short_ms
