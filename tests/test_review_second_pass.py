"""Review mode, second pass: what a team manager met after the first (issue 19, Manager items)."""

import json
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QDialogButtonBox, QHeaderView, QLabel

from simulator.store import Store, load_session
from simulator.ui.review.sessions_model import COLUMNS
from simulator.ui.review.window import ReviewWindow
import appkit
from conftest import REPO
from storefill import PLAYS, play


def open_review(qtbot, folder, *, trainee="Mo", reviewer="Mo") -> ReviewWindow:
    return appkit.open_review(qtbot, folder, trainee=trainee, reviewer=reviewer, size=(1366, 768))


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
    dialog = w.changes.dialog
    qtbot.keyClicks(dialog.comment, comment)
    dialog.mark_reviewed.setChecked(reviewed)
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)


# -- 1. who signs, and what marks a session reviewed --------------------------------------------
def test_the_reviewer_name_never_defaults_to_the_trainee(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path, trainee="Ana", reviewer="")
    assert w.changes.reviewer.text() == ""
    open_first(qtbot, w)
    choose(w.session, "missed")
    qtbot.mouseClick(w.session.change_button, Qt.LeftButton)
    dialog = w.changes.dialog
    qtbot.keyClicks(dialog.comment, "It was there")
    assert dialog.reviewer.text() == "" and not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()


def test_changing_a_verdict_marks_the_session_reviewed_only_when_asked(qtbot, tmp_path):
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    choose(w.session, "missed")
    dialog = w.session.override_dialog(w.session.current_verdict(), "missed", "Mo")
    assert not dialog.mark_reviewed.isChecked()
    # the dimension as everywhere else ("boundary setting" here only), and each field by its Alt letter
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("(Boundary-setting)" in t for t in labels) and "&Why" in labels and "Your &name" in labels
    dialog.close()
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
    dialog = w.changes.dialog
    assert dialog.choices["missed"].isChecked() and dialog.choices["missed"].text() == "It did not happen"
    qtbot.keyClicks(dialog.comment, "She warned first; the scorer missed it")
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    item = w.session.verdicts.topLevelItem(row)
    assert item.text(2) == "⚠ happened" and item.text(3) == "✓ did not happen"
    assert "missed" not in w.session.audit.item(0, 3).text()
    assert "did not happen" in w.session.audit.item(0, 3).text()


def test_a_long_reason_for_a_change_wraps_and_the_status_bar_names_no_id(qtbot, tmp_path):
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    assert sid[:8] not in w.status.text() and w.status.text().startswith("Ana: ")  # a person's words, not an id
    choose(w.session, "missed")
    reason = "She named the behaviour in her second reply, in other words than the examples; " * 3
    override(qtbot, w, reason)
    audit = w.session.audit
    assert audit.textElideMode() == Qt.ElideNone and audit.wordWrap()
    assert audit.rowHeight(0) > 2 * audit.fontMetrics().height()  # the reason wraps onto more lines
    assert reason.strip() in audit.item(0, 4).toolTip()
    # At 1366 px the reason was squeezed to a few letters a line behind a sideways scroll: it has room to be read
    qtbot.wait(50)
    em = audit.fontMetrics().horizontalAdvance("m")
    assert audit.horizontalScrollBar().maximum() == 0 and audit.columnWidth(4) >= 15 * em


def test_long_criteria_and_quotes_wrap_in_the_verdicts_at_1366_instead_of_running_off_to_the_right(qtbot, tmp_path):
    # "Offered to solve the real problem or put the refund through and said when it would arrive" pushed the
    # dimension and the evidence past the right edge at 1366 px, behind a horizontal scroll bar.
    with Store(tmp_path) as store:
        play(store, *PLAYS[5], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    tree = w.session.verdicts
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0)
    qtbot.wait(100)
    assert tree.horizontalScrollBar().maximum() == 0  # every column on screen
    header, line = tree.header(), tree.fontMetrics().height()
    long_rows = 0
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        rect = tree.visualItemRect(item)
        for column in (0, 4):
            text = item.text(column)
            assert QTextDocumentFragment.fromHtml(item.toolTip(column)).toPlainText() == text  # escaped: typed words
            if tree.fontMetrics().horizontalAdvance(text) > header.sectionSize(column):
                long_rows += 1
                assert rect.height() >= 2 * line, text  # wrapped onto more lines, not cut off with "..."
    assert long_rows  # the scenario has such a criterion: the test would pass on nothing otherwise


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
    w.reports.choose("pdf")
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


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                    reason="poppler-utils is not installed (scripts/setup.sh test installs it)")
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


# -- 5. node titles, not ids, wherever a person reads a path --------------------------------------
def test_a_node_title_is_optional_in_the_scenario_format_and_made_from_the_id_when_absent():
    from simulator.scenario.model import Node, title_from_id
    from simulator.scenario.schema import schema
    assert title_from_id("customer_hangs_up") == "Customer hangs up"
    assert title_from_id("boils-over") == "Boils over"
    assert Node(title="The customer hangs up").title == "The customer hangs up" and Node().title is None
    assert "title" in schema("scenario")["$defs"]["Node"]["properties"]


def test_the_session_page_and_the_report_show_the_path_in_titles(qtbot, tmp_path):
    from simulator.store.report import session_html
    with Store(tmp_path) as store:
        play(store, *PLAYS[2], "Priya Shah")  # start → keeps_swearing → customer_hangs_up
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    path = w.session.path.text()
    assert "Keeps swearing → Customer hangs up" in path and "_" not in path
    html = session_html(w.session.record)
    assert "Keeps swearing → Customer hangs up" in html and "keeps_swearing" not in html


def test_where_most_sessions_go_wrong_is_in_titles_with_a_count_that_agrees(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
        play(store, *PLAYS[2], "Bo")
    w = open_review(qtbot, tmp_path)
    with qtbot.waitSignal(w.scenarios_shown, timeout=10_000):
        w.tabs.setCurrentWidget(w.scenarios)
    table = w.scenarios.table
    wrong = table.item(0, table.columnCount() - 1).text()
    assert wrong == "Start → Keeps swearing (1 session)"


# -- 6. progress chart, its table, and calibration from too few decisions -------------------------
def test_identical_series_are_both_visible_and_the_legend_says_they_match(qtbot):
    from simulator.ui.review.line_chart import LineChart
    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(800, 400)
    same = [(1.0, 100.0), (2.0, 100.0), (3.0, 50.0)]
    chart.set_series([("Overall", [(1.0, 80.0), (2.0, 60.0), (3.0, 40.0)]), ("Disengaging", same),
                      ("Professionalism", list(same))])
    chart.grab()
    assert chart.drawn_lines["Disengaging"] != chart.drawn_lines["Professionalism"]
    assert chart.legend("Professionalism") == "Professionalism (same as Disengaging)"
    assert chart.legend("Disengaging") == "Disengaging"


def test_the_share_column_sits_beside_its_numbers_at_1366(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path)
    with qtbot.waitSignal(w.progress_shown, timeout=10_000):
        w.tabs.setCurrentWidget(w.progress)
        w.progress.trainee.setCurrentText("Ana")
    header = w.progress.missed.horizontalHeader()
    assert w.progress.missed.rowCount() and header.sectionSize(3) < 150
    assert header.sectionSize(0) > header.sectionSize(3)


def test_calibration_from_a_single_verdict_says_there_are_too_few_to_judge(qtbot, tmp_path):
    from PySide6.QtGui import QColor
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
        v = next(v for v in load_session(store, sid).verdicts if v["status"] == "missed")
        store.add_override(sid, v["dimension"], v["item"], "met", "It was there", "Mo")
    w = open_review(qtbot, tmp_path)
    with qtbot.waitSignal(w.calibration_shown, timeout=10_000):
        w.tabs.setCurrentWidget(w.calibration)
    table = w.calibration.table
    texts = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert texts and all(t.startswith("too few to judge (1 of 10") for t in texts)
    assert all(table.item(r, 1).foreground().color() != QColor("#b3261e") for r in range(table.rowCount()))


def test_calibration_says_which_changes_wait_for_their_session_to_be_marked_reviewed(qtbot, tmp_path):
    # A walker changed a verdict and read "too few to judge (0 of 10 reviewed verdicts)", with nothing saying why.
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
        v = next(v for v in load_session(store, sid).verdicts if v["status"] == "missed")
        store.add_override(sid, v["dimension"], v["item"], "met", "It was there", "Mo", review=False)
    w = open_review(qtbot, tmp_path)
    with qtbot.waitSignal(w.calibration_shown, timeout=10_000):
        w.tabs.setCurrentWidget(w.calibration)
    assert w.calibration.waiting.isVisible() and w.calibration.waiting.text().startswith("1 changed verdict is")
    with Store(tmp_path) as store:
        store.mark_reviewed(sid, "Mo")
    with qtbot.waitSignal(w.calibration_shown, timeout=10_000):
        w.refresh()
    assert not w.calibration.waiting.isVisible() and w.calibration.table.rowCount() > 0


def test_series_that_share_some_points_do_not_cover_each_other(qtbot):
    from simulator.ui.review.line_chart import LineChart
    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(800, 400)
    chart.set_series([("Disengaging", [(1.0, 100.0), (2.0, 100.0)]),
                      ("Professionalism", [(1.0, 100.0), (2.0, 100.0), (3.0, 50.0)])])
    chart.grab()
    a, b = chart.drawn_lines["Disengaging"], chart.drawn_lines["Professionalism"]
    assert not set(a) & set(b)


def test_only_markers_on_one_spot_move_aside_and_none_leaves_the_chart(qtbot):
    # A walker read the chart's points as beside their dates: a series that shared one point with an earlier one was
    # moved aside at every session, and the seventh series' last markers ran off the right edge.
    from simulator.ui.review.line_chart import LineChart
    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(800, 400)
    times = [1.0, 2.0, 3.0, 4.0]
    series = [("Overall", [(t, 50.0 + t) for t in times])]
    series += [(f"Dimension {k}", [(1.0, 100.0), (2.0, 10.0 * k), (3.0, 20.0 + k), (4.0, 100.0)]) for k in range(6)]
    chart.set_series(series)
    chart.grab()
    own_x = [x for x, _ in chart.drawn_lines["Overall"]]
    for label, _ in series[1:]:
        xs = [x for x, _ in chart.drawn_lines[label]]
        assert xs[2] == own_x[2], label  # a spot of its own: at its session
    at_100 = sorted(chart.drawn_lines[label][3][0] for label, _ in series[1:])
    assert len(set(at_100)) == 6  # six markers on one spot, side by side
    plot = chart._plot()
    assert all(plot.left() <= x <= plot.right() for pixels in chart.drawn_lines.values() for x, _ in pixels)
    assert min(at_100) < own_x[3] < max(at_100)  # around the session, not all to one side of it


def test_every_point_is_drawn_at_its_score_and_named_on_hover(qtbot):
    import datetime as dt

    from simulator.ui.review.line_chart import LineChart
    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(800, 400)
    day = dt.datetime(2026, 12, 3, 9, 5).timestamp()
    times = [day, day + 3600, day + 7200]
    chart.set_series([("Overall", list(zip(times, [40.0, 48.0, 90.0]))), ("Escalation", list(zip(times, [0.0, 50.0, 100.0]))),
                      ("Disengaging", list(zip(times, [0.0, 50.0, 100.0])))],
                     {times[0]: "Swearing caller", times[1]: "Sexist remarks", times[2]: "Threat"})
    chart.grab()
    plot = chart._plot()
    for label, points in chart.series:  # the height is the value, whatever else is drawn beside it
        for (_, y), (_, score) in zip(chart.drawn_lines[label], points):
            assert abs(y - (plot.bottom() - plot.height() * score / 100)) < 0.5, (label, score)
    assert chart.drawn_lines["Escalation"] != chart.drawn_lines["Disengaging"]  # side by side, not on top
    assert chart.drawn_ticks[:2] == ["3 Dec 09:05", "11:05"] and "10:05" in chart.drawn_ticks  # one day: its hours
    x, y = chart.drawn_lines["Overall"][1]
    tip = chart.tip_at(QPointF(x, y))
    assert tip.startswith("Sexist remarks, 3 Dec 2026 10:05") and "Overall 48" in tip and "Escalation 50" in tip
    assert chart.tip_at(QPointF(1, 1)) == ""
    midnight = dt.datetime(2026, 12, 3, 0, 5).timestamp()  # hours keep their zero; days across years give the year
    chart.set_series([("Overall", [(midnight, 50.0), (midnight + 1800, 60.0)])])
    chart.grab()
    assert chart.drawn_ticks == ["3 Dec 00:05", "00:35"]
    chart.set_series([("Overall", [(dt.datetime(2026, 12, 30).timestamp(), 50.0),
                                   (dt.datetime(2027, 1, 4).timestamp(), 60.0)])])
    chart.grab()
    assert chart.drawn_ticks == ["30 Dec 2026", "4 Jan 2027"]


# -- 7. the sessions table at 1366 px, and counts in words --------------------------------------------
def test_every_sessions_column_is_on_screen_at_1366_and_the_trainee_column_is_not_wide(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana Lee")
    w = open_review(qtbot, tmp_path)
    table = w.sessions.table
    header = table.horizontalHeader()
    last = header.count() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    assert header.sectionSize(0) < header.sectionSize(1)  # the scenario title gets the room, not the name
    w.grab().save(str(tmp_path / "sessions-1366.png"))


def test_no_dangling_to_after_date_and_counts_agree_with_their_nouns(qtbot, tmp_path):
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana Lee")
    w = open_review(qtbot, tmp_path)
    page = w.sessions
    assert not page.date_to_label.isVisible()
    page.period.setCurrentIndex(page.period.count() - 1)  # "Between dates…"
    assert page.date_to_label.isVisible() and page.date_from.isVisible()
    page.period.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.count.text().startswith("1 session —"), timeout=10_000)
    assert w.status.text() == "1 session shown."


# -- 8. the reviewed result reaches the Learning Record Store ----------------------------------------
def test_a_reviewed_result_is_a_statement_of_its_own_that_changes_with_the_review(tmp_path):
    from simulator.store.xapi import VERBS, reviewed_statement, statement_id
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
        assert reviewed_statement(load_session(store, sid)) is None  # nothing reviewed: the automatic one stands
        missed = [v for v in load_session(store, sid).verdicts if v["status"] == "missed"]
        store.add_override(sid, missed[0]["dimension"], missed[0]["item"], "met", "It was there", "Sam Coach")
        first = reviewed_statement(load_session(store, sid), pass_mark=10)
        assert reviewed_statement(load_session(store, sid), pass_mark=10)["id"] == first["id"]
        store.add_override(sid, missed[1]["dimension"], missed[1]["item"], "met", "So was this", "Sam Coach")
        second = reviewed_statement(load_session(store, sid), pass_mark=10)
        record = load_session(store, sid)
    assert second["id"] != first["id"]
    assert second["result"]["score"]["raw"] == record.summary.reviewed_overall != record.summary.overall
    assert second["result"]["extensions"]["https://simulator.invalid/xapi/extensions/automatic-score"] == \
        record.summary.overall
    assert second["verb"]["id"] == VERBS["passed"] and second["context"]["instructor"]["name"] == "Sam Coach"
    assert second["context"]["statement"]["id"] == statement_id(sid, "outcome", 0)
    assert second["actor"]["name"] == "Ana"


def test_an_override_in_review_mode_queues_the_reviewed_result_in_the_outbox(qtbot, tmp_path):
    from simulator.store.credentials import save
    save("http://127.0.0.1:9/xAPI", "u", "a-long-password")  # never reached here: the outbox is what is checked
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
    w = open_review(qtbot, tmp_path, reviewer="Sam Coach")
    open_first(qtbot, w)
    choose(w.session, "missed")
    override(qtbot, w, "It was there")
    with Store(tmp_path) as store:
        rows = store.read("SELECT body FROM outbox WHERE session_id = ?", (sid,))
    bodies = [json.loads(r["body"]) for r in rows]
    reviewed = [b for b in bodies if b["context"].get("instructor")]
    assert len(reviewed) == 1 and reviewed[0]["context"]["instructor"]["name"] == "Sam Coach"


def test_the_reviewed_result_arrives_in_a_real_lrs_beside_the_automatic_one(qtbot, tmp_path, ralph):
    from lrs_server import PASSWORD, USER
    from simulator.store.credentials import load, save
    from simulator.store.lrs import Lrs, push_sessions
    save(ralph.endpoint, USER, PASSWORD)
    with Store(tmp_path / "data") as store:
        sid = play(store, *PLAYS[1], "Ana")
        assert push_sessions(store, None, 70).error is None  # the automatic result, first
        v = next(v for v in load_session(store, sid).verdicts if v["status"] == "missed")
        store.add_override(sid, v["dimension"], v["item"], "met", "It was there", "Sam Coach")
        report = push_sessions(store, None, 70)
        assert report.error is None and report.sent == 1 and report.waiting == 0
        reviewed = load_session(store, sid).summary.reviewed_overall
    got = Lrs(load()).fetch(str(uuid.UUID(sid)))
    by_reviewer = [s for s in got if s.get("context", {}).get("instructor")]
    assert len(by_reviewer) == 1 and by_reviewer[0]["result"]["score"]["raw"] == reviewed
    assert by_reviewer[0]["context"]["instructor"]["name"] == "Sam Coach"


@pytest.fixture
def one_session_at(qtbot, tmp_path, qapp):
    """Review mode on a 1366x768 screen at a text size, over one played session; the size is put back after."""
    from simulator.ui.theme import apply_theme
    with Store(tmp_path) as store:
        play(store, *PLAYS[1], "Ana")

    def opened(scale: int) -> ReviewWindow:
        apply_theme(qapp, "system", scale)
        return open_review(qtbot, tmp_path)
    yield opened
    apply_theme(qapp, "system", 100)


def test_at_200_percent_the_session_side_shows_several_verdicts_and_whole_headers(qtbot, one_session_at):
    # At 200 % text on a 1366x768 screen the verdicts table showed one row and "Changed to" read "hanged t".
    w = one_session_at(200)
    open_first(qtbot, w)
    qtbot.wait(100)
    page = w.session
    line = page.fontMetrics().height()
    assert page.verdicts.height() >= 7 * line  # the header and four verdicts
    header = page.audit.horizontalHeader()
    for column, words in enumerate(["When", "Who", "Criterion", "Changed to"]):
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(words), words


def test_at_150_percent_a_scenario_keeps_its_name_beside_the_figures(qtbot, one_session_at):
    # At 150 % on a 1366x768 screen the Scenarios tab's stretched name column got what the figures left: nothing,
    # and "Broadband caller keeps swearing after a warning" read "B…".
    w = one_session_at(150)
    with qtbot.waitSignal(w.scenarios_shown, timeout=10_000):
        w.tabs.setCurrentWidget(w.scenarios)
    table = w.scenarios.table
    title = table.item(0, 0).text()
    wanted = min(table.fontMetrics().horizontalAdvance(title), table.fontMetrics().horizontalAdvance("M") * 40)
    assert table.horizontalHeader().sectionSize(0) >= wanted, title


def test_the_sessions_columns_follow_a_change_of_text_size(qtbot, one_session_at, qapp):
    # Switched to 150 % with review mode open, the headers read "oundary-settin", "uration" and the dates "2026-12-0…".
    from simulator.ui.theme import apply_theme
    w = one_session_at(100)
    apply_theme(qapp, "system", 150)
    qtbot.wait(100)
    table = w.sessions.table
    header = table.horizontalHeader()
    for column, (_key, title) in enumerate(COLUMNS):
        if header.sectionResizeMode(column) != QHeaderView.Stretch:
            widest = max(header.fontMetrics().horizontalAdvance(line) for line in title.split("\n"))  # two lines
            assert header.sectionSize(column) >= widest, title


def test_review_reads_scenario_headings_on_its_worker_not_the_gui_thread(tmp_path):
    """A verdict that only one scenario defines is shown by that scenario's heading; review mode reads the
    headings with the session (a fresh process: nothing has loaded a scenario yet), so labelling reads no file."""
    code = (
        "import sys\n"
        "from simulator.scoring import verdict\n"
        "from simulator.scenario.model import SCENARIO_HEADINGS\n"
        "from simulator.store import Store\n"
        "from simulator.ui.review.reading import scenarios_with_titles\n"
        "assert not SCENARIO_HEADINGS\n"
        "scenarios_with_titles(Store(sys.argv[1]))\n"
        "read = []\n"
        "verdict._read_shipped_scenarios = lambda: read.append(1)\n"
        "print(verdict.item_label('sends_refund'), len(read))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.db")], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "Put the refund through and said when it would arrive 0"


def test_the_status_bar_keeps_the_open_session_s_name_when_the_list_refreshes(qtbot, tmp_path):
    # A change to the open session refreshes the list, whose "2 sessions shown." replaced the session's name.
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[0], "Ana Lee")
        play(store, *PLAYS[1], "Bo")
    w = open_review(qtbot, tmp_path)
    qtbot.waitUntil(lambda: w.model.total == 2, timeout=10_000)
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        w.sessions.open_session.emit(sid)
    with qtbot.waitSignal(w.model.rows_ready, timeout=10_000):
        w.model.refresh()
    assert w.status.text().startswith("Ana Lee:")


def test_marking_a_session_reviewed_says_so_where_it_can_be_seen(qtbot, tmp_path):
    # At 200 % text the "Reviewed by" line sat below the side's fold: the walker pressed the button and saw nothing.
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.mouseClick(w.session.reviewed_button, Qt.LeftButton)
    assert w.status.text() == "Marked as reviewed by Mo." and w.session.reviews.text().startswith("Reviewed by Mo")
    status = [k for k, _ in COLUMNS].index("status")  # and the list says so (the second walker saw "completed")
    qtbot.waitUntil(lambda: w.model.data(w.model.index(0, status)) == "completed ✓", timeout=10_000)
    assert "marked reviewed" in w.model.data(w.model.index(0, status), Qt.ToolTipRole)


def test_every_dimension_a_shipped_scenario_scores_has_a_column_and_a_line():
    # Problem solving, scored by four of the shipped scenarios, was in no column, chart or table of review mode.
    from simulator.scenario.library import available
    from simulator.store.sessiontable import DIMENSIONS
    scored = {d for sf in available()[0] for d in sf.scenario.rubric}
    assert scored <= set(DIMENSIONS), scored - set(DIMENSIONS)


def test_a_coach_s_own_dimension_has_its_column_its_line_and_its_figure(qtbot, tmp_path):
    """A coach's scenario scored on "Keeping calm" showed it on the session page and in reports, but review mode's
    columns, chart and Scenarios table were fixed at the shipped dimensions."""
    from simulator.engine import Session
    from simulator.engine.script import run_script
    from simulator.scenario import load_scenario
    from simulator.scoring import PhraseDetector, score_session
    from simulator.store.recorder import SessionRecorder
    from simulator.store.sessiontable import SessionQuery, dimensions_in, session_rows

    text = (REPO / "scenarios" / "swearing-caller.yaml").read_text("utf-8")
    own = tmp_path / "scenarios" / "calm-caller.yaml"
    own.parent.mkdir()
    own.write_text(text.replace("id: swearing-caller", "id: calm-caller", 1)
                   .replace("\n  boundary_setting:\n", "\n  keeping_calm:\n", 1), "utf-8")
    sf = load_scenario(own)
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
        for replies in (PLAYS[0][1], PLAYS[1][1]):
            session = Session(sf, PhraseDetector(sf.criteria), seed=1)
            recorder = SessionRecorder(store, session, "Ana")
            run_script(session, replies)
            recorder.save_result(score_session(sf, session.turns))
            recorder.close()
        assert dimensions_in(store)[-1] == "keeping_calm"
        by_own = session_rows(store, SessionQuery(sort="keeping_calm", descending=True), 0, 10, dimensions_in(store))
        assert [r.dimensions["keeping_calm"] is None for r in by_own] == [False, False, True]  # none last
        assert by_own[0].dimensions["keeping_calm"] >= by_own[1].dimensions["keeping_calm"]
    w = open_review(qtbot, tmp_path, trainee="Ana")
    qtbot.waitUntil(lambda: w.model.total == 3, timeout=10_000)
    keys = [k for k, _ in w.model.columns]
    assert keys[:len(COLUMNS)] == [k for k, _ in COLUMNS] and keys[-1] == "keeping_calm"
    column = keys.index("keeping_calm")
    assert w.model.headerData(column, Qt.Horizontal) == "Keeping\ncalm"
    shown = {w.model.data(w.model.index(r, column)) for r in range(3)}
    assert "" in shown and len(shown) >= 2  # the shipped scenario's session has no figure there, the coach's do
    assert w.sessions.table.columnWidth(column) >= w.sessions.table.fontMetrics().horizontalAdvance("Keeping")
    w.model.sort(column, Qt.AscendingOrder)
    qtbot.waitUntil(lambda: w.model.query.sort == "keeping_calm" and w.model.row(0) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: w.model.data(w.model.index(2, column)) == "", timeout=10_000)  # none last, either way
    w.progress.show_progress(*_progress_of(tmp_path, "Ana"))
    assert "Keeping calm" in [name for name, _ in w.progress.chart.series]
    from simulator.store.progress import scenario_stats
    with Store(tmp_path) as store:
        w.scenarios.show_stats(scenario_stats(store))
    table = w.scenarios.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "Keeping\ncalm" in headers and headers[-1] == "Where most sessions\ngo wrong"


def _progress_of(folder, trainee: str):
    from simulator.store.progress import most_missed, trainee_progress
    with Store(folder) as store:
        return trainee_progress(store, trainee), most_missed(store, trainee)


def test_escape_on_a_session_goes_back_to_the_list(qtbot, tmp_path):
    # Only Alt+Left went back; a walker pressed Escape, as on the trainee's pages.
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    assert w.session.isVisible()
    w.session.verdicts.setFocus()
    qtbot.keyClick(w.session.verdicts, Qt.Key_Escape)
    qtbot.waitUntil(lambda: w.sessions.isVisible(), timeout=5_000)


def test_back_from_a_session_it_is_still_the_current_row_after_the_list_is_read_again(qtbot, tmp_path):
    # A walker marked the second session reviewed, came back, pressed Enter and got the first one.
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
        play(store, *PLAYS[1], "Bo")
    w = open_review(qtbot, tmp_path)
    qtbot.waitUntil(lambda: w.model.total == 2 and w.model.row(1) is not None, timeout=10_000)
    second = w.model.row(1).id
    w.sessions.table.setCurrentIndex(w.model.index(1, 0))
    w.sessions.table.setFocus()
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.keyClick(w.sessions.table, Qt.Key_Return)
    with qtbot.waitSignal(w.model.rows_ready, timeout=10_000):
        qtbot.mouseClick(w.session.reviewed_button, Qt.LeftButton)
    qtbot.keyClick(w.session.verdicts, Qt.Key_Escape)
    qtbot.waitUntil(lambda: w.sessions.isVisible(), timeout=5_000)
    assert w.model.data(w.sessions.table.currentIndex(), Qt.UserRole) == second


def test_the_scenarios_table_shows_only_scored_dimensions_and_wraps_where_it_goes_wrong(qtbot, tmp_path):
    # At 1366 px the last column ran off the right edge, and Accountability stood empty: no scenario played scored it.
    from simulator.store.progress import scenario_stats
    with Store(tmp_path) as store:
        for scenario, replies in PLAYS:
            play(store, scenario, replies, "Ana")
        stats = scenario_stats(store)
    import dataclasses
    long_way = ("customer_keeps_swearing_after_the_first_warning", "agent_hangs_up_without_giving_any_warning")
    stats = [dataclasses.replace(stats[0], wrong_turn=long_way, wrong_turn_count=3), *stats[1:]]
    w = open_review(qtbot, tmp_path)
    w.resize(1366, 768)
    w.show()
    w.tabs.setCurrentWidget(w.scenarios)
    qtbot.waitUntil(lambda: w.scenarios.table.rowCount() == 3, timeout=10_000)  # as the tab reads them
    w.scenarios.show_stats(stats)
    table = w.scenarios.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "Accountability" not in headers and "Boundary-\nsetting" in headers
    for c in range(4, table.columnCount() - 1):  # every dimension column has a figure in some row
        assert any(table.item(r, c).text() for r in range(table.rowCount())), headers[c]
    last = table.columnCount() - 1
    assert len(table.item(0, last).text()) > 60
    assert table.columnWidth(last) <= table.fontMetrics().horizontalAdvance("m") * 26
    assert sum(table.columnWidth(c) for c in range(table.columnCount())) <= table.viewport().width()
    assert table.rowHeight(0) > table.fontMetrics().height() * 1.8  # the long way wrapped onto more lines


def test_at_200_percent_the_verdicts_criterion_keeps_room_to_be_read(qtbot, qapp, tmp_path):
    # A walker at 200 % text on 1366 px read "N… the b… as u…": the short columns took the width.
    from simulator.ui.theme import apply_theme
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
    apply_theme(qapp, "light", 200)
    try:
        w = open_review(qtbot, tmp_path)
        open_first(qtbot, w)
        tree = w.session.verdicts
        qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0)
        qtbot.wait(100)
        assert tree.isColumnHidden(3)  # nothing changed or disputed: no "After review" column of "unchanged"
        em = tree.fontMetrics().horizontalAdvance("m")
        width = tree.header().sectionSize(0)
        longest = max((word for i in range(tree.topLevelItemCount()) for word in tree.topLevelItem(i).text(0).split()),
                      key=tree.fontMetrics().horizontalAdvance)
        assert width >= 7 * em and tree.fontMetrics().horizontalAdvance(longest) <= width - 6, (width / em, longest)
        # so too with a verdict changed (its "After review" column shown), and the divider dragged to the right
        with Store(tmp_path) as store:
            sid = w.session.record.id
            v = next(v for v in load_session(store, sid).verdicts if v["status"] == "missed")
            store.add_override(sid, v["dimension"], v["item"], "met", "It was there", "Mo", review=False)
            w.record_changed(load_session(store, sid))
        split = w.session.side_scroll.parentWidget()
        split.setSizes([2000, 10])
        qtbot.wait(100)
        assert not tree.isColumnHidden(3)
        assert w.session.side_scroll.width() >= 30 * em
        assert tree.header().sectionSize(0) >= 6 * em, tree.header().sectionSize(0) / em
    finally:
        apply_theme(qapp, "system", 100)


def test_the_chart_legend_wraps_instead_of_running_off_the_edge(qtbot):
    # At 200 % text the legend's last entries ran off the right edge ("Pro…").
    from simulator.ui.review.line_chart import LineChart
    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(500, 400)
    names = ["Overall", "Boundary-setting", "Disengaging", "Escalation", "Empathy", "Problem solving", "Professionalism"]
    chart.set_series([(name, [(1.0, 10.0 * k), (2.0, 50.0)]) for k, name in enumerate(names)])
    chart.grab()
    assert [label for label, _, _ in chart.drawn_legend] == names
    assert all(end <= chart.width() for _, _, end in chart.drawn_legend)
    assert chart._plot().top() > 2.5 * chart.fontMetrics().height()  # the plot starts below the legend's lines


def test_review_mode_on_its_own_changes_theme_and_text_size(qtbot, qapp, tmp_path):
    # `simulator review` has no trainee's Settings: a manager at 200 % text could change neither.
    from simulator.settings import AppSettings
    from simulator.ui.review.appearance import AppearanceDialog
    from simulator.ui.theme import apply_theme
    saved = []
    with Store(tmp_path) as store:
        play(store, *PLAYS[0], "Ana")
    w = appkit.open_review(qtbot, tmp_path, trainee="Mo", reviewer="Mo", size=(1366, 768))
    w.appearance._save = saved.append
    base = qapp.font().pointSizeF()
    try:
        views = [a for m in w.menuBar().actions() if m.text() == "&View" for a in m.menu().actions()]
        assert views and "Appearance" in views[0].text()
        views[0].trigger()
        dialog = w.appearance.dialog
        assert isinstance(dialog, AppearanceDialog) and dialog.values() == (w.settings.theme, w.settings.text_scale)
        dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
        dialog.text_scale.setValue(150)
        dialog.accept()
        assert qapp.font().pointSizeF() > base
        assert saved and (saved[-1].theme, saved[-1].text_scale) == ("dark", 150)
    finally:
        apply_theme(qapp, "system", 100)


def test_changing_a_disputed_verdict_shows_the_trainees_reason_first(qtbot, tmp_path):
    # A walker changed a disputed verdict with nothing in the dialog saying it was disputed, or why.
    from simulator.store.disputes import open_dispute
    with Store(tmp_path) as store:
        sid = play(store, *PLAYS[1], "Ana")
        open_dispute(store, sid, "boundary_setting", "names_behavior", "Asking them to calm down <b>named</b> it.")
    w = open_review(qtbot, tmp_path)
    open_first(qtbot, w)
    row = next(i for i in range(w.session.verdicts.topLevelItemCount())
               if w.session.verdicts.topLevelItem(i).data(0, 256)["item"] == "names_behavior")
    w.session.verdicts.setCurrentItem(w.session.verdicts.topLevelItem(row))
    dialog = w.session.override_dialog(w.session.current_verdict(), "missed", "Mo")
    said = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Trainee disputes it" in said and any("<b>named</b> it." in t and "answers this dispute" in t for t in said)
    dialog.close()
    other = next(i for i in range(w.session.verdicts.topLevelItemCount()) if i != row)
    w.session.verdicts.setCurrentItem(w.session.verdicts.topLevelItem(other))
    plain_dialog = w.session.override_dialog(w.session.current_verdict(), "missed", "Mo")
    assert "Trainee disputes it" not in [label.text() for label in plain_dialog.findChildren(QLabel)]
    plain_dialog.close()


def test_scrolled_sideways_at_200_percent_the_rows_still_say_whose_sessions_they_are(qtbot, one_session_at):
    # At 200 % on 1366 px the table scrolls sideways to the rubric's columns, and the Trainee column went with it.
    w = one_session_at(200)
    table, frozen = w.sessions.table, w.sessions.frozen
    qtbot.waitUntil(lambda: w.model.rowCount() > 0, timeout=10_000)
    sideways = table.horizontalScrollBar()
    assert sideways.maximum() > 0  # too wide for the screen at this size
    sideways.setValue(0)
    assert not frozen.isVisible()  # the column itself is in view
    sideways.setValue(sideways.maximum())
    qtbot.waitUntil(frozen.isVisible, timeout=2_000)
    header, last = table.horizontalHeader(), w.model.columnCount() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= table.viewport().width()  # all of it
    assert frozen.columnWidth(0) == table.columnWidth(0)
    assert all(frozen.isColumnHidden(c) for c in range(1, w.model.columnCount()))
    assert frozen.geometry().left() <= table.frameWidth() + 1
    assert frozen.horizontalHeader().height() == table.horizontalHeader().height()
    # The same row, at the same height, reads the trainee's name.
    rect = frozen.visualRect(w.model.index(0, 0))
    assert frozen.rowHeight(0) == table.rowHeight(0) and w.model.index(0, 0).data() == "Ana"
    assert frozen.rowViewportPosition(0) == table.rowViewportPosition(0)
    # A click there selects the row in the table, which keeps the keys; a double-click opens the session.
    qtbot.mouseClick(frozen.viewport(), Qt.LeftButton, pos=rect.center())
    assert table.currentIndex().row() == 0 and table.selectionModel().isRowSelected(0)
    assert sideways.value() == sideways.maximum()  # choosing a row there does not send the table back left
    with qtbot.waitSignal(w.session_shown, timeout=10_000):
        qtbot.mouseDClick(frozen.viewport(), Qt.LeftButton, pos=rect.center())
    # Sorting from its header sorts the table.
    frozen.horizontalHeader().setSortIndicator(0, Qt.AscendingOrder)
    assert table.horizontalHeader().sortIndicatorSection() == 0


def test_calibration_at_200_percent_wraps_long_criteria_and_keeps_them_in_view(qtbot, qapp):
    # At 200 % on 1366 px a criterion like "Said clearly that you were ending the call or brought in a supervisor"
    # took most of the width, the figures beside it cut off; scrolled to them, no row said which criterion it was.
    from simulator.store.calibration import Agreement
    from simulator.ui.review.calibration_page import CalibrationPage
    from simulator.ui.theme import apply_theme
    apply_theme(qapp, "system", 200)
    try:
        page = CalibrationPage()
        qtbot.addWidget(page)
        page.resize(1346, 600)
        page.show()
        long = "said_clearly_that_you_were_ending_the_call_or_brought_in_a_supervisor"  # a coach's own, by its id
        rows = [Agreement(item, 5, 12, 2, 1, 1, 1, 0) for item in (long, "names_behavior")]
        page.show_agreement(rows)
        qtbot.wait(50)
        table = page.table
        long_row = next(r for r in range(table.rowCount()) if "supervisor" in table.item(r, 0).text())
        assert table.columnWidth(0) <= table.viewport().width() * 0.4 + 1
        assert table.rowHeight(long_row) >= 2 * table.fontMetrics().lineSpacing()  # on two lines, not cut
        sideways = table.horizontalScrollBar()
        assert sideways.maximum() > 0
        sideways.setValue(sideways.maximum())
        qtbot.waitUntil(lambda: table.frozen.isVisible(), timeout=2_000)
        assert table.frozen.rowHeight(long_row) == table.rowHeight(long_row)
    finally:
        apply_theme(qapp, "system", 100)


def test_scrolled_sideways_the_keys_the_wheel_and_a_new_text_size_keep_the_sessions_table_whole(qtbot, one_session_at,
                                                                                                 qapp):
    # A walker at 200 %: Left moved the current cell under the kept Trainee column, Right off the screen, and
    # neither scrolled; Shift and the wheel scrolled up and down; after a new text size the kept column was cut short.
    from simulator.ui.theme import apply_theme
    w = one_session_at(200)
    table, frozen = w.sessions.table, w.sessions.frozen
    qtbot.waitUntil(lambda: w.model.rowCount() > 0, timeout=10_000)
    sideways = table.horizontalScrollBar()
    sideways.setValue(sideways.maximum())
    last = w.model.columnCount() - 1
    table.setCurrentIndex(w.model.index(0, last))
    table.setFocus()
    for _ in range(last - 1):
        qtbot.keyClick(table, Qt.Key_Left)
        column = table.currentIndex().column()
        assert table.columnViewportPosition(column) >= table.columnWidth(0) - 1, column  # not under the kept column
    for _ in range(last - 1):
        qtbot.keyClick(table, Qt.Key_Right)
        column = table.currentIndex().column()
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width() + 1, column  # not off the right edge
    sideways.setValue(sideways.maximum() // 2)
    before = sideways.value()
    qtbot.wait(10)
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    centre = QPointF(table.viewport().rect().center())
    event = QWheelEvent(centre, QPointF(table.viewport().mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.NoButton, Qt.ShiftModifier, Qt.NoScrollPhase, False)
    qapp.sendEvent(table.viewport(), event)
    assert sideways.value() > before  # to the right, as the wheel turned down
    sideways.setValue(sideways.maximum())
    for scale in (150, 100, 200):
        apply_theme(qapp, "system", scale)
        qtbot.wait(100)
        sideways.setValue(sideways.maximum())
        qtbot.wait(50)
        if frozen.isVisible():
            assert frozen.height() == table.viewport().height() + table.horizontalHeader().height(), scale
            assert frozen.horizontalHeader().height() == table.horizontalHeader().height(), scale
            assert frozen.rowHeight(0) == table.rowHeight(0) and frozen.columnWidth(0) == table.columnWidth(0)


def test_the_appearance_dialog_reads_its_theme_choices_whole(qtbot):
    # "Same as the system" read "Same as the syste".
    from simulator.ui.settings_dialog import THEME_CHOICES, _combo
    box = _combo("Theme", THEME_CHOICES, "system")
    qtbot.addWidget(box)
    assert box.minimumContentsLength() >= len("Same as the system")
