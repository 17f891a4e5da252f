"""A dispute's round trip through the real windows and real store files: the trainee disputes two verdicts on
the results page, the bundle reaches review mode, the manager overturns one and upholds the other (each with a
reason), the manager's bundle comes back, and the trainee reads the answers in the results and in My sessions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from appkit import choose, open_window, press, type_reply, wait_for_results
from simulator.settings import AppSettings
from simulator.speech.kit import FileDevices
from simulator.store import load_session
from simulator.store.bundle import export_bundle
from simulator.ui.review.window import ReviewWindow
from simulator.ui.tasks import Tasks
from simulator.scoring.verdict import figure
from test_trainee_window import assert_unique_mnemonics, visible_mnemonics

KEY = b"an organisation key of some length"


def _dispute(qtbot, window, item: str, reason: str) -> None:
    card = window.results.did.card(item)
    assert card.dispute_button.isVisible() and card.dispute_button.isEnabled()
    qtbot.mouseClick(card.dispute_button, Qt.LeftButton)
    dialog = window.results.dispute_dialog
    assert_unique_mnemonics(dialog, "dispute dialog")
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled()  # the reason is required
    qtbot.keyClicks(dialog.reason, reason)
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.LeftButton)
    qtbot.waitUntil(lambda: card.dispute_state.isVisible(), timeout=10_000)
    assert "Waiting for your manager" in card.dispute_state.text() and not card.dispute_button.isEnabled()


def _answer(qtbot, review, row: int, outcome: str, reason: str) -> None:
    page = review.disputes
    page.table.setCurrentItem(page.table.topLevelItem(row))
    button = page.overturn_button if outcome == "overturned" else page.uphold_button
    qtbot.mouseClick(button, Qt.LeftButton)
    dialog = review.answers.dialog
    assert_unique_mnemonics(dialog, "answer dialog")
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled()  # a reason is required either way
    qtbot.keyClicks(dialog.reason, reason)
    if not dialog.reviewer.text():
        assert not ok.isEnabled()  # and so is the reviewer's name
        qtbot.keyClicks(dialog.reviewer, "Lee")
    with qtbot.waitSignal(review.disputes_shown, timeout=10_000):
        qtbot.mouseClick(ok, Qt.LeftButton)


def test_a_dispute_travels_to_review_mode_and_its_answer_comes_back(qtbot, tmp_path):
    # The trainee plays an assessed session and disputes two verdicts.
    window = open_window(qtbot, tmp_path / "trainee", trainee="Ana")
    choose(qtbot, window, "swearing-caller")
    type_reply(qtbot, window, "Please calm down, sir.")
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    _dispute(qtbot, window, "names_behavior", "Asking him to calm down told him the swearing was not okay.")
    _dispute(qtbot, window, "end_call|escalate", "I ended the call because he would not stop.")
    assert any("Send to my manager" in m for m in window.notices.messages)  # how it reaches another computer
    sid = window.disputes.session_id
    automatic = load_session(window.store, sid).summary.overall
    # From My sessions, as a trainee without a terminal sends them (it was `simulator sessions export` only).
    window.disputes.show_history()
    qtbot.waitUntil(lambda: window.history.table.topLevelItemCount() == 1, timeout=10_000)
    assert not any("Send to my manager" in m for m in window.notices.messages)  # said on the results page, left there
    assert window.history.send_button.isEnabled()
    window.disputes.send(tmp_path / "ana.simbundle", KEY)
    qtbot.waitUntil(lambda: any(m.startswith("1 session saved to") for m in window.notices.messages), timeout=10_000)

    # The manager imports it: the queue shows both, the longest waiting first.
    review = ReviewWindow(data_dir=tmp_path / "manager", tasks=Tasks(), policy=None, devices=FileDevices(),
                          settings=AppSettings(trainee="Lee", reviewer="Lee"), ask_passphrase=False)
    qtbot.addWidget(review)
    review.resize(1366, 768)
    review.show()
    qtbot.waitUntil(lambda: review.store is not None, timeout=20_000)
    with qtbot.waitSignal(review.changed, timeout=20_000):
        review.bundles.import_files([tmp_path / "ana.simbundle"], KEY)
    tabs = review.tabs
    qtbot.waitUntil(lambda: tabs.tabText(tabs.indexOf(review.disputes)) == "&Disputes (2 open)", timeout=10_000)
    with qtbot.waitSignal(review.disputes_shown, timeout=10_000):
        tabs.setCurrentWidget(review.disputes)
    page = review.disputes
    claims, _ = visible_mnemonics(review)  # this tab only: the others are their own pages' business
    assert not {k: v for k, v in claims.items() if len(v) > 1}, claims
    assert page.table.topLevelItemCount() == 2 and page.table.topLevelItem(0).text(0) == "Ana"
    assert "calm down told him" in page.details.text()
    with qtbot.waitSignal(review.session_shown, timeout=10_000):  # the manager reads the session first
        qtbot.mouseClick(page.session_button, Qt.LeftButton)
    tree = review.session.verdicts
    marks = [tree.topLevelItem(i).text(3) for i in range(tree.topLevelItemCount())]
    assert sum(m.endswith("· disputed") for m in marks) == 2 and "Disputes tab" in review.session.reviews.text()
    with qtbot.waitSignal(review.disputes_shown, timeout=10_000):
        tabs.setCurrentWidget(review.disputes)
    _answer(qtbot, review, 0, "overturned", "Fair: that named the behaviour.")
    qtbot.waitUntil(lambda: page.table.topLevelItemCount() == 1, timeout=10_000)  # answered ones are hidden
    # The session still open behind the queue shows the change (it showed the old verdicts and score until reopened).
    qtbot.waitUntil(lambda: [o.item for o in review.session.record.overrides] == ["names_behavior"], timeout=10_000)
    marks = [tree.topLevelItem(i).text(3) for i in range(tree.topLevelItemCount())]
    assert sum(m.endswith("· disputed") for m in marks) == 1
    _answer(qtbot, review, 0, "upheld", "You ended the call before any warning.")
    qtbot.waitUntil(lambda: tabs.tabText(tabs.indexOf(review.disputes)) == "&Disputes", timeout=10_000)
    page.show_answered.setChecked(True)
    qtbot.waitUntil(lambda: page.table.topLevelItemCount() == 2, timeout=10_000)
    # The overturn is an override with the usual audit; the automatic verdict and score stay.
    manager_record = load_session(review.store, sid)
    assert [(o.item, o.status, o.reviewer) for o in manager_record.overrides] == [("names_behavior", "met", "Lee")]
    assert manager_record.summary.overall == automatic and manager_record.summary.reviewed_overall > automatic
    export_bundle(review.store, [sid], tmp_path / "answers.simbundle", KEY)

    # The answers come back: the results beside the verdicts, and My sessions.
    window.disputes.take_answers([tmp_path / "answers.simbundle"], KEY)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.history
                    and window.history.table.topLevelItemCount() == 1
                    and window.history.table.topLevelItem(0).text(3) == "2 answered", timeout=10_000)
    assert_unique_mnemonics(window, "my sessions")
    row = window.history.table.topLevelItem(0)
    assert row.text(3) == "2 answered" and "changed by your manager" in row.text(2)
    qtbot.waitUntil(lambda: "Fair: that named" in window.history.details.text(), timeout=10_000)
    qtbot.mouseClick(window.history.open_button, Qt.LeftButton)
    overturned = "changed this verdict: now counted as done."
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results
                    and overturned in window.results.did.card("names_behavior").dispute_state.text(), timeout=10_000)
    # The manager's reason, once on the card: it was said by the change and again by the dispute's answer.
    card = window.results.did.card("names_behavior")
    assert (card.advice.text() + card.dispute_state.text()).count("Fair: that named") == 1
    # Opened from My sessions: said as an earlier session, with its debrief, no "how are you feeling", a way back.
    page = window.results
    assert page.message.text().startswith("Played on ") and page.sessions_button.isVisible()
    assert not page.feeling.isVisible() and page.debrief.isVisible() and page.debrief.text()
    assert_unique_mnemonics(window, "a past session's results")
    kept = window.results.did.card("end_call|escalate")
    assert "kept this verdict: You ended the call before any warning." in kept.dispute_state.text()
    assert kept.dispute_button.isEnabled()  # answered: the trainee may dispute it again
    record = load_session(window.store, sid)
    assert record.summary.overall == automatic and {d.outcome for d in record.disputes} == {"overturned", "upheld"}
    # The headline gives the score that counts, as My sessions does, and says where the automatic one went.
    assert f"{figure(record.summary.reviewed_overall)} / 100" in window.results.title.text()
    assert f"the automatic score was {figure(automatic)}" in window.results.message.text()
    # Try again, from a past session, opens its scenario's briefing (it was greyed out with no reason given).
    assert window.results.again_button.isEnabled()
    qtbot.mouseClick(page.sessions_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.history, timeout=10_000)
    qtbot.mouseClick(window.history.open_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=10_000)
    qtbot.mouseClick(window.results.again_button, Qt.LeftButton)
    assert window.stack.currentWidget() is window.briefing and window.briefing.scenario.id == record.summary.scenario_id


def test_on_one_data_folder_the_answer_shows_at_once(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, trainee="Ana")
    choose(qtbot, window, "swearing-caller")
    type_reply(qtbot, window, "Please calm down, sir.")
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    _dispute(qtbot, window, "names_behavior", "Asking him to calm down named it.")
    qtbot.waitUntil(lambda: window.policy is not None, timeout=10_000)
    review = window.open_review()  # the same records, as a manager on this computer would open them
    qtbot.waitUntil(lambda: review.store is not None, timeout=10_000)
    with qtbot.waitSignal(review.disputes_shown, timeout=10_000):
        review.tabs.setCurrentWidget(review.disputes)
    row = review.disputes.table.topLevelItem(0)  # cut in a narrow column, given in full on hovering
    assert "Broadband caller keeps swearing after a warning" in row.toolTip(1)
    assert "Named the behaviour as unacceptable" in row.toolTip(2)
    _answer(qtbot, review, 0, "upheld", "Not quite: it asked for calm, it did not name the swearing.")
    page = review.disputes
    page.show_disputes(([], 0))  # none left: the columns' names still read in full
    assert page.table.columnWidth(1) >= page.table.header().sectionSizeHint(1)
    card = window.results.did.card("names_behavior")
    qtbot.waitUntil(lambda: "kept this verdict: Not quite" in card.dispute_state.text(), timeout=10_000)


def test_my_sessions_does_not_hide_a_running_call(qtbot, tmp_path):
    # Ctrl+Shift+H is one key from Hold (Ctrl+H); pressed in the reply box it used to swap the call for My sessions
    # while the customer went on talking, and the unfinished session was listed as "not scored".
    window = open_window(qtbot, tmp_path, trainee="Ana")
    choose(qtbot, window, "swearing-caller")
    page = window.roleplay
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)  # window shortcuts fire only in the active window
    page.reply.setFocus()
    qtbot.keyClicks(page.reply, "I can")
    qtbot.keyClick(page.reply, Qt.Key_H, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.stack.currentWidget() is page and window.live.running
    assert page.reply.text() == "I can"
    # The notice said My sessions "opens once this call is over"; it never did, and it stayed after the call.
    waiting = [m for m in window.notices.messages if "My sessions" in m]
    assert len(waiting) == 1 and "cannot open during a call" in waiting[0] and "opens once" not in waiting[0]
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    assert not [m for m in window.notices.messages if "My sessions" in m]  # no longer true: gone with the call
    assert window.stack.currentWidget() is window.results  # the call's results first, not My sessions
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window.results.again_button, Qt.Key_H, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.history, timeout=10_000)


def test_tab_reads_the_verdict_cards_before_the_buttons_below(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, trainee="Ana")
    choose(qtbot, window, "swearing-caller")
    type_reply(qtbot, window, "Please calm down, sir.")
    press(qtbot, window, "end_call")
    wait_for_results(qtbot, window)
    page = window.results
    chain, x = [], page.details
    while x is not page.library_button and len(chain) < 200:
        chain.append(x)
        x = x.nextInFocusChain()
    first, last = page.did.cards[0], page.did.cards[-1]
    assert first.dispute_button in chain and last.dispute_button in chain, "the cards came after Back to the library"
    assert chain.index(last.dispute_button) < chain.index(page.ok_button)
    quoted = next(c for c in page.did.cards if c.quotes)
    assert chain.index(quoted.quotes[0]) < chain.index(quoted.dispute_button)



def test_a_break_in_my_sessions_is_not_offered_for_dispute(qtbot):
    """A call stopped for a break has no verdicts: its row says so instead of inviting a dispute."""
    from simulator.store.my_sessions import HistoryRow
    from simulator.store.records import SessionSummary
    from simulator.ui.history_page import HistoryPage

    page = HistoryPage()
    qtbot.addWidget(page)
    rows = [HistoryRow(SessionSummary("b", "ana", "s", "Refund", 2.0, 3.0, "interrupted", None), 0, 0),
            HistoryRow(SessionSummary("a", "ana", "s", "Refund", 1.0, 2.0, "completed", 70.0), 0, 0)]
    page.show_history(rows)
    assert page.table.topLevelItem(0).text(2) == "interrupted, not scored"  # a break, said as one
    page.show_disputes("b", [])
    assert "no score and nothing to dispute" in page.details.text()
    page.table.setCurrentItem(page.table.topLevelItem(1))
    page.show_disputes("a", [])
    assert "Open the results to dispute one" in page.details.text()
