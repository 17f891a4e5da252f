"""The conversations' language model for PocketSphinx (simulator/speech/domainlm.py)."""

import json
import subprocess

import numpy as np
import pytest

from simulator.speech import domainlm
from simulator.speech.recognition import SphinxEngine, sphinx_engine
from simulator.speech.wav import read_wav

TINY = [
    "I am going to bring my supervisor onto the call.",
    "I'm going to bring my supervisor onto the call now.",
    "Please bring my supervisor onto the call.",
    "I will end this call if the language continues.",
    "I am noting this on your account.",
    "Your refund will be processed by the engineer.",
]


@pytest.fixture(scope="module")
def mixed_lm(tmp_path_factory):
    """One mixed model (generic en-us with the tiny corpus), built once: ~30 s and ~0.8 GB."""
    return domainlm.build(TINY, folder=tmp_path_factory.mktemp("lm"))


def test_the_generic_trie_is_read_as_pocketsphinx_reads_it():
    from pocketsphinx import Config, LogMath, NGramModel
    words, grams = domainlm.read_trie_lm(domainlm.generic_lm_file())
    assert len(words) == len(grams[1][1]) > 70_000 and len(grams[3][1]) > 1_000_000
    assert abs(np.power(10.0, grams[1][1]).sum() - 1) < 1e-3
    lm = NGramModel(Config(logfn="/dev/null"), LogMath(), str(domainlm.generic_lm_file()))
    index = {w: i for i, w in enumerate(words)}
    for ngram in [("the",), ("of", "the"), ("one", "of", "the"), ("i", "am", "going")]:
        ids, logp, _ = grams[len(ngram)]
        row = np.nonzero((ids == [index[w] for w in ngram]).all(axis=1))[0]
        assert len(row) == 1
        assert logp[row[0]] == pytest.approx(lm.prob(list(reversed(ngram))) * np.log10(1.0001), abs=1e-3)


def test_kneser_ney_is_a_proper_distribution():
    model = domainlm.kneser_ney(domainlm.sentences(TINY, domainlm.dictionary_words()))
    words = [w for (w,) in model[1] if w != "<s>"]

    def p(w, h):  # back off as ARPA does
        for n in range(len(h), -1, -1):
            key = (*h[len(h) - n:], w)
            if key in model[n + 1]:
                bow = sum(model[k].get(tuple(h[len(h) - k:]), (0, 0))[1] for k in range(n + 1, len(h) + 1))
                return 10 ** (model[n + 1][key][0] + bow)
        return 0.0
    for history in [("my",), ("bring", "my"), ("<s>",), ("the",)]:
        assert sum(p(w, history) for w in words) == pytest.approx(1.0, abs=1e-3)


def test_texts_come_from_the_train_split_criteria_and_scenarios(tmp_path):
    (tmp_path / "corpus").mkdir()
    rows = [{"id": "a", "text": "Bring the supervisor.", "split": "train", "labels": []},
            {"id": "b", "text": "Never seen validation words.", "split": "validation", "labels": []},
            {"id": "c", "text": "Never seen test words.", "split": "test", "labels": []}]
    (tmp_path / "corpus" / "replies.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (tmp_path / "criteria.yaml").write_text(
        "words:\n  helper: [supervisor, manager]\ncriteria:\n  - id: x\n    phrases: ['(bring|get) ... @helper']\n"
        "    examples: [Let me get my manager.]\n")
    (tmp_path / "boiler.yaml").write_text("nodes:\n  - say: The engineer never came about the boiler.\n")
    texts = domainlm.domain_texts(tmp_path)
    joined = " ".join(texts)
    assert "Bring the supervisor." in texts and "Let me get my manager." in texts
    assert "engineer never came about the boiler" in joined
    assert "validation" not in joined and "test words" not in joined
    assert any(t.split() and t.split()[0] in ("bring", "get") for t in texts)  # a phrase pattern expanded


def test_built_once_cached_by_input_hash_and_rebuilt_when_inputs_change(tmp_path):
    first = domainlm.build(TINY, folder=tmp_path, mixed=False)
    stamp = first.stat().st_mtime_ns
    assert domainlm.build(TINY, folder=tmp_path, mixed=False) == first
    assert first.stat().st_mtime_ns == stamp  # reused, not built again
    changed = domainlm.build([*TINY, "The invoice was wrong."], folder=tmp_path, mixed=False)
    assert changed != first and changed.exists()
    assert not first.exists()  # the model of the old inputs is dropped
    assert domainlm.inputs_key(TINY, 0.5) != domainlm.inputs_key(TINY, 0.6)


def test_the_mixed_model_loads_and_is_normalised(mixed_lm):
    from pocketsphinx import Config, LogMath, NGramModel
    assert mixed_lm.exists() and mixed_lm.name.startswith("domain-")
    lm = NGramModel(Config(logfn="/dev/null"), LogMath(), str(mixed_lm))
    words, _ = domainlm.read_trie_lm(mixed_lm)
    to_log10 = np.log10(1.0001)
    for history in (["my"], ["bring", "my"]):  # NGramModel.prob takes the word first, then its history backwards
        total = sum(10 ** (lm.prob([w, *reversed(history)]) * to_log10) for w in words if w != "<s>")
        assert total == pytest.approx(1.0, abs=0.02)
    generic = NGramModel(Config(logfn="/dev/null"), LogMath(), str(domainlm.generic_lm_file()))
    assert lm.prob(["supervisor", "my", "bring"]) > generic.prob(["supervisor", "my", "bring"])


def test_a_domain_phrase_spoken_by_espeak_is_heard_with_it(mixed_lm, tmp_path):
    wav = tmp_path / "reply.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav),
                    "I am going to bring my supervisor onto the call."], check=True)
    engine = SphinxEngine(mixed_lm)
    assert engine.name == "pocketsphinx:en-us+domain"
    heard = engine.transcribe(read_wav(wav))
    assert "supervisor" in heard.text.split() and heard.engine == engine.name
    stream = engine.stream()  # live use: the same model through the streaming path
    data = read_wav(wav)
    from simulator.speech.wav import resample
    pcm = resample(data, 16000).data
    for i in range(0, len(pcm), 3200):
        stream.accept(pcm[i:i + 3200])
    text, words = stream.finish()
    assert "supervisor" in text.split() and words


def test_the_product_uses_it_when_built_and_otherwise_builds_it_in_the_background(monkeypatch, mixed_lm):
    started = []
    monkeypatch.setattr(domainlm, "start_background_build", lambda: started.append(1) or True)
    monkeypatch.delenv(domainlm.ENV_SWITCH, raising=False)
    monkeypatch.setattr(domainlm, "cached_model", lambda *a, **k: None)
    engine, notice = sphinx_engine()
    assert engine.lm is None and started == [1] and "being prepared" in notice  # generic this time, never a wait
    monkeypatch.setattr(domainlm, "cached_model", lambda *a, **k: mixed_lm)
    engine, notice = sphinx_engine()
    assert engine.lm == str(mixed_lm) and engine.name == "pocketsphinx:en-us+domain" and notice == ""
    monkeypatch.setenv(domainlm.ENV_SWITCH, "0")
    engine, notice = sphinx_engine()
    assert engine.lm is None and notice == ""


def test_a_failed_build_falls_back_to_the_generic_model_with_a_notice(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(domainlm, "cached_model", broken)
    monkeypatch.setenv(domainlm.ENV_SWITCH, "1")
    engine, notice = sphinx_engine()
    assert engine.lm is None and engine.name == "pocketsphinx:en-us"
    assert "generic" in notice and "disk full" in notice
    monkeypatch.setattr(domainlm, "build", broken)
    assert domainlm.domain_lm(missing="now") is None


def test_a_one_shot_transcription_starts_no_build_that_would_die_with_it(monkeypatch):
    from simulator.speech.recognition import open_recognizer
    started = []
    monkeypatch.setattr(domainlm, "start_background_build", lambda: started.append(1) or True)
    monkeypatch.setenv(domainlm.ENV_SWITCH, "1")
    monkeypatch.setattr(domainlm, "cached_model", lambda *a, **k: None)
    rec = open_recognizer(engine="pocketsphinx", build_missing="never")
    assert started == [] and rec.engine.lm is None and "being prepared" not in rec.notice
    open_recognizer(engine="pocketsphinx")  # a session (app, voice play) still prepares it for the next one
    assert started == [1]


def test_a_coach_folder_joins_the_inputs_so_the_model_is_built_again_for_it(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("SIMULATOR_CONFIG_DIR", str(config))
    before = domainlm.domain_texts()
    coach = tmp_path / "coach"
    coach.mkdir()
    (coach / "gym.yaml").write_text("nodes:\n  - say: My gym membership was frozen without warning.\n")
    (config / "settings.json").write_text(json.dumps({"schema_version": 1, "scenario_folders": [str(coach)]}))
    after = domainlm.domain_texts()
    assert "My gym membership was frozen without warning." in after
    assert "My gym membership was frozen without warning." not in before
    assert domainlm.inputs_key(after, 0.5) != domainlm.inputs_key(before, 0.5)


def test_a_built_app_finds_the_model_it_carries(tmp_path, monkeypatch):
    """build.spec puts the model under models/domain-lm; the app looks there after the user's cache."""
    shipped = tmp_path / "models" / "domain-lm"
    model = domainlm.build(TINY, folder=shipped, mixed=False)
    renamed = shipped / f"domain-{domainlm.inputs_key(TINY, 0.5)}.lm.bin"  # as the mixed build would name it
    model.rename(renamed)
    monkeypatch.setattr(domainlm, "shipped_folder", lambda: shipped)
    monkeypatch.setattr(domainlm, "lm_folder", lambda: tmp_path / "cache")
    assert domainlm.cached_model(TINY, 0.5) == renamed
    assert domainlm.build(TINY, 0.5) == renamed  # not built again into the cache
    assert not (tmp_path / "cache").exists()
