"""The sentence model the typed heads read in doubt: the pinned file, the model's own vectors, used only when needed."""

from pathlib import Path

import numpy as np
import pytest

from simulator.errors import SimulatorError
from simulator.scenario import standard_criteria
from simulator.scoring import contextual
from simulator.scoring.contextual import ContextualEmbedder, install_model, load_encoder
from simulator.scoring.detector import REFINE, build_detector, heads_folder
from simulator.scoring.embedding import load_embedder

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


@pytest.fixture(scope="module")
def encoder():
    found = load_encoder()
    assert found is not None, "run `simulator train --embeddings` (scripts/setup.sh does this)"
    return found


class Counting:
    """The real encoder, counting the texts it is asked to read."""

    def __init__(self, real) -> None:
        self.real, self.version, self.texts = real, real.version, []

    def encode(self, texts):
        self.texts += texts
        return self.real.encode(texts)

    def read(self, texts, layer=None):
        self.texts += texts
        return self.real.read(texts, layer)


def test_int8_model_gives_sentence_transformers_vectors():
    # 50 everyday sentences encoded by sentence-transformers (fp32, torch): the pinned int8 file must agree.
    from simulator.scoring.embedding import TOKENIZER
    from simulator.scoring.embedding import default_folder as static_folder

    pinned = contextual.SentenceEncoder(contextual.default_folder(), static_folder() / TOKENIZER,
                                        file=contextual.MODEL)
    reference = np.load(REFERENCE)
    cosine = (pinned.encode([str(s) for s in reference["sentences"]]) * reference["vectors"]).sum(1)
    assert len(cosine) == 50 and cosine.min() >= 0.999


def test_the_quick_model_the_app_reads_stays_close_to_the_models_own_layers(encoder):
    # The quick file runs the model's first four layers, its activations quantised per reply; against the same four
    # layers in float (NumPy, from the pinned fp32 weights), on these 50: pooled, 0.995 on average and 0.991 at worst;
    # word piece by word piece, the worst of each sentence 0.988 on average and 0.976 at worst.
    from simulator.scoring.embedding import source_model
    from simulator.scoring.minilm import MiniLM

    reference = np.load(REFERENCE)
    model = MiniLM.load(source_model())
    model.layers = model.layers[:contextual.LAST]
    for sentence in reference["sentences"]:
        ids = np.array([encoder._tokenizer.encode(str(sentence)).ids])
        ours = model.hidden(ids, np.ones_like(ids))[0]
        vector, (states,) = encoder.read([str(sentence)], contextual.LAST)
        per_piece = (ours * states).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(states, axis=1)
        pooled = ours.mean(0) / np.linalg.norm(ours.mean(0))
        assert per_piece.min() > 0.97 and float(pooled @ vector[0]) > 0.985
    assert encoder.version.endswith(contextual.QUICK_RECIPE) and not encoder.gives(contextual.LAST + 1)


def test_the_quick_model_computes_what_numpy_does_with_the_same_integers(encoder):
    # Built from plain arrays (scoring/int8graph.py): its word table in float16, every product in int8. The same
    # arithmetic in NumPy gives the same word-piece states (measured: to the last digit on these ten).
    from simulator.scoring.embedding import source_model
    from simulator.scoring.int8graph import int8_product, layer_int8
    from simulator.scoring.minilm import _layer_norm, bert_layer, model_layers, read_safetensors

    w = read_safetensors(source_model() / "model.safetensors")
    layers = model_layers(w)[:contextual.LAST]
    words = w["embeddings.word_embeddings.weight"].astype(np.float16).astype(np.float32)
    for sentence in np.load(REFERENCE)["sentences"][:10]:
        ids = encoder._tokenizer.encode(str(sentence)).ids
        x = words[ids] + w["embeddings.position_embeddings.weight"][:len(ids)] + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])[None]
        for layer in layers:
            int8 = layer_int8(layer)
            x = bert_layer(x, layer, product=lambda t, name, int8=int8: int8_product(t, *int8[name]))
        _, (states,) = encoder.read([str(sentence)], contextual.LAST)
        assert np.allclose(x[0], states, atol=1e-3)


def test_the_quick_model_is_derived_the_same_way_every_time(tmp_path):
    import shutil

    shutil.copyfile(contextual.default_folder() / contextual.MODEL, tmp_path / contextual.MODEL)
    made = contextual.make_quick_model(tmp_path)
    assert made.read_bytes() == (contextual.default_folder() / contextual.QUICK).read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_batches_of_mixed_length_give_each_reply_its_own_vector(encoder):
    texts = ["ok", "I understand how frustrating this has been, and I'm going to sort out your refund today.", "fine"]
    together = encoder.encode(texts)
    alone = np.array([encoder.encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_another_file_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr(contextual, "MODEL_SHA256", "0" * 64)
    with pytest.raises(SimulatorError) as info:
        install_model(tmp_path / "out")
    assert "not the pinned all-MiniLM-L6-v2 int8 model" in info.value.message and "reinstall" in info.value.hint
    assert not (tmp_path / "out" / contextual.MODEL).exists()


def test_vectors_are_cached_between_trainings(encoder, tmp_path):
    texts = ["please stop shouting at me", "let me look at the invoice", "please stop shouting at me"]
    first = ContextualEmbedder(load_embedder(), Counting(encoder))
    first.remember(texts, cache=tmp_path)
    assert sorted(first.encoder.texts) == sorted(set(texts))
    again = ContextualEmbedder(load_embedder(), Counting(encoder))
    again.remember(texts + ["one new reply"], cache=tmp_path)
    assert again.encoder.texts == ["one new reply"]
    assert np.allclose(again.embed_many(texts), first.embed_many(texts))
    other = ContextualEmbedder(load_embedder(), Counting(encoder))
    other.remember(["a reply from another corpus"], cache=tmp_path)  # saving it keeps the vectors it did not read
    last = ContextualEmbedder(load_embedder(), Counting(encoder))
    last.remember(texts + ["one new reply"], cache=tmp_path)
    assert last.encoder.texts == []


def test_typed_replies_are_read_in_context_and_transcripts_are_not(encoder):
    assert (heads_folder() / REFINE).is_file()
    detector = build_detector(standard_criteria())
    learned = detector.learned
    assert learned.refine is not None and encoder.version in detector.version
    counting = Counting(learned.contextual.encoder)
    learned.contextual.encoder = counting
    try:
        reply = "I hear you. I'm going to bring my supervisor in now."
        found = detector.detect(reply)
        assert counting.texts == [reply]  # once, whole: its sentences share the vector
        assert "escalates" in {m.criterion for m in found}
        counting.texts.clear()
        # A transcript is read for the spoken retrained layers alone: the spoken heads keep the static vector.
        detector.detect("please dont swear at me", spoken=True)
        assert counting.texts == ["please dont swear at me"]
        assert learned.assess("please dont swear at me", spoken=True)[0] is learned.spoken
    finally:
        learned.contextual.encoder = counting.real


def test_missing_sentence_model_falls_back_with_a_notice(tmp_path, monkeypatch):
    for name in ("typed.npz", "spoken.npz", REFINE):
        (tmp_path / name).write_bytes((heads_folder() / name).read_bytes())
    monkeypatch.setattr(contextual, "default_folder", lambda: tmp_path / "nowhere")
    detector = build_detector(standard_criteria(), folder=tmp_path)
    assert detector.learned is not None and detector.learned.refine is None
    assert "sentence model is not installed" in detector.notice
    assert {m.criterion for m in detector.detect("If you keep swearing I will end this call.")} >= {"states_consequence"}


def test_the_sentence_model_runs_without_onnxruntime_telemetry(tmp_path):
    # onnxruntime's official builds upload usage events from Linux too: reading one sentence wrote a device id
    # and an event cache under ~/.cache/Microsoft. The product is offline, so the runtime starts with them off.
    import os
    import subprocess
    import sys

    from conftest import REPO
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = "from simulator.scoring.contextual import load_encoder; print(load_encoder().encode(['hello']).shape)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "(1, 384)" in out.stdout, out.stderr[-2000:]
    assert not list(tmp_path.rglob("*")), [str(p) for p in tmp_path.rglob("*")]
