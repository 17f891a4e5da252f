"""The trainee's library shows the plan: "Practise next" with reasons, certificate progress, assignments."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar

from simulator.scenario import load_policy
from simulator.settings import AppSettings
from simulator.speech.kit import FileDevices
from simulator.store import Store
from simulator.store.assignments import make_assignment, write_assignment_bundle
from simulator.store.team_certificates import team_certificates
from simulator.ui.tasks import Tasks
from simulator.ui.window import MainWindow
from test_certificates import GOOD_REFUND, GOOD_SWEARING, _record

KEY = b"our-organisation-key-0123456789"
CERTS = ("format: 1\npass_mark: 60\ncertificates:\n  - id: basics\n    title: Basics\n    scenarios:\n"
         "      - scenario: swearing-caller\n        intensity: mild\n      - scenario: late-refund-empathy\n")


def open_library(qtbot, tmp_path, policy_file=None, trainee="Ana") -> MainWindow:
    window = MainWindow(AppSettings(trainee=trainee), data_dir=tmp_path / "data", tasks=Tasks(),
                        devices=FileDevices(), speech=False, settings_path=tmp_path / "settings.json",
                        ask_name=False, policy_file=policy_file)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.practice_plan.shown, timeout=30_000):
        window.show()
    return window


def suggestions(window) -> list[str]:
    lst = window.library.plan.next
    return [lst.item(i).text() for i in range(lst.count())]


def test_a_new_trainee_is_offered_the_easy_scenarios_first_and_can_go_straight_to_one(qtbot, tmp_path):
    w = open_library(qtbot, tmp_path)
    panel = w.library.plan
    assert panel.isVisible() and not panel.progress_box.isVisible()  # no certificates in the shipped policy
    first = suggestions(w)[0]
    assert first.startswith("New to you (easy): try ")
    qtbot.mouseClick(panel.go, Qt.LeftButton)
    assert w.stack.currentWidget() is w.briefing
    assert w.briefing.scenario.scenario.title in first


def test_the_library_shows_what_was_missed_and_the_certificate_as_the_store_says(qtbot, tmp_path):
    with Store(tmp_path / "data") as store:
        _record(store, "swearing-caller", GOOD_SWEARING, "Ana", "mild")
        _record(store, "late-refund-empathy", ["Calm down, those are the rules.", "/end"], "Ana")
    policy = tmp_path / "policy.yaml"
    policy.write_text(CERTS + "  - id: one\n    title: One\n    scenarios:\n      - scenario: demands-manager\n",
                      encoding="utf-8")
    w = open_library(qtbot, tmp_path, policy)
    reasons = suggestions(w)
    assert any(r.startswith("You haven't yet acknowledged the customer's feelings: try ") for r in reasons), reasons
    labels = [lbl.text() for lbl in w.library.plan.progress_box.findChildren(QLabel)]
    with Store(tmp_path / "data") as store:
        ana, _ = team_certificates(store, load_policy(policy), trainee="Ana")
    assert ana.words() == "1 of 2 passed"
    assert any("Basics" in t and ana.words() in t for t in labels), labels
    bar, one = w.library.plan.progress_box.findChildren(QProgressBar)
    assert (bar.value(), bar.maximum()) == (1, 2) and bar.format() == "1 of 2 scenarios"
    assert one.format() == "0 of 1 scenario"
    # Played again, well: the certificate is reached and the library says so.
    with Store(tmp_path / "data") as store:
        _record(store, "late-refund-empathy", GOOD_REFUND, "Ana")
    with qtbot.waitSignal(w.practice_plan.shown, timeout=20_000):
        w.practice_plan.refresh()
    labels = [lbl.text() for lbl in w.library.plan.progress_box.findChildren(QLabel)]
    assert any("Certified on" in t for t in labels), labels


def test_an_imported_assignment_comes_first_and_opens_at_its_intensity(qtbot, tmp_path):
    w = open_library(qtbot, tmp_path)
    made = make_assignment("Week 1", [("threat-of-violence", "strong")], time.time() + 3 * 86400, "Maria")
    bundle = write_assignment_bundle(made, tmp_path / "week1.simassign", KEY)
    with qtbot.waitSignal(w.practice_plan.shown, timeout=20_000):
        w.practice_plan.import_file(bundle, KEY)
    assert suggestions(w)[0].startswith("Assigned by your manager, due ")
    labels = [lbl.text() for lbl in w.library.plan.progress_box.findChildren(QLabel)]
    assert any(t.startswith("Week 1, due ") and t.endswith("0 of 1 done") for t in labels), labels
    w.library.plan.next.setCurrentRow(0)
    qtbot.mouseClick(w.library.plan.go, Qt.LeftButton)
    b = w.briefing
    assert b.scenario.id == "threat-of-violence"
    assert b.choice().intensity == "strong"
    # The trainee may still ignore it: any scenario in the table can be prepared as before.
    w.stack.setCurrentWidget(w.library)
    row = next(i for i, sf in enumerate(w.library.scenarios) if sf.id == "blunt-not-abusive")
    w.library.table.selectRow(row)
    qtbot.mouseClick(w.library.open_button, Qt.LeftButton)
    assert w.briefing.scenario.id == "blunt-not-abusive"


def test_a_certificate_reached_and_lost_by_expiry_reads_the_same_in_both_windows_and_the_terminal(qtbot, tmp_path,
                                                                                                   capsys):
    import json

    from simulator.cli import main
    from simulator.ui.review.window import ReviewWindow
    data = tmp_path / "data"
    with Store(data) as store:
        for trainee in ("Ana", "Ben"):
            _record(store, "swearing-caller", GOOD_SWEARING, trainee, "mild")
            _record(store, "late-refund-empathy", GOOD_REFUND, trainee)
        with store.write() as db:  # Ana's were played 400 days ago: her year-long certificate has lapsed
            db.execute("UPDATE sessions SET started_at = started_at - 400 * 86400, ended_at = ended_at - 400 * 86400"
                       " WHERE trainee_id = (SELECT id FROM trainees WHERE name = 'Ana')")
    policy = tmp_path / "policy.yaml"
    policy.write_text(CERTS.replace("    scenarios:", "    valid_days: 365\n    scenarios:", 1), encoding="utf-8")
    with Store(data) as store:
        ana, ben = team_certificates(store, load_policy(policy))
    assert ana.words().startswith("Lapsed on ") and ben.words().startswith("Certified on ")

    library = open_library(qtbot, tmp_path, policy)
    labels = [lbl.text() for lbl in library.library.plan.progress_box.findChildren(QLabel)]
    assert any(ana.words() in t for t in labels), labels

    review = ReviewWindow(data_dir=data, tasks=Tasks(), settings=AppSettings(trainee="Maria", reviewer="Maria"),
                          policy=load_policy(policy), devices=FileDevices(), ask_passphrase=False)
    qtbot.addWidget(review)
    review.show()
    qtbot.waitUntil(lambda: review.store is not None, timeout=20_000)
    with qtbot.waitSignal(review.team_shown, timeout=20_000):
        review.tabs.setCurrentWidget(review.team)
    cells = {review.team.certificates.item(r, 0).text(): review.team.certificates.item(r, 1).text()
             for r in range(review.team.certificates.rowCount())}
    assert cells == {"Ana": ana.words(), "Ben": "✓ " + ben.words()}

    assert main(["--data-dir", str(data), "certificates", "--json", "--policy", str(policy)]) == 0
    terminal = {c["trainee"]: c["summary"] for c in json.loads(capsys.readouterr().out)}
    assert terminal == {"Ana": ana.words(), "Ben": ben.words()}
    assert main(["--data-dir", str(data), "plan", "--trainee", "Ana", "--json", "--policy", str(policy)]) == 0
    assert json.loads(capsys.readouterr().out)["certificates"][0]["summary"] == ana.words()


def test_after_a_practice_run_the_plan_no_longer_calls_that_scenario_new(qtbot, tmp_path):
    # A walker practised the first suggestion (practice only: nothing kept) and the plan still said "New to you".
    from appkit import choose, press, type_reply, wait_for_results
    w = open_library(qtbot, tmp_path)
    first = suggestions(w)[0]
    scenario = next(sf for sf in w.scenario_files if f"“{sf.scenario.title}”" in first)
    w.activateWindow()
    choose(qtbot, w, scenario.id, assessed=False)
    type_reply(qtbot, w, "I'm sorry this has been so hard. Let me look at it with you.")
    press(qtbot, w, "end_call")
    wait_for_results(qtbot, w)
    with qtbot.waitSignal(w.practice_plan.shown, timeout=20_000):
        qtbot.mouseClick(w.results.library_button, Qt.LeftButton)
    shown = [r for r in suggestions(w) if f"“{scenario.scenario.title}”" in r]
    assert shown and shown[0].startswith("Practised, not yet assessed"), suggestions(w)
    row = next(r for r in range(w.library.table.rowCount()) if w.library.table.item(r, 0).text() == scenario.scenario.title)
    assert w.library.table.item(row, w.library.table.columnCount() - 1).text() == "practised, not scored"
