"""The review mode's progress chart: how long one paint takes for a trainee with many sessions.

Seven lines (overall and six dimensions, each dimension scored in about 60 % of the sessions, as scenarios score
different dimensions), 1300x450 pixels, offscreen. Stroked as one path each, 2,000 sessions took 3.7-4.1 s a
paint (the tab froze); segment by segment with square caps, about 150 ms.

Run: .venv/bin/python tests/bench/bench_chart.py [--sessions 100 500 2000] [--paints 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, nargs="+", default=[100, 500, 2000])
    ap.add_argument("--paints", type=int, default=5)
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    from simulator.ui.review.line_chart import LineChart
    app = QApplication.instance() or QApplication([])  # noqa: F841 - widgets need it alive
    chart = LineChart()
    chart.resize(1300, 450)
    chart.show()
    rng = random.Random(1)
    for n in args.sessions:
        times = [1.7e9 + i * 3600 for i in range(n)]
        series = [("Overall", [(t, rng.choice([20.0, 40.0, 60.0, 80.0, 100.0])) for t in times])]
        series += [(f"Dimension {k}", [(t, rng.choice([0.0, 33.3, 50.0, 66.7, 100.0])) for t in times
                                       if rng.random() < 0.6]) for k in range(6)]
        chart.set_series(series)
        paints = []
        for _ in range(args.paints):
            started = time.perf_counter()
            chart.grab()
            paints.append((time.perf_counter() - started) * 1000)
        print(f"{n:5d} sessions, {chart.drawn_points:6d} points: paint median {statistics.median(paints):7.1f} ms, "
              f"max {max(paints):7.1f} ms")


if __name__ == "__main__":
    main()
