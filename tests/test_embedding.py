"""The learned detector's word vectors: the MiniLM weights are the pinned ones and read correctly."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from simulator.errors import SimulatorError
from simulator.scenario import standard_criteria
from simulator.scoring.detector import build_detector
from simulator.scoring.embedding import build_static_vectors, default_folder, load_embedder, source_model, table_version
from simulator.scoring.minilm import WEIGHTS_SHA256, MiniLM

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


def test_numpy_forward_pass_matches_sentence_transformers():
    # 50 everyday sentences encoded by sentence-transformers (fp32, torch): our NumPy encoder over the same
    # weights must give the same vectors, or the word vectors made from it are not the model's.
    from tokenizers import Tokenizer
    folder = source_model()
    reference = np.load(REFERENCE)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    ids = [e.ids for e in tokenizer.encode_batch([str(s) for s in reference["sentences"]])]
    ours = MiniLM.load(folder).encode(ids)
    cosine = (ours * reference["vectors"]).sum(1)
    assert len(cosine) == 50 and cosine.min() >= 0.999


def test_installed_word_vectors_come_from_the_pinned_weights():
    info = json.loads((default_folder() / "info.json").read_text())
    assert info["weights_sha256"] == WEIGHTS_SHA256
    embedder = load_embedder()
    assert embedder is not None and embedder.version == table_version(info["weights_sha256"])
    near, far, _ = embedder.embed_many(["I am furious about this", "I am so angry about this", "the parcel is blue"])
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    assert cos(near, far) > cos(near, embedder.embed("the parcel is blue"))


def test_the_tables_name_comes_from_its_weights_not_its_bytes(tmp_path):
    # Another CPU's matrix kernels round a few float16 values the other way: the same weights must name the same
    # table, or heads trained on one machine are refused as "trained with other vectors" on the next.
    folder = tmp_path / "vectors"
    shutil.copytree(default_folder(), folder)
    table = np.load(folder / "vectors.npy")
    table[5, :3] = np.nextafter(table[5, :3], np.float16(1))
    np.save(folder / "vectors.npy", table)
    info = json.loads((folder / "info.json").read_text())
    info["vectors_sha256"] = "0" * 64
    (folder / "info.json").write_text(json.dumps(info))
    assert load_embedder(folder).version == load_embedder().version
    info["weights_sha256"] = "1" * 64  # other weights are another table
    (folder / "info.json").write_text(json.dumps(info))
    assert load_embedder(folder).version != load_embedder().version


def test_the_shipped_heads_accept_the_installed_vectors():
    detector = build_detector(standard_criteria())
    assert detector.learned is not None and "differ" not in detector.notice, detector.notice


def test_other_weights_are_refused_with_a_clear_message(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the model")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(SimulatorError) as info:
        build_static_vectors(tmp_path / "out", source=tmp_path)
    assert "not the pinned all-MiniLM-L6-v2 file" in info.value.message and "reinstall" in info.value.hint
    assert not (tmp_path / "out").exists()
