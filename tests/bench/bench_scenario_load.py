"""Loading a large scenario: a 900 KB chain of 17,000 nodes, read, parsed and checked once.

The issue's figure before the change: 14 s for `simulator validate`, ending in
"an alias bomb?". The aim: under 2 s to load.

Run: .venv/bin/python tests/bench/bench_scenario_load.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_input_faults import long_chain  # noqa: E402
from timing import median_ms  # noqa: E402

from simulator.scenario import load_scenario, standard_criteria  # noqa: E402
from simulator.scenario.yamlsource import read_yaml  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.yaml"
        path.write_text(long_chain())
        criteria = standard_criteria()
        print(f"scenario: {path.stat().st_size / 1000:.0f} KB, 17,000 nodes")
        print(f"read and parse:           {median_ms(lambda: read_yaml(path), 5):6.0f} ms median of 5")
        print(f"load (parse and checks):  {median_ms(lambda: load_scenario(path, criteria), 5):6.0f} ms median of 5")
        began = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "simulator", "validate", str(path)], capture_output=True, text=True)
        took = time.perf_counter() - began
        print(f"`simulator validate`:     {took * 1000:6.0f} ms, start-up included (exit {out.returncode})")


if __name__ == "__main__":
    main()
