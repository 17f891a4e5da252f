"""Retrain the sentence model's last layer(s) on the corpus, with a head per criterion (simulator/scoring/tuned.py).

    pip install '.[tune]'            # JAX and optax: needed here only, never by the product
    .venv/bin/python scripts/tune_sentence_model.py [--spoken] [--layers 2] [--epochs 3] [--out FILE]
    .venv/bin/simulator train        # then: the heads' thresholds are chosen on the average

The layers start from all-MiniLM-L6-v2's own weights (the fp32 file `simulator train --embeddings` checked) and
read the output of the layer before them as the product's quick ONNX file gives it, for the corpus's train
replies as written and as chat (lower case, no punctuation), as the typed heads see them; with --spoken, for the
train replies as the recogniser heard them (the round trips the spoken heads learn from) and as clean transcripts,
chosen on the validation round trips as the product hears them. Binary cross-entropy,
AdamW (learning rate 8e-5 for the layers, 40 times that for the new head; warm-up then cosine decay), dropout 0.1
on the pooled vector, batches of 32 replies of like length, seed 0. Two layers took 18-20 minutes on two cores
here (3 minutes of it reading the replies). Prints validation macro-F1 of the layers alone, each criterion at its best threshold.
The layers are trained in float; the product runs their products in int8 (tuned.py), and `simulator train` chooses
the thresholds on what it runs.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.scenario import standard_criteria  # noqa: E402
from simulator.scoring.contextual import load_encoder  # noqa: E402
from simulator.scoring.detector import TUNED, TUNED_SPOKEN, heads_folder  # noqa: E402
from simulator.scoring.embedding import source_model  # noqa: E402
from simulator.scoring.minilm import HEADS, HIDDEN, model_layers, read_safetensors  # noqa: E402
from simulator.scoring.training import (as_the_product_hears, as_transcript, corpus_file, learned_from,  # noqa: E402
                                        read_jsonl, roundtrips_file)
from simulator.scoring.tuned import TunedLayers  # noqa: E402

SHARE = 0.5  # the heads' share of the average: 0.3, 0.5 and 0.7 were tried on validation (README, "Measured")


def pretrained(layers: int) -> list[dict[str, np.ndarray]]:
    return model_layers(read_safetensors(source_model() / "model.safetensors"), 6 - layers)


def read_states(texts: list[str], layer: int) -> tuple[np.ndarray, np.ndarray]:
    """Layer `layer`'s output for every text, one after another (float16), and where each text's rows start."""
    encoder = load_encoder(threads=2)
    if encoder is None or not encoder.gives(layer):
        sys.exit("the sentence model is not installed: run `simulator train --embeddings` first")
    parts, offsets = [], [0]
    started = time.perf_counter()
    for start in range(0, len(texts), 512):
        _, states = encoder.read(texts[start:start + 512], layer)
        for s in states:
            parts.append(s.astype(np.float16))
            offsets.append(offsets[-1] + len(s))
        print(f"\r  read {min(len(texts), start + 512)} of {len(texts)} replies "
              f"({time.perf_counter() - started:.0f} s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return np.concatenate(parts), np.array(offsets)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spoken", action="store_true", help="for transcripts, from the round trips")
    ap.add_argument("--layers", type=int, default=2, help="how many of the last layers to retrain (2 or 3)")
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--out", help="default: scenarios/heads/typed-tuned.npz, or spoken-tuned.npz")
    args = ap.parse_args()
    args.out = args.out or str(heads_folder() / (TUNED_SPOKEN if args.spoken else TUNED))
    if not 2 <= args.layers <= 3:
        sys.exit("--layers: 2 or 3 (the quick model file runs the first four layers and gives the output of the "
                 "third and fourth)")
    try:
        import jax
        import jax.numpy as jnp
        import optax
    except ImportError:
        sys.exit("this script needs JAX: pip install '.[tune]'")

    criteria = list(standard_criteria())
    rows = read_jsonl(corpus_file())
    if args.spoken:
        heard = read_jsonl(roundtrips_file())
        data = {"train": [(r["text"], r["labels"]) for r in learned_from(heard) if r["split"] == "train"]
                + [(as_transcript(r["text"]), r["labels"]) for r in rows if r["split"] == "train"],
                "validation": [(r["text"], r["labels"]) for r in
                               as_the_product_hears([r for r in heard if r["split"] == "validation"])]}
    else:
        data = {split: [(t, r["labels"]) for r in rows if r["split"] == split
                        for t in (r["text"], as_transcript(r["text"]))] for split in ("train", "validation")}
    reads = 6 - args.layers
    states = {split: read_states([t for t, _ in pairs], reads) for split, pairs in data.items()}
    wanted = {split: np.array([[c in labels for c in criteria] for _, labels in pairs], np.float32)
              for split, pairs in data.items()}

    def layer_norm(x, w, b):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / jnp.sqrt(var + 1e-12) * w + b

    def forward(params, x, mask, key=None, rate=0.0):
        batch, n, _ = x.shape
        size = HIDDEN // HEADS

        def split(t):
            return t.reshape(batch, n, HEADS, size).transpose(0, 2, 1, 3)

        for w in params["layers"]:
            def dense(t, name, w=w):
                return t @ w[name] + w[name + ".bias"]

            q, k, v = (split(dense(x, name)) for name in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + (1.0 - mask[:, None, None, :]) * -1e9
            attended = (jax.nn.softmax(scores, -1) @ v).transpose(0, 2, 1, 3).reshape(batch, n, HIDDEN)
            x = layer_norm(x + dense(attended, "attention_out"), w["norm1.weight"], w["norm1.bias"])
            h = jax.nn.gelu(dense(x, "intermediate"), approximate=False)
            x = layer_norm(x + dense(h, "output"), w["norm2.weight"], w["norm2.bias"])
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        pooled = pooled / jnp.linalg.norm(pooled, axis=-1, keepdims=True)
        if key is not None and rate > 0:
            keep = jax.random.bernoulli(key, 1 - rate, pooled.shape)
            pooled = jnp.where(keep, pooled / (1 - rate), 0)
        return pooled @ params["head"] + params["head_bias"]

    def batch_of(split, rows):
        flat, offsets = states[split]
        n = int(math.ceil(max(offsets[i + 1] - offsets[i] for i in rows) / 16) * 16)  # few shapes, few compilations
        x = np.zeros((len(rows), n, HIDDEN), np.float32)
        mask = np.zeros((len(rows), n), np.float32)
        for r, i in enumerate(rows):
            length = offsets[i + 1] - offsets[i]
            x[r, :length] = flat[offsets[i]:offsets[i + 1]]
            mask[r, :length] = 1
        return jnp.array(x), jnp.array(mask)

    prior = wanted["train"].mean(0)
    params = {"layers": [{k: jnp.array(v) for k, v in layer.items()} for layer in pretrained(args.layers)],
              "head": jnp.zeros((HIDDEN, len(criteria))), "head_bias": jnp.array(np.log(prior / (1 - prior)), jnp.float32)}
    size = 32
    steps = int(args.epochs * len(wanted["train"]) / size)

    def schedule(peak):
        return optax.warmup_cosine_decay_schedule(0.0, peak, max(1, steps // 10), steps)

    labels = {"layers": jax.tree.map(lambda _: "layers", params["layers"]), "head": "head", "head_bias": "head"}
    optimiser = optax.multi_transform({"layers": optax.adamw(schedule(8e-5), weight_decay=0.01),
                                       "head": optax.adamw(schedule(8e-5 * 40), weight_decay=0.0)}, labels)
    state = optimiser.init(params)

    def loss(params, x, mask, y, key):
        return optax.sigmoid_binary_cross_entropy(forward(params, x, mask, key, 0.1), y).mean()

    @jax.jit
    def step(params, state, x, mask, y, key):
        value, grads = jax.value_and_grad(loss)(params, x, mask, y, key)
        updates, state = optimiser.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    rng, key = np.random.default_rng(0), jax.random.PRNGKey(0)
    lengths = np.diff(states["train"][1])
    done, started = 0, time.perf_counter()
    while done < steps:
        # Shuffled, then sorted by length within runs of 50 batches, then the batches shuffled: little padding.
        order = rng.permutation(len(lengths))
        batches = []
        for run in (order[i:i + size * 50] for i in range(0, len(order), size * 50)):
            run = run[np.argsort(lengths[run], kind="stable")]
            batches += [run[i:i + size] for i in range(0, len(run), size)]
        rng.shuffle(batches)
        for rows in batches[:steps - done]:
            x, mask = batch_of("train", rows)
            key, sub = jax.random.split(key)
            params, state, value = step(params, state, x, mask, jnp.array(wanted["train"][rows]), sub)
            done += 1
            if done % 200 == 0:
                print(f"  step {done} of {steps}, loss {float(value):.4f} ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr, flush=True)

    layers = [{k: np.array(v) for k, v in layer.items()} for layer in params["layers"]]
    tuned = TunedLayers(criteria, layers, np.array(params["head"]), np.array(params["head_bias"]), SHARE)
    tuned.save(Path(args.out))
    tuned = TunedLayers.load(Path(args.out))  # scored as the product reads it: int8 matrices
    flat, offsets = states["validation"]
    probs = 1 / (1 + np.exp(-np.array([tuned.logits(flat[offsets[i]:offsets[i + 1]])
                                         for i in range(len(offsets) - 1)])))
    f1s = []
    for j, c in enumerate(criteria):
        y = wanted["validation"][:, j] > 0
        f1s.append(max(2 * np.sum((probs[:, j] >= t) & y) / max(1, np.sum(probs[:, j] >= t) + y.sum())
                       for t in np.arange(0.1, 0.95, 0.05)))
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s; "
          f"validation macro-F1 of the layers alone, each at its best threshold: {np.mean(f1s):.3f}")
    for c, f in zip(criteria, f1s):
        print(f"  {c:<22} {f:.3f}")


if __name__ == "__main__":
    main()
