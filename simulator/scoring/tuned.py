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
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .minilm import HEADS, HIDDEN, bert_layer

MATRICES = ("query", "key", "value", "attention_out", "intermediate", "output")
RECIPE = "np3"  # how the layers are run in NumPy; cached log-odds carry it, so a change here is not read from a cache
COMPILED_RECIPE = "ort3"  # the same, run by ONNX Runtime (compiled)
# Weights within +-63: a uint8 activation times an int8 weight, two such pairs added, then fits the 16 bits CPUs
# without VNNI add them in (onnxruntime's `reduce_range`), so every CPU gives the same integers.
WEIGHT_LEVELS = 63


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
    _int8: list[dict[str, tuple[np.ndarray, np.ndarray]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._int8 = [{name: int8_weights(w[name]) for name in MATRICES} for w in self.layers]

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
        """The layers, pooling and head as an ONNX graph (opset 17), with the arrays' hash in its metadata. Needs the
        `onnx` package."""
        from onnx import TensorProto, checker, helper, numpy_helper

        nodes, arrays = [], []

        def array(name: str, value) -> str:
            value = np.asarray(value)
            kind = np.float32 if value.dtype.kind == "f" else np.int8 if value.dtype == np.int8 else np.int64
            arrays.append(numpy_helper.from_array(value.astype(kind), name))
            return name

        def node(op: str, inputs: list[str], output: str | list[str], **attributes) -> str:
            outputs = output if isinstance(output, list) else [output]
            # Named, as quantize_dynamic's nodes are: onnxruntime fuses the int8 product's nodes into one.
            nodes.append(helper.make_node(op, inputs, outputs, name=outputs[0], **attributes))
            return outputs[0]

        size = HIDDEN // HEADS
        array("split", [0, HEADS, size])
        array("join", [0, HIDDEN])
        array("scale", 1.0 / math.sqrt(size))
        array("root_half", 1.0 / math.sqrt(2.0))
        array("half", 0.5)
        array("one", 1.0)
        x = "states"
        for i, w in enumerate(self.layers):
            p = f"layer{i}."

            def dense(t: str, name: str) -> str:
                q = p + name
                weights, scale = self._int8[i][name]
                node("DynamicQuantizeLinear", [t], [q + ".in", q + ".in.scale", q + ".in.zero"])
                product = node("MatMulInteger", [q + ".in", array(q, weights), q + ".in.zero",
                                                 array(q + ".zero", np.zeros(len(scale), np.int8))], q + ".int")
                product = node("Mul", [node("Cast", [product], q + ".cast", to=TensorProto.FLOAT),
                                       node("Mul", [q + ".in.scale", array(q + ".scale", scale)], q + ".scales")],
                               q + ".product")
                return node("Add", [product, array(q + ".bias", w[name + ".bias"])], q + ".out")

            def norm(t: str, name: str) -> str:
                return node("LayerNormalization", [t, array(p + name + ".weight", w[name + ".weight"]),
                                                   array(p + name + ".bias", w[name + ".bias"])],
                            p + name, axis=-1, epsilon=1e-12)

            q, k, v = (node("Transpose", [node("Reshape", [dense(x, n), "split"], p + n + ".heads")], p + n + ".t",
                            perm=[1, 0, 2]) for n in ("query", "key", "value"))
            scores = node("Mul", [node("MatMul", [q, node("Transpose", [k], p + "key.tt", perm=[0, 2, 1])],
                                       p + "scores"), "scale"], p + "scaled")
            attended = node("MatMul", [node("Softmax", [scores], p + "weights", axis=-1), v], p + "attended")
            attended = node("Reshape", [node("Transpose", [attended], p + "attended.t", perm=[1, 0, 2]), "join"],
                            p + "attended.joined")
            x = norm(node("Add", [x, dense(attended, "attention_out")], p + "residual1"), "norm1")
            h = dense(x, "intermediate")
            erf = node("Erf", [node("Mul", [h, "root_half"], p + "h.scaled")], p + "erf")
            h = node("Mul", [node("Mul", [h, "half"], p + "h.half"), node("Add", [erf, "one"], p + "erf1")], p + "gelu")
            x = norm(node("Add", [x, dense(h, "output")], p + "residual2"), "norm2")
        pooled = node("LpNormalization", [node("ReduceMean", [x], "pooled", axes=[0], keepdims=1)], "unit", axis=-1, p=2)
        node("Add", [node("MatMul", [pooled, array("head", self.head)], "head.product"),
                     array("head.bias", self.head_bias)], "logits")
        graph = helper.make_graph(nodes, "retrained-layers", [helper.make_tensor_value_info("states", TensorProto.FLOAT,
                                                                                             ["tokens", HIDDEN])],
                                  [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, len(self.criteria)])],
                                  arrays)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8  # read by every onnxruntime this project allows (>= 1.17)
        helper.set_model_props(model, {"version": self.version})
        checker.check_model(model)
        return model.SerializeToString()

    def write_compiled(self, path: Path) -> Path:
        """The graph written to `path` (written beside and moved over), for an app built without `onnx`."""
        part = path.with_name(path.name + ".part")
        part.write_bytes(self.compiled())
        part.replace(path)
        return path


def int8_weights(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A matrix (in x out) as int8 within +-WEIGHT_LEVELS and a scale per output."""
    scale = (np.maximum(np.abs(w).max(0), 1e-8) / WEIGHT_LEVELS).astype(np.float32)
    return np.rint(w / scale[None, :]).astype(np.int8), scale


def int8_product(x: np.ndarray, weights: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """`x @ (weights * scale)` as ONNX Runtime works it out: x quantised to uint8 with one scale for the whole reply
    (DynamicQuantizeLinear), the products summed as integers, then scaled."""
    x = x.astype(np.float32)
    low, high = min(np.float32(0), x.min()), max(np.float32(0), x.max())
    step = np.float32((high - low) / np.float32(255))
    if step == 0:
        return np.zeros((len(x), weights.shape[1]), np.float32)
    zero = np.clip(np.rint(-low / step), 0, 255)
    quantised = np.clip(np.rint(x / step) + zero, 0, 255) - zero
    summed = (quantised.astype(np.float64) @ weights.astype(np.float64)).astype(np.float32)  # exact: integers < 2**53
    return summed * (step * scale)


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
