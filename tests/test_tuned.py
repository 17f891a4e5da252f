"""The sentence model's last layers retrained (scoring/tuned.py): read as the model reads, once per reply, averaged
with the heads the same way in training and in a session."""

import numpy as np
import pytest

from simulator.scenario import standard_criteria
from simulator.scoring.contextual import load_encoder
from simulator.scoring.detector import REFINE, TUNED, TUNED_SPOKEN, build_detector, heads_folder
from simulator.scoring.training import held_probabilities
from simulator.scoring.minilm import HIDDEN, bert_layer, model_layers, read_safetensors
from simulator.scoring.tuned import COMPILED_RECIPE, RECIPE, TunedLayers
from simulator.scoring.embedding import source_model

REPLIES = ["I hear you. I'm going to bring my supervisor in now.",
           "wow congrats on finding the caps lock key",
           "Let me look at the invoice with you.",
           "ok"]


@pytest.fixture(scope="module")
def detector():
    made = build_detector(standard_criteria())
    assert made.learned is not None and made.learned.contextual is not None
    assert made.learned.contextual.tuned is not None, "scenarios/heads/typed-tuned.npz is read beside the heads"
    assert made.learned.contextual.tuned_spoken is not None, "and spoken-tuned.npz"
    return made


def _pretrained(i: int) -> dict[str, np.ndarray]:
    return model_layers(read_safetensors(source_model() / "model.safetensors"), i)[0]


def _run(states: np.ndarray, *layers: dict[str, np.ndarray]) -> np.ndarray:
    x = states[None]
    for layer in layers:
        x = bert_layer(x, layer)
    return x[0]


def test_the_numpy_layer_is_the_models_own():
    # The model's fourth layer, run in NumPy on the third's output as the quick file gives it, gives what the file
    # gives for the fourth (its products are int8 there, so not to the last digit).
    encoder = load_encoder()
    assert encoder is not None and encoder.gives(3) and encoder.gives(4)
    for text in REPLIES:
        _, (fourth,) = encoder.read([text], 4)
        _, (third,) = encoder.read([text], 3)
        ours = _run(third, _pretrained(3))
        assert fourth.shape[1] == HIDDEN and len(fourth) >= 3
        cosine = (ours * fourth).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(fourth, axis=1)
        assert cosine.min() > 0.97
        pooled = fourth.mean(0) / np.linalg.norm(fourth.mean(0))  # and the file's own sentence vector
        assert float(pooled @ encoder.encode([text])[0]) > 0.9999


def test_stored_int8_reads_as_the_float_layer(tmp_path):
    rng = np.random.default_rng(1)
    layer = _pretrained(5)
    made = TunedLayers(["a", "b"], [layer], rng.normal(size=(HIDDEN, 2)).astype(np.float32), np.zeros(2, np.float32), 0.5)
    made.save(tmp_path / "t.npz")
    back = TunedLayers.load(tmp_path / "t.npz")
    states = rng.normal(size=(12, HIDDEN)).astype(np.float32)
    assert back.reads == 5 and back.criteria == ["a", "b"] and len(back.version) == 16
    assert np.allclose(back.logits(states), made.logits(states), atol=0.05)
    assert not list(tmp_path.glob("*.part*"))


def test_blend_averages_log_odds_and_leaves_other_criteria_alone():
    tuned = TunedLayers(["a"], [], np.zeros((HIDDEN, 1), np.float32), np.zeros(1, np.float32), 0.5)
    out = tuned.blend(np.array([[0.9, 0.2]]), ["a", "coach_own"], np.array([[0.0]]))
    assert out[0, 1] == pytest.approx(0.2)
    assert out[0, 0] == pytest.approx(1 / (1 + np.exp(-0.5 * np.log(9))))


def test_a_reply_is_read_once_and_the_layers_have_their_say(detector):
    from simulator.scoring.learned import _probabilities

    learned = detector.learned
    assert learned.contextual.tuned.version in detector.version
    reply = "Thank you so much for that helpful insight into my intelligence."
    heads_alone, _ = _probabilities(learned.refine, learned.contextual, reply, False)
    _, blended, _ = learned.assess(reply)
    assert set(blended) == set(heads_alone)
    assert any(abs(blended[c] - heads_alone[c]) > 0.01 for c in blended)
    seen = []
    real = learned.contextual.encoder.read

    def counting(texts, layer=None):
        seen.extend(texts)
        return real(texts, layer)

    learned.contextual.encoder.read = counting
    try:
        fresh = "i am going to end this call now if the shouting carries on"
        detector.detect(fresh)
        assert seen == [fresh]  # the sentence vector and the layers' input come from one pass
        seen.clear()
        heard = "please dont swear at me i will end the call"
        detector.detect(heard, spoken=True)
        assert seen == [heard]  # transcripts too, for the layers retrained on them
    finally:
        del learned.contextual.encoder.read


def test_training_chooses_thresholds_on_what_the_session_sees(detector):
    # held_probabilities (the thresholds are chosen on it) and assess (a session's verdict) must agree.
    learned = detector.learned
    rows = [{"text": t} for t in REPLIES]
    # Training hands held_probabilities the contextual heads and embedder as a detector of their own.
    contextual = type(learned)(learned.refine, learned.refine, learned.contextual)
    held = held_probabilities(contextual, rows, False, learned.refine.criteria)
    live = np.array([[learned.assess(t)[1][c] for c in learned.refine.criteria] for t in REPLIES])
    assert np.allclose(held, live, atol=1e-5)


def test_spoken_thresholds_are_chosen_on_what_the_session_sees(detector):
    learned = detector.learned
    rows = [{"text": "i am going to bring my supervisor on the fall"}, {"text": "you stupid man"}]
    held = held_probabilities(learned, rows, True, learned.spoken.criteria, learned.contextual)
    live = np.array([[learned.assess(r["text"], spoken=True)[1][c] for c in learned.spoken.criteria] for r in rows])
    assert np.allclose(held, live, atol=1e-5)


def test_without_the_layers_the_heads_keep_thresholds_chosen_for_them_alone():
    # --quick (and an installation without the sentence model) leaves the layers out: the spoken heads must not then
    # judge at the thresholds chosen for their average with the layers.
    from simulator.scoring.learned import Heads

    shipped = Heads.load(heads_folder() / "spoken.npz")
    assert shipped.blend_threshold is not None and shipped.blend_version
    quick = build_detector(standard_criteria(), in_context=False).learned
    assert quick.contextual is None and not any(quick.averaged.values())
    assert np.array_equal(quick.spoken.threshold, shipped.threshold)
    full = build_detector(standard_criteria()).learned
    assert full.averaged == {False: True, True: True}
    assert np.array_equal(full.spoken.threshold, shipped.blend_threshold)
    assert not np.array_equal(shipped.threshold, shipped.blend_threshold)


def test_an_older_sentence_model_file_leaves_the_layers_out_with_a_notice(tmp_path, monkeypatch):
    from simulator.scoring import contextual, detector as detector_module

    for name in ("typed.npz", "spoken.npz", REFINE, TUNED, TUNED_SPOKEN):
        (tmp_path / name).write_bytes((heads_folder() / name).read_bytes())
    monkeypatch.setattr(contextual.SentenceEncoder, "gives", lambda self, layer: layer == 6)
    detector_module._loaded.clear()
    made = build_detector(standard_criteria(), folder=tmp_path)
    detector_module._loaded.clear()
    assert made.learned.refine is not None and made.learned.contextual.tuned is None
    assert made.learned.contextual.tuned_spoken is None
    assert "simulator train --embeddings" in made.notice
    assert "escalates" in {m.criterion for m in made.detect(REPLIES[0])}


def _without_onnx(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real(name, *a))


def test_onnx_runtime_runs_the_layers_to_the_numpy_figures(tmp_path, monkeypatch):
    shipped = TunedLayers.load(heads_folder() / TUNED)
    assert shipped.recipe == COMPILED_RECIPE, "made into a graph where the onnx package is installed"
    rng = np.random.default_rng(2)
    shipped_numpy = TunedLayers(shipped.criteria, shipped.layers, shipped.head, shipped.head_bias, shipped.share)
    assert shipped_numpy.recipe == RECIPE
    exact = 0
    for n in (1, 3, 17, 60, 5, 30):
        states = rng.normal(size=(n, HIDDEN)).astype(np.float32)
        fast = shipped.logits(states)
        # The same integers, but where a value lands within float rounding of a step's midpoint (GELU and the norms
        # are not worked out to the last bit alike), one int8 step apart: a few hundredths of log-odds at most.
        assert np.allclose(fast, shipped_numpy.logits(states), atol=0.05)
        exact += np.allclose(fast, shipped_numpy.logits(states), atol=1e-4)
    assert exact >= 4
    # The built app has no onnx package: it reads the graph made at build time beside the arrays, if it was made
    # from these very arrays, and runs NumPy otherwise.
    (tmp_path / "t.npz").write_bytes((heads_folder() / TUNED).read_bytes())
    _without_onnx(monkeypatch)
    assert TunedLayers.load(tmp_path / "t.npz").recipe == RECIPE
    shipped.write_compiled(tmp_path / "t.onnx")
    from_file = TunedLayers.load(tmp_path / "t.npz")
    assert from_file.recipe == COMPILED_RECIPE and np.allclose(from_file.logits(states), fast, atol=1e-5)
    other = TunedLayers.load(heads_folder() / TUNED_SPOKEN)
    other.write_compiled(tmp_path / "t.onnx")  # a coach retrained them since the build
    assert TunedLayers.load(tmp_path / "t.npz").recipe == RECIPE
    (tmp_path / "t.onnx").write_bytes((tmp_path / "t.onnx").read_bytes()[:5000])  # damaged: NumPy, not a failure
    assert TunedLayers.load(tmp_path / "t.npz").recipe == RECIPE
