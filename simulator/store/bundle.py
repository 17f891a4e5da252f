"""Session bundles: one signed file a trainee hands to a manager.

A bundle is one header line, `SIMBUNDLE 2 <key id> <signature>`, followed
by a zip holding a manifest, one JSON file per session and any kept audio.
The signature is HMAC-SHA256 with the organisation's key over the header's
first three fields and every byte of the zip, so a bundle with any byte
edited, cut short or signed with another key is refused before anything in
it is read.

Every trainee holds the key (they export with it), so a valid signature says
only that someone in the organisation made the file. What is inside is then
treated as untrusted input: sizes, counts and expansion are bounded before
anything is decompressed, every session is checked against the store's own
shapes (bundleschema), every path is confined to the data folder, and a
bundle is imported whole or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import stat
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import SimulatorError
from ..files import UnreadableFile, read_regular_file
from .audiofiles import audio_folder, audio_file
from .bundleschema import AUDIO_NAME, SESSION_ID, Manifest, Session, check_manifest, check_session
from .database import Store, mark_reviewed, refresh_review, save_result
from .disputes import merge_disputes
from .queries import load_session

FORMAT = 2
MAGIC = "SIMBUNDLE"
ENV_KEY = "SIMULATOR_ORG_KEY"
ENV_KEY_FILE = "SIMULATOR_ORG_KEY_FILE"
MIN_KEY = 16

# Bounds on what a bundle may hold, checked from the zip's directory before anything is expanded.
MAX_BUNDLE_BYTES = 4 * 1024 ** 3
MAX_MEMBERS = 50_000
MAX_MANIFEST_BYTES = 8 * 1024 ** 2
MAX_SESSION_BYTES = 16 * 1024 ** 2
MAX_AUDIO_BYTES = 200 * 1024 ** 2
MAX_EXPANDED_BYTES = 8 * 1024 ** 3
MAX_RATIO = 50  # expanded size over file size; sessions with recordings expand 1-10 times
RATIO_ALLOWANCE = 64 * 1024 ** 2  # a small bundle of text-only sessions may expand more than MAX_RATIO
KEEP_CHECKED_BYTES = 64 * 1024 ** 2  # session JSON up to this is checked once; pydantic models take several times it
DISK_MARGIN = 100 * 1024 ** 2  # left free after an import, so play can go on recording

_HEADER = re.compile(rb"^SIMBUNDLE ([0-9]{1,3}) ([0-9a-f]{12}) ([0-9a-f]{64})\n")
_HEADER_MAX = 100


class NoOrganisationKey(SimulatorError):
    """No key is set at all (as opposed to one that cannot be used): the app then asks for the key file."""


@dataclass(frozen=True)
class ImportReport:
    imported: list[str]
    already_there: list[str]
    disputes: int = 0  # disputes new to this store or answered by the bundle, in sessions that were already here
    left_out: list[str] = field(default_factory=list)  # sessions not here, not imported (answers_only)


def organisation_key(key_file: str | os.PathLike | None = None) -> bytes:
    """The organisation's signing key: --key-file, $SIMULATOR_ORG_KEY_FILE or $SIMULATOR_ORG_KEY. No default."""
    path = key_file or os.environ.get(ENV_KEY_FILE)
    if path:
        try:
            key = read_regular_file(path, 64 * 1024, "organisation key file").strip()
        except UnreadableFile as exc:
            raise SimulatorError(f"cannot read the organisation key from {path}: {exc.reason}",
                                 "check the path your organisation gave you") from None
        where = str(path)
    else:
        key = os.environ.get(ENV_KEY, "").strip().encode()
        where = f"${ENV_KEY}"
    if not key and path:  # named, but empty: "no key is set ... pass --key-file" read as if the file was ignored
        raise SimulatorError(f"the organisation key file {path} is empty",
                             "check the path your organisation gave you, or ask for the key file again")
    if not key:
        raise NoOrganisationKey("no organisation key is set (bundles are signed with it)",
                             f"ask your organisation for its key file and pass --key-file FILE, or set {ENV_KEY_FILE}")
    if path:
        _check_key_text(key, str(path))
    if len(key) < MIN_KEY:
        raise SimulatorError(f"the organisation key in {where} is too short ({len(key)} characters)",
                             f"a key must be at least {MIN_KEY} characters; ask your organisation for its key file")
    return key


def _check_key_text(key: bytes, path: str) -> None:
    """A key file is a line of text: a bundle, a picture or a document picked by mistake would otherwise be taken
    as the key, and every bundle then be refused as "signed with another key"."""
    what = ("a zip file (a session or assignment bundle?)" if key.startswith(b"PK\x03\x04")
            else "a PDF" if key.startswith(b"%PDF") else None)
    if what is None:
        try:
            text = key.decode("utf-8")
        except UnicodeDecodeError:
            what = "not a text file"
        else:
            if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
                what = "not a text file"
    if what is not None:
        raise SimulatorError(f"{path} is {what}, not an organisation key file",
                             "choose the key file your organisation gave you: one line of text, often ending .key")


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"key-id:" + key).hexdigest()[:12]


def _signed_part(version: str | int, signer: str, magic: str = MAGIC) -> bytes:
    return f"{magic} {version} {signer}\n".encode()


def signature(key: bytes, version: str | int, signer: str, body: BinaryIO, magic: str = MAGIC) -> str:
    """HMAC-SHA256 with the organisation's key over the header's first three fields and every byte of `body`
    from where it is now: the one signature of session bundles and of managers' assignment bundles."""
    mac = hmac.new(key, _signed_part(version, signer, magic), hashlib.sha256)
    for chunk in iter(lambda: body.read(1 << 20), b""):
        mac.update(chunk)
    return mac.hexdigest()


# -- export ---------------------------------------------------------------------------

def export_bundle(store: Store, session_ids: list[str], out: Path, key: bytes,
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """`progress(done, total)` is called after each session; it may raise to cancel (nothing is written)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    signer = key_id(key)
    placeholder = _signed_part(FORMAT, signer)[:-1] + b" " + b"0" * 64 + b"\n"
    try:
        # Written straight to disk after a fixed-size header, signed, then the header filled in: memory stays
        # small however many recordings there are, and a bundle is either whole or absent.
        fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w+b") as f:
            f.write(placeholder)
            _write_archive(store, session_ids, f, signer, progress)
            f.seek(len(placeholder))
            signed = signature(key, FORMAT, signer, f)
            f.seek(0)
            f.write(_signed_part(FORMAT, signer)[:-1] + b" " + signed.encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, out)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SimulatorError(f"cannot write {out}: {exc.strerror or exc}",
                                 "nothing was written; check the folder and the free space") from None
        raise
    return out


def _write_archive(store: Store, session_ids: list[str], f: BinaryIO, signer: str,
                   progress: Callable[[int, int], None] | None) -> None:
    hashes: dict[str, str] = {}
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        for n, session_id in enumerate(session_ids):
            if progress is not None:
                progress(n, len(session_ids))
            record = load_session(store, session_id)
            data = record.to_dict()
            for turn in data["turns"]:
                src = audio_file(store.audio_dir, turn.get("audio")) if record.keep_audio else None
                if src is not None and src.is_file():
                    body = src.read_bytes()
                    name = f"audio/{turn['audio']}"
                    z.writestr(name, body)
                    hashes[name] = hashlib.sha256(body).hexdigest()
                else:
                    turn["audio"] = None
            name = f"sessions/{session_id}.json"
            body = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
            z.writestr(name, body)
            hashes[name] = hashlib.sha256(body).hexdigest()
        manifest = {"format": FORMAT, "created_at": time.time(), "key_id": signer, "sessions": session_ids,
                    "files": dict(sorted(hashes.items()))}
        z.writestr("manifest.json", json.dumps(manifest, sort_keys=True))


# -- reading ----------------------------------------------------------------------------

class _Refused(Exception):
    """A signed bundle whose contents cannot be imported; the message says why in one line."""


class Bundle:
    """An open, verified bundle: its manifest and a way to read each session and recording, bounded."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, manifest: Manifest, size: int) -> None:
        self.path, self.zip, self.manifest, self.size = path, zf, manifest, size

    def session(self, session_id: str) -> Session:
        body = self._read(f"sessions/{session_id}.json")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _Refused(f"session {session_id[:8]} is not readable JSON ({type(exc).__name__})") from None
        try:
            session = check_session(data, session_id)
        except (ValueError, RecursionError) as exc:
            raise _Refused(f"session {session_id[:8]}: {exc}") from None
        for turn in session.turns:
            if turn.audio is not None and f"audio/{turn.audio}" not in self.manifest.files:
                raise _Refused(f"session {session_id[:8]} names a recording the bundle does not hold")
        return session

    def session_bytes(self) -> int:
        return sum(i.file_size for i in self.zip.infolist() if i.filename.startswith("sessions/"))

    def recordings(self, session_id: str) -> list[zipfile.ZipInfo]:
        prefix = f"audio/{session_id}/"
        return [i for i in self.zip.infolist() if i.filename.startswith(prefix)]

    def copy_recording(self, info: zipfile.ZipInfo, target: Path) -> None:
        digest = hashlib.sha256()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with self.zip.open(info) as src, os.fdopen(fd, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != self.manifest.files[info.filename]:
            raise _Refused(f"{info.filename} does not match the manifest")

    def _read(self, name: str) -> bytes:
        body = self.zip.read(name)
        if hashlib.sha256(body).hexdigest() != self.manifest.files.get(name):
            raise _Refused(f"{name} does not match the manifest")
        return body


@contextmanager
def open_bundle(path: Path, key: bytes) -> Iterator[Bundle]:
    """A verified bundle; SimulatorError saying in one line what is wrong otherwise. Nothing is written."""
    ask = "nothing was imported; ask for the bundle to be exported again with the simulator"
    changed = SimulatorError(f"{path} has been changed or cut short since it was signed", "it cannot be trusted; " + ask)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise SimulatorError(f"{path} was not found",
                             "check the path: the file may have been moved or renamed") from None
    except OSError as exc:
        raise SimulatorError(f"cannot read {path}: {exc.strerror}", "check the path and that you may read the file"
                             ) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # checked before fdopen, which refuses a folder with a bare OSError
        os.close(fd)
        raise SimulatorError(f"{path} is not a file", "use the .simbundle file itself, not a folder or a device")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > MAX_BUNDLE_BYTES:
            raise SimulatorError(f"{path} is {info.st_size / 1024 ** 3:.1f} GB, more than a bundle may be "
                                 f"({MAX_BUNDLE_BYTES // 1024 ** 3} GB)", "export fewer sessions per bundle")
        head = f.read(_HEADER_MAX)
        match = _HEADER.match(head)
        if match is None:
            if head.startswith(MAGIC.encode()):
                if head.startswith(f"{MAGIC} 1 ".encode()):
                    raise SimulatorError(f"{path} was made by an older version of the simulator, whose bundles "
                                         "cannot be checked as well", "ask for it to be exported again")
                raise changed
            raise SimulatorError(f"{path} is not a session bundle",
                                 "choose a .simbundle file exported from the simulator")
        version, signer, signed = (g.decode("ascii") for g in match.groups())
        start = match.end()
        f.seek(start)
        if not hmac.compare_digest(signature(key, version, signer, f), signed):
            if signer != key_id(key):
                raise SimulatorError(f"{path} was signed with another organisation's key, or changed since",
                                     "nothing was imported; import it with the key it was signed with, or ask for "
                                     "it to be exported again with the simulator")
            raise changed
        if version != str(FORMAT) or signer != key_id(key):
            raise SimulatorError(f"{path} is a bundle of format {version}", "update the simulator to import it")
        try:
            f.seek(start)
            with zipfile.ZipFile(_Window(f, start, info.st_size)) as zf:
                manifest = _check_directory(zf, info.st_size - start)
                yield Bundle(path, zf, manifest, info.st_size)
        except _Refused as exc:
            raise SimulatorError(f"{path} cannot be imported: {exc}", ask) from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError, ValueError, IndexError,
                struct.error, NotImplementedError, RuntimeError, OverflowError) as exc:
            raise SimulatorError(f"{path} cannot be imported: its archive is malformed ({type(exc).__name__})",
                                 ask) from None


class _Window:
    """The zip after the header, as a file of its own (zip offsets count from the zip's first byte)."""

    def __init__(self, f: BinaryIO, start: int, end: int) -> None:
        self.f, self.start, self.end = f, start, end
        self.f.seek(start)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: self.start, 1: self.f.tell(), 2: self.end}[whence]
        return self.f.seek(max(self.start, base + offset)) - self.start

    def tell(self) -> int:
        return self.f.tell() - self.start

    def read(self, n: int = -1) -> bytes:
        left = self.end - self.f.tell()
        return self.f.read(left if n is None or n < 0 else min(n, left))

    def seekable(self) -> bool:
        return True


def _check_directory(zf: zipfile.ZipFile, size: int) -> Manifest:
    """Names, counts, sizes and expansion from the zip's directory, then the manifest: before anything is expanded."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _Refused(f"it holds {len(infos)} files, more than the {MAX_MEMBERS} a bundle may hold")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _Refused("it holds two files with the same name")
    expanded = 0
    for i in infos:
        if i.flag_bits & 0x1 or i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(f"{_shown(i.filename)} is encrypted or compressed in a way bundles never are")
        limit = _member_limit(i.filename)
        if limit is None:
            raise _Refused(f"it holds a file a bundle never has: {_shown(i.filename)}")
        if i.file_size > limit:
            raise _Refused(f"{_shown(i.filename)} is {i.file_size:,} bytes, more than {limit:,}")
        expanded += i.file_size
    if expanded > MAX_EXPANDED_BYTES or expanded > max(RATIO_ALLOWANCE, MAX_RATIO * size):
        raise _Refused(f"it would expand to {expanded / 1024 ** 2:,.0f} MB from {size / 1024 ** 2:,.1f} MB, "
                       "more than a bundle of sessions can")
    try:
        manifest = check_manifest(json.loads(zf.read("manifest.json").decode("utf-8")))
    except KeyError:
        raise _Refused("it has no manifest") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Refused(f"its manifest is unreadable ({str(exc)[:200]})") from None
    if manifest.format != FORMAT:
        raise _Refused(f"its manifest is of format {manifest.format}")
    members = set(names) - {"manifest.json"}
    if set(manifest.files) != members:
        raise _Refused("its manifest and its files do not agree")
    listed = set(manifest.sessions)
    for name in members:
        owner = name.split("/")[1].removesuffix(".json")
        if owner not in listed:
            raise _Refused(f"{_shown(name)} belongs to no session the manifest lists")
    if any(f"sessions/{sid}.json" not in members for sid in listed):
        raise _Refused("a session the manifest lists is missing")
    return manifest


def _member_limit(name: str) -> int | None:
    """The size limit for a member with this name, or None when no bundle ever holds such a name."""
    sid = SESSION_ID.strip("^$")
    if name == "manifest.json":
        return MAX_MANIFEST_BYTES
    if re.fullmatch(rf"sessions/{sid}\.json", name):
        return MAX_SESSION_BYTES
    if re.fullmatch(rf"audio/{sid}/{AUDIO_NAME.strip('^$')}", name):
        return MAX_AUDIO_BYTES
    return None


def _shown(name: str) -> str:
    from ..printable import printable
    return repr(printable(name[:120]))


def read_bundle(path: Path, key: bytes) -> tuple[Manifest, list[Session]]:
    """The verified manifest and every session of a bundle, checked (recordings are not read)."""
    with open_bundle(path, key) as bundle:
        try:
            return bundle.manifest, [bundle.session(sid) for sid in bundle.manifest.sessions]
        except _Refused as exc:
            raise SimulatorError(f"{path} cannot be imported: {exc}",
                                 "nothing was imported; ask for the bundle to be exported again") from None


# -- import -----------------------------------------------------------------------------

def import_bundle(store: Store, path: Path, key: bytes, answers_only: bool = False) -> ImportReport:
    """Every new session of a bundle, or nothing: a bundle with anything wrong in it changes nothing.

    answers_only: a trainee taking the manager's answers to their disputes: only the disputes of sessions
    already here are merged, and no one else's sessions are added to the trainee's records."""
    ask = "nothing was imported; ask for the bundle to be exported again with the simulator"
    with open_bundle(path, key) as bundle:
        try:
            # All are checked before any is written. The checked sessions are kept for writing unless the bundle's
            # session text is large, when each is read and checked again as it is written (memory stays bounded).
            keep = bundle.session_bytes() <= KEEP_CHECKED_BYTES
            new, already, checked, disputes = [], [], {}, {}
            for sid in bundle.manifest.sessions:
                session = bundle.session(sid)
                if store.read("SELECT 1 FROM sessions WHERE id = ?", (sid,)):
                    already.append(sid)
                    # A session both sides hold: its disputes still travel (the trainee's new ones to the manager,
                    # the manager's answers back to the trainee).
                    if session.disputes:
                        _check_disputes_fit(store, session)
                        disputes[sid] = [d.model_dump() for d in session.disputes]
                else:
                    new.append(sid)
                    if keep and not answers_only:
                        checked[sid] = session
            left_out = new if answers_only else []
            new = [] if answers_only else new
            _check_space(store, bundle, new)
            for sid in new:
                _import_one(store, bundle, checked.pop(sid, None) or bundle.session(sid))
            merged = 0
            if disputes:
                with store.write() as db:
                    merged = sum(merge_disputes(db, sid, found) for sid, found in disputes.items())
        except _Refused as exc:
            raise SimulatorError(f"{path} cannot be imported: {exc}", ask) from None
    return ImportReport(new, already, merged, left_out)


def _check_disputes_fit(store: Store, session: Session) -> None:
    """A bundle's disputes about a session already here must be about verdicts this store holds for it."""
    here = {(r["dimension"], r["item"]) for r in store.read(
        "SELECT dimension, item FROM verdicts WHERE session_id = ?", (session.id,))}
    if any((d.dimension, d.item) not in here for d in session.disputes):
        raise _Refused(f"session {session.id[:8]} has a dispute about a verdict this store does not hold for it")


def _check_space(store: Store, bundle: Bundle, new: list[str]) -> None:
    needed = sum(i.file_size for sid in new for i in bundle.recordings(sid))
    if not needed:
        return
    store.audio_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(store.audio_dir).free
    if needed + DISK_MARGIN > free:
        raise SimulatorError(f"{bundle.path} holds {needed / 1024 ** 2:,.0f} MB of recordings and the data folder "
                             f"has {free / 1024 ** 2:,.0f} MB free", "free some space and import it again; "
                             "nothing was imported")


def _import_one(store: Store, bundle: Bundle, session: Session) -> None:
    recordings = bundle.recordings(session.id)
    folder = audio_folder(store.audio_dir, session.id) if recordings else None
    if recordings and folder is None:
        raise _Refused(f"the recordings of session {session.id[:8]} would be written outside the data folder")
    try:
        if folder is not None:
            # Nothing of this session is in the store, so anything here is left from an import that failed.
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(mode=0o700, parents=True)
            for info in recordings:
                bundle.copy_recording(info, folder / info.filename.rsplit("/", 1)[1])
        _insert(store, session)
    except BaseException as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise SimulatorError(f"cannot import {bundle.path}: {exc.strerror or exc}",
                                 "check the free space and the data folder; the sessions already imported are kept"
                                 ) from None
        if isinstance(exc, sqlite3.Error):
            raise SimulatorError(f"cannot import session {session.id[:8]} of {bundle.path}: {exc}",
                                 "the sessions already imported are kept") from None
        raise


def _insert(store: Store, s: Session) -> None:
    d = s.model_dump()
    with store.write() as db:
        name = s.trainee.strip()
        db.execute("INSERT OR IGNORE INTO trainees (name, created_at) VALUES (?, ?)", (name, time.time()))
        trainee_id = db.execute("SELECT id FROM trainees WHERE name = ?", (name,)).fetchone()[0]
        db.execute(
            "INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256, scenario_file,"
            " intensity, seed, started_at, ended_at, status, ending_node, ending_outcome, path, keep_audio, origin)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'imported')",
            (s.id, trainee_id, s.scenario_id, s.scenario_title, s.scenario_sha256, s.scenario_file, s.intensity,
             s.seed, s.started_at, s.ended_at, s.status, s.ending_node, s.ending_outcome, json.dumps(s.path),
             int(s.keep_audio)))
        for t in d["turns"]:
            db.execute(
                "INSERT INTO turns (session_id, idx, speaker, kind, node, text, line_id, source, action, confidence,"
                " word_confidences, matches, started_at, ended_at, audio) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (s.id, t["index"], t["speaker"], t["kind"], t["node"], t["text"], t["line_id"], t["source"],
                 t["action"], t["confidence"], json.dumps(t["word_confidences"]) if t["word_confidences"] else None,
                 json.dumps(t["matches"]), t["started_at"], t["ended_at"], t["audio"]))
        if s.overall is not None:
            dims = {x["dimension"]: {"score": x["score"], "weight": x["weight"], "verdicts": []} for x in d["scores"]}
            for v in d["verdicts"]:
                dims.setdefault(v["dimension"], {"score": 0, "weight": 0, "verdicts": []})["verdicts"].append(v)
            save_result(db, s.id, {**d["result"], "overall": s.overall, "dimensions": dims})
        for o in d["overrides"]:
            db.execute("INSERT INTO overrides (session_id, dimension, item, status, comment, reviewer, created_at)"
                       " VALUES (?,?,?,?,?,?,?)", (s.id, o["dimension"], o["item"], o["status"], o["comment"],
                                                   o["reviewer"].strip(), o["created_at"]))
        for r in d["reviews"]:
            mark_reviewed(db, s.id, r["reviewer"].strip(), r["reviewed_at"])
        if d["overrides"]:
            refresh_review(db, s.id)
        merge_disputes(db, s.id, d["disputes"])
