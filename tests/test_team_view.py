"""Review mode's Team tab over a real store: who holds which certificate, CSV, the LRS outbox, a new assignment."""

from __future__ import annotations

import csv
import time

from conftest import REPO
from simulator.access import hash_passphrase
from simulator.scenario import load_policy
from simulator.settings import AppSettings
from simulator.speech.kit import FileDevices
from simulator.store import Store
from simulator.store.assignments import list_assignments, read_assignment_bundle
from simulator.store.team_certificates import team_certificates
from simulator.ui.plan_panel import as_tooltip
from simulator.ui.review.window import ReviewWindow
from simulator.ui.tasks import Tasks
from test_certificates import GOOD_REFUND, GOOD_SWEARING, _record

KEY = b"an organisation key of some length"
CERTS = ("certificates:\n  - id: basics\n    title: Basics\n    scenarios:\n      - scenario: swearing-caller\n"
         "        intensity: mild\n      - scenario: late-refund-empathy\n")


def team_store(folder):
    with Store(folder) as store:
        _record(store, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
        _record(store, "swearing-caller", ["Please calm down.", "/end"], "Ben", "mild")


def policy_file(tmp_path, extra=""):
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\npass_mark: 60\n" + extra + CERTS, encoding="utf-8")
    return load_policy(path)


def open_team(qtbot, folder, policy, trainee="Maria"):
    window = ReviewWindow(data_dir=folder, tasks=Tasks(), settings=AppSettings(trainee=trainee, reviewer="Maria"),
                          policy=policy, devices=FileDevices(), ask_passphrase=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.store is not None, timeout=20_000)
    with qtbot.waitSignal(window.team_shown, timeout=20_000):
        window.tabs.setCurrentWidget(window.team)
    return window


def cell(window, row, col):
    return window.team.certificates.item(row, col).text()


def test_the_team_tab_shows_who_is_certified_the_same_as_the_store_says(qtbot, tmp_path):
    team_store(tmp_path / "data")
    policy = policy_file(tmp_path)
    w = open_team(qtbot, tmp_path / "data", policy)
    page = w.team
    assert page.certificates.horizontalHeaderItem(1).text() == "Basics"
    assert [cell(w, r, 0) for r in range(page.certificates.rowCount())] == ["Ana", "Ben"]
    with Store(tmp_path / "data") as store:
        ana, ben = team_certificates(store, policy)
    assert cell(w, 0, 1) == "✓ " + ana.words() and ana.words().startswith("Certified on")
    assert cell(w, 1, 1) == ben.words() == "0 of 2 passed"
    assert page.summary.text() == "Basics: 1 of 2 certified."
    page.certificates.setCurrentCell(1, 1)
    assert "Ben, Basics: 0 of 2 passed" in page.detail.text() and "best" in page.detail.text()


def test_the_csv_and_the_outbox_from_the_team_tab(qtbot, tmp_path):
    team_store(tmp_path / "data")
    w = open_team(qtbot, tmp_path / "data", policy_file(tmp_path))
    out = tmp_path / "certificates.csv"
    task = w.team_actions.export_csv(out)
    qtbot.waitUntil(lambda: task.future.done() and out.exists(), timeout=10_000)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(r["trainee"], r["state"]) for r in rows] == [("Ana", "certified"), ("Ben", "in progress")]
    from simulator.store.team_certificates import queue_certificates
    with Store(tmp_path / "data") as store:  # what the LRS button queues, without an LRS to send to
        assert queue_certificates(store, w.team.team.statuses) == 2


def test_a_manager_makes_an_assignment_from_the_team_tab(qtbot, tmp_path):
    team_store(tmp_path / "data")
    w = open_team(qtbot, tmp_path / "data", policy_file(tmp_path))
    from simulator.scenario.library import available
    dialog = w.team_actions.open_dialog(available()[0])
    combo = dialog.table.cellWidget(0, 1)
    assert dialog.table.columnWidth(1) >= combo.sizeHint().width()  # "any intensity" is not cut off
    # the dialog is as wide as its longest title needs (a fixed 640 px cut every title at 200 % text)
    fm = dialog.fontMetrics()
    longest = max(fm.horizontalAdvance(dialog.table.item(r, 0).text()) for r in range(dialog.table.rowCount()))
    assert dialog.width() >= longest + dialog.table.columnWidth(1)
    assert dialog.due.displayFormat() == "d MMM yyyy"  # "7 Dec 2026", as the Team tab shows it; not "7 12 2026"
    dialog.title.setText("Week 1")
    dialog.trainees.setText("Ben")
    dialog.tick("threat-of-violence", "strong")
    dialog.tick("demands-manager")
    values = dialog.values()
    assert values["items"] == [("demands-manager", None), ("threat-of-violence", "strong")]
    path = tmp_path / "week1.simassign"
    with qtbot.waitSignal(w.team_shown, timeout=20_000):
        w.team_actions.save(values, path, KEY)
    made = read_assignment_bundle(path, KEY)
    assert made.title == "Week 1" and made.trainees == ["Ben"] and made.created_by == "Maria"
    assert made.due_at > time.time() + 6 * 86400
    assert w.team.assignments.item(0, 0).text() == "Week 1"
    assert w.team.assignments.isVisible() and not w.team.no_assignments.isVisible()
    done = w.team.assignments.item(0, 3)
    assert (done.text(), done.toolTip()) == ("0 of 1 done", as_tooltip("Ben: 0 of 2"))
    with Store(tmp_path / "data") as store:
        assert [a.id for a in list_assignments(store)] == [made.id]


def test_without_the_passphrase_the_team_tab_shows_only_your_own(qtbot, tmp_path):
    team_store(tmp_path / "data")
    locked = policy_file(tmp_path, f'review_passphrase: "{hash_passphrase("lead")}"\n')
    w = open_team(qtbot, tmp_path / "data", locked, trainee="Ben")
    assert w.team.certificates.rowCount() == 1 and cell(w, 0, 0) == "Ben"


def test_a_certificate_naming_a_scenario_the_library_lacks_is_pointed_out(qtbot, tmp_path):
    team_store(tmp_path / "data")
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\n" + CERTS.replace("late-refund-empathy", "late-refund-empaty"), encoding="utf-8")
    w = open_team(qtbot, tmp_path / "data", load_policy(path))
    assert "names scenario 'late-refund-empaty', which is not in the library" in w.team.summary.text()
    # The titles come from the library, also for a scenario nobody has played yet.
    ana = w.team.team.statuses[0]
    assert ana.requirements[0].title == "Broadband caller keeps swearing after a warning"


def test_a_name_that_looks_like_markup_is_shown_as_typed(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    with Store(tmp_path / "data") as store:
        _record(store, "swearing-caller", ["Please calm down.", "/end"], "<b>Eve</b>", "mild")
    w = open_team(qtbot, tmp_path / "data", policy_file(tmp_path))
    assert cell(w, 0, 0) == "<b>Eve</b>"
    assert w.team.certificates.item(0, 1).toolTip().startswith("<p style='white-space:pre-wrap'>")
    w.team.certificates.setCurrentCell(0, 1)
    assert w.team.detail.text().startswith("<b>Eve</b>, Basics") and w.team.detail.textFormat() == Qt.PlainText


def test_the_team_tab_widens_to_everyone_once_the_passphrase_is_given(qtbot, tmp_path):
    team_store(tmp_path / "data")
    locked = policy_file(tmp_path, f'review_passphrase: "{hash_passphrase("lead")}"\n')
    w = open_team(qtbot, tmp_path / "data", locked, trainee="Ben")
    with qtbot.waitSignal(w.team_shown, timeout=20_000):
        assert w.gate.unlock("lead")
    assert [cell(w, r, 0) for r in range(w.team.certificates.rowCount())] == ["Ana", "Ben"]


def test_a_long_certificate_title_is_shortened_with_an_ellipsis_and_given_in_full(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    team_store(tmp_path / "data")
    long = "Handling abusive contacts before taking calls on your own, in every channel the team answers " * 2
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\n" + CERTS.replace("title: Basics", f"title: {long.strip()}"), encoding="utf-8")
    w = open_team(qtbot, tmp_path / "data", load_policy(path))
    header = w.team.certificates.horizontalHeader()
    assert header.textElideMode() == Qt.ElideRight  # clipped at both ends, the middle of a title reads as nonsense
    assert long.strip() in w.team.certificates.horizontalHeaderItem(1).toolTip()


def test_without_certificates_the_team_tab_shows_no_empty_grid(qtbot, tmp_path):
    team_store(tmp_path / "data")
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\n", encoding="utf-8")
    w = open_team(qtbot, tmp_path / "data", load_policy(path))
    assert "names no certificates" in w.team.summary.text()
    assert not w.team.certificates.isVisible() and not w.team.detail.isVisible()
    assert w.team.assign_button.isVisible()
    # nor an empty grid of squeezed headers where no assignment was made: what to do instead
    assert not w.team.assignments.isVisible() and "New assignment" in w.team.no_assignments.text()
    assert w.team.no_assignments.isVisible()
    # and the lines sit together at the top, the spare room below them (they were spread down the tab)
    w.resize(1366, 768)
    qtbot.wait(50)
    gap = w.team.no_assignments.geometry().top() - w.team.summary.geometry().bottom()
    assert gap < 6 * w.team.fontMetrics().height(), gap



def test_review_mode_parses_the_library_once_and_again_on_refresh(tmp_path):
    """The Team tab and the assignment dialog share one parse; Review → Refresh reads a coach's new file."""
    import shutil

    from simulator.ui.review.shelf import ScenarioShelf
    folder = tmp_path / "coach"
    folder.mkdir()
    shelf = ScenarioShelf([folder])
    first = shelf.scenarios()
    assert shelf.scenarios() is first  # opening the tab again parses nothing
    source = REPO / "scenarios" / "swearing-caller.yaml"
    shutil.copy(source, folder / "my-swearing.yaml")
    (folder / "my-swearing.yaml").write_text(source.read_text(encoding="utf-8").replace(
        "id: swearing-caller", "id: my-swearing", 1), encoding="utf-8")
    assert shelf.scenarios() is first
    shelf.forget()
    assert "my-swearing" in {sf.id for sf in shelf.scenarios()}


def test_an_assignment_names_trainees_as_they_sign_in(qtbot, tmp_path, monkeypatch):
    # "For" was free text: a name spelt otherwise than its trainee signs in reached nobody, and nothing said so.
    team_store(tmp_path / "data")
    w = open_team(qtbot, tmp_path / "data", policy_file(tmp_path))
    saved = []
    monkeypatch.setattr(w.team_actions, "_save", saved.append)  # not the key and the file dialog: the names
    from simulator.scenario.library import available
    dialog = w.team_actions.open_dialog(available()[0])
    dialog.title.setText("Week 2")
    dialog.tick("demands-manager")
    dialog.trainees.setText("ana, Bne")
    assert dialog.names() == ["Ana", "Bne"]  # the case of a known name is its own
    completer = dialog.trainees.completer()
    dialog.trainees.setText("Ana, b")
    assert completer.splitPath("Ana, b") == ["b"] and completer.pathFromIndex(completer.model().index(1, 0)) == "Ana, Ben"
    dialog.trainees.setText("ana, Bne")
    dialog._accept()
    assert dialog.result() == 0 and "Bne" in dialog.problem.text() and "save again" in dialog.problem.text()
    dialog._accept()  # said once: a trainee who has not played yet is kept as typed
    assert saved and saved[0]["trainees"] == ["Ana", "Bne"]


def test_without_certificates_the_assignment_still_knows_the_trainees(qtbot, tmp_path):
    # A walker's organisation had no certificates: the dialog offered no names and called "dana k" unknown.
    team_store(tmp_path / "data")
    path = tmp_path / "policy.yaml"
    path.write_text("format: 1\n", encoding="utf-8")
    w = open_team(qtbot, tmp_path / "data", load_policy(path))
    qtbot.waitUntil(lambda: w.sessions.trainee.count() > 2, timeout=10_000)
    from simulator.scenario.library import available
    dialog = w.team_actions.open_dialog(available()[0])
    assert dialog.known == ["Ana", "Ben"] and "Known here: Ana, Ben" in dialog.trainees.toolTip()
    dialog.trainees.setText("Ben")
    dialog.title.setText("Week 3")
    dialog.tick("demands-manager")
    saved = []
    w.team_actions._save = saved.append
    dialog._accept()
    assert saved and "No sessions" not in dialog.problem.text()
