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

The product runs the retrained layers on the output of the layer before
them, which the quick ONNX file gives beside its last
(contextual.make_quick_model). The matrices are stored as int8 with a scale
per output (1.7 MB a layer; against float32 the probabilities move 0.0004 on
average); the rest in float32. They run in ONNX Runtime, as a small graph
made from the stored arrays when they are read (or, in the built app, which
leaves the `onnx` package out, made at build time and kept beside them as
`<name>.onnx` with their hash). Every matrix product runs in int8 as in
the quick file (activations quantised per reply): 0.7 ms a reply against
2.2-2.6 ms in float, one core, and the thresholds are chosen again on what
they give (validation macro-F1 0.9458 -> 0.9450 typed, with the quick file's
change; README, "Learned detector"). The NumPy layers compute the same
integers (the fallback and the reference). Nothing here trains or downloads.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from .int8graph import MATRICES, Graph, int8_product, layer_int8
from .minilm import HIDDEN, bert_layer

RECIPE = "np3"  # how the layers are run in NumPy; cached log-odds carry it, so a change here is not read from a cache
COMPILED_RECIPE = "ort3"  # the same, run by ONNX Runtime (compiled)


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
    _session: object = field(default=None, repr=False, compare=False)  # the layers in ONNX Runtime, where it runs

    @cached_property
    def _int8(self) -> list[dict[str, tuple[np.ndarray, np.ndarray]]]:
        # Worked out when first needed: the built app reads its graph from a file and never needs them.
        return [layer_int8(w) for w in self.layers]

    @property
    def recipe(self) -> str:
        return COMPILED_RECIPE if self._session is not None else RECIPE

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
            made = cls([str(c) for c in z["criteria"]], layers, z["head"], z["head_bias"], float(z["share"]),
                       hashlib.sha256(data).hexdigest()[:16])
        made._session = _session(made, path.with_suffix(".onnx"))
        return made

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
        if self._session is not None:
            return self._session.run(None, {"states": states.astype(np.float32)})[0][0]
        x = states.astype(np.float32)[None]
        for w, int8 in zip(self.layers, self._int8):
            x = bert_layer(x, w, product=lambda t, name, int8=int8: int8_product(t, *int8[name]))
        pooled = x[0].mean(0)
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

    def compiled(self) -> bytes:
        """The layers, pooling and head as an ONNX graph, with the arrays' hash in its metadata. Needs the `onnx`
        package."""
        from onnx import TensorProto, helper

        graph = Graph()
        x = "states"
        for i, w in enumerate(self.layers):
            x = graph.layer(x, f"layer{i}.", w, self._int8[i])
        node = graph.node
        pooled = node("LpNormalization", [node("ReduceMean", [x], "pooled", axes=[0], keepdims=1)], "unit", axis=-1, p=2)
        node("Add", [node("MatMul", [pooled, graph.array("head", self.head)], "head.product"),
                     graph.array("head.bias", self.head_bias)], "logits")
        return graph.model("retrained-layers", [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["tokens", HIDDEN])],
                           [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, len(self.criteria)])],
                           {"version": self.version})

    def write_compiled(self, path: Path) -> Path:
        """The graph written to `path` (written beside and moved over), for an app built without `onnx`."""
        part = path.with_name(path.name + ".part")
        part.write_bytes(self.compiled())
        part.replace(path)
        return path


def _session(layers: TunedLayers, beside: Path):
    """The layers in ONNX Runtime: made now where `onnx` is installed, else read from `beside` if it was made from
    these very arrays; None (NumPy runs them) where neither is to be had."""
    if not layers.layers or importlib.util.find_spec("onnxruntime") is None:
        return None
    from .contextual import onnxruntime

    ort = onnxruntime()
    try:
        if importlib.util.find_spec("onnx") is not None:
            model: bytes | str = layers.compiled()
        elif beside.is_file():
            model = str(beside)
        else:
            return None
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        if session.get_modelmeta().custom_metadata_map.get("version") != layers.version:
            return None  # made from other arrays: a coach retrained them since
    except Exception:  # noqa: BLE001 - a damaged graph file or a runtime that cannot read it: NumPy, same figures
        return None
    return session
