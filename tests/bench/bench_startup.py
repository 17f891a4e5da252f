"""Startup: from process start to the main window shown, and to library + speech ready (offscreen).

    python tests/bench/bench_startup.py [--runs 5] [--built dist/simulator]

Each run is a fresh `python -m simulator app --self-check` in temporary
folders, as a trainee would start it; the app prints the wall-clock moment
its window was shown, and the self-check line when everything is loaded.
With --built, the same is timed for the built app's executable (build.spec),
run with a bare environment as on a laptop, and so are `--version` and the
folder's size.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _environment(work: Path, built: Path | None) -> dict[str, str]:
    folders = {"QT_QPA_PLATFORM": "offscreen", "SIMULATOR_DATA_DIR": str(work / "data"),
               "SIMULATOR_CONFIG_DIR": str(work / "config"), "SIMULATOR_CACHE_DIR": str(work / "cache")}
    if built is None:
        return {**os.environ, **folders}
    (work / "empty-path").mkdir(parents=True, exist_ok=True)
    return {"HOME": str(work), "PATH": str(work / "empty-path"), "LANG": "C.UTF-8", **folders}


def _command(built: Path | None) -> list[str]:
    return [str(built / "simulator")] if built else [sys.executable, "-m", "simulator"]


def one_run(built: Path | None = None) -> tuple[float, float, int]:
    work = Path(tempfile.mkdtemp(prefix="simulator-startup-"))
    started = time.time()
    out = subprocess.run([*_command(built), "app", "--self-check"], capture_output=True, text=True,
                         env=_environment(work, built), cwd=REPO, timeout=120)
    ended = time.time()
    shown = re.search(r"window shown at ([0-9.]+)", out.stdout)
    stall = re.search(r"longest event-loop stall: (-?\d+) ms", out.stdout)
    if out.returncode != 0 or not shown:
        raise SystemExit(f"self-check failed:\n{out.stdout}\n{out.stderr}")
    return float(shown.group(1)) - started, ended - started, int(stall.group(1)) if stall else -1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--built", type=Path, metavar="FOLDER", help="time the built app in FOLDER (dist/simulator)")
    args = ap.parse_args()
    if args.built:
        _describe_built(args.built.resolve(), args.runs)
    one_run(args.built)  # warm the OS file cache, as a second start on a laptop would be
    runs = [one_run(args.built) for _ in range(args.runs)]
    shown = [r[0] for r in runs]
    ready = [r[1] for r in runs]
    stalls = [r[2] for r in runs]
    print(f"window shown after process start: median {statistics.median(shown):.2f} s, max {max(shown):.2f} s "
          f"(target 1.5 s) over {args.runs} runs")
    print(f"library and speech ready, window closed: median {statistics.median(ready):.2f} s, max {max(ready):.2f} s")
    print(f"longest event-loop stall while loading: median {statistics.median(stalls)} ms, max {max(stalls)} ms")


def _describe_built(folder: Path, runs: int) -> None:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    models = folder / "_internal" / "models"
    model_size = sum(p.stat().st_size for p in models.rglob("*") if p.is_file()) if models.is_dir() else 0
    print(f"built folder: {size / 2**20:.0f} MB in {len(files)} files"
          + (f" (of which Vosk models {model_size / 2**20:.0f} MB)" if model_size else " (no Vosk model)"))
    work = Path(tempfile.mkdtemp(prefix="simulator-startup-"))
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([*_command(folder), "--version"], capture_output=True, check=True,
                       env=_environment(work, folder), timeout=60)
        times.append(time.perf_counter() - started)
    print(f"`simulator --version` from the built folder: median {statistics.median(times[1:]):.2f} s "
          f"(first, cold: {times[0]:.2f} s)")


if __name__ == "__main__":
    main()
