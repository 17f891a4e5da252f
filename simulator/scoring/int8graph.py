"""BERT layers as a small ONNX graph whose matrix products run in int8, and the same arithmetic in NumPy.

Both the quick sentence-model file (contextual.make_quick_model: the model's
first four layers) and the retrained layers (tuned.py: the last two) are
built here, from plain arrays. Weights are int8 with a scale per output;
a product's input is quantised to uint8 with one scale for the whole reply
(ONNX's DynamicQuantizeLinear), as onnxruntime's dynamic quantiser does.
Built this way, a layer carries none of the shape bookkeeping an exported
graph has for padded batches (the product reads one reply at a time), and
the four quick layers took 1.45 ms a reply against 2.4 ms for the same
layers quantised from the exported file (one core, corpus replies).
Building needs the `onnx` package (install and build time); running needs
only onnxruntime.
"""

from __future__ import annotations

import math

import numpy as np

from .minilm import HEADS, HIDDEN

MATRICES = ("query", "key", "value", "attention_out", "intermediate", "output")
# Weights within +-63: a uint8 activation times an int8 weight, two such pairs added, then fits the 16 bits CPUs
# without VNNI add them in (onnxruntime's `reduce_range`), so every CPU gives the same integers.
WEIGHT_LEVELS = 63
OPSET = 17


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


def layer_int8(w: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {name: int8_weights(w[name]) for name in MATRICES}


class Graph:
    """Nodes and arrays of one ONNX graph, built up a step at a time; every value named."""

    def __init__(self) -> None:
        from onnx import TensorProto, helper, numpy_helper

        self._helper, self._numpy, self.FLOAT = helper, numpy_helper, TensorProto.FLOAT
        self.nodes: list = []
        self.arrays: list = []
        size = HIDDEN // HEADS
        self.array("split", [0, HEADS, size])
        self.array("join", [0, HIDDEN])
        self.array("scale", 1.0 / math.sqrt(size))
        self.array("root_half", 1.0 / math.sqrt(2.0))
        self.array("half", 0.5)
        self.array("one", 1.0)

    def array(self, name: str, value) -> str:
        value = np.asarray(value)
        kind = (value.dtype if value.dtype in (np.int8, np.float16) else np.float32 if value.dtype.kind == "f"
                else np.int64)
        self.arrays.append(self._numpy.from_array(value.astype(kind), name))
        return name

    def node(self, op: str, inputs: list[str], output: str | list[str], **attributes) -> str:
        outputs = output if isinstance(output, list) else [output]
        # Named: onnx tools that pick nodes by name (quantize_dynamic among them) find nothing in unnamed ones.
        self.nodes.append(self._helper.make_node(op, inputs, outputs, name=outputs[0], **attributes))
        return outputs[0]

    def norm(self, x: str, name: str, weight: np.ndarray, bias: np.ndarray) -> str:
        return self.node("LayerNormalization", [x, self.array(name + ".weight", weight), self.array(name + ".bias", bias)],
                         name, axis=-1, epsilon=1e-12)

    def layer(self, x: str, p: str, w: dict[str, np.ndarray], int8: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
        """One BERT layer over a reply's word pieces (tokens x HIDDEN), its products in int8; names begin with `p`."""

        def dense(t: str, name: str) -> str:
            q = p + name
            weights, scale = int8[name]
            self.node("DynamicQuantizeLinear", [t], [q + ".in", q + ".in.scale", q + ".in.zero"])
            product = self.node("MatMulInteger", [q + ".in", self.array(q, weights), q + ".in.zero",
                                                  self.array(q + ".zero", np.zeros(len(scale), np.int8))], q + ".int")
            product = self.node("Mul", [self.node("Cast", [product], q + ".cast", to=self.FLOAT),
                                        self.node("Mul", [q + ".in.scale", self.array(q + ".scale", scale)],
                                                  q + ".scales")], q + ".product")
            return self.node("Add", [product, self.array(q + ".bias", w[name + ".bias"])], q + ".out")

        node = self.node
        q, k, v = (node("Transpose", [node("Reshape", [dense(x, n), "split"], p + n + ".heads")], p + n + ".t",
                        perm=[1, 0, 2]) for n in ("query", "key", "value"))
        scores = node("Mul", [node("MatMul", [q, node("Transpose", [k], p + "key.tt", perm=[0, 2, 1])], p + "scores"),
                              "scale"], p + "scaled")
        attended = node("MatMul", [node("Softmax", [scores], p + "weights", axis=-1), v], p + "attended")
        attended = node("Reshape", [node("Transpose", [attended], p + "attended.t", perm=[1, 0, 2]), "join"],
                        p + "attended.joined")
        x = self.norm(node("Add", [x, dense(attended, "attention_out")], p + "residual1"), p + "norm1",
                      w["norm1.weight"], w["norm1.bias"])
        h = dense(x, "intermediate")
        erf = node("Erf", [node("Mul", [h, "root_half"], p + "h.scaled")], p + "erf")
        h = node("Mul", [node("Mul", [h, "half"], p + "h.half"), node("Add", [erf, "one"], p + "erf1")], p + "gelu")
        return self.norm(node("Add", [x, dense(h, "output")], p + "residual2"), p + "norm2",
                         w["norm2.weight"], w["norm2.bias"])

    def model(self, name: str, inputs: list, outputs: list, properties: dict[str, str]) -> bytes:
        """The graph as a checked ONNX model (opset 17), `properties` in its metadata."""
        from onnx import checker

        helper = self._helper
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.arrays)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8  # read by every onnxruntime this project allows (>= 1.17)
        helper.set_model_props(model, properties)
        checker.check_model(model)
        return model.SerializeToString()
