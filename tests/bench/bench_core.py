"""Benchmark of the core: load and validate scenarios, detect criteria, play and score sessions.

Run: .venv/bin/python tests/bench/bench_core.py
Prints median timings; no assertions (speed is reported, not tested).
"""

from __future__ import annotations

from pathlib import Path

from timing import median_ms

from simulator.engine import Session
from simulator.engine.script import run_script
from simulator.paths import shipped_scenarios
from simulator.scenario import find_scenario_files, load_scenario, standard_criteria
from simulator.scenario.loader import load_criteria
from simulator.scoring import PhraseDetector, score_session

REPLIES = [
    "Sam, I want to help, but that language isn't acceptable. Please stop swearing. If it continues, I'll end the call.",
    "/flag",
    "I've asked you to stop. I'm ending this call now. Goodbye.",
    "/end",
]




def main() -> None:
    files = find_scenario_files([shipped_scenarios()])
    library = standard_criteria()
    print(f"criteria library load:        {median_ms(lambda: load_criteria(shipped_scenarios() / 'criteria.yaml'), 20):7.2f} ms")
    for f in files:
        print(f"load+validate {f.name:<32}{median_ms(lambda f=f: load_scenario(f, library), 20):7.2f} ms")
    detector = PhraseDetector(library)
    reply = REPLIES[0]
    per = median_ms(lambda: [detector.detect(reply) for _ in range(100)], 10) / 100
    print(f"detect one reply (24 words):  {per:7.3f} ms")
    sf = load_scenario(Path(shipped_scenarios() / "swearing-caller.yaml"), library)

    def session() -> None:
        s = Session(sf, PhraseDetector(sf.criteria), seed=1)
        run_script(s, REPLIES)
        score_session(sf, s.turns)

    print(f"play + score a 4-step session: {median_ms(session, 20):7.2f} ms")


if __name__ == "__main__":
    main()
