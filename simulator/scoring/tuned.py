"""The sentence model's top layer, retrained on the corpus to read each act.

The contextual heads (contextual.py) read the sentence model's vector as its
makers pooled it, for likeness of meaning. Sarcasm and condescension said
without an unkind word ("Thank you for that insightful contribution.") are a
matter of how words bear on each other, which a pooled vector made for
another purpose keeps only in part. So all-MiniLM-L6-v2's last layer was
trained again, with a head of its own per criterion, on the corpus's train
replies, tidy and as chat (`scripts/tune_sentence_model.py`; it needs JAX,
a training-time dependency only). Its scores are averaged with the heads'
(in log-odds, by `share`) before the thresholds, which `simulator train`
chooses on the average. Measured on the validation split with thresholds
chosen on the other half of it, as the heads' variants were: README,
"Measured".

The product runs the retrained layers in NumPy on the output of the layer
before them, which the quick ONNX file gives beside its last
(contextual.make_quick_model). The matrices are stored as int8 with a scale
per output (1.7 MB a layer; against float32 the probabilities move 0.0004 on
average); the rest in float32. Nothing here trains or downloads.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .minilm import HEADS, HIDDEN, _erf, _layer_norm

MATRICES = ("query", "key", "value", "attention_out", "intermediate", "output")
RECIPE = "np1"  # how the layers are run here; cached log-odds carry it, so a change here is not read from a cache


NORMS = ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias")


@dataclass
class TunedLayers:
    """The model's last transformer layers, retrained, and a linear head per criterion over their mean-pooled,
    unit-length output."""

    criteria: list[str]
    layers: list[dict[str, np.ndarray]]  # per layer: name -> (in x out) float32, and the biases and norms
    head: np.ndarray  # HIDDEN x criteria
    head_bias: np.ndarray
    share: float  # the heads' share of the averaged log-odds; the layer has the rest
    version: str = ""

    @property
    def reads(self) -> int:
        """The model layer (1-6) whose output the retrained layers read."""
        return 6 - len(self.layers)

    @classmethod
    def load(cls, path: Path) -> TunedLayers:
        data = path.read_bytes()
        with np.load(io.BytesIO(data)) as z:
            layers = []
            for i in range(int(z["layers"])):
                weights = {}
                for name in MATRICES:
                    weights[name] = z[f"{i}.{name}.q"].astype(np.float32) * z[f"{i}.{name}.scale"][None, :]
                    weights[name + ".bias"] = z[f"{i}.{name}.bias"]
                for name in NORMS:
                    weights[name] = z[f"{i}.{name}"]
                layers.append(weights)
            return cls([str(c) for c in z["criteria"]], layers, z["head"], z["head_bias"], float(z["share"]),
                       hashlib.sha256(data).hexdigest()[:16])

    def save(self, path: Path) -> None:
        """Written beside and then moved over; the matrices int8, scaled per output."""
        out: dict[str, np.ndarray] = {"criteria": np.array(self.criteria), "head": self.head.astype(np.float32),
                                      "head_bias": self.head_bias.astype(np.float32), "share": np.float32(self.share),
                                      "layers": np.int32(len(self.layers))}
        for i, weights in enumerate(self.layers):
            for name in MATRICES:
                w = weights[name].astype(np.float32)
                scale = np.maximum(np.abs(w).max(0), 1e-8) / 127.0
                out[f"{i}.{name}.q"] = np.round(w / scale[None, :]).astype(np.int8)
                out[f"{i}.{name}.scale"] = scale.astype(np.float32)
                out[f"{i}.{name}.bias"] = weights[name + ".bias"].astype(np.float32)
            for name in NORMS:
                out[f"{i}.{name}"] = weights[name].astype(np.float32)
        part = path.with_name(path.stem + ".part.npz")
        np.savez_compressed(part, **out)
        part.replace(path)

    def logits(self, states: np.ndarray) -> np.ndarray:
        """Log-odds per criterion for one reply, from layer `reads`'s output for its word pieces (tokens x HIDDEN)."""
        x = states.astype(np.float32)
        for w in self.layers:
            x = _layer(x, w)
        pooled = x.mean(0)
        pooled = pooled / (float(np.linalg.norm(pooled)) or 1.0)
        return pooled @ self.head + self.head_bias

    def blend(self, probabilities: np.ndarray, criteria: list[str], logits: np.ndarray) -> np.ndarray:
        """The heads' probabilities (replies x `criteria`) averaged in log-odds with the layer's, where it has the
        criterion; a coach's own criterion keeps the heads' alone."""
        out = np.array(probabilities, dtype=np.float64, copy=True)
        p = np.clip(out, 1e-6, 1 - 1e-6)
        for j, c in enumerate(criteria):
            if c in self.criteria:
                z = self.share * np.log(p[..., j] / (1 - p[..., j])) + (1 - self.share) * logits[..., self.criteria.index(c)]
                out[..., j] = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return out


def _layer(x: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    """A BERT layer over one reply's word pieces (no padding, so no mask), as minilm.MiniLM runs each of its own."""
    n, size = len(x), HIDDEN // HEADS

    def dense(t: np.ndarray, name: str) -> np.ndarray:
        return t @ w[name] + w[name + ".bias"]

    # Python floats, not NumPy's: a NumPy float64 scalar would turn every product after it into float64, twice the
    # time (NEP 50).
    q, k, v = (dense(x, name).reshape(n, HEADS, size).transpose(1, 0, 2) for name in ("query", "key", "value"))
    scores = q @ k.transpose(0, 2, 1) * (1.0 / math.sqrt(size))
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    attended = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
    x = _layer_norm(x + dense(attended, "attention_out"), w["norm1.weight"], w["norm1.bias"])
    h = dense(x, "intermediate")
    h = 0.5 * h * (1.0 + _erf(h * (1.0 / math.sqrt(2.0))))
    return _layer_norm(x + dense(h, "output"), w["norm2.weight"], w["norm2.bias"])
