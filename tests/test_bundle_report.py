"""Bundles refuse anything edited; reports and CSV cannot be injected into."""

import csv
import io
import zipfile

import pytest

from simulator.errors import SimulatorError
from simulator.store import Store, list_sessions, load_session
from simulator.store.bundle import export_bundle, import_bundle, organisation_key
from simulator.store.csvexport import export_csv
from simulator.store.purge import purge
from simulator.store.report import session_html
from test_store import play_into

KEY = b"our-organisation-key-0123456789"
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> That language isn't acceptable."


@pytest.fixture
def played(tmp_path):
    store = Store(tmp_path / "trainee")
    sid, _ = play_into(store, [HOSTILE, "=HYPERLINK(\"http://x\")", "/end"], trainee="<b>Ana</b>")
    yield store, sid
    store.close()


def test_bundle_round_trip_and_importing_twice_does_not_duplicate(played, tmp_path):
    store, sid = played
    bundle = export_bundle(store, [sid], tmp_path / "s.simbundle", KEY)
    with Store(tmp_path / "manager") as manager:
        first = import_bundle(manager, bundle, KEY)
        second = import_bundle(manager, bundle, KEY)
        assert first.imported == [sid] and second.imported == [] and second.already_there == [sid]
        (summary,) = list_sessions(manager)
        assert summary.origin == "imported"
        mine, theirs = load_session(store, sid).to_dict(), load_session(manager, sid).to_dict()
        assert theirs["turns"] == mine["turns"] and theirs["verdicts"] == mine["verdicts"]
        assert theirs["overall"] == mine["overall"] and theirs["result"] == mine["result"]


def test_a_bundle_with_one_byte_changed_is_refused(played, tmp_path):
    store, sid = played
    bundle = export_bundle(store, [sid], tmp_path / "s.simbundle", KEY)
    # a well-formed archive with one member's content edited, the header kept
    header, _, payload = bundle.read_bytes().partition(b"\n")
    edited_zip = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as src, zipfile.ZipFile(edited_zip, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == f"sessions/{sid}.json":
                body = body.replace(b'"overall": ', b'"overall": 9', 1)
            dst.writestr(info, body)
    out = tmp_path / "edited.simbundle"
    out.write_bytes(header + b"\n" + edited_zip.getvalue())
    with Store(tmp_path / "manager") as manager, pytest.raises(SimulatorError, match="changed or cut short"):
        import_bundle(manager, out, KEY)
    # and a raw bit flip anywhere in the file: headers, compressed data, directory
    original = bundle.read_bytes()
    with Store(tmp_path / "manager2") as manager:
        for at in range(0, len(original), max(1, len(original) // 40)):
            raw = bytearray(original)
            raw[at] ^= 0x01
            flipped = tmp_path / "flipped.simbundle"
            flipped.write_bytes(bytes(raw))
            with pytest.raises(SimulatorError, match="changed or cut short|not a session bundle|another"):
                import_bundle(manager, flipped, KEY)
        assert list_sessions(manager) == []


def test_a_truncated_bundle_is_refused(played, tmp_path):
    store, sid = played
    bundle = export_bundle(store, [sid], tmp_path / "s.simbundle", KEY)
    cut = tmp_path / "cut.simbundle"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    with Store(tmp_path / "manager") as manager, pytest.raises(SimulatorError, match="changed or cut short"):
        import_bundle(manager, cut, KEY)


def test_a_bundle_signed_with_another_key_says_so(played, tmp_path):
    store, sid = played
    bundle = export_bundle(store, [sid], tmp_path / "s.simbundle", KEY)
    with Store(tmp_path / "manager") as manager, pytest.raises(SimulatorError, match="another organisation's key"):
        import_bundle(manager, bundle, b"a-different-key-9876543210")


def test_there_is_no_default_key(monkeypatch):
    monkeypatch.delenv("SIMULATOR_ORG_KEY", raising=False)
    monkeypatch.delenv("SIMULATOR_ORG_KEY_FILE", raising=False)
    with pytest.raises(SimulatorError, match="no organisation key is set"):
        organisation_key()
    monkeypatch.setenv("SIMULATOR_ORG_KEY", "short")
    with pytest.raises(SimulatorError, match="at least 16"):
        organisation_key()


def test_a_file_that_is_not_a_key_is_refused_as_such(tmp_path):
    """The key-file picker took any file: a bundle picked by mistake became the key, and every bundle after it
    was refused as signed with another key."""
    bundle = tmp_path / "week1.simbundle"
    bundle.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(SimulatorError, match="zip file .*not an organisation key file") as caught:
        organisation_key(bundle)
    assert "one line of text" in caught.value.hint
    picture = tmp_path / "logo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(SimulatorError, match="not a text file"):
        organisation_key(picture)
    good = tmp_path / "org.key"
    good.write_text("a-proper-organisation-key-0123456789\n")
    assert organisation_key(good) == b"a-proper-organisation-key-0123456789"


def test_report_html_has_no_live_markup_from_replies(played):
    store, sid = played
    html = session_html(load_session(store, sid))
    assert "<script" not in html and "<img" not in html and "<b>Ana" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html
    assert "<span class='evidence'>That language isn&#x27;t acceptable</span>" in html


def test_report_counts_read_as_whole_numbers_after_a_bundle(played, tmp_path):
    import re
    store, sid = played
    export_bundle(store, [sid], tmp_path / "b.simbundle", KEY)
    with Store(tmp_path / "manager") as manager:  # an imported session's counts come back as floats (1.0)
        import_bundle(manager, tmp_path / "b.simbundle", KEY)
        html = session_html(load_session(manager, sid))
    handling = html.split("<h2>Handling the abuse</h2>")[1].split("</p>")[0]
    assert "First boundary 1 reply after the first abusive line (" in handling
    assert not re.search(r"\d\.0\b", re.sub(r"\([\d.]+ s\)", "", handling)), handling


def test_report_pdf_is_printed_by_qt(played, tmp_path):
    from simulator.ui.printing import html_to_pdf
    store, sid = played
    out = html_to_pdf(session_html(load_session(store, sid)), tmp_path / "r.pdf")
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000


def test_csv_has_a_row_per_session_and_per_verdict_and_no_formulas(played, tmp_path):
    store, sid = played
    export_csv(store, [sid], tmp_path / "s.csv")
    with (tmp_path / "s.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    record = load_session(store, sid)
    assert [r["row"] for r in rows] == ["session"] + ["verdict"] * len(record.verdicts)
    assert rows[0]["trainee"] == "<b>Ana</b>" and rows[0]["overall"] == str(record.summary.overall)
    assert all(not r["evidence"].startswith("=") for r in rows)


def test_purge_removes_old_audio_and_old_sessions(played, tmp_path):
    store, sid = played
    audio = store.audio_dir / sid / "1.wav"
    audio.parent.mkdir(parents=True)
    audio.write_bytes(b"RIFF")
    with store.write() as db:
        db.execute("UPDATE turns SET audio = ? WHERE session_id = ? AND idx = 1", (f"{sid}/1.wav", sid))
    later = load_session(store, sid).summary.started_at + 40 * 86400
    assert purge(store, audio_days=30, session_days=None, now=later, dry_run=True).audio_sessions == 1
    assert audio.exists()
    purge(store, audio_days=30, session_days=None, now=later)
    assert not audio.exists() and all(t["audio"] is None for t in load_session(store, sid).turns)
    purge(store, audio_days=None, session_days=30, now=later)
    assert list_sessions(store) == []


def test_a_long_name_is_not_broken_on_every_reply_of_the_transcript(tmp_path):
    from simulator.store.report import transcript_table
    name = "Alexandra Montgomery-Featherstonehaugh"
    with Store(tmp_path / "data") as store:
        sid, _ = play_into(store, ["That language isn't acceptable.", "/end"], trainee=name)
        record = load_session(store, sid)
    html = session_html(record)
    assert name in html.split("class='title'>Transcript<")[0]  # named once, above
    assert name not in transcript_table(record) and ">Trainee</td>" in transcript_table(record)


def test_who_said_it_is_never_broken_mid_word_in_a_narrow_pane(tmp_path, qapp):
    # At 150 % text, review mode's transcript pane broke "Customer" as "Custome / r".
    from PySide6.QtGui import QFont, QTextDocument
    from simulator.store.report import transcript_table
    with Store(tmp_path / "data") as store:
        sid, _ = play_into(store, ["That language isn't acceptable.", "/end"])
        record = load_session(store, sid)
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    doc.setDefaultFont(font)
    doc.setHtml(transcript_table(record, times=True))
    doc.setTextWidth(260)
    doc.size()  # lays the document out
    who = [b for b in _blocks(doc) if b.text() in ("Customer", "Trainee")]
    assert who and all(b.layout().lineCount() == 1 for b in who)


def _blocks(doc):
    block = doc.begin()
    while block.isValid():
        yield block
        block = block.next()



def test_words_that_cost_points_are_marked_apart_from_words_that_earned_them(tmp_path):
    from storefill import play
    with Store(tmp_path / "data") as store:
        record = load_session(store, play(store, "swearing-caller",
                                          ["That language isn't acceptable, you idiot.", "/end"], "Ana"))
    html = session_html(record)
    assert "<span class='evidence'>That language isn&#x27;t acceptable</span>" in html
    assert "<span class='cost'>you idiot</span>" in html and ".cost {" in html


def test_words_a_reviewer_cleared_are_no_longer_marked(tmp_path):
    from storefill import play
    with Store(tmp_path / "data") as store:
        sid = play(store, "swearing-caller", ["That language isn't acceptable, you idiot.", "/end"], "Ana")
        store.add_override(sid, "professionalism", "retaliates", "missed", "It was a quote of the customer", "Mo")
        html = session_html(load_session(store, sid))
    assert "<span class='evidence'>That language isn&#x27;t acceptable</span>" in html
    assert "you idiot" in html and "<span class='cost'>" not in html


def test_a_verdict_a_reviewer_changed_carries_the_reason_not_the_automatic_advice(tmp_path):
    from storefill import play
    with Store(tmp_path / "data") as store:
        sid = play(store, "swearing-caller", ["I'm ending this call now.", "/end"], "Ana")
        store.add_override(sid, "disengaging", "end_call|escalate", "met", "He had been warned on the phone before",
                           "Mo")
        html = session_html(load_session(store, sid))
    assert "Changed after review by Mo: He had been warned on the phone before" in html
    # the walker's PDF still gave the automatic advice under it; the announcement, not changed, keeps its own
    assert html.count("You did this without &#x27;Stated the consequence&#x27; first") == 1


def test_the_report_keeps_each_title_with_its_table_and_marks_call_actions_as_actions(tmp_path):
    # A manager's PDF had "Transcript" alone at the foot of page 1 and its table on page 2; evidence said "turn 7"
    # where the trainee's pages said "your reply 3"; and End call was quoted as if the trainee had said "[End call]".
    with Store(tmp_path / "data") as store:
        sid, _ = play_into(store, ["Please don't swear at me.", "/hold", "That language isn't acceptable.", "/end"])
        record = load_session(store, sid)
    html = session_html(record)
    for title in ("What you did", "Transcript"):
        head = html.split(f"class='title'>{title}<")[0]
        assert head.endswith("<thead><tr><td colspan='3' ") or head.endswith("<thead><tr><td colspan='4' ")
    assert "&ldquo;[End call]" not in html and "<span class='action'>◆ End call</span>" in html
    replies = [t for t in record.turns if t["speaker"] == "trainee" and t["kind"] == "reply"]
    assert f"reply 2, turn {replies[1]['index']}: " in html
