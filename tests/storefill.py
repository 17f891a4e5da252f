"""A store of many real sessions, quickly: a few sessions played through the engine and
scored, then copied in SQL under other trainees and dates (tests and benchmarks)."""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path

from simulator.engine import Session
from simulator.engine.script import run_script
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector, score_session
from simulator.store import Store
from simulator.store.recorder import SessionRecorder

# (scenario, replies): good, middling and poor handling of each shipped scenario
PLAYS = [
    ("swearing-caller", ["That language isn't acceptable. If it continues I will end the call. "
                         "I do want to sort out your refund.", "/flag", "I'm ending the call now.", "/end"]),
    ("swearing-caller", ["Please calm down.", "/end"]),
    ("swearing-caller", ["Sorry, sorry, you're right.", "Whatever you say.", "/end"]),
    ("racist-remark-video-call", ["That remark is not acceptable here. Please keep this respectful, or I will "
                                  "end the meeting. Let's get back to your renewal.", "/flag", "/end"]),
    ("racist-remark-video-call", ["Ha, okay. Anyway, the renewal.", "/end"]),
    ("late-refund-empathy", ["I understand how frustrating this is. So your refund from three weeks ago "
                             "still has not arrived? Let me check it now.", "/end"]),
    ("late-refund-empathy", ["Calm down, those are the rules.", "/end"]),
]
TRAINEES = [f"Trainee {i:03d}" for i in range(120)]


def play(store: Store, scenario: str, replies: list[str], trainee: str, intensity: str | None = None) -> str:
    sf = load_scenario(f"scenarios/{scenario}.yaml")
    session = Session(sf, PhraseDetector(sf.criteria), intensity=intensity, seed=1)
    recorder = SessionRecorder(store, session, trainee)
    run_script(session, replies)
    recorder.save_result(score_session(sf, session.turns))
    recorder.close()
    return recorder.id


def fill(store: Store, sessions: int, seed: int = 7, trainees: list[str] = TRAINEES) -> list[str]:
    """`sessions` sessions over the last year, newest last; returns their ids."""
    rng = random.Random(seed)
    templates = [play(store, scenario, replies, trainees[0]) for scenario, replies in PLAYS]
    ids = list(templates)
    names = {name: store.trainee_id(name) for name in trainees}
    start = time.time() - 365 * 86400
    with store.write() as db:
        for n in range(sessions - len(templates)):
            source, new = rng.choice(templates), uuid.uuid4().hex
            offset = start + (n + 1) * (365 * 86400 / sessions) - db.execute(
                "SELECT started_at FROM sessions WHERE id = ?", (source,)).fetchone()[0]
            pace = rng.uniform(15, 45)  # seconds per turn: the played templates took no time at all
            db.execute("INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256,"
                       " scenario_file, intensity, seed, started_at, ended_at, status, ending_node, ending_outcome,"
                       " path, overall, result, keep_audio, origin)"
                       " SELECT ?, ?, scenario_id, scenario_title, scenario_sha256, scenario_file, intensity, seed,"
                       " started_at + ?, ended_at + ? + ? * (SELECT COUNT(*) FROM turns WHERE session_id = ?), status,"
                       " ending_node, ending_outcome, path, overall, result, keep_audio, origin FROM sessions WHERE id = ?",
                       (new, names[rng.choice(trainees)], offset, offset, pace, source, source))
            db.execute("INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action,"
                       " confidence, word_confidences, matches, started_at, ended_at, audio)"
                       " SELECT ?, idx, speaker, kind, node, text, line_id, source, action, confidence,"
                       " word_confidences, matches, started_at + ? + idx * ?, ended_at + ? + idx * ?, audio FROM turns"
                       " WHERE session_id = ?", (new, offset, pace, offset, pace, source))
            db.execute("INSERT INTO scores (session_id, dimension, score, weight)"
                       " SELECT ?, dimension, score, weight FROM scores WHERE session_id = ?", (new, source))
            db.execute("INSERT INTO verdicts (session_id, dimension, item, status, uncertain, evidence, feedback)"
                       " SELECT ?, dimension, item, status, uncertain, evidence, feedback FROM verdicts"
                       " WHERE session_id = ?", (new, source))
            ids.append(new)
    return ids


def keep_recording(store: Store, sid: str, samples: int) -> Path:
    """The trainee's first reply kept as a 16 kHz WAV of silence, as a session that allowed recording has it."""
    import wave
    audio = store.audio_dir / sid / "1.wav"
    audio.parent.mkdir(parents=True)
    with wave.open(str(audio), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(16000), f.writeframes(bytes(samples * 2))
    with store.write() as db:
        db.execute("UPDATE turns SET audio = ? WHERE session_id = ? AND idx = 1", (f"{sid}/1.wav", sid))
        db.execute("UPDATE sessions SET keep_audio = 1 WHERE id = ?", (sid,))
    return audio
