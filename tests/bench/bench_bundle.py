"""Bundles: exporting and importing a team's sessions, and refusing a zip bomb.

    python tests/bench/bench_bundle.py [--sessions 2000]

Real sessions (tests/storefill.py: played through the engine, then copied),
exported to a signed bundle, then imported into an empty store: every
session is checked against the store's shapes twice (all before any is
written, then each as it is written). Also the time and peak memory to
refuse a 150 MB zip bomb signed with the right key.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from storefill import fill  # noqa: E402

from simulator.errors import SimulatorError  # noqa: E402
from simulator.store import Store  # noqa: E402
from simulator.store.bundle import export_bundle, import_bundle, key_id  # noqa: E402

KEY = b"our-organisation-key-0123456789"


def bomb(path: Path, sid: str) -> None:
    members = {f"sessions/{sid}.json": b"{}", f"audio/{sid}/001.wav": b"\0" * (150 * 1024 * 1024)}
    manifest = {"format": 2, "created_at": 1.8e9, "key_id": key_id(KEY), "sessions": [sid],
                "files": {n: hashlib.sha256(b).hexdigest() for n, b in members.items()}}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for n, b in members.items():
            z.writestr(n, b)
    payload = out.getvalue()
    signed = f"SIMBUNDLE 2 {key_id(KEY)}\n".encode()
    path.write_bytes(signed[:-1] + b" " + hmac.new(KEY, signed + payload, hashlib.sha256).hexdigest().encode()
                     + b"\n" + payload)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with Store(work / "trainee") as store:
            ids = fill(store, args.sessions)
            t = time.perf_counter()
            bundle = export_bundle(store, ids, work / "team.simbundle", KEY)
            export_s = time.perf_counter() - t
        with Store(work / "manager") as manager:
            t = time.perf_counter()
            report = import_bundle(manager, bundle, KEY)
            import_s = time.perf_counter() - t
            t = time.perf_counter()
            again = import_bundle(manager, bundle, KEY)
            again_s = time.perf_counter() - t
        assert len(report.imported) == len(ids) and len(again.already_there) == len(ids)
        bomb(work / "bomb.simbundle", ids[0])
        with Store(work / "victim") as victim:
            tracemalloc.start()
            t = time.perf_counter()
            try:
                import_bundle(victim, work / "bomb.simbundle", KEY)
            except SimulatorError:
                pass
            refuse_s = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        size = bundle.stat().st_size
    n = len(ids)
    print(f"{n} sessions: export {export_s:.2f} s ({n / export_s:,.0f}/s), bundle {size / 1e6:.1f} MB")
    print(f"import {import_s:.2f} s ({n / import_s:,.0f} sessions/s); importing it again (nothing new) {again_s:.2f} s")
    print(f"150 MB zip bomb ({(work / 'bomb.simbundle').name}): refused in {refuse_s * 1000:.0f} ms, "
          f"peak memory {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
