"""The review side of the store: overrides recompute scores, the session table, progress and calibration."""

import pytest

from simulator.errors import SimulatorError
from simulator.scoring.review import dimension_score, reviewed_score
from simulator.store import Filter, Store, load_session
from simulator.store.bundle import export_bundle, import_bundle
from simulator.store.calibration import calibration, cohen_kappa
from simulator.store.progress import most_missed, scenario_stats, trainee_progress, wrong_turn
from simulator.store.sessiontable import SessionQuery, count_sessions, session_rows
from simulator.scoring.verdict import figure
from storefill import PLAYS, fill, play

KEY = b"an organisation key of some length"


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data") as s:
        yield s


def test_with_no_overrides_the_rubric_arithmetic_gives_the_automatic_scores(store):
    for scenario, replies in PLAYS:
        record = load_session(store, play(store, scenario, replies, "Ana"))
        for sc in record.scores:
            verdicts = [v for v in record.verdicts if v["dimension"] == sc["dimension"]]
            assert dimension_score(verdicts, {}) == sc["score"], (scenario, sc["dimension"])
        assert reviewed_score(record.scores, record.verdicts, []).overall == record.summary.overall


def test_an_override_recomputes_the_score_and_keeps_the_automatic_one(store):
    sid = play(store, *PLAYS[1], "Ana")  # "Please calm down." then hung up: boundary items missed
    before = load_session(store, sid)
    missed = next(v for v in before.verdicts if v["status"] == "missed" and v["dimension"] == "boundary_setting")
    store.add_override(sid, "boundary_setting", missed["item"], "met", "She did say it, the recogniser lost it", "Mo")
    after = load_session(store, sid)
    auto = {s["dimension"]: s["score"] for s in before.scores}
    reviewed = {s["dimension"]: s["reviewed"] for s in after.scores}
    assert reviewed["boundary_setting"] > auto["boundary_setting"]
    assert after.summary.reviewed_overall > after.summary.overall == before.summary.overall
    assert after.summary.score == after.summary.reviewed_overall
    assert [v["status"] for v in after.verdicts] == [v["status"] for v in before.verdicts]  # automatic untouched
    assert [(o.item, o.status, o.reviewer) for o in after.overrides] == [(missed["item"], "met", "Mo")]
    assert [r["reviewer"] for r in after.reviews] == ["Mo"]
    # a later change wins, and changing it back gives the automatic score again, with both kept
    store.add_override(sid, "boundary_setting", missed["item"], "missed", "On second listen, no", "Lee")
    again = load_session(store, sid)
    assert again.summary.reviewed_overall == before.summary.overall and len(again.overrides) == 2


def test_an_override_needs_a_comment_and_a_reviewer(store):
    sid = play(store, *PLAYS[0], "Ana")
    v = load_session(store, sid).verdicts[0]
    with pytest.raises(SimulatorError, match="comment"):
        store.add_override(sid, v["dimension"], v["item"], "missed", "  ", "Mo")
    with pytest.raises(SimulatorError, match="comment"):
        store.add_override(sid, v["dimension"], v["item"], "missed", "why", "")
    assert load_session(store, sid).overrides == []


def test_the_session_table_counts_pages_sorts_and_filters(store):
    fill(store, 400)
    everything = SessionQuery()
    assert count_sessions(store, everything) == 400
    page = session_rows(store, everything, 0, 50)
    assert len(page) == 50 and [r.started_at for r in page] == sorted((r.started_at for r in page), reverse=True)
    by_score = session_rows(store, SessionQuery(sort="score", descending=False), 0, 400)
    scores = [r.score for r in by_score]
    assert scores == sorted(scores)
    by_trainee = SessionQuery(Filter(trainee="Trainee 007"))
    rows = session_rows(store, by_trainee, 0, 400)
    assert rows and len(rows) == count_sessions(store, by_trainee) and {r.trainee for r in rows} == {"Trainee 007"}
    low = SessionQuery(Filter(max_score=40, scenario="swearing-caller"))
    low_rows = session_rows(store, low, 0, 400)
    assert low_rows and all(r.score <= 40 and r.scenario_title == "Broadband caller keeps swearing after a warning" for r in low_rows)
    assert session_rows(store, everything, 0, 1)[0].dimensions.keys() >= {"boundary_setting", "professionalism"}


def test_transcript_search_finds_words_and_word_starts(store):
    a = play(store, *PLAYS[0], "Ana")
    b = play(store, *PLAYS[5], "Bo")
    found = lambda text: {r.id for r in session_rows(store, SessionQuery(Filter(text=text)), 0, 10)}  # noqa: E731
    assert found("frustrating") == {b}
    assert found("refund") == {a, b}
    assert found("accept") == {a}  # "acceptable", from the start of the word
    assert found('"; DROP TABLE sessions; --') == set()  # FTS syntax and SQL never leak through


def test_trainee_progress_and_most_missed(store):
    for i, (scenario, replies) in enumerate(PLAYS):
        play(store, scenario, replies, "Ana" if i % 2 == 0 else "Bo")
    points = trainee_progress(store, "Ana")
    assert len(points) == 4 and [p.started_at for p in points] == sorted(p.started_at for p in points)
    assert all(p.dimensions for p in points)
    missed = most_missed(store, "Bo")
    assert missed and missed[0].missed >= missed[-1].missed and all(0 < m.share <= 1 for m in missed)


def test_scenario_stats_find_the_usual_wrong_turn():
    paths = [(["start", "softens", "thanks"], "good"), (["start", "pushes", "ends"], "poor"),
             (["start", "pushes", "ends"], "poor"), (["start", "softens", "sulks"], "mixed")]
    assert wrong_turn(paths) == (("start", "pushes"), 2)
    assert wrong_turn([(["a", "b"], "good")]) == (None, 0)
    # a break (or a call stopped short, which has no ending) stopped before it could go wrong
    stopped = [(["start", "pushes", "stopped"], "stopped"), (["start", "pushes"], None)]
    assert wrong_turn([(["start", "softens", "thanks"], "good"), *stopped]) == (None, 0)
    assert wrong_turn(paths + stopped * 3) == (("start", "pushes"), 2)


def test_scenario_stats_over_a_store(store):
    fill(store, 60)
    stats = {s.scenario_id: s for s in scenario_stats(store)}
    assert set(stats) == {"swearing-caller", "racist-remark-video-call", "late-refund-empathy"}
    assert sum(s.sessions for s in stats.values()) == 60
    assert all(0 <= s.completion <= 1 and s.average is not None and s.dimensions for s in stats.values())


def test_cohen_kappa():
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)  # the textbook example
    assert cohen_kappa(0, 0, 0, 50) is None  # nobody ever saw it: undefined, not perfect
    assert cohen_kappa(1, 0, 1, 48) == pytest.approx(0.6577, abs=1e-3)  # 98 % raw agreement, kappa much lower


def test_calibration_counts_only_reviewed_sessions(store):
    a = play(store, *PLAYS[0], "Ana")
    b = play(store, *PLAYS[1], "Ana")
    play(store, *PLAYS[2], "Ana")  # never reviewed: not counted
    store.mark_reviewed(a, "Mo")
    v = next(v for v in load_session(store, b).verdicts if v["status"] == "missed")
    store.add_override(b, v["dimension"], v["item"], "met", "It was there", "Mo")
    rows = {r.item: r for r in calibration(store)}
    n_verdicts = len(load_session(store, a).verdicts) + len(load_session(store, b).verdicts)
    assert sum(r.n for r in rows.values()) == n_verdicts
    assert rows[v["item"]].only_manager == 1


def test_overrides_and_reviews_travel_in_bundles(store, tmp_path):
    sid = play(store, *PLAYS[1], "Ana")
    v = next(v for v in load_session(store, sid).verdicts if v["status"] == "missed")
    store.add_override(sid, v["dimension"], v["item"], "met", "It was there", "Mo")
    bundle = export_bundle(store, [sid], tmp_path / "b.simbundle", KEY)
    with Store(tmp_path / "other") as other:
        import_bundle(other, bundle, KEY)
        record = load_session(other, sid)
        assert record.summary.reviewed_overall == load_session(store, sid).summary.reviewed_overall is not None
        assert record.reviews and record.summary.origin == "imported"


def test_the_terminal_shows_the_score_after_review_beside_the_automatic_one(tmp_path, capsys):
    from simulator.cli import main

    data = tmp_path / "data"
    with Store(data) as store:
        sid = play(store, *PLAYS[1], "Ana")
        missed = next(v for v in load_session(store, sid).verdicts
                      if v["status"] == "missed" and v["dimension"] == "boundary_setting")
        store.add_override(sid, "boundary_setting", missed["item"], "met", "She did say it", "Mo")
        summary = load_session(store, sid).summary
    auto, reviewed = figure(summary.overall), figure(summary.reviewed_overall)
    assert auto != reviewed
    shown = f"{reviewed} ✎ (automatic {auto})"
    assert main(["--data-dir", str(data), "sessions", "list"]) == 0
    assert shown in capsys.readouterr().out
    assert main(["--data-dir", str(data), "sessions", "show", sid[:8]]) == 0
    assert f"score {shown}" in capsys.readouterr().out
    # the filter and the column agree: the list filters on the score it shows
    assert main(["--data-dir", str(data), "sessions", "list", "--min-score", str(summary.reviewed_overall - 0.05)]) == 0
    assert shown in capsys.readouterr().out


def test_a_past_session_shows_the_trainee_the_verdicts_and_scores_a_manager_changed(tmp_path):
    """A walker opened a reviewed session from My sessions: the headline said 24.2 after review, but the bars,
    the card ("Set the expectation — Missed") and "What to try next time" still read the automatic verdicts."""
    from simulator.store.my_sessions import past_result
    from simulator.ui.verdict_list import next_time
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
        missed = next(v for v in load_session(store, sid).verdicts
                      if v["status"] == "missed" and v["dimension"] == "boundary_setting")
        store.add_override(sid, "boundary_setting", missed["item"], "met", "She did say it", "Mo")
        record = load_session(store, sid)
    result, _ = past_result(record)
    dim = next(d for d in result.dimensions if d.dimension == "boundary_setting")
    verdict = next(v for v in dim.verdicts if v.item == missed["item"])
    assert verdict.status == "met" and verdict.feedback == "Changed by your manager, Mo: She did say it"
    reviewed = next(s for s in record.scores if s["dimension"] == "boundary_setting")["reviewed"]
    assert dim.score == reviewed and reviewed > next(s for s in record.scores if s["dimension"] == "boundary_setting")["score"]
    assert missed["item"] not in {v.item for v in next_time(result)}
    assert result.overall == record.summary.overall  # the automatic one; the page shows the reviewed one beside it


def test_a_thing_to_avoid_counts_every_session_that_watched_for_it(store):
    """Retaliating once in three calls is one in three, not "1 of 1, 100 %": a thing to avoid has a verdict only
    where it happened, yet every session of that scenario was watched for it."""
    play(store, *PLAYS[0], "Bo")
    play(store, "swearing-caller", ["You're an idiot and I don't care about your refund.", "/end"], "Bo")
    play(store, *PLAYS[1], "Bo")
    play(store, *PLAYS[5], "Bo")  # another scenario: it scored retaliation without it happening, so it is left out
    got = {m.item: m for m in most_missed(store, "Bo", limit=20)}
    assert (got["retaliates"].missed, got["retaliates"].assessed) == (1, 3)
    # a reviewer who finds it did not happen takes it out of the count, and the session stays counted
    sid = next(r.id for r in session_rows(store, SessionQuery(Filter(trainee="Bo")), 0, 10)
               if any(v["status"] == "violated" and v["item"] == "retaliates" for v in load_session(store, r.id).verdicts))
    store.add_override(sid, "professionalism", "retaliates", "missed", "Quoting the customer, not an insult", "Mo")
    assert "retaliates" not in {m.item for m in most_missed(store, "Bo", limit=20)}
