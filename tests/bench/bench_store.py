"""Benchmark of the session store: 10,000 sessions of 20 turns.

Reports how long writing takes, listing the newest 100, filtering by
trainee, by scenario and by transcript words, loading one session with its
turns, and the database's size. Targets: newest 100 <= 50 ms, filter by
trainee <= 50 ms, one session <= 20 ms.

Run: .venv/bin/python tests/bench/bench_store.py [--sessions N]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from timing import median_ms

from simulator.store import Filter, Store, list_sessions, load_session
from simulator.store.database import save_result, turn_row

TRAINEES = [f"Trainee {i:03d}" for i in range(200)]
SCENARIOS = ["swearing-caller", "racist-remark-video-call", "late-refund-empathy"]
LINES = ["This is ridiculous, fix it now!", "I want to speak to someone competent.",
         "Please stop swearing, or I will end the call.", "I understand you're frustrated, let me help."]


def fill(store: Store, sessions: int, turns: int, rng: random.Random) -> float:
    started = time.perf_counter()
    t0 = time.time() - sessions * 600
    trainee_ids = {name: store.trainee_id(name) for name in TRAINEES}
    for n in range(sessions):
        sid = uuid.uuid4().hex
        begin = t0 + n * 600
        overall = round(rng.uniform(0, 100), 1)
        with store.write() as db:
            db.execute("INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256,"
                       " started_at, ended_at, status, path) VALUES (?,?,?,?,?,?,?,?,?)",
                       (sid, trainee_ids[rng.choice(TRAINEES)], rng.choice(SCENARIOS), "A scenario", "0" * 64, begin,
                        begin + turns * 10, "completed", json.dumps(["start"] * (turns // 2))))
            for i in range(turns):
                speaker = "customer" if i % 2 == 0 else "trainee"
                text = rng.choice(LINES) + f" ({n}-{i})"
                turn = SimpleNamespace(index=i, speaker=speaker, kind="line" if speaker == "customer" else "reply",
                                       node="start", text=text, line_id=None, source="typed", action=None,
                                       confidence=None, word_confidences=(), started_at=begin + i * 10,
                                       ended_at=begin + i * 10 + 5,
                                       matches=[{"criterion": "names_behavior", "start": 0, "end": 10,
                                                 "quote": text[:10], "confidence": None}] if speaker == "trainee" else [])
                db.execute("INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action,"
                           " confidence, word_confidences, matches, started_at, ended_at, audio)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", turn_row(sid, turn, None))
            save_result(db, sid, {"overall": overall, "measures": {}, "versions": {}, "dimensions": {
                "boundary_setting": {"score": overall, "weight": 50, "verdicts": [
                    {"item": "names_behavior", "status": "met", "evidence": [], "feedback": "ok"}]},
                "professionalism": {"score": 100, "weight": 50, "verdicts": []}}})
    return time.perf_counter() - started




def fill_busy(store: Store, sessions: int, rng: random.Random) -> None:
    """One trainee's many sessions of the swearing caller, each with verdicts done too early (evidence, missed),
    as the practice plan reads them (store/attempts.py looks up what was done in each such verdict's turns)."""
    tid = store.trainee_id("Busy trainee")
    t0 = time.time() - sessions * 600
    for n in range(sessions):
        sid = uuid.uuid4().hex
        begin = t0 + n * 600
        with store.write() as db:
            db.execute("INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256,"
                       " started_at, ended_at, status, path) VALUES (?,?,?,?,?,?,?,?,?)",
                       (sid, tid, "swearing-caller", "Swearing", "0" * 64, begin, begin + 60, "completed", "[]"))
            for i, (speaker, action, said) in enumerate([("customer", None, []), ("trainee", None, [
                    {"criterion": "escalates", "start": 0, "end": 10, "quote": "my manager", "confidence": None}]),
                    ("customer", None, []), ("trainee", "escalate", [])]):
                turn = SimpleNamespace(index=i, speaker=speaker, kind="action" if action else "reply", node="start",
                                       text="" if action else "my manager", line_id=None, source="typed",
                                       action=action, confidence=None, word_confidences=(), started_at=begin + i,
                                       ended_at=begin + i + 1, matches=said)
                db.execute("INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action,"
                           " confidence, word_confidences, matches, started_at, ended_at, audio)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", turn_row(sid, turn, None))
            early = rng.random() < 0.7
            save_result(db, sid, {"overall": 40.0, "measures": {}, "versions": {}, "dimensions": {
                "disengaging": {"score": 0 if early else 100, "weight": 50, "verdicts": [
                    {"item": "announces_ending|escalates", "status": "missed" if early else "met", "feedback": "",
                     "evidence": [{"turn": 1, "quote": "my manager", "start": 0, "end": 10}]},
                    {"item": "end_call|escalate", "status": "missed" if early else "met", "feedback": "",
                     "evidence": [{"turn": 3, "quote": "[Escalate to supervisor]", "start": 0, "end": 0}]}]},
                "boundary_setting": {"score": 0, "weight": 50, "verdicts": [
                    {"item": "states_consequence", "status": "missed", "evidence": [], "feedback": ""}]}}})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--busy", type=int, default=500, help="sessions of one trainee, for the practice plan")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(folder)
        seconds = fill(store, args.sessions, args.turns, rng)
        store.close()
        store = Store(folder)  # measure a freshly opened store, as the app would see it
        print(f"wrote {args.sessions} sessions x {args.turns} turns in {seconds:.1f} s "
              f"({args.sessions * args.turns / seconds:,.0f} turns/s, one transaction per session)")
        one = list_sessions(store, limit=1)[0].id
        print(f"list newest 100:            {median_ms(lambda: list_sessions(store, limit=100)):7.2f} ms")
        print(f"filter by trainee:          {median_ms(lambda: list_sessions(store, Filter(trainee='Trainee 042'))):7.2f} ms")
        print(f"filter by scenario:         {median_ms(lambda: list_sessions(store, Filter(scenario='late-refund-empathy'))):7.2f} ms")
        print(f"filter by score <= 30:      {median_ms(lambda: list_sessions(store, Filter(max_score=30))):7.2f} ms")
        print(f"search transcript words:    {median_ms(lambda: list_sessions(store, Filter(text='competent (77')), 5):7.2f} ms")
        print(f"one session with its turns: {median_ms(lambda: load_session(store, one)):7.2f} ms")
        live = store.begin_session(trainee="Live", scenario_id="x", scenario_title="X", scenario_sha256="0" * 64,
                                   scenario_file=None, intensity=None, seed=None)
        t = time.perf_counter()
        for i in range(1000):
            store.add_turn(live, SimpleNamespace(index=i, speaker="trainee", kind="reply", node="start", text="hello",
                                                 line_id=None, source="typed", action=None, confidence=None,
                                                 word_confidences=(), matches=[], started_at=0.0, ended_at=0.0))
        print(f"live: one commit per turn:  {(time.perf_counter() - t):7.2f} ms per turn (1,000 turns)")
        fill_busy(store, args.busy, rng)
        from simulator.scenario.library import available
        from simulator.scoring.plan import plan, scenario_info
        from simulator.store.attempts import attempts_of
        library = [scenario_info(sf) for sf in available()[0]]
        now = time.time()
        print(f"practice plan, {args.busy} sessions: {median_ms(lambda: plan(library, attempts_of(store, 'Busy trainee'), now), 5):7.2f} ms"
              " (the trainee's attempts read, then the plan)")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(p.stat().st_size for p in Path(folder).glob("sessions.sqlite3*"))
        print(f"database size:              {size / 1e6:7.1f} MB ({size / args.sessions / 1024:.1f} KiB per session)")
        store.close()


if __name__ == "__main__":
    main()
