"""A language model for these conversations, for PocketSphinx.

The generic en-us model does not expect what trainees say ("bring my
supervisor onto the call" came back as "the supervisor on the fall"). This
builds a trigram model of the conversations from

- the reply corpus's train split (`scenarios/corpus/replies.jsonl`; never the
  validation or test split),
- the criteria's examples and phrases (phrase patterns expanded into word
  sequences), and
- every scenario's own words (the customer's lines, the briefing: refund,
  engineer, invoice...), in the shipped folder and any the coach added,

with interpolated Kneser-Ney discounting, and mixes it with the generic model
that ships inside the pocketsphinx package: for every n-gram of either model
p = λ·p_domain + (1-λ)·p_generic (each with its own back-off), back-off
weights recomputed so the mixture is a proper back-off model. Speech outside
the script is still heard through the generic part.

Words not in the pronouncing dictionary (cmudict-en-us) cannot be recognised
and are left out (a sentence is split where one was). The result is written
as a binary model in the cache folder, named by a hash of every input (the
texts, λ, the generic model's size and time stamp, this builder's version):
built at first use in a background process (~30 s on two cores; that first
session is heard with the generic model), reused while nothing changes,
rebuilt when a scenario or the corpus does. SIMULATOR_DOMAIN_LM=0 turns it
off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = 1
DOMAIN_WEIGHT = 0.5  # λ, chosen on the validation split: tests/bench/bench_domain_lm.py
ENV_SWITCH = "SIMULATOR_DOMAIN_LM"  # "0" turns the domain model off, "1" on; unset: DEFAULT_ON
DEFAULT_ON = True  # it helped on both voices: tests/bench/bench_domain_lm.py, README "## Voice"

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
LOG0 = -99.0


def pocketsphinx_model_dir() -> Path:
    import pocketsphinx
    return Path(pocketsphinx.get_model_path()) / "en-us"


def generic_lm_file() -> Path:
    return pocketsphinx_model_dir() / "en-us.lm.bin"


def dictionary_file() -> Path:
    return pocketsphinx_model_dir() / "cmudict-en-us.dict"


def enabled() -> bool:
    value = os.environ.get(ENV_SWITCH, "").strip().lower()
    if value in ("0", "off", "no", "false"):
        return False
    if value in ("1", "on", "yes", "true"):
        return True
    return DEFAULT_ON


# ---------------------------------------------------------------- the texts

def _expand(pattern: str, words: dict[str, list[str]], rng: random.Random) -> str:
    """One word sequence a criteria phrase pattern matches: a random choice at each (a|b), '...' and '*' dropped."""
    text = pattern.replace("^", " ").replace("$", " ").replace("...", " ").replace("*", " ")
    for _ in range(10):
        new = re.sub(r"\(([^()]*)\)", lambda m: rng.choice(m.group(1).split("|")), text)
        if new == text:
            break
        text = new
    text = re.sub(r"@(\w+)", lambda m: rng.choice(words.get(m.group(1)) or [""]), text)
    return text


def _strings(node) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def domain_texts(scenarios: Path | None = None, extra_folders: Sequence[Path] | None = None) -> list[str]:
    """Every text the domain model is built from, in a fixed order (the cache key hashes them)."""
    import yaml
    from ..paths import shipped_scenarios
    folder = Path(scenarios) if scenarios else shipped_scenarios()
    if extra_folders is None:
        from ..settings import coach_folders  # their words join the model: a coach's new scenario rebuilds it
        extra_folders = coach_folders() if scenarios is None else []
    texts: list[str] = []
    corpus = folder / "corpus" / "replies.jsonl"
    if corpus.exists():
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("split") == "train":  # validation and test stay unseen
                    texts.append(row["text"])
    criteria = folder / "criteria.yaml"
    if criteria.exists():
        data = yaml.safe_load(criteria.read_text(encoding="utf-8")) or {}
        words = {k: [str(v).rstrip("*") for v in vs] for k, vs in (data.get("words") or {}).items()}
        rng = random.Random(18)
        for criterion in data.get("criteria") or []:
            texts.extend(str(e) for e in criterion.get("examples") or [])
            for key in ("phrases", "spoken"):
                for pattern in criterion.get(key) or []:
                    texts.extend(_expand(str(pattern), words, rng) for _ in range(3))
    for place in [folder, *map(Path, extra_folders)]:
        for path in sorted(place.glob("*.yaml")) if place.is_dir() else ():
            if path.name == "criteria.yaml":
                continue
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            texts.extend(s for s in _strings(data) if " " in s.strip())
    return texts


def dictionary_words(path: Path | None = None) -> set[str]:
    words = set()
    with open(path or dictionary_file(), encoding="utf-8") as f:
        for line in f:
            words.add(line.split(" ", 1)[0].split("(", 1)[0])
    return words


def sentences(texts: Iterable[str], vocabulary: set[str]) -> list[list[str]]:
    """Texts as word lists: lower case, split into sentences, and again at any word with no pronunciation."""
    out: list[list[str]] = []
    for text in texts:
        text = text.lower().replace("’", "'").replace("‘", "'")
        for part in re.split(r"[.!?;:\n]+", text):
            run: list[str] = []
            for word in _WORD.findall(part):
                if word in vocabulary:
                    run.append(word)
                elif run:
                    out.append(run)
                    run = []
            if run:
                out.append(run)
    return out


# ---------------------------------------------------------------- the domain model

def kneser_ney(sents: list[list[str]]) -> dict[int, dict[tuple[str, ...], tuple[float, float]]]:
    """An interpolated Kneser-Ney trigram model: order -> {ngram: (log10 p, log10 back-off weight)}."""
    from math import log10
    real3: dict[tuple, int] = defaultdict(int)
    raw2: dict[tuple, int] = defaultdict(int)
    for s in sents:
        padded = ["<s>", *s, "</s>"]
        for i in range(1, len(padded)):
            raw2[(padded[i - 1], padded[i])] += 1
            if i >= 2:
                real3[(padded[i - 2], padded[i - 1], padded[i])] += 1
    # Bigrams: continuation counts (how many different words precede them), raw counts after <s>.
    c2: dict[tuple, int] = {k: c for k, c in raw2.items() if k[0] == "<s>"}
    for (u, v, w) in real3:
        c2[(v, w)] = c2.get((v, w), 0) + 1  # v is never <s> here
    c1: dict[str, int] = defaultdict(int)
    for (v, w) in c2:
        c1[w] += 1
    vocab = sorted(set(c1) | {"<s>"})

    def discount(counts: Iterable[int]) -> float:
        counts = list(counts)
        n1 = sum(1 for c in counts if c == 1)
        n2 = sum(1 for c in counts if c == 2)
        return n1 / (n1 + 2 * n2) if n1 and n2 else 0.5

    d3, d2 = discount(real3.values()), discount(c2.values())
    total1 = sum(c1.values())
    p1 = {w: c1.get(w, 0) / total1 for w in vocab}
    # Give words that never end a bigram (only <s>) nothing; spread a little mass uniformly so all words are possible.
    uniform = 1 / len(vocab)
    p1 = {w: 0.99 * p + 0.01 * uniform for w, p in p1.items()}
    p1["<s>"] = 0.0

    def by_history(counts: dict[tuple, int]) -> dict[tuple, list[tuple[str, int]]]:
        groups: dict[tuple, list] = defaultdict(list)
        for key, c in counts.items():
            groups[key[:-1]].append((key[-1], c))
        return groups

    p2: dict[tuple, float] = {}
    bow1: dict[str, float] = {}
    for (v,), items in by_history(c2).items():
        total = sum(c for _, c in items)
        gamma = d2 * len(items) / total
        bow1[v] = gamma
        for w, c in items:
            p2[(v, w)] = max(c - d2, 0) / total + gamma * p1[w]
    p3: dict[tuple, float] = {}
    bow2: dict[tuple, float] = {}
    for (u, v), items in by_history(real3).items():
        total = sum(c for _, c in items)
        gamma = d3 * len(items) / total
        bow2[(u, v)] = gamma

        def lower(w: str) -> float:
            return p2.get((v, w), bow1.get(v, 1.0) * p1[w])
        for w, c in items:
            p3[(u, v, w)] = max(c - d3, 0) / total + gamma * lower(w)

    def lg(x: float) -> float:
        return log10(x) if x > 0 else LOG0
    model = {1: {(w,): (lg(p1[w]), lg(bow1.get(w, 1.0))) for w in vocab},
             2: {k: (lg(p), lg(bow2.get(k, 1.0))) for k, p in p2.items()},
             3: {k: (lg(p), 0.0) for k, p in p3.items()}}
    return model


# ---------------------------------------------------------------- reading and mixing, with NumPy

class _Arrays:
    """A back-off trigram model over a shared vocabulary: per order, sorted int64 keys, log10 p and back-off."""

    def __init__(self, size: int) -> None:
        import numpy as np
        self.size = size
        self.keys = {n: np.zeros(0, np.int64) for n in (1, 2, 3)}
        self.logp = {n: np.zeros(0) for n in (1, 2, 3)}
        self.bow = {n: np.zeros(0) for n in (1, 2, 3)}

    def encode(self, ids):
        key = ids[:, 0].astype("int64")
        for k in range(1, ids.shape[1]):
            key = key * self.size + ids[:, k]
        return key

    def set(self, n: int, keys, logp, bow) -> None:
        import numpy as np
        order = np.argsort(keys, kind="stable")
        self.keys[n], self.logp[n], self.bow[n] = keys[order], logp[order], bow[order]

    def find(self, n: int, keys):
        import numpy as np
        table = self.keys[n]
        idx = np.searchsorted(table, keys)
        idx = np.minimum(idx, max(len(table) - 1, 0))
        found = (table[idx] == keys) if len(table) else np.zeros(len(keys), bool)
        return found, idx

    def logprob(self, ids):
        """log10 p(last word | the others), backing off as the ARPA format says; LOG0 for impossible words."""
        import numpy as np
        n = ids.shape[1]
        found, idx = self.find(n, self.encode(ids))
        out = np.full(len(ids), LOG0)
        out[found] = self.logp[n][idx[found]]
        if n > 1:
            miss = ~found
            if miss.any():
                hfound, hidx = self.find(n - 1, self.encode(ids[miss, :-1]))
                bow = np.where(hfound, self.bow[n - 1][hidx], 0.0)
                out[miss] = np.maximum(bow + self.logprob(ids[miss, 1:]), LOG0)
        return out


def _bit_fields(mem, offsets, nbits: int):
    """Little-endian bit fields of up to 32 bits at the given bit offsets (as lm_trie's bitarr reads them)."""
    import numpy as np
    at = offsets >> 3
    value = np.zeros(len(offsets), np.uint64)
    for k in range(5):
        value |= mem[at + k].astype(np.uint64) << np.uint64(8 * k)
    return ((value >> (offsets & 7).astype(np.uint64)) & np.uint64((1 << nbits) - 1)).astype(np.int64)


def read_trie_lm(path: Path):
    """A PocketSphinx binary trie trigram model (en-us.lm.bin) read with NumPy: (words, {order: (ids, log10 p, bow)}).

    pocketsphinx 5.1.1 cannot write this model as ARPA (its header counts six bigrams more than its trie holds,
    and the ARPA writer crashes on them: cmusphinx/pocketsphinx#502), so the trie is read here, as lm_trie.c
    lays it out: the words of an n-gram stored last word first, probabilities in 16-bit quantised bins.
    """
    import numpy as np
    raw = Path(path).read_bytes()
    header = b"Trie Language Model"
    if not raw.startswith(header) or raw[len(header)] != 3:
        raise ValueError(f"{path} is not a trigram trie model")
    pos = len(header) + 1
    counts = [int(c) for c in np.frombuffer(raw, "<u4", 3, pos)]
    pos += 12 + 4  # the counts, then what was once the quantisation type
    q = 1 << 16
    tables = np.frombuffer(raw, "<f4", 3 * q, pos).astype(np.float64)
    pos += 12 * q
    mid_prob, mid_bow, long_prob = tables[:q], tables[q:2 * q], tables[2 * q:]
    n1 = counts[0]
    unigrams = np.frombuffer(raw, np.dtype([("p", "<f4"), ("b", "<f4"), ("next", "<u4")]), n1 + 1, pos)
    pos += 12 * (n1 + 1)
    word_bits, next_bits = n1.bit_length(), counts[2].bit_length()
    mid_total, long_total = word_bits + 32 + next_bits, word_bits + 16
    mid_size = ((1 + counts[1]) * mid_total + 7) // 8 + 8
    long_size = ((1 + counts[2]) * long_total + 7) // 8 + 8
    middle = np.frombuffer(raw, np.uint8, mid_size, pos)
    longest = np.frombuffer(raw, np.uint8, long_size, pos + mid_size)
    pos += mid_size + long_size
    size = int(np.frombuffer(raw, "<i4", 1, pos)[0])
    words = [w.decode("utf-8", "replace") for w in raw[pos + 4:pos + 4 + size].split(b"\0")[:n1]]
    to_log10 = np.log10(1.0001)  # the trie holds logs in base 1.0001
    starts = unigrams["next"].astype(np.int64)
    n2 = int(starts[-1])  # what the trie holds, not the header
    at = np.arange(n2 + 1, dtype=np.int64) * mid_total
    prev2 = _bit_fields(middle, at, word_bits)[:n2]
    bow2 = mid_bow[_bit_fields(middle, at + word_bits, 16)[:n2]] * to_log10
    p2 = mid_prob[_bit_fields(middle, at + word_bits + 16, 16)[:n2]] * to_log10
    next2 = _bit_fields(middle, at + word_bits + 32, next_bits)
    last2 = np.repeat(np.arange(n1, dtype=np.int64), np.diff(starts))
    n3 = int(next2[n2])
    at = np.arange(n3, dtype=np.int64) * long_total
    first3 = _bit_fields(longest, at, word_bits)
    p3 = long_prob[_bit_fields(longest, at + word_bits, 16)] * to_log10
    parent = np.repeat(np.arange(n2, dtype=np.int64), np.diff(next2))
    grams = {
        1: (np.arange(n1, dtype=np.int64).reshape(-1, 1), unigrams["p"][:n1] * to_log10,
            unigrams["b"][:n1] * to_log10),
        2: (np.stack([prev2, last2], axis=1), p2, bow2),
        3: (np.stack([first3, prev2[parent], last2[parent]], axis=1), p3, np.zeros(n3)),
    }
    for n in (1, 2, 3):  # the trie's "impossible" is a very large negative number
        ids, p, b = grams[n]
        grams[n] = (ids, np.maximum(p, LOG0), np.maximum(b, LOG0))
    return words, grams


def mix(generic_words: list[str], generic: dict, domain: dict, weight: float):
    """Static interpolation of two back-off trigram models; returns (words, {order: (ids, log10 p, log10 bow)})."""
    import numpy as np
    vocab = {w: i for i, w in enumerate(generic_words)}
    for (w,) in domain[1]:
        vocab.setdefault(w, len(vocab))
    words = sorted(vocab, key=vocab.get)
    size = len(words)
    g, d = _Arrays(size), _Arrays(size)
    for n in (1, 2, 3):
        ids, p, b = generic[n]
        g.set(n, g.encode(ids.astype(np.int64)), p.astype(float), b.astype(float))
        items = list(domain[n].items())
        dids = np.array([[vocab[w] for w in k] for k, _ in items], np.int64).reshape(-1, n)
        d.set(n, d.encode(dids), np.array([v[0] for _, v in items]), np.array([v[1] for _, v in items]))
    def decode(keys, n):
        return np.stack([(keys // (size ** (n - 1 - k))) % size for k in range(n)], axis=1)

    union = {n: np.union1d(g.keys[n], d.keys[n]) for n in (1, 2, 3)}
    logp: dict[int, np.ndarray] = {}
    for n in (1, 2, 3):
        ids = decode(union[n], n)
        lg, ld = g.logprob(ids), d.logprob(ids)
        pg = np.where(lg <= LOG0, 0.0, np.power(10.0, lg))
        pd = np.where(ld <= LOG0, 0.0, np.power(10.0, ld))
        p = weight * pd + (1 - weight) * pg
        logp[n] = np.where(p > 0, np.log10(np.maximum(p, 1e-300)), LOG0)
    mixed = _Arrays(size)
    mixed.set(1, union[1], logp[1], np.zeros(len(union[1])))
    mixed.set(2, union[2], logp[2], np.zeros(len(union[2])))
    mixed.set(3, union[3], logp[3], np.zeros(len(union[3])))
    # Back-off weights, order 1 then 2: what the explicit successors leave, over what the lower order gives them.
    for n in (1, 2):
        successors = union[n + 1]
        ids = decode(successors, n + 1)
        context = mixed.encode(ids[:, :-1])
        found, idx = mixed.find(n, context)
        p_here = np.power(10.0, logp[n + 1])
        p_lower = np.power(10.0, mixed.logprob(ids[:, 1:]))
        left = 1.0 - np.bincount(idx, weights=p_here, minlength=len(union[n]))
        lower_left = 1.0 - np.bincount(idx, weights=p_lower, minlength=len(union[n]))
        has = np.bincount(idx, minlength=len(union[n])) > 0
        bow = np.zeros(len(union[n]))
        ok = has & (left > 1e-9) & (lower_left > 1e-9)
        bow[ok] = np.log10(left[ok] / lower_left[ok])
        bow[has & ~ok] = LOG0
        mixed.bow[n] = bow
        assert found.all()
    return words, {n: (decode(mixed.keys[n], n), mixed.logp[n], mixed.bow[n]) for n in (1, 2, 3)}


def write_arpa(path: Path, words: list[str], grams: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("\\data\\\n")
        for n in (1, 2, 3):
            f.write(f"ngram {n}={len(grams[n][1])}\n")
        for n in (1, 2, 3):
            ids, logp, bow = grams[n]
            f.write(f"\n\\{n}-grams:\n")
            for at in range(0, len(ids), 200_000):
                part = slice(at, at + 200_000)
                names = [" ".join([words[i] for i in row]) for row in ids[part].tolist()]
                if n < 3:
                    f.writelines(f"{p:.4f}\t{name}\t{b:.4f}\n"
                                 for p, name, b in zip(logp[part].tolist(), names, bow[part].tolist()))
                else:
                    f.writelines(f"{p:.4f}\t{name}\n" for p, name in zip(logp[part].tolist(), names))
        f.write("\n\\end\\\n")


# ---------------------------------------------------------------- building and caching

def inputs_key(texts: Sequence[str], weight: float) -> str:
    source = generic_lm_file()
    size = source.stat().st_size
    h = hashlib.sha256()
    # The generic model by its size and its two ends, not its time stamp: a built app's copy of it has a new one,
    # and the model made at build time must still be found.
    with open(source, "rb") as f:
        head = f.read(1 << 16)
        f.seek(max(0, size - (1 << 16)))
        tail = f.read()
    h.update(f"v{VERSION} w{weight} {source.name} {size}\n".encode() + head + tail)
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:20]


def lm_folder() -> Path:
    from ..store.location import cache_dir
    return cache_dir() / "domain-lm"


def shipped_folder() -> Path:
    """Where a built app carries the model made at build time (build.spec), for the shipped scenarios."""
    from ..paths import resource_dir
    return resource_dir("models") / "domain-lm"


def build(texts: Sequence[str] | None = None, weight: float = DOMAIN_WEIGHT, folder: Path | None = None,
          mixed: bool = True) -> Path:
    """The mixed model for these texts: from the cache when its inputs are unchanged, else built now."""
    from pocketsphinx import Config, LogMath, NGramModel
    texts = list(domain_texts() if texts is None else texts)
    if folder is None and mixed:
        found = cached_model(texts, weight)  # the user's cache, or the one a built app carries
        if found is not None:
            return found
    folder = Path(folder) if folder else lm_folder()
    folder.mkdir(parents=True, exist_ok=True)
    key = inputs_key(texts, weight if mixed else -1.0)
    target = folder / f"domain-{key}.lm.bin"
    if target.exists():
        return target
    for stale in folder.glob("tmp*"):  # left by a builder that was stopped (its process exited first)
        if stale.is_dir() and time.time() - stale.stat().st_mtime > 600:
            shutil.rmtree(stale, ignore_errors=True)
    domain = kneser_ney(sentences(texts, dictionary_words()))
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        arpa = Path(tmp) / "mixed.arpa"
        if mixed:
            generic_words, generic = read_trie_lm(generic_lm_file())
            words, grams = mix(generic_words, generic, domain, weight)
            write_arpa(arpa, words, grams)
            del grams, generic
        else:
            _write_domain_only(arpa, domain)
        config = Config()
        config["logfn"] = os.devnull
        partial = Path(tmp) / "mixed.lm.bin"
        NGramModel(config, LogMath(), str(arpa)).write(str(partial), NGramModel.str_to_type("bin"))
        partial.replace(target)
    for old in folder.glob("domain-*.lm.bin"):  # one model is enough: drop those of earlier inputs
        if old != target:
            old.unlink(missing_ok=True)
    return target


def _write_domain_only(path: Path, domain: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("\\data\\\n")
        for n in (1, 2, 3):
            f.write(f"ngram {n}={len(domain[n])}\n")
        for n in (1, 2, 3):
            f.write(f"\n\\{n}-grams:\n")
            for k, (p, b) in sorted(domain[n].items()):
                f.write(f"{p:.4f}\t{' '.join(k)}\t{b:.4f}\n" if n < 3 else f"{p:.4f}\t{' '.join(k)}\n")
        f.write("\n\\end\\\n")


_background: list = []  # the builder process started by this process, if any


def cached_model(texts: Sequence[str] | None = None, weight: float = DOMAIN_WEIGHT,
                 folder: Path | None = None) -> Path | None:
    """The model for the current inputs when it has been built, else None."""
    texts = list(domain_texts() if texts is None else texts)
    name = f"domain-{inputs_key(texts, weight)}.lm.bin"
    places = [Path(folder)] if folder else [lm_folder(), shipped_folder()]
    return next((p / name for p in places if (p / name).exists()), None)


def _build_quietly() -> None:
    """The background builder: lowest priority, so a session going on meanwhile keeps its speed."""
    try:
        os.nice(19)
    except (AttributeError, OSError):
        pass
    try:
        build()
    except Exception as exc:  # noqa: BLE001 - the next session tries again and says why
        log.warning("building the conversation language model failed: %s", exc)


def start_background_build() -> bool:
    """Build the model in a child process (~30 s, ~0.8 GB at its peak), once per process; False if it could not
    start. It dies with this process: a short command that exits first leaves the build to a later one."""
    if any(p.is_alive() for p in _background):
        return True
    import multiprocessing
    process = multiprocessing.get_context("spawn").Process(target=_build_quietly, name="domain-lm", daemon=True)
    process.start()
    _background.append(process)
    return True


def domain_lm(notify=None, missing: str = "background") -> Path | None:
    """The domain model to load, or None: the generic model is used then.

    None when the model is switched off; when it is not built yet (missing="background" starts building it for
    the next session, "now" builds it here, "never" does neither); and when building fails, with a notice
    (never an exception: recognition goes on with the generic model).
    """
    if not enabled():
        return None
    try:
        if missing == "now":
            return build()
        found = cached_model()
        if found is not None or missing == "never":
            return found
        start_background_build()
        if notify:
            notify("The recogniser's model of these conversations is being prepared (about half a minute, once); "
                   "PocketSphinx uses it from the next session.")
        return None
    except Exception as exc:  # noqa: BLE001 - recognition must go on with the generic model
        message = f"The conversation language model could not be used ({type(exc).__name__}: {exc}); " \
                  "the generic English model is used."
        log.warning(message)
        if notify:
            notify(message)
        return None


if __name__ == "__main__":  # prebuild, for example at install: python -m simulator.speech.domainlm
    print(build())
