"""Review mode, second pass: what a team manager met after the first (issue 19, Manager items)."""

import re
import subprocess
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from simulator.settings import AppSettings
from simulator.store import Store, load_session
from simulator.ui.review.window import ReviewWindow
from simulator.ui.tasks import Tasks
from storefill import PLAYS, play


def open_review(qtbot, folder, *, trainee="Mo", reviewer="Mo") -> ReviewWindow:
    window = ReviewWindow(data_dir=folder, tasks=Tasks(), settings=AppSettings(trainee=trainee, reviewer=reviewer),
                          ask_passphrase=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(window.model.rows_ready, timeout=20_000):
        pass
    return window


def open_first(qtbot, w) -> None:
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        w.sessions.open_session.emit(w.model.row(0).id)


def choose(page, status: str) -> int:
    row = next(i for i in range(page.verdicts.topLevelItemCount())
               if page.verdicts.topLevelItem(i).data(0, 256)["status"] == status)
    page.verdicts.setCurrentItem(page.verdicts.topLevelItem(row))
    return row


def override(qtbot, w, comment: str, *, reviewed: bool = False) -> None:
    qtbot.mouseClick(w.session.change_button, Qt.LeftButton)
    dialog = w.override_dialog
    qtbot.keyClicks(dialog.comment, comment)
    dialog.mark_reviewed.setChecked(reviewed)
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)


# -- 1. who signs, and what marks a session reviewed --------------------------------------------
def test_the_reviewer_name_never_defaults_to_the_trainee(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path, trainee="Ana", reviewer="")
    assert w.reviewer.text() == ""
    open_first(qtbot, w)
    choose(w.session, "missed")
    qtbot.mouseClick(w.session.change_button, Qt.LeftButton)
    dialog = w.override_dialog
    qtbot.keyClicks(dialog.comment, "It was there")
    assert dialog.reviewer.text() == "" and not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()


def test_changing_a_verdict_marks_the_session_reviewed_only_when_asked(qtbot, tmp_path):
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    choose(w.session, "missed")
    assert not w.session.override_dialog(w.session.current_verdict(), "missed", "Mo").mark_reviewed.isChecked()
    override(qtbot, w, "It was there")
    assert "Not reviewed" in w.session.reviews.text()
    with Store(tmp_path) as store:
        assert load_session(store, sid).reviews == [] and len(load_session(store, sid).overrides) == 1
    choose(w.session, "missed")
    override(qtbot, w, "This one too", reviewed=True)
    assert "Reviewed by Mo" in w.session.reviews.text()


# -- 2. a thing to avoid that did not happen ------------------------------------------------------
def test_a_thing_to_avoid_overridden_to_did_not_happen_reads_as_a_success(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    row = choose(w.session, "violated")
    qtbot.mouseClick(w.session.change_button, Qt.LeftButton)
    dialog = w.override_dialog
    assert dialog.choices["missed"].isChecked() and dialog.choices["missed"].text() == "It did not happen"
    qtbot.keyClicks(dialog.comment, "She warned first; the scorer missed it")
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    item = w.session.verdicts.topLevelItem(row)
    assert item.text(2) == "⚠ happened" and item.text(3) == "✓ did not happen"
    assert "missed" not in w.session.audit.item(0, 3).text()
    assert "did not happen" in w.session.audit.item(0, 3).text()


# -- 3. exporting the selected session, to a name a manager can find ------------------------------
def test_a_report_of_the_selected_row_is_offered_under_a_readable_name_in_documents(qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from simulator.ui.review.report_files import documents_folder
    with Store(tmp_path) as store:
        play(store, *PLAYS[1], "Ana Lee")
    w = open_review(qtbot, tmp_path)
    w.sessions.table.selectRow(0)  # selected, not opened
    offered = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, answer)
            return
        offered.append((dialog.directory().absolutePath(), dialog.selectedFiles()))
        dialog.reject()
    QTimer.singleShot(50, answer)
    w._choose_report("pdf")
    qtbot.waitUntil(lambda: bool(offered), timeout=10_000)
    folder, files = offered[0]
    assert folder == str(documents_folder())
    name = files[0].rsplit("/", 1)[-1]
    assert name.startswith("Ana Lee – ") and "swear" in name.lower() and time.strftime("%Y-%m-%d") in name
    assert name.endswith(".pdf") and "session-" not in name
    assert w.session_stack.currentWidget() is w.sessions  # nothing had to be opened


# -- 4. the report reads cleanly --------------------------------------------------------------
def reviewed_session(folder, trainee="Morgan Lee"):
    """A session whose thing to avoid a reviewer said did not happen, marked reviewed."""
    with Store(folder) as store:
        sid = play(store, *PLAYS[1], trainee)
        v = next(v for v in load_session(store, sid).verdicts if v["status"] == "violated")
        store.add_override(sid, v["dimension"], v["item"], "missed", "She warned first", "Sam Coach")
        return load_session(store, sid)


def run_ons(text: str, words) -> list[str]:
    """Places where a cell's text runs straight into the next cell's ("violatedRetaliated")."""
    found = []
    for word in words:
        found += re.findall(rf"(?:^|\s){re.escape(word)}[A-Za-z0-9“\[]\S*", text, re.M)
    return found


def test_the_pdf_report_has_no_text_collisions_a_title_and_the_reviewed_verdicts(tmp_path):
    from simulator.store.report import session_html
    from simulator.ui.printing import html_to_pdf
    record = reviewed_session(tmp_path)
    pdf = html_to_pdf(session_html(record), tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    cells = ["Morgan Lee", "Customer", "Sam Coach", "violated", "happened", "did not happen", "missed", "met",
             "unchanged", "Automatic", "After review"]
    assert run_ons(text, cells) == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+Morgan Lee – .*swearing", info, re.M | re.I)
    # The reviewed verdict stands beside the automatic one, under headers that say which is which.
    assert re.search(r"Automatic\s+After review\s+Criterion", text)
    assert re.search(r"happened\s+did not happen\s+Ended the call", text)
    assert "violated" not in text


def test_the_html_report_labels_automatic_and_reviewed_scores_and_verdicts(tmp_path):
    from simulator.store.report import session_html
    html = session_html(reviewed_session(tmp_path))
    assert "<th width='20%' class='nowrap'>Automatic</th>" in html and "After review</th>" in html
    assert "<th>Reviewed</th>" not in html and "<th>Score</th>" not in html
    assert "<b>did not happen</b>" in html and ">violated<" not in html
    assert "Reviewed by Sam Coach" in html
