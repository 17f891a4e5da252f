"""The product's detector: the criteria's phrase rules together with the learned heads.

One place builds it, for the app, the terminal, rescoring and `simulator
classify` alike, so a reply gets the same verdict everywhere (a bulk
`classify` lets the sentence model skip replies the other heads are sure
of, `sure`, unless `--exact`; its version says so). The heads
shipped in scenarios/heads/ were trained for the standard criteria; a
criterion they have no head for (a coach's own) is decided by its rules
alone. `version` names everything that decided a verdict, and every score
records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import threading
from pathlib import Path

from ..paths import resource_dir
from ..scenario.model import Criterion
from .detect import Match, PhraseDetector, refused_act
from .contextual import ContextualEmbedder, load_encoder
from .embedding import load_embedder
from .hearing import english_words
from .learned import Heads, LearnedDetector
from .tuned import TunedLayers

TYPED, SPOKEN = "typed.npz", "spoken.npz"
REFINE = "typed-minilm.npz"  # typed heads that also read the sentence model (contextual.py)
TUNED = "typed-tuned.npz"  # the sentence model's last layers retrained, averaged with them (tuned.py)
TUNED_SPOKEN = "spoken-tuned.npz"  # the same for transcripts, averaged with the spoken heads
# `simulator classify` (its default; not `--exact`): how far (log-odds) from every line the heads without the sentence model must be to
# decide a reply alone. On the validation split (bench_classify.py) 2 leaves 27-30 % of typed replies to the model,
# 2.6 times the replies a second (bench_classify, 515 against 199), at macro-F1 0.940 typed and 0.936 chat-style against 0.945 and 0.942 when the model
# reads every reply (1.5: 0.936, 0.934; 3: 0.943, 0.939 at 1.9 times); transcripts, whose heads are less often
# sure, gain a tenth.
SURE = 2.0


def heads_folder() -> Path:
    return resource_dir("scenarios") / "heads"


class CombinedDetector:
    """A criterion is met when its head is confident enough, or when a rule
    matches and the head does not rule it out (the heads learned the near
    misses, "calling me an idiot is not okay", that a phrase cannot tell
    apart). A rule's match is quoted as the rule found it; a head's alone
    quotes its best sentence and, in the uncertain band, is marked uncertain.
    """

    def __init__(self, criteria: Mapping[str, Criterion], learned: LearnedDetector | None, notice: str = "",
                 sure: float | None = None) -> None:
        """`sure`: the sentence model reads only replies the heads without it are unsure of (LearnedDetector.assess);
        None, as in a session, has it read every reply it reads at all."""
        self.rules = PhraseDetector(criteria)
        self.learned = learned
        self._ids = set(criteria)
        self.notice = notice
        self.sure = sure if learned is not None and learned.contextual is not None else None
        parts = ["rules"]
        if learned is not None:
            parts += [learned.typed.version, learned.spoken.version, learned.embedder.version]
            if learned.refine is not None:
                parts += [learned.refine.version, learned.contextual.encoder.version]
                parts += [t.version for t in (learned.contextual.tuned, learned.contextual.tuned_spoken) if t is not None]
        if self.sure is not None:
            parts.append(f"sure{self.sure:g}")
        self.version = "+".join(parts)

    def detect(self, text: str, *, spoken: bool = False,
               confidences: Sequence[float] | None = None) -> list[Match]:
        ruled, negated = self.rules.read(text, spoken=spoken, confidences=confidences)
        if self.learned is None:
            return ruled
        heads, probs, where = self.learned.assess(text, spoken=spoken, ruled={m.criterion for m in ruled},
                                                  sure=self.sure)
        veto = dict(zip(heads.criteria, heads.veto))
        found = {m.criterion: m for m in ruled if m.criterion not in probs or probs[m.criterion] >= veto[m.criterion]}
        for m in self.learned.matches(text, probs, where, spoken=spoken, confidences=confidences, heads=heads):
            if m.criterion in self._ids and m.criterion not in found and not _refused(text, m, negated):
                found[m.criterion] = m
        return sorted(found.values(), key=lambda m: (m.start, m.criterion))


def _refused(text: str, m: Match, negated: Mapping[str, list[tuple[int, int]]]) -> bool:
    """A head's verdict whose quote holds its criterion's phrase, set aside by the rule as negated, where the
    trainee says they will not do it: "I'm not going to end the call" is not announcing the end (the heads weigh
    "end the call" and miss the "not"). Only a first-person "not" leading into the act counts: "that isn't ok
    this conversation is over" and "we're not carrying on, I'm ending the call" still end it."""
    return any(start < m.end and end > m.start and refused_act(text, start, end)
               for start, end in negated.get(m.criterion, ()))


def build_detector(criteria: Mapping[str, Criterion], folder: Path | None = None,
                   in_context: bool = True, sure: float | None = None) -> CombinedDetector:
    """Rules and heads for a criteria library; rules alone, with a notice, where the heads cannot run.

    Runs on a worker (it takes most of a second): it also reads the dictionary the typo repair needs, so the
    trainee's first typed reply does not pay for it. `in_context=False` leaves the sentence model out: ten
    times the replies a second for bulk jobs, at validation macro-F1 0.920 instead of 0.946 typed (and 0.613
    instead of 0.621 spoken: the layers retrained on transcripts are left out too, the spoken heads keeping
    thresholds chosen for them alone). `sure` (`simulator classify` by default, SURE): the model reads only the
    replies the heads without it are unsure of.
    """
    english_words()
    learned, notice = _learned(folder or heads_folder(), in_context)
    return CombinedDetector(criteria, learned, notice, sure)


_loaded: dict[tuple, tuple[LearnedDetector | None, str]] = {}
_lock = threading.Lock()


def _learned(folder: Path, in_context: bool = True) -> tuple[LearnedDetector | None, str]:
    """The heads and word vectors, read once per version of their files: every criteria set (the library, and
    each scenario with criteria of its own) shares them instead of loading 23 MB of vectors again."""
    typed_path, spoken_path, refine_path = folder / TYPED, folder / SPOKEN, folder / REFINE
    paths = (typed_path, spoken_path, refine_path if in_context else None)
    key = (str(folder), *(p.stat().st_mtime_ns if p and p.is_file() else None for p in (*paths, folder / TUNED, folder / TUNED_SPOKEN)))
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(*paths)
        return _loaded[key]


def _load(typed_path: Path, spoken_path: Path, refine_path: Path | None = None) -> tuple[LearnedDetector | None, str]:
    if not typed_path.is_file():
        return None, ("The learned detector is not installed, so replies are scored by the phrase rules alone. "
                      "Run `simulator train` to fit it.")
    embedder = load_embedder()
    if embedder is None:
        return None, ("The word vectors the learned detector needs are not installed, so replies are scored by "
                      "the phrase rules alone. Run `simulator train --embeddings` (scripts/setup.sh does this).")
    typed = Heads.load(typed_path)
    spoken = Heads.load(spoken_path) if spoken_path.is_file() else None
    notice = ""
    if typed.embedder_version != embedder.version:
        notice = ("The installed word vectors differ from the ones the learned detector was trained with; "
                  "run `simulator train` to refit it.")
    refine, contextual = None, None
    if refine_path is not None and refine_path.is_file():
        encoder = load_encoder()
        if encoder is None:
            notice = notice or ("The sentence model is not installed, so typed replies are scored without it (a little "
                                "less accurately). Run `simulator train --embeddings` (scripts/setup.sh does this).")
        else:
            tuned_path = refine_path.with_name(TUNED)
            tuned = TunedLayers.load(tuned_path) if tuned_path.is_file() else None
            spoken_tuned_path = refine_path.with_name(TUNED_SPOKEN)
            contextual = ContextualEmbedder(embedder, encoder, tuned,
                                            TunedLayers.load(spoken_tuned_path) if spoken_tuned_path.is_file() else None)
            refine = Heads.load(refine_path)
            if tuned is not None and contextual.tuned is None:
                notice = ("The installed sentence model was derived by an earlier version and does not give what "
                          "the retrained layers read, so typed replies are scored without them. Run `simulator "
                          "train --embeddings` (scripts/setup.sh does this).")
            elif refine.embedder_version != contextual.version:
                notice = ("The installed sentence model differs from the one the learned detector was trained with; "
                          "run `simulator train` to refit it.")
    learned = LearnedDetector(typed, spoken, embedder, refine, contextual)
    if contextual is not None and not notice and any(
            contextual.tuned_for(kind) is not None and not learned.averaged[kind] for kind in (False, True)):
        notice = ("The retrained layers of the sentence model differ from the ones the heads' thresholds were chosen "
                  "with, so the heads decide alone; run `simulator train` to choose them again.")
    return learned, notice
