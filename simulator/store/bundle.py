"""Session bundles: one signed file a trainee hands to a manager.

A bundle is one header line, `SIMBUNDLE 1 <key id> <signature>`, followed
by a zip holding a manifest, one JSON file per session and any kept audio.
The signature is HMAC-SHA256 with the organisation's key over every byte of
the zip, so a bundle with any byte edited, cut short or signed with another
key is refused before anything in it is read; a session is imported once.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import SimulatorError
from .database import Store, mark_reviewed, refresh_review, save_result
from .queries import load_session

FORMAT = 1
MAGIC = "SIMBUNDLE"
ENV_KEY = "SIMULATOR_ORG_KEY"
ENV_KEY_FILE = "SIMULATOR_ORG_KEY_FILE"
MAX_MEMBER_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportReport:
    imported: list[str]
    already_there: list[str]


def organisation_key(key_file: str | os.PathLike | None = None) -> bytes:
    """The organisation's signing key: --key-file, $SIMULATOR_ORG_KEY_FILE or $SIMULATOR_ORG_KEY. No default."""
    path = key_file or os.environ.get(ENV_KEY_FILE)
    if path:
        try:
            key = Path(path).read_bytes().strip()
        except OSError as exc:
            raise SimulatorError(f"cannot read the organisation key from {path}: {exc.strerror}",
                                 "check the path your organisation gave you") from None
    else:
        key = os.environ.get(ENV_KEY, "").strip().encode()
    if len(key) < 16:
        raise SimulatorError("no organisation key is set (bundles are signed with it)",
                             f"ask your organisation for its key file and pass --key-file FILE, or set {ENV_KEY_FILE}; "
                             "a key must be at least 16 characters")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"key-id:" + key).hexdigest()[:12]


def export_bundle(store: Store, session_ids: list[str], out: Path, key: bytes,
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """`progress(done, total)` is called after each session; it may raise to cancel (nothing is written)."""
    files: dict[str, bytes] = {}
    for n, session_id in enumerate(session_ids):
        if progress is not None:
            progress(n, len(session_ids))
        record = load_session(store, session_id)
        data = record.to_dict()
        for turn in data["turns"]:
            audio = turn.get("audio")
            if audio and record.keep_audio:
                src = store.audio_dir / audio
                if src.is_file():
                    files[f"audio/{audio}"] = src.read_bytes()
            elif audio:
                turn["audio"] = None
        files[f"sessions/{session_id}.json"] = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    manifest = {"format": FORMAT, "created_at": time.time(), "key_id": key_id(key),
                "sessions": session_ids, "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())}}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, sort_keys=True))
        for name, body in sorted(files.items()):
            z.writestr(name, body)
    payload = archive.getvalue()
    header = f"{MAGIC} {FORMAT} {key_id(key)} {hmac.new(key, payload, hashlib.sha256).hexdigest()}\n".encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(header + payload)
    partial.replace(out)  # a bundle is either whole or absent
    return out


def read_bundle(path: Path, key: bytes) -> tuple[dict, dict[str, bytes]]:
    """The verified manifest and files of a bundle; SimulatorError saying what is wrong otherwise."""
    ask = "ask for the bundle to be exported and sent again"
    changed = SimulatorError(f"{path} has been changed or cut short since it was signed",
                             "it cannot be trusted; " + ask)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SimulatorError(f"no bundle at {path}", "check the path") from None
    except OSError as exc:
        raise SimulatorError(f"cannot read {path}: {exc.strerror}", "check the path") from None
    head, sep, payload = raw.partition(b"\n")
    fields = head.decode("ascii", "replace").split(" ")
    if not sep or len(fields) != 4 or fields[0] != MAGIC:
        if raw.startswith(MAGIC.encode()):
            raise changed
        raise SimulatorError(f"{path} is not a session bundle", "export one with `simulator sessions export`")
    _, version, signer, signature = fields
    expected = hmac.new(key, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        if signer != key_id(key) and len(signer) == 12:
            raise SimulatorError(f"{path} was signed with another organisation's key",
                                 "import it with the key it was signed with")
        raise changed
    if version != str(FORMAT):
        raise SimulatorError(f"{path} is a bundle of format {version}", "update the simulator to import it")
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as z:
            if any(info.file_size > MAX_MEMBER_BYTES for info in z.infolist()):
                raise changed
            manifest = json.loads(z.read("manifest.json"))
            files = {n: z.read(n) for n in z.namelist() if n != "manifest.json"}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, EOFError, ValueError):
        raise changed from None
    listed = manifest.get("files", {})
    if set(listed) != set(files) or any(not _safe(n) or hashlib.sha256(b).hexdigest() != listed[n]
                                        for n, b in files.items()):
        raise changed
    return manifest, files


def _safe(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and p.parts[0] in ("sessions", "audio")


def import_bundle(store: Store, path: Path, key: bytes) -> ImportReport:
    manifest, files = read_bundle(path, key)
    imported, already = [], []
    for session_id in manifest.get("sessions", []):
        data = json.loads(files[f"sessions/{session_id}.json"])
        if store.read("SELECT 1 FROM sessions WHERE id = ?", (session_id,)):
            already.append(session_id)
            continue
        for name, body in files.items():
            if name.startswith(f"audio/{session_id}/"):
                target = store.audio_dir / name.removeprefix("audio/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
        _insert(store, data)
        imported.append(session_id)
    return ImportReport(imported, already)


def _insert(store: Store, d: dict) -> None:
    trainee_id = store.trainee_id(d["trainee"])
    with store.write() as db:
        db.execute(
            "INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256, scenario_file,"
            " intensity, seed, started_at, ended_at, status, ending_node, ending_outcome, path, keep_audio, origin)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'imported')",
            (d["id"], trainee_id, d["scenario_id"], d["scenario_title"], d["scenario_sha256"], d.get("scenario_file"),
             d.get("intensity"), d.get("seed"), d["started_at"], d.get("ended_at"), d["status"], d.get("ending_node"),
             d.get("ending_outcome"), json.dumps(d.get("path", [])), int(d.get("keep_audio", False))))
        for t in d["turns"]:
            db.execute(
                "INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action, confidence,"
                " word_confidences, matches, started_at, ended_at, audio) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (d["id"], t["index"], t["speaker"], t["kind"], t["node"], t.get("text", ""), t.get("line_id"),
                 t.get("source"), t.get("action"), t.get("confidence"),
                 json.dumps(t["word_confidences"]) if t.get("word_confidences") else None,
                 json.dumps(t.get("matches", [])), t["started_at"], t["ended_at"], t.get("audio")))
        if d.get("overall") is not None:
            dims = {s["dimension"]: {"score": s["score"], "weight": s["weight"], "verdicts": []} for s in d["scores"]}
            for v in d["verdicts"]:
                dims.setdefault(v["dimension"], {"score": 0, "weight": 0, "verdicts": []})["verdicts"].append(v)
            save_result(db, d["id"], {"overall": d["overall"], "dimensions": dims, **d.get("result", {})})
        for o in d.get("overrides", []):
            db.execute("INSERT INTO overrides (session_id, dimension, item, status, comment, reviewer, created_at)"
                       " VALUES (?,?,?,?,?,?,?)", (d["id"], o["dimension"], o["item"], o["status"], o["comment"],
                                                   o["reviewer"], o["created_at"]))
        for r in d.get("reviews", []):
            mark_reviewed(db, d["id"], r["reviewer"], r["reviewed_at"])
        if d.get("overrides"):
            refresh_review(db, d["id"])
