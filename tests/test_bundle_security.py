"""A bundle signed with the organisation's key is still untrusted input: every trainee holds the key.

Each attack here was reproduced against the first version of the import: it wrote and deleted files
outside the data folder, expanded 2.3 MB into 2.3 GB, and raised tracebacks on malformed contents.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import os
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import SimulatorError
from simulator.store import Store, list_sessions, load_session
from simulator.store.bundle import export_bundle, import_bundle, key_id, organisation_key
from simulator.store.purge import purge
from test_store import play_into

KEY = b"our-organisation-key-0123456789"


def sign(payload: bytes, key: bytes = KEY, version: str = "2", signer: str | None = None) -> bytes:
    signer = signer or key_id(key)
    signed = f"SIMBUNDLE {version} {signer}\n".encode()
    return signed[:-1] + b" " + hmac.new(key, signed + payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload


def archive(members: dict[str, bytes], manifest: object | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of these members with a manifest that lists them truthfully, unless one is given."""
    if manifest is None:
        sessions = sorted({n.split("/")[1].removesuffix(".json") for n in members if n.startswith("sessions/")})
        manifest = {"format": 2, "created_at": 1.8e9, "key_id": key_id(KEY), "sessions": sessions,
                    "files": {n: hashlib.sha256(b).hexdigest() for n, b in members.items()}}
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", compression) as z:
        warnings.simplefilter("ignore")  # duplicate names are one of the attacks
        z.writestr("manifest.json", manifest if isinstance(manifest, bytes) else json.dumps(manifest))
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


@pytest.fixture(scope="module")
def good_session(tmp_path_factory) -> dict:
    """A real played session, as a bundle carries it."""
    with Store(tmp_path_factory.mktemp("trainee")) as store:
        sid, _ = play_into(store, ["That language isn't acceptable. If it continues I will end the call.",
                                   "/flag", "/end"], trainee="Ana")
        return load_session(store, sid).to_dict()


def bundle_of(tmp: Path, *sessions: dict, audio: dict[str, bytes] | None = None, name="b.simbundle") -> Path:
    members = {f"sessions/{s['id']}.json": json.dumps(s).encode() for s in sessions}
    members.update(audio or {})
    path = tmp / name
    path.write_bytes(sign(archive(members)))
    return path


def snapshot(root: Path, skip: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and skip not in p.parents}


def test_a_session_id_that_is_a_path_cannot_write_outside_the_data_folder(tmp_path, good_session):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "owned.txt").write_text("mine")
    for evil in (str(outside), f"../../{outside.name}", "../outside", "/etc"):
        s = copy.deepcopy(good_session)
        s["id"] = evil
        s["turns"][1]["audio"] = f"{evil}/owned.txt"
        members = {f"sessions/{evil}.json": json.dumps(s).encode(), f"audio/{evil}/owned.txt": b"written"}
        bundle = tmp_path / "evil.simbundle"
        bundle.write_bytes(sign(archive(members)))
        with Store(tmp_path / "data") as store, pytest.raises(SimulatorError, match="cannot be imported"):
            import_bundle(store, bundle, KEY)
        assert (outside / "owned.txt").read_text() == "mine"
        with Store(tmp_path / "data") as store:
            assert list_sessions(store) == []


def test_purge_never_deletes_a_folder_outside_the_data_folder(tmp_path):
    """A database written by an earlier version may already hold a path as a session id."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    with Store(tmp_path / "data") as store:
        sid, _ = play_into(store, ["Hello.", "/end"])
        with store.write() as db:
            db.execute("PRAGMA foreign_keys=OFF")
        store.conn.execute("PRAGMA foreign_keys=OFF")
        with store.write() as db:
            db.execute("UPDATE turns SET session_id = ?, audio = ? WHERE session_id = ? AND idx = 1",
                       (str(victim), f"{victim}/x.wav", sid))
            db.execute("UPDATE sessions SET id = ?, started_at = 0 WHERE id = ?", (str(victim), sid))
        store.conn.execute("PRAGMA foreign_keys=ON")
        report = purge(store, audio_days=1, session_days=None)
        assert report.audio_sessions == 1
    assert (victim / "precious.txt").read_text() == "keep me"


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path, good_session):
    zeros = b"\0" * (150 * 1024 * 1024)  # under the per-file limit; compresses to ~150 KB
    members = {f"sessions/{good_session['id']}.json": json.dumps(good_session).encode(),
               f"audio/{good_session['id']}/001.wav": zeros}
    bundle = tmp_path / "bomb.simbundle"
    bundle.write_bytes(sign(archive(members)))
    del zeros, members
    assert bundle.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    with Store(tmp_path / "data") as store, pytest.raises(SimulatorError, match="would expand"):
        import_bundle(store, bundle, KEY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    assert not (tmp_path / "data" / "audio").exists() or not any((tmp_path / "data" / "audio").iterdir())


def test_too_many_members_are_refused(tmp_path, good_session):
    sid = good_session["id"]
    members = {f"sessions/{sid}.json": json.dumps(good_session).encode()}
    members.update({f"audio/{sid}/{n:06d}.wav": b"" for n in range(50_001)})
    bundle = tmp_path / "many.simbundle"
    bundle.write_bytes(sign(archive(members, compression=zipfile.ZIP_STORED)))
    with Store(tmp_path / "data") as store, pytest.raises(SimulatorError, match="50,?001 files|more than the"):
        import_bundle(store, bundle, KEY)


def _edit(session: dict, path: str, value: object) -> dict:
    s = copy.deepcopy(session)
    *parents, last = path.split(".")
    node = s
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is KeyError:
        del node[last]
    else:
        node[last] = value
    return s


MALFORMED = [
    ("status", "hacked-status"),
    ("overall", 1e308),
    ("overall", float("nan")),
    ("started_at", -1),
    ("trainee", "Ana\x1b[2J\x1b]0;owned\x07"),
    ("trainee", "\u202eanA"),
    ("trainee", ""),
    ("scenario_title", "x" * 5000),
    ("turns.1.text", "red \x1b[31m text"),
    ("turns.1.speaker", "manager"),
    ("turns.1.kind", None),
    ("turns.1.index", "one"),
    ("turns", {"not": "a list"}),
    ("turns.1", ["a", "list"]),
    ("verdicts.0.status", "excellent"),
    ("verdicts.0.evidence", 7),
    ("scores.0.score", 101),
    ("result", []),
    ("result.measures", {"turns_to_boundary": {"nested": [1]}}),
    ("path", "start"),
    ("scenario_sha256", "abc"),
    ("trainee", KeyError),
    ("turns", KeyError),
    ("surprise", 1),
    ("turns.1.audio", "../../etc/passwd"),
    ("overrides", [{"dimension": "boundary_setting", "item": "names_behavior", "status": "met", "comment": "ok",
                    "reviewer": "Boss", "created_at": "yesterday"}]),
    ("overrides", [{"dimension": "nope", "item": "nothing", "status": "met", "comment": "ok",
                    "reviewer": "Boss", "created_at": 1.8e9}]),
]


@pytest.mark.parametrize("path,value", MALFORMED, ids=[f"{p}={str(v)[:20]!r}" for p, v in MALFORMED])
def test_malformed_signed_contents_are_refused_in_one_line(tmp_path, good_session, path, value):
    bundle = bundle_of(tmp_path, _edit(good_session, path, value))
    with Store(tmp_path / "data") as store:
        with pytest.raises(SimulatorError) as caught:
            import_bundle(store, bundle, KEY)
        assert "cannot be imported" in str(caught.value) and "\x1b" not in str(caught.value)
        assert list_sessions(store) == []


@pytest.mark.parametrize("manifest", [b"{not json", b"[" * 100_000, b"\xff\xfe", json.dumps([1, 2]).encode(),
                                      json.dumps({"format": 2}).encode()])
def test_a_malformed_manifest_is_refused(tmp_path, good_session, manifest):
    members = {f"sessions/{good_session['id']}.json": json.dumps(good_session).encode()}
    bundle = tmp_path / "m.simbundle"
    bundle.write_bytes(sign(archive(members, manifest=manifest)))
    with Store(tmp_path / "data") as store, pytest.raises(SimulatorError, match="cannot be imported"):
        import_bundle(store, bundle, KEY)


def test_a_session_listed_under_another_id_is_refused(tmp_path, good_session):
    other = _edit(good_session, "id", "0" * 32)
    members = {f"sessions/{good_session['id']}.json": json.dumps(other).encode()}
    bundle = tmp_path / "m.simbundle"
    bundle.write_bytes(sign(archive(members)))
    with Store(tmp_path / "data") as store, pytest.raises(SimulatorError, match="holds session 00000000"):
        import_bundle(store, bundle, KEY)


def test_one_bad_session_means_none_is_imported(tmp_path, good_session):
    fine = _edit(good_session, "id", "1" * 32)
    bad = _edit(_edit(good_session, "id", "2" * 32), "status", "hacked")
    bundle = bundle_of(tmp_path, fine, bad)
    with Store(tmp_path / "data") as store:
        with pytest.raises(SimulatorError, match="session 22222222"):
            import_bundle(store, bundle, KEY)
        assert list_sessions(store) == []


def test_recordings_are_imported_inside_the_audio_folder(tmp_path, good_session):
    s = _edit(_edit(good_session, "turns.1.audio", f"{good_session['id']}/001.wav"), "keep_audio", True)
    bundle = bundle_of(tmp_path, s, audio={f"audio/{s['id']}/001.wav": b"RIFF fake wav"})
    with Store(tmp_path / "data") as store:
        assert import_bundle(store, bundle, KEY).imported == [s["id"]]
        assert (store.audio_dir / s["id"] / "001.wav").read_bytes() == b"RIFF fake wav"
        assert load_session(store, s["id"]).turns[1]["audio"] == f"{s['id']}/001.wav"


def test_the_header_is_signed(tmp_path, good_session):
    bundle = bundle_of(tmp_path, good_session)
    raw = bundle.read_bytes()
    header_end = raw.index(b"\n")
    kid_at = raw.index(key_id(KEY).encode())
    cases = {
        "key id": raw[:kid_at] + b"0" * 12 + raw[kid_at + 12:],
        "key id, one byte": raw[:kid_at] + bytes([raw[kid_at] ^ 1]) + raw[kid_at + 1:],
        "version": raw.replace(b"SIMBUNDLE 2 ", b"SIMBUNDLE 3 ", 1),
        "signature, non-ASCII": raw[:header_end - 1] + b"\xe9" + raw[header_end:],
        "signature, one hex digit": raw[:header_end - 1] + (b"0" if raw[header_end - 1:header_end] != b"0" else b"1")
        + raw[header_end:],
    }
    with Store(tmp_path / "data") as store:
        for what, body in cases.items():
            edited = tmp_path / "edited.simbundle"
            edited.write_bytes(body)
            with pytest.raises(SimulatorError) as caught:
                import_bundle(store, edited, KEY)
            assert "update the simulator" not in str(caught.value), what
        assert list_sessions(store) == []


def test_a_bundle_of_a_newer_format_signed_by_us_asks_for_an_update(tmp_path, good_session):
    members = {f"sessions/{good_session['id']}.json": json.dumps(good_session).encode()}
    bundle = tmp_path / "new.simbundle"
    bundle.write_bytes(sign(archive(members), version="3"))
    with Store(tmp_path / "data") as store, pytest.raises(SimulatorError, match="update the simulator"):
        import_bundle(store, bundle, KEY)


def test_a_short_key_is_called_short(monkeypatch):
    monkeypatch.delenv("SIMULATOR_ORG_KEY_FILE", raising=False)
    monkeypatch.setenv("SIMULATOR_ORG_KEY", "short")
    with pytest.raises(SimulatorError, match="too short"):
        organisation_key()
    monkeypatch.setenv("SIMULATOR_ORG_KEY", "")
    with pytest.raises(SimulatorError, match="no organisation key"):
        organisation_key()


def test_an_empty_key_file_is_called_empty(tmp_path):
    # "no organisation key is set ... pass --key-file FILE" to someone who had passed one read as if it was ignored.
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    with pytest.raises(SimulatorError, match="empty.key is empty"):
        organisation_key(empty)


def test_a_fifo_or_a_device_is_not_a_bundle(tmp_path):
    fifo = tmp_path / "pipe.simbundle"
    os.mkfifo(fifo)
    with Store(tmp_path / "data") as store:
        for path in (fifo, Path("/dev/zero")):
            with pytest.raises(SimulatorError, match="is not a file"):
                import_bundle(store, path, KEY)


def test_exported_bundles_are_private(tmp_path):
    with Store(tmp_path / "data") as store:
        sid, _ = play_into(store, ["Hello.", "/end"])
        out = export_bundle(store, [sid], tmp_path / "out" / "s.simbundle", KEY)
    assert out.stat().st_mode & 0o077 == 0


# -- the property: whatever a key holder signs is refused or imported cleanly ------------------

_SID = st.sampled_from(["0" * 32, "a" * 32, "../../outside", "/tmp/x", "", "A" * 32, "0" * 31 + "\x00", "..",
                        "0" * 32 + "/../..", "sessions", "%2e%2e"])
_NAME = st.one_of(
    st.builds(lambda s: f"sessions/{s}.json", _SID),
    st.builds(lambda s, n: f"audio/{s}/{n}", _SID, st.sampled_from(["001.wav", "../../x", "/etc/x", "a.wav", ""])),
    st.sampled_from(["manifest.json", "../escape", "/abs", "sessions/", "audio", "x" * 300]),
    st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),  # zipfile cuts a name at NUL, to nothing
)
_JSON = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                  max_size=4), max_leaves=20)


@st.composite
def signed_bundles(draw, good: dict) -> bytes:
    members: dict[str, bytes] = {}
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["session", "edited", "json", "bytes", "zeros"]))
        name = draw(_NAME)
        if kind == "session":
            s = copy.deepcopy(good)
            s["id"] = draw(_SID)
            members[f"sessions/{s['id']}.json"] = json.dumps(s).encode()
        elif kind == "edited":
            key = draw(st.sampled_from(sorted(good)))
            members[name] = json.dumps({**good, key: draw(_JSON)}).encode()
        elif kind == "json":
            members[name] = json.dumps(draw(_JSON)).encode()
        elif kind == "bytes":
            members[name] = draw(st.binary(max_size=200))
        else:
            members[name] = b"\0" * draw(st.integers(0, 80 * 1024 * 1024))
    manifest: object = None
    if draw(st.booleans()):
        manifest = draw(st.one_of(_JSON, st.builds(
            lambda s, f: {"format": 2, "created_at": 1.8e9, "key_id": key_id(KEY), "sessions": s, "files": f},
            st.lists(_SID, max_size=3), st.dictionaries(_NAME, st.sampled_from(["0" * 64, "zz"]), max_size=3))))
    return sign(archive(members, manifest=manifest))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_signed_bundle_is_refused_or_imported_cleanly(tmp_path, good_session, data):
    raw = data.draw(signed_bundles(good_session))
    case = tmp_path / f"case-{os.urandom(4).hex()}"
    case.mkdir()
    (case / "outside.txt").write_text("untouched")
    before = snapshot(tmp_path, skip=case / "data")
    bundle = case / "b.simbundle"
    bundle.write_bytes(raw)
    tracemalloc.start()
    with Store(case / "data") as store:
        try:
            report = import_bundle(store, bundle, KEY)
        except SimulatorError as exc:
            assert "\n" not in exc.message and "\x1b" not in str(exc)
            assert list_sessions(store) == []
        else:
            for sid in report.imported:
                load_session(store, sid).to_dict()  # what was imported reads back whole
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 64 * 1024 * 1024
    after = snapshot(tmp_path, skip=case / "data")
    assert after == {**before, str(bundle): raw}
    for p in (case / "data").rglob("*"):
        assert p.resolve().is_relative_to((case / "data").resolve())


def test_a_key_file_that_is_a_pipe_is_refused_at_once(tmp_path):
    fifo = tmp_path / "org.key"
    os.mkfifo(fifo)
    with pytest.raises(SimulatorError, match="cannot read the organisation key"):
        organisation_key(fifo)


@pytest.mark.parametrize("keep_limit", [0, 64 * 1024 ** 2])
def test_sessions_are_imported_alike_whether_kept_checked_or_read_again(tmp_path, good_session, monkeypatch,
                                                                     keep_limit):
    import simulator.store.bundle as bundle_module
    monkeypatch.setattr(bundle_module, "KEEP_CHECKED_BYTES", keep_limit)
    sessions = [_edit(good_session, "id", f"{n:x}" * 32) for n in range(3)]
    bundle = bundle_of(tmp_path, *sessions)
    with Store(tmp_path / "data") as store:
        assert sorted(import_bundle(store, bundle, KEY).imported) == sorted(s["id"] for s in sessions)
        for s in sessions:
            assert load_session(store, s["id"]).turns == good_session["turns"]
