"""The library and the briefing as a tester saw them on 1366x768 and 1920x1080 screens at 100, 150 and 200 % text:
every scenario title readable in full, and a briefing that reads as one block, whole, on either screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QStyle

from conftest import MINIMAL
from simulator.scenario import load_scenario
from simulator.ui.briefing_page import READABLE_CHARACTERS, BriefingPage
from simulator.ui.library_page import LibraryPage
from simulator.ui.tasks import Tasks
from simulator.ui.theme import apply_theme

SCREENS = [(1366, 768), (1920, 1080)]
SCALES = [100, 150, 200]
LONG_TITLE = "A regular customer whose complaint about a double charge turns into shouting at the whole team"


def _page_size(screen: tuple[int, int], scale: int) -> tuple[int, int]:
    """What the main window leaves a page on that screen: less its menu bar, status bar and frame."""
    width, height = screen
    return width, height - round(70 * scale / 100)


@pytest.fixture
def text_size(qapp, request):
    apply_theme(qapp, "light", request.param)
    yield request.param
    apply_theme(qapp, "system", 100)


def _in(widget, ancestor) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


# -- the library's titles -------------------------------------------------------------------------------------
def _title_shown_whole(table, row: int) -> bool:
    """The title cell holds its whole title: on one line, or wrapped onto lines its row is tall enough for."""
    item = table.item(row, 0)
    fm = QFontMetrics(item.font())
    margin = table.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, table) + 1
    width = table.columnWidth(0) - 2 * margin
    if not table.wordWrap():
        return fm.horizontalAdvance(item.text()) <= width
    needed = fm.boundingRect(QRect(0, 0, width, 1_000_000), Qt.TextWordWrap, item.text())
    return needed.width() <= width and needed.height() <= table.rowHeight(row)


@pytest.mark.parametrize("text_size", SCALES, indirect=True)
@pytest.mark.parametrize("screen", SCREENS)
def test_every_scenario_title_in_the_library_is_readable_in_full(qtbot, write, shipped, screen, text_size):
    long = write(MINIMAL.replace("title: A tiny scenario", f"title: {LONG_TITLE}"), "long.yaml")
    scenarios = [load_scenario(p) for p in [*shipped, long]]
    page = LibraryPage()
    qtbot.addWidget(page)
    page.resize(*_page_size(screen, text_size))
    page.show()
    page.set_scenarios(scenarios, [], {})
    qtbot.wait(50)
    table = page.table
    titles = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert LONG_TITLE in titles and len(titles) == len(scenarios)  # the item's text, and so its accessible name, whole
    cut = [table.item(r, 0).text() for r in range(table.rowCount()) if not _title_shown_whole(table, r)]
    assert cut == [], f"{screen} at {text_size} %"
    # A one-line row keeps its room to read and to click; a wrapped one is taller, not squeezed.
    line = QFontMetrics(table.item(0, 0).font()).height()
    assert min(table.rowHeight(r) for r in range(table.rowCount())) >= 2 * line


@pytest.mark.parametrize("text_size", SCALES, indirect=True)
def test_the_search_hint_reads_whole_on_a_small_screen(qtbot, shipped, text_size):
    # At 200 % on 1366 px the hint read "Title, situation or conte…".
    page = LibraryPage()
    qtbot.addWidget(page)
    page.resize(*_page_size((1366, 768), text_size))
    page.show()
    page.set_scenarios([load_scenario(p) for p in shipped], [], {})
    qtbot.wait(50)
    search = page.search
    room = search.width() - 2 * search.fontMetrics().horizontalAdvance("M")  # frame, padding and the clear button
    assert search.fontMetrics().horizontalAdvance(search.placeholderText()) <= room, f"at {text_size} %"
    assert "Enter" in search.toolTip()


@pytest.mark.parametrize("text_size", [150, 200], indirect=True)
def test_the_library_card_shows_what_a_scenario_contains_at_large_text(qtbot, shipped, text_size):
    # At 150 % on a 1366x768 screen the table hides its Contains column and leaves it to the card, whose last
    # lines, the content note among them, were cut off with no way to scroll to them.
    page = LibraryPage()
    qtbot.addWidget(page)
    width, height = _page_size((1366, 768), text_size)
    page.resize(width, height - 180)  # the practice plan and a notice above it take this much in the window
    page.show()
    scenarios = [load_scenario(p) for p in shipped]
    page.set_scenarios(scenarios, [], {})
    qtbot.wait(50)
    card = page.card
    for row in range(page.table.rowCount()):
        page.table.selectRow(row)
        qtbot.wait(10)
        html = card.body.text()
        note = "Contains " if "Contains " in html else "Upset, but not abusive"
        assert note in html and html.index(note) < html.index("Your last score")
        # At 150 % the note is in view without scrolling; at any size all of it can be scrolled to.
        upto = QLabel(html[:html.index("</p>", html.index(note)) + 4])
        upto.setWordWrap(True)
        upto.setFont(card.body.font())
        if text_size == 150:
            assert upto.heightForWidth(card.scroll.viewport().width()) <= card.scroll.viewport().height()
        bar = card.scroll.verticalScrollBar()
        assert card.body.heightForWidth(card.scroll.viewport().width()) <= card.scroll.viewport().height() + bar.maximum()


# -- the briefing --------------------------------------------------------------------------------------------------
def _briefing(qtbot, size: tuple[int, int], scenario: str, show_assessed: bool = True) -> BriefingPage:
    from conftest import REPO
    page = BriefingPage(Tasks(), lambda: None)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    page.show_scenario(load_scenario(REPO / "scenarios" / f"{scenario}.yaml"), "typed", False,
                       show_assessed=show_assessed)
    qtbot.wait(100)
    return page


def _parts(page: BriefingPage) -> list:
    """What the briefing says and asks, top to bottom, as a trainee reads it (the empty speech line left out)."""
    parts = [page.title, page.customer, page.situation, page.content_note, page.assessed_box, page.intensity_box,
             page.mode_group.buttons()[0].parentWidget(), page.input_group.buttons()[0].parentWidget(),
             page.keep_audio, page.checklist, page.mic_button.parentWidget()]
    return [w for w in parts if w.isVisible()]


@pytest.mark.parametrize("show_assessed", [True, False])
@pytest.mark.parametrize("text_size", [100, 150], indirect=True)
def test_the_briefing_on_a_wide_screen_is_one_centred_column_without_gaps(qtbot, text_size, show_assessed):
    page = _briefing(qtbot, _page_size((1920, 1080), text_size), "threat-of-violence", show_assessed)
    line = page.fontMetrics().height()
    boxes = [_in(w, page) for w in _parts(page)]
    buttons = [_in(w, page) for w in (page.back_button, page.start_button)]
    # One column, no wider than a readable line, in the middle of the page.
    assert len({b.left() for b in boxes + buttons[:1]}) == 1, boxes
    right = max(b.right() for b in boxes)
    assert right - boxes[0].left() <= page.fontMetrics().averageCharWidth() * READABLE_CHARACTERS
    assert buttons[1].right() == right  # Start ends the column, under it
    assert abs(boxes[0].left() - (page.width() - right)) <= page.scroll.verticalScrollBar().sizeHint().width() + 2
    # Read from the top: part after part, no empty bands between them, the buttons straight after the last.
    assert boxes[0].top() <= line
    gaps = [b.top() - a.bottom() for a, b in zip(boxes, boxes[1:])]
    assert max(gaps) <= line, gaps
    # Between them only the line saying what Start begins.
    choices = _in(page.choices, page)
    assert choices.top() - boxes[-1].bottom() <= 3 * line and buttons[0].top() - choices.bottom() <= 3 * line


@pytest.mark.parametrize("text_size", [150], indirect=True)
def test_each_briefing_opens_at_its_title_and_content_note(qtbot, text_size):
    # A tester scrolled one briefing down; the next, threat-of-violence, opened where that one was left, below
    # its title and content note, with Start in view.
    from conftest import REPO
    page = _briefing(qtbot, _page_size((1366, 768), text_size), "swearing-caller")
    bar = page.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    page.show_scenario(load_scenario(REPO / "scenarios" / "threat-of-violence.yaml"), "typed", False)
    qtbot.wait(50)
    assert bar.value() == 0
    assert page.scroll.viewport().rect().contains(_in(page.content_note, page.scroll.viewport()))


@pytest.mark.parametrize("text_size", [200], indirect=True)
@pytest.mark.parametrize("scenario", ["threat-of-violence", "swearing-caller"])
def test_the_briefing_fits_a_small_screen_at_200_percent_text(qtbot, text_size, scenario):
    page = _briefing(qtbot, _page_size((1366, 768), text_size), scenario)
    viewport = _in(page.scroll.viewport(), page)
    assert page.scroll.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways to
    parts = _parts(page)
    for w in parts:  # nothing cut at the right edge: each part, and each option's words, within the window
        box = _in(w, page)
        assert viewport.left() <= box.left() and box.right() <= viewport.right(), w
        assert w.width() >= w.minimumSizeHint().width(), w
    boxes = [QRect(w.mapTo(page.scroll.widget(), QPoint(0, 0)), w.size()) for w in parts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.intersects(b)
    for button in (page.back_button, page.start_button):  # the way on is always in view, never scrolled away
        assert page.rect().contains(_in(button, page))
    # What does not fit the height is scrolled to, from the top.
    assert page.scroll.verticalScrollBar().maximum() > 0 and page.scroll.verticalScrollBar().value() == 0
    assert QApplication.font().pointSizeF() > 0


def test_what_is_assessed_is_as_tall_as_its_list_when_the_briefing_is_first_shown(qtbot, qapp):
    """Filled in while the library is in front, as the window does, after the text size changed: the list's box was
    sized for the scroll area's old width, and stood a third taller than its words, an empty band above them."""
    from PySide6.QtWidgets import QLabel, QStackedWidget

    from conftest import REPO
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.addWidget(QLabel("the library"))
    page = BriefingPage(Tasks(), lambda: None)
    stack.addWidget(page)
    stack.show()
    try:
        apply_theme(qapp, "light", 200)
        stack.resize(*_page_size((1366, 768), 200))
        qtbot.wait(50)
        page.show_scenario(load_scenario(REPO / "scenarios" / "swearing-caller.yaml"), "typed", False)
        stack.setCurrentWidget(page)
        qtbot.wait(100)
        box = page.assessed_box
        assert abs(box.scroll.height() - box.body.heightForWidth(box.scroll.viewport().width())) <= 2
    finally:
        apply_theme(qapp, "system", 100)


def test_the_newest_notice_shows_first_in_a_bar_with_room_for_one(qtbot):
    # At 150 % text a tester pressed two shortcuts the call refused; the second refusal went below the first, in
    # a bar one notice high, and could only be read by scrolling inside it.
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from simulator.ui.notices import NoticeBar

    window = QWidget()
    column = QVBoxLayout(window)
    bar = NoticeBar()
    column.addWidget(bar)
    column.addWidget(QLabel("the page"), 1)
    qtbot.addWidget(window)
    window.resize(700, 400)
    window.show()
    bar.add("Finish or end the call first. Scenario authoring opens when the call is over.")
    bar.add("My sessions cannot open during a call: finish or end the call first.")
    bar.setFixedHeight(bar.minimumSizeHint().height())  # no more room than one notice
    qtbot.wait(50)
    newest = bar.rows["My sessions cannot open during a call: finish or end the call first."]
    top_left = newest.mapTo(bar.scroll.viewport(), QPoint(0, 0))
    assert bar.column.indexOf(newest) == 0 and top_left.y() >= 0
    assert top_left.y() + newest.height() <= bar.scroll.viewport().height() + 1  # read whole, unscrolled


@pytest.mark.parametrize("text_size", [100, 200], indirect=True)
def test_my_sessions_shows_whole_titles_in_rows_with_room(qtbot, text_size):
    # At 200 % a title read "Angry about a late refund, but not abus…" beside a half-empty Disputes column, and a
    # row was as tall as its letters.
    from simulator.store.my_sessions import HistoryRow
    from simulator.store.records import SessionSummary
    from simulator.ui.history_page import HistoryPage
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(*_page_size((1366, 768), text_size))
    page.show()
    titles = ["Angry about a late refund, but not abusive", LONG_TITLE]
    page.show_history([HistoryRow(SessionSummary(f"s{i}", "Ana", "x", t, 1.8e9 + i, 1.8e9 + i + 60, "completed", 80.0),
                                  0, 0) for i, t in enumerate(titles)])
    qtbot.wait(50)
    tree = page.table
    fm = tree.fontMetrics()
    width = tree.header().sectionSize(1)
    for row, title in enumerate(titles):
        index = tree.model().index(row, 1)
        height = tree.visualRect(index).height()
        needed = fm.boundingRect(QRect(0, 0, width - 8, 100_000), Qt.TextWordWrap, title).height()
        assert height >= needed and height >= 1.4 * fm.height(), (title, text_size)
    assert fm.horizontalAdvance(titles[0]) <= width  # the short title on one line, whole

