"""Benchmark of the review view over a store of 10,000 sessions (Qt offscreen, real widgets).

Measures, as a manager would feel it:
  - first rows: from creating the review window on a freshly opened store to
    the first page of rows being in the table (targets <= 300 ms);
  - filter: from changing a filter (trainee, scenario, score, a transcript
    word search, a sort by score) to the new first rows (target <= 100 ms).
Each figure is the median of several runs, with the worst beside it.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_review.py [--sessions N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for storefill
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from simulator.settings import AppSettings  # noqa: E402
from simulator.store import Store  # noqa: E402
from simulator.ui.review.sessions_model import COLUMNS  # noqa: E402
from simulator.ui.review.window import ReviewWindow  # noqa: E402
from simulator.ui.tasks import Tasks  # noqa: E402
from storefill import fill  # noqa: E402


def wait_rows(window: ReviewWindow, act) -> float:
    loop = QEventLoop()
    window.model.rows_ready.connect(loop.quit)
    started = time.perf_counter()
    act()
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    took = (time.perf_counter() - started) * 1000
    window.model.rows_ready.disconnect(loop.quit)
    QApplication.processEvents()  # let the view paint the rows before the next step
    return took


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):6.1f} ms, worst {max(times):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.setswitchinterval(0.001)  # as the app sets it (simulator/ui/app.py)
    _app = QApplication.instance() or QApplication([])  # noqa: F841 - widgets need it alive
    with tempfile.TemporaryDirectory() as folder:
        with Store(folder) as store:
            t = time.perf_counter()
            fill(store, args.sessions)
            turns = store.read("SELECT COUNT(*) FROM turns")[0][0]
        print(f"store: {args.sessions:,} sessions, {turns:,} turns, filled in {time.perf_counter() - t:.1f} s")

        first = []
        for _ in range(args.runs):
            tasks = Tasks()
            window: ReviewWindow | None = None

            def create() -> None:
                nonlocal window
                window = ReviewWindow(data_dir=Path(folder), tasks=tasks, settings=AppSettings(trainee="Mo"),
                                      ask_passphrase=False)
                window.resize(1400, 800)
                window.show()
            loop = QEventLoop()
            started = time.perf_counter()
            create()
            window.model.rows_ready.connect(loop.quit)
            QTimer.singleShot(30_000, loop.quit)
            loop.exec()
            first.append((time.perf_counter() - started) * 1000)
            QApplication.processEvents()
            if _ < args.runs - 1:
                window.close()
                tasks.shutdown()
        print(f"review window open to first rows ({window.model.total:,} sessions): {summary(first)}  (target <= 300 ms)")

        page = window.sessions
        score = [k for k, _ in COLUMNS].index("score")
        steps = [
            ("filter by trainee", lambda: page.trainee.setCurrentIndex(page.trainee.findText("Trainee 042"))),
            ("filter by scenario", lambda: page.scenario.setCurrentIndex(1)),
            # typing waits 250 ms for the next key before filtering; measured from the moment the filter is asked for
            ("filter by score <= 40", lambda: typed(lambda: page.max_score.setValue(40))),
            ("search transcripts 'frustrating'", lambda: typed(lambda: page.search.setText("frustrating"))),
            ("search transcripts 'acceptable end'", lambda: typed(lambda: page.search.setText("acceptable end"))),
            ("sort all by score", lambda: sort_by(score)),
            ("sort all by trainee", lambda: sort_by(0)),
        ]

        def typed(change) -> None:
            change()
            page._debounce.stop()
            page.apply()

        def sort_by(column: int) -> None:
            header = page.table.horizontalHeader()
            flip = Qt.DescendingOrder if header.sortIndicatorOrder() == Qt.AscendingOrder else Qt.AscendingOrder
            header.setSortIndicator(column, flip if header.sortIndicatorSection() == column else Qt.AscendingOrder)
        while page.trainee.count() < 2:  # the filter lists arrive just after the first rows
            QApplication.processEvents()
        worst_median = 0.0
        for name, act in steps:
            times = []
            for _ in range(args.runs):
                wait_rows(window, page.clear_filters)
                times.append(wait_rows(window, act))
                shown = window.model.total
            worst_median = max(worst_median, statistics.median(times))
            print(f"  {name:<36} -> {shown:>6,} rows: {summary(times)}")
        print(f"slowest filter (median): {worst_median:.1f} ms  (target <= 100 ms)")
        window.close()
        tasks.shutdown()


if __name__ == "__main__":
    main()
