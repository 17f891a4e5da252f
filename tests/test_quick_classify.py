"""`simulator classify` (by default; `--exact` reads every reply): the sentence model reads only the replies the
heads without it are unsure of.

A session never does this (its detector has no `sure`): the app's verdicts are the whole detector's."""

import json

import numpy as np
import pytest

from simulator.scenario import standard_criteria
from simulator.scoring.detector import SURE, build_detector
from simulator.scoring.learned import Heads, _decided
from simulator.scoring.training import tfidf_rows
from simulator.scoring.learned import ngrams

CLEAR = ["Could you read me the order number, please?", "If you keep swearing I will end this call.", "ok"]
NEAR = ["I need us to keep this polite.", "So you've been waiting two weeks for the engineer.",
        "Honestly, some people are just stupid."]


@pytest.fixture(scope="module")
def detectors():
    library = standard_criteria()
    return build_detector(library), build_detector(library, sure=SURE)


def _reads(detector, text: str) -> list[str]:
    encoder = detector.learned.contextual.encoder
    seen, real = [], encoder.read

    def counting(texts, layer=None):
        seen.extend(texts)
        return real(texts, layer)

    encoder.read = counting
    try:
        detector.detect(text)
    finally:
        del encoder.read
    return seen


def test_the_model_reads_only_what_the_other_heads_are_unsure_of(detectors):
    session, quick = detectors
    for text in CLEAR:
        assert _reads(quick, text) == [], text
        assert _reads(session, text) == [text]  # a session's detector reads every typed reply
    for text in NEAR:
        assert _reads(quick, text) == [text], text


def test_where_the_model_reads_the_reply_the_labels_are_the_sessions(detectors):
    session, quick = detectors
    for text in NEAR:
        assert [(m.criterion, m.quote, m.uncertain) for m in quick.detect(text)] == \
               [(m.criterion, m.quote, m.uncertain) for m in session.detect(text)]


def test_the_quick_detector_names_itself_in_every_version(detectors):
    session, quick = detectors
    assert session.sure is None and "sure" not in session.version
    assert quick.version == session.version + f"+sure{SURE:g}"


def _heads(threshold: float, certain: float, veto: float) -> Heads:
    z = np.zeros(1, np.float32)
    return Heads(["a"], {}, z, np.zeros((0, 1)), z, z, np.zeros((1, 1)), z, np.array([threshold]),
                 np.array([certain]), np.array([veto]), "")


def test_a_reply_is_decided_alone_only_clear_of_every_line():
    heads = _heads(0.5, 0.8, 0.2)  # in log-odds: threshold 0, certain 1.39, veto -1.39
    assert _decided(heads, {"a": 0.02}, (), 2.0)  # -3.9
    assert not _decided(heads, {"a": 0.2}, (), 2.0)  # 1.4 below the threshold
    assert not _decided(heads, {"a": 0.9}, (), 2.0)  # 2.2 above the threshold, 0.8 above certain
    assert _decided(heads, {"a": 0.99}, (), 2.0)  # 4.6
    # The veto counts only where a rule matched the criterion.
    assert _decided(heads, {"a": 0.04}, (), 2.0)  # -3.2
    assert not _decided(heads, {"a": 0.04}, ("a",), 2.0)  # 1.8 below the veto
    assert _decided(heads, {"a": 0.01}, ("a",), 2.0)  # 3.2 below it


def test_word_features_are_the_ones_training_counts():
    heads = build_detector(standard_criteria()).learned.typed
    texts = ["ur so rude rude rude, pls stop", "I'm sorry sorry SORRY that the refund's late.", "ok", "",
             "Let me bring in my supervisor; she'll sort out the invoice with you."]
    rows = tfidf_rows([ngrams(t) for t in texts], heads.vocab, heads.idf).toarray()
    for text, row in zip(texts, rows):
        idx, values = heads.features(text)
        got = np.zeros_like(row)
        got[idx] = values
        assert np.allclose(got, row, atol=1e-6), text


def test_classify_quick_says_what_reads_the_replies(tmp_path, capsys, detectors):
    from simulator.cli import main
    lines = tmp_path / "r.jsonl"
    lines.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(CLEAR + NEAR)))
    assert main(["classify", "--verbose", str(lines)]) == 0  # the default since it met 500 replies/s
    out = capsys.readouterr()
    assert "reads only the replies the other heads are unsure of" in out.err
    quick = [json.loads(line) for line in out.out.splitlines()]
    assert [row["id"] for row in quick] == list(range(len(CLEAR + NEAR)))
    assert main(["classify", "--verbose", "--quick", str(lines)]) == 0  # scripts written for the old flag still run
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == quick
    assert main(["classify", "--verbose", "--exact", str(lines)]) == 0  # every reply read, as in a session
    out = capsys.readouterr()
    assert "rules, heads and the sentence model;" in out.err
    detector = detectors[0]  # a session's
    exact = [json.loads(line) for line in out.out.splitlines()]
    assert [sorted(row["labels"]) for row in exact] == [
        sorted(m.criterion for m in detector.detect(t)) for t in CLEAR + NEAR]
    assert main(["classify", "--verbose", "--without-sentence-model", str(lines)]) == 0
    assert "without the sentence model" in capsys.readouterr().err
