"""A certificate held reaches a real Learning Record Store (Ralph on 127.0.0.1) as completed and passed, once."""

from __future__ import annotations

from lrs_server import PASSWORD, USER
from simulator.store import Store
from simulator.store.credentials import load, save
from simulator.store.lrs import Lrs
from simulator.store.team_certificates import certificate_statements, push_certificates, team_certificates
from simulator.store.xapi import VERBS
from test_certificates import GOOD_REFUND, GOOD_SWEARING, _policy, _record


def test_a_certificate_held_is_sent_once_and_reads_back(ralph, tmp_path):
    save(ralph.endpoint, USER, PASSWORD)
    policy = _policy(tmp_path)
    with Store(tmp_path / "data") as store:
        _record(store, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
        _record(store, "swearing-caller", ["Please calm down.", "/end"], "Ben", "mild")
        statuses = team_certificates(store, policy)
        first = push_certificates(store, statuses)
        assert (first.queued, first.sent, first.waiting, first.error) == (2, 2, 0, None)
        again = push_certificates(store, team_certificates(store, policy))
        assert (again.queued, again.sent) == (0, 0)
    ana = next(s for s in statuses if s.trainee == "Ana")
    expected = certificate_statements(ana, load().activity_base)
    got = Lrs(load()).fetch(expected[0]["context"]["registration"])
    assert sorted(s["id"] for s in got) == sorted(s["id"] for s in expected)
    verbs = {s["verb"]["id"] for s in got}
    assert verbs == {VERBS["completed"], VERBS["passed"]}
    assert all(s["actor"]["name"] == "Ana" and s["object"]["id"].endswith("/certificates/basics") for s in got)
