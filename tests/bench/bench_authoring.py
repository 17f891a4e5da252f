"""What a coach waits for: checking a folder, drawing a picture, random walks, live reload.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_authoring.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from timing import median_ms  # noqa: E402

from simulator.engine.walk import random_walks  # noqa: E402
from simulator.paths import shipped_scenarios  # noqa: E402
from simulator.scenario import find_scenario_files, load_scenario  # noqa: E402
from simulator.scenario.folder import check_folder  # noqa: E402
from simulator.scenario.graph import to_svg  # noqa: E402
from simulator.scoring import PhraseDetector  # noqa: E402


def main() -> None:
    from PySide6.QtWidgets import QApplication
    _app = QApplication.instance() or QApplication([])  # the window below needs widgets, not just painting
    folder = shipped_scenarios()
    files = find_scenario_files([folder])
    loaded = [load_scenario(p) for p in files]
    print(f"library: {len(files)} scenarios")
    print(f"check the whole folder, first open: {median_ms(lambda: check_folder(folder), 7):.0f} ms median of 7")
    known: dict = {}
    check_folder(folder, None, known)
    touched = files[0]

    def one_saved() -> None:
        os.utime(touched)  # as a save does: that file's stamp changes, the others' do not
        check_folder(folder, None, known)
    print(f"check the folder after one file is saved (unchanged files kept): {median_ms(one_saved, 7):.0f} ms median of 7")
    svg = [median_ms(lambda sf=sf: to_svg(sf.scenario), 7) for sf in loaded]
    print(f"branch picture as SVG: median {statistics.median(svg):.1f} ms, slowest {max(svg):.1f} ms per scenario")
    from simulator.ui.graphview import svg_to_png
    with tempfile.TemporaryDirectory() as tmp:
        png = [median_ms(lambda sf=sf: svg_to_png(to_svg(sf.scenario), Path(tmp) / "x.png"), 5) for sf in loaded]
    print(f"branch picture as PNG: median {statistics.median(png):.0f} ms, slowest {max(png):.0f} ms per scenario")
    walks = []
    for sf in loaded:
        detector = PhraseDetector(sf.criteria)
        t = time.perf_counter()
        report = random_walks(sf, detector, walks=200)
        walks.append(time.perf_counter() - t)
        assert report.ok, report.problems
    print(f"200 random walks: median {statistics.median(walks) * 1000:.0f} ms per scenario, "
          f"{sum(walks):.2f} s for the library")
    reload_latency(loaded[0].path)


def reload_latency(example: Path) -> None:
    """From a file written on disk to the authoring view showing its new state."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from simulator.speech.kit import FileDevices
    from simulator.ui.authoring.window import AuthoringWindow
    from simulator.ui.tasks import Tasks
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for p in shipped_scenarios().glob("*.yaml"):
            shutil.copy(p, folder)
        window = AuthoringWindow(tasks=Tasks(), devices=FileDevices())
        window.show()

        def wait_checked() -> None:
            loop = QEventLoop()
            window.checked.connect(loop.quit)
            QTimer.singleShot(20_000, loop.quit)
            loop.exec()
            window.checked.disconnect(loop.quit)

        window.open_folder(folder)
        wait_checked()
        target = folder / example.name
        text = target.read_text(encoding="utf-8")
        times = []
        for i in range(7):
            t = time.perf_counter()
            target.write_text(text + f"\n# edit {i}\n", encoding="utf-8")
            wait_checked()
            times.append((time.perf_counter() - t) * 1000)
        files = len(window.checks)
        window.close()
        app.processEvents()
    print(f"live reload, save → new state shown ({files} files, 300 ms debounce included): "
          f"median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms")


if __name__ == "__main__":
    main()
