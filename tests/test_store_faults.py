"""The session store when things go wrong: a full disk, read-only storage, a damaged database, a race between
two processes; and the privacy of everything it writes. Real files, real mounts (a small tmpfs), real SQLite."""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from simulator.cli import main
from simulator.engine import Session
from simulator.errors import SimulatorError
from simulator.scenario import load_scenario
from simulator.scoring import PhraseDetector
from simulator.store import COMPLETED, INTERRUPTED, Store, list_sessions, load_session
from simulator.store.backup import EVERY, KEEP, MAX_AGE, backup_if_due, backups, restore
from simulator.store.csvexport import export_csv
from simulator.store.recorder import SessionRecorder
from simulator.store.report import write_html
from simulator.store.schema import migrate
from storefill import play

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mounts and file modes are Linux's")

GOOD = ["That language isn't acceptable. If it continues I will end the call.", "/end"]


# -- helpers --------------------------------------------------------------------------------------------------
class Disk:
    """A small tmpfs of our own: filled, emptied and made read-only at will."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / "filler"

    def fill(self) -> None:
        with open(self.filler, "ab") as f:
            for chunk in (1 << 16, 1 << 12):  # tmpfs gives space by 4 KiB pages
                try:
                    while True:
                        f.write(b"\0" * chunk)
                        f.flush()
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
            try:
                f.close()
            except OSError:
                pass

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def remount(self, mode: str) -> None:
        gc.collect()  # a connection nobody closed keeps a file open for writing, and remount then fails
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.root)], check=True, capture_output=True)


@contextmanager
def tmpfs(where: Path, size: str = "8m"):
    where.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no mount command here")
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs ({done.stderr.strip()}): these tests need root or CAP_SYS_ADMIN")
    try:
        yield Disk(where)
    finally:
        gc.collect()
        if subprocess.run(["umount", str(where)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)  # detach even if something holds it


@pytest.fixture
def disk(tmp_path):
    with tmpfs(tmp_path / "disk") as d:
        yield d


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def turn(index: int, text: str = "", speaker: str = "customer") -> SimpleNamespace:
    return SimpleNamespace(index=index, speaker=speaker, kind="line" if speaker == "customer" else "reply",
                           node=f"n{index}", text=text, line_id=None, source="typed", action=None, confidence=None,
                           word_confidences=None, matches=[], started_at=float(index), ended_at=float(index) + 0.5)


def begin(store: Store, trainee: str = "Ana") -> str:
    return store.begin_session(trainee=trainee, scenario_id="x", scenario_title="X", scenario_sha256="0" * 64,
                               scenario_file=None, intensity=None, seed=None)


def damage(db: Path, keep_times: bool = False) -> None:
    """Overwrite the pages holding the transcripts with noise, as a failing disk or a stray write would: the rest
    of the file (the schema, the session list) still reads."""
    st = db.stat()
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'turns'")]
    with open(db, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(bytes((i * 131 + page) % 256 for i in range(size)))
    if keep_times:  # bit rot leaves the modification time alone: the check at open is then skipped
        os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns))


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- privacy ------------------------------------------------------------------------------------------------
def test_the_data_folder_and_everything_the_store_writes_are_private_whatever_the_umask(tmp_path):
    """Recordings of employees on a shared machine: folders 0700, files 0600, even with umask 000."""
    data = tmp_path / "data"
    with umask(0), Store(data) as store:
        play(store, "swearing-caller", GOOD, "Ana")
        sf = load_scenario("scenarios/swearing-caller.yaml")
        session = Session(sf, PhraseDetector(sf.criteria), seed=1)
        recorder = SessionRecorder(store, session, "Bo", keep_audio=True)
        session.start()
        recorder.hold_audio(b"\0\0" * 1600)
        session.reply("Please stop swearing.")
        sid = recorder.id
        open_files = [data / "sessions.sqlite3-wal", data / "sessions.sqlite3-shm", data / "locks" / f"{sid}.lock"]
        assert {p.name: mode(p) for p in open_files} == {p.name: 0o600 for p in open_files}
        recorder.close()
        (audio,) = [t["audio"] for t in load_session(store, sid).turns if t["audio"]]
    folders = [data, data / "locks", data / "audio", data / "audio" / sid, data / "backups"]
    files = [data / "sessions.sqlite3", data / "sessions.sqlite3.checked", data / "audio" / audio,
             *(b.path for b in backups(data))]
    assert len(files) == 4
    assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}
    assert {str(p): mode(p) for p in files} == {str(p): 0o600 for p in files}


def test_a_data_folder_left_open_by_an_older_version_is_made_private_at_open(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        play(store, "swearing-caller", GOOD, "Ana")
    (data / "audio").mkdir()
    for folder in (data, data / "locks", data / "audio", data / "backups"):
        folder.chmod(0o755)
    (data / "sessions.sqlite3").chmod(0o644)
    with Store(data):
        pass
    assert [mode(p) for p in (data, data / "locks", data / "audio", data / "backups")] == [0o700] * 4
    assert mode(data / "sessions.sqlite3") == 0o600


def test_reports_and_csv_are_written_private_and_whole(tmp_path):
    with Store(tmp_path / "data") as store:
        sid = play(store, "swearing-caller", GOOD, "Ana")
        out = tmp_path / "out"
        out.mkdir()
        with umask(0):
            export_csv(store, [sid], out / "sessions.csv")
            write_html(load_session(store, sid), out / "report.html")
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "sessions.csv"]
    assert mode(out / "sessions.csv") == mode(out / "report.html") == 0o600
    assert (out / "sessions.csv").read_text(encoding="utf-8").startswith("row,session,trainee")
    assert "<html>" in (out / "report.html").read_text(encoding="utf-8")


# -- a full disk --------------------------------------------------------------------------------------------
def test_an_export_on_a_full_disk_leaves_no_file_behind_and_says_the_disk_is_full(tmp_path, disk):
    with Store(tmp_path / "data") as store:
        sid = play(store, "swearing-caller", GOOD, "Ana")
        disk.fill()
        for write in (lambda p: export_csv(store, [sid], p), lambda p: write_html(load_session(store, sid), p)):
            with pytest.raises(SimulatorError, match="disk is full"):
                write(disk.root / "export")
    assert sorted(p.name for p in disk.root.iterdir()) == ["filler"]  # no 0-byte file, no .partial


def test_on_a_full_disk_what_was_saved_can_still_be_read_and_saving_says_why_not(disk, capsys):
    data = disk.root / "data"
    with Store(data) as store:
        first = play(store, "swearing-caller", GOOD, "Ana")
        second = play(store, "late-refund-empathy", ["I understand how frustrating this is.", "/end"], "Bo")
    disk.fill()
    with Store(data) as store:
        assert store.read_only and store.read_only.full
        assert {s.id for s in list_sessions(store)} == {first, second}
        assert load_session(store, first).summary.status == COMPLETED
        with pytest.raises(SimulatorError, match="cannot be saved: the disk holding .* is full") as caught:
            begin(store)
        assert "free some space" in caught.value.hint
    code, out, err = run_cli(capsys, "--data-dir", str(data), "sessions", "list")
    assert code == 0 and first[:8] in out and second[:8] in out
    code, out, err = run_cli(capsys, "--data-dir", str(data), "sessions", "show", first[:8])
    assert code == 0 and "That language isn't acceptable" in out
    disk.free()
    with Store(data) as store:
        assert store.read_only is None
        assert {s.id for s in list_sessions(store)} == {first, second}
        assert store.read("PRAGMA integrity_check")[0][0] == "ok"


def test_a_disk_filling_up_mid_session_loses_no_turn_already_saved(disk):
    data = disk.root / "data"
    saved = []
    with Store(data) as store:
        sid = begin(store)
        for i in range(10):
            store.add_turn(sid, turn(i, "x" * 2000))
            saved.append(i)
        disk.fill()
        with pytest.raises(SimulatorError, match="cannot be saved: the disk .* is full") as caught:
            for i in range(10, 5000):
                store.add_turn(sid, turn(i, "x" * 2000))
                saved.append(i)
        assert "nothing already saved is lost" in caught.value.hint
        assert load_session(store, sid).turns[-1]["index"] == saved[-1]  # reading goes on
    disk.free()
    with Store(data) as store:
        assert store.recovered == [sid]
        record = load_session(store, sid)
        assert record.summary.status == INTERRUPTED
        assert [t["index"] for t in record.turns] == saved
        assert store.read("PRAGMA integrity_check")[0][0] == "ok"


def test_a_disk_that_fills_mid_call_in_the_app_loses_no_reply_and_the_call_goes_on(qtbot, disk):
    # The reply typed as the disk filled vanished from the screen and the records, and the call stayed open
    # with nothing answering (the save failure rose through the session). Now it waits and is saved later.
    from appkit import choose, open_window, press, type_reply, wait_for_results
    window = open_window(qtbot, disk.root)
    choose(qtbot, window, "swearing-caller")
    sid = window.live.practice.session_id
    notices = window.roleplay.notice.text
    type_reply(qtbot, window, "I can hear you're frustrated about the outage.")
    disk.fill()
    type_reply(qtbot, window, "That language is not acceptable. Please stop swearing at me.")
    qtbot.waitUntil(lambda: "not being saved" in notices(), timeout=10_000)
    assert any("not acceptable" in t.text for t in window.live.session.turns)  # the call goes on with it
    disk.free()
    type_reply(qtbot, window, "If it continues I will end this call.")
    qtbot.waitUntil(lambda: "Saving works again" in notices(), timeout=10_000)
    assert "not being saved" not in notices()  # the one replaces the other
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    with Store(disk.root / "data") as store:
        record = load_session(store, sid)
    said = [t["text"] for t in record.turns if t["speaker"] == "trainee" and t["kind"] == "reply"]
    assert said == ["I can hear you're frustrated about the outage.",
                    "That language is not acceptable. Please stop swearing at me.",
                    "If it continues I will end this call."]
    assert record.summary.status == COMPLETED and record.summary.overall is not None


def test_a_call_that_ends_while_the_disk_is_full_is_saved_once_it_has_room(qtbot, disk):
    # It was lost without a word: the results showed a score, a dispute of it failed, and the next start kept
    # only the customer's first line, as interrupted.
    from PySide6.QtWidgets import QLabel, QPushButton
    from appkit import choose, open_window, press, type_reply, wait_for_results
    window = open_window(qtbot, disk.root)
    choose(qtbot, window, "swearing-caller")
    sid = window.live.practice.session_id
    disk.fill()
    type_reply(qtbot, window, "That language is not acceptable. If it continues I will end this call.")
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    notices = lambda: " ".join(label.text() for label in window.notices.findChildren(QLabel))  # noqa: E731
    disputes = [b for b in window.results.findChildren(QPushButton) if "think this is right" in b.text()]
    assert "not saved yet" in notices() and disputes and not any(b.isVisible() for b in disputes)
    disk.free()
    qtbot.waitUntil(lambda: "saved now" in notices(), timeout=20_000)
    with Store(disk.root / "data") as store:
        record = load_session(store, sid)
    assert record.summary.status == COMPLETED and record.summary.overall is not None
    assert any("not acceptable" in t["text"] for t in record.turns)


# -- read-only storage --------------------------------------------------------------------------------------
def test_on_a_read_only_folder_reading_commands_work_and_writing_ones_say_it_is_read_only(tmp_path, disk, capsys):
    data = disk.root / "data"
    with Store(data) as store:
        sid = play(store, "swearing-caller", GOOD, "Ana")
    disk.remount("ro")
    with Store(data) as store:
        assert store.read_only and not store.read_only.full
        assert [s.id for s in list_sessions(store)] == [sid]
        with pytest.raises(SimulatorError, match="cannot be saved: .* read-only"):
            store.mark_reviewed(sid, "Mo")
    base = ["--data-dir", str(data), "sessions"]
    assert run_cli(capsys, *base, "list")[0] == 0
    assert run_cli(capsys, *base, "show", sid[:8])[0] == 0
    assert run_cli(capsys, *base, "export", "--csv", str(tmp_path / "all.csv"))[0] == 0
    assert run_cli(capsys, *base, "report", sid[:8], "--html", str(tmp_path / "one.html"))[0] == 0
    assert (tmp_path / "all.csv").exists() and (tmp_path / "one.html").exists()
    replies = tmp_path / "replies.txt"
    replies.write_text("Please stop swearing.\n/end\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "--data-dir", str(data), "play", "swearing-caller", "--replies", str(replies))
    assert code == 2 and "cannot be saved" in err and "read-only" in err and "Traceback" not in err


def test_a_read_only_folder_with_nothing_saved_yet_lists_no_sessions(disk):
    disk.remount("ro")
    with Store(disk.root) as store:
        assert list_sessions(store) == []
        with pytest.raises(SimulatorError, match="read-only"):
            begin(store)


def test_a_read_only_database_of_an_older_version_is_read_through_an_upgraded_copy(disk):
    data = disk.root / "data"
    data.mkdir()
    with closing(sqlite3.connect(data / "sessions.sqlite3", isolation_level=None)) as conn:
        migrate(conn, upto=1)
        conn.execute("INSERT INTO trainees (id, name, created_at) VALUES (1, 'Old Timer', 0)")
        conn.execute("INSERT INTO sessions (id, trainee_id, scenario_id, scenario_title, scenario_sha256, started_at,"
                     " status, overall) VALUES ('abc', 1, 's', 'T', ?, 1, 'completed', 55)", ("0" * 64,))
    disk.remount("ro")
    with Store(data) as store:
        (old,) = list_sessions(store)
        assert old.trainee == "Old Timer" and old.overall == 55


def test_a_read_only_database_file_is_read_and_saving_says_so(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        sid = play(store, "swearing-caller", GOOD, "Ana")
    db = data / "sessions.sqlite3"
    # As root, file modes do not stop writing; the immutable attribute does.
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available on this file system")
    try:
        with Store(data) as store:
            assert f"{db} is read-only" in str(store.read_only)
            assert load_session(store, sid).summary.status == COMPLETED
            with pytest.raises(SimulatorError, match="read-only"):
                begin(store)
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


# -- a damaged database -------------------------------------------------------------------------------------
def test_a_damaged_database_is_found_at_open_and_every_command_says_how_to_restore(tmp_path, capsys):
    with Store(tmp_path) as store:
        for _ in range(3):
            play(store, "swearing-caller", GOOD, "Ana")
    damage(tmp_path / "sessions.sqlite3")
    with pytest.raises(SimulatorError) as caught:
        Store(tmp_path)
    assert str(tmp_path / "sessions.sqlite3") in caught.value.message and "damaged" in caught.value.message
    assert "simulator sessions restore" in caught.value.hint
    for argv in (["sessions", "list"], ["lrs", "status"], ["sessions", "push"]):
        code, _, err = run_cli(capsys, "--data-dir", str(tmp_path), *argv)
        assert (code, "Traceback" in err) == (2, False), argv
        assert "damaged" in err and "simulator sessions restore" in err, argv


def test_damage_found_after_opening_is_one_clear_error_too(tmp_path, capsys):
    data = tmp_path / "data"
    with Store(data) as store:
        sid = play(store, "swearing-caller", GOOD, "Ana")
    with Store(data) as store:  # open and checked, then the disk fails under it
        damage(data / "sessions.sqlite3", keep_times=True)
        with pytest.raises(SimulatorError, match="damaged") as caught:
            load_session(store, sid)
        assert "simulator sessions restore" in caught.value.hint
    code, _, err = run_cli(capsys, "--data-dir", str(data), "sessions", "show", sid[:8])
    assert (code, "Traceback" in err) == (2, False)
    assert "damaged" in err and "simulator sessions restore" in err


# -- backups and restore ------------------------------------------------------------------------------------
def test_backups_are_made_at_most_every_few_hours_and_only_the_last_few_kept(tmp_path):
    with Store(tmp_path) as store:
        assert backups(tmp_path) == []  # nothing saved yet: nothing to back up
        play(store, "swearing-caller", GOOD, "Ana")
        (first,) = backups(tmp_path)  # made once the session was scored
        play(store, "swearing-caller", GOOD, "Ana")
        assert backups(tmp_path) == [first]
        t = first.taken_at
        assert backup_if_due(store.conn, tmp_path, now=t + EVERY - 60) is None
        for n in range(1, KEEP + 3):
            assert backup_if_due(store.conn, tmp_path, now=t + n * EVERY) is not None
        kept = backups(tmp_path)
        assert len(kept) == KEEP and kept[0].taken_at == t + (KEEP + 2) * EVERY
        backup_if_due(store.conn, tmp_path, now=t + MAX_AGE + 100 * EVERY)
        assert len(backups(tmp_path)) == 1  # older than the retention allows: gone
    newest = backups(tmp_path)[0].path
    with closing(sqlite3.connect(newest.as_uri() + "?mode=ro", uri=True)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2
    assert mode(newest) == 0o600 and mode(newest.parent) == 0o700


def test_after_a_purge_no_backup_keeps_the_deleted_sessions(tmp_path):
    """The retention period applies to backups too: the purged words are in no copy, nor in the database."""
    with Store(tmp_path) as store:
        gone = play(store, "swearing-caller", ["Zanzibar, that language isn't acceptable.", "/end"], "Ana")
        t = backups(tmp_path)[0].taken_at
        stays = play(store, "swearing-caller", GOOD, "Bo")
        backup_if_due(store.conn, tmp_path, now=t + EVERY)
        assert len(backups(tmp_path)) == 2
        with store.write() as db:  # what a purge does at the end of the retention period
            db.execute("DELETE FROM sessions WHERE id = ?", (gone,))
            db.execute("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")  # the word index forgets them too
        store.renew_backups()
    (fresh,) = backups(tmp_path)
    with closing(sqlite3.connect(fresh.path.as_uri() + "?mode=ro", uri=True)) as copy:
        assert [r[0] for r in copy.execute("SELECT id FROM sessions")] == [stays]
    for kept in (fresh.path, tmp_path / "sessions.sqlite3"):
        assert b"anzibar" not in kept.read_bytes()  # overwritten (secure_delete), not just unlinked from the tree


def test_restore_lists_backups_and_puts_one_back_keeping_the_damaged_file(tmp_path, capsys):
    data = tmp_path / "data"
    with Store(data) as store:
        kept = play(store, "swearing-caller", GOOD, "Ana")  # the first backup is made once it is scored
        lost = play(store, "swearing-caller", GOOD, "Bo")
    db = data / "sessions.sqlite3"
    damage(db)
    damaged_bytes = hashlib.sha256(db.read_bytes()).hexdigest()
    (backup,) = backups(data)
    base = ["--data-dir", str(data), "sessions", "restore"]
    code, out, _ = run_cli(capsys, *base, "--list")
    assert code == 0 and backup.name in out
    code, out, _ = run_cli(capsys, *base)
    assert code == 0 and "run again with --yes" in out
    assert hashlib.sha256(db.read_bytes()).hexdigest() == damaged_bytes  # a dry run changes nothing
    code, out, _ = run_cli(capsys, *base, backup.name, "--yes")
    assert code == 0 and "restored 1 session from" in out
    (aside,) = [p for p in (data / "before-restore").iterdir() if p.name.endswith(".sqlite3")]
    assert hashlib.sha256(aside.read_bytes()).hexdigest() == damaged_bytes
    assert mode(aside.parent) == 0o700 and mode(db) == 0o600
    with Store(data) as store:
        (back,) = list_sessions(store)
    assert back.id == kept != lost and back.overall is not None


def test_restore_refuses_while_the_records_are_open_and_refuses_a_file_that_is_no_backup(tmp_path):
    data = tmp_path / "data"
    with Store(data) as store:
        play(store, "swearing-caller", GOOD, "Ana")
        (backup,) = backups(data)
        with pytest.raises(SimulatorError, match="open in another window"):
            restore(data, store.path, backup.path)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database" * 100)
    with pytest.raises(SimulatorError, match="not a usable backup"):
        restore(data, data / "sessions.sqlite3", junk)


# -- a race between two processes ---------------------------------------------------------------------------
def test_recovery_never_marks_interrupted_a_session_its_player_finished_meanwhile(tmp_path):
    """Another process finishes its session between our look at its lock and our write: it stays completed."""
    with Store(tmp_path) as playing:
        sid = begin(playing)
        playing.add_turn(sid, turn(0, "Hello?"))
        with Store(tmp_path) as other:  # flock locks are per open file: a second Store is another process
            looked = other.locks.abandoned

            def finished_in_between(session_id: str) -> bool:
                playing.finish_session(sid, COMPLETED, ending_node="calm", path=["start", "calm"])
                with playing.write() as db:
                    db.execute("UPDATE sessions SET overall = 75 WHERE id = ?", (sid,))
                return looked(session_id)

            other.locks.abandoned = finished_in_between
            assert other.recover_interrupted() == []
        record = load_session(playing, sid)
    assert (record.summary.status, record.summary.overall, record.path) == (COMPLETED, 75, ["start", "calm"])


# -- kill -9 in the middle of export and import ------------------------------------------------------------------
KEY = "our-organisation-key-0123456789"


def _cli(*argv: str, data: Path) -> subprocess.Popen:
    env = {**os.environ, "SIMULATOR_ORG_KEY": KEY, "SIMULATOR_DATA_DIR": str(data), "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen([sys.executable, "-m", "simulator", *argv], cwd=Path(__file__).parent.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 60) -> None:
    import time
    end = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"finished before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < end, "never reached the point to interrupt"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def many_sessions(tmp_path_factory) -> tuple[Path, list[str]]:
    from storefill import fill
    folder = tmp_path_factory.mktemp("trainee")
    with Store(folder) as store:
        return folder, fill(store, 2000)


def test_kill_9_during_export_leaves_no_bundle_and_the_next_export_is_whole(many_sessions, tmp_path):
    folder, ids = many_sessions
    out = tmp_path / "team.simbundle"
    proc = _cli("sessions", "export", "--out", str(out), data=folder)
    partial = out.with_name(out.name + ".partial")
    _wait_for(lambda: partial.exists() and partial.stat().st_size > 100_000, proc)
    proc.kill()
    proc.communicate()
    assert not out.exists()  # a bundle is whole or absent
    again = _cli("sessions", "export", "--out", str(out), data=folder)
    stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr
    with Store(tmp_path / "manager") as manager:
        from simulator.store.bundle import import_bundle
        assert len(import_bundle(manager, out, KEY.encode()).imported) == len(ids)


def test_kill_9_during_import_keeps_whole_sessions_and_importing_again_completes_it(many_sessions, tmp_path):
    folder, ids = many_sessions
    bundle = tmp_path / "team.simbundle"
    with Store(folder) as store:
        from simulator.store.bundle import export_bundle
        export_bundle(store, ids, bundle, KEY.encode())
        turns = {r["session_id"]: r["n"] for r in store.read(
            "SELECT session_id, COUNT(*) AS n FROM turns GROUP BY session_id")}
    manager = tmp_path / "manager"
    db = manager / "sessions.sqlite3"

    def imported() -> int:
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
                return conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        except sqlite3.Error:
            return 0

    proc = _cli("sessions", "import", str(bundle), data=manager)
    _wait_for(lambda: imported() > 0, proc, timeout=120)
    proc.kill()
    proc.communicate()
    part = imported()
    assert 0 < part < len(ids)
    again = _cli("sessions", "import", str(bundle), data=manager)
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    n = len(ids) - part
    assert f"imported {n} session{'' if n == 1 else 's'}, {part} already here" in stdout.decode()
    with Store(manager) as store:
        assert store.read("PRAGMA integrity_check")[0][0] == "ok"
        got = {r["session_id"]: r["n"] for r in store.read(
            "SELECT session_id, COUNT(*) AS n FROM turns GROUP BY session_id")}
        assert got == turns  # every session whole, none twice


def test_the_trainee_app_and_the_review_app_saving_settings_keep_each_other_s_changes(tmp_path):
    # Each wrote back everything it had read at start: a data folder changed in the trainee's app went back to
    # the old one when the review app saved the reviewer's name, and the next sessions went to the old folder.
    from simulator.settings import AppSettings, read_settings, save_settings
    path = tmp_path / "settings.json"
    start = save_settings(AppSettings(trainee="Robin", data_dir=str(tmp_path / "old")), path)
    trainee_app = review_app = start  # both read the file as they started
    trainee_app = save_settings(start.model_copy(update={"data_dir": str(tmp_path / "new")}), path,
                                since=trainee_app)
    review_app = save_settings(start.model_copy(update={"reviewer": "Mo"}), path, since=review_app)
    on_disk = read_settings(path)[0]
    assert on_disk.data_dir == str(tmp_path / "new") and on_disk.reviewer == "Mo" and on_disk.trainee == "Robin"
    save_settings(trainee_app.model_copy(update={"text_scale": 150}), path, since=trainee_app)
    assert read_settings(path)[0].reviewer == "Mo"  # and the other way round


def test_sessions_list_gives_a_long_name_whole(tmp_path, capsys):
    # Cut at 16 letters, "Bartholomew Okonkwo-Smith" read "Bartholomew Okon".
    from test_store import play_into
    with Store(tmp_path) as store:
        play_into(store, ["That language isn't acceptable.", "/end"], trainee="Bartholomew Okonkwo-Smith")
        play_into(store, ["That language isn't acceptable.", "/end"], trainee="Ana")
    code, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "sessions", "list")
    assert code == 0 and "Bartholomew Okonkwo-Smith " in out
    header, *rows = out.splitlines()
    assert {line.index("swearing-caller") for line in rows} == {header.index("scenario")}  # the columns still line up
