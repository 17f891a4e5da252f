"""`simulator train`: refit the learned heads, make the word vectors, measure the recogniser's confusions."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from ..errors import SimulatorError
from ..scenario import standard_criteria


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="refit the learned detector from the reply corpus and the criteria's examples",
        description="Fit one head per criterion (typed and spoken) from the labelled reply corpus and every "
                    "criterion's examples, choose the threshold on the validation split and write the heads "
                    "beside the criteria. A criterion with too few examples keeps its phrase rules alone. "
                    "Needs scikit-learn: pip install '.[train]'.")
    p.add_argument("--criteria", metavar="FILE", help="a criteria library (default: the shipped one)")
    p.add_argument("--corpus", metavar="FILE", help="labelled replies, JSON lines (default: scenarios/corpus/replies.jsonl)")
    p.add_argument("--roundtrips", metavar="FILE",
                   help="the corpus as the recogniser heard it (default: scenarios/corpus/roundtrips.jsonl.gz; plain JSON lines are read too)")
    p.add_argument("--out", metavar="DIR",
                   help="where the heads go (default: scenarios/heads, where the app reads them)")
    p.add_argument("--quick", action="store_true",
                   help="fit less closely: about a third quicker, validation macro-F1 up to 0.01 lower (for trying "
                        "out new examples; fit the heads you ship without it)")
    p.add_argument("--fresh", action="store_true",
                   help="fit from zero instead of beginning from the heads already in the output folder (the "
                        "result is the same to within the fit's tolerance; beginning from them took a third of the time here)")
    p.add_argument("--embeddings", action="store_true",
                   help="only make the static word vectors from the installed all-MiniLM-L6-v2 weights")
    p.add_argument("--confusions", action="store_true",
                   help="only measure the recogniser's word confusions from the round trips")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.embeddings:
        return _embeddings()
    if args.confusions:
        return _confusions(args)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise SimulatorError("training needs scikit-learn, which is not installed",
                             "pip install '.[train]' (or scripts/setup.sh test, which installs it)") from None
    from ..scoring.detect import PhraseDetector
    from ..scoring.detector import TUNED, TUNED_SPOKEN, heads_folder
    from ..scoring.tuned import TunedLayers
    from ..scoring.contextual import ContextualEmbedder, load_encoder
    from ..scoring.embedding import load_embedder
    from ..scoring.training import FIT_TOL, QUICK_FIT_TOL, train
    from ..store.location import cache_dir

    criteria = standard_criteria(args.criteria)
    embedder = load_embedder()
    if embedder is None:
        raise SimulatorError("the word vectors are not installed", "run `simulator train --embeddings` first")
    out = Path(args.out) if args.out else heads_folder()
    started = time.perf_counter()
    encoder = load_encoder(threads=os.cpu_count() or 1)
    if encoder is None:
        print("notice: the sentence model is not installed (simulator train --embeddings); "
              "fitting the heads that do without it only", file=sys.stderr)
    # The retrained layers are not fitted here (scripts/tune_sentence_model.py; it takes JAX and about 20 minutes);
    # the heads' thresholds are chosen on their scores averaged with its, as the detector will average them.
    # Layers already in the output folder (scripts/tune_sentence_model.py --out) are the ones it keeps.
    tuned = {name: TunedLayers.load(folder / name) for name in (TUNED, TUNED_SPOKEN)
             for folder in ((out,) if (out / name).is_file() else (heads_folder(),)) if (folder / name).is_file()}
    report = train(criteria, embedder, PhraseDetector(criteria),
                   contextual=ContextualEmbedder(embedder, encoder, tuned.get(TUNED), tuned.get(TUNED_SPOKEN))
                   if encoder else None,
                   vector_cache=cache_dir() / "sentence-vectors",
                   corpus=Path(args.corpus) if args.corpus else None,
                   roundtrips=Path(args.roundtrips) if args.roundtrips else None,
                   say=lambda s: print(s, file=sys.stderr), tol=QUICK_FIT_TOL if args.quick else FIT_TOL,
                   start=None if args.fresh else _heads_in(out))
    out.mkdir(parents=True, exist_ok=True)
    for source, heads in report.heads.items():
        heads.save(out / f"{source}.npz")
    if encoder is not None and out.resolve() != heads_folder().resolve():
        for name in tuned:  # the layers the thresholds were chosen with go beside the heads
            if not (out / name).is_file():
                shutil.copyfile(heads_folder() / name, out / name)
    for line in report.lines():
        print(line)
    print(f"heads written to {out} in {time.perf_counter() - started:.1f} s")
    return 0


def _heads_in(folder: Path) -> dict:
    """The heads a folder already holds, by source: where the solver begins. One that cannot be read is left out."""
    from ..scoring.detector import TUNED, TUNED_SPOKEN
    from ..scoring.learned import Heads

    found = {}
    for path in sorted(folder.glob("*.npz")):
        if path.name.endswith(".part.npz") or path.name in (TUNED, TUNED_SPOKEN):  # a stopped save; not heads
            continue
        try:
            found[path.stem] = Heads.load(path)
        except Exception:  # noqa: BLE001 - a damaged file (BadZipFile, EOFError, ...) is only a slower start
            print(f"notice: {path} could not be read; those heads are fitted from zero", file=sys.stderr)
    return found


def _embeddings() -> int:
    from ..scoring.embedding import build_static_vectors, default_folder, load_embedder

    from ..scoring.contextual import default_folder as sentence_folder
    from ..scoring.contextual import install_model, load_encoder

    if load_encoder() is None:
        print(f"sentence model copied to {install_model()}")
    else:
        print(f"sentence model already in {sentence_folder()}")
    if load_embedder() is not None:
        print(f"word vectors already in {default_folder()}")
        return 0

    def progress(done: int, total: int) -> None:
        print(f"\r  {done * 100 // total}% of the vocabulary", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    folder = build_static_vectors(progress=progress)
    print(f"\nword vectors written to {folder} in {time.perf_counter() - started:.0f} s")
    return 0


def _confusions(args: argparse.Namespace) -> int:
    from ..scoring.confusions import measure, write
    from ..scoring.hearing import CONFUSIONS_FILE
    from ..scoring.training import read_jsonl, roundtrips_file

    rows = read_jsonl(Path(args.roundtrips) if args.roundtrips else roundtrips_file())
    rows = [r for r in rows if r.get("split") == "train"]
    if not rows:
        raise SimulatorError("no round trips to measure", "make them with tests/bench/speech_roundtrip.py")
    table = measure(rows, standard_criteria(args.criteria))
    write(table, CONFUSIONS_FILE, len(rows))
    print(json.dumps(table, indent=1))
    return 0
